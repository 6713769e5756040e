package testmode

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/oidc"

	"github.com/esia-emulator/esia-emulator/provider/web"

	jose "github.com/go-jose/go-jose/v4"
)

// The login debugger: a relying party built into the emulator. It runs a code + PKCE login
// against the emulator's own endpoints and shows what a cabinet would receive. In test mode it
// serves any configured client (GET /debug picks one; every client accepts
// <issuer>/debug/callback as a redirect URI); outside test mode only the built-in demo clients,
// started from the home page's «Попробовать вход» (TryButtons).

const (
	debugCookie  = "esia_debug"
	pathDebugCB  = "/debug/callback"
	formDebug    = "debug"
	debugPageKey = "debug.title"
)

// debugState travels in a signed, encrypted cookie between the start and the callback.
type debugState struct {
	Client, State, Nonce, Verifier, Request string
}

func (h *Handler) mountDebug(mux *http.ServeMux) {
	if h.Enabled {
		mux.HandleFunc("GET /debug", h.debugPage)
	}
	mux.HandleFunc("POST /debug/start", h.debugStart)
	mux.HandleFunc("GET "+pathDebugCB, h.debugCallback)
}

func (h *Handler) debugRedirect() string { return h.Issuer + pathDebugCB }

func (h *Handler) debugPage(w http.ResponseWriter, r *http.Request) {
	bid, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	v := &web.DebugView{}
	for _, c := range h.ClientConfigs {
		v.Clients = append(v.Clients, c.ID)
	}
	h.Pages.Render(w, r, http.StatusOK, &web.DebugPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: debugPageKey, MainClass: "wide"},
		CSRF: h.Sessions.FormToken(bid, "", formDebug), Debug: v})
}

func (h *Handler) debugStart(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formDebug, h.Pages.Forbidden) {
		return
	}
	cl, ok := h.Clients.Lookup(r.PostFormValue("client"))
	if !ok || !h.Enabled && !h.demoClient(cl.Config.ID) { // outside test mode: the demo clients only
		h.Pages.Message(w, r, http.StatusBadRequest, web.Lang(r, nil), "error.title", "error.badrequest")
		return
	}
	st := debugState{Client: cl.Config.ID, State: h.NewID()[:22], Nonce: h.NewID()[:22], Verifier: h.NewID()}
	sum := sha256.Sum256([]byte(st.Verifier))
	q, err := url.ParseQuery(r.PostFormValue("extra"))
	if err != nil {
		q = url.Values{}
	}
	q.Set("client_id", cl.Config.ID)
	q.Set("redirect_uri", h.debugRedirect())
	q.Set("response_type", "code")
	q.Set("scope", strings.Join(strings.Fields(r.PostFormValue("scope")), " "))
	q.Set("state", st.State)
	q.Set("nonce", st.Nonce)
	q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
	q.Set("code_challenge_method", "S256")
	st.Request = h.Issuer + oidc.PathAuthorize + "?" + q.Encode()
	b, _ := json.Marshal(st)
	if err := h.Sessions.SetCookie(w, debugCookie, string(b), 0); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, st.Request, http.StatusSeeOther)
}

// demoClient reports whether the configured client id is a built-in demo client (judged on
// its configuration, before the registry adds the debugger's callback).
func (h *Handler) demoClient(id string) bool {
	for _, c := range h.ClientConfigs {
		if c.ID == id {
			return config.IsDemoClient(c)
		}
	}
	return false
}

// TryScope is what «Попробовать вход» asks for.
const TryScope = "openid profile email phone"

// TryButtons are the home page's «Попробовать вход» forms, one per built-in demo client, each
// with its form token (the debugger's start checks it).
func (h *Handler) TryButtons(w http.ResponseWriter, r *http.Request) ([]web.TryButton, error) {
	var out []web.TryButton
	bid := ""
	for _, c := range h.ClientConfigs {
		if !config.IsDemoClient(c) {
			continue
		}
		if bid == "" { // once: a fresh browser gets one id, not one per button
			var err error
			if bid, err = h.Sessions.BrowserID(w, r); err != nil {
				return nil, fmt.Errorf("try login: %w", err)
			}
		}
		out = append(out, web.TryButton{ClientID: c.ID, Name: c.Name, Scope: TryScope, CSRF: h.Sessions.FormToken(bid, "", formDebug)})
	}
	return out, nil
}

func (h *Handler) debugCallback(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r, nil)
	var st debugState
	if err := json.Unmarshal([]byte(h.Sessions.ReadCookie(r, debugCookie)), &st); err != nil || st.State == "" {
		h.Pages.Expired(w, r, lang)
		return
	}
	h.Sessions.ClearCookie(w, debugCookie)
	v := &web.DebugView{}
	add := func(title, body string) { v.Sections = append(v.Sections, web.DebugSection{Title: title, Body: body}) }
	add("1. Authorization request", st.Request)
	add("2. Callback", r.URL.String())
	q := r.URL.Query()
	pd := &web.DebugPage{Frame: web.Frame{Lang: lang, Title: debugPageKey, MainClass: "wide"}, Debug: v, Again: "/"}
	if h.Enabled {
		pd.Again = "/debug"
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		// Not this browser's login (a forged or replayed callback): the code is not redeemed.
		pd.Error = "state does not match the request; the code was not exchanged"
		h.Pages.Render(w, r, http.StatusBadRequest, pd)
		return
	}
	if e := q.Get("error"); e != "" {
		pd.Error = e + ": " + q.Get("error_description")
		h.Pages.Render(w, r, http.StatusOK, pd)
		return
	}
	cl := h.Clients.Get(st.Client)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {h.debugRedirect()},
		"code_verifier": {st.Verifier}, "client_id": {st.Client}}
	treq := httptest.NewRequest(http.MethodPost, oidc.PathToken, strings.NewReader(form.Encode())).WithContext(r.Context())
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !cl.Config.Public {
		treq.SetBasicAuth(url.QueryEscape(cl.Config.ID), url.QueryEscape(cl.Config.Secret))
	}
	tres := httptest.NewRecorder()
	h.Site.ServeHTTP(tres, treq)
	add(fmt.Sprintf("3. Token response (HTTP %d)", tres.Code), indentJSON(tres.Body.Bytes()))
	var tr struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	_ = json.Unmarshal(tres.Body.Bytes(), &tr)
	if tr.IDToken != "" {
		add("4. ID token: header, claims, signature", h.describeJWT(tr.IDToken, st.Nonce))
	}
	if tr.AccessToken != "" {
		if strings.Count(tr.AccessToken, ".") == 2 {
			add("5. Access token (JWT)", h.describeJWT(tr.AccessToken, ""))
		}
		ureq := httptest.NewRequest(http.MethodGet, "/userinfo", nil).WithContext(r.Context())
		ureq.Header.Set("Authorization", "Bearer "+tr.AccessToken)
		ures := httptest.NewRecorder()
		h.Site.ServeHTTP(ures, ureq)
		add(fmt.Sprintf("6. Userinfo (HTTP %d)", ures.Code), indentJSON(ures.Body.Bytes()))
	}
	h.Pages.Render(w, r, http.StatusOK, pd)
}

// describeJWT decodes a JWT and checks its signature against the published keys.
func (h *Handler) describeJWT(raw, nonce string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return raw
	}
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	body, _ := base64.RawURLEncoding.DecodeString(parts[1])
	verdict := "signature: NOT verified"
	if jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256}); err == nil {
		for _, k := range h.Keys.Keys() {
			if _, err := jws.Verify(k.Private.Public()); err == nil {
				verdict = "signature: verified with the published key " + k.ID
				break
			}
		}
	}
	if nonce != "" {
		var c struct {
			Nonce string `json:"nonce"`
		}
		_ = json.Unmarshal(body, &c)
		verdict += fmt.Sprintf("; nonce matches: %v", c.Nonce == nonce)
	}
	return indentJSON(head) + "\n" + indentJSON(body) + "\n" + verdict
}

func indentJSON(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}
