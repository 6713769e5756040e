package gost

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// The example certificates of RFC 9215 (draft-deremin-rfc4491-bis), made by
// an independent implementation. Verifying their self-signatures checks, in
// one go, Streebog-256, the little-endian hash-to-α rule, the s‖r layout of
// the signatureValue, the little-endian X‖Y key encoding and the curve math.
const (
	// GOST R 34.10-2012 256-bit key on id-GostR3410-2001-TestParamSet with
	// digestParamSet id-tc26-gost3411-12-256; the key is RFC 7091's d.
	rfc9215CertTestParamSet = "" +
		"MIIBLTCB26ADAgECAgEKMAoGCCqFAwcBAQMCMBIxEDAOBgNVBAMTB0V4YW1wbGUw" +
		"IBcNMDEwMTAxMDAwMDAwWhgPMjA1MDEyMzEwMDAwMDBaMBIxEDAOBgNVBAMTB0V4" +
		"YW1wbGUwZjAfBggqhQMHAQEBATATBgcqhQMCAiMABggqhQMHAQECAgNDAARAC9hv" +
		"5djbiWaPeJtOHbqFhcVQi0XsW1nYkG3bcOJJK3/ad/+HGhD73ydm0pPF0WSvuzx7" +
		"lzpByIXRHXDWibTxJqMTMBEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhQMHAQEDAgNB" +
		"AE1T8BL+CBd2UH1Nm7gfAO/bTu/Uq4O6xLrPc1Fzz6gcQaoo0vGrFIKAzZ7Vb+2k" +
		"GXQFNVSkJ2e4OtBD/TncBJM="
	// GOST R 34.10-2012 256-bit key on id-tc26-gost-3410-2012-256-paramSetA
	// (twisted Edwards curve, Weierstrass form), no digestParamSet.
	rfc9215CertParamSetA = "" +
		"MIIBJTCB06ADAgECAgEKMAoGCCqFAwcBAQMCMBIxEDAOBgNVBAMTB0V4YW1wbGUw" +
		"IBcNMDEwMTAxMDAwMDAwWhgPMjA1MDEyMzEwMDAwMDBaMBIxEDAOBgNVBAMTB0V4" +
		"YW1wbGUwXjAXBggqhQMHAQEBATALBgkqhQMHAQIBAQEDQwAEQHQnldS+6ITd8oUP" +
		"7APqP68YROAdnaYLZFCTpV4m38OZePWWz01NDGzx0YlD2UST0WuewKFtUS0uEnzE" +
		"aRpjGOKjEzARMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoUDBwEBAwIDQQAUC02pEksJ" +
		"yw1c6Sjuh0JzoxASlJLsDik2njt5EkhXjB0OHaW+NHxvG1JWx66sIArWSsd6b1s6" +
		"DglzGOeubudp"
)

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRFC9215CertificateTestParamSet(t *testing.T) {
	der := mustB64(t, rfc9215CertTestParamSet)
	// Production lookups do not know the test curve.
	if _, err := ParseCertificate(der); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Fatalf("ParseCertificate: %v, want ErrUnsupportedAlgorithm", err)
	}
	cert, err := parseCertificate(der, curveByOIDWithTest)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.PublicKeyAlgorithm.Equal(OIDPublicKeyGost2012256) || !cert.DigestParamSet.Equal(OIDDigestStreebog256) {
		t.Fatalf("algorithm %v digest params %v", cert.PublicKeyAlgorithm, cert.DigestParamSet)
	}
	if cert.PublicKey.Curve != curveTestParam ||
		cert.PublicKey.X.Cmp(hexInt(t, rfc7091Qx)) != 0 || cert.PublicKey.Y.Cmp(hexInt(t, rfc7091Qy)) != 0 {
		t.Fatalf("key (%X, %X) is not RFC 7091's Q", cert.PublicKey.X, cert.PublicKey.Y)
	}
	if err := cert.CheckSignatureFrom(cert.PublicKey); err != nil {
		t.Fatal(err)
	}
	// This certificate was signed with RFC 7091's k as well, so signing its
	// tbsCertificate ourselves reproduces the signatureValue byte for byte.
	priv, err := NewPrivateKey(curveTestParam, hexInt(t, rfc7091D))
	if err != nil {
		t.Fatal(err)
	}
	digest := streebog.Sum256(cert.RawTBSCertificate)
	r, s, ok := signWithK(priv, digest[:], hexInt(t, rfc7091K))
	if !ok {
		t.Fatal("signWithK failed")
	}
	sig, err := MarshalRawSignature(curveTestParam, r, s, SR)
	if err != nil || !bytes.Equal(sig, cert.Signature) {
		t.Fatalf("our signature %x, the RFC's %x", sig, cert.Signature)
	}
}

func TestRFC9215CertificateParamSetA(t *testing.T) {
	der := mustB64(t, rfc9215CertParamSetA)
	cert, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pub := cert.PublicKey
	if pub.Curve != TC26ParamSetA() || cert.DigestParamSet != nil {
		t.Fatalf("curve %s digest params %v", pub.Curve.Name, cert.DigestParamSet)
	}
	// The RFC's private key for this certificate is RFC 7091's d, which
	// exceeds this curve's q (≈2^254), so the effective scalar is d mod q.
	d := new(big.Int).Mod(hexInt(t, rfc7091D), TC26ParamSetA().Q)
	priv, err := NewPrivateKey(TC26ParamSetA(), d)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.PublicKey.Equal(pub) {
		t.Fatalf("certificate key (%X, %X) != d·G (%X, %X)", pub.X, pub.Y, priv.X, priv.Y)
	}
	if err := cert.CheckSignatureFrom(pub); err != nil {
		t.Fatal(err)
	}
	// The signature is s‖r; its r half is shared by every RFC 9215 256-bit
	// example (they use one k), which pins which half is r.
	if r, _, _ := ParseRawSignature(cert.Signature); r.Cmp(hexInt(t, "1D0E1DA5BE347C6F1B5256C7AEAC200AD64AC77A6F5B3A0E097318E7AE6EE769")) != 0 {
		t.Fatalf("r = %X", r)
	}
	// Only the SR layout verifies.
	digest := streebog.Sum256(cert.RawTBSCertificate)
	if o, ok := VerifyRawAny(pub, digest[:], cert.Signature); !ok || o != SR {
		t.Fatalf("VerifyRawAny = %v, %v", o, ok)
	}
	for _, o := range ByteOrders()[1:] {
		if VerifyRaw(pub, digest[:], cert.Signature, o) {
			t.Fatalf("verified as %v", o)
		}
	}
	// Helpers agree.
	if p2, err := ParsePublicKeyFromCertificate(der); err != nil || !p2.Equal(pub) {
		t.Fatalf("ParsePublicKeyFromCertificate: %v", err)
	}
	if p3, err := ParseSubjectPublicKeyInfo(cert.RawSubjectPublicKeyInfo); err != nil || !p3.Equal(pub) {
		t.Fatalf("ParseSubjectPublicKeyInfo: %v", err)
	}
	// Our encoder reproduces the RFC's SubjectPublicKeyInfo byte for byte.
	if spki, err := MarshalSubjectPublicKeyInfo(pub); err != nil || !bytes.Equal(spki, cert.RawSubjectPublicKeyInfo) {
		t.Fatalf("MarshalSubjectPublicKeyInfo = %x, %v; want %x", spki, err, cert.RawSubjectPublicKeyInfo)
	}
	// crypto/x509 reads the certificate but not the key.
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if xc.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm || !bytes.Equal(xc.RawSubjectPublicKeyInfo, cert.RawSubjectPublicKeyInfo) {
		t.Fatal("crypto/x509 disagrees about the SPKI")
	}
}

func TestCertificateHash(t *testing.T) {
	der := mustB64(t, rfc9215CertParamSetA)
	h := CertificateHash(der)
	sum := streebog.Sum256(der)
	if len(h) != 64 || h != strings.ToUpper(h) || !strings.EqualFold(h, hexString(sum[:])) {
		t.Fatalf("CertificateHash = %q", h)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, v := range b {
		out = append(out, digits[v>>4], digits[v&15])
	}
	return string(out)
}

func TestCreateSelfSignedCertificate(t *testing.T) {
	for _, c := range []*Curve{TC26ParamSetA(), CryptoProA(), CryptoProXchA()} {
		t.Run(c.Name, func(t *testing.T) {
			priv, err := GenerateKey(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			tmpl := &CertificateTemplate{
				SerialNumber: big.NewInt(42),
				Subject:      pkix.Name{CommonName: "ESIA emulator test client", Organization: []string{"Test"}, Country: []string{"RU"}},
				NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
				NotAfter:     time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC), // GeneralizedTime
				IsCA:         true,
			}
			der, err := CreateSelfSignedCertificate(nil, tmpl, priv)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if !cert.PublicKey.Equal(&priv.PublicKey) || cert.PublicKey.Curve != c {
				t.Fatal("key mismatch")
			}
			if err := cert.CheckSignatureFrom(cert.PublicKey); err != nil {
				t.Fatal(err)
			}
			other, _ := GenerateKey(c, nil)
			if err := cert.CheckSignatureFrom(&other.PublicKey); err == nil {
				t.Fatal("verified with another key")
			}
			// crypto/x509 accepts the structure.
			xc, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatalf("crypto/x509: %v", err)
			}
			if xc.Subject.CommonName != tmpl.Subject.CommonName || !xc.NotAfter.Equal(tmpl.NotAfter) ||
				!xc.IsCA || xc.SerialNumber.Int64() != 42 || xc.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
				t.Fatalf("crypto/x509 reads %+v", xc.Subject)
			}
			// The digestParamSet is present exactly for the CryptoPro sets.
			if (cert.DigestParamSet != nil) == (c == TC26ParamSetA()) {
				t.Fatalf("digestParamSet = %v", cert.DigestParamSet)
			}
			// A flipped bit in the TBS breaks the signature.
			bad := append([]byte(nil), der...)
			i := bytes.Index(bad, []byte("ESIA emulator"))
			bad[i] ^= 0x20
			bc, err := ParseCertificate(bad)
			if err != nil {
				t.Fatal(err)
			}
			if bc.CheckSignatureFrom(bc.PublicKey) == nil {
				t.Fatal("tampered certificate verifies")
			}
		})
	}
}

func TestCreateSelfSignedCertificateEndEntity(t *testing.T) {
	priv, _ := GenerateKey(TC26ParamSetA(), nil)
	der, err := CreateSelfSignedCertificate(nil, &CertificateTemplate{
		Subject:   pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour),
		NotAfter:  time.Now().Add(time.Hour),
	}, priv)
	if err != nil {
		t.Fatal(err)
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if xc.IsCA || xc.SerialNumber.Sign() <= 0 || xc.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Fatalf("IsCA %v serial %v usage %v", xc.IsCA, xc.SerialNumber, xc.KeyUsage)
	}
	if _, err := CreateSelfSignedCertificate(nil, &CertificateTemplate{}, priv); err == nil {
		t.Fatal("accepted an empty validity period")
	}
}

func TestParseCertificateErrors(t *testing.T) {
	good := mustB64(t, rfc9215CertParamSetA)
	cert, _ := ParseCertificate(good)

	for name, der := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("not a certificate"),
		"trailing":  append(append([]byte(nil), good...), 0),
		"truncated": good[:len(good)-1],
	} {
		if _, err := ParseCertificate(der); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}

	// An RSA certificate is rejected with ErrUnsupportedAlgorithm.
	spki := func(alg asn1.ObjectIdentifier, params []byte, key []byte) []byte {
		ai := pkix.AlgorithmIdentifier{Algorithm: alg}
		if params != nil {
			ai.Parameters = asn1.RawValue{FullBytes: params}
		}
		b, err := asn1.Marshal(subjectPublicKeyInfoASN1{Algorithm: ai, PublicKey: asn1.BitString{Bytes: key, BitLength: 8 * len(key)}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	octets := func(b []byte) []byte { v, _ := asn1.Marshal(b); return v }
	keyOctets := octets(cert.PublicKey.Bytes())
	paramsA, _ := asn1.Marshal(publicKeyParametersASN1{PublicKeyParamSet: OIDTC26ParamSetA})
	bareOID, _ := asn1.Marshal(OIDTC26ParamSetA)
	unknownSet, _ := asn1.Marshal(publicKeyParametersASN1{PublicKeyParamSet: asn1.ObjectIdentifier{1, 2, 3}})

	if _, err := ParseSubjectPublicKeyInfo(spki(OIDPublicKeyGost2012256, paramsA, keyOctets)); err != nil {
		t.Fatalf("control: %v", err)
	}
	if _, err := ParseSubjectPublicKeyInfo(spki(OIDPublicKeyGost2012256, bareOID, keyOctets)); err != nil {
		t.Fatalf("bare OID parameters: %v", err)
	}
	if p, err := ParseSubjectPublicKeyInfo(spki(OIDPublicKeyGost2001, paramsA, keyOctets)); err != nil || p.Curve != TC26ParamSetA() {
		t.Fatalf("2001 algorithm: %v", err)
	}
	for name, tc := range map[string]struct {
		der  []byte
		want error
	}{
		"rsa":         {spki(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}, nil, keyOctets), ErrUnsupportedAlgorithm},
		"512":         {spki(oidPublicKeyGost2012512, paramsA, keyOctets), ErrUnsupportedAlgorithm},
		"no params":   {spki(OIDPublicKeyGost2012256, nil, keyOctets), ErrMalformedCertificate},
		"unknown set": {spki(OIDPublicKeyGost2012256, unknownSet, keyOctets), ErrUnsupportedAlgorithm},
		"raw key":     {spki(OIDPublicKeyGost2012256, paramsA, cert.PublicKey.Bytes()), ErrMalformedCertificate},
		"short key":   {spki(OIDPublicKeyGost2012256, paramsA, octets(cert.PublicKey.Bytes()[:63])), ErrInvalidKey},
		"off curve":   {spki(OIDPublicKeyGost2012256, paramsA, octets(append(cert.PublicKey.Bytes()[:63], 0))), ErrInvalidKey},
		"wrong curve": {spki(OIDPublicKeyGost2012256, mustMarshal(t, publicKeyParametersASN1{PublicKeyParamSet: OIDCryptoProA}), keyOctets), ErrInvalidKey},
	} {
		if _, err := ParseSubjectPublicKeyInfo(tc.der); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
