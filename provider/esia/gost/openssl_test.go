package gost_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// The emulator's GOST code, checked against an independent implementation: openssl's GOST
// engine hashes and signs random messages, and Streebog, 34.10-2012 verification (every
// 256-bit parameter set the engine offers) and the certificate hash must agree with it.

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStreebogAgreesWithOpenSSL(t *testing.T) {
	o := secrettest.NewOpenSSL(t)
	for _, n := range []int{0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 1000, 4099} {
		msg := randomBytes(t, n)
		name := fmt.Sprintf("m%d", n)
		o.Write(name, msg)
		for _, alg := range []struct {
			md  string
			sum func([]byte) []byte
		}{
			{"-md_gost12_256", func(b []byte) []byte { s := streebog.Sum256(b); return s[:] }},
			{"-md_gost12_512", func(b []byte) []byte { s := streebog.Sum512(b); return s[:] }},
		} {
			out := strings.Fields(string(o.Run("dgst", "-engine", "gost", alg.md, "-r", name)))
			if len(out) == 0 || out[0] != hex.EncodeToString(alg.sum(msg)) {
				t.Errorf("%s of %d random bytes (%x): openssl %v, emulator %x", alg.md, n, msg, out, alg.sum(msg))
			}
		}
	}
}

func TestVerifyAndCertificateHashAgreeWithOpenSSL(t *testing.T) {
	o := secrettest.NewOpenSSL(t)
	for _, ps := range []string{"A", "B", "C", "XA", "XB", "TCA", "TCB", "TCC", "TCD"} {
		t.Run(ps, func(t *testing.T) {
			der := o.GOSTKey(ps)
			pub, err := gost.ParsePublicKeyFromCertificate(der)
			if err != nil {
				t.Fatalf("the emulator cannot read openssl's %s certificate: %v", ps, err)
			}
			for i := range 3 {
				msg := randomBytes(t, 1+i*97)
				name := fmt.Sprintf("msg-%s-%d", ps, i)
				o.Write(name, msg)
				o.Run("dgst", "-engine", "gost", "-md_gost12_256", "-sign", "key-"+ps+".pem", "-out", name+".sig", name)
				sig := o.Read(name + ".sig")
				d := streebog.Sum256(msg)
				if !gost.VerifyRaw(pub, d[:], sig, gost.SR) {
					t.Fatalf("%s: openssl's signature (%x) over %x does not verify", ps, sig, msg)
				}
				bad := streebog.Sum256(append(msg, 0))
				if gost.VerifyRaw(pub, bad[:], sig, gost.SR) {
					t.Fatalf("%s: the signature verifies another message", ps)
				}
			}
			out := strings.Fields(string(o.Run("dgst", "-engine", "gost", "-md_gost12_256", "-r", "cert-"+ps+".der")))
			if len(out) == 0 || !strings.EqualFold(out[0], gost.CertificateHash(der)) || gost.CertificateHash(der) != strings.ToUpper(gost.CertificateHash(der)) {
				t.Fatalf("certificate hash: openssl %v, emulator %s", out, gost.CertificateHash(der))
			}
		})
	}
}
