package esia_test

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func TestRSScopeEnforcement(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.ESIA.PublicURL = "https://esia.example.test/" })
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid mobile kid_fullname kid_birth_cert_doc", "online", "+79990000003")
	at := str(c.exchange(false, code, "openid mobile kid_fullname kid_birth_cert_doc")["access_token"])

	forbidden := func(path string) {
		t.Helper()
		status, m := c.api(at, path)
		if status != http.StatusForbidden || m["code"] != "ESIA-005029" || m["message"] != "SecurityErrorEnum.scopeNotAllowed" {
			t.Errorf("%s: %d %v", path, status, m)
		}
	}
	forbidden("/rs/prns/1000000003/docs")
	forbidden("/rs/prns/1000000003/vhls")
	forbidden("/rs/prns/1000000003/addrs")
	forbidden("/rs/prns/1000000003/roles")
	forbidden("/rs/prns/1000000002") // another person

	// Without fullname the person has no name, but the level fields are always there.
	status, p := c.api(at, "/rs/prns/1000000003")
	if status != http.StatusOK || p["firstName"] != nil || p["trusted"] != true || p["snils"] != nil {
		t.Fatalf("person without fullname: %d %v", status, p)
	}
	// mobile releases MBT only; links use the configured public URL.
	status, m := c.api(at, "/rs/prns/1000000003/ctts")
	els, _ := m["elements"].([]any)
	if status != http.StatusOK || m["size"] != float64(1) || len(els) != 1 || !strings.HasPrefix(str(els[0]), "https://esia.example.test/rs/prns/1000000003/ctts/") {
		t.Fatalf("mobile only: %d %v", status, m)
	}
	// The e-mail element exists but is not released to this token.
	emailID := strings.TrimSuffix(strings.TrimPrefix(str(els[0]), "https://esia.example.test/rs/prns/1000000003/ctts/"), "1") + "2"
	forbidden("/rs/prns/1000000003/ctts/" + emailID)
	if status, _ := c.api(at, "/rs/prns/1000000003/ctts/999"); status != http.StatusNotFound {
		t.Errorf("missing element: %d", status)
	}

	// Kids: kid_fullname releases names, not birth dates; the birth certificate via kid_birth_cert_doc.
	status, m = c.api(at, "/rs/prns/1000000003/kids?embed=(elements)")
	kids, _ := m["elements"].([]any)
	if status != http.StatusOK || len(kids) != 1 {
		t.Fatalf("kids: %d %v", status, m)
	}
	kid := kids[0].(map[string]any)
	if kid["firstName"] != "Пётр" || kid["birthDate"] != nil || kid["id"] != float64(1000000031) {
		t.Fatalf("kid: %v", kid)
	}
	status, m = c.api(at, "/rs/prns/1000000003/kids/1000000031/docs?embed=(elements)")
	docs, _ := m["elements"].([]any)
	if status != http.StatusOK || len(docs) != 1 || docs[0].(map[string]any)["type"] != "RF_BRTH_CERT" || docs[0].(map[string]any)["actDate"] != "20.04.2015" {
		t.Fatalf("kid docs: %d %v", status, m)
	}
	if status, _ := c.api(at, "/rs/prns/1000000003/kids/42/docs"); status != http.StatusNotFound {
		t.Errorf("unknown kid: %d", status)
	}
	if status, _ := c.api(at, "/rs/prns/1000000003/nonsense"); status != http.StatusNotFound {
		t.Errorf("unknown collection: %d", status)
	}
}

func TestRSUsrOrgAndPersonData(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.ESIA.Persons = map[string]config.ESIAPerson{"standard": {
			Vehicles: []config.ESIAVehicle{{Name: "УАЗ Патриот", NumberPlate: "Е001КХ76"}},
		}}
	})
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid usr_org vehicles", "online", "+79990000002")
	at := str(c.exchange(false, code, "openid usr_org vehicles")["access_token"])
	if status, m := c.api(at, "/rs/prns/1000000002/roles"); status != http.StatusOK || m["size"] != float64(0) {
		t.Fatalf("roles: %d %v", status, m)
	}
	status, m := c.api(at, "/rs/prns/1000000002/vhls?embed=(elements)")
	els, _ := m["elements"].([]any)
	if status != http.StatusOK || len(els) != 1 || els[0].(map[string]any)["numberPlate"] != "Е001КХ76" {
		t.Fatalf("configured vehicle: %d %v", status, m)
	}
}

func TestCertificateDownloads(t *testing.T) {
	e := newEnv(t)
	der := e.get(e.base + "/esia/esia.cer")
	cert, err := x509.ParseCertificate([]byte(der.Body))
	if err != nil || cert.SerialNumber.Int64() != 1 || cert.Subject.CommonName != "ESIA emulator" {
		t.Fatalf("esia.cer: %v %+v", err, cert)
	}
	if again := e.get(e.base + "/esia/esia.cer"); again.Body != der.Body {
		t.Fatal("the certificate is not stable")
	}
	// A second provider (a replica, a restart) over the same store makes the same bytes.
	p2, err := provider.New(t.Context(), provider.Options{Config: e.cfg, Store: e.store, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/esia/esia.cer", "/esia/esia-gost.cer"} {
		rec := httptest.NewRecorder()
		p2.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if want := e.get(e.base + path).Body; rec.Code != http.StatusOK || rec.Body.String() != want {
			t.Fatalf("%s is not deterministic: %d", path, rec.Code)
		}
	}
	pemPage := e.get(e.base + "/esia/esia.pem")
	if b, _ := pem.Decode([]byte(pemPage.Body)); b == nil || !bytes.Equal(b.Bytes, []byte(der.Body)) {
		t.Fatal("esia.pem")
	}
	if _, err := gost.ParsePublicKeyFromCertificate([]byte(e.get(e.base + "/esia/esia-gost.cer").Body)); err != nil {
		t.Fatalf("esia-gost.cer: %v", err)
	}
	z := e.get(e.base + "/public/esia.zip")
	zr, err := zip.NewReader(bytes.NewReader([]byte(z.Body)), int64(len(z.Body)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		names[f.Name] = b
	}
	var jwk map[string]any
	if !bytes.Equal(names["RSA_EMULATOR.cer"], []byte(der.Body)) || json.Unmarshal(names["RSA_EMULATOR_JWK.jwk"], &jwk) != nil || jwk["kty"] != "RSA" || names["GOST_EMULATOR.cer"] == nil {
		t.Fatalf("esia.zip: %v", jwk)
	}
}

func TestDiagnosticsAdminJSON(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	c.cms = secrettest.CMSOptions{Attached: true}
	code, _ := c.loginFor(false, "openid", "online", "+79990000003")
	c.exchange(false, code, "openid")
	req, _ := http.NewRequest(http.MethodGet, e.base+"/admin/api/esia/diagnostics?client_id="+rpRSA, nil)
	if pg := e.do(req); pg.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", pg.Status)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	pg := e.do(req)
	var out struct {
		Entries []clientsecret.Entry `json:"entries"`
	}
	if err := json.Unmarshal([]byte(pg.Body), &out); err != nil || len(out.Entries) != 2 {
		t.Fatalf("%d %s", pg.Status, pg.Body)
	}
	for _, en := range out.Entries {
		if !en.Accepted || !strings.Contains(strings.Join(en.Oddities, "|"), "attached") || en.Mode != "lenient" {
			t.Fatalf("entry %+v", en)
		}
	}
	html := e.diagnostics("")
	if html.Status != http.StatusOK || !strings.Contains(html.Body, "attached signature") {
		t.Fatalf("page: %d", html.Status)
	}
}

// TestDiagnosticsPageNeedsTheAdminToken (issue 13 item 14): the HTML page follows the JSON's
// rule — the admin token (typed into the form it asks with, or as Bearer), 404 when none is
// configured — and carries the security headers of every page; so do certificate downloads
// (nosniff).
func TestDiagnosticsPageNeedsTheAdminToken(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	c.cms = secrettest.CMSOptions{Attached: true}
	code, _ := c.loginFor(false, "openid", "online", "+79990000003")
	c.exchange(false, code, "openid")

	headers := func(what string, pg *browser.Page) {
		t.Helper()
		if pg.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(pg.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || pg.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: headers %v", what, pg.Header)
		}
	}
	b := e.browser()
	pg := b.Get(e.base + "/esia/diagnostics")
	if pg.Status != http.StatusUnauthorized || strings.Contains(pg.Body, rpRSA) || strings.Contains(pg.Body, "attached") {
		t.Fatalf("without the token: %s", pg.Summary())
	}
	headers("the token form", pg)
	f := b.Form(pg, browser.WithField("admin_token"))
	f.Set("admin_token", "wrong")
	if wrong := b.Submit(f); wrong.Status != http.StatusUnauthorized || strings.Contains(wrong.Body, "attached") {
		t.Fatalf("a wrong token: %s", wrong.Summary())
	}
	f.Set("admin_token", adminToken)
	ok := b.Submit(f)
	if ok.Status != http.StatusOK || !strings.Contains(ok.Body, "attached signature") {
		t.Fatalf("with the token: %s", ok.Summary())
	}
	headers("the diagnostics page", ok)
	// It says what strict refuses of what working clients send, why, and whom it breaks.
	for _, want := range []string{"what secret_check: strict refuses", "standard base64", "sokolovs/esia-oauth2", "inkz/passport-esia", "detached"} {
		if !strings.Contains(ok.Body, want) {
			t.Errorf("the diagnostics page lacks %q", want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, e.base+"/esia/diagnostics", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if pg := e.do(req); pg.Status != http.StatusOK || !strings.Contains(pg.Body, "attached signature") {
		t.Fatalf("with the Bearer token: %s", pg.Summary())
	}
	for _, u := range []string{"/esia/esia.cer", "/esia/esia.pem", "/public/esia.zip"} {
		if pg := e.get(e.base + u); pg.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: headers %v", u, pg.Header)
		}
	}

	off := newEnv(t, func(c *config.Config) { c.AdminToken = "" })
	for _, u := range []string{"/esia/diagnostics", "/admin/api/esia/diagnostics"} {
		if pg := off.get(off.base + u); pg.Status != http.StatusNotFound {
			t.Fatalf("%s without a configured admin token: %s", u, pg.Summary())
		}
	}
}

func TestConfigValidation(t *testing.T) {
	clientKeys(t)
	good := config.ESIAClient{Certificate: secrettest.CertPEM(rsaKey.DER)}
	cases := []struct {
		name string
		e    config.ESIA
		c    config.ESIAClient
		want string
	}{
		{"bad mode", config.ESIA{}, config.ESIAClient{Certificate: good.Certificate, SecretCheck: "paranoid"}, "secret_check"},
		{"bad alg", config.ESIA{}, config.ESIAClient{Certificate: good.Certificate, SigningAlg: "ES256"}, "signing_alg"},
		{"bad level", config.ESIA{}, config.ESIAClient{Certificate: good.Certificate, MinLevel: "gold"}, "min_level"},
		{"bad PEM", config.ESIA{}, config.ESIAClient{Certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}, "certificate"},
		{"bad issuer", config.ESIA{Issuer: "esia.gosuslugi.ru"}, good, "issuer"},
		{"bad public_url", config.ESIA{PublicURL: "ftp://x"}, good, "public_url"},
		{"bad contact type", config.ESIA{Persons: map[string]config.ESIAPerson{"x": {Contacts: []config.ESIAContact{{Type: "FAX"}}}}}, good, "contact type"},
	}
	for _, x := range cases {
		err := x.e.Validate([]config.Client{{ID: "X", RedirectURIs: []string{rpRedir}, ESIA: &x.c}})
		if err == nil || !strings.Contains(err.Error(), x.want) {
			t.Errorf("%s: %v", x.name, err)
		}
	}
	if err := (config.ESIA{}).Validate([]config.Client{{ID: "X", ESIA: &good}}); err != nil {
		t.Fatal(err)
	}
	// An unknown scope is refused when the dialect is built.
	cfg := config.Default()
	cfg.Password.Preset = "test"
	bad := good
	bad.Scopes = []string{"openid", "superpowers"}
	cfg.Clients = append(cfg.Clients, config.Client{ID: "X", RedirectURIs: []string{rpRedir}, ESIA: &bad})
	if _, err := provider.New(t.Context(), provider.Options{Config: cfg, Store: memory.New()}); err == nil || !strings.Contains(err.Error(), "superpowers") {
		t.Fatalf("unknown scope: %v", err)
	}
}

// TestRSAddressesAndPhones: /addrs carries ESIA's address parts (region, city, street, house,
// flat, fiasCode) for the built-in personas, and every home or work phone has ESIA's
// +7(xxx)xxxxxxx form.
func TestRSAddressesAndPhones(t *testing.T) {
	e := newEnv(t)
	phone := regexp.MustCompile(`^\+7\(\d{3}\)\d{7}$`)
	for _, tc := range []struct {
		login, oid, region, city, street, house, flat string
	}{
		{"+79990000002", "1000000002", "Ярославская обл.", "Ярославль", "ул. Советская", "12", "45"},
		{"+79990000003", "1000000003", "Москва", "Москва", "ул. Льва Толстого", "7", "18"},
	} {
		c := e.rp(rpRSA, rsaKey) // a browser of its own per person
		code, _ := c.loginFor(false, "openid addresses contacts", "online", tc.login)
		at := str(c.exchange(false, code, "openid addresses contacts")["access_token"])
		status, m := c.api(at, "/rs/prns/"+tc.oid+"/addrs?embed=(elements)")
		els, _ := m["elements"].([]any)
		if status != http.StatusOK || len(els) != 1 {
			t.Fatalf("%s addrs: %d %v", tc.oid, status, m)
		}
		a := els[0].(map[string]any)
		if a["type"] != "PRG" || a["region"] != tc.region || a["city"] != tc.city || a["street"] != tc.street || a["house"] != tc.house ||
			a["flat"] != tc.flat || !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(str(a["fiasCode"])) || a["countryId"] != "RUS" {
			t.Errorf("%s address: %v", tc.oid, a)
		}
		status, m = c.api(at, "/rs/prns/"+tc.oid+"/ctts?embed=(elements)")
		els, _ = m["elements"].([]any)
		if status != http.StatusOK {
			t.Fatalf("%s ctts: %d %v", tc.oid, status, m)
		}
		for _, el := range els {
			if ct := el.(map[string]any); ct["type"] == "PHN" && !phone.MatchString(str(ct["value"])) {
				t.Errorf("%s: phone %q is not +7(xxx)xxxxxxx", tc.oid, ct["value"])
			}
		}
	}
}
