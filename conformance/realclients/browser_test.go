package realclients_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/provider/config"
)

// cabinet is a relying party like a government-service cabinet: a start page with «Войти через
// Госуслуги», a code + PKCE + nonce login against the emulator, the exchange and ID-token
// verification server-side with x/oauth2 and go-oidc, and a page showing the claims.
type cabinet struct {
	t        *testing.T
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	provider *oidc.Provider
	http     *http.Client

	mu      sync.Mutex
	pending map[string]pendingLogin // by state
}

type pendingLogin struct{ verifier, nonce string }

// the relying party's cookie; cookies are per host, not per port, so it must not collide with
// the emulator's on the same 127.0.0.1.
const cabinetCookie = "cabinet_login_state"

var cabinetPages = template.Must(template.New("").Parse(`
{{define "start"}}<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Кабинет</title></head>
<body><h1>Личный кабинет</h1><p><a href="/login">Войти через Госуслуги</a></p></body></html>{{end}}
{{define "claims"}}<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Кабинет: вы вошли</title></head>
<body><h1>Вы вошли</h1><dl data-claims>
<dt>ФИО</dt><dd id="claim-name">{{.Name}}</dd>
<dt>oid</dt><dd id="claim-oid">{{.Sub}}</dd>
<dt>Уровень входа (acr)</dt><dd id="claim-acr">{{.ACR}}</dd>
<dt>E-mail (userinfo)</dt><dd id="claim-email">{{.Email}}</dd>
</dl></body></html>{{end}}
{{define "error"}}<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Кабинет: ошибка</title></head>
<body><h1>Ошибка входа</h1><pre id="error">{{.}}</pre></body></html>{{end}}
`))

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *cabinet) ctx(r *http.Request) context.Context {
	return oidc.ClientContext(r.Context(), c.http)
}

func (c *cabinet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch r.URL.Path {
	case "/":
		_ = cabinetPages.ExecuteTemplate(w, "start", nil)
	case "/login":
		state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
		c.mu.Lock()
		c.pending[state] = pendingLogin{verifier: verifier, nonce: nonce}
		c.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: cabinetCookie, Value: state, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, c.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
	case "/callback":
		if err := c.callback(w, r); err != nil {
			c.t.Logf("relying party callback: %v", err)
			w.WriteHeader(http.StatusBadGateway)
			_ = cabinetPages.ExecuteTemplate(w, "error", err.Error())
		}
	default:
		http.NotFound(w, r)
	}
}

func (c *cabinet) callback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return fmt.Errorf("the provider answered %s: %s", e, q.Get("error_description"))
	}
	state := q.Get("state")
	ck, err := r.Cookie(cabinetCookie)
	if err != nil || ck.Value != state {
		return fmt.Errorf("state %q does not match this browser's login (cookie: %v)", state, err)
	}
	c.mu.Lock()
	pl, ok := c.pending[state]
	delete(c.pending, state)
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("unknown state %q", state)
	}
	tok, err := c.conf.Exchange(c.ctx(r), q.Get("code"), oauth2.VerifierOption(pl.verifier))
	if err != nil {
		return fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := c.verifier.Verify(c.ctx(r), raw)
	if err != nil {
		return fmt.Errorf("id_token: %w", err)
	}
	if idt.Nonce != pl.nonce {
		return fmt.Errorf("id_token nonce %q, want %q", idt.Nonce, pl.nonce)
	}
	var claims struct {
		Name string `json:"name"`
		ACR  string `json:"acr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return err
	}
	ui, err := c.provider.UserInfo(c.ctx(r), oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	if ui.Subject != idt.Subject {
		return fmt.Errorf("userinfo sub %q, id_token sub %q", ui.Subject, idt.Subject)
	}
	return cabinetPages.ExecuteTemplate(w, "claims", map[string]string{
		"Name": claims.Name, "Sub": idt.Subject, "ACR": claims.ACR, "Email": ui.Email,
	})
}

// browserResult is what node/browser-journey.mjs prints.
type browserResult struct {
	LoginPage struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	} `json:"login_page"`
	FinalURL      string   `json:"final_url"`
	Title         string   `json:"title"`
	Name          string   `json:"name"`
	OID           string   `json:"oid"`
	Text          string   `json:"text"`
	Blocked       []string `json:"blocked"`
	ConsoleErrors []string `json:"console_errors"`
	ConsentShown  bool     `json:"consent_shown"`
}

// TestBrowserJourney drives headless Chromium through a cabinet's «Войти через Госуслуги»: the
// relying party's start page, the emulator's login form, and back to the cabinet showing the
// citizen's name and oid from a verified ID token.
func TestBrowserJourney(t *testing.T) {
	needTools(t, true)

	// the relying party's address first: its callback is registered with the emulator.
	rpSrv := httptest.NewUnstartedServer(nil)
	rpURL := "http://" + rpSrv.Listener.Addr().String()
	redirectURI := rpURL + "/callback"
	e := startEmulator(t, func(cfg *config.Config) {
		i := slices.IndexFunc(cfg.Clients, func(c config.Client) bool { return c.ID == "demo-cabinet" })
		if i < 0 {
			t.Fatal("no built-in demo-cabinet client")
		}
		cfg.Clients[i].RedirectURIs = append(slices.Clone(cfg.Clients[i].RedirectURIs), redirectURI)
	})

	rpHTTP := &http.Client{Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(t.Context(), rpHTTP), 10*time.Second)
	defer cancel()
	prov, err := oidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	rp := &cabinet{t: t, provider: prov, http: rpHTTP, pending: map[string]pendingLogin{},
		conf: oauth2.Config{ClientID: "demo-cabinet", ClientSecret: "demo-secret", RedirectURL: redirectURI,
			Endpoint: prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
		verifier: prov.Verifier(&oidc.Config{ClientID: "demo-cabinet"}),
	}
	rpSrv.Config.Handler = rp
	rpSrv.Config.ReadHeaderTimeout = 10 * time.Second
	rpSrv.Start()
	t.Cleanup(rpSrv.Close)

	artifacts := artifactsDir(t)
	for _, ext := range []string{".png", ".html"} { // no stale failure evidence from an earlier run
		_ = os.Remove(filepath.Join(artifacts, "realclients-browser-journey"+ext))
	}
	var res browserResult
	err = runNode(t, 60*time.Second, &res, "browser-journey.mjs",
		rpURL+"/", personaLogin, personaPassword, personaName, t.TempDir(), artifacts)
	if err != nil {
		t.Fatalf("%v\nscreenshot and page HTML (when saved): %s/realclients-browser-journey.{png,html}", err, artifacts)
	}
	t.Logf("login page %s (%q); claims page %s (%q)", res.LoginPage.URL, res.LoginPage.Title, res.FinalURL, res.Title)

	if !strings.HasPrefix(res.LoginPage.URL, e.issuer+"/login") {
		t.Errorf("the login form was at %s, want the emulator's %s/login", res.LoginPage.URL, e.issuer)
	}
	if !strings.HasPrefix(res.FinalURL, redirectURI) {
		t.Errorf("the journey ended at %s, want the cabinet's %s", res.FinalURL, redirectURI)
	}
	if !res.ConsentShown {
		t.Error("the first login to the cabinet did not ask for consent")
	}
	if res.Name != personaName || !strings.Contains(res.Text, personaName) {
		t.Errorf("the cabinet shows name %q, want %q; page text:\n%s", res.Name, personaName, res.Text)
	}
	if res.OID != personaOID {
		t.Errorf("the cabinet shows oid %q, want %q", res.OID, personaOID)
	}
	if len(res.Blocked) > 0 {
		t.Errorf("pages asked for non-loopback resources (aborted): %v", res.Blocked)
	}
	if len(res.ConsoleErrors) > 0 {
		t.Errorf("browser console errors: %v", res.ConsoleErrors)
	}
	if n := len(e.requested("/oauth/token")); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}
