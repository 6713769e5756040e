package socprot

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/esia-emulator/esia-emulator/demo/rpkit"
)

//go:embed page.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "page.html"))

// Scope the cabinet asks for: the person, their documents, contacts and addresses.
const Scope = "openid fullname birthdate gender snils id_doc contacts addresses"

// TimestampLayout is the timestamp parameter of ESIA's requests.
const TimestampLayout = "2006.01.02 15:04:05 -0700"

// Config is how the system is registered with ESIA.
type Config struct {
	// ESIAURL is ESIA's base URL (the emulator's issuer).
	ESIAURL string
	// ClientID is the system's mnemonic.
	ClientID string
	// Key signs client_secret; its certificate is registered with ESIA.
	Key *rsa.PrivateKey
	// CertificateHash is client_certificate_hash: the registered certificate's GOST R
	// 34.11-2012 hash in upper-case hex, computed once (openssl dgst -md_gost12_256, cpverify).
	CertificateHash string
	// BaseURL is where the cabinet is served, without a trailing slash. Registered with ESIA:
	// BaseURL+"/callback" (redirect), BaseURL+"/?notice=logged-out" (after logout) and
	// BaseURL+"/backchannel-logout".
	BaseURL    string
	HTTPClient *http.Client // nil: http.DefaultClient
}

// Cabinet is the social-protection cabinet: an http.Handler.
type Cabinet struct {
	cfg      Config
	esiaCert *x509.Certificate     // verifies ESIA's tokens (/esia/esia.pem, pinned in production)
	logouts  *oidc.IDTokenVerifier // verifies back-channel logout tokens (the emulator's /keys)
	mux      *http.ServeMux
	sessions *rpkit.Sessions[session]
}

type session struct {
	csrf   string
	oid    string // the citizen's ESIA oid (the ID token's sub)
	access string // the access token for /rs
	claims map[string]any
}

const (
	loginCookie   = "socprot_login"
	sessionCookie = "socprot_session"
	sessionTTL    = 8 * time.Hour
	maxSessions   = 10000
)

// New fetches ESIA's token-signing certificate and returns the cabinet.
func New(ctx context.Context, cfg Config) (*Cabinet, error) {
	c := &Cabinet{cfg: cfg, sessions: rpkit.NewSessions[session](sessionCookie, sessionTTL, maxSessions, nil), mux: http.NewServeMux()}
	body, err := c.get(ctx, cfg.ESIAURL+"/esia/esia.pem", "")
	if err != nil {
		return nil, fmt.Errorf("socprot: ESIA certificate: %w", err)
	}
	block, _ := pem.Decode(body)
	if block == nil {
		return nil, errors.New("socprot: ESIA certificate: no PEM block")
	}
	if c.esiaCert, err = x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("socprot: ESIA certificate: %w", err)
	}
	keyCtx := context.WithoutCancel(ctx) // the key set fetches keys later, on its own
	if cfg.HTTPClient != nil {
		keyCtx = oidc.ClientContext(keyCtx, cfg.HTTPClient)
	}
	keys := oidc.NewRemoteKeySet(keyCtx, cfg.ESIAURL+"/keys")
	c.logouts = oidc.NewVerifier(cfg.ESIAURL, keys, &oidc.Config{ClientID: cfg.ClientID})
	c.mux.HandleFunc("GET /{$}", c.home)
	c.mux.HandleFunc("GET /login", c.login)
	c.mux.HandleFunc("GET /callback", c.callback)
	c.mux.HandleFunc("POST /logout", c.logout)
	// The emulator's logout tokens for ESIA clients carry the oid as sub and no ESIA sid.
	c.mux.HandleFunc("POST /backchannel-logout", rpkit.BackchannelLogout(c.logouts.Verify, func(l rpkit.Logout) {
		c.sessions.EndWhere(func(s *session) bool { return l.Sub != "" && s.oid == l.Sub })
	}))
	return c, nil
}

func (c *Cabinet) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

// clientSecret is ESIA v2/v3's client_secret: the RSA-SHA256 signature over the concatenated
// parameters, base64url.
func (c *Cabinet) clientSecret(parts ...string) (string, error) {
	d := sha256.Sum256([]byte(strings.Join(parts, "")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.cfg.Key, crypto.SHA256, d[:])
	if err != nil {
		return "", fmt.Errorf("sign client_secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sig), nil
}

// login sends the browser to /aas/oauth2/v2/ac with a signed client_secret; state goes into
// an HttpOnly cookie that only /callback reads.
func (c *Cabinet) login(w http.ResponseWriter, r *http.Request) {
	state, ts, redirect := uuid(), time.Now().Format(TimestampLayout), c.cfg.BaseURL+"/callback"
	secret, err := c.clientSecret(c.cfg.ClientID, Scope, ts, state, redirect)
	if err != nil {
		rpkit.Render(w, page, http.StatusInternalServerError, view{Error: err.Error()})
		return
	}
	q := url.Values{"client_id": {c.cfg.ClientID}, "scope": {Scope}, "response_type": {"code"},
		"redirect_uri": {redirect}, "state": {state}, "timestamp": {ts}, "access_type": {"online"},
		"client_secret": {secret}, "client_certificate_hash": {c.cfg.CertificateHash}}
	rpkit.SetLogin(w, r, loginCookie, "/callback", state)
	http.Redirect(w, r, c.cfg.ESIAURL+"/aas/oauth2/v2/ac?"+q.Encode(), http.StatusFound)
}

// tokenAnswer is /aas/oauth2/v3/te's answer.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	State       string `json:"state"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// callback checks state, trades the code at /aas/oauth2/v3/te (a new state and timestamp,
// client_secret signing the code too) and verifies the ID token with ESIA's certificate.
func (c *Cabinet) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, ok := rpkit.TakeLogin(w, r, loginCookie, "/callback", 1, q.Get("state")); !ok {
		rpkit.Render(w, page, http.StatusBadRequest, view{Error: "Вход не завершён: ответ ЕСИА не относится к этому браузеру. Начните вход заново."})
		return
	}
	if e := q.Get("error"); e != "" {
		rpkit.Render(w, page, http.StatusOK, view{Error: "Вход не выполнен: " + e + " " + q.Get("error_description")})
		return
	}
	code, state, ts, redirect := q.Get("code"), uuid(), time.Now().Format(TimestampLayout), c.cfg.BaseURL+"/callback"
	secret, err := c.clientSecret(c.cfg.ClientID, Scope, ts, state, redirect, code)
	if err != nil {
		rpkit.Render(w, page, http.StatusInternalServerError, view{Error: err.Error()})
		return
	}
	form := url.Values{"client_id": {c.cfg.ClientID}, "grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "scope": {Scope}, "state": {state}, "timestamp": {ts}, "token_type": {"Bearer"},
		"client_secret": {secret}, "client_certificate_hash": {c.cfg.CertificateHash}}
	var tok tokenAnswer
	if err := c.postForm(r.Context(), c.cfg.ESIAURL+"/aas/oauth2/v3/te", form, &tok); err != nil || tok.Error != "" {
		rpkit.Render(w, page, http.StatusBadGateway, view{Error: fmt.Sprintf("ЕСИА не выдала токен: %v %s %s", err, tok.Error, tok.Description)})
		return
	}
	claims, err := c.verify(tok.IDToken)
	if err != nil || tok.State != state {
		rpkit.Render(w, page, http.StatusBadGateway, view{Error: "ID token не прошёл проверку."})
		return
	}
	oid := fmt.Sprint(claims["sub"]) // the citizen's oid (a number in ESIA's tokens)
	if !c.sessions.Start(w, r, &session{csrf: rpkit.Random(), oid: oid, access: tok.AccessToken, claims: claims}) {
		rpkit.Render(w, page, http.StatusServiceUnavailable, view{Error: "Кабинет перегружен: попробуйте войти позже."})
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// verify checks an ESIA JWT's RS256 signature with ESIA's certificate, its audience and its
// expiry, and returns its claims.
func (c *Cabinet) verify(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	var header struct{ Alg string }
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" {
		return nil, fmt.Errorf("unexpected header %q: %v", parts[0], err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, err
	}
	key, ok := c.esiaCert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("ESIA's certificate is not RSA")
	}
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, d[:], sig); err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, err
	}
	n, _ := claims["exp"].(json.Number)
	exp, err := n.Int64()
	if err != nil {
		return nil, errors.New("no exp")
	}
	if claims["aud"] != c.cfg.ClientID || time.Now().Unix() > exp {
		return nil, errors.New("wrong audience or expired")
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	return d.Decode(v)
}

type view struct {
	Notice, Error string
	LoggedIn      bool
	CSRF, Name    string
	Person        []rpkit.Row // /rs/prns/{oid}
	Contacts      []rpkit.Row // /ctts
	Documents     []rpkit.Row // /docs
	Addresses     []rpkit.Row // /addrs
	Claims        []rpkit.Row // the ID token
}

var errRevoked = errors.New("the access token was revoked")

// home shows the person's data, read from /rs/prns now with the session's access token.
func (c *Cabinet) home(w http.ResponseWriter, r *http.Request) {
	v := view{}
	if r.URL.Query().Get("notice") == "logged-out" {
		v.Notice = "Вы вышли из личного кабинета."
	}
	s, id := c.sessions.Get(r)
	if s == nil {
		rpkit.Render(w, page, http.StatusOK, v)
		return
	}
	var person map[string]any
	err := c.rs(r.Context(), s, "", &person)
	var ctts, docs, addrs struct{ Elements []map[string]any }
	for _, x := range []struct {
		path string
		into any
	}{{"/ctts", &ctts}, {"/docs", &docs}, {"/addrs", &addrs}} {
		if err == nil {
			err = c.rs(r.Context(), s, x.path+"?embed=(elements)", x.into)
		}
	}
	if errors.Is(err, errRevoked) {
		c.sessions.End(w, id)
		v.Error = "Доступ к вашим данным отозван на Госуслугах: кабинет больше не может их получить. Чтобы продолжить, войдите снова и разрешите доступ."
		rpkit.Render(w, page, http.StatusOK, v)
		return
	}
	if err != nil {
		v.Error = "ЕСИА сейчас не отвечает: " + err.Error()
	}
	v.LoggedIn, v.CSRF, v.Claims, v.Person = true, s.csrf, rpkit.Rows(s.claims, links), rpkit.Rows(person, links)
	v.Name = strings.TrimSpace(fmt.Sprint(person["lastName"], " ", person["firstName"], " ", person["middleName"]))
	for _, e := range ctts.Elements {
		v.Contacts = append(v.Contacts, rpkit.Row{Key: fmt.Sprint(e["type"]), Value: fmt.Sprint(e["value"])})
	}
	for _, e := range docs.Elements {
		v.Documents = append(v.Documents, rpkit.Row{Key: fmt.Sprint(e["type"]), Value: fmt.Sprint(e["series"], " ", e["number"], ", выдан ", e["issueDate"])})
	}
	for _, e := range addrs.Elements {
		v.Addresses = append(v.Addresses, rpkit.Row{Key: fmt.Sprint(e["type"]), Value: fmt.Sprint(e["addressStr"])})
	}
	rpkit.Render(w, page, http.StatusOK, v)
}

// rs reads /rs/prns/{oid}+path into out.
func (c *Cabinet) rs(ctx context.Context, s *session, path string, out any) error {
	body, err := c.get(ctx, c.cfg.ESIAURL+"/rs/prns/"+url.PathEscape(s.oid)+path, s.access)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

// get fetches url (with a Bearer token when given); 401 is errRevoked.
func (c *Cabinet) get(ctx context.Context, u, bearer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, errRevoked
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return body, nil
}

func (c *Cabinet) postForm(ctx context.Context, u string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out)
}

// logout ends the local session and sends the browser to ESIA's /idp/ext/Logout, which ends
// the Gosuslugi session and comes back to the home page.
func (c *Cabinet) logout(w http.ResponseWriter, r *http.Request) {
	s, id := c.sessions.Get(r)
	if s == nil || subtle.ConstantTimeCompare([]byte(s.csrf), []byte(r.PostFormValue("csrf"))) != 1 {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	c.sessions.End(w, id)
	q := url.Values{"client_id": {c.cfg.ClientID}, "redirect_url": {c.cfg.BaseURL + "/?notice=logged-out"}}
	http.Redirect(w, r, c.cfg.ESIAURL+"/idp/ext/Logout?"+q.Encode(), http.StatusSeeOther)
}

func (c *Cabinet) client() *http.Client {
	if c.cfg.HTTPClient != nil {
		return c.cfg.HTTPClient
	}
	return http.DefaultClient
}

// uuid is a random UUID: ESIA's state format.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	s := fmt.Sprintf("%x", b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// links leaves out the links to collections (nested objects other than urn:esia:sbj).
func links(k string, v any) bool {
	_, nested := v.(map[string]any)
	return nested && k != "urn:esia:sbj"
}
