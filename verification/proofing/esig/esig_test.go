package esig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// testPKI is a test CA, an intermediate CA and citizens' certificates, made once.
type testPKI struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
	roots             *x509.CertPool
	// Citizen "Иванова Мария Ивановна" with SNILS 112-233-445 95 (testUser), one per key type.
	keys  map[string]crypto.Signer
	certs map[string]*x509.Certificate
}

var (
	pkiOnce sync.Once
	pkiVal  *testPKI
)

var serial int64 = 100

func issueCert(t testing.TB, parent *x509.Certificate, parentKey crypto.Signer, pub crypto.PublicKey, subject pkix.Name,
	notBefore, notAfter time.Time, isCA bool, ku x509.KeyUsage) *x509.Certificate {
	t.Helper()
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: subject, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: ku, BasicConstraintsValid: true, IsCA: isCA}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getPKI(t testing.TB) *testPKI {
	pkiOnce.Do(func() {
		p := &testPKI{keys: map[string]crypto.Signer{}, certs: map[string]*x509.Certificate{}}
		p.rootKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		p.root = issueCert(t, nil, p.rootKey, p.rootKey.Public(), pkix.Name{CommonName: "Тестовый УЦ", Organization: []string{"Тестовый УЦ"}},
			t0.AddDate(-1, 0, 0), t0.AddDate(10, 0, 0), true, x509.KeyUsageCertSign)
		p.roots = x509.NewCertPool()
		p.roots.AddCert(p.root)
		p.interKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		p.inter = issueCert(t, p.root, p.rootKey, p.interKey.Public(), pkix.Name{CommonName: "Промежуточный УЦ"},
			t0.AddDate(-1, 0, 0), t0.AddDate(5, 0, 0), true, x509.KeyUsageCertSign)
		rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
		ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		_, edKey, _ := ed25519.GenerateKey(rand.Reader)
		subj := SubjectWithSNILS("Иванова", "Мария", "Ивановна", "112-233-445 95", "500100732259")
		for name, k := range map[string]crypto.Signer{"rsa": rsaKey, "ecdsa": ecKey, "ed25519": edKey} {
			p.keys[name] = k
			p.certs[name] = issueCert(t, p.root, p.rootKey, k.Public(), subj, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0),
				false, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment)
		}
		pkiVal = p
	})
	return pkiVal
}

func pemOf(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

func sign(t testing.TB, k crypto.Signer, msg string) []byte {
	t.Helper()
	var (
		sig []byte
		err error
	)
	switch k := k.(type) {
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(msg))
	default:
		h := sha256.Sum256([]byte(msg))
		sig, err = k.Sign(rand.Reader, h[:], crypto.SHA256)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestVerifySignature(t *testing.T) {
	p := getPKI(t)
	const ch = "esia-emulator:confirm-identity:1000000003:00112233445566778899aabbccddeeff"
	for name, k := range p.keys {
		t.Run(name, func(t *testing.T) {
			s, err := VerifySignature(ch, b64(sign(t, k, ch)), pemOf(p.certs[name]), p.roots, t0)
			if err != nil {
				t.Fatal(err)
			}
			if s.SNILS != "11223344595" || s.INN != "500100732259" || s.Surname != "Иванова" || s.GivenName != "Мария Ивановна" ||
				s.CommonName != "Иванова Мария Ивановна" || s.IssuerName != "Тестовый УЦ" || s.Serial == "" || s.KeyAlgorithm == "" {
				t.Errorf("signer %+v", s)
			}
			u := testUser()
			if err := s.Matches(u); err != nil {
				t.Errorf("Matches: %v", err)
			}
			// echo adds a newline; that signature is accepted too.
			if _, err := VerifySignature(ch, b64(sign(t, k, ch+"\n")), pemOf(p.certs[name]), p.roots, t0); err != nil {
				t.Errorf("signature over challenge+newline: %v", err)
			}
			if _, err := VerifySignature(ch+"x", b64(sign(t, k, ch)), pemOf(p.certs[name]), p.roots, t0); !errors.Is(err, ErrBadSignature) {
				t.Errorf("other challenge: %v", err)
			}
		})
	}

	ecKey := p.keys["ecdsa"].(*ecdsa.PrivateKey)
	ecSig := sign(t, ecKey, ch)
	h := sha256.Sum256([]byte(ch))
	r, s, _ := ecdsa.Sign(rand.Reader, ecKey, h[:])
	rawRS := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	wrapped := b64(ecSig)
	for i := 8; i < len(wrapped); i += 9 {
		wrapped = wrapped[:i] + "\n" + wrapped[i:]
	}
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	subj := SubjectWithSNILS("Иванова", "Мария", "Ивановна", "11223344595", "")
	viaInter := issueCert(t, p.inter, p.interKey, leafKey.Public(), subj, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0), false, x509.KeyUsageDigitalSignature)
	noUsage := issueCert(t, p.root, p.rootKey, leafKey.Public(), subj, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0), false, 0)
	encOnly := issueCert(t, p.root, p.rootKey, leafKey.Public(), subj, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0), false, x509.KeyUsageKeyEncipherment)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherCA := issueCert(t, nil, otherKey, otherKey.Public(), pkix.Name{CommonName: "Чужой УЦ"}, t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0), true, x509.KeyUsageCertSign)
	foreign := issueCert(t, otherCA, otherKey, leafKey.Public(), subj, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0), false, x509.KeyUsageDigitalSignature)
	leafSig := b64(sign(t, leafKey, ch))
	keyPEM := func() string {
		der, _ := x509.MarshalPKCS8PrivateKey(leafKey)
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	}()

	tests := []struct {
		name  string
		sig   string
		certs string
		roots *x509.CertPool
		now   time.Time
		err   error
	}{
		{"raw r||s", b64(rawRS), pemOf(p.certs["ecdsa"]), p.roots, t0, nil},
		{"wrapped base64", wrapped, pemOf(p.certs["ecdsa"]), p.roots, t0, nil},
		{"url base64 unpadded", base64.RawURLEncoding.EncodeToString(ecSig), pemOf(p.certs["ecdsa"]), p.roots, t0, nil},
		{"base64 DER certificate", b64(ecSig), b64(p.certs["ecdsa"].Raw), p.roots, t0, nil},
		{"raw DER certificate", b64(ecSig), string(p.certs["ecdsa"].Raw), p.roots, t0, nil},
		{"PEM with other blocks", b64(ecSig), "junk\n-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n" + pemOf(p.certs["ecdsa"]), p.roots, t0, nil},
		{"through an intermediate", leafSig, pemOf(viaInter, p.inter), p.roots, t0, nil},
		{"no key usage stated", leafSig, pemOf(noUsage), p.roots, t0, nil},
		{"intermediate missing", leafSig, pemOf(viaInter), p.roots, t0, ErrCertUntrusted},
		{"other CA", leafSig, pemOf(foreign), p.roots, t0, ErrCertUntrusted},
		{"other CA with its root", leafSig, pemOf(foreign, otherCA), p.roots, t0, ErrCertUntrusted},
		{"expired", b64(ecSig), pemOf(p.certs["ecdsa"]), p.roots, t0.AddDate(1, 0, 1), ErrCertExpired},
		{"not yet valid", b64(ecSig), pemOf(p.certs["ecdsa"]), p.roots, t0.AddDate(0, -2, 0), ErrCertExpired},
		{"no roots", b64(ecSig), pemOf(p.certs["ecdsa"]), nil, t0, ErrNoTrustedCA},
		{"CA as signer", b64(ecSig), pemOf(p.root), p.roots, t0, ErrBadCertificate},
		{"encipherment only", leafSig, pemOf(encOnly), p.roots, t0, ErrBadCertificate},
		{"private key pasted", leafSig, keyPEM, p.roots, t0, ErrBadCertificate},
		{"empty certificate", leafSig, " ", p.roots, t0, ErrBadCertificate},
		{"garbage certificate", leafSig, "hello", p.roots, t0, ErrBadCertificate},
		{"PEM without certificate", leafSig, "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n", p.roots, t0, ErrBadCertificate},
		{"bad PEM certificate", leafSig, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", p.roots, t0, ErrBadCertificate},
		{"too many certificates", leafSig, strings.Repeat(pemOf(p.inter), maxCerts+1), p.roots, t0, ErrBadCertificate},
		{"signature not base64", "не base64", pemOf(p.certs["ecdsa"]), p.roots, t0, ErrBadSignatureEncoding},
		{"empty signature", "", pemOf(p.certs["ecdsa"]), p.roots, t0, ErrBadSignatureEncoding},
		{"huge signature", b64(make([]byte, maxSigBytes+1)), pemOf(p.certs["ecdsa"]), p.roots, t0, ErrBadSignatureEncoding},
		{"signature by another key", b64(sign(t, otherKey, ch)), pemOf(p.certs["ecdsa"]), p.roots, t0, ErrBadSignature},
		{"RSA signature, EC certificate", b64(sign(t, p.keys["rsa"], ch)), pemOf(p.certs["ecdsa"]), p.roots, t0, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifySignature(ch, tt.sig, tt.certs, tt.roots, tt.now)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v; want %v", err, tt.err)
			}
			if err != nil && !isSentinel(err) {
				t.Errorf("no message for %v", err)
			}
		})
	}
}

func TestSignerMatches(t *testing.T) {
	u := testUser() // Иванова Мария Ивановна, SNILS 11223344595
	tests := []struct {
		name string
		s    Signer
		ok   bool
	}{
		{"SNILS", Signer{SNILS: "11223344595"}, true},
		{"SNILS formatted", Signer{SNILS: "112-233-445 95", Surname: "Другая"}, true},
		{"other SNILS, same name", Signer{SNILS: snils("100200300"), Surname: "Иванова", GivenName: "Мария Ивановна"}, false},
		{"bad SNILS", Signer{SNILS: "123"}, false},
		{"SN and GN", Signer{Surname: "ИВАНОВА", GivenName: "мария  ивановна"}, true},
		{"SN and GN with ё", Signer{Surname: "Иванова", GivenName: "Мария Ивановна"}, true},
		{"GN without patronymic", Signer{Surname: "Иванова", GivenName: "Мария"}, false},
		{"CN", Signer{CommonName: "Иванова Мария Ивановна"}, true},
		{"other CN", Signer{CommonName: "Петрова Мария Ивановна"}, false},
		{"nothing", Signer{}, false},
	}
	for _, tt := range tests {
		err := tt.s.Matches(u)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrSignerMismatch)) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	noSNILS := u
	noSNILS.SNILS = ""
	if err := (Signer{SNILS: "11223344595"}).Matches(noSNILS); !errors.Is(err, ErrSignerMismatch) {
		t.Errorf("account without SNILS: %v", err)
	}
	yo := u
	yo.LastName = "Семёнова"
	if err := (Signer{Surname: "Семенова", GivenName: "Мария Ивановна"}).Matches(yo); err != nil {
		t.Errorf("ё/е: %v", err)
	}
}

func TestLoadRoots(t *testing.T) {
	p := getPKI(t)
	if _, err := LoadRoots([]byte(pemOf(p.root, p.inter))); err != nil {
		t.Error(err)
	}
	if _, err := LoadRoots([]byte("nothing")); !errors.Is(err, ErrBadCertificate) {
		t.Errorf("no certificate: %v", err)
	}
}

// OpenSSLScript is the README's recipe: a test CA, a citizen's key and certificate with the
// SNILS in the subject, and a signature over the challenge.
const OpenSSLScript = `set -e
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout test-ca.key -out test-ca.pem -days 3650 -utf8 \
  -subj "/C=RU/O=Тестовый УЦ/CN=Тестовый удостоверяющий центр" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout citizen.key -out citizen.csr -utf8 \
  -subj "/C=RU/SN=Иванова/GN=Мария Ивановна/CN=Иванова Мария Ивановна/1.2.643.100.3=00000060003"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' > citizen.ext
openssl x509 -req -in citizen.csr -CA test-ca.pem -CAkey test-ca.key -CAcreateserial \
  -days 365 -extfile citizen.ext -out citizen.pem
printf '%s' "$CHALLENGE" > challenge.txt
openssl dgst -sha256 -sign citizen.key -out challenge.sig challenge.txt
base64 -w0 challenge.sig > challenge.sig.b64
`

// TestOpenSSLRecipe runs the README's openssl commands when openssl is installed.
func TestOpenSSLRecipe(t *testing.T) {
	for _, tool := range []string{"openssl", "bash", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	const ch = "esia-emulator:confirm-identity:1000000003:0123456789abcdef0123456789abcdef"
	cmd := exec.Command("bash", "-c", OpenSSLScript)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHALLENGE="+ch, "LC_ALL=C.UTF-8")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl recipe: %v\n%s", err, out)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	roots, err := LoadRoots([]byte(read("test-ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := VerifySignature(ch, read("challenge.sig.b64"), read("citizen.pem"), roots, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u := storage.User{LastName: "Иванова", FirstName: "Мария", MiddleName: "Ивановна", SNILS: "00000060003"}
	if s.SNILS != "00000060003" || s.Surname != "Иванова" || s.Matches(u) != nil {
		t.Errorf("signer %+v", s)
	}
}
