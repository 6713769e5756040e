package conformance

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
)

// randomString returns n random base64url characters.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// authz is an authorization request under construction.
type authz struct {
	rp       rp
	params   url.Values
	state    string
	nonce    string
	verifier string // PKCE code_verifier when PKCE is used
	post     bool   // send as a POST form instead of a GET
	rawQuery string // when set, sent verbatim (parameter order matters)
}

// newAuthz is a plain code-flow request: response_type, client_id, redirect_uri, scope, state
// and nonce, no PKCE (the baseline flows of the official suite send none).
func (t *T) newAuthz(c rp, scope string) *authz {
	a := &authz{rp: c, state: randomString(24), nonce: randomString(24)}
	a.params = url.Values{
		"response_type": {"code"},
		"client_id":     {c.ID},
		"redirect_uri":  {c.RedirectURI},
		"scope":         {scope},
		"state":         {a.state},
		"nonce":         {a.nonce},
	}
	return a
}

func (a *authz) set(k, v string) *authz { a.params.Set(k, v); return a }

func (a *authz) del(k string) *authz {
	a.params.Del(k)
	switch k {
	case "nonce":
		a.nonce = ""
	case "state":
		a.state = ""
	}
	return a
}

// withState replaces the state with a random one of n characters.
func (a *authz) withState(n int) *authz {
	a.state = randomString(n)
	a.params.Set("state", a.state)
	return a
}

// withPKCE adds an S256 code challenge.
func (a *authz) withPKCE() *authz {
	a.verifier = randomString(64)
	h := sha256.Sum256([]byte(a.verifier))
	a.params.Set("code_challenge", base64.RawURLEncoding.EncodeToString(h[:]))
	a.params.Set("code_challenge_method", "S256")
	return a
}

func (t *T) authzRequest(a *authz) (*http.Request, error) {
	ep := t.s.disc.AuthorizationEndpoint
	if a.post {
		enc := a.params.Encode()
		req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, ep, strings.NewReader(enc))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		browserHeaders(req)
		return req, nil
	}
	u, err := url.Parse(ep)
	if err != nil {
		return nil, err
	}
	q := a.rawQuery
	if q == "" {
		q = a.params.Encode()
	}
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	req, err := http.NewRequestWithContext(t.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	browserHeaders(req)
	return req, nil
}

func (t *T) creds() *credentials { return &credentials{t.s.o.Login, t.s.o.Password} }

// authorize sends the request in browser b and drives the provider's pages (logging in with
// creds when a login form is shown; nil creds never log in).
func (t *T) authorize(b *browser, a *authz, creds *credentials) *authOutcome {
	req, err := t.authzRequest(a)
	if err != nil {
		t.Fatal("authorization request", "%v", err)
	}
	p, err := b.navigate(req)
	if err != nil {
		t.Fatal("authorization request", "%s %s: %v", req.Method, req.URL, err)
	}
	out, err := b.interact(t.ctx, p, creds)
	if err != nil {
		t.Fatal("login", "%v", err)
	}
	return out
}

// checkResponseIss checks the RFC 9207 iss parameter of an authorization response.
func (t *T) checkResponseIss(params url.Values) {
	iss, has := params["iss"]
	switch {
	case t.s.disc.AuthorizationResponseIssParameterSupported:
		t.Check("authorization response iss", has && iss[0] == t.s.o.Issuer, "iss=%q (advertised by authorization_response_iss_parameter_supported)", strings.Join(iss, ","))
	case has:
		t.Check("authorization response iss", iss[0] == t.s.o.Issuer, "iss=%q", iss[0])
	}
}

// expectCode requires a successful authorization response at the client's redirect_uri and
// returns the code.
func (t *T) expectCode(out *authOutcome, a *authz) string {
	p := out.Page
	if p.Redirect == nil {
		why := p.summary()
		if out.LoginRejected {
			why = "the login form came back after the credentials were submitted (wrong login or password, or the form fields differ): " + why
		}
		t.Fatal("redirect to the client", "%s", why)
	}
	t.Require("redirect to the client", p.redirectedTo(a.rp.RedirectURI), "redirected to %s, want %s", p.Redirect, a.rp.RedirectURI)
	params := p.params()
	if e := params.Get("error"); e != "" {
		t.Fatal("authorization response", "error=%s error_description=%q", e, params.Get("error_description"))
	}
	t.Check("state", params.Get("state") == a.state, "state %q, sent %q", params.Get("state"), a.state)
	t.checkResponseIss(params)
	code := params.Get("code")
	t.Require("authorization code", code != "", "code %s in %s", presence(code), p.Redirect)
	return code
}

// expectUIError checks an authorization error response that means "the user must interact"
// (prompt=none without a usable session).
func (t *T) expectUIError(out *authOutcome, a *authz) {
	p := out.Page
	if out.LoginShown {
		t.Fatal("no user interaction", "the provider showed a login form instead of answering the client")
	}
	if p.Redirect == nil {
		t.Fatal("error redirect to the client", "%s", p.summary())
	}
	t.Require("error redirect to the client", p.redirectedTo(a.rp.RedirectURI), "redirected to %s, want %s", p.Redirect, a.rp.RedirectURI)
	params := p.params()
	t.checkErrorResponse(params, a)
	e := params.Get("error")
	t.Check("error requires a user interface", slices.Contains([]string{"login_required", "interaction_required", "consent_required", "account_selection_required"}, e),
		"error=%q, want login_required, interaction_required, consent_required or account_selection_required", e)
}

// checkErrorResponse is the generic validation of an authorization error response.
func (t *T) checkErrorResponse(params url.Values, a *authz) {
	e := params.Get("error")
	t.Require("error parameter", e != "", "error %q in %v", e, params)
	t.Check("error value characters", validErrorChars(e) && validErrorChars(params.Get("error_description")), "error=%q error_description=%q", e, params.Get("error_description"))
	t.Check("no code in an error response", params.Get("code") == "", "code=%q", params.Get("code"))
	if a != nil && a.state != "" {
		t.Check("state", params.Get("state") == a.state, "state %q, sent %q", params.Get("state"), a.state)
	}
	t.checkResponseIss(params)
}

// validErrorChars: RFC 6749 §4.1.2.1 limits error and error_description to %x20-21 / %x23-5B / %x5D-7E.
func validErrorChars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}

// vschars: RFC 6749 Appendix A VSCHAR = %x20-7E.
func vschars(s string) bool {
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return s != ""
}

// tokenResponse is what the token endpoint answered.
type tokenResponse struct {
	Status  int
	Header  http.Header
	Body    []byte
	JSON    map[string]any
	Access  string
	Type    string
	IDToken string
	Refresh string
}

func (r *tokenResponse) str(k string) string { s, _ := r.JSON[k].(string); return s }

// tokenCall posts a token request authenticated as the client.
func (t *T) tokenCall(c rp, form url.Values) *tokenResponse {
	if c.post {
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	}
	req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, t.s.disc.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal("token request", "%v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if !c.post {
		// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	status, header, body, err := t.s.do(req)
	if err != nil {
		t.Fatal("token request", "POST %s: %v", t.s.disc.TokenEndpoint, err)
	}
	r := &tokenResponse{Status: status, Header: header, Body: body}
	_ = json.Unmarshal(body, &r.JSON)
	r.Access, r.Type, r.IDToken, r.Refresh = r.str("access_token"), r.str("token_type"), r.str("id_token"), r.str("refresh_token")
	return r
}

// exchange redeems a code and checks the token response.
func (t *T) exchange(a *authz, code string) *tokenResponse {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {a.rp.RedirectURI}}
	if a.verifier != "" {
		form.Set("code_verifier", a.verifier)
	}
	r := t.tokenCall(a.rp, form)
	t.checkTokenResponse(r, a.rp, true)
	return r
}

// checkTokenResponse validates a successful token endpoint response.
func (t *T) checkTokenResponse(r *tokenResponse, c rp, needIDToken bool) {
	t.Require("token endpoint "+c.method(), r.Status == http.StatusOK, "HTTP %d: %s", r.Status, snippet(r.Body))
	t.Check("token response content type", isJSON(r.Header.Get("Content-Type")), "Content-Type %q", r.Header.Get("Content-Type"))
	t.Require("token response is JSON", r.JSON != nil, "%s", snippet(r.Body))
	t.Require("access_token", r.Access != "", "access_token %s", presence(r.Access))
	t.Check("token_type Bearer", strings.EqualFold(r.Type, "bearer"), "token_type %q", r.Type)
	if v, ok := r.JSON["expires_in"]; ok {
		n, isNum := v.(float64)
		t.Check("expires_in", isNum && n > 0, "expires_in %v", v)
	}
	if needIDToken {
		t.Require("id_token in the token response", r.IDToken != "", "id_token %s", presence(r.IDToken))
	}
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// checkNoStore: RFC 6749 §5.1 — a response with tokens MUST carry Cache-Control: no-store.
// The official OIDCC modules do not check it; this suite warns, in the modules about the
// token endpoint only (oidcc-server, oidcc-server-client-secret-post, oidcc-refresh-token).
func (t *T) checkNoStore(r *tokenResponse) {
	cc := strings.ToLower(r.Header.Get("Cache-Control"))
	t.Warn("token response not cached", strings.Contains(cc, "no-store"), "Cache-Control %q (RFC 6749 §5.1: no-store)", r.Header.Get("Cache-Control"))
}

// flow is a completed code flow.
type flow struct {
	a     *authz
	out   *authOutcome
	code  string
	tok   *tokenResponse
	idt   *idToken
	creds *credentials
}

// happy runs a whole code flow in browser b: authorization (logging in when asked), code
// exchange, ID token validation.
func (t *T) happy(b *browser, a *authz) *flow {
	return t.happyAs(b, a, t.creds())
}

func (t *T) happyAs(b *browser, a *authz, creds *credentials) *flow {
	out := t.authorize(b, a, creds)
	return t.finish(a, out)
}

// finish completes a flow from the authorization outcome.
func (t *T) finish(a *authz, out *authOutcome) *flow {
	code := t.expectCode(out, a)
	tok := t.exchange(a, code)
	idt := t.checkIDToken(tok.IDToken, idTokenWant{rp: a.rp, nonce: a.nonce, access: tok.Access, code: code})
	return &flow{a: a, out: out, code: code, tok: tok, idt: idt}
}

// silent runs an authorization that must not show any page and completes it.
func (t *T) silent(b *browser, a *authz) *flow {
	out := t.authorize(b, a, nil)
	t.Require("no login form (silent)", !out.LoginShown, "login form shown: %t; %s", out.LoginShown, out.Page.summary())
	return t.finish(a, out)
}

// userinfoCall calls the userinfo endpoint: how is "get", "post-header" or "post-body".
func (t *T) userinfoCall(how, access string) (int, http.Header, []byte) {
	ep := t.s.disc.UserinfoEndpoint
	if ep == "" {
		t.Fatal("userinfo_endpoint", "discovery advertises no userinfo_endpoint")
	}
	var req *http.Request
	var err error
	switch how {
	case "get":
		req, err = http.NewRequestWithContext(t.ctx, http.MethodGet, ep, nil)
	case "post-header":
		req, err = http.NewRequestWithContext(t.ctx, http.MethodPost, ep, strings.NewReader(""))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case "post-body":
		req, err = http.NewRequestWithContext(t.ctx, http.MethodPost, ep, strings.NewReader(url.Values{"access_token": {access}}.Encode()))
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
	status, header, body, err := t.s.do(req)
	if err != nil {
		t.Fatal("userinfo request", "%s %s: %v", req.Method, ep, err)
	}
	return status, header, body
}

// userinfo calls the endpoint, requires success and returns the claims, checked against the
// ID token's subject.
func (t *T) userinfo(how, access string, idt *idToken) map[string]any {
	status, header, body := t.userinfoCall(how, access)
	t.Require("userinfo "+how, status == http.StatusOK, "HTTP %d: %s", status, snippet(body))
	return t.userinfoClaims(header, body, idt)
}

func (t *T) userinfoClaims(header http.Header, body []byte, idt *idToken) map[string]any {
	var claims map[string]any
	ct := header.Get("Content-Type")
	if strings.HasPrefix(strings.ToLower(ct), "application/jwt") {
		j := t.parseJWT("userinfo JWT", strings.TrimSpace(string(body)))
		err := t.verifySignature(j)
		t.Check("userinfo JWT signature", err == nil, "%s", errOr(err, "verified against the JWKS"))
		claims = j.Claims
	} else {
		t.Check("userinfo content type", isJSON(ct), "Content-Type %q", ct)
		if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
			t.Fatal("userinfo is JSON", "%v: %s", err, snippet(body))
		}
	}
	sub, _ := claims["sub"].(string)
	t.Check("userinfo sub", sub != "", "sub %q; claims %s", sub, keys(claims))
	if idt != nil {
		t.Check("userinfo sub equals id_token sub", sub == idt.sub(), "userinfo sub %q, id_token sub %q", sub, idt.sub())
	}
	return claims
}

func keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func presence(s string) string {
	if s == "" {
		return "absent"
	}
	return "present"
}
