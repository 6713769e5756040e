package esia_test

import (
	"github.com/esia-emulator/esia-emulator/browser"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const orgURL = "http://esia.gosuslugi.ru/"

func orgScope(name, oid string) string { return orgURL + name + "?org_oid=" + oid }

// authorizeV2Org sends a v2 request with scope_org, signed as ilimurzin's client does:
// client_id + scope + scope_org + timestamp + state + redirect_uri.
func (c *esiaRP) authorizeV2Org(scope, scopeOrg, state string) url.Values {
	q := c.authParams(true, scope, "online", state)
	q.Set("scope_org", scopeOrg)
	q.Set("client_secret", c.secretV2(scope+scopeOrg, q.Get("timestamp"), state, ""))
	return q
}

// Organisation scopes end to end: v1 in scope, v2 in scope_org (signed after scope), the
// consent page names the organisation, the access token echoes the URL form, /rs/orgs/{oid}
// and its collections answer per scope.
func TestOrgScopesV1(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	scope := "openid fullname usr_org " + orgScope("org_inf", "1000000101") + " " + orgScope("org_emps", "1000000101") + " " + orgScope("org_ctts", "1000000101")
	state := newState()
	pg := c.authorize(false, c.authParams(false, scope, "online", state))
	f := c.browser.Form(pg, browser.ByAction("/login"), browser.WithField("password"))
	pg = c.browser.Submit(f.Set("login", "+79990000003").Set("password", "Test1234!"))
	if !isRoleChoice(pg) { // usr_org and a person with roles: whom do they log in as
		t.Fatalf("expected the role choice: %s", pg.Summary())
	}
	pg = c.browser.Submit(c.browser.Form(pg, browser.ByAction("/login/role")).Check("role", "org:1000000101"))
	if !isConsent(pg) || !strings.Contains(pg.Text(), "Список сотрудников организации (организация 1000000101)") {
		t.Fatalf("the consent page does not name the organisation: %s", pg.Summary())
	}
	pg = e.approveConsent(c.browser, pg)
	code := c.codeFrom(pg, state)
	m := c.exchange(false, code, scope)
	at := str(m["access_token"])
	_, claims, _ := jwtParts(t, at)
	granted := str(claims["scope"])
	if !strings.Contains(granted, " "+orgScope("org_emps", "1000000101")) || strings.Contains(granted, "org_oid=1000000101?oid=") || !strings.Contains(granted, "usr_org?oid=1000000003") {
		t.Fatalf("access token scope %q", granted)
	}

	status, o := c.api(at, "/rs/orgs/1000000101")
	if status != http.StatusOK || o["oid"] != float64(1000000101) || o["ogrn"] != "1027700132195" || o["kpp"] != "770101001" || o["type"] != "LEGAL" ||
		o["shortName"] != "ООО «РОМАШКА»" || o["isLiquidated"] != false || len(str(o["eTag"])) != 40 {
		t.Fatalf("org: %d %v", status, o)
	}
	status, emps := c.api(at, "/rs/orgs/1000000101/emps?embed=(elements)")
	els, _ := emps["elements"].([]any)
	if status != http.StatusOK || emps["size"] != float64(2) || len(els) != 2 {
		t.Fatalf("emps: %d %v", status, emps)
	}
	if e0 := els[0].(map[string]any); e0["prnOid"] != float64(1000000003) || e0["chief"] != true || e0["lastName"] != "Иванова" || e0["position"] != "Генеральный директор" {
		t.Errorf("emps[0]: %v", e0)
	}
	status, ctts := c.api(at, "/rs/orgs/1000000101/ctts")
	links, _ := ctts["elements"].([]any)
	if status != http.StatusOK || len(links) != 2 || !strings.HasPrefix(str(links[0]), e.base+"/rs/orgs/1000000101/ctts/") {
		t.Fatalf("ctts: %d %v", status, ctts)
	}
	status, el := c.api(at, strings.TrimPrefix(str(links[1]), e.base))
	if status != http.StatusOK || el["type"] != "OEM" || el["value"] != "office@romashka.example" {
		t.Errorf("ctts element: %d %v", status, el)
	}
	// Parts without a scope, and organisations the token does not name.
	for _, path := range []string{"/rs/orgs/1000000101/vhls", "/rs/orgs/1000000101/addrs", "/rs/orgs/1000000103", "/rs/orgs/1000000102/emps"} {
		if status, m := c.api(at, path); status != http.StatusForbidden || m["code"] != "ESIA-005029" {
			t.Errorf("%s: %d %v", path, status, m)
		}
	}
	if status, _ := c.api(at, "/rs/orgs/1000000101/nonsense"); status != http.StatusNotFound {
		t.Errorf("unknown collection: %d", status)
	}
	if status, _ := c.api("garbage", "/rs/orgs/1000000101"); status != http.StatusUnauthorized {
		t.Errorf("bad token: %d", status)
	}
}

func TestOrgScopesV2ScopeOrg(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpStrict, strictKey) // strict: the signature must cover scope_org right after scope
	scope := "openid"
	scopeOrg := orgScope("org_shortname", "1000000103") + " " + orgScope("org_addrs", "1000000103") + " " + orgScope("org_grps", "1000000103")
	state := newState()
	pg := c.authorize(true, c.authorizeV2Org(scope, scopeOrg, state))
	pg = e.login(c.browser, pg, "+79990000003")
	code := c.codeFrom(pg, state)
	at := str(c.exchange(true, code, scope)["access_token"])
	status, o := c.api(at, "/rs/orgs/1000000103")
	if status != http.StatusOK || o["shortName"] != "Минцифры Тверской области" || o["ogrn"] != nil || o["fullName"] != nil {
		t.Fatalf("org with org_shortname only: %d %v", status, o)
	}
	status, m := c.api(at, "/rs/orgs/1000000103/grps?embed=(elements)")
	els, _ := m["elements"].([]any)
	if status != http.StatusOK || len(els) != 1 || els[0].(map[string]any)["grpId"] != "SMEV_OPERATOR" {
		t.Fatalf("grps: %d %v", status, m)
	}
	status, m = c.api(at, "/rs/orgs/1000000103/addrs?embed=(elements)")
	els, _ = m["elements"].([]any)
	if status != http.StatusOK || len(els) != 1 || els[0].(map[string]any)["type"] != "OLG" || els[0].(map[string]any)["zipCode"] != "170100" {
		t.Fatalf("addrs: %d %v", status, m)
	}

	// A secret that does not cover scope_org is refused.
	state = newState()
	q := c.authParams(true, scope, "online", state)
	q.Set("scope_org", scopeOrg)
	pg = c.authorize(true, q)
	if !pg.RedirectedTo(c.redirect) || !strings.HasPrefix(pg.Params().Get("error_description"), "ESIA-") || pg.Params().Get("code") != "" {
		t.Errorf("unsigned scope_org: %s", pg.Summary())
	}
}

// Authorization-time rules of organisation scopes, and ESIA-007194 for an organisation the
// person does not work for.
func TestOrgScopeRules(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	lim := e.rp(rpLimited, rsaKey)
	for name, tc := range map[string]struct {
		rp    *esiaRP
		scope string
		want  string
	}{
		"bare org scope":        {c, "openid org_emps", "ESIA-007006"},
		"no org_oid":            {c, "openid http://esia.gosuslugi.ru/org_emps", "ESIA-007006"},
		"letters in org_oid":    {c, "openid http://esia.gosuslugi.ru/org_emps?org_oid=12a", "ESIA-007006"},
		"unknown org scope":     {c, "openid http://esia.gosuslugi.ru/org_secret?org_oid=1", "ESIA-007006"},
		"extra query parameter": {c, "openid http://esia.gosuslugi.ru/org_emps?org_oid=1&x=2", "ESIA-007006"},
		"system not approved":   {lim, "openid " + orgScope("org_emps", "1000000101"), "ESIA-007019"},
	} {
		t.Run(name, func(t *testing.T) {
			state := newState()
			pg := tc.rp.authorize(false, tc.rp.authParams(false, tc.scope, "online", state))
			if !pg.RedirectedTo(tc.rp.redirect) || !strings.HasPrefix(pg.Params().Get("error_description"), tc.want) {
				t.Errorf("got %s", pg.Summary())
			}
		})
	}

	// Employed nowhere (1000000002), or not by this organisation (1000000003 by the entrepreneur).
	for login, org := range map[string]string{"+79990000002": "1000000101", "+79990000003": "1000000102"} {
		b := e.rp(rpRSA, rsaKey)
		state := newState()
		pg := b.authorize(false, b.authParams(false, "openid "+orgScope("org_inf", org), "online", state))
		pg = e.login(b.browser, pg, login)
		q := pg.Params()
		if !pg.RedirectedTo(b.redirect) || q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), "ESIA-007194") || q.Get("state") != state || q.Get("code") != "" {
			t.Errorf("%s: %s", login, pg.Summary())
		}
	}
}
