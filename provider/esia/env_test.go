package esia

import (
	"context"
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
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// The end-to-end environment: the real provider with the ESIA dialect registered, served over
// httptest, with an injected clock. Tests never sleep; they move the clock.

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
	clock  *provider.TravelClock
	store  storage.Store
	p      *provider.Provider
	d      *Dialect
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

func newEnv(t testing.TB, mutate ...func(*config.Config)) *env {
	t.Helper()
	clientKeys(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
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
	)
	for _, m := range mutate {
		m(cfg)
	}
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
	d, err := New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Register(Name, d, d.Mount)
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, base: base, clock: clock, store: store, p: p, d: d, logBuf: logBuf}
}

// browser keeps cookies and stops at any redirect leaving the emulator.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), e.base) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

type page struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (pg page) form(name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(pg.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func (pg page) isLoginForm() bool { return strings.Contains(pg.body, `name="password"`) }
func (pg page) isConsent() bool   { return strings.Contains(pg.body, `action="/login/consent"`) }

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
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
}

func get(t testing.TB, c *http.Client, u string) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return do(t, c, req)
}

func postForm(t testing.TB, c *http.Client, u string, form url.Values) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, c, req)
}

// login submits the login form on pg, then approves the consent page if one is shown.
func (e *env) login(c *http.Client, pg page, login string) page {
	e.t.Helper()
	if !pg.isLoginForm() {
		e.t.Fatalf("expected the login form, got %d location=%q %q", pg.status, pg.location, snippet(pg.body))
	}
	pg = postForm(e.t, c, e.base+"/login", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")},
		"login": {login}, "password": {"Test1234!"}})
	return e.approveConsent(c, pg)
}

func (e *env) approveConsent(c *http.Client, pg page) page {
	e.t.Helper()
	if !pg.isConsent() {
		return pg
	}
	form := url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "decision": {"allow"}}
	for _, m := range regexp.MustCompile(`name="scope" value="([^"]*)" checked`).FindAllStringSubmatch(pg.body, -1) {
		form.Add("scope", html.UnescapeString(m[1]))
	}
	return postForm(e.t, c, e.base+"/login/consent", form)
}

func snippet(s string) string {
	if len(s) > 600 {
		return s[:600]
	}
	return s
}
