package realclients_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/config"
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

	// requireAMR: the login methods every ID token must list (its amr claim); a login without
	// them ends on the cabinet's error page.
	requireAMR []string

	mu      sync.Mutex
	pending map[string]pendingLogin // by state
	logins  []cabinetLogin          // the verified logins, in order
}

// cabinetLogin is what the cabinet learnt from one verified ID token and its userinfo.
type cabinetLogin struct {
	Sub, Name, ACR, Level, Email string
	AMR                          []string
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
<dt>Способы входа (amr)</dt><dd id="claim-amr">{{range $i, $m := .AMR}}{{if $i}} {{end}}{{$m}}{{end}}</dd>
<dt>Уровень учётной записи</dt><dd id="claim-level">{{.Level}}</dd>
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
		Name  string   `json:"name"`
		ACR   string   `json:"acr"`
		AMR   []string `json:"amr"`
		Level string   `json:"level"`
	}
	if err := idt.Claims(&claims); err != nil {
		return err
	}
	for _, m := range c.requireAMR {
		if !slices.Contains(claims.AMR, m) {
			return fmt.Errorf("id_token amr %q lacks %q (this cabinet requires %q)", claims.AMR, m, c.requireAMR)
		}
	}
	ui, err := c.provider.UserInfo(c.ctx(r), oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	if ui.Subject != idt.Subject {
		return fmt.Errorf("userinfo sub %q, id_token sub %q", ui.Subject, idt.Subject)
	}
	login := cabinetLogin{Sub: idt.Subject, Name: claims.Name, ACR: claims.ACR, AMR: claims.AMR, Level: claims.Level, Email: ui.Email}
	c.mu.Lock()
	c.logins = append(c.logins, login)
	c.mu.Unlock()
	return cabinetPages.ExecuteTemplate(w, "claims", login)
}

// verifiedLogins returns the logins the cabinet completed.
func (c *cabinet) verifiedLogins() []cabinetLogin {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.logins)
}

// browserPage is a page a journey passed through.
type browserPage struct {
	URL     string `json:"url"`
	Title   string `json:"title"`
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

// browserResult is what the node/browser-*.mjs journeys print.
type browserResult struct {
	LoginPage    browserPage  `json:"login_page"`
	RegisterPage *browserPage `json:"register_page"`
	CodePage     *browserPage `json:"code_page"`
	Outbox       *struct {
		URL   string `json:"url"`
		Title string `json:"title"`
		Code  string `json:"code"`
		Row   string `json:"row"`
	} `json:"outbox"`
	ConsentShown  bool     `json:"consent_shown"`
	ConsentText   string   `json:"consent_text"`
	FinalURL      string   `json:"final_url"`
	Title         string   `json:"title"`
	Name          string   `json:"name"`
	OID           string   `json:"oid"`
	ACR           string   `json:"acr"`
	AMR           []string `json:"amr"`
	Level         string   `json:"level"`
	Email         string   `json:"email"`
	Text          string   `json:"text"`
	Blocked       []string `json:"blocked"`
	ConsoleErrors []string `json:"console_errors"`
	Steps         []string `json:"steps"`
}

// cabinetSetup is an emulator with a cabinet registered as demo-cabinet's relying party.
type cabinetSetup struct {
	e           *emulator
	rp          *cabinet
	rpURL       string
	redirectURI string
	adminToken  string
}

// startCabinet serves the emulator (with an admin token, for cross-checks through the admin API)
// and a cabinet whose callback is registered for the built-in demo-cabinet client; requireAMR is
// the cabinet's (set before it serves, so no handler reads it while it is written).
func startCabinet(t *testing.T, requireAMR ...string) *cabinetSetup {
	t.Helper()
	return startCabinetWith(t, nil, requireAMR...)
}

// startCabinetWith is startCabinet with more config changes (mutate may be nil).
func startCabinetWith(t *testing.T, mutate func(*config.Config), requireAMR ...string) *cabinetSetup {
	t.Helper()
	// the relying party's address first: its callback is registered with the emulator.
	rpSrv := httptest.NewUnstartedServer(nil)
	s := &cabinetSetup{rpURL: "http://" + rpSrv.Listener.Addr().String(), adminToken: randomString()}
	s.redirectURI = s.rpURL + "/callback"
	s.e = startEmulator(t, func(cfg *config.Config) {
		i := slices.IndexFunc(cfg.Clients, func(c config.Client) bool { return c.ID == "demo-cabinet" })
		if i < 0 {
			t.Fatal("no built-in demo-cabinet client")
		}
		cfg.Clients[i].RedirectURIs = append(slices.Clone(cfg.Clients[i].RedirectURIs), s.redirectURI)
		cfg.AdminToken = s.adminToken
		if mutate != nil {
			mutate(cfg)
		}
	})

	rpHTTP := &http.Client{Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(t.Context(), rpHTTP), 10*time.Second)
	defer cancel()
	prov, err := oidc.NewProvider(ctx, s.e.issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	s.rp = &cabinet{t: t, provider: prov, http: rpHTTP, pending: map[string]pendingLogin{}, requireAMR: requireAMR,
		conf: oauth2.Config{ClientID: "demo-cabinet", ClientSecret: "demo-secret", RedirectURL: s.redirectURI,
			Endpoint: prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
		verifier: prov.Verifier(&oidc.Config{ClientID: "demo-cabinet"}),
	}
	rpSrv.Config.Handler = s.rp
	rpSrv.Config.ReadHeaderTimeout = 10 * time.Second
	rpSrv.Start()
	t.Cleanup(rpSrv.Close)
	return s
}

// outboxMessage is a message as /admin/api/outbox lists it.
type outboxMessage struct {
	Code      string    `json:"code"`
	CreatedAt time.Time `json:"created_at"`
}

// outboxCodes asks the admin API for the codes of one kind sent to an address, newest last.
func (s *cabinetSetup) outboxCodes(t *testing.T, to, kind string) []string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
		s.e.issuer+"/admin/api/outbox?"+url.Values{"to": {to}, "kind": {kind}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("admin outbox: %v", err)
	}
	defer resp.Body.Close()
	var msgs []outboxMessage
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin outbox: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		t.Fatalf("admin outbox: %v", err)
	}
	slices.SortStableFunc(msgs, func(a, b outboxMessage) int { return a.CreatedAt.Compare(b.CreatedAt) })
	var codes []string
	for _, m := range msgs {
		codes = append(codes, m.Code)
	}
	return codes
}

// runJourney runs one node/browser-*.mjs journey with its failure artifacts named artifact
// (stale ones from an earlier run removed first) and returns its result.
func (s *cabinetSetup) runJourney(t *testing.T, script, artifact string, args ...string) browserResult {
	t.Helper()
	artifacts := artifactsDir(t)
	stale, _ := filepath.Glob(filepath.Join(artifacts, artifact+"*"))
	for _, f := range stale { // no stale failure evidence from an earlier run
		_ = os.Remove(f)
	}
	var res browserResult
	args = append(append([]string{s.rpURL + "/"}, args...), t.TempDir(), artifacts)
	if err := runNode(t, 60*time.Second, &res, script, args...); err != nil {
		t.Fatalf("%v\nscreenshots and page HTML (when saved): %s/%s*.{png,html}", err, artifacts, artifact)
	}
	t.Logf("login page %s (%q); claims page %s (%q)", res.LoginPage.URL, res.LoginPage.Title, res.FinalURL, res.Title)
	return res
}

// checkCommon asserts what every journey must end with: the emulator's login form, back at the
// cabinet's callback after the consent page, the name on the page and in one verified login, no
// non-loopback requests and no console errors, one token request.
func (s *cabinetSetup) checkCommon(t *testing.T, res browserResult, wantName string) cabinetLogin {
	t.Helper()
	if !strings.HasPrefix(res.LoginPage.URL, s.e.issuer+"/login") {
		t.Errorf("the login form was at %s, want the emulator's %s/login", res.LoginPage.URL, s.e.issuer)
	}
	if !strings.HasPrefix(res.FinalURL, s.redirectURI) {
		t.Errorf("the journey ended at %s, want the cabinet's %s", res.FinalURL, s.redirectURI)
	}
	if !res.ConsentShown {
		t.Error("the first login to the cabinet did not ask for consent")
	}
	if res.Name != wantName || !strings.Contains(res.Text, wantName) {
		t.Errorf("the cabinet shows name %q, want %q; page text:\n%s", res.Name, wantName, res.Text)
	}
	if len(res.Blocked) > 0 {
		t.Errorf("pages asked for non-loopback resources (aborted): %v", res.Blocked)
	}
	if len(res.ConsoleErrors) > 0 {
		t.Errorf("browser console errors: %v", res.ConsoleErrors)
	}
	if n := len(s.e.requested("/oauth/token")); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	logins := s.rp.verifiedLogins()
	if len(logins) != 1 {
		t.Fatalf("the cabinet verified %d logins, want 1: %+v", len(logins), logins)
	}
	l := logins[0]
	if l.Name != wantName || l.Sub != res.OID {
		t.Errorf("the verified ID token has name %q sub %q; the page shows %q %q", l.Name, l.Sub, res.Name, res.OID)
	}
	return l
}

// checkOutboxCode asserts that the journey read a code from the public outbox page for to, and
// that it is the newest code of kind the emulator sent there.
func (s *cabinetSetup) checkOutboxCode(t *testing.T, res browserResult, to, kind string) {
	t.Helper()
	if res.Outbox == nil || res.Outbox.Code == "" {
		t.Fatalf("the journey read no code from the outbox page: %+v", res.Outbox)
	}
	t.Logf("outbox tab %s, newest row %q", res.Outbox.URL, res.Outbox.Row)
	if want := s.e.issuer + "/outbox?to=" + url.QueryEscape(to); res.Outbox.URL != want {
		t.Errorf("the outbox tab was at %s, want %s", res.Outbox.URL, want)
	}
	if !strings.Contains(res.Outbox.Row, to) || !strings.Contains(res.Outbox.Row, "Код: "+res.Outbox.Code) {
		t.Errorf("the outbox row the code was read from: %q; want %s and «Код: %s»", res.Outbox.Row, to, res.Outbox.Code)
	}
	codes := s.outboxCodes(t, to, kind)
	if len(codes) != 1 || codes[0] != res.Outbox.Code {
		t.Errorf("the outbox page showed code %q; the emulator sent %s codes to %s: %q", res.Outbox.Code, kind, to, codes)
	}
	if n := len(s.e.requested("/outbox")); n != 1 {
		t.Errorf("%d requests for the outbox page, want 1", n)
	}
}

// TestBrowserJourney drives headless Chromium through a cabinet's «Войти через Госуслуги»: the
// relying party's start page, the emulator's login form, and back to the cabinet showing the
// citizen's name and oid from a verified ID token.
func TestBrowserJourney(t *testing.T) {
	needTools(t, true)
	s := startCabinet(t)
	res := s.runJourney(t, "browser-journey.mjs", "realclients-browser-journey",
		personaLogin, personaPassword, personaName)
	l := s.checkCommon(t, res, personaName)
	if res.OID != personaOID {
		t.Errorf("the cabinet shows oid %q, want %q", res.OID, personaOID)
	}
	if slices.Contains(l.AMR, "sms") || slices.Contains(l.AMR, "mfa") {
		t.Errorf("a password-only login has amr %q", l.AMR)
	}
}

// TestBrowserRegistrationJourney registers a new citizen from the login page the cabinet sent the
// browser to: «Зарегистрироваться», the form, the SMS code read from the emulator's outbox page in
// a second tab, and back to the cabinet, after consent, with the new (simplified) account.
func TestBrowserRegistrationJourney(t *testing.T) {
	needTools(t, true)
	s := startCabinet(t)
	// a phone and an e-mail no other account uses; the name and password obey the policy.
	n := mrand.IntN(10000)
	phoneTyped := fmt.Sprintf("+7 912 555 %02d %02d", n/100, n%100) // typed as a person would
	phone := fmt.Sprintf("+7912555%04d", n)                         // as the emulator stores it
	email := fmt.Sprintf("kuzmina.%04d@example.ru", n)
	const last, first, middle, password = "Кузьмина", "Ольга", "Петровна", "Kvartal2024"
	wantName := last + " " + first + " " + middle

	res := s.runJourney(t, "browser-register.mjs", "realclients-browser-register",
		last, first, middle, phoneTyped, email, password)
	l := s.checkCommon(t, res, wantName)

	if res.RegisterPage == nil || !strings.HasPrefix(res.RegisterPage.URL, s.e.issuer+"/register?authRequestID=") {
		t.Errorf("the registration form: %+v, want %s/register?authRequestID=…", res.RegisterPage, s.e.issuer)
	}
	if res.CodePage == nil {
		t.Fatal("the journey reports no code page")
	}
	t.Logf("code page %s (%q)", res.CodePage.URL, res.CodePage.Heading)
	if !strings.Contains(res.CodePage.Text, "Введите код подтверждения, отправленный на") {
		t.Errorf("the code page does not ask for the confirmation code: %+v", *res.CodePage)
	}
	s.checkOutboxCode(t, res, phone, "registration_code")
	if res.OID == "" || res.OID == personaOID {
		t.Errorf("the new citizen's oid is %q", res.OID)
	}
	if l.Level != "simplified" || res.Level != "simplified" {
		t.Errorf("the new account's level: ID token %q, page %q; want simplified", l.Level, res.Level)
	}
	if l.Email != email {
		t.Errorf("userinfo e-mail %q, want %q", l.Email, email)
	}
}

// TestBrowserSecondFactorJourney logs in as the persona asked for an SMS code at every login:
// the password, «Подтверждение входа», the code read from the emulator's outbox page in a second
// tab, consent, and back at the cabinet, which requires amr to list sms and mfa.
func TestBrowserSecondFactorJourney(t *testing.T) {
	needTools(t, true)
	s := startCabinet(t, "sms", "mfa")
	const login, name, oid = "+79990000005", "Соколова Елена Викторовна", "1000000005"

	res := s.runJourney(t, "browser-second-factor.mjs", "realclients-browser-second-factor",
		login, personaPassword, name)
	l := s.checkCommon(t, res, name)

	if res.CodePage == nil {
		t.Fatal("the journey reports no code page")
	}
	t.Logf("code page %s (%q)", res.CodePage.URL, res.CodePage.Heading)
	if res.CodePage.Heading != "Подтверждение входа" {
		t.Errorf("the code page: %+v, want the heading «Подтверждение входа»", *res.CodePage)
	}
	s.checkOutboxCode(t, res, login, "login_code")
	if res.OID != oid {
		t.Errorf("the cabinet shows oid %q, want %q", res.OID, oid)
	}
	for _, m := range []string{"pwd", "sms", "mfa"} {
		if !slices.Contains(l.AMR, m) || !slices.Contains(res.AMR, m) {
			t.Errorf("amr: ID token %q, page %q; want %q in both", l.AMR, res.AMR, m)
		}
	}
	if l.ACR != "urn:esia:acr:2" {
		t.Errorf("acr %q, want urn:esia:acr:2 after a second factor", l.ACR)
	}
}
