package clientsecret

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
)

// TestCMSFromOpenSSLGOST: client_secret values made by `openssl cms -engine gost` — detached
// and attached, with and without signed attributes — go through the CMS reader: lenient
// accepts all four, strict the detached ones; another message is refused.
func TestCMSFromOpenSSLGOST(t *testing.T) {
	o := secrettest.NewOpenSSL(t)
	der := o.GOSTKey("A")
	o.Write("msg", v1Message())
	o.Write("other", []byte("another message"))
	lenient, err := NewChecker("lenient", der)
	if err != nil {
		t.Fatalf("openssl's GOST certificate as a registered one: %v", err)
	}
	strict, err := NewChecker("strict", der)
	if err != nil {
		t.Fatal(err)
	}
	// openssl's certificate is valid from the second it was made; check a minute later (the
	// package's checkNow was taken before it).
	at := time.Now().Add(time.Minute)
	for _, tc := range []struct {
		name     string
		args     []string
		strictOK bool
	}{
		{"detached, signed attributes", nil, true},
		{"detached, -noattr", []string{"-noattr"}, true},
		{"attached, signed attributes", []string{"-nodetach"}, false},
		{"attached, -noattr", []string{"-nodetach", "-noattr"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sign := func(in string) string {
				args := append([]string{"cms", "-sign", "-engine", "gost", "-binary", "-outform", "DER", "-md", "md_gost12_256",
					"-signer", "cert-A.pem", "-inkey", "key-A.pem", "-in", in, "-out", "out.cms"}, tc.args...)
				o.Run(args...)
				return base64.RawURLEncoding.EncodeToString(o.Read("out.cms"))
			}
			secret := sign("msg")
			if res := lenient.Check(v1Input(secret), at); res.Refusal != nil {
				t.Fatalf("lenient refused openssl's CMS: %v", res.Refusal)
			} else if !strings.Contains(res.Method, "CMS") {
				t.Fatalf("method %q", res.Method)
			}
			res := strict.Check(v1Input(secret), at)
			if (res.Refusal == nil) != tc.strictOK {
				t.Fatalf("strict: %v, want ok=%v", res.Refusal, tc.strictOK)
			}
			if res := lenient.Check(v1Input(sign("other")), at); res.Refusal == nil || res.Refusal.Reason != SecretWrong {
				t.Fatalf("a signature over another message: %v", res.Refusal)
			}
		})
	}
}
