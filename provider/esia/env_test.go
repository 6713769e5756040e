package esia_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// The end-to-end environment: the real provider (which builds the ESIA dialect) served over
// httptest, with an injected clock, and the shared test browser. Tests never sleep; they move
// the clock.

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// Registered systems of the environment.
const (
	rpRSA     = "ESIARSA"    // v1/v2, RSA certificate, lenient
	rpStrict  = "ESIASTRICT" // RSA, strict
	rpGOST    = "ESIAGOST"   // GOST certificate, GOST-signed tokens
	rpOff     = "ESIAOFF"    // no certificate, secret_check off
	rpConf    = "ESIACONF"   // admits confirmed accounts only
	rpLimited = "ESIALIM"    // approved for openid and fullname only
	rpNoCert  = "ESIANOCERT" // lenient, but no certificate registered yet: ESIA-007002
	rpRedir   = "http://127.0.0.1:9300/cb"
	rpHome    = "http://127.0.0.1:9300/"
)

// Keys are made once per test binary: RSA key generation is the slow part.
var (
	keysOnce              sync.Once
	rsaKey, strictKey     *secrettest.Key
	gostClientKey, confKy *secrettest.Key
)

func clientKeys(t testing.TB) {
	keysOnce.Do(func() {
		rsaKey, strictKey = secrettest.NewRSAKey(t, rpRSA), secrettest.NewRSAKey(t, rpStrict)
		gostClientKey, confKy = secrettest.NewGOSTKey(t, rpGOST), secrettest.NewRSAKey(t, rpConf)
	})
}

type env struct {
	t      testing.TB
	srv    *httptest.Server
	base   string
	cfg    *config.Config
	clock  *provider.TravelClock
	store  storage.Store
	p      *provider.Provider
	logBuf *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const adminToken = "esia-admin-token"

// testConfig is the environment's configuration for the issuer base, changed by mutate.
func testConfig(t testing.TB, base string, mutate ...func(*config.Config)) *config.Config {
	t.Helper()
	clientKeys(t)
	cfg := config.Default()
	cfg.Issuer = base
	cfg.Password.Preset = "test"
	cfg.AdminToken = adminToken
	esiaClient := func(id string, e config.ESIAClient) config.Client {
		return config.Client{ID: id, Name: "Кабинет " + id, RedirectURIs: []string{rpRedir}, PostLogoutRedirectURIs: []string{rpHome}, ESIA: &e}
	}
	cfg.Clients = append(cfg.Clients,
		esiaClient(rpRSA, config.ESIAClient{Certificate: secrettest.CertPEM(rsaKey.DER)}),
		esiaClient(rpStrict, config.ESIAClient{Certificate: secrettest.CertPEM(strictKey.DER), SecretCheck: "strict"}),
		esiaClient(rpGOST, config.ESIAClient{Certificate: secrettest.CertPEM(gostClientKey.DER), SigningAlg: "GOST3410_2012_256"}),
		esiaClient(rpOff, config.ESIAClient{SecretCheck: "off"}),
		esiaClient(rpConf, config.ESIAClient{Certificate: secrettest.CertPEM(confKy.DER), MinLevel: "confirmed"}),
		esiaClient(rpLimited, config.ESIAClient{Certificate: secrettest.CertPEM(rsaKey.DER), Scopes: []string{"openid", "fullname"}}),
		esiaClient(rpNoCert, config.ESIAClient{}),
	)
	for _, m := range mutate {
		m(cfg)
	}
	return cfg
}

func newEnv(t testing.TB, mutate ...func(*config.Config)) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	cfg := testConfig(t, base, mutate...)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ESIA.Validate(cfg.Clients); err != nil {
		t.Fatal(err)
	}
	clock := provider.NewTravelClock(func() time.Time { return time.Now().Truncate(time.Second) })
	clock.Freeze() // time moves only when a test advances it
	store := memory.New()
	logBuf := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, err := provider.New(context.Background(), provider.Options{Config: cfg, Store: store, Now: clock.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("provider shutdown: %v", err)
		}
	})
	return &env{t: t, srv: srv, base: base, cfg: cfg, clock: clock, store: store, p: p, logBuf: logBuf}
}

// browser is a new browser (its own cookies) for the environment's test; it stays on the
// emulator and stops at any redirect leaving it (to a relying party).
func (e *env) browser() *browser.Test { return e.browserFor(e.t) }

// browserFor is browser for another test (a subtest).
func (e *env) browserFor(t testing.TB) *browser.Test {
	return browser.ForTest(t, browser.New(browser.Options{Client: e.srv.Client(), Stop: []browser.StopRule{browser.Outside(e.base)}}))
}

// get fetches u with a browser of its own (no cookies): downloads, diagnostics.
func (e *env) get(u string) *browser.Page {
	e.t.Helper()
	return e.browser().Get(u)
}

// diagnostics opens /esia/diagnostics?client_id=… as the stand's administrator would: the page
// asks for the admin token, which is typed into its form.
func (e *env) diagnostics(clientID string) *browser.Page {
	e.t.Helper()
	b := e.browser()
	pg := b.Get(e.base + "/esia/diagnostics?client_id=" + url.QueryEscape(clientID))
	f := b.Form(pg, browser.WithField("admin_token"))
	f.Set("admin_token", adminToken)
	return b.Submit(f)
}

// do sends a request built by the test with a browser of its own.
func (e *env) do(req *http.Request) *browser.Page {
	e.t.Helper()
	pg, err := e.browser().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return pg
}

// location is where the page sent the browser off the emulator ("" when it is a page).
func location(pg *browser.Page) string {
	if pg.Redirect == nil {
		return ""
	}
	return pg.Redirect.String()
}

func isLoginForm(pg *browser.Page) bool {
	_, err := pg.Form(browser.ByAction("/login"), browser.WithField("password"))
	return err == nil
}

func isConsent(pg *browser.Page) bool {
	_, err := pg.Form(browser.ByAction("/login/consent"))
	return err == nil
}

// login submits the login form on pg, then approves the consent page if one is shown.
func (e *env) login(b *browser.Test, pg *browser.Page, login string) *browser.Page {
	e.t.Helper()
	if !isLoginForm(pg) {
		e.t.Fatalf("expected the login form, got %s", pg.Summary())
	}
	f := b.Form(pg, browser.ByAction("/login"), browser.WithField("password"))
	return e.approveConsent(b, b.Submit(f.Set("login", login).Set("password", "Test1234!")))
}

// approveConsent allows what the consent page offers (its checked scopes), if pg is one.
func (e *env) approveConsent(b *browser.Test, pg *browser.Page) *browser.Page {
	e.t.Helper()
	if isRoleChoice(pg) { // a person with organisation roles: log in as the private person
		pg = b.Submit(b.Form(pg, browser.ByAction("/login/role")).Check("role", "P"))
	}
	if !isConsent(pg) {
		return pg
	}
	return b.Submit(b.Form(pg, browser.ByAction("/login/consent")), browser.Button("decision", "allow"))
}
