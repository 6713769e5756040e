package clientsecret_test

import (
	"crypto/x509"
	"os"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
)

// TestVerifyDetachedOpenSSL: the README's recipe (openssl cms -sign, EC P-256 citizen key from
// the test CA, detached DER) verifies over its text and names the citizen's SNILS; another text
// does not verify.
func TestVerifyDetachedOpenSSL(t *testing.T) {
	cms, err := os.ReadFile("testdata/openssl-ecdsa-detached.p7s")
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile("testdata/openssl-ecdsa-ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	cert, _, err := clientsecret.VerifyDetached(cms, []byte("esia-emulator-login:test"))
	if err != nil {
		t.Fatal(err)
	}
	if s := esig.SignerOf(cert).SNILS; s != "00000060003" {
		t.Fatalf("SNILS %q", s)
	}
	roots, err := esig.LoadRoots(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("chain: %v", err)
	}
	if _, _, err := clientsecret.VerifyDetached(cms, []byte("esia-emulator-login:other")); err == nil {
		t.Fatal("a signature over another text verified")
	}
}

// TestVerifyDetachedNeedsTheCertificate: a CMS without the signer's certificate is refused.
func TestVerifyDetachedNeedsTheCertificate(t *testing.T) {
	k := secrettest.NewRSAKey(t, "citizen")
	msg := []byte("esia-emulator-login:x")
	if _, _, err := clientsecret.VerifyDetached(secrettest.CMS(t, k, msg, secrettest.CMSOptions{}), msg); err != nil {
		t.Fatalf("with the certificate: %v", err)
	}
	if _, _, err := clientsecret.VerifyDetached(secrettest.CMS(t, k, msg, secrettest.CMSOptions{NoCert: true}), msg); err == nil {
		t.Fatal("verified without a certificate")
	}
}
