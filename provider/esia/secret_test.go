package esia

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

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
)

const (
	tClient   = "TESTRP01"
	tScope    = "openid fullname snils"
	tState    = "0f8e7c6a-1b2c-4d3e-8f90-a1b2c3d4e5f6"
	tRedirect = "http://127.0.0.1:9300/cb"
	tStamp    = "2025.09.02 13:00:29 +0300"
)

func certPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func testClient(t testing.TB, k *testKey, mode string) *esiaClient {
	t.Helper()
	cl, err := newESIAClient(config.Client{ID: tClient, RedirectURIs: []string{tRedirect},
		ESIA: &config.ESIAClient{Certificate: certPEM(k.der), SecretCheck: mode}})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func v1Input(secret string) secretInput {
	ts, _ := parseTimestamp(tStamp, false)
	return secretInput{Endpoint: "/aas/oauth2/ac", ClientID: tClient, Scope: tScope, Timestamp: ts, State: tState, RedirectURI: tRedirect, Secret: secret}
}

func v2Input(secret, hash string) secretInput {
	in := v1Input(secret)
	in.Endpoint, in.V2, in.CertHash = "/aas/oauth2/v2/ac", true, hash
	return in
}

func v1Message() []byte { return []byte(tScope + tStamp + tClient + tState) }
func v2Message() []byte { return []byte(tClient + tScope + tStamp + tState + tRedirect) }

var checkNow = time.Now()

func TestSecretV1CMSVariants(t *testing.T) {
	k := newRSAKey(t, tClient)
	b64u := base64.RawURLEncoding.EncodeToString
	cases := []struct {
		name      string
		secret    string
		strictOK  bool
		lenientOK bool
		oddity    string // expected in lenient mode
	}{
		{"detached with attributes (openssl_pkcs7_sign)", b64u(buildCMS(t, k, v1Message(), cmsOpts{})), true, true, ""},
		{"detached without attributes (-noattr)", b64u(buildCMS(t, k, v1Message(), cmsOpts{noAttrs: true})), true, true, ""},
		{"padded base64url (esia-potato)", base64.URLEncoding.EncodeToString(buildCMS(t, k, v1Message(), cmsOpts{})), true, true, ""},
		{"standard base64 (Java)", base64.StdEncoding.EncodeToString(buildCMS(t, k, v1Message(), cmsOpts{})), false, true, "standard base64"},
		{"attached (node-forge)", b64u(buildCMS(t, k, v1Message(), cmsOpts{attached: true})), false, true, "attached"},
		{"BER, attached, chunked", b64u(buildCMS(t, k, v1Message(), cmsOpts{attached: true, ber: true})), false, true, "BER"},
		{"signer by subjectKeyIdentifier", b64u(buildCMS(t, k, v1Message(), cmsOpts{ski: true})), true, true, ""},
		{"no certificate inside", b64u(buildCMS(t, k, v1Message(), cmsOpts{noCert: true})), true, true, ""},
		{"SHA-1 digest", b64u(buildCMS(t, k, v1Message(), cmsOpts{digest: oidSHA1})), false, true, "SHA-1"},
		{"another certificate inside", b64u(buildCMS(t, k, v1Message(), cmsOpts{otherCert: newRSAKey(t, "x").der})), false, true, "not the registered"},
		{"wrong message", b64u(buildCMS(t, k, []byte("other"), cmsOpts{})), false, false, ""},
		{"signed by another key", b64u(buildCMS(t, newRSAKey(t, "y"), v1Message(), cmsOpts{noCert: true})), false, false, ""},
		{"a raw signature on v1", b64u(k.rawSign(t, v1Message(), gost.SR)), false, false, ""},
		{"garbage", "AAAA", false, false, ""},
	}
	strict, lenient := testClient(t, k, "strict"), testClient(t, k, "lenient")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := checkSecret(strict, v1Input(c.secret), checkNow)
			if (res.Err == nil) != c.strictOK {
				t.Errorf("strict: %v", res.Err)
			}
			if res.Err != nil && res.Err.Code != "ESIA-007053" {
				t.Errorf("strict code %s", res.Err.Code)
			}
			res = checkSecret(lenient, v1Input(c.secret), checkNow)
			if (res.Err == nil) != c.lenientOK {
				t.Fatalf("lenient: %v", res.Err)
			}
			if c.oddity != "" && !strings.Contains(strings.Join(res.Oddities, "|"), c.oddity) {
				t.Errorf("lenient oddities %q lack %q", res.Oddities, c.oddity)
			}
		})
	}
	if res := checkSecret(testClient(t, k, "off"), v1Input("not even base64!"), checkNow); res.Err != nil {
		t.Fatalf("off: %v", res.Err)
	}
}

func TestSecretV2Raw(t *testing.T) {
	gk := newGOSTKey(t, tClient)
	rk := newRSAKey(t, tClient)
	b64u := base64.RawURLEncoding.EncodeToString
	gHash := gost.CertificateHash(gk.der)
	cases := []struct {
		name      string
		key       *testKey
		secret    string
		hash      string
		strictOK  bool
		lenientOK bool
		oddity    string
	}{
		{"GOST s||r (OpenSSL, BouncyCastle)", gk, b64u(gk.rawSign(t, v2Message(), gost.SR)), gHash, true, true, ""},
		{"GOST s||r padded std base64 (AISGorod)", gk, stdWithPlus(t, gk, v2Message()), gHash, false, true, "standard base64"},
		{"GOST CryptoPro order not reversed", gk, b64u(gk.rawSign(t, v2Message(), gost.SRReversed)), gHash, false, true, "byte order"},
		{"GOST r||s", gk, b64u(gk.rawSign(t, v2Message(), gost.RS)), gHash, false, true, "byte order"},
		{"GOST v1 order on v2 (fr05t1k 3.x)", gk, b64u(gk.rawSign(t, v1Message(), gost.SR)), gHash, false, true, "v1 message order"},
		{"GOST CMS on v2", gk, b64u(buildCMS(t, gk, v2Message(), cmsOpts{})), gHash, false, true, "CMS container"},
		{"GOST hash in lower case", gk, b64u(gk.rawSign(t, v2Message(), gost.SR)), strings.ToLower(gHash), true, true, "lower case"},
		{"SHA-256 fingerprint as hash", gk, b64u(gk.rawSign(t, v2Message(), gost.SR)), sha256Hex(gk.der), false, true, "SHA-256"},
		{"SHA-1 thumbprint as hash", gk, b64u(gk.rawSign(t, v2Message(), gost.SR)), sha1Hex(gk.der), false, false, ""},
		{"wrong message", gk, b64u(gk.rawSign(t, []byte("x"), gost.SR)), gHash, false, false, ""},
		{"RSA raw", rk, b64u(rk.rawSign(t, v2Message(), gost.SR)), gost.CertificateHash(rk.der), true, true, "RSA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := checkSecret(testClient(t, c.key, "strict"), v2Input(c.secret, c.hash), checkNow)
			if (res.Err == nil) != c.strictOK {
				t.Errorf("strict: %v", res.Err)
			}
			res = checkSecret(testClient(t, c.key, "lenient"), v2Input(c.secret, c.hash), checkNow)
			if (res.Err == nil) != c.lenientOK {
				t.Fatalf("lenient: %v", res.Err)
			}
			if c.oddity != "" && !strings.Contains(strings.Join(res.Oddities, "|"), c.oddity) {
				t.Errorf("lenient oddities %q lack %q", res.Oddities, c.oddity)
			}
		})
	}
}

func TestSecretV1GOSTCMS(t *testing.T) {
	gk := newGOSTKey(t, tClient)
	for _, o := range []cmsOpts{{}, {noAttrs: true}, {attached: true}} {
		res := checkSecret(testClient(t, gk, "lenient"), v1Input(base64.URLEncoding.EncodeToString(buildCMS(t, gk, v1Message(), o))), checkNow)
		if res.Err != nil || !strings.Contains(res.Method, "Streebog-256") {
			t.Fatalf("%+v: %v %s", o, res.Err, res.Method)
		}
	}
}

func TestSecretTimestampSpelling(t *testing.T) {
	// The client signed "+0300" but sent the '+' unencoded, so it arrived as a space.
	k := newRSAKey(t, tClient)
	secret := base64.RawURLEncoding.EncodeToString(buildCMS(t, k, v1Message(), cmsOpts{}))
	in := v1Input(secret)
	in.Timestamp, _ = parseTimestamp(strings.Replace(tStamp, "+", " ", 1), false)
	if res := checkSecret(testClient(t, k, "lenient"), in, checkNow); res.Err != nil || len(res.Oddities) == 0 {
		t.Fatalf("lenient: %v %q", res.Err, res.Oddities)
	}
}

// stdWithPlus signs until the standard base64 of the signature has a '+' or '/', so that it
// cannot pass for base64url.
func stdWithPlus(t testing.TB, k *testKey, msg []byte) string {
	for {
		s := base64.StdEncoding.EncodeToString(k.rawSign(t, msg, gost.SR))
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
	k := newRSAKey(t, tClient)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	msg := write("msg", v1Message())
	cert := write("cert.pem", []byte(certPEM(k.der)))
	key := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.rsa)}))
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
		res := checkSecret(testClient(t, k, "lenient"), v1Input(base64.RawURLEncoding.EncodeToString(der)), checkNow)
		if res.Err != nil {
			t.Errorf("%s: %v", name, res.Err)
			continue
		}
		t.Logf("%s: %s %q", name, res.Method, res.Oddities)
	}
}

// fixedRSAKey loads a committed test key: generating RSA keys inside coverage-instrumented
// fuzz workers takes minutes.
func fixedRSAKey(t testing.TB) *testKey {
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
	return &testKey{cert: cert, der: cb.Bytes, rsa: priv}
}

func FuzzParseSignedData(f *testing.F) {
	k := fixedRSAKey(f)
	f.Add(buildCMS(f, k, v1Message(), cmsOpts{}))
	f.Add(buildCMS(f, k, v1Message(), cmsOpts{attached: true, ber: true}))
	f.Add(buildCMS(f, k, v1Message(), cmsOpts{noAttrs: true, ski: true}))
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
