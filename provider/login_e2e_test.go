package provider_test

import (
	"encoding/json"
	"net/http"

	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
)

const (
	cabinetRedirect = "http://127.0.0.1:9000/callback"
	spaRedirect     = "http://127.0.0.1:9001/callback"
)

func TestPublicClientPKCELoginVerifiesAgainstJWKS(t *testing.T) {
	e := newEnv(t)
	spa := e.rp("demo-spa", "", spaRedirect, nil)
	verifier, _ := pkce()
	code := spa.loginAs("+7 999 000-00-03", oauth2.S256ChallengeOption(verifier), oidcNonce("n-123"))
	tok, idt := spa.mustExchange(code, oauth2.VerifierOption(verifier))
	c := claims(t, idt)
	if idt.Subject != "1000000003" || c["nonce"] != "n-123" {
		t.Fatalf("sub=%s nonce=%v", idt.Subject, c["nonce"])
	}
	if c["acr"] != "urn:esia:acr:1" {
		t.Fatalf("acr=%v", c["acr"])
	}
	if amr, _ := c["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
		t.Fatalf("amr=%v", c["amr"])
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Fatalf("at_hash: %v", err)
	}
	if c["family_name"] != "Иванова" || c["given_name"] != "Мария" || c["birthdate"] != "1976-06-21" {
		t.Fatalf("profile claims in ID token: %v", c)
	}
	ui, err := spa.userinfo(tok)
	if err != nil {
		t.Fatal(err)
	}
	var uc map[string]any
	_ = ui.Claims(&uc)
	if ui.Subject != "1000000003" || ui.Email != "maria.ivanova@example.ru" || uc["phone_number"] != "+79990000003" || uc["name"] != "Иванова Мария Ивановна" {
		t.Fatalf("userinfo: %v", uc)
	}
	if tok.RefreshToken != "" {
		t.Fatal("a refresh token without offline_access")
	}
}

func TestPublicClientWithoutPKCEIsRefused(t *testing.T) {
	e := newEnv(t)
	spa := e.rp("demo-spa", "", spaRedirect, nil)
	pg := spa.authorize()
	if pg.query("error") != "invalid_request" || !strings.HasPrefix(pg.location, spaRedirect) {
		t.Fatalf("want invalid_request at the redirect, got %d %q", pg.status, pg.location)
	}
}

func TestConfidentialClientLoginWithBasicAndPost(t *testing.T) {
	e := newEnv(t)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
		cab.conf.Endpoint.AuthStyle = style
		code := cab.loginAs("maria.ivanova@example.ru") // no PKCE: conformance baselines send none
		_, idt := cab.mustExchange(code)
		if idt.Subject != "1000000003" {
			t.Fatalf("style %v: sub %s", style, idt.Subject)
		}
	}
}

func TestLoginIdentifiers(t *testing.T) {
	e := newEnv(t)
	for _, login := range []string{"+79990000002", "89990000002", "8 (999) 000-00-02", "000-000-600 02", "00000060002", "Sergey.Petrov@Example.ru"} {
		cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
		_, idt := cab.mustExchange(cab.loginAs(login))
		if idt.Subject != "1000000002" {
			t.Fatalf("%q logged in as %s", login, idt.Subject)
		}
	}
}

// A confirmed INN is a login (the guides name INN among the login's forms); a well-formed INN
// that is nobody's gets the very answer of any unknown login.
func TestLoginByINN(t *testing.T) {
	e := newEnv(t)
	for _, login := range []string{"770123450074", "7701 2345 0074"} {
		cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
		_, idt := cab.mustExchange(cab.loginAs(login))
		if idt.Subject != "1000000003" {
			t.Fatalf("INN %q logged in as %s", login, idt.Subject)
		}
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	wrongINN := e.submitLogin(cab.browser, cab.authorize(), "500100732259", "Test1234!")
	unknown := e.submitLogin(cab.browser, cab.authorize(), "79991234567", "Test1234!")
	norm := func(pg page, login string) string {
		s := strings.ReplaceAll(pg.body, pg.form("authRequestID"), "")
		s = strings.ReplaceAll(s, pg.form("csrf"), "")
		return strings.ReplaceAll(s, login, "")
	}
	for _, pg := range []page{wrongINN, unknown} {
		if pg.status != http.StatusOK || !pg.isLoginForm() || !strings.Contains(pg.body, "Неверный логин или пароль") || pg.location != "" {
			t.Fatalf("want the login form with one message, got %d %q", pg.status, snippet(pg.body))
		}
	}
	if norm(wrongINN, "500100732259") != norm(unknown, "79991234567") {
		a, b := norm(wrongINN, "500100732259"), norm(unknown, "79991234567")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("an INN that is nobody's and an unknown phone get different pages: %q vs %q", a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
			}
		}
		t.Fatal("an INN that is nobody's and an unknown phone get pages of different length")
	}
}

func TestWrongPasswordAndUnknownLoginLookTheSame(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	wrong := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!")
	unknown := e.submitLogin(cab.browser, cab.authorize(), "+79991234567", "Wrong1234!")
	for _, pg := range []page{wrong, unknown} {
		if pg.status != http.StatusOK || !pg.isLoginForm() || !strings.Contains(pg.body, "Неверный логин или пароль") || pg.location != "" {
			t.Fatalf("want the login form with one message, got %d %q", pg.status, snippet(pg.body))
		}
	}
	// The same message, nothing else differs but the echoed login and the request's tokens.
	norm := func(pg page) string {
		s := strings.ReplaceAll(pg.body, pg.form("authRequestID"), "")
		s = strings.ReplaceAll(s, pg.form("csrf"), "")
		s = strings.ReplaceAll(s, "79990000002", "")
		return strings.ReplaceAll(s, "79991234567", "")
	}
	if norm(wrong) != norm(unknown) {
		a, b := norm(wrong), norm(unknown)
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("the pages for a wrong password and an unknown login differ at %q vs %q", a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
			}
		}
		t.Fatal("the pages for a wrong password and an unknown login differ in length")
	}
}

func TestMissingOrWrongCSRFIsRefused(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize()
	id := pg.form("authRequestID")
	for name, csrf := range map[string]string{"missing": "", "wrong": "AAAA"} {
		form := url.Values{"authRequestID": {id}, "login": {"+79990000003"}, "password": {"Test1234!"}}
		if csrf != "" {
			form.Set("csrf", csrf)
		}
		got := post(t, cab.browser, e.issuer+"/login", form)
		if got.status != http.StatusForbidden || got.location != "" || !strings.Contains(got.body, "Запрос отклонён") {
			t.Fatalf("%s CSRF: %d %q", name, got.status, got.location)
		}
	}
	// A valid token from another browser is refused too.
	other := e.browser()
	got := post(t, other, e.issuer+"/login", url.Values{"authRequestID": {id}, "csrf": {pg.form("csrf")}, "login": {"+79990000003"}, "password": {"Test1234!"}})
	if got.status != http.StatusForbidden {
		t.Fatalf("CSRF token of another browser: %d", got.status)
	}
	// The original browser still logs in.
	cab.codeFrom(e.submitLogin(cab.browser, pg, "+79990000003", "Test1234!"))
}

// TestAFormTokenWorksOnlyAtItsOwnStep posts one step's valid form token (same browser, same
// request) to the other steps: each is refused with 403, and the right step still works.
func TestAFormTokenWorksOnlyAtItsOwnStep(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	login := cab.authorize()
	id, loginToken := login.form("authRequestID"), login.form("csrf")
	consentPage := e.submitLogin(cab.browser, login, "+79990000003", "Test1234!")
	if !consentPage.isConsent() {
		t.Fatalf("want the consent page, got %d %s", consentPage.status, snippet(consentPage.body))
	}
	consentToken := consentPage.form("csrf")
	if consentToken == loginToken {
		t.Fatal("the login and consent steps share a form token")
	}
	for _, tc := range []struct {
		step, path, token string
		extra             url.Values
	}{
		{"login's token at consent", "/login/consent", loginToken, url.Values{"decision": {"allow"}}},
		{"login's token at the level page", "/login/deny", loginToken, nil},
		{"login's token at the second factor", "/login/code", loginToken, url.Values{"code": {"123456"}}},
		{"consent's token at the password step", "/login", consentToken, url.Values{"login": {"+79990000003"}, "password": {"Test1234!"}}},
		{"consent's token at the level page", "/login/deny", consentToken, nil},
	} {
		form := url.Values{"authRequestID": {id}, "csrf": {tc.token}}
		for k, v := range tc.extra {
			form[k] = v
		}
		got := post(t, cab.browser, e.issuer+tc.path, form)
		if got.status != http.StatusForbidden || got.location != "" || !strings.Contains(got.body, "Запрос отклонён") {
			t.Errorf("%s: %d location=%q, want 403", tc.step, got.status, got.location)
		}
	}
	cab.mustExchange(cab.codeFrom(consentPage))
}

func TestUnregisteredRedirectURIShowsAnErrorPageAndDoesNotRedirect(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for name, q := range map[string]url.Values{
		"unregistered redirect": {"client_id": {"demo-cabinet"}, "redirect_uri": {"http://evil.example/cb"}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}},
		"modified redirect":     {"client_id": {"demo-cabinet"}, "redirect_uri": {cabinetRedirect + "?x=1"}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}},
		"unknown client":        {"client_id": {"nobody"}, "redirect_uri": {cabinetRedirect}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}},
	} {
		pg := get(t, b, e.issuer+"/authorize?"+q.Encode())
		if pg.status != http.StatusBadRequest || pg.location != "" || !strings.Contains(pg.body, "<html") || !strings.Contains(pg.body, "Ошибка") {
			t.Fatalf("%s: want a 400 error page, got %d location=%q body=%q", name, pg.status, pg.location, snippet(pg.body))
		}
	}
}

func TestPKCEMismatchIsInvalidGrant(t *testing.T) {
	e := newEnv(t)
	spa := e.rp("demo-spa", "", spaRedirect, nil)
	verifier, _ := pkce()
	code := spa.loginAs("+79990000003", oauth2.S256ChallengeOption(verifier))
	status, body := e.tokenCall("demo-spa", "", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {spaRedirect}, "client_id": {"demo-spa"}, "code_verifier": {oauth2.GenerateVerifier()}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("PKCE mismatch: %d %v", status, body)
	}
}

func TestCodeReuseIsRefusedAndRevokesItsTokens(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	code := cab.loginAs("+79990000003")
	tok, _ := cab.mustExchange(code)
	if _, err := cab.userinfo(tok); err != nil {
		t.Fatalf("userinfo before reuse: %v", err)
	}
	status, body := e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cabinetRedirect}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("reused code: %d %v", status, body)
	}
	if _, err := cab.userinfo(tok); err == nil {
		t.Fatal("the access token from a reused code still works")
	}
}

func TestCodeExpires(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	code := cab.loginAs("+79990000003")
	e.clock.Advance(61 * time.Second)
	if _, err := cab.exchange(code); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("expired code: %v", err)
	}
}

func TestRefreshRotationAndReplay(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.conf.Scopes = append(cab.conf.Scopes, "offline_access")
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	refresh := func(rt string) (int, map[string]any) {
		return e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	}
	status, second := refresh(tok.RefreshToken)
	if status != http.StatusOK || second["refresh_token"] == "" || second["refresh_token"] == tok.RefreshToken || second["id_token"] == nil {
		t.Fatalf("refresh: %d %v", status, second)
	}
	if _, err := cab.verifier.Verify(t.Context(), second["id_token"].(string)); err != nil {
		t.Fatalf("refreshed id_token: %v", err)
	}
	// Another client cannot use the refresh token.
	if status, body := e.tokenCall("es-client", "es-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second["refresh_token"].(string)}}); status == http.StatusOK {
		t.Fatalf("refresh by another client: %v", body)
	}
	// Replaying the first refresh token fails and revokes the whole family.
	if status, body := refresh(tok.RefreshToken); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("replayed refresh token: %d %v", status, body)
	}
	if status, body := refresh(second["refresh_token"].(string)); status != http.StatusBadRequest {
		t.Fatalf("the rotated token survived a replay: %d %v", status, body)
	}
	if _, err := cab.userinfo(&oauth2.Token{AccessToken: second["access_token"].(string), TokenType: "Bearer"}); err == nil {
		t.Fatal("access token of a revoked family still works")
	}
}

func TestRevocation(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.conf.Scopes = append(cab.conf.Scopes, "offline_access")
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	revoke := func(token, hint string) int {
		req, _ := http.NewRequest(http.MethodPost, e.issuer+"/revoke", strings.NewReader(url.Values{"token": {token}, "token_type_hint": {hint}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("demo-cabinet", "demo-secret")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := revoke(tok.AccessToken, "access_token"); s != http.StatusOK {
		t.Fatalf("revoke access token: %d", s)
	}
	if _, err := cab.userinfo(tok); err == nil {
		t.Fatal("revoked access token still works")
	}
	if s := revoke(tok.RefreshToken, "refresh_token"); s != http.StatusOK {
		t.Fatalf("revoke refresh token: %d", s)
	}
	if status, _ := e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}); status == http.StatusOK {
		t.Fatal("revoked refresh token still works")
	}
	if s := revoke("garbage", ""); s != http.StatusOK {
		t.Fatalf("revoking an unknown token must answer 200 (RFC 7009), got %d", s)
	}
}

func TestSSOAcrossRelyingPartiesAndPromptNone(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	// Outside a session prompt=none fails with login_required at the RP.
	pg := cab.authorize(oauth2.SetAuthURLParam("prompt", "none"))
	if pg.query("error") != "login_required" || pg.query("state") != "st-demo-cabinet" {
		t.Fatalf("prompt=none without a session: %q", pg.location)
	}
	_, first := cab.mustExchange(cab.loginAs("+79990000003"))
	// Inside the session: prompt=none gives a code silently.
	_, idt := cab.mustExchange(cab.codeFrom(cab.authorize(oauth2.SetAuthURLParam("prompt", "none"))))
	if idt.Subject != first.Subject || !authTime(t, idt).Equal(authTime(t, first)) {
		t.Fatalf("silent login: sub %s auth_time %v vs %v", idt.Subject, authTime(t, idt), authTime(t, first))
	}
	// A second relying party in the same browser gets a code with no page.
	es := e.rp("es-client", "es-secret", "http://127.0.0.1:9100/cb", cab.browser)
	_, esIDT := es.mustExchange(es.codeFrom(es.authorize()))
	if esIDT.Subject != first.Subject {
		t.Fatal("SSO gave another subject")
	}
}

func TestES256Client(t *testing.T) {
	e := newEnv(t)
	es := e.rp("es-client", "es-secret", "http://127.0.0.1:9100/cb", nil)
	tok, err := es.exchange(es.loginAs("+79990000003"))
	if err != nil {
		t.Fatal(err)
	}
	raw := tok.Extra("id_token").(string)
	if !strings.HasPrefix(raw, "eyJhbGciOiJFUzI1NiI") {
		t.Fatalf("not ES256: %s", raw[:30])
	}
	v := es.prov.VerifierContext(t.Context(), &oidcConfig{ClientID: "es-client", SupportedSigningAlgs: []string{"ES256"}})
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("ES256 id_token against JWKS: %v", err)
	}
}

func TestPromptLoginAndMaxAgeForceANewLogin(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	_, first := cab.mustExchange(cab.loginAs("+79990000003"))

	e.clock.Advance(2 * time.Minute)
	pg := cab.authorize(oauth2.SetAuthURLParam("prompt", "login"))
	if !pg.isLoginForm() {
		t.Fatal("prompt=login did not show the login form")
	}
	_, second := cab.mustExchange(cab.codeFrom(e.submitLogin(cab.browser, pg, "+79990000003", "Test1234!")))
	if !authTime(t, second).After(authTime(t, first)) {
		t.Fatalf("prompt=login: auth_time %v not after %v", authTime(t, second), authTime(t, first))
	}

	// max_age larger than the session's age: silent.
	e.clock.Advance(30 * time.Second)
	_, third := cab.mustExchange(cab.codeFrom(cab.authorize(oauth2.SetAuthURLParam("max_age", "10000"))))
	if !authTime(t, third).Equal(authTime(t, second)) {
		t.Fatal("max_age=10000 forced a new login")
	}
	// max_age smaller: the form again, then a later auth_time.
	pg = cab.authorize(oauth2.SetAuthURLParam("max_age", "1"))
	if !pg.isLoginForm() {
		t.Fatal("max_age=1 did not show the login form")
	}
	_, fourth := cab.mustExchange(cab.codeFrom(e.submitLogin(cab.browser, pg, "+79990000003", "Test1234!")))
	if !authTime(t, fourth).After(authTime(t, second)) {
		t.Fatal("max_age=1: auth_time not later")
	}
	// prompt=none with an exceeded max_age is login_required.
	e.clock.Advance(5 * time.Second)
	pg = cab.authorize(oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("max_age", "1"))
	if pg.query("error") != "login_required" {
		t.Fatalf("prompt=none max_age=1: %q", pg.location)
	}
}

func TestSessionIdleAndAbsoluteTimeouts(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.loginAs("+79990000003")
	silent := func() string { return cab.authorize(oauth2.SetAuthURLParam("prompt", "none")).query("error") }
	// Activity every 14 minutes keeps the session for its absolute lifetime of 3 hours.
	for range 12 {
		e.clock.Advance(14 * time.Minute)
		if got := silent(); got != "" {
			t.Fatalf("session ended early: %s", got)
		}
	}
	e.clock.Advance(14 * time.Minute) // 3h 2min after login
	if got := silent(); got != "login_required" {
		t.Fatalf("absolute lifetime: %q", got)
	}
	cab.loginAs("+79990000003")
	e.clock.Advance(15*time.Minute + time.Second)
	if got := silent(); got != "login_required" {
		t.Fatalf("idle timeout: %q", got)
	}
}

func TestEndSession(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}, "post_logout_redirect_uri": {"http://127.0.0.1:9000/"}, "state": {"bye"}}
	pg := get(t, cab.browser, e.issuer+"/end_session?"+q.Encode())
	if !strings.HasPrefix(pg.location, "http://127.0.0.1:9000/") || pg.query("state") != "bye" {
		t.Fatalf("end_session redirect: %d %q %q", pg.status, pg.location, snippet(pg.body))
	}
	if got := cab.authorize(oauth2.SetAuthURLParam("prompt", "none")).query("error"); got != "login_required" {
		t.Fatalf("after logout prompt=none gave %q", got)
	}
	// An unregistered post_logout_redirect_uri: a page, no redirect.
	cab.loginAs("+79990000003")
	q.Set("post_logout_redirect_uri", "http://evil.example/")
	pg = get(t, cab.browser, e.issuer+"/end_session?"+q.Encode())
	if pg.location != "" || pg.status < 400 {
		t.Fatalf("unregistered post_logout_redirect_uri: %d %q", pg.status, pg.location)
	}
	// No parameters: the citizen is asked (RP-Initiated Logout 1.0 §2); confirmed, logged out
	// and a page that says so.
	pg = get(t, cab.browser, e.issuer+"/end_session")
	pg = submit(t, cab.browser, pg, browser.WithField("logout"), nil, browser.Button("logout", "yes"))
	if pg.status != http.StatusOK || !strings.Contains(pg.body, "Вы вышли") {
		t.Fatalf("bare end_session: %d %q", pg.status, snippet(pg.body))
	}
	if got := cab.authorize(oauth2.SetAuthURLParam("prompt", "none")).query("error"); got != "login_required" {
		t.Fatalf("after bare logout prompt=none gave %q", got)
	}
}

func TestSuspendedAccountCannotLogIn(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000006", "Test1234!")
	if pg.location != "" {
		t.Fatalf("suspended account got a redirect: %q", pg.location)
	}
	// The redirect after the password leads to the page with the reason.
	if pg.status != http.StatusForbidden || !strings.Contains(pg.body, "Учётная запись заблокирована") || !strings.Contains(pg.body, "по заявлению владельца") {
		t.Fatalf("suspended page: %d %q", pg.status, snippet(pg.body))
	}
}

func TestClientRequiringConfirmedAccount(t *testing.T) {
	e := newEnv(t)
	ri := e.rp("confirmed-only", "ri-secret", "http://127.0.0.1:9200/cb", nil)
	pg := e.submitLogin(ri.browser, ri.authorize(), "+79990000002", "Test1234!") // standard account
	if pg.status != http.StatusForbidden || !strings.Contains(pg.body, "подтверждённой учётной записью") {
		t.Fatalf("level page: %d %q", pg.status, snippet(pg.body))
	}
	back := post(t, ri.browser, e.issuer+"/login/deny", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}})
	if back.query("error") != "access_denied" || back.query("state") != "st-confirmed-only" {
		t.Fatalf("back to the RP: %q", back.location)
	}
	// A confirmed account goes through.
	ri2 := e.rp("confirmed-only", "ri-secret", "http://127.0.0.1:9200/cb", nil)
	ri2.mustExchange(ri2.loginAs("+79990000003"))
}

func TestPromptConsentAsksAndDenyIsAccessDenied(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(oauth2.SetAuthURLParam("prompt", "consent")), "+79990000003", "Test1234!")
	if !strings.Contains(pg.body, `name="decision"`) || !strings.Contains(pg.body, "Фамилия, имя, отчество, дата рождения и пол") {
		t.Fatalf("consent page: %d %q", pg.status, snippet(pg.body))
	}
	denied := post(t, cab.browser, e.issuer+"/login/consent", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "decision": {"deny"}})
	if denied.query("error") != "access_denied" {
		t.Fatalf("deny: %q", denied.location)
	}
	pg = cab.authorize(oauth2.SetAuthURLParam("prompt", "consent"))
	allowed := post(t, cab.browser, e.issuer+"/login/consent", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "decision": {"allow"}})
	cab.mustExchange(cab.codeFrom(allowed))
}

func TestEnglishPageByUILocales(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize(oauth2.SetAuthURLParam("ui_locales", "en"))
	if !strings.Contains(pg.body, `lang="en"`) || !strings.Contains(pg.body, "Password") {
		t.Fatalf("ui_locales=en: %q", snippet(pg.body))
	}
	req, _ := http.NewRequest(http.MethodGet, cab.conf.AuthCodeURL("st-demo-cabinet"), nil)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	if pg := do(t, e.browser(), req); !strings.Contains(pg.body, `lang="ru"`) || !strings.Contains(pg.body, "Пароль") {
		t.Fatal("an English browser got an English page: Russian is the default whatever Accept-Language says")
	}
	if pg := cab.authorize(); !strings.Contains(pg.body, `lang="ru"`) || !strings.Contains(pg.body, "Пароль") {
		t.Fatal("Russian is not the default")
	}
}

func TestLoginHintPrefillsTheForm(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize(oauth2.SetAuthURLParam("login_hint", "+79990000005"))
	if !strings.Contains(pg.body, `value="&#43;79990000005"`) && !strings.Contains(pg.body, `value="+79990000005"`) {
		t.Fatalf("login_hint not prefilled: %q", snippet(pg.body))
	}
}

func TestIDTokenHintForAnotherCitizenAsksToLogIn(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	hint := tok.Extra("id_token").(string)
	// Same citizen: silent.
	cab.codeFrom(cab.authorize(oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", hint)))
	// Another citizen logged in since: prompt=none with the old hint is login_required.
	other := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, cab.browser)
	other.loginAs("+79990000002", oauth2.SetAuthURLParam("prompt", "login"))
	if got := cab.authorize(oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", hint)).query("error"); got != "login_required" {
		t.Fatalf("hint for another citizen: %q", got)
	}
}

func TestCORSOnPublicEndpoints(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/.well-known/openid-configuration", "/keys"} {
		req, _ := http.NewRequest(http.MethodGet, e.issuer+path, nil)
		req.Header.Set("Origin", "http://127.0.0.1:9001")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got == "" {
			t.Fatalf("%s: no CORS header", path)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, e.issuer+"/oauth/token", nil)
	req.Header.Set("Origin", "http://127.0.0.1:9001")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatal("token endpoint preflight without CORS")
	}
}

// authTime reads auth_time of a verified ID token.
func authTime(t *testing.T, idt *oidc.IDToken) time.Time {
	t.Helper()
	v, ok := claims(t, idt)["auth_time"].(float64)
	if !ok {
		t.Fatal("no auth_time")
	}
	return time.Unix(int64(v), 0)
}

func TestClaimsParameter(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.conf.Scopes = []string{"openid"}
	req := `{"userinfo":{"name":{"essential":true},"email":null},"id_token":{"birthdate":{"essential":true}}}`
	tok, idt := cab.mustExchange(cab.loginAs("+79990000003", oauth2.SetAuthURLParam("claims", req)))
	c := claims(t, idt)
	if c["birthdate"] != "1976-06-21" {
		t.Fatalf("id_token claims: %v", c)
	}
	ui, err := cab.userinfo(tok)
	if err != nil {
		t.Fatal(err)
	}
	var uc map[string]any
	_ = ui.Claims(&uc)
	if uc["name"] != "Иванова Мария Ивановна" || uc["email"] != "maria.ivanova@example.ru" || uc["phone_number"] != nil {
		t.Fatalf("userinfo claims: %v", uc)
	}
	bad := cab.authorize(oauth2.SetAuthURLParam("claims", "{not json"))
	if bad.query("error") != "invalid_request" {
		t.Fatalf("malformed claims: %q", bad.location)
	}
}

func TestErrorResponsesCarryTheIssuer(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize(oauth2.SetAuthURLParam("prompt", "none"))
	if pg.query("error") != "login_required" || pg.query("iss") != e.issuer {
		t.Fatalf("error response: %q", pg.location)
	}
}

func TestRequestObjectsAreRefusedAsUnsupported(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize(oauth2.SetAuthURLParam("request_uri", "https://rp.example/req.jwt"))
	if pg.query("error") != "request_uri_not_supported" || pg.query("state") != "st-demo-cabinet" || pg.query("iss") != e.issuer {
		t.Fatalf("request_uri: %q", pg.location)
	}
	bad := get(t, e.browser(), e.issuer+"/authorize?client_id=demo-cabinet&redirect_uri=http://evil.example/&request_uri=x&response_type=code&scope=openid")
	if bad.status != http.StatusBadRequest || bad.location != "" {
		t.Fatalf("request_uri with an unregistered redirect: %d %q", bad.status, bad.location)
	}
	pg = cab.authorize(oauth2.SetAuthURLParam("request", "eyJhbGciOiJub25lIn0.e30."))
	if pg.query("error") != "request_not_supported" {
		t.Fatalf("request: %q", pg.location)
	}
}

func TestTokenResponsesAreNotCached(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	code := cab.loginAs("+79990000003")
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cabinetRedirect}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-cabinet", "demo-secret")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestUserinfoRefusesBadTokensTheRFC6750Way(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	e.clock.Advance(61 * time.Minute) // expired
	for name, token := range map[string]string{"expired": tok.AccessToken, "garbage": "not-a-token"} {
		req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("%s token: %d %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestIntrospection(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	introspect := func(clientID, secret, token string) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(clientID, secret)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		m := map[string]any{}
		_ = json.NewDecoder(resp.Body).Decode(&m)
		m["_status"] = float64(resp.StatusCode)
		return m
	}
	got := introspect("demo-cabinet", "demo-secret", tok.AccessToken)
	if got["active"] != true || got["sub"] != "1000000003" || got["client_id"] != "demo-cabinet" || got["family_name"] != "Иванова" {
		t.Fatalf("active token: %v", got)
	}
	if got := introspect("demo-cabinet", "wrong", tok.AccessToken); got["_status"] != float64(http.StatusUnauthorized) {
		t.Fatalf("introspection with a wrong secret: %v", got)
	}
	e.clock.Advance(61 * time.Minute)
	if got := introspect("demo-cabinet", "demo-secret", tok.AccessToken); got["active"] == true {
		t.Fatalf("expired token is active: %v", got)
	}
}
