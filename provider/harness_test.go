package provider_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// TestMain silences the engine's default-logger output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// frozenClock is the provider's injected clock in tests: a TravelClock stopped at start, so
// time moves only when a test advances it.
func frozenClock(start time.Time) *provider.TravelClock {
	c := provider.NewTravelClock(func() time.Time { return start })
	c.Freeze()
	return c
}

// env is a provider served over httptest with the built-ins and the cheap password preset.
type env struct {
	t      testing.TB
	srv    *httptest.Server
	issuer string
	clock  *provider.TravelClock
	store  storage.Store
	p      *provider.Provider
}

const adminToken = "test-admin-token"

func newEnv(t testing.TB, mutate ...func(*config.Config)) *env {
	t.Helper()
	return newEnvWithStore(t, memory.New(), mutate...)
}

func newEnvWithStore(t testing.TB, store storage.Store, mutate ...func(*config.Config)) *env {
	t.Helper()
	return newEnvWithOptions(t, store, nil, mutate...)
}

// newEnvWithOptions is newEnvWithStore with a hook on the provider's options (an HTTP client,
// say) before New.
func newEnvWithOptions(t testing.TB, store storage.Store, opts func(*provider.Options), mutate ...func(*config.Config)) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	cfg := config.Default()
	cfg.Issuer = issuer
	cfg.Password.Preset = "test"
	cfg.AdminToken = adminToken
	cfg.Clients = append(cfg.Clients,
		config.Client{ID: "es-client", Secret: "es-secret", SigningAlg: "ES256", RedirectURIs: []string{"http://127.0.0.1:9100/cb"}},
		config.Client{ID: "confirmed-only", Name: "Реестр инвалидов", Secret: "ri-secret", MinLevel: "confirmed", RedirectURIs: []string{"http://127.0.0.1:9200/cb"}},
	)
	for _, m := range mutate {
		m(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	clock := frozenClock(time.Now())
	o := provider.Options{Config: cfg, Store: store, Now: clock.Now, Logger: testLogger}
	if opts != nil {
		opts(&o)
	}
	p, err := provider.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	// Runs before srv.Close: background deliveries (back-channel logout) end with the test.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("provider shutdown: %v", err)
		}
	})
	return &env{t: t, srv: srv, issuer: issuer, clock: clock, store: store, p: p}
}

// rp is a relying party using go-oidc and x/oauth2, with its own browser (cookie jar).
type rp struct {
	e        *env
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	prov     *oidc.Provider
	browser  *browser.Browser
}

func (e *env) rp(clientID, secret, redirect string, b *browser.Browser) *rp {
	e.t.Helper()
	ctx := oidc.ClientContext(context.Background(), e.srv.Client())
	prov, err := oidc.NewProvider(ctx, e.issuer)
	if err != nil {
		e.t.Fatalf("discovery: %v", err)
	}
	if b == nil {
		b = e.browser()
	}
	return &rp{e: e, prov: prov, browser: b,
		conf:     oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirect, Endpoint: prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email", "phone"}},
		verifier: prov.Verifier(&oidc.Config{ClientID: clientID, Now: time.Now}),
	}
}

// browser is a cookie-keeping user agent (the shared test browser) that stops at any redirect
// leaving the provider.
func (e *env) browser() *browser.Browser {
	return browser.New(browser.Options{Client: e.srv.Client(), Stop: []browser.StopRule{browser.Outside(e.issuer)}})
}

// page is a page the browser ended on.
type page struct {
	status   int
	location string // set when the provider redirected away (to the relying party)
	body     string
	pg       *browser.Page
}

func pageOf(p *browser.Page) page {
	pg := page{status: p.Status, body: p.Body, pg: p}
	if p.Redirect != nil {
		pg.location = p.Redirect.String()
	}
	return pg
}

// form is the value of the page's first control named name ("" when there is none).
func (pg page) form(name string) string {
	for _, f := range pg.pg.Forms() {
		if f.Has(name) {
			return f.Get(name)
		}
	}
	return ""
}

func (pg page) isLoginForm() bool {
	_, err := pg.pg.Form(browser.WithField("login", "password"))
	return err == nil
}

func (pg page) query(key string) string {
	u, err := url.Parse(pg.location)
	if err != nil {
		return ""
	}
	return u.Query().Get(key)
}

func do(t testing.TB, c *browser.Browser, req *http.Request) page {
	t.Helper()
	p, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return pageOf(p)
}

func get(t testing.TB, c *browser.Browser, u string) page {
	t.Helper()
	p, err := c.Get(context.Background(), u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return pageOf(p)
}

// post sends a hand-made form (a tampered or replayed request); pages' own forms go through
// submit.
func post(t testing.TB, c *browser.Browser, u string, form url.Values) page {
	t.Helper()
	p, err := c.Post(context.Background(), u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return pageOf(p)
}

// submit fills the page's form found by match with set (name → value) and submits it as a
// browser does, clicking click when given.
func submit(t testing.TB, c *browser.Browser, pg page, match browser.FormMatcher, set map[string]string, click ...browser.Click) page {
	t.Helper()
	f, err := pg.pg.Form(match)
	if err != nil {
		t.Fatalf("%v (page %d %q)", err, pg.status, snippet(pg.body))
	}
	for k, v := range set {
		f.Set(k, v)
	}
	p, err := c.Submit(context.Background(), f, click...)
	if err != nil {
		t.Fatalf("submit %s: %v", f.Action, err)
	}
	return pageOf(p)
}

// submitLogin fills in and submits the login form on pg.
func (e *env) submitLogin(c *browser.Browser, pg page, login, password string) page {
	e.t.Helper()
	if !pg.isLoginForm() {
		e.t.Fatalf("expected the login form, got %d %q", pg.status, snippet(pg.body))
	}
	return submit(e.t, c, pg, browser.WithField("login", "password"), map[string]string{"login": login, "password": password})
}

// isConsent reports whether pg is the consent page.
func (pg page) isConsent() bool {
	_, err := pg.pg.Form(browser.ByAction("/login/consent"))
	return err == nil
}

// approveConsent answers a consent page as a browser would with every box left as it is and
// «Разрешить» clicked; any other page is returned as it is.
func (e *env) approveConsent(c *browser.Browser, pg page) page {
	e.t.Helper()
	if !pg.isConsent() {
		return pg
	}
	return submit(e.t, c, pg, browser.ByAction("/login/consent"), nil, browser.Button("decision", "allow"))
}

func snippet(s string) string {
	if len(s) > 400 {
		return s[:400]
	}
	return s
}

// pkce returns a verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	verifier = oauth2.GenerateVerifier()
	h := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(h[:])
}

// authorize starts a login at the RP and returns the page the browser ends on.
func (r *rp) authorize(opts ...oauth2.AuthCodeOption) page {
	return get(r.e.t, r.browser, r.conf.AuthCodeURL("st-"+r.conf.ClientID, opts...))
}

// loginAs runs a whole login as a persona and returns the code.
func (r *rp) loginAs(login string, opts ...oauth2.AuthCodeOption) string {
	r.e.t.Helper()
	pg := r.e.submitLogin(r.browser, r.authorize(opts...), login, "Test1234!")
	return r.codeFrom(pg)
}

func (r *rp) codeFrom(pg page) string {
	r.e.t.Helper()
	pg = r.e.approveConsent(r.browser, pg)
	if !strings.HasPrefix(pg.location, r.conf.RedirectURL) {
		r.e.t.Fatalf("expected a redirect to %s, got %d location=%q body=%q", r.conf.RedirectURL, pg.status, pg.location, snippet(pg.body))
	}
	if e := pg.query("error"); e != "" {
		r.e.t.Fatalf("relying party got error %s: %s", e, pg.query("error_description"))
	}
	if got := pg.query("state"); got != "st-"+r.conf.ClientID {
		r.e.t.Fatalf("state %q", got)
	}
	if got := pg.query("iss"); got != r.e.issuer {
		r.e.t.Fatalf("RFC 9207 iss %q, want %q", got, r.e.issuer)
	}
	return pg.query("code")
}

func (r *rp) exchange(code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	ctx := oidc.ClientContext(context.Background(), r.e.srv.Client())
	return r.conf.Exchange(ctx, code, opts...)
}

func (r *rp) mustExchange(code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken) {
	r.e.t.Helper()
	tok, err := r.exchange(code, opts...)
	if err != nil {
		r.e.t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(context.Background(), raw)
	if err != nil {
		r.e.t.Fatalf("verify id_token: %v", err)
	}
	return tok, idt
}

func (r *rp) userinfo(tok *oauth2.Token) (*oidc.UserInfo, error) {
	ctx := oidc.ClientContext(context.Background(), r.e.srv.Client())
	return r.prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
}

// tokenCall posts to the token endpoint with Basic auth and returns status and JSON.
func (e *env) tokenCall(clientID, secret string, form url.Values) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(clientID, secret)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// claims decodes a verified ID token's claims.
func claims(t testing.TB, idt *oidc.IDToken) map[string]any {
	t.Helper()
	var m map[string]any
	if err := idt.Claims(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// testLogger is the provider's logger in tests: silent unless ESIA_TEST_LOG=1.
var testLogger = func() *slog.Logger {
	if os.Getenv("ESIA_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}()
