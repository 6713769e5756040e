package provider_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

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
	browser  *http.Client
}

func (e *env) rp(clientID, secret, redirect string, browser *http.Client) *rp {
	e.t.Helper()
	ctx := oidc.ClientContext(context.Background(), e.srv.Client())
	prov, err := oidc.NewProvider(ctx, e.issuer)
	if err != nil {
		e.t.Fatalf("discovery: %v", err)
	}
	if browser == nil {
		browser = e.browser()
	}
	return &rp{e: e, prov: prov, browser: browser,
		conf:     oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirect, Endpoint: prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email", "phone"}},
		verifier: prov.Verifier(&oidc.Config{ClientID: clientID, Now: time.Now}),
	}
}

// browser is a cookie-keeping user agent that stops at any redirect leaving the provider.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), e.issuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// page is a response the browser ended on.
type page struct {
	status   int
	location string // set when the provider redirected away (to the relying party)
	body     string
}

func (pg page) form(name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(pg.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func (pg page) isLoginForm() bool { return strings.Contains(pg.body, `name="password"`) }

func (pg page) query(key string) string {
	u, err := url.Parse(pg.location)
	if err != nil {
		return ""
	}
	return u.Query().Get(key)
}

func do(t testing.TB, c *http.Client, req *http.Request) page {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
}

func get(t testing.TB, c *http.Client, u string) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return do(t, c, req)
}

func post(t testing.TB, c *http.Client, u string, form url.Values) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, c, req)
}

// submitLogin posts the login form on pg.
func (e *env) submitLogin(c *http.Client, pg page, login, password string) page {
	e.t.Helper()
	if !pg.isLoginForm() {
		e.t.Fatalf("expected the login form, got %d %q", pg.status, snippet(pg.body))
	}
	return post(e.t, c, e.issuer+"/login", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")},
		"login": {login}, "password": {password}})
}

// isConsent reports whether pg is the consent page.
func (pg page) isConsent() bool { return strings.Contains(pg.body, `action="/login/consent"`) }

// approveConsent answers a consent page as a browser would with every box left ticked; any
// other page is returned as it is.
func (e *env) approveConsent(c *http.Client, pg page) page {
	e.t.Helper()
	if !pg.isConsent() {
		return pg
	}
	form := url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "decision": {"allow"}}
	for _, m := range regexp.MustCompile(`name="scope" value="([^"]*)" checked`).FindAllStringSubmatch(pg.body, -1) {
		form.Add("scope", html.UnescapeString(m[1]))
	}
	return post(e.t, c, e.issuer+"/login/consent", form)
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
