package esia_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
)

func isRoleChoice(pg *browser.Page) bool {
	_, err := pg.Form(browser.ByAction("/login/role"))
	return err == nil
}

// authorizeWith sends an authorization request with extra parameters (obj_type, roles).
func (c *esiaRP) authorizeWith(scope, state string, extra url.Values) *browser.Page {
	q := c.authParams(false, scope, "online", state)
	for k, v := range extra {
		q[k] = v
	}
	return c.authorize(false, q)
}

func (c *esiaRP) submitPassword(pg *browser.Page, login string) *browser.Page {
	c.t.Helper()
	f := c.browser.Form(pg, browser.ByAction("/login"), browser.WithField("password"))
	return c.browser.Submit(f.Set("login", login).Set("password", "Test1234!"))
}

// The role choice as a citizen and a cabinet meet it: a person with roles chooses whom they
// log in as; the chosen organisation reaches the code and the id_token.
func TestRoleChoice(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	state := newState()
	pg := c.submitPassword(c.authorizeWith("openid usr_org", state, nil), "+79990000003")
	if !isRoleChoice(pg) {
		t.Fatalf("expected the role choice, got %s", pg.Summary())
	}
	text := pg.Text()
	for _, want := range []string{"Войти как", "Частное лицо", "ООО «РОМАШКА» — руководитель, администратор профиля организации", "Минцифры Тверской области — сотрудник, администратор профиля организации", "ОГРН 1027700132195"} {
		if !strings.Contains(text, want) {
			t.Errorf("role page lacks %q: %s", want, text)
		}
	}
	// A forged choice is refused on the page, with a way on.
	f := c.browser.Form(pg, browser.ByAction("/login/role"))
	bad := c.browser.Submit(f.Del("role").Add("role", "org:1000000102"))
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Text(), "Выберите один из вариантов.") || !isRoleChoice(bad) {
		t.Fatalf("forged choice: %s", bad.Summary())
	}
	pg = c.browser.Submit(c.browser.Form(bad, browser.ByAction("/login/role")).Check("role", "org:1000000101"))
	pg = e.approveConsent(c.browser, pg)
	code := c.codeFrom(pg, state)
	_, claims, _ := jwtParts(t, code)
	if sbj, _ := claims["urn:esia:sbj"].(map[string]any); sbj["urn:esia:sbj:org_oid"] != float64(1000000101) || sbj["urn:esia:sbj:typ"] != "P" {
		t.Errorf("code sbj: %v", claims["urn:esia:sbj"])
	}
	m := c.exchange(false, code, "openid usr_org")
	_, id, _ := jwtParts(t, str(m["id_token"]))
	if sbj, _ := id["urn:esia:sbj"].(map[string]any); sbj["urn:esia:sbj:org_oid"] != float64(1000000101) {
		t.Errorf("id_token sbj: %v", id["urn:esia:sbj"])
	}

	// The private person: no org_oid.
	state = newState()
	pg = c.authorizeWith("openid usr_org", state, nil) // the SSO session: straight to the choice
	if !isRoleChoice(pg) {
		t.Fatalf("second login: %s", pg.Summary())
	}
	pg = e.approveConsent(c.browser, pg)
	_, claims, _ = jwtParts(t, c.codeFrom(pg, state))
	if sbj, _ := claims["urn:esia:sbj"].(map[string]any); sbj["urn:esia:sbj:org_oid"] != nil {
		t.Errorf("private person has org_oid: %v", sbj)
	}

	// Without usr_org, obj_type or roles nothing is asked.
	state = newState()
	pg = e.approveConsent(c.browser, c.authorizeWith("openid fullname", state, nil))
	if _, claims, _ = jwtParts(t, c.codeFrom(pg, state)); claims["urn:esia:sbj"].(map[string]any)["urn:esia:sbj:org_oid"] != nil {
		t.Errorf("no choice asked, still an org: %v", claims["urn:esia:sbj"])
	}
}

// obj_type and roles: the emulator's rules (table), with ESIA-007060–007062.
func TestRoleParams(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct {
		login     string
		params    url.Values
		authError string // refused at the authorization endpoint
		page      bool   // the choice page appears
		after     string // refused after the login
		org       any    // urn:esia:sbj:org_oid of the code
	}{
		"unknown obj_type":            {params: url.Values{"obj_type": {"X"}}, authError: "ESIA-007061"},
		"empty obj_type list":         {params: url.Values{"obj_type": {" , "}}, authError: "ESIA-007061"},
		"unknown role":                {params: url.Values{"roles": {"boss"}}, authError: "ESIA-007060"},
		"private only":                {login: "+79990000003", params: url.Values{"obj_type": {"P"}}},
		"legal entities: one fits":    {login: "+79990000003", params: url.Values{"obj_type": {"L"}}, org: float64(1000000101)},
		"state body chiefs: none fit": {login: "+79990000003", params: url.Values{"obj_type": {"A"}, "roles": {"chief"}}, after: "ESIA-007062"},
		"admins anywhere: two fit":    {login: "+79990000003", params: url.Values{"roles": {"admin"}}, page: true},
		"employed nowhere, L asked":   {login: "+79990000002", params: url.Values{"obj_type": {"L,B"}}, after: "ESIA-007062"},
		"employed nowhere, P or L":    {login: "+79990000002", params: url.Values{"obj_type": {"P L"}}},
		"lower-case values are read":  {login: "+79990000003", params: url.Values{"obj_type": {"l"}, "roles": {"CHIEF"}}, org: float64(1000000101)},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.rp(rpRSA, rsaKey)
			state := newState()
			pg := c.authorizeWith("openid", state, tc.params)
			if tc.authError != "" {
				if !pg.RedirectedTo(c.redirect) || !strings.HasPrefix(pg.Params().Get("error_description"), tc.authError) {
					t.Fatalf("got %s", pg.Summary())
				}
				return
			}
			pg = c.submitPassword(pg, tc.login)
			if isRoleChoice(pg) != tc.page {
				t.Fatalf("role page %v, want %v: %s", isRoleChoice(pg), tc.page, pg.Summary())
			}
			if tc.page {
				return
			}
			pg = e.approveConsent(c.browser, pg)
			if tc.after != "" {
				q := pg.Params()
				if !pg.RedirectedTo(c.redirect) || q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), tc.after) {
					t.Fatalf("got %s", pg.Summary())
				}
				return
			}
			_, claims, _ := jwtParts(t, c.codeFrom(pg, state))
			if got := claims["urn:esia:sbj"].(map[string]any)["urn:esia:sbj:org_oid"]; got != tc.org {
				t.Errorf("org_oid %v, want %v", got, tc.org)
			}
		})
	}
}
