package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
)

// consentPage logs in (or uses the session) and returns the consent page it must show.
func consentPage(t *testing.T, e *env, r *rp, login string, opts ...oauth2.AuthCodeOption) page {
	t.Helper()
	pg := r.authorize(opts...)
	if pg.isLoginForm() {
		pg = e.submitLogin(r.browser, pg, login, "Test1234!")
	}
	if !pg.isConsent() {
		t.Fatalf("no consent page: %d %q %s", pg.status, pg.location, snippet(pg.body))
	}
	return pg
}

func editableScopes(pg page) []string {
	var out []string
	for _, el := range pg.pg.FindAll(`input[name=scope]`) {
		out = append(out, el.Attr("value"))
	}
	return out
}

func answer(t *testing.T, e *env, r *rp, pg page, decision string, scopes ...string) page {
	t.Helper()
	// As a citizen would: tick exactly the given boxes, then click the decision's button.
	f, err := pg.pg.Form(browser.ByAction("/login/consent"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range editableScopes(pg) {
		f.Uncheck("scope", s)
	}
	for _, s := range scopes {
		f.Check("scope", s)
	}
	p, err := r.browser.Submit(context.Background(), f, browser.Button("decision", decision))
	if err != nil {
		t.Fatal(err)
	}
	return pageOf(p)
}

func TestConsentIsAskedOnceAndRemembered(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := consentPage(t, e, cab, "+79990000003")
	if got := strings.Join(editableScopes(pg), " "); got != "profile email phone" {
		t.Fatalf("asked about %q", got)
	}
	if !strings.Contains(pg.body, "Демо-кабинет") {
		t.Fatal("the consent page does not name the service")
	}
	cab.mustExchange(cab.codeFrom(answer(t, e, cab, pg, "allow", "profile", "email", "phone")))

	// A new login in another browser: no consent page.
	again := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	done := e.submitLogin(again.browser, again.authorize(), "+79990000003", "Test1234!")
	if done.isConsent() {
		t.Fatal("consent asked again for granted scopes")
	}
	again.mustExchange(again.codeFrom(done))

	// A new scope asks again, about the new scope only.
	again.conf.Scopes = append(again.conf.Scopes, "snils")
	pg = consentPage(t, e, again, "+79990000003")
	if got := strings.Join(editableScopes(pg), " "); got != "snils" {
		t.Fatalf("asked about %q, want only the new scope", got)
	}
	tok, idt := again.mustExchange(again.codeFrom(answer(t, e, again, pg, "allow", "snils")))
	if claims(t, idt)["snils"] != "000-000-600 03" {
		t.Fatalf("snils claim: %v", claims(t, idt)["snils"])
	}
	_ = tok
}

func TestUntickedScopeIsNotReleased(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := consentPage(t, e, cab, "+79990000003")
	tok, idt := cab.mustExchange(cab.codeFrom(answer(t, e, cab, pg, "allow", "profile", "phone")))
	c := claims(t, idt)
	if c["email"] != nil || c["family_name"] != "Иванова" || c["phone_number"] != "+79990000003" {
		t.Fatalf("ID token: %v", c)
	}
	ui, err := cab.userinfo(tok)
	if err != nil {
		t.Fatal(err)
	}
	if ui.Email != "" {
		t.Fatalf("userinfo released the unticked e-mail: %s", ui.Email)
	}
	if scope, _ := tok.Extra("scope").(string); strings.Contains(scope, "email") {
		t.Fatalf("token scope %q", scope)
	}
	// The unticked scope is asked again next time.
	pg = consentPage(t, e, cab, "+79990000003")
	if got := strings.Join(editableScopes(pg), " "); got != "email" {
		t.Fatalf("asked about %q", got)
	}
}

func TestConsentDenyAndPromptNone(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := consentPage(t, e, cab, "+79990000003")
	if got := answer(t, e, cab, pg, "deny"); got.query("error") != "access_denied" {
		t.Fatalf("deny: %q", got.location)
	}
	// Logged in, but no consent: prompt=none must not grant silently.
	if got := cab.authorize(oauthPrompt("none")); got.query("error") != "consent_required" {
		t.Fatalf("prompt=none without consent: %q", got.location)
	}
}

func TestWithdrawingAccessRevokesTokensAndAsksAgain(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.conf.Scopes = append(cab.conf.Scopes, "offline_access")
	tok, _ := cab.mustExchange(cab.codeFrom(e.approveConsent(cab.browser, e.submitLogin(cab.browser, cab.authorize(), "+79990000003", "Test1234!"))))

	// The citizen's "Доступ к данным" page lists the service and what it may read.
	acc := get(t, cab.browser, e.issuer+"/account/access")
	if acc.status != http.StatusOK || !strings.Contains(acc.body, "Демо-кабинет") || !strings.Contains(acc.body, "Адрес электронной почты") {
		t.Fatalf("access page: %d %s", acc.status, snippet(acc.body))
	}
	e.clock.Advance(time.Second)
	done := post(t, cab.browser, e.issuer+"/account/access/withdraw", url.Values{"csrf": {acc.form("csrf")}, "client": {"demo-cabinet"}})
	if !strings.Contains(done.body, "Доступ отозван") {
		t.Fatalf("withdraw: %d %s", done.status, snippet(done.body))
	}
	if status, body := e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}); status == http.StatusOK {
		t.Fatalf("refresh after withdrawal: %v", body)
	}
	if _, err := cab.userinfo(tok); err == nil {
		t.Fatal("access token works after withdrawal")
	}
	if pg := cab.authorize(); !pg.isConsent() {
		t.Fatal("the next login did not ask for consent")
	}
	// The audit log has given and withdrawn.
	status, body := e.admin("GET", "/admin/api/audit?user=1000000003&type=consent_given,consent_withdrawn&order=asc", adminToken, "")
	var events []struct {
		Type     string `json:"type"`
		ClientID string `json:"client_id"`
	}
	_ = json.Unmarshal([]byte(body), &events)
	if status != http.StatusOK || len(events) != 2 || events[0].Type != "consent_given" || events[1].Type != "consent_withdrawn" || events[1].ClientID != "demo-cabinet" {
		t.Fatalf("audit: %d %s", status, body)
	}
}

func TestFirstPartyClientSkipsConsent(t *testing.T) {
	e := newEnv(t, func(c *configT) {
		for i := range c.Clients {
			if c.Clients[i].ID == "demo-cabinet" {
				c.Clients[i].FirstParty = true
			}
		}
	})
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000003", "Test1234!"); pg.isConsent() {
		t.Fatal("a first-party client got a consent page")
	}
}

func TestUnknownOrForbiddenScopeIsInvalidScope(t *testing.T) {
	e := newEnv(t, func(c *configT) {
		for i := range c.Clients {
			if c.Clients[i].ID == "demo-cabinet" {
				c.Clients[i].Scopes = []string{"openid", "profile", "email", "phone"}
			}
		}
	})
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	for _, scope := range []string{"openid frobnicate", "openid snils"} {
		cab.conf.Scopes = strings.Fields(scope)
		pg := cab.authorize()
		if pg.query("error") != "invalid_scope" || pg.query("state") != "st-demo-cabinet" {
			t.Fatalf("%q: %q", scope, pg.location)
		}
	}
}

func TestAccountPages(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	// Without a session the account asks to log in, then comes back.
	pg := get(t, b, e.issuer+"/account/history")
	pg = e.submitLogin(b, pg, "+79990000002", "Test1234!")
	if pg.status != http.StatusOK || !strings.Contains(pg.body, "История входов") || !strings.Contains(pg.body, "Вход") {
		t.Fatalf("history after login: %d %s", pg.status, snippet(pg.body))
	}
	// A second session in another browser is listed and can be ended from the first.
	other := e.browser()
	e.submitLogin(other, get(t, other, e.issuer+"/account"), "+79990000002", "Test1234!")
	sess := get(t, b, e.issuer+"/account/sessions")
	ends := sess.pg.FindAll(`form[action="/account/sessions/end"]`)
	if len(ends) != 2 || !strings.Contains(sess.pg.Text(), "этот сеанс") {
		t.Fatalf("sessions page lists %d sessions", len(ends))
	}
	// End the other browser's session: the one in the row not marked as this session.
	ended := 0
	for _, row := range sess.pg.FindAll("tr") {
		if row.Find(`form[action="/account/sessions/end"]`) == nil || strings.Contains(row.Text(), "этот сеанс") {
			continue
		}
		id := row.Find(`input[name=session]`).Attr("value")
		submit(t, b, sess, func(f *browser.Form) bool { return f.Get("session") == id }, nil)
		ended++
	}
	if ended != 1 {
		t.Fatalf("found %d other sessions", ended)
	}
	if get(t, b, e.issuer+"/account").isLoginForm() {
		t.Fatal("ending the other session ended this one")
	}
	if !get(t, other, e.issuer+"/account").isLoginForm() {
		t.Fatal("the ended session still opens the account")
	}
}

// A simplified account holds no SNILS, INN or passport: the consent page offers no checkbox
// for them, says they are missing and links to the profile; allowing releases the rest.
func TestConsentForSimplifiedAccountNamesWhatIsMissing(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.conf.Scopes = append(cab.conf.Scopes, "snils", "id_doc")
	pg := consentPage(t, e, cab, "+79990000001")
	if got := strings.Join(editableScopes(pg), " "); got != "profile email phone" {
		t.Fatalf("checkboxes offered: %q; want no SNILS or passport box", got)
	}
	for _, want := range []string{"СНИЛС", "Паспорт", "нет в вашей учётной записи", "Этих данных нет в вашей учётной записи"} {
		if !strings.Contains(pg.body, want) {
			t.Fatalf("the consent page lacks %q: %s", want, snippet(pg.body))
		}
	}
	if a := pg.pg.Find(`#consent-missing a`); a == nil || a.Attr("href") != "/account" {
		t.Fatal("no link to the profile next to the missing data")
	}
	_, idt := cab.mustExchange(cab.codeFrom(answer(t, e, cab, pg, "allow", "profile", "email", "phone")))
	if c := claims(t, idt); c["snils"] != nil || c["family_name"] == nil {
		t.Fatalf("claims after allowing: %v", c)
	}
	// A confirmed account with the same request gets the boxes and no missing note.
	other := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	other.conf.Scopes = append(other.conf.Scopes, "snils", "id_doc")
	pg = consentPage(t, e, other, "+79990000003")
	if got := strings.Join(editableScopes(pg), " "); got != "profile email phone snils id_doc" || strings.Contains(pg.body, "consent-missing") {
		t.Fatalf("confirmed account: boxes %q, missing note shown: %v", got, strings.Contains(pg.body, "consent-missing"))
	}
}
