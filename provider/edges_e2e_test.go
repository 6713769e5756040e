package provider_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
)

// introspectAs posts token to /oauth/introspect authenticated as clientID (Basic) and returns
// the status and the decoded answer.
func (e *env) introspectAs(clientID, secret, token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestIntrospectionOnlyForTheTokensAudience: a client learns nothing about another client's
// token (issue 13 item 13): demo-cabinet introspecting demo-spa's token gets {"active":false}
// and no claims; demo-cabinet still learns about its own.
func TestIntrospectionOnlyForTheTokensAudience(t *testing.T) {
	e := newEnv(t)
	spa := e.rp("demo-spa", "", spaRedirect, nil)
	verifier, _ := pkce()
	spaTok, _ := spa.mustExchange(spa.loginAs("+79990000003", oauth2.S256ChallengeOption(verifier)), oauth2.VerifierOption(verifier))
	status, got := e.introspectAs("demo-cabinet", "demo-secret", spaTok.AccessToken)
	if status != http.StatusOK || len(got) != 1 || got["active"] != false {
		t.Fatalf("demo-cabinet introspecting demo-spa's token: %d %v, want exactly {\"active\":false}", status, got)
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cabTok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	if _, got := e.introspectAs("demo-cabinet", "demo-secret", cabTok.AccessToken); got["active"] != true || got["snils"] == nil && got["family_name"] == nil {
		t.Fatalf("demo-cabinet introspecting its own token: %v", got)
	}
}

// tokenRequest posts form to the token endpoint, with Basic auth when basic is set, and
// returns the response with its decoded JSON.
func (e *env) tokenRequest(basic *[2]string, form url.Values) (*http.Response, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp, m
}

// TestTokenEndpointAuthenticatesTheClientFirst (issue 13 item 19): RFC 6749 §5.2 — a failed
// client_secret_basic answers 401 with WWW-Authenticate: Basic; an unknown client is
// invalid_client whatever the code, checked before the code.
func TestTokenEndpointAuthenticatesTheClientFirst(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	code := cab.loginAs("+79990000003")
	grant := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cabinetRedirect}}
	}
	for _, tc := range []struct {
		name           string
		basic          *[2]string
		form           url.Values
		status         int
		err            string
		basicChallenge bool
	}{
		{"wrong secret in Basic, real code", &[2]string{"demo-cabinet", "wrong"}, grant(code), 401, "invalid_client", true},
		{"unknown client in Basic, made-up code", &[2]string{"nobody", "x"}, grant("made-up"), 401, "invalid_client", true},
		{"unknown client in the form, made-up code", nil, withForm(grant("made-up"), "client_id", "nobody", "client_secret", "x"), 401, "invalid_client", false},
		{"no client at all, made-up code", nil, grant("made-up"), 401, "invalid_client", false},
		{"wrong secret in the form, real code", nil, withForm(grant(code), "client_id", "demo-cabinet", "client_secret", "wrong"), 401, "invalid_client", false},
		{"right client, made-up code", &[2]string{"demo-cabinet", "demo-secret"}, grant("made-up"), 400, "invalid_grant", false},
	} {
		resp, got := e.tokenRequest(tc.basic, tc.form)
		challenge := resp.Header.Get("WWW-Authenticate")
		if resp.StatusCode != tc.status || got["error"] != tc.err {
			t.Errorf("%s: %d %v, want %d %s", tc.name, resp.StatusCode, got, tc.status, tc.err)
		}
		if tc.basicChallenge && !strings.HasPrefix(challenge, `Basic realm="`) {
			t.Errorf("%s: WWW-Authenticate %q, want a Basic challenge (RFC 6749 §5.2)", tc.name, challenge)
		}
	}
	// The code survived the failed attempts: the right client still redeems it.
	if _, err := cab.exchange(code); err != nil {
		t.Fatalf("the code after refused client attempts: %v", err)
	}
}

func withForm(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestUserinfoWithoutCredentialsCarriesNoErrorCode (issue 13 item 19): RFC 6750 §3.1 — a
// request with no credentials gets a bare Bearer challenge; a bad token gets invalid_token.
func TestUserinfoWithoutCredentialsCarriesNoErrorCode(t *testing.T) {
	e := newEnv(t)
	resp, err := e.srv.Client().Get(e.issuer + "/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	body := new(strings.Builder)
	_, _ = io.Copy(body, resp.Body)
	resp.Body.Close()
	want := `Bearer realm="` + e.issuer + `"`
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != want || strings.Contains(body.String(), "error") {
		t.Fatalf("no credentials: %d %q %q, want 401 %q and no error code", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body, want)
	}
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	resp, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(ch, want+`, error="invalid_token"`) {
		t.Fatalf("bad token: %d %q", resp.StatusCode, ch)
	}
}

// autoBrowser is a browser that submits auto-posting pages (form_post) as a browser with
// scripts would, stopping at anything leaving the provider.
func (e *env) autoBrowser() *browser.Browser {
	return browser.New(browser.Options{Client: e.srv.Client(), AutoSubmit: true, Stop: []browser.StopRule{browser.Outside(e.issuer)}})
}

// responseIn checks that the navigation stopped at redirect carrying its parameters in mode
// (query, fragment or form_post) with iss (RFC 9207), and returns them.
func (e *env) responseIn(t *testing.T, what, mode, redirect string, pg page) url.Values {
	t.Helper()
	p := pg.pg
	if p.Redirect == nil || !p.RedirectedTo(redirect) {
		t.Fatalf("%s: want the response at %s, got %d %q %q", what, redirect, pg.status, pg.location, snippet(pg.body))
	}
	got := "query"
	switch {
	case p.Posted != nil:
		got = "form_post"
	case p.Redirect.RawQuery == "" && p.Redirect.Fragment != "":
		got = "fragment"
	}
	params := p.Params()
	if got != mode {
		t.Fatalf("%s: response in %s, want %s (%v)", what, got, mode, params)
	}
	if params.Get("iss") != e.issuer {
		t.Fatalf("%s (%s): iss %q, want %q (RFC 9207); params %v", what, mode, params.Get("iss"), e.issuer, params)
	}
	return params
}

// TestResponseModes (issue 13 item 17): discovery and behaviour agree on query, fragment and
// form_post; every response, success or error, comes in the requested mode with iss; a mode
// that is not advertised is refused.
func TestResponseModes(t *testing.T) {
	e := newEnv(t)
	resp, err := e.srv.Client().Get(e.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Modes []string `json:"response_modes_supported"`
		Iss   bool     `json:"authorization_response_iss_parameter_supported"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if strings.Join(disc.Modes, " ") != "query fragment form_post" || !disc.Iss {
		t.Fatalf("discovery: response_modes_supported %v, iss %v", disc.Modes, disc.Iss)
	}
	for _, mode := range disc.Modes {
		rm := oauth2.SetAuthURLParam("response_mode", mode)
		// success: a login and consent, the code exchanged.
		cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, e.autoBrowser())
		pg := e.approveConsent(cab.browser, e.submitLogin(cab.browser, cab.authorize(rm), "+79990000003", "Test1234!"))
		params := e.responseIn(t, "login", mode, cabinetRedirect, pg)
		if params.Get("code") == "" || params.Get("state") != "st-demo-cabinet" {
			t.Fatalf("%s: %v", mode, params)
		}
		if _, err := cab.exchange(params.Get("code")); err != nil {
			t.Fatalf("%s: exchange: %v", mode, err)
		}
		// errors: refused by the emulator before the engine, by the engine, and by the citizen.
		params = e.responseIn(t, "invalid_scope", mode, cabinetRedirect, cab.authorize(rm, oauth2.SetAuthURLParam("scope", "openid no-such-scope")))
		if params.Get("error") != "invalid_scope" || params.Get("state") != "st-demo-cabinet" {
			t.Fatalf("%s: %v", mode, params)
		}
		spa := e.rp("demo-spa", "", spaRedirect, e.autoBrowser())
		params = e.responseIn(t, "no PKCE", mode, spaRedirect, spa.authorize(rm))
		if params.Get("error") != "invalid_request" {
			t.Fatalf("%s: %v", mode, params)
		}
		fresh := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, e.autoBrowser())
		pg = e.submitLogin(fresh.browser, fresh.authorize(rm, oauth2.SetAuthURLParam("prompt", "consent")), "+79990000003", "Test1234!")
		if !pg.isConsent() {
			t.Fatalf("%s: no consent page: %d %q", mode, pg.status, snippet(pg.body))
		}
		pg = submit(t, fresh.browser, pg, browser.ByAction("/login/consent"), nil, browser.Button("decision", "deny"))
		if params = e.responseIn(t, "consent denied", mode, cabinetRedirect, pg); params.Get("error") != "access_denied" {
			t.Fatalf("%s: %v", mode, params)
		}
	}
	// the form_post page posts with its one script, allowed by hash and nothing else.
	pg := get(t, e.browser(), e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil).conf.AuthCodeURL("st", oauth2.SetAuthURLParam("response_mode", "form_post"), oauth2.SetAuthURLParam("scope", "openid nope")))
	if csp := pg.pg.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") || pg.pg.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("form_post page headers: %v", pg.pg.Header)
	}
	// modes that are not advertised are refused, in the default mode.
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, e.autoBrowser())
	for _, mode := range []string{"bogus", "query.jwt", "jwt", "form_post.jwt"} {
		params := e.responseIn(t, mode, "query", cabinetRedirect, cab.authorize(oauth2.SetAuthURLParam("response_mode", mode)))
		if params.Get("error") != "invalid_request" || !strings.Contains(params.Get("error_description"), "response_mode") {
			t.Fatalf("response_mode=%s: %v", mode, params)
		}
	}
}

// loggedIn reports whether the browser of r still has an SSO session: prompt=none answers
// with a code rather than login_required.
func (r *rp) loggedIn() bool {
	r.e.t.Helper()
	pg := r.authorize(oauth2.SetAuthURLParam("prompt", "none"))
	return pg.query("code") != ""
}

// TestEndSessionWithoutHintAsks (issue 13 item 18): RP-Initiated Logout 1.0 §2 — a logout
// request without id_token_hint is put to the citizen (one button, a form token bound to the
// browser's session); a cross-site link or a forged POST logs nobody out; with the hint the
// logout is immediate.
func TestEndSessionWithoutHintAsks(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.mustExchange(cab.loginAs("+79990000003"))
	const plru = "http://127.0.0.1:9000/"
	endSession := e.issuer + "/end_session?" + url.Values{"client_id": {"demo-cabinet"}, "post_logout_redirect_uri": {plru}, "state": {"s-1"}}.Encode()

	pg := get(t, cab.browser, endSession)
	if pg.status != http.StatusOK || pg.location != "" || !strings.Contains(pg.body, "Выйти из учётной записи Госуслуг") {
		t.Fatalf("no question: %d %q %q", pg.status, pg.location, snippet(pg.body))
	}
	if h := pg.pg.Header; h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("question page headers: %v", h)
	}
	form, err := pg.pg.Form(browser.WithField("logout", "csrf"))
	if err != nil {
		t.Fatalf("no logout form: %v", err)
	}
	if !cab.loggedIn() {
		t.Fatal("asking logged the citizen out")
	}
	// forged answers: none, or a made-up token.
	for _, csrf := range []string{"", "made-up"} {
		v := url.Values{"client_id": {"demo-cabinet"}, "logout": {"yes"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		if pg := post(t, cab.browser, e.issuer+"/end_session", v); pg.location != "" {
			t.Fatalf("forged POST (csrf %q) redirected: %q", csrf, pg.location)
		}
		if !cab.loggedIn() {
			t.Fatalf("a forged POST (csrf %q) logged the citizen out", csrf)
		}
	}
	// the citizen presses «Выйти»: logged out, back at the registered address with the state.
	p, err := cab.browser.Submit(t.Context(), form, browser.Button("logout", "yes"))
	if err != nil {
		t.Fatal(err)
	}
	if got := pageOf(p); !strings.HasPrefix(got.location, plru) || got.query("state") != "s-1" {
		t.Fatalf("after confirming: %d %q", got.status, got.location)
	}
	if cab.loggedIn() {
		t.Fatal("still logged in after confirming")
	}
	// with id_token_hint: no question.
	cab2 := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab2.mustExchange(cab2.loginAs("+79990000003"))
	hint, _ := tok.Extra("id_token").(string)
	pg = get(t, cab2.browser, e.issuer+"/end_session?"+url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {plru}}.Encode())
	if !strings.HasPrefix(pg.location, plru) || cab2.loggedIn() {
		t.Fatalf("logout with id_token_hint: %d %q", pg.status, pg.location)
	}
}

// TestIntrospectionAndRevocationChallengeAFailedClient: a wrong client secret at
// /oauth/introspect or /revoke is a 401 with the Basic challenge (RFC 7662 §2.1, RFC 7009
// §2.1 refer to RFC 6749 §5.2, which requires it).
func TestIntrospectionAndRevocationChallengeAFailedClient(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/oauth/introspect", "/revoke"} {
		req, _ := http.NewRequest(http.MethodPost, e.issuer+path, strings.NewReader(url.Values{"token": {"whatever"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("demo-cabinet", "wrong-secret")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm="`) {
			t.Errorf("%s: %d, WWW-Authenticate %q", path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
}
