package esia_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
)

// TestAuthorizationErrors provokes every request check of the authorization endpoints once.
// Problems with client_id and redirect_uri are pages; the others come back to redirect_uri
// with error, error_description=ESIA-0070xx: … and state.
func TestAuthorizationErrors(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	lim := e.rp(rpLimited, rsaKey)
	strict := e.rp(rpStrict, strictKey)
	noCert := e.rp(rpNoCert, rsaKey)
	foreign := e.rp(rpRSA, strictKey) // another system's key and certificate
	type tc struct {
		name  string
		v2    bool
		rp    *esiaRP
		edit  func(q url.Values)
		code  string
		oauth string
		page  bool // answered with a page, not a redirect
	}
	cases := []tc{
		{name: "no client_id", edit: func(q url.Values) { q.Del("client_id") }, code: "ESIA-007014", page: true},
		{name: "unknown client_id", edit: func(q url.Values) { q.Set("client_id", "NOSUCH") }, code: "ESIA-007003", page: true},
		{name: "no redirect_uri", edit: func(q url.Values) { q.Del("redirect_uri") }, code: "ESIA-007014", page: true},
		{name: "unregistered redirect_uri", edit: func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, code: "ESIA-007023", page: true},
		{name: "client without an esia block", edit: func(q url.Values) {
			q.Set("client_id", "demo-cabinet")
			q.Set("redirect_uri", "http://127.0.0.1:9000/callback")
		}, code: "ESIA-007005", oauth: "unauthorized_client"},
		{name: "no state", edit: func(q url.Values) { q.Del("state") }, code: "ESIA-007014", oauth: "invalid_request"},
		{name: "state not a UUID", edit: func(q url.Values) { q.Set("state", "st-1") }, code: "ESIA-007003", oauth: "invalid_request"},
		{name: "repeated scope", edit: func(q url.Values) { q.Add("scope", "openid") }, code: "ESIA-007003"},
		{name: "no response_type", edit: func(q url.Values) { q.Del("response_type") }, code: "ESIA-007014"},
		{name: "response_type token", edit: func(q url.Values) { q.Set("response_type", "token") }, code: "ESIA-007012", oauth: "unsupported_response_type"},
		{name: "no scope", edit: func(q url.Values) { q.Set("scope", " ") }, code: "ESIA-007013"},
		{name: "unknown scope", edit: func(q url.Values) { q.Set("scope", "openid superpowers") }, code: "ESIA-007006", oauth: "invalid_scope"},
		{name: "malformed organisation scope", edit: func(q url.Values) { q.Set("scope", "http://esia.gosuslugi.ru/org_emps?org_oid=x") }, code: "ESIA-007006"},
		{name: "scope the system is not approved for", rp: lim, edit: func(q url.Values) {}, code: "ESIA-007019"},
		{name: "no timestamp", edit: func(q url.Values) { q.Del("timestamp") }, code: "ESIA-007014"},
		{name: "timestamp in ISO form", edit: func(q url.Values) { q.Set("timestamp", "2025-09-02T13:00:29+03:00") }, code: "ESIA-007015"},
		{name: "timestamp an hour old", edit: func(q url.Values) {
			q.Set("timestamp", e.clock.Now().Add(-time.Hour).Format(clientsecret.TimestampLayout))
		}, code: "ESIA-007015"},
		{name: "timestamp in the future", edit: func(q url.Values) {
			q.Set("timestamp", e.clock.Now().Add(time.Hour).Format(clientsecret.TimestampLayout))
		}, code: "ESIA-007015"},
		{name: "timestamp without sign, strict", rp: strict, edit: func(q url.Values) {
			q.Set("timestamp", strings.Replace(q.Get("timestamp"), "+", " ", 1))
		}, code: "ESIA-007015"},
		{name: "bad access_type", edit: func(q url.Values) { q.Set("access_type", "forever") }, code: "ESIA-007003"},
		{name: "bad person_filter", edit: func(q url.Values) { q.Set("person_filter", "everyone") }, code: "ESIA-007003"},
		{name: "no client_secret", edit: func(q url.Values) { q.Del("client_secret") }, code: "ESIA-007014"},
		{name: "wrong client_secret", edit: func(q url.Values) { q.Set("client_secret", c.secretV1("openid", "x", "y")) }, code: "ESIA-007053", oauth: "access_denied"},
		{name: "no certificate registered", rp: noCert, edit: func(q url.Values) {}, code: "ESIA-007002", oauth: "unauthorized_client"},
		{name: "signed with another system's certificate", edit: func(q url.Values) {
			q.Set("client_secret", foreign.secretV1(q.Get("scope"), q.Get("timestamp"), q.Get("state")))
		}, code: "ESIA-007002", oauth: "unauthorized_client"},
		{name: "strict: signed with another system's certificate", rp: strict, edit: func(q url.Values) {
			q.Set("client_secret", e.rp(rpStrict, rsaKey).secretV1(q.Get("scope"), q.Get("timestamp"), q.Get("state")))
		}, code: "ESIA-007002", oauth: "unauthorized_client"},
		{name: "v2: no client_certificate_hash", v2: true, edit: func(q url.Values) { q.Del("client_certificate_hash") }, code: "ESIA-007014"},
		{name: "v2: wrong client_certificate_hash", v2: true, edit: func(q url.Values) { q.Set("client_certificate_hash", strings.Repeat("AB", 32)) }, code: "ESIA-007053"},
		{name: "v2: PKCS#7 in strict mode", v2: true, rp: strict, edit: func(q url.Values) {
			q.Set("client_secret", strict.secretV1(q.Get("scope"), q.Get("timestamp"), q.Get("state")))
		}, code: "ESIA-007053"},
	}
	for _, x := range cases {
		t.Run(x.name, func(t *testing.T) {
			rp := x.rp
			if rp == nil {
				rp = c
			}
			scope := "openid fullname"
			if rp == lim {
				scope = "openid snils"
			}
			state := newState()
			q := rp.authParams(x.v2, scope, "online", state)
			x.edit(q)
			pg := e.browserFor(t).Get(e.base + authPath(x.v2) + "?" + q.Encode())
			if x.page {
				if location(pg) != "" || pg.Status != http.StatusBadRequest || !strings.Contains(pg.Body, x.code+":") {
					t.Fatalf("want a %s page, got %d %q %q", x.code, pg.Status, location(pg), pg.Summary())
				}
				// The emulator's own page, in Russian, with the developer detail under it.
				if pg.Find("html").Attr("lang") != "ru" || pg.TextOf("h1") != "Не удалось выполнить запрос" ||
					!strings.Contains(pg.Text(), "Вернитесь на сайт системы") || pg.Header.Get("X-Frame-Options") != "DENY" {
					t.Fatalf("error page: %q", pg.Summary())
				}
				return
			}
			if pg.Status != http.StatusFound {
				t.Fatalf("want a redirect, got %d %q", pg.Status, pg.Summary())
			}
			desc := pg.Params().Get("error_description")
			if !strings.HasPrefix(desc, x.code+": ") || (x.oauth != "" && pg.Params().Get("error") != x.oauth) || pg.Params().Get("error") == "" {
				t.Fatalf("got error=%q error_description=%q, want %s", pg.Params().Get("error"), desc, x.code)
			}
			if want := q.Get("state"); len(q["state"]) == 1 && pg.Params().Get("state") != want {
				t.Fatalf("state %q, want %q", pg.Params().Get("state"), want)
			}
		})
	}
}

// TestTokenErrors provokes the token endpoints' errors: 400 JSON {error, error_description,
// state} with the token request's state.
func TestTokenErrors(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid", "offline", "+79990000003")
	cases := []struct {
		name string
		v3   bool
		edit func(f url.Values)
		code string
	}{
		{"no grant_type", false, func(f url.Values) { f.Del("grant_type") }, "ESIA-007014"},
		{"client_credentials without prm_chg", false, func(f url.Values) { f.Set("grant_type", "client_credentials") }, "ESIA-007006"},
		{"password grant", false, func(f url.Values) { f.Set("grant_type", "password") }, "ESIA-007009"},
		{"no client_id", false, func(f url.Values) { f.Del("client_id") }, "ESIA-007014"},
		{"unknown client", false, func(f url.Values) { f.Set("client_id", "NOSUCH") }, "ESIA-008010"},
		{"client without an esia block", false, func(f url.Values) { f.Set("client_id", "demo-cabinet") }, "ESIA-007005"},
		{"no state", false, func(f url.Values) { f.Del("state") }, "ESIA-007014"},
		{"state not a UUID", false, func(f url.Values) { f.Set("state", "abc") }, "ESIA-007003"},
		{"repeated code", false, func(f url.Values) { f.Add("code", "x") }, "ESIA-007003"},
		{"no scope", false, func(f url.Values) { f.Del("scope") }, "ESIA-007014"},
		{"no timestamp", false, func(f url.Values) { f.Del("timestamp") }, "ESIA-007014"},
		{"old timestamp", false, func(f url.Values) {
			f.Set("timestamp", e.clock.Now().Add(-time.Hour).Format(clientsecret.TimestampLayout))
		}, "ESIA-007015"},
		{"no redirect_uri", false, func(f url.Values) { f.Del("redirect_uri") }, "ESIA-007014"},
		{"no client_secret", false, func(f url.Values) { f.Del("client_secret") }, "ESIA-007014"},
		{"wrong client_secret", false, func(f url.Values) { f.Set("client_secret", c.secretV1("openid", "t", "s")) }, "ESIA-007053"},
		{"v3: no client_certificate_hash", true, func(f url.Values) { f.Del("client_certificate_hash") }, "ESIA-007014"},
		{"no code", false, func(f url.Values) {
			f.Del("code")
		}, "ESIA-007014"},
		{"unknown code", false, func(f url.Values) { f.Set("code", "eyJ.eyJ.sig") }, "ESIA-007011"},
		{"other redirect_uri", false, func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:9300/other") }, "ESIA-007011"},
		{"no refresh_token", false, func(f url.Values) { f.Set("grant_type", "refresh_token"); f.Del("code") }, "ESIA-007014"},
		{"unknown refresh_token", false, func(f url.Values) {
			f.Set("grant_type", "refresh_token")
			f.Set("refresh_token", newState())
		}, "ESIA-007011"},
	}
	for _, x := range cases {
		t.Run(x.name, func(t *testing.T) {
			f := c.tokenForm(x.v3, "authorization_code", code, "openid")
			x.edit(f)
			status, m := c.post(x.v3, f)
			if status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), x.code+": ") || m["error"] == nil {
				t.Fatalf("got %d %v, want %s", status, m, x.code)
			}
			if st := f.Get("state"); len(f["state"]) == 1 && m["state"] != st {
				t.Fatalf("state %v, want the request's %q", m["state"], st)
			}
		})
	}
	// The code survived all of that and still works once.
	c.exchange(false, code, "openid")
}
