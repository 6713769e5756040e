package secrettest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SHA-1 CMS digests are made on purpose, to test lenient mode
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"sort"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// A test-side CMS SignedData writer built on encoding/asn1, written from RFC 5652 (not from
// the reader in package clientsecret), plus keys and certificates for the tests.

// Object identifiers of RFC 5652, RFC 5754 and RFC 6986 that the writer uses.
var (
	OIDSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	OIDSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	OIDStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}

	oidData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidRSAEncryption     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
)

// Key is a client's key pair with its certificate: RSA or GOST R 34.10-2012-256.
type Key struct {
	Cert *x509.Certificate
	DER  []byte
	RSA  *rsa.PrivateKey
	GOST *gost.PrivateKey
}

// IsGOST reports whether k is a GOST key.
func (k *Key) IsGOST() bool { return k.GOST != nil }

// CertPEM encodes a DER certificate as PEM, the form the configuration takes.
func CertPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// NewRSAKey makes a self-signed RSA-2048 certificate valid around now.
func NewRSAKey(t testing.TB, cn string) *Key {
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
	return &Key{Cert: cert, DER: der, RSA: priv}
}

// NewGOSTKey makes a self-signed GOST R 34.10-2012-256 certificate with the gost package.
func NewGOSTKey(t testing.TB, cn string) *Key {
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
	return &Key{Cert: cert, DER: der, GOST: priv}
}

// RawSign signs message the v2/v3 way: GOST over Streebog-256 (s||r unless order says
// otherwise), or RSA PKCS#1 v1.5 over SHA-256.
func (k *Key) RawSign(t testing.TB, message []byte, order gost.ByteOrder) []byte {
	t.Helper()
	if k.IsGOST() {
		d := streebog.Sum256(message)
		sig, err := gost.SignRaw(rand.Reader, k.GOST, d[:], order)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	d := sha256.Sum256(message)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.RSA, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// CMSOptions select the CMS variant real clients produce; the zero value is a detached
// signature with signed attributes and the certificate inside (openssl_pkcs7_sign).
type CMSOptions struct {
	Attached    bool                  // content inside (node-forge)
	NoAttrs     bool                  // -noattr / PKCS7_NOATTR
	NoCert      bool                  // leave the certificate out
	SKI         bool                  // signer named by subjectKeyIdentifier
	BER         bool                  // indefinite lengths and a chunked eContent
	Digest      asn1.ObjectIdentifier // nil: SHA-256 for RSA, Streebog-256 for GOST
	OtherCert   []byte                // embed this certificate instead
	ContentType asn1.ObjectIdentifier // of the contentType attribute; nil: id-data
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tlv writes a DER element of one-byte tag with a minimal length.
func tlv(tag byte, parts ...[]byte) []byte {
	content := bytes.Join(parts, nil)
	out := []byte{tag}
	switch n := len(content); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 1<<8:
		out = append(out, 0x81, byte(n))
	case n < 1<<16:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}

// berTLV writes a constructed value with indefinite length.
func berTLV(tag byte, parts ...[]byte) []byte {
	out := []byte{tag, 0x80}
	out = append(out, bytes.Join(parts, nil)...)
	return append(out, 0, 0)
}

// rsaHash is the hash of an RSA CMS digest algorithm.
func rsaHash(t testing.TB, oid asn1.ObjectIdentifier) crypto.Hash {
	t.Helper()
	switch {
	case oid.Equal(OIDSHA1):
		return crypto.SHA1
	case oid.Equal(OIDSHA256):
		return crypto.SHA256
	case oid.Equal(OIDSHA384):
		return crypto.SHA384
	case oid.Equal(OIDSHA512):
		return crypto.SHA512
	}
	t.Fatalf("digest %v", oid)
	return 0
}

func rsaSum(h crypto.Hash, b []byte) []byte {
	switch h {
	case crypto.SHA1:
		s := sha1.Sum(b) //nolint:gosec // see the import
		return s[:]
	case crypto.SHA384:
		s := sha512.Sum384(b)
		return s[:]
	case crypto.SHA512:
		s := sha512.Sum512(b)
		return s[:]
	}
	s := sha256.Sum256(b)
	return s[:]
}

// CMS signs message into a DER (or BER) ContentInfo/SignedData.
func CMS(t testing.TB, k *Key, message []byte, o CMSOptions) []byte {
	t.Helper()
	digestAlg := o.Digest
	if digestAlg == nil {
		digestAlg = OIDSHA256
		if k.IsGOST() {
			digestAlg = OIDStreebog256
		}
	}
	var h crypto.Hash
	if !k.IsGOST() {
		h = rsaHash(t, digestAlg)
	}
	sum := func(b []byte) []byte {
		if k.IsGOST() {
			d := streebog.Sum256(b)
			return d[:]
		}
		return rsaSum(h, b)
	}
	sign := func(digest []byte) []byte {
		if k.IsGOST() {
			sig, err := gost.SignRaw(rand.Reader, k.GOST, digest, gost.SR)
			if err != nil {
				t.Fatal(err)
			}
			return sig
		}
		sig, err := rsa.SignPKCS1v15(rand.Reader, k.RSA, h, digest)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	algID := func(oid asn1.ObjectIdentifier) []byte { return tlv(0x30, mustMarshal(t, oid), []byte{0x05, 0x00}) }
	sigAlg := algID(oidRSAEncryption)
	if k.IsGOST() {
		sigAlg = tlv(0x30, mustMarshal(t, gost.OIDPublicKeyGost2012256))
	}
	ct := o.ContentType
	if ct == nil {
		ct = oidData
	}

	var signerID []byte
	if o.SKI {
		signerID = tlv(0x80, k.Cert.SubjectKeyId)
	} else {
		signerID = tlv(0x30, k.Cert.RawIssuer, mustMarshal(t, k.Cert.SerialNumber))
	}
	var signedAttrs, sig []byte
	if o.NoAttrs {
		sig = sign(sum(message))
	} else {
		attrs := [][]byte{
			tlv(0x30, mustMarshal(t, oidAttrContentType), tlv(0x31, mustMarshal(t, ct))),
			tlv(0x30, mustMarshal(t, oidAttrSigningTime), tlv(0x31, mustMarshal(t, time.Now().UTC()))),
			tlv(0x30, mustMarshal(t, oidAttrMessageDigest), tlv(0x31, mustMarshal(t, sum(message)))),
		}
		sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 }) // DER SET OF order
		set := tlv(0x31, attrs...)
		sig = sign(sum(set))
		signedAttrs = append([]byte{0xa0}, set[1:]...)
	}
	version := 1
	if o.SKI {
		version = 3
	}
	signerInfo := tlv(0x30, mustMarshal(t, version), signerID, algID(digestAlg), signedAttrs, sigAlg, mustMarshal(t, sig))

	var encap []byte
	switch {
	case o.Attached && o.BER:
		half := len(message) / 2
		chunks := berTLV(0x24, mustMarshal(t, message[:half]), mustMarshal(t, message[half:]))
		encap = berTLV(0x30, mustMarshal(t, oidData), berTLV(0xa0, chunks))
	case o.Attached:
		encap = tlv(0x30, mustMarshal(t, oidData), tlv(0xa0, mustMarshal(t, message)))
	default:
		encap = tlv(0x30, mustMarshal(t, oidData))
	}
	var certs []byte
	switch {
	case o.OtherCert != nil:
		certs = tlv(0xa0, o.OtherCert)
	case !o.NoCert:
		certs = tlv(0xa0, k.DER)
	}
	digestAlgs := tlv(0x31, algID(digestAlg))
	if o.BER {
		sd := berTLV(0x30, mustMarshal(t, 1), digestAlgs, encap, certs, tlv(0x31, signerInfo))
		return berTLV(0x30, mustMarshal(t, oidSignedData), berTLV(0xa0, sd))
	}
	sd := tlv(0x30, mustMarshal(t, 1), digestAlgs, encap, certs, tlv(0x31, signerInfo))
	return tlv(0x30, mustMarshal(t, oidSignedData), tlv(0xa0, sd))
}
