package esia

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// A test-side CMS SignedData writer built on encoding/asn1, written from RFC 5652 (not from
// the reader in cms.go), plus keys and certificates for the tests.

// testKey is a client's key pair with its certificate.
type testKey struct {
	cert *x509.Certificate
	der  []byte
	rsa  *rsa.PrivateKey
	gost *gost.PrivateKey
}

func (k *testKey) isGOST() bool { return k.gost != nil }

// newRSAKey makes a self-signed RSA-2048 certificate valid around now.
func newRSAKey(t testing.TB, cn string) *testKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4242), Subject: pkix.Name{CommonName: cn, Organization: []string{"Test RP"}},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		SubjectKeyId: []byte{1, 2, 3, 4, 5, 6, 7, 8}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{cert: cert, der: der, rsa: priv}
}

// newGOSTKey makes a self-signed GOST R 34.10-2012-256 certificate with the gost package.
func newGOSTKey(t testing.TB, cn string) *testKey {
	t.Helper()
	priv, err := gost.GenerateKey(gost.CryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := gost.CreateSelfSignedCertificate(rand.Reader, &gost.CertificateTemplate{
		SerialNumber: big.NewInt(777), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
	}, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{cert: cert, der: der, gost: priv}
}

// rawSign signs message the v2/v3 way: GOST over Streebog-256 (s||r unless order says
// otherwise), or RSA PKCS#1 v1.5 over SHA-256.
func (k *testKey) rawSign(t testing.TB, message []byte, order gost.ByteOrder) []byte {
	t.Helper()
	if k.isGOST() {
		d := streebog.Sum256(message)
		sig, err := gost.SignRaw(rand.Reader, k.gost, d[:], order)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	d := sha256.Sum256(message)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// cmsOpts select the CMS variant real clients produce.
type cmsOpts struct {
	attached    bool // content inside (node-forge)
	noAttrs     bool // -noattr / PKCS7_NOATTR
	noCert      bool // leave the certificate out
	ski         bool // signer named by subjectKeyIdentifier
	ber         bool // indefinite lengths and a chunked eContent
	digest      asn1.ObjectIdentifier
	otherCert   []byte // embed this certificate instead
	contentType asn1.ObjectIdentifier
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tlv(tag byte, parts ...[]byte) []byte {
	return appendTLV(nil, []byte{tag}, bytes.Join(parts, nil))
}

// berTLV writes a constructed value with indefinite length.
func berTLV(tag byte, parts ...[]byte) []byte {
	out := []byte{tag, 0x80}
	out = append(out, bytes.Join(parts, nil)...)
	return append(out, 0, 0)
}

// buildCMS signs message into a DER (or BER) ContentInfo/SignedData.
func buildCMS(t testing.TB, k *testKey, message []byte, o cmsOpts) []byte {
	t.Helper()
	digestAlg := o.digest
	if digestAlg == nil {
		digestAlg = oidSHA256
		if k.isGOST() {
			digestAlg = oidStreebog256
		}
	}
	sum := func(b []byte) []byte {
		if k.isGOST() {
			h := streebog.Sum256(b)
			return h[:]
		}
		v := rsaVerifier{}
		h, ok := v.Sum(digestAlg, b)
		if !ok {
			t.Fatalf("digest %v", digestAlg)
		}
		return h
	}
	sign := func(digest []byte) []byte {
		if k.isGOST() {
			sig, err := gost.SignRaw(rand.Reader, k.gost, digest, gost.SR)
			if err != nil {
				t.Fatal(err)
			}
			return sig
		}
		h, _ := rsaHash(digestAlg)
		sig, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, h, digest)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	algID := func(oid asn1.ObjectIdentifier) []byte { return tlv(0x30, mustMarshal(t, oid), []byte{0x05, 0x00}) }
	sigAlg := algID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1})
	if k.isGOST() {
		sigAlg = tlv(0x30, mustMarshal(t, gost.OIDPublicKeyGost2012256))
	}
	ct := o.contentType
	if ct == nil {
		ct = oidData
	}

	var signerID []byte
	if o.ski {
		signerID = appendTLV(nil, []byte{0x80}, k.cert.SubjectKeyId)
	} else {
		signerID = tlv(0x30, k.cert.RawIssuer, mustMarshal(t, k.cert.SerialNumber))
	}
	var signedAttrs, sig []byte
	if o.noAttrs {
		sig = sign(sum(message))
	} else {
		attrs := [][]byte{
			tlv(0x30, mustMarshal(t, oidAttrContentType), tlv(0x31, mustMarshal(t, ct))),
			tlv(0x30, mustMarshal(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}), tlv(0x31, mustMarshal(t, time.Now().UTC()))),
			tlv(0x30, mustMarshal(t, oidAttrMessageDigest), tlv(0x31, mustMarshal(t, sum(message)))),
		}
		sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 }) // DER SET OF order
		set := tlv(0x31, attrs...)
		sig = sign(sum(set))
		signedAttrs = append([]byte{0xa0}, set[1:]...)
	}
	version := 1
	if o.ski {
		version = 3
	}
	signerInfo := tlv(0x30, mustMarshal(t, version), signerID, algID(digestAlg), signedAttrs, sigAlg, mustMarshal(t, sig))

	var encap []byte
	switch {
	case o.attached && o.ber:
		half := len(message) / 2
		chunks := berTLV(0x24, mustMarshal(t, message[:half]), mustMarshal(t, message[half:]))
		encap = berTLV(0x30, mustMarshal(t, oidData), berTLV(0xa0, chunks))
	case o.attached:
		encap = tlv(0x30, mustMarshal(t, oidData), tlv(0xa0, mustMarshal(t, message)))
	default:
		encap = tlv(0x30, mustMarshal(t, oidData))
	}
	var certs []byte
	switch {
	case o.otherCert != nil:
		certs = tlv(0xa0, o.otherCert)
	case !o.noCert:
		certs = tlv(0xa0, k.der)
	}
	digestAlgs := tlv(0x31, algID(digestAlg))
	if o.ber {
		sd := berTLV(0x30, mustMarshal(t, 1), digestAlgs, encap, certs, tlv(0x31, signerInfo))
		return berTLV(0x30, mustMarshal(t, oidSignedData), berTLV(0xa0, sd))
	}
	sd := tlv(0x30, mustMarshal(t, 1), digestAlgs, encap, certs, tlv(0x31, signerInfo))
	return tlv(0x30, mustMarshal(t, oidSignedData), tlv(0xa0, sd))
}
