package esia_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/consent/permissions"
	"github.com/esia-emulator/esia-emulator/provider/esia/dprofile"
)

// epguClient is a Digital Profile relying party written from esia-protocol.md §2–§3 the way
// go-api-epgu's esia/aas client works: /v2/ac with scope=openid and a base64url
// permissions parameter, raw GOST signatures over client_id+scope+timestamp+state+
// redirect_uri(+code) in padded base64url, a new UUID state on every call, the
// certificate's Streebog hash, /v3/te for the code, and TokenUpdate: client_credentials with
// scope=prm_chg?oid=<oid>, signed like /v2/ac.
type epguClient struct{ *esiaRP }

func (e *env) epgu() *epguClient {
	clientKeys(e.t)
	c := e.rp(rpGOST, gostClientKey)
	c.encode = base64.URLEncoding.EncodeToString // go-api-epgu pads
	return &epguClient{c}
}

// authURI is the authorization address with permissions.
func (c *epguClient) authURI(perms []permissions.Request) (string, string) {
	state := newState()
	q := c.authParams(true, "openid", "offline", state)
	q.Set("permissions", permissions.Encode(perms))
	return c.e.base + "/aas/oauth2/v2/ac?" + q.Encode(), state
}

// tokenUpdate asks for a consent token for the citizen (go-api-epgu TokenUpdate).
func (c *epguClient) tokenUpdate(oid string) (int, map[string]any, string) {
	c.t.Helper()
	scope, ts, state := "prm_chg?oid="+oid, c.timestamp(), newState()
	f := url.Values{"client_id": {c.id}, "grant_type": {"client_credentials"}, "scope": {scope}, "redirect_uri": {c.redirect},
		"timestamp": {ts}, "state": {state}, "token_type": {"Bearer"}, "client_secret": {c.secretV2(scope, ts, state, "")},
		"client_certificate_hash": {c.certHash()}}
	status, m := c.post(true, f)
	return status, m, state
}

func socialSupport(expire int64) []permissions.Request {
	it := func(n ...string) []permissions.Item {
		out := []permissions.Item{}
		for _, s := range n {
			out = append(out, permissions.Item{Sysname: s})
		}
		return out
	}
	return []permissions.Request{{ResponsibleObject: "ОСФР по Ярославской области", Sysname: "SOCIAL_SUPPORT", Expire: expire,
		Actions: it("ALL_ACTIONS_TO_DATA"), Purposes: it("SOCIAL_SUPPORT"), Scopes: it("payments_egisso", "ils_doc", "pension_reference")}}
}

func isPermissions(pg *browser.Page) bool {
	_, err := pg.Form(browser.ByAction("/aas/oauth2/permissions"))
	return err == nil
}

// consentWithPermissions logs the persona in through /v2/ac with permissions and returns the
// Digital Profile consent page.
func (c *epguClient) consentWithPermissions(perms []permissions.Request, persona string) (*browser.Page, string) {
	c.t.Helper()
	u, state := c.authURI(perms)
	pg := c.browser.Get(u)
	if isLoginForm(pg) {
		pg = c.e.login(c.browser, pg, persona)
	} else {
		pg = c.e.approveConsent(c.browser, pg)
	}
	if !isPermissions(pg) {
		c.t.Fatalf("expected the Digital Profile consent page, got %s", pg.Summary())
	}
	return pg, state
}

func (c *epguClient) answer(pg *browser.Page, decision string) *browser.Page {
	return c.browser.Submit(c.browser.Form(pg, browser.ByAction("/aas/oauth2/permissions")), browser.Button("decision", decision))
}

// TestDigitalProfileJourney: consent with permissions → a token carrying them → the data →
// a prm_chg consent token → withdrawal on the account page → every token refused.
func TestDigitalProfileJourney(t *testing.T) {
	e := newEnv(t)
	c := e.epgu()
	const oid = "1000000003"

	pg, state := c.consentWithPermissions(socialSupport(60*24*30), "+79990000003")
	text := pg.Text()
	until := e.clock.Now().Add(30 * 24 * time.Hour).In(time.FixedZone("MSK", 3*3600)).Format("02.01.2006")
	for _, want := range []string{"Кабинет " + rpGOST, "ОСФР по Ярославской области", "Согласие на получение сведений для назначения мер социальной поддержки",
		"назначение и выплата мер социальной поддержки", "получение, хранение и обработка сведений",
		"Назначенные вам меры социальной поддержки и выплаты (ЕГИССО)", "Выписка из вашего лицевого счёта в Социальном фонде",
		"Справка о размере вашей пенсии", until} {
		if !strings.Contains(text, want) {
			t.Errorf("the consent page lacks %q:\n%s", want, text)
		}
	}
	code := c.codeFrom(c.answer(pg, "allow"), state)

	tok := c.exchange(true, code, "openid")
	access, refresh := str(tok["access_token"]), str(tok["refresh_token"])
	_, claims, _ := jwtParts(t, access)
	perms, _ := claims["permissions"].([]any)
	if len(perms) != 1 {
		t.Fatalf("access token permissions %v", claims["permissions"])
	}
	p0 := perms[0].(map[string]any)
	if p0["sysname"] != "SOCIAL_SUPPORT" || p0["status"] != "ACTIVE" || p0["id"] == "" {
		t.Fatalf("permission claim %v", p0)
	}
	if !strings.Contains(str(claims["scope"]), "payments_egisso?oid="+oid) {
		t.Fatalf("scope %v lacks the consent's scopes", claims["scope"])
	}
	permsURL := str(claims["permissions_url"])
	if !strings.HasPrefix(permsURL, e.base+"/esia-emulator/") {
		t.Fatalf("permissions_url %q", permsURL)
	}
	status, list := c.api(access, strings.TrimPrefix(permsURL, e.base))
	if status != http.StatusOK || list["size"] != float64(1) {
		t.Fatalf("permissions_url: %d %v", status, list)
	}

	dataPath := dprofile.DataPath + oid + "/payments_egisso"
	status, data := c.api(access, dataPath)
	if status != http.StatusOK || data["stateFacts"] == nil {
		t.Fatalf("payments_egisso: %d %v", status, data)
	}
	if status, _ := c.api(access, dprofile.DataPath+oid+"/electronic_workbook"); status != http.StatusForbidden {
		t.Fatalf("a scope outside the consent: %d, want 403", status)
	}

	// The system keeps the data fresh with a consent token.
	status, ct, ctState := c.tokenUpdate(oid)
	if status != http.StatusOK {
		t.Fatalf("prm_chg: %d %v", status, ct)
	}
	if ct["state"] != ctState || ct["token_type"] != "Bearer" || ct["refresh_token"] != nil || ct["expires_in"] != float64(3600) {
		t.Fatalf("consent token answer %v", ct)
	}
	consentToken := str(ct["access_token"])
	hdr, ctClaims, _ := jwtParts(t, consentToken)
	if hdr["alg"] != "GOST3410_2012_256" || ctClaims["permissions"] == nil || str(ctClaims["urn:esia:sbj_id"]) != "1.000000003e+09" && str(ctClaims["urn:esia:sbj_id"]) != oid {
		t.Fatalf("consent token %v %v", hdr, ctClaims)
	}
	if status, _ := c.api(consentToken, dprofile.DataPath+oid+"/ils_doc"); status != http.StatusOK {
		t.Fatalf("ils_doc with the consent token: %d", status)
	}

	// The citizen withdraws it on the account page.
	ag := c.browser.Get(e.base + "/account/agreements")
	if !strings.Contains(ag.Text(), "Кабинет "+rpGOST) || !strings.Contains(ag.Text(), "Действует") {
		t.Fatalf("agreements page: %s", ag.Text())
	}
	done := c.browser.Submit(c.browser.Form(ag, browser.ByAction("/account/agreements/withdraw")))
	if !strings.Contains(done.Text(), "Согласие отозвано") || !strings.Contains(done.Text(), "Отозвано") {
		t.Fatalf("after withdrawal: %s", done.Text())
	}

	// Both are in the audit log (the metrics and the administrator read it).
	events, err := (&audit.Log{Docs: e.store, Now: e.clock.Now}).Query(context.Background(),
		audit.Filter{UserID: oid, Types: []audit.Type{audit.ConsentGiven, audit.ConsentWithdrawn}})
	if err != nil {
		t.Fatal(err)
	}
	types := map[audit.Type]int{}
	for _, ev := range events {
		if ev.ClientID == rpGOST && ev.Details["permissions"] == str(p0["id"]) {
			types[ev.Type]++
		}
	}
	if len(types) != 2 || types[audit.ConsentGiven] != 1 || types[audit.ConsentWithdrawn] != 1 { // the frozen clock gives both one time
		t.Errorf("audit events %v", types)
	}

	// Everything issued under it is refused now.
	for name, path := range map[string]string{"data": dataPath, "rs": "/rs/prns/" + oid} {
		if status, _ := c.api(access, path); status != http.StatusUnauthorized {
			t.Errorf("access token at %s after withdrawal: %d", name, status)
		}
	}
	if status, _ := c.api(consentToken, dataPath); status != http.StatusUnauthorized {
		t.Errorf("consent token after withdrawal: %d", status)
	}
	status, m := c.post(true, c.tokenForm(true, "refresh_token", refresh, "openid"))
	if status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007011") {
		t.Errorf("refresh after withdrawal: %d %v", status, m)
	}
	status, m, _ = c.tokenUpdate(oid)
	if status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007019") {
		t.Errorf("prm_chg after withdrawal: %d %v", status, m)
	}
}

// TestPermissionsRefused: each bad part of permissions goes back to the system with its
// ESIA code and the request's state.
func TestPermissionsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.epgu()
	mod := func(f func(*permissions.Request)) string {
		r := socialSupport(60)
		f(&r[0])
		return permissions.Encode(r)
	}
	tests := []struct {
		name, raw, code string
	}{
		{"not base64url", "%%%", "ESIA-007003"},
		{"no sysname", mod(func(r *permissions.Request) { r.Sysname = "" }), "ESIA-036700"},
		{"unknown type", mod(func(r *permissions.Request) { r.Sysname = "NO_SUCH" }), "ESIA-036701"},
		{"no scopes", mod(func(r *permissions.Request) { r.Scopes = nil }), "ESIA-036702"},
		{"scope outside the type", mod(func(r *permissions.Request) { r.Scopes = []permissions.Item{{Sysname: "vehicles"}} }), "ESIA-036703"},
		{"no actions", mod(func(r *permissions.Request) { r.Actions = nil }), "ESIA-036705"},
		{"unknown action", mod(func(r *permissions.Request) { r.Actions = []permissions.Item{{Sysname: "SELL_DATA"}} }), "ESIA-036706"},
		{"no purposes", mod(func(r *permissions.Request) { r.Purposes = nil }), "ESIA-036707"},
		{"bad expire", mod(func(r *permissions.Request) { r.Expire = -5 }), "ESIA-036716"},
		{"unknown purpose", mod(func(r *permissions.Request) { r.Purposes = []permissions.Item{{Sysname: "FUN"}} }), "ESIA-036726"},
		{"two purposes", mod(func(r *permissions.Request) { r.Purposes = append(r.Purposes, permissions.Item{Sysname: "PENSION"}) }), "ESIA-036727"},
	}
	t.Run("on v1", func(t *testing.T) {
		state := newState()
		q := c.authParams(false, "openid", "online", state)
		q.Set("permissions", permissions.Encode(socialSupport(60)))
		pg := e.browserFor(t).Get(e.base + "/aas/oauth2/ac?" + q.Encode())
		if p := pg.Params(); !strings.HasPrefix(p.Get("error_description"), "ESIA-007003") || p.Get("state") != state {
			t.Fatalf("got %s", pg.Summary())
		}
	})
	t.Run("without openid", func(t *testing.T) {
		state := newState()
		q := c.authParams(true, "fullname", "online", state)
		q.Set("permissions", permissions.Encode(socialSupport(60)))
		pg := e.browserFor(t).Get(e.base + "/aas/oauth2/v2/ac?" + q.Encode())
		if p := pg.Params(); !strings.HasPrefix(p.Get("error_description"), "ESIA-007003") || p.Get("state") != state {
			t.Fatalf("got %s", pg.Summary())
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := newState()
			q := c.authParams(true, "openid", "online", state)
			q.Set("permissions", tc.raw)
			pg := e.browserFor(t).Get(e.base + "/aas/oauth2/v2/ac?" + q.Encode())
			if !pg.RedirectedTo(rpRedir) {
				t.Fatalf("expected a redirect to the system, got %s", pg.Summary())
			}
			p := pg.Params()
			if !strings.HasPrefix(p.Get("error_description"), tc.code+": ") || p.Get("state") != state || p.Get("error") == "" {
				t.Fatalf("got %v, want %s", p, tc.code)
			}
		})
	}
}

// TestPermissionsDenied: refusing on the consent page answers ESIA-007004, and nothing is
// stored, so prm_chg is refused.
func TestPermissionsDenied(t *testing.T) {
	e := newEnv(t)
	c := e.epgu()
	pg, state := c.consentWithPermissions(socialSupport(60), "+79990000003")
	back := c.answer(pg, "deny")
	p := back.Params()
	if !back.RedirectedTo(rpRedir) || !strings.HasPrefix(p.Get("error_description"), "ESIA-007004") || p.Get("state") != state {
		t.Fatalf("deny: %s %v", back.Summary(), p)
	}
	status, m, _ := c.tokenUpdate("1000000003")
	if status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007019") {
		t.Fatalf("prm_chg without a consent: %d %v", status, m)
	}
}

// TestConsentTokenRefusals: prm_chg without a consent, after it expired (test clock), with a
// malformed scope and with a bad signature.
func TestConsentTokenRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.epgu()
	const oid = "1000000003"
	if status, m, _ := c.tokenUpdate(oid); status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007019") {
		t.Fatalf("no consent: %d %v", status, m)
	}
	pg, state := c.consentWithPermissions(socialSupport(60), "+79990000003")
	c.codeFrom(c.answer(pg, "allow"), state)
	if status, m, _ := c.tokenUpdate(oid); status != http.StatusOK {
		t.Fatalf("live consent: %d %v", status, m)
	}
	e.clock.Advance(61 * time.Minute)
	if status, m, _ := c.tokenUpdate(oid); status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007019") {
		t.Fatalf("expired consent: %d %v", status, m)
	}
	ag := c.browser.Get(e.base + "/account/agreements")
	if isLoginForm(ag) { // the SSO session timed out meanwhile
		ag = e.login(c.browser, ag, "+79990000003")
	}
	if !strings.Contains(ag.Text(), "Срок действия истёк") {
		t.Fatalf("the agreements page does not show the expiry: %s", ag.Text())
	}
	if _, err := ag.Form(browser.ByAction("/account/agreements/withdraw")); err == nil {
		t.Fatal("an expired consent offers a withdraw button")
	}

	f := url.Values{"client_id": {c.id}, "grant_type": {"client_credentials"}, "scope": {"prm_chg"}, "redirect_uri": {c.redirect},
		"timestamp": {c.timestamp()}, "state": {newState()}, "client_secret": {"x"}, "client_certificate_hash": {c.certHash()}}
	if status, m := c.post(true, f); status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007006") {
		t.Fatalf("prm_chg without oid: %d %v", status, m)
	}
	f.Set("scope", "prm_chg?oid="+oid)
	if status, m := c.post(true, f); status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007053") {
		t.Fatalf("bad signature: %d %v", status, m)
	}
}

// TestAgreementsPageNeedsLoginAndForm: the page sends a stranger to log in, and a withdrawal
// without the page's form token is refused.
func TestAgreementsPageNeedsLoginAndForm(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	if pg := b.Get(e.base + "/account/agreements"); !isLoginForm(pg) {
		t.Fatalf("no login form for a stranger: %s", pg.Summary())
	}
	pg, err := b.Do(mustPost(t, e.base+"/account/agreements/withdraw", url.Values{"consent": {"x"}}))
	if err != nil {
		t.Fatal(err)
	}
	if pg.Status != http.StatusForbidden {
		t.Fatalf("withdraw without a form token: %s", pg.Summary())
	}
	pg, err = b.Do(mustPost(t, e.base+"/aas/oauth2/permissions", url.Values{"authRequestID": {"x"}, "decision": {"allow"}}))
	if err != nil {
		t.Fatal(err)
	}
	if pg.Status != http.StatusForbidden {
		t.Fatalf("a consent answer without a form token: %s", pg.Summary())
	}
}

func mustPost(t testing.TB, u string, f url.Values) *http.Request {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// TestDigitalProfileData: every Digital Profile scope with data answers in the emulator's
// shape, the same twice, only for the token's person, and a refreshed token keeps the consent.
func TestDigitalProfileData(t *testing.T) {
	e := newEnv(t)
	c := e.epgu()
	const oid = "1000000003"
	perms := socialSupport(60)
	perms[0].Scopes = nil
	for _, s := range dprofile.Scopes {
		perms[0].Scopes = append(perms[0].Scopes, permissions.Item{Sysname: s})
	}
	pg, state := c.consentWithPermissions(perms, "+79990000003")
	tok := c.exchange(true, c.codeFrom(c.answer(pg, "allow"), state), "openid")
	status, refreshed := c.post(true, c.tokenForm(true, "refresh_token", str(tok["refresh_token"]), "openid"))
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, refreshed)
	}
	access := str(refreshed["access_token"])
	_, claims, _ := jwtParts(t, access)
	if claims["permissions"] == nil || !strings.Contains(str(claims["scope"]), "ils_doc?oid="+oid) {
		t.Fatalf("the refreshed token lost the consent: %v", claims)
	}
	want := map[string]string{"payments_egisso": "elements", "ils_doc": "insuranceExperience", "pension_reference": "recipient",
		"pre_retirement_age": "preRetirementAge", "payout_income": "elements", "electronic_workbook": "elements"}
	for _, s := range dprofile.Scopes {
		status, m := c.api(access, dprofile.DataPath+oid+"/"+s)
		_, again := c.api(access, dprofile.DataPath+oid+"/"+s)
		if status != http.StatusOK || m[want[s]] == nil || str(m) != str(again) {
			t.Errorf("%s: %d %v", s, status, m)
		}
	}
	if status, _ := c.api(access, dprofile.DataPath+"1000000002/ils_doc"); status != http.StatusForbidden {
		t.Errorf("another person's data: %d, want 403", status)
	}
	if status, _ := c.api("", dprofile.DataPath+oid+"/ils_doc"); status != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", status)
	}
}
