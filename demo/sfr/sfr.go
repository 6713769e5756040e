package sfr

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/esia-emulator/esia-emulator/demo/rpkit"
	"golang.org/x/oauth2"
)

//go:embed page.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "page.html"))

// Scopes the cabinet asks for: who the citizen is and what the fund needs to find their
// individual account (SNILS, birth date).
var Scopes = []string{oidc.ScopeOpenID, "fullname", "birthdate", "gender", "snils"}

// Config is how the cabinet is registered with the identity provider.
type Config struct {
	Issuer       string // the emulator's issuer URL
	ClientID     string
	ClientSecret string
	// BaseURL is where the cabinet is served, without a trailing slash. Registered with the
	// provider: BaseURL+"/callback" (redirect), BaseURL+"/" (post-logout redirect) and
	// BaseURL+"/backchannel-logout" (back-channel logout).
	BaseURL string
	// HTTPClient reaches the provider (nil: http.DefaultClient).
	HTTPClient *http.Client
}

// Cabinet is the Social Fund's cabinet: an http.Handler.
type Cabinet struct {
	cfg        Config
	oauth      oauth2.Config
	provider   *oidc.Provider
	idTokens   *oidc.IDTokenVerifier // ID tokens and logout tokens: both are JWTs with iss, aud, exp
	endSession string
	mux        *http.ServeMux
	sessions   *rpkit.Sessions[session]
}

// session is what the cabinet keeps about a logged-in citizen.
type session struct {
	csrf    string // the logout form's token
	sid     string // the provider's session, for back-channel logout
	sub     string
	idToken string
	claims  map[string]any
	token   *oauth2.Token
}

const (
	loginCookie   = "sfr_login"   // state, nonce and PKCE verifier of a login in progress
	sessionCookie = "sfr_session" // the cabinet's own session
	sessionTTL    = 8 * time.Hour
	maxSessions   = 10000
)

// New reads the provider's discovery document and returns the cabinet.
func New(ctx context.Context, cfg Config) (*Cabinet, error) {
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("sfr: discovery: %w", err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("sfr: discovery: %w", err)
	}
	c := &Cabinet{cfg: cfg, provider: p, endSession: meta.EndSession,
		sessions: rpkit.NewSessions[session](sessionCookie, sessionTTL, maxSessions, nil),
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.BaseURL + "/callback", Scopes: Scopes},
		idTokens: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}), mux: http.NewServeMux()}
	c.mux.HandleFunc("GET /{$}", c.home)
	c.mux.HandleFunc("GET /login", c.login)
	c.mux.HandleFunc("GET /callback", c.callback)
	c.mux.HandleFunc("POST /logout", c.logout)
	c.mux.HandleFunc("POST /backchannel-logout", rpkit.BackchannelLogout(c.verify, c.endSessions))
	return c, nil
}

func (c *Cabinet) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

func (c *Cabinet) ctx(r *http.Request) context.Context {
	if c.cfg.HTTPClient != nil {
		return oidc.ClientContext(r.Context(), c.cfg.HTTPClient)
	}
	return r.Context()
}

// view is what page.html shows.
type view struct {
	Notice   string
	Error    string
	LoggedIn bool
	CSRF     string
	Name     string
	Pension  []rpkit.Row // the data the fund uses
	Claims   []rpkit.Row // the ID token, as received
	UserInfo []rpkit.Row // /userinfo, fetched for this page
}

// home shows the citizen's data: what the ID token said and what /userinfo says now. A token
// the citizen revoked (by withdrawing consent on Gosuslugi) ends the cabinet's session.
func (c *Cabinet) home(w http.ResponseWriter, r *http.Request) {
	v := view{}
	switch r.URL.Query().Get("notice") {
	case "logged-out":
		v.Notice = "Вы вышли из личного кабинета."
	case "ended":
		v.Notice = "Сеанс завершён на Госуслугах: войдите снова."
	}
	s, id := c.sessions.Get(r)
	if s == nil {
		rpkit.Render(w, page, http.StatusOK, v)
		return
	}
	info, err := c.userInfo(r, s)
	if errors.Is(err, errRevoked) {
		c.sessions.End(w, id)
		v.Error = "Доступ к вашим данным отозван на Госуслугах: кабинет больше не может их получить. Чтобы продолжить, войдите снова и разрешите доступ."
		rpkit.Render(w, page, http.StatusOK, v)
		return
	}
	if err != nil {
		v.Error = "Госуслуги сейчас не отвечают: " + err.Error()
	}
	v.LoggedIn, v.CSRF, v.Claims, v.UserInfo = true, s.csrf, rpkit.Rows(s.claims, nil), rpkit.Rows(info, nil)
	v.Name, _ = s.claims["name"].(string)
	for _, k := range []struct{ key, label string }{{"snils", "СНИЛС"}, {"birthdate", "Дата рождения"}, {"gender", "Пол"}} {
		if val, ok := info[k.key]; ok {
			v.Pension = append(v.Pension, rpkit.Row{Key: k.label, Value: fmt.Sprint(val)})
		}
	}
	rpkit.Render(w, page, http.StatusOK, v)
}

var errRevoked = errors.New("the access token was revoked")

// userInfo calls the userinfo endpoint with the session's access token.
func (c *Cabinet) userInfo(r *http.Request, s *session) (map[string]any, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, c.provider.UserInfoEndpoint(), nil)
	if err != nil {
		return nil, err
	}
	s.token.SetAuthHeader(req)
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, errRevoked
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("userinfo: %s", resp.Status)
	}
	var info map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	return info, nil
}

// login starts the authorization code flow with PKCE: state, nonce and verifier go into a
// short-lived HttpOnly cookie that only /callback reads.
func (c *Cabinet) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := rpkit.Random(), rpkit.Random(), oauth2.GenerateVerifier()
	rpkit.SetLogin(w, r, loginCookie, "/callback", state, nonce, verifier)
	http.Redirect(w, r, c.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// callback checks state, trades the code (with the PKCE verifier), verifies the ID token and
// its nonce, and starts the cabinet's session.
func (c *Cabinet) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	login, ok := rpkit.TakeLogin(w, r, loginCookie, "/callback", 3, q.Get("state"))
	if !ok {
		rpkit.Render(w, page, http.StatusBadRequest, view{Error: "Вход не завершён: ответ Госуслуг не относится к этому браузеру. Начните вход заново."})
		return
	}
	nonce, verifier := login[1], login[2]
	if e := q.Get("error"); e != "" {
		msg := "Вход отменён: доступ к данным не предоставлен."
		if e != "access_denied" {
			msg = "Госуслуги вернули ошибку: " + e + " " + q.Get("error_description")
		}
		rpkit.Render(w, page, http.StatusOK, view{Error: msg})
		return
	}
	ctx := c.ctx(r)
	tok, err := c.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		rpkit.Render(w, page, http.StatusBadGateway, view{Error: "Не удалось получить токен: " + err.Error()})
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := c.idTokens.Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		rpkit.Render(w, page, http.StatusBadGateway, view{Error: "ID token не прошёл проверку."})
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		rpkit.Render(w, page, http.StatusBadGateway, view{Error: "ID token не прошёл проверку."})
		return
	}
	sid, _ := claims["sid"].(string)
	if !c.sessions.Start(w, r, &session{csrf: rpkit.Random(), sid: sid, sub: idt.Subject, idToken: raw, claims: claims, token: tok}) {
		rpkit.Render(w, page, http.StatusServiceUnavailable, view{Error: "Кабинет перегружен: попробуйте войти позже."})
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the cabinet's session and sends the browser to the provider's end_session
// endpoint, which ends the Gosuslugi session and comes back to the home page.
func (c *Cabinet) logout(w http.ResponseWriter, r *http.Request) {
	s, id := c.sessions.Get(r)
	if s == nil || subtle.ConstantTimeCompare([]byte(s.csrf), []byte(r.PostFormValue("csrf"))) != 1 {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	c.sessions.End(w, id)
	q := url.Values{"id_token_hint": {s.idToken}, "post_logout_redirect_uri": {c.cfg.BaseURL + "/?notice=logged-out"},
		"client_id": {c.cfg.ClientID}}
	http.Redirect(w, r, c.endSession+"?"+q.Encode(), http.StatusSeeOther)
}

// verify checks ID tokens and logout tokens alike: signature, iss, aud, exp.
func (c *Cabinet) verify(ctx context.Context, raw string) (*oidc.IDToken, error) {
	if c.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, c.cfg.HTTPClient)
	}
	return c.idTokens.Verify(ctx, raw)
}

// endSessions ends every local session of the provider session (sid) a logout token names or,
// without sid, of the citizen (sub).
func (c *Cabinet) endSessions(l rpkit.Logout) {
	c.sessions.EndWhere(func(s *session) bool { return l.Sid != "" && s.sid == l.Sid || l.Sid == "" && s.sub == l.Sub })
}

func (c *Cabinet) client() *http.Client {
	if c.cfg.HTTPClient != nil {
		return c.cfg.HTTPClient
	}
	return http.DefaultClient
}
