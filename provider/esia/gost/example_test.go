package gost_test

import (
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// Checking an ESIA v2 authorization request: client_secret is a raw GOST
// signature of client_id+scope+timestamp+state+redirect_uri, and
// client_certificate_hash names the registered certificate.
func Example_clientSecret() {
	// The relying party's key and certificate (registered with ESIA).
	priv, _ := gost.GenerateKey(gost.TC26ParamSetA(), nil)
	certDER, _ := gost.CreateSelfSignedCertificate(nil, &gost.CertificateTemplate{
		Subject:   pkix.Name{CommonName: "EKAP01"},
		NotBefore: time.Now().Add(-time.Hour),
		NotAfter:  time.Now().Add(24 * time.Hour),
	}, priv)

	// What the client sends.
	message := "EKAP01" + "openid fullname" + "2025.09.02 13:00:29 +0300" +
		"d2d5f9b4-2a9e-4d0a-9d0b-3c2f4a0b7d11" + "https://rp.example/cb"
	digest := streebog.Sum256([]byte(message))
	sig, _ := gost.SignRaw(nil, priv, digest[:], gost.SR)
	clientSecret := base64.RawURLEncoding.EncodeToString(sig)
	certHash := gost.CertificateHash(certDER)

	// What the emulator does.
	pub, err := gost.ParsePublicKeyFromCertificate(certDER)
	if err != nil {
		panic(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(clientSecret)
	fmt.Println("hash matches:", certHash == gost.CertificateHash(certDER))
	fmt.Println("strict:", gost.VerifyRaw(pub, digest[:], raw, gost.SR))
	order, ok := gost.VerifyRawAny(pub, digest[:], raw)
	fmt.Println("lenient:", ok, order == gost.SR)
	// Output:
	// hash matches: true
	// strict: true
	// lenient: true true
}
