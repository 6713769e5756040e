package clientsecret

import (
	"crypto/sha1" //nolint:gosec // a wrong thumbprint on purpose
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
)

const (
	tClient   = "TESTRP01"
	tScope    = "openid fullname snils"
	tState    = "0f8e7c6a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
	tRedirect = "http://127.0.0.1:9300/cb"
	tStamp    = "2025.09.02 13:00:29 +0300"
)

func testClient(t testing.TB, k *secrettest.Key, mode string) *Checker {
	t.Helper()
	cl, err := NewChecker(mode, k.DER)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func v1Input(secret string) Input {
	ts, _ := ParseTimestamp(tStamp, false)
	return Input{Endpoint: "/aas/oauth2/ac", ClientID: tClient, Scope: tScope, Timestamp: ts, State: tState, RedirectURI: tRedirect, Secret: secret}
}

func v2Input(secret, hash string) Input {
	in := v1Input(secret)
	in.Endpoint, in.V2, in.CertHash = "/aas/oauth2/v2/ac", true, hash
	return in
}

func v1Message() []byte { return []byte(tScope + tStamp + tClient + tState) }
func v2Message() []byte { return []byte(tClient + tScope + tStamp + tState + tRedirect) }

var checkNow = time.Now()

func TestSecretV1CMSVariants(t *testing.T) {
	k := secrettest.NewRSAKey(t, tClient)
	b64u := base64.RawURLEncoding.EncodeToString
	cases := []struct {
		name      string
		secret    string
		strictOK  bool
		lenientOK bool
		oddity    string // expected in lenient mode
	}{
		{"detached with attributes (openssl_pkcs7_sign)", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{})), true, true, ""},
		{"detached without attributes (-noattr)", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{NoAttrs: true})), true, true, ""},
		{"padded base64url (esia-potato)", base64.URLEncoding.EncodeToString(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{})), true, true, ""},
		{"standard base64 (Java)", base64.StdEncoding.EncodeToString(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{})), false, true, "standard base64"},
		{"attached (node-forge)", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{Attached: true})), false, true, "attached"},
		{"BER, attached, chunked", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{Attached: true, BER: true})), false, true, "BER"},
		{"signer by subjectKeyIdentifier", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{SKI: true})), true, true, ""},
		{"no certificate inside", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{NoCert: true})), true, true, ""},
		{"SHA-1 digest", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{Digest: secrettest.OIDSHA1})), false, true, "SHA-1"},
		{"another certificate inside", b64u(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{OtherCert: secrettest.NewRSAKey(t, "x").DER})), false, true, "not the registered"},
		{"wrong message", b64u(secrettest.CMS(t, k, []byte("other"), secrettest.CMSOptions{})), false, false, ""},
		{"signed by another key", b64u(secrettest.CMS(t, secrettest.NewRSAKey(t, "y"), v1Message(), secrettest.CMSOptions{NoCert: true})), false, false, ""},
		{"a raw signature on v1", b64u(k.RawSign(t, v1Message(), gost.SR)), false, false, ""},
		{"garbage", "AAAA", false, false, ""},
	}
	strict, lenient := testClient(t, k, "strict"), testClient(t, k, "lenient")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := strict.Check(v1Input(c.secret), checkNow)
			if (res.Refusal == nil) != c.strictOK {
				t.Errorf("strict: %v", res.Refusal)
			}
			// Another certificate than the system's is ESIA-007002; every other fault 007053.
			want := SecretWrong
			if c.name == "another certificate inside" || c.name == "signed by another key" {
				want = NoCertificate
			}
			if res.Refusal != nil && res.Refusal.Reason != want {
				t.Errorf("strict reason %d, want %d", res.Refusal.Reason, want)
			}
			res = lenient.Check(v1Input(c.secret), checkNow)
			if res.Refusal != nil && res.Refusal.Reason != want {
				t.Errorf("lenient reason %d, want %d", res.Refusal.Reason, want)
			}
			if (res.Refusal == nil) != c.lenientOK {
				t.Fatalf("lenient: %v", res.Refusal)
			}
			if c.oddity != "" && !strings.Contains(strings.Join(res.Oddities, "|"), c.oddity) {
				t.Errorf("lenient oddities %q lack %q", res.Oddities, c.oddity)
			}
		})
	}
	if res := testClient(t, k, "off").Check(v1Input("not even base64!"), checkNow); res.Refusal != nil {
		t.Fatalf("off: %v", res.Refusal)
	}
}

func TestSecretV2Raw(t *testing.T) {
	gk := secrettest.NewGOSTKey(t, tClient)
	rk := secrettest.NewRSAKey(t, tClient)
	b64u := base64.RawURLEncoding.EncodeToString
	gHash := gost.CertificateHash(gk.DER)
	cases := []struct {
		name      string
		key       *secrettest.Key
		secret    string
		hash      string
		strictOK  bool
		lenientOK bool
		oddity    string
	}{
		{"GOST s||r (OpenSSL, BouncyCastle)", gk, b64u(gk.RawSign(t, v2Message(), gost.SR)), gHash, true, true, ""},
		{"GOST s||r padded std base64 (AISGorod)", gk, stdWithPlus(t, gk, v2Message()), gHash, false, true, "standard base64"},
		{"GOST CryptoPro order not reversed", gk, b64u(gk.RawSign(t, v2Message(), gost.SRReversed)), gHash, false, true, "byte order"},
		{"GOST r||s", gk, b64u(gk.RawSign(t, v2Message(), gost.RS)), gHash, false, true, "byte order"},
		{"GOST v1 order on v2 (fr05t1k 3.x)", gk, b64u(gk.RawSign(t, v1Message(), gost.SR)), gHash, false, true, "v1 message order"},
		{"GOST CMS on v2", gk, b64u(secrettest.CMS(t, gk, v2Message(), secrettest.CMSOptions{})), gHash, false, true, "CMS container"},
		{"GOST hash in lower case", gk, b64u(gk.RawSign(t, v2Message(), gost.SR)), strings.ToLower(gHash), true, true, "lower case"},
		{"SHA-256 fingerprint as hash", gk, b64u(gk.RawSign(t, v2Message(), gost.SR)), sha256Hex(gk.DER), false, true, "SHA-256"},
		{"SHA-1 thumbprint as hash", gk, b64u(gk.RawSign(t, v2Message(), gost.SR)), sha1Hex(gk.DER), false, false, ""},
		{"wrong message", gk, b64u(gk.RawSign(t, []byte("x"), gost.SR)), gHash, false, false, ""},
		{"RSA raw", rk, b64u(rk.RawSign(t, v2Message(), gost.SR)), gost.CertificateHash(rk.DER), true, true, "RSA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := testClient(t, c.key, "strict").Check(v2Input(c.secret, c.hash), checkNow)
			if (res.Refusal == nil) != c.strictOK {
				t.Errorf("strict: %v", res.Refusal)
			}
			res = testClient(t, c.key, "lenient").Check(v2Input(c.secret, c.hash), checkNow)
			if (res.Refusal == nil) != c.lenientOK {
				t.Fatalf("lenient: %v", res.Refusal)
			}
			if c.oddity != "" && !strings.Contains(strings.Join(res.Oddities, "|"), c.oddity) {
				t.Errorf("lenient oddities %q lack %q", res.Oddities, c.oddity)
			}
		})
	}
}

func TestSecretV1GOSTCMS(t *testing.T) {
	gk := secrettest.NewGOSTKey(t, tClient)
	for _, o := range []secrettest.CMSOptions{{}, {NoAttrs: true}, {Attached: true}} {
		res := testClient(t, gk, "lenient").Check(v1Input(base64.URLEncoding.EncodeToString(secrettest.CMS(t, gk, v1Message(), o))), checkNow)
		if res.Refusal != nil || !strings.Contains(res.Method, "Streebog-256") {
			t.Fatalf("%+v: %v %s", o, res.Refusal, res.Method)
		}
	}
}

func TestSecretTimestampSpelling(t *testing.T) {
	// The client signed "+0300" but sent the '+' unencoded, so it arrived as a space.
	k := secrettest.NewRSAKey(t, tClient)
	secret := base64.RawURLEncoding.EncodeToString(secrettest.CMS(t, k, v1Message(), secrettest.CMSOptions{}))
	in := v1Input(secret)
	in.Timestamp, _ = ParseTimestamp(strings.Replace(tStamp, "+", " ", 1), false)
	if res := testClient(t, k, "lenient").Check(in, checkNow); res.Refusal != nil || len(res.Oddities) == 0 {
		t.Fatalf("lenient: %v %q", res.Refusal, res.Oddities)
	}
}

// stdWithPlus signs until the standard base64 of the signature has a '+' or '/', so that it
// cannot pass for base64url.
func stdWithPlus(t testing.TB, k *secrettest.Key, msg []byte) string {
	for {
		s := base64.StdEncoding.EncodeToString(k.RawSign(t, msg, gost.SR))
		if strings.ContainsAny(s, "+/") {
			return s
		}
	}
}

func sha256Hex(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
func sha1Hex(b []byte) string   { h := sha1.Sum(b); return hex.EncodeToString(h[:]) } //nolint:gosec // on purpose

// TestSecretFromOpenSSL checks the reader against CMS written by OpenSSL itself, the tool the
// PHP and Python clients shell out to: smime with and without attributes, and cms -stream
// (BER with indefinite lengths). Skipped when openssl is not installed.
func TestSecretFromOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	k := secrettest.NewRSAKey(t, tClient)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	msg := write("msg", v1Message())
	cert := write("cert.pem", []byte(secrettest.CertPEM(k.DER)))
	key := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.RSA)}))
	variants := map[string][]string{
		"smime detached":        {"smime", "-sign", "-binary", "-outform", "DER", "-md", "sha256"},
		"smime detached noattr": {"smime", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-noattr"},
		"smime attached":        {"smime", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-nodetach"},
		"cms stream (BER)":      {"cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-stream", "-nodetach"},
	}
	for name, args := range variants {
		out := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".p7s")
		args = append(args, "-in", msg, "-signer", cert, "-inkey", key, "-out", out)
		if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
		der, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		res := testClient(t, k, "lenient").Check(v1Input(base64.RawURLEncoding.EncodeToString(der)), checkNow)
		if res.Refusal != nil {
			t.Errorf("%s: %v", name, res.Refusal)
			continue
		}
		t.Logf("%s: %s %q", name, res.Method, res.Oddities)
	}
}

// fixedRSAKey loads a committed test key: generating RSA keys inside coverage-instrumented
// fuzz workers takes minutes.
func fixedRSAKey(t testing.TB) *secrettest.Key {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fuzz-rsa-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cb, rest := pem.Decode(b)
	kb, _ := pem.Decode(rest)
	if cb == nil || kb == nil {
		t.Fatal("testdata/fuzz-rsa-key.pem: want a CERTIFICATE and an RSA PRIVATE KEY")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &secrettest.Key{Cert: cert, DER: cb.Bytes, RSA: priv}
}

func FuzzParseSignedData(f *testing.F) {
	k := fixedRSAKey(f)
	f.Add(secrettest.CMS(f, k, v1Message(), secrettest.CMSOptions{}))
	f.Add(secrettest.CMS(f, k, v1Message(), secrettest.CMSOptions{Attached: true, BER: true}))
	f.Add(secrettest.CMS(f, k, v1Message(), secrettest.CMSOptions{NoAttrs: true, SKI: true}))
	cl := testClient(f, k, "lenient")
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := parseSignedData(b)
		if err != nil {
			return
		}
		_ = checkCMS(sd, cl.verifier, v1Message())
		if der, _, err := berToDER(b); err == nil {
			if again, changed, err := berToDER(der); err != nil || changed || string(again) != string(der) {
				t.Fatalf("DER output is not stable: changed=%v err=%v", changed, err)
			}
		}
	})
}

func TestSecretWithoutCertificate(t *testing.T) {
	cl, err := NewChecker("lenient", nil)
	if err != nil {
		t.Fatal(err)
	}
	res := cl.Check(v1Input("AAAA"), checkNow)
	if res.Refusal == nil || res.Refusal.Reason != NoCertificate || res.Refusal.Detail != "no certificate registered" {
		t.Fatalf("%+v", res.Refusal)
	}
}
