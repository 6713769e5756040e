package rp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

// RandomString returns n random base64url characters.
func RandomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// Authz is an authorization request under construction.
type Authz struct {
	Client   suite.RP
	Params   url.Values
	State    string
	Nonce    string
	Verifier string // PKCE code_verifier when PKCE is used
	Post     bool   // send as a POST form instead of a GET
	RawQuery string // when set, sent verbatim (parameter order matters)
}

// NewAuthz is a plain code-flow request: response_type, client_id, redirect_uri, scope, state
// and nonce, no PKCE (the baseline flows of the official suite send none).
func NewAuthz(t *suite.T, c suite.RP, scope string) *Authz {
	a := &Authz{Client: c, State: RandomString(24), Nonce: RandomString(24)}
	a.Params = url.Values{
		"response_type": {"code"},
		"client_id":     {c.ID},
		"redirect_uri":  {c.RedirectURI},
		"scope":         {scope},
		"state":         {a.State},
		"nonce":         {a.Nonce},
	}
	return a
}

func (a *Authz) Set(k, v string) *Authz { a.Params.Set(k, v); return a }

func (a *Authz) Del(k string) *Authz {
	a.Params.Del(k)
	switch k {
	case "nonce":
		a.Nonce = ""
	case "state":
		a.State = ""
	}
	return a
}

// WithState replaces the state with a random one of n characters.
func (a *Authz) WithState(n int) *Authz {
	a.State = RandomString(n)
	a.Params.Set("state", a.State)
	return a
}

// WithPKCE adds an S256 code challenge.
func (a *Authz) WithPKCE() *Authz {
	a.Verifier = RandomString(64)
	h := sha256.Sum256([]byte(a.Verifier))
	a.Params.Set("code_challenge", base64.RawURLEncoding.EncodeToString(h[:]))
	a.Params.Set("code_challenge_method", "S256")
	return a
}

func AuthzRequest(t *suite.T, a *Authz) (*http.Request, error) {
	ep := t.S.Disc.AuthorizationEndpoint
	if a.Post {
		enc := a.Params.Encode()
		req, err := http.NewRequestWithContext(t.Ctx, http.MethodPost, ep, strings.NewReader(enc))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	}
	u, err := url.Parse(ep)
	if err != nil {
		return nil, err
	}
	q := a.RawQuery
	if q == "" {
		q = a.Params.Encode()
	}
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	req, err := http.NewRequestWithContext(t.Ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	return req, nil
}

// Authorize sends the request in browser b and drives the provider's pages (logging in with
// creds when a login form is shown; nil creds never log in).
func Authorize(t *suite.T, b *browser.Browser, a *Authz, creds *Credentials) *AuthOutcome {
	req, err := AuthzRequest(t, a)
	if err != nil {
		t.Fatal("authorization request", "%v", err)
	}
	p, err := b.Do(req)
	if err != nil {
		t.Fatal("authorization request", "%s %s: %v", req.Method, req.URL, err)
	}
	out, err := interact(t.Ctx, b, t.S.O.Form, p, creds)
	if err != nil {
		t.Fatal("login", "%v", err)
	}
	return out
}

// CheckResponseIss checks the RFC 9207 iss parameter of an authorization response.
func CheckResponseIss(t *suite.T, params url.Values) {
	iss, has := params["iss"]
	switch {
	case t.S.Disc.AuthorizationResponseIssParameterSupported:
		t.Check("authorization response iss", has && iss[0] == t.S.O.Issuer, "iss=%q (advertised by authorization_response_iss_parameter_supported)", strings.Join(iss, ","))
	case has:
		t.Check("authorization response iss", iss[0] == t.S.O.Issuer, "iss=%q", iss[0])
	}
}

// ExpectCode requires a successful authorization response at the client's redirect_uri and
// returns the code.
func ExpectCode(t *suite.T, out *AuthOutcome, a *Authz) string {
	p := out.Page
	if p.Redirect == nil {
		why := p.Summary()
		if out.LoginRejected {
			why = "the login form came back after the credentials were submitted (wrong login or password, or the form fields differ): " + why
		}
		t.Fatal("redirect to the client", "%s", why)
	}
	t.Require("redirect to the client", p.RedirectedTo(a.Client.RedirectURI), "redirected to %s, want %s", p.Redirect, a.Client.RedirectURI)
	params := p.Params()
	if e := params.Get("error"); e != "" {
		t.Fatal("authorization response", "error=%s error_description=%q", e, params.Get("error_description"))
	}
	t.Check("state", params.Get("state") == a.State, "state %q, sent %q", params.Get("state"), a.State)
	CheckResponseIss(t, params)
	code := params.Get("code")
	t.Require("authorization code", code != "", "code %s in %s", Presence(code), p.Redirect)
	return code
}

// ExpectUIError checks an authorization error response that means "the user must interact"
// (prompt=none without a usable session).
func ExpectUIError(t *suite.T, out *AuthOutcome, a *Authz) {
	p := out.Page
	if out.LoginShown {
		t.Fatal("no user interaction", "the provider showed a login form instead of answering the client")
	}
	if p.Redirect == nil {
		t.Fatal("error redirect to the client", "%s", p.Summary())
	}
	t.Require("error redirect to the client", p.RedirectedTo(a.Client.RedirectURI), "redirected to %s, want %s", p.Redirect, a.Client.RedirectURI)
	params := p.Params()
	CheckErrorResponse(t, params, a)
	e := params.Get("error")
	t.Check("error requires a user interface", slices.Contains([]string{"login_required", "interaction_required", "consent_required", "account_selection_required"}, e),
		"error=%q, want login_required, interaction_required, consent_required or account_selection_required", e)
}

// CheckErrorResponse is the generic validation of an authorization error response.
func CheckErrorResponse(t *suite.T, params url.Values, a *Authz) {
	e := params.Get("error")
	t.Require("error parameter", e != "", "error %q in %v", e, params)
	t.Check("error value characters", ValidErrorChars(e) && ValidErrorChars(params.Get("error_description")), "error=%q error_description=%q", e, params.Get("error_description"))
	t.Check("no code in an error response", params.Get("code") == "", "code=%q", params.Get("code"))
	if a != nil && a.State != "" {
		t.Check("state", params.Get("state") == a.State, "state %q, sent %q", params.Get("state"), a.State)
	}
	CheckResponseIss(t, params)
}

// ValidErrorChars: RFC 6749 §4.1.2.1 limits error and error_description to %x20-21 / %x23-5B / %x5D-7E.
func ValidErrorChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// VSChars: RFC 6749 Appendix A VSCHAR = %x20-7E.
func VSChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return s != ""
}

// TokenResponse is what the token endpoint answered.
type TokenResponse struct {
	Status  int
	Header  http.Header
	Body    []byte
	JSON    map[string]any
	Access  string
	Type    string
	IDToken string
	Refresh string
}

func (r *TokenResponse) Str(k string) string { s, _ := r.JSON[k].(string); return s }

// TokenCall posts a token request authenticated as the client.
func TokenCall(t *suite.T, c suite.RP, form url.Values) *TokenResponse {
	if c.Post {
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	}
	req, err := http.NewRequestWithContext(t.Ctx, http.MethodPost, t.S.Disc.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal("token request", "%v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if !c.Post {
		// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	status, header, body, err := t.S.Do(req)
	if err != nil {
		t.Fatal("token request", "POST %s: %v", t.S.Disc.TokenEndpoint, err)
	}
	r := &TokenResponse{Status: status, Header: header, Body: body}
	_ = json.Unmarshal(body, &r.JSON)
	r.Access, r.Type, r.IDToken, r.Refresh = r.Str("access_token"), r.Str("token_type"), r.Str("id_token"), r.Str("refresh_token")
	return r
}

// Exchange redeems a code and checks the token response.
func Exchange(t *suite.T, a *Authz, code string) *TokenResponse {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {a.Client.RedirectURI}}
	if a.Verifier != "" {
		form.Set("code_verifier", a.Verifier)
	}
	r := TokenCall(t, a.Client, form)
	CheckTokenResponse(t, r, a.Client, true)
	return r
}

// CheckTokenResponse validates a successful token endpoint response.
func CheckTokenResponse(t *suite.T, r *TokenResponse, c suite.RP, needIDToken bool) {
	t.Require("token endpoint "+c.Method(), r.Status == http.StatusOK, "HTTP %d: %s", r.Status, Snippet(r.Body))
	t.Check("token response content type", suite.IsJSON(r.Header.Get("Content-Type")), "Content-Type %q", r.Header.Get("Content-Type"))
	t.Require("token response is JSON", r.JSON != nil, "%s", Snippet(r.Body))
	t.Require("access_token", r.Access != "", "access_token %s", Presence(r.Access))
	t.Check("token_type Bearer", strings.EqualFold(r.Type, "bearer"), "token_type %q", r.Type)
	if v, ok := r.JSON["expires_in"]; ok {
		n, isNum := v.(float64)
		t.Check("expires_in", isNum && n > 0, "expires_in %v", v)
	}
	if needIDToken {
		t.Require("id_token in the token response", r.IDToken != "", "id_token %s", Presence(r.IDToken))
	}
}

func Snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// CheckNoStore: RFC 6749 §5.1 — a response with tokens MUST carry Cache-Control: no-store.
// The official OIDCC modules do not check it; this suite warns, in the modules about the
// token endpoint only (oidcc-server, oidcc-server-client-secret-post, oidcc-refresh-token).
func CheckNoStore(t *suite.T, r *TokenResponse) {
	cc := strings.ToLower(r.Header.Get("Cache-Control"))
	t.Warn("token response not cached", strings.Contains(cc, "no-store"), "Cache-Control %q (RFC 6749 §5.1: no-store)", r.Header.Get("Cache-Control"))
}

// Flow is a completed code flow.
type Flow struct {
	A    *Authz
	Out  *AuthOutcome
	Code string
	Tok  *TokenResponse
	IDT  *IDToken
}

// Happy runs a whole code flow in browser b: authorization (logging in when asked), code
// exchange, ID token validation.
func Happy(t *suite.T, b *browser.Browser, a *Authz) *Flow {
	return HappyAs(t, b, a, Creds(t))
}

func HappyAs(t *suite.T, b *browser.Browser, a *Authz, creds *Credentials) *Flow {
	out := Authorize(t, b, a, creds)
	return Finish(t, a, out)
}

// Finish completes a flow from the authorization outcome.
func Finish(t *suite.T, a *Authz, out *AuthOutcome) *Flow {
	code := ExpectCode(t, out, a)
	tok := Exchange(t, a, code)
	idt := CheckIDToken(t, tok.IDToken, IDTokenWant{Client: a.Client, Nonce: a.Nonce, Access: tok.Access, Code: code})
	return &Flow{A: a, Out: out, Code: code, Tok: tok, IDT: idt}
}

// Silent runs an authorization that must not show any page and completes it.
func Silent(t *suite.T, b *browser.Browser, a *Authz) *Flow {
	out := Authorize(t, b, a, nil)
	t.Require("no login form (silent)", !out.LoginShown, "login form shown: %t; %s", out.LoginShown, out.Page.Summary())
	return Finish(t, a, out)
}

// UserinfoCall calls the userinfo endpoint: how is "get", "post-header" or "post-body".
func UserinfoCall(t *suite.T, how, access string) (int, http.Header, []byte) {
	ep := t.S.Disc.UserinfoEndpoint
	if ep == "" {
		t.Fatal("userinfo_endpoint", "discovery advertises no userinfo_endpoint")
	}
	var req *http.Request
	var err error
	switch how {
	case "get":
		req, err = http.NewRequestWithContext(t.Ctx, http.MethodGet, ep, nil)
	case "post-header":
		req, err = http.NewRequestWithContext(t.Ctx, http.MethodPost, ep, strings.NewReader(""))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case "post-body":
		req, err = http.NewRequestWithContext(t.Ctx, http.MethodPost, ep, strings.NewReader(url.Values{"access_token": {access}}.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		t.Fatal("userinfo request", "%v", err)
	}
	if how != "post-body" {
		req.Header.Set("Authorization", "Bearer "+access)
	}
	req.Header.Set("Accept", "application/json")
	status, header, body, err := t.S.Do(req)
	if err != nil {
		t.Fatal("userinfo request", "%s %s: %v", req.Method, ep, err)
	}
	return status, header, body
}

// Userinfo calls the endpoint, requires success and returns the claims, checked against the
// ID token's subject.
func Userinfo(t *suite.T, how, access string, idt *IDToken) map[string]any {
	status, header, body := UserinfoCall(t, how, access)
	t.Require("userinfo "+how, status == http.StatusOK, "HTTP %d: %s", status, Snippet(body))
	return UserinfoClaims(t, header, body, idt)
}

func UserinfoClaims(t *suite.T, header http.Header, body []byte, idt *IDToken) map[string]any {
	var claims map[string]any
	ct := header.Get("Content-Type")
	if strings.HasPrefix(strings.ToLower(ct), "application/jwt") {
		j := ParseJWT(t, "userinfo JWT", strings.TrimSpace(string(body)))
		err := VerifySignature(t, j)
		t.Check("userinfo JWT signature", err == nil, "%s", ErrOr(err, "verified against the JWKS"))
		claims = j.Claims
	} else {
		t.Check("userinfo content type", suite.IsJSON(ct), "Content-Type %q", ct)
		if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
			t.Fatal("userinfo is JSON", "%v: %s", err, Snippet(body))
		}
	}
	sub, _ := claims["sub"].(string)
	t.Check("userinfo sub", sub != "", "sub %q; claims %s", sub, Keys(claims))
	if idt != nil {
		t.Check("userinfo sub equals id_token sub", sub == idt.Sub(), "userinfo sub %q, id_token sub %q", sub, idt.Sub())
	}
	return claims
}

func Keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func Presence(s string) string {
	if s == "" {
		return "absent"
	}
	return "present"
}
