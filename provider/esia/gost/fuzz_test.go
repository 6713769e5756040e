package gost

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

func fuzzSeedCertificates(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, s := range []string{rfc9215CertParamSetA, rfc9215CertTestParamSet} {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, der)
	}
	return out
}

// FuzzParseCertificate: the parser must never panic, and whatever it accepts
// must carry a key on its curve and point into the input. (Signature
// checking is left out: it is curve arithmetic, not parsing, and would make
// each run slow.)
func FuzzParseCertificate(f *testing.F) {
	for _, der := range fuzzSeedCertificates(f) {
		f.Add(der)
	}
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		cert, err := ParseCertificate(der)
		_ = CertificateHash(der)
		if err != nil {
			if cert != nil {
				t.Fatal("non-nil certificate with an error")
			}
			return
		}
		if !cert.PublicKey.Curve.IsOnCurve(cert.PublicKey.X, cert.PublicKey.Y) {
			t.Fatal("accepted a point off the curve")
		}
		if !bytes.Contains(der, cert.RawTBSCertificate) || !bytes.Contains(cert.RawTBSCertificate, cert.RawSubjectPublicKeyInfo) {
			t.Fatal("raw fields do not point into the input")
		}
		if len(cert.Signature) == 64 {
			if _, _, err := ParseRawSignature(cert.Signature); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzParseSubjectPublicKeyInfo covers the SPKI walk directly.
func FuzzParseSubjectPublicKeyInfo(f *testing.F) {
	for _, der := range fuzzSeedCertificates(f) {
		if c, err := parseCertificate(der, curveByOIDWithTest); err == nil {
			f.Add(c.RawSubjectPublicKeyInfo)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		pub, err := ParseSubjectPublicKeyInfo(der)
		if err != nil {
			return
		}
		if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			t.Fatal("accepted a point off the curve")
		}
		again, err := MarshalSubjectPublicKeyInfo(pub)
		if err != nil {
			t.Fatal(err)
		}
		pub2, err := ParseSubjectPublicKeyInfo(again)
		if err != nil || !pub2.Equal(pub) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzParseRawSignature: every layout parses any 64 bytes, marshalling gives
// the same bytes back, and verification of garbage neither panics nor
// succeeds.
func FuzzParseRawSignature(f *testing.F) {
	priv, err := NewPrivateKey(TC26ParamSetA(), hexInt(f, "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"))
	if err != nil {
		f.Fatal(err)
	}
	digest := streebog.Sum256([]byte("fuzz"))
	sig, err := SignRaw(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), priv, digest[:], SR)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig, uint8(0))
	f.Add(make([]byte, 64), uint8(1))
	f.Add([]byte{1, 2, 3}, uint8(2))
	f.Fuzz(func(t *testing.T, sig []byte, order uint8) {
		o := ByteOrder(order % 5)
		r, s, err := ParseRawSignatureOrder(sig, o)
		if err != nil {
			if len(sig) == 64 && o != 4 {
				t.Fatalf("rejected 64 bytes in %v: %v", o, err)
			}
			return
		}
		if r.Sign() > 0 && s.Sign() > 0 {
			back, err := MarshalRawSignature(nil, r, s, o)
			if err != nil || !bytes.Equal(back, sig) {
				t.Fatalf("round trip %v: %x != %x (%v)", o, back, sig, err)
			}
		}
		if VerifyRaw(&priv.PublicKey, digest[:], sig, o) {
			if got, ok := VerifyRawAny(&priv.PublicKey, digest[:], sig); !ok || got > o {
				t.Fatalf("VerifyRawAny = %v, %v after VerifyRaw(%v) succeeded", got, ok, o)
			}
		}
	})
}
