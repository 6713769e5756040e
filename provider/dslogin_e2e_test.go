package provider_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
)

// testCA is a certification authority made in the test, as the README's openssl recipe makes
// the emulator's test CA.
type testCA struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

func newTestCA(t *testing.T, cn string) *testCA {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key}
}

// issue makes a citizen's signing certificate with the SNILS attribute.
func (ca *testCA) issue(t *testing.T, snils string, serial int64) *secrettest.Key {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: esig.SubjectWithSNILS("Петров", "Сергей Александрович", "", snils, ""),
		NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		SubjectKeyId: []byte{byte(serial), 2, 3, 4}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &secrettest.Key{Cert: cert, DER: der, RSA: key}
}

func (ca *testCA) file(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "test-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// dsPage opens «Войти другим способом» from the login page and the e-signature page from it,
// as a citizen clicks them.
func (e *env) dsPage(c *browser.Browser, login page) page {
	e.t.Helper()
	other, ok := login.pg.Link("Войти другим способом")
	if !ok {
		e.t.Fatalf("the login page has no «Войти другим способом»: %s", snippet(login.body))
	}
	methods := get(e.t, c, other.String())
	ds, ok := methods.pg.Link("Электронная подпись")
	if !ok {
		e.t.Fatalf("the methods page offers no e-signature: %s", methods.body)
	}
	return get(e.t, c, ds.String())
}

// uploadSignature posts the signature file from the e-signature page's form.
func (e *env) uploadSignature(c *browser.Browser, pg page, sig []byte) page {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("authRequestID", pg.form("authRequestID"))
	_ = mw.WriteField("csrf", pg.form("csrf"))
	fw, _ := mw.CreateFormFile("signature", "challenge.p7s")
	_, _ = fw.Write(sig)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/login/ds", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do(e.t, c, req)
}

// TestSignatureLogin: the citizen signs the page's challenge with a certificate of the test CA
// (a detached CMS made here) and is logged in as the account with the certificate's SNILS;
// the relying party sees amr=DS (ESIA) / "ds" (OpenID Connect).
func TestSignatureLogin(t *testing.T) {
	ca := newTestCA(t, "Тестовый УЦ")
	e := newEnv(t, func(c *config.Config) { c.Proofing.ESignatureCA = ca.file(t) })
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.dsPage(cab.browser, cab.authorize())
	challenge := pg.pg.TextOf("#ds-challenge")
	if !strings.HasPrefix(challenge, "esia-emulator-login:") || !strings.Contains(pg.body, "openssl cms -sign") {
		t.Fatalf("e-signature page: %s", snippet(pg.body))
	}
	citizen := ca.issue(t, "000-000-600 02", 77)
	cms := secrettest.CMS(t, citizen, []byte(challenge+"\n"), secrettest.CMSOptions{})
	_, idt := cab.mustExchange(cab.codeFrom(e.uploadSignature(cab.browser, pg, cms)))
	c := claims(t, idt)
	if c["sub"] != "1000000002" || amrOf(t, c) != "ds mfa" {
		t.Fatalf("sub %v amr %v", c["sub"], c["amr"])
	}
	// The login is in the audit log with the certificate's serial.
	if _, body := e.admin("GET", "/admin/api/audit?type=login", adminToken, ""); !strings.Contains(body, `"amr": "ds mfa"`) || !strings.Contains(body, `"certificate": "4d"`) {
		t.Fatalf("audit: %s", snippet(body))
	}
}

// TestSignatureLoginRefusals: a certificate of another CA, a certificate of the test CA with a
// SNILS no account has, a signature over another text: each a clear page with a way on.
func TestSignatureLoginRefusals(t *testing.T) {
	ca := newTestCA(t, "Тестовый УЦ")
	e := newEnv(t, func(c *config.Config) { c.Proofing.ESignatureCA = ca.file(t) })
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.dsPage(cab.browser, cab.authorize())
	challenge := []byte(pg.pg.TextOf("#ds-challenge"))
	stranger := newTestCA(t, "Чужой УЦ").issue(t, "000-000-600 02", 5)
	for name, tc := range map[string]struct {
		cms  []byte
		want string
	}{
		"another CA":    {secrettest.CMS(t, stranger, challenge, secrettest.CMSOptions{}), "не выдан удостоверяющим центром, которому доверяет эмулятор"},
		"unknown SNILS": {secrettest.CMS(t, ca.issue(t, "112-233-445 95", 6), challenge, secrettest.CMSOptions{}), "Учётная запись со СНИЛС из сертификата не найдена"},
		"another text":  {secrettest.CMS(t, ca.issue(t, "000-000-600 02", 7), []byte("другой текст"), secrettest.CMSOptions{}), "подпись не соответствует тексту"},
		"not a CMS":     {[]byte("hello"), "Файл не похож на откреплённую подпись"},
	} {
		got := e.uploadSignature(cab.browser, pg, tc.cms)
		if got.location != "" || !strings.Contains(got.body, tc.want) || !strings.Contains(got.body, "Войти по логину и паролю") {
			t.Errorf("%s: %d %q %q", name, got.status, got.location, got.pg.Text())
		}
	}
	// A revoked certificate (the test CA's revocation list, kept through the admin API).
	revoked := ca.issue(t, "000-000-600 02", 0x2a)
	if status, body := e.admin("POST", "/admin/api/esignature/revoked", adminToken, `{"serial":"2A"}`); status != http.StatusOK || !strings.Contains(body, `"revoked":true`) {
		t.Fatalf("revoke: %d %s", status, body)
	}
	if got := e.uploadSignature(cab.browser, pg, secrettest.CMS(t, revoked, challenge, secrettest.CMSOptions{})); !strings.Contains(got.body, "Сертификат подписи отозван") {
		t.Errorf("revoked certificate: %d %s", got.status, snippet(got.body))
	}
	if status, body := e.admin("POST", "/admin/api/esignature/revoked", adminToken, `{"serial":"xyz"}`); status != http.StatusBadRequest {
		t.Errorf("a bad serial: %d %s", status, body)
	}
	// An upload beyond the form bound is refused before it is read.
	if got := e.uploadSignature(cab.browser, pg, bytes.Repeat([]byte("A"), 70<<10)); got.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KiB upload: %d", got.status)
	}
	// Reinstated, the same certificate logs in.
	if status, body := e.admin("DELETE", "/admin/api/esignature/revoked", adminToken, `{"serial":"2a"}`); status != http.StatusOK {
		t.Fatalf("reinstate: %d %s", status, body)
	}
	cab.codeFrom(e.uploadSignature(cab.browser, pg, secrettest.CMS(t, revoked, challenge, secrettest.CMSOptions{})))
	// Without a test CA the methods page says why e-signature login is unavailable.
	off := newEnv(t)
	c2 := off.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	login := c2.authorize()
	other, _ := login.pg.Link("Войти другим способом")
	if m := get(t, c2.browser, other.String()); !strings.Contains(m.body, "не настроен тестовый удостоверяющий центр") {
		t.Fatalf("methods page without a CA: %s", m.body)
	}
}

// TestSignatureLoginTestCertificate: in test mode the e-signature page offers the personas'
// test certificates; picking one logs that persona in as a signature does (amr ds).
func TestSignatureLoginTestCertificate(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Mode = "test" })
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.dsPage(cab.browser, cab.authorize())
	if !strings.Contains(pg.body, "Тестовый режим: тестовый сертификат") {
		t.Fatalf("no test certificates: %s", snippet(pg.body))
	}
	got := submit(t, cab.browser, pg, browser.WithField("test_cert"), nil, browser.Button("test_cert", "1000000002"))
	_, idt := cab.mustExchange(cab.codeFrom(got))
	if c := claims(t, idt); c["sub"] != "1000000002" || amrOf(t, c) != "ds mfa" {
		t.Fatalf("sub %v amr %v", c["sub"], c["amr"])
	}
	// Without a test CA an uploaded signature cannot be trusted: the page says so.
	pg = e.dsPage(cab.browser, cab.authorize(oauth2.SetAuthURLParam("prompt", "login")))
	if got := e.uploadSignature(cab.browser, pg, []byte("MIIB")); !strings.Contains(got.body, "не выдан удостоверяющим центром") {
		t.Fatalf("upload without a CA: %d %s", got.status, snippet(got.body))
	}
}
