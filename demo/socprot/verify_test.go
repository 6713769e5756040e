package socprot

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"testing"
	"time"
)

// FuzzVerify: whatever ESIA (or someone posing as it) sends as an ID token, verify answers
// with claims or an error, never a panic; only a token signed with ESIA's key, for this
// system and not expired, passes.
func FuzzVerify(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ESIA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	c := &Cabinet{cfg: Config{ClientID: "SOCPROT01"}, esiaCert: cert}
	sign := func(payload string) string {
		in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
		d := sha256.Sum256([]byte(in))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
		return in + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	good := sign(`{"aud":"SOCPROT01","sub":1000000003,"exp":9999999999}`)
	if claims, err := c.verify(good); err != nil || claims["sub"] == nil {
		f.Fatalf("a good token: %v %v", claims, err)
	}
	for _, bad := range []string{sign(`{"aud":"OTHER","exp":9999999999}`), sign(`{"aud":"SOCPROT01","exp":1}`),
		sign(`{"aud":"SOCPROT01"}`), sign(`{"aud":"SOCPROT01","exp":"soon"}`), good[:len(good)-4] + "AAAA", "a.b.c", ""} {
		if _, err := c.verify(bad); err == nil {
			f.Errorf("accepted %q", bad)
		}
		f.Add(bad)
	}
	f.Add(good)
	f.Fuzz(func(t *testing.T, jwt string) {
		if claims, err := c.verify(jwt); err == nil && claims["aud"] != "SOCPROT01" {
			t.Errorf("accepted a token for %v", claims["aud"])
		}
	})
}
