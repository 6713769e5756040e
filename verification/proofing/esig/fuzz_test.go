package esig

import (
	"encoding/base64"
	"errors"
	"testing"
)

func FuzzDecodeSignature(f *testing.F) {
	for _, s := range []string{"AAAA", "AAA", "AA==", "A", "", "YWJj\nZGVm", "-_-_", "+/+/", "====", "  \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeSignature(s)
		if err != nil {
			if !errors.Is(err, ErrBadSignatureEncoding) {
				t.Fatalf("error %v does not wrap ErrBadSignatureEncoding", err)
			}
			return
		}
		if len(b) == 0 || len(b) > maxSigBytes {
			t.Fatalf("DecodeSignature(%q): %d bytes", s, len(b))
		}
		if back, err := DecodeSignature(base64.StdEncoding.EncodeToString(b)); err != nil || string(back) != string(b) {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

func FuzzParseCertificates(f *testing.F) {
	p := getPKI(f)
	f.Add(pemOf(p.certs["ecdsa"]))
	f.Add(pemOf(p.certs["rsa"], p.inter))
	f.Add(b64(p.root.Raw))
	f.Add(string(p.inter.Raw))
	f.Add("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		certs, err := ParseCertificates(s)
		if err != nil {
			if !errors.Is(err, ErrBadCertificate) {
				t.Fatalf("error %v does not wrap ErrBadCertificate", err)
			}
			return
		}
		if len(certs) == 0 || len(certs) > maxCerts {
			t.Fatalf("%d certificates", len(certs))
		}
	})
}

// Any certificate and signature text gives a signer or one of the package's errors.
func FuzzVerifySignature(f *testing.F) {
	p := getPKI(f)
	const ch = "esia-emulator:confirm-identity:1:00"
	f.Add(b64(sign(f, p.keys["ecdsa"], ch)), pemOf(p.certs["ecdsa"]))
	f.Add(b64(sign(f, p.keys["ed25519"], ch)), pemOf(p.certs["ed25519"]))
	f.Add("AAAA", pemOf(p.root))
	f.Add("", "")
	f.Fuzz(func(t *testing.T, sig, certs string) {
		s, err := VerifySignature(ch, sig, certs, p.roots, t0)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error %v is none of the package's", err)
			}
			return
		}
		if s.Serial == "" || s.KeyAlgorithm == "" {
			t.Fatalf("signer %+v", s)
		}
	})
}
