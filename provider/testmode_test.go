package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
)

func testMode(c *config.Config) { c.Mode = "test" }

func TestTestModeEndpointsAreAbsentOutsideTestMode(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/admin/api/clock", "/admin/api/reset"} {
		if status, _ := e.admin("POST", path, adminToken, `{}`); status != http.StatusNotFound {
			t.Fatalf("%s outside test mode: %d", path, status)
		}
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if strings.Contains(cab.authorize().body, "Тестовый режим") {
		t.Fatal("test-mode banner outside test mode")
	}
}

func TestTimeTravel(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := cab.authorize(); !strings.Contains(pg.body, "Тестовый режим") {
		t.Fatal("no test-mode banner")
	}
	cab.loginAs("+79990000003")
	status, body := e.admin("POST", "/admin/api/clock", adminToken, `{"advance":"16m"}`)
	if status != http.StatusOK || !strings.Contains(body, `"offset": "16m0s"`) {
		t.Fatalf("advance: %d %s", status, body)
	}
	// The session's idle timeout followed the clock.
	if got := cab.authorize(oauthPrompt("none")).query("error"); got != "login_required" {
		t.Fatalf("after 16 minutes: %q", got)
	}
	// Tokens carry the shifted times.
	shiftedNow := e.clock.Now().Add(16 * time.Minute)
	tok, idt := cab.mustExchange(cab.loginAs("+79990000003"))
	iat := idt.IssuedAt
	if d := iat.Sub(shiftedNow); d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("iat %v, want about %v", iat, shiftedNow)
	}
	if d := idt.Expiry.Sub(iat); d != time.Hour {
		t.Fatalf("exp-iat = %v", d)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	// Freeze, advance while frozen, resume, reset.
	for _, step := range []struct{ body, want string }{
		{`{"freeze":true}`, `"frozen": true`},
		{`{"advance":"1h"}`, `"offset": "1h16m`},
		{`{"freeze":false}`, `"frozen": false`},
		{`{"reset":true}`, `"offset": "0s"`},
	} {
		if status, body := e.admin("POST", "/admin/api/clock", adminToken, step.body); status != http.StatusOK || !strings.Contains(body, step.want) {
			t.Fatalf("%s: %d %s", step.body, status, body)
		}
	}
	if status, _ := e.admin("POST", "/admin/api/clock", adminToken, `{"advance":"soon"}`); status != http.StatusBadRequest {
		t.Fatalf("bad duration: %d", status)
	}
	if status, _ := e.admin("POST", "/admin/api/clock", "", `{"advance":"1m"}`); status != http.StatusUnauthorized {
		t.Fatalf("clock without the admin token: %d", status)
	}
}

func TestResetRestoresTheSeed(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	if status, body := e.admin("POST", "/admin/api/personas", adminToken, `{"level":"simplified","last_name":"Новиков","first_name":"Олег","phone":"+79995550000"}`); status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	status, body := e.admin("POST", "/admin/api/reset", adminToken, "")
	if status != http.StatusOK {
		t.Fatalf("reset: %d %s", status, body)
	}
	var took struct {
		TookMS float64 `json:"took_ms"`
	}
	_ = json.Unmarshal([]byte(body), &took)
	t.Logf("reset took %.2f ms", took.TookMS)
	_, list := e.admin("GET", "/admin/api/personas", adminToken, "")
	if strings.Contains(list, "Новиков") || !strings.Contains(list, "Иванова") {
		t.Fatalf("personas after reset: %s", list)
	}
	if _, err := cab.userinfo(tok); err == nil {
		t.Fatal("a token survived the reset")
	}
	if got := cab.authorize(oauthPrompt("none")).query("error"); got != "login_required" {
		t.Fatalf("a session survived the reset: %q", got)
	}
	cab.mustExchange(cab.loginAs("+79990000003", oauth2.SetAuthURLParam("prompt", "login")))
}

func TestPersonaPicker(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize()
	if !strings.Contains(pg.body, `name="persona" value="1000000002"`) || !strings.Contains(pg.body, "Петров Сергей Александрович — стандартная") {
		t.Fatalf("no persona picker: %s", snippet(pg.body))
	}
	picked := post(t, cab.browser, e.issuer+"/login", map[string][]string{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "persona": {"1000000002"}})
	if _, idt := cab.mustExchange(cab.codeFrom(picked)); idt.Subject != "1000000002" {
		t.Fatalf("picked %s", idt.Subject)
	}
	// Still the real flow: a level check still applies.
	ri := e.rp("confirmed-only", "ri-secret", "http://127.0.0.1:9200/cb", nil)
	pg = ri.authorize()
	picked = post(t, ri.browser, e.issuer+"/login", map[string][]string{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "persona": {"1000000002"}})
	if picked.status != http.StatusForbidden || !strings.Contains(picked.body, "подтверждённой") {
		t.Fatalf("picker skipped the level check: %d", picked.status)
	}
}

func TestPersonaPickerIsOffOutsideTestMode(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize()
	if strings.Contains(pg.body, `name="persona"`) {
		t.Fatal("persona picker outside test mode")
	}
	got := post(t, cab.browser, e.issuer+"/login", map[string][]string{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "persona": {"1000000002"}})
	if got.location != "" || !strings.Contains(got.body, "Введите логин и пароль") {
		t.Fatalf("persona login outside test mode: %d %q", got.status, got.location)
	}
}

func TestMintedTokensAreRealTokens(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	status, body := e.admin("POST", "/admin/api/tokens", adminToken,
		`{"persona":"confirmed-sms","client_id":"demo-cabinet","scopes":["openid","profile","email"],"acr":"urn:esia:acr:2","amr":["pwd","sms"],"offline":true}`)
	if status != http.StatusCreated {
		t.Fatalf("mint: %d %s", status, body)
	}
	var tr struct {
		AccessToken  string `json:"access_token"`
		IDToken      string `json:"id_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	if err := json.Unmarshal([]byte(body), &tr); err != nil || tr.RefreshToken == "" || tr.ExpiresIn != 3600 {
		t.Fatalf("%v %s", err, body)
	}
	idt, err := cab.verifier.Verify(t.Context(), tr.IDToken)
	if err != nil {
		t.Fatalf("minted ID token against the JWKS: %v", err)
	}
	c := claims(t, idt)
	if idt.Subject != "1000000005" || c["acr"] != "urn:esia:acr:2" || c["family_name"] != "Соколова" {
		t.Fatalf("claims: %v", c)
	}
	tok := &oauth2.Token{AccessToken: tr.AccessToken, TokenType: "Bearer"}
	if ui, err := cab.userinfo(tok); err != nil || ui.Email != "elena.sokolova@example.ru" {
		t.Fatalf("userinfo with a minted token: %v", err)
	}
	if status, _ := e.tokenCall("demo-cabinet", "demo-secret", map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}); status != http.StatusOK {
		t.Fatalf("refresh a minted token: %d", status)
	}
	for name, bad := range map[string]string{
		"unknown persona": `{"persona":"nobody","client_id":"demo-cabinet"}`,
		"unknown client":  `{"persona":"confirmed","client_id":"nobody"}`,
	} {
		if status, _ := e.admin("POST", "/admin/api/tokens", adminToken, bad); status < 400 {
			t.Fatalf("%s: %d", name, status)
		}
	}
}

func TestFaultInjection(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	if status, body := e.admin("POST", "/admin/api/faults", adminToken, `{"endpoint":"userinfo","count":2,"status":500,"error":"server_error","error_description":"boom"}`); status != http.StatusCreated {
		t.Fatalf("add fault: %d %s", status, body)
	}
	for i := range 2 {
		if _, err := cab.userinfo(tok); err == nil || !strings.Contains(err.Error(), "500") {
			t.Fatalf("faulty call %d: %v", i, err)
		}
	}
	if _, err := cab.userinfo(tok); err != nil {
		t.Fatalf("the third call should pass: %v", err)
	}
	e.admin("POST", "/admin/api/faults", adminToken, `{"endpoint":"token","status":400,"error":"invalid_grant","esia_code":"ESIA-007011","error_description":"code expired"}`)
	status, body := e.tokenCall("demo-cabinet", "demo-secret", map[string][]string{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {cabinetRedirect}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || body["error_description"] != "ESIA-007011: code expired" {
		t.Fatalf("token fault: %d %v", status, body)
	}
	if status, body := e.admin("POST", "/admin/api/faults", adminToken, `{"endpoint":"nowhere"}`); status != http.StatusBadRequest {
		t.Fatalf("unknown endpoint: %d %s", status, body)
	}
	e.admin("POST", "/admin/api/faults", adminToken, `{"endpoint":"jwks","count":5}`)
	if status, body := e.admin("DELETE", "/admin/api/faults", adminToken, ""); status != http.StatusOK || strings.Contains(body, "jwks") {
		t.Fatalf("clear: %d %s", status, body)
	}
	if pg := get(t, e.browser(), e.issuer+"/keys"); pg.status != http.StatusOK {
		t.Fatalf("jwks after clearing: %d", pg.status)
	}
}

func TestMaintenanceSwitch(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	if status, _ := e.admin("POST", "/admin/api/maintenance", adminToken, `{"on":true}`); status != http.StatusOK {
		t.Fatal("maintenance on")
	}
	if pg := cab.authorize(); pg.status != http.StatusServiceUnavailable || !strings.Contains(pg.body, "Технические работы") {
		t.Fatalf("authorize during maintenance: %d", pg.status)
	}
	if _, err := cab.userinfo(tok); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("userinfo during maintenance: %v", err)
	}
	if pg := get(t, e.browser(), e.issuer+"/healthz"); pg.status != http.StatusOK {
		t.Fatal("healthz must stay up")
	}
	e.admin("POST", "/admin/api/maintenance", adminToken, `{"on":false}`)
	if _, err := cab.userinfo(tok); err != nil {
		t.Fatalf("after maintenance: %v", err)
	}
}

func TestLoginDebugger(t *testing.T) {
	e := newEnv(t, testMode)
	b := e.browser()
	pg := get(t, b, e.issuer+"/debug")
	if pg.status != http.StatusOK || !strings.Contains(pg.body, `<option value="demo-spa">`) {
		t.Fatalf("debug page: %d", pg.status)
	}
	for _, client := range []string{"demo-cabinet", "demo-spa"} {
		login := post(t, b, e.issuer+"/debug/start", map[string][]string{"csrf": {pg.form("csrf")}, "client": {client}, "scope": {"openid profile"}, "extra": {"prompt=login"}})
		done := e.approveConsent(b, e.submitLogin(b, login, "+79990000003", "Test1234!"))
		for _, want := range []string{"Token response (HTTP 200)", "signature: verified with the published key", "nonce matches: true", "Userinfo (HTTP 200)", "Иванова Мария Ивановна"} {
			if !strings.Contains(done.body, want) {
				t.Fatalf("%s: debugger result lacks %q: %s", client, want, snippet(done.body))
			}
		}
	}
	// A callback whose state is not this browser's is refused before any code is exchanged.
	// (prompt=login holds the flow at the login form, so the start's cookie is still there.)
	if login := post(t, b, e.issuer+"/debug/start", map[string][]string{"csrf": {pg.form("csrf")}, "client": {"demo-cabinet"}, "scope": {"openid"}, "extra": {"prompt=login"}}); !login.isLoginForm() {
		t.Fatalf("debugger start: %d %s", login.status, snippet(login.body))
	}
	bad := get(t, b, e.issuer+"/debug/callback?code=forged&state=forged")
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "state does not match") || strings.Contains(bad.body, "Token response") {
		t.Fatalf("a forged state: %d %s", bad.status, snippet(bad.body))
	}
	if pg := get(t, e.browser(), newEnv(t).issuer+"/debug"); pg.status != http.StatusNotFound {
		t.Fatalf("debugger outside test mode: %d", pg.status)
	}
}

func TestRegistryFaults(t *testing.T) {
	e := newEnv(t, testMode)
	if status, body := e.admin("POST", "/admin/api/faults", adminToken, `{"endpoint":"registry:snils","outcome":"PERSON_NOT_FOUND"}`); status != http.StatusCreated {
		t.Fatalf("registry fault: %d %s", status, body)
	}
	b := e.browser()
	acc := e.submitLogin(b, get(t, b, e.issuer+"/account?edit=1"), "+79990000001", "Test1234!")
	acc = post(t, b, e.issuer+"/account/profile", map[string][]string{"csrf": {acc.form("csrf")}, "snils": {"112-233-445 95"}, "passport_series": {"4510"}, "passport_number": {"123456"}})
	if !strings.Contains(acc.body, "проверка не пройдена") || !strings.Contains(acc.body, "упрощённая") {
		t.Fatalf("the SNILS check should have failed: %s", snippet(acc.body))
	}
}

// TestPersonaPickerSearch: with more accounts than the picker shows (10 before a search, 50
// found), the login page says how many it shows and finds any account by phone (or name,
// persona key, e-mail, SNILS), which can be picked.
func TestPersonaPickerSearch(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := cab.authorize(); strings.Contains(pg.body, `name="persona_q"`) {
		t.Fatal("a search box for six personas")
	}
	people := e.generate("POST", `{"seed":3,"count":60}`, http.StatusCreated).people(t)
	pg := cab.authorize()
	if n := strings.Count(pg.body, `name="persona"`); n != 10 {
		t.Fatalf("%d persona buttons, want %d", n, 10)
	}
	if !strings.Contains(pg.body, `name="persona_q"`) || !strings.Contains(pg.body, fmt.Sprintf("Показано %d из %d", 10, 6+60)) {
		t.Fatalf("no search or count: %s", snippet(pg.body))
	}
	arID := pg.form("authRequestID")
	search := func(q string) page {
		return get(t, cab.browser, e.issuer+"/login?"+url.Values{"authRequestID": {arID}, "persona_q": {q}}.Encode())
	}
	if many := search("gen3-"); strings.Count(many.body, `name="persona"`) != 50 || !strings.Contains(many.body, "Показано 50 из 60") {
		t.Fatalf("search by persona key prefix: %d buttons: %s", strings.Count(many.body, `name="persona"`), snippet(many.body))
	}
	last := people[len(people)-1]
	found := search(last.Phone)
	if strings.Count(found.body, `name="persona"`) != 1 || !strings.Contains(found.body, `value="`+last.OID+`"`) || !strings.Contains(found.body, "Показано 1 из 1") {
		t.Fatalf("search by phone %s: %s", last.Phone, snippet(found.body))
	}
	if byName := search(strings.ToUpper(last.LastName)); !strings.Contains(byName.body, `value="`+last.OID+`"`) {
		t.Fatalf("search by name %s found nothing", last.LastName)
	}
	if none := search("нет-такого"); strings.Contains(none.body, `name="persona"`) || !strings.Contains(none.body, "Никого не нашлось") {
		t.Fatalf("search for nobody: %s", snippet(none.body))
	}
	picked := post(t, cab.browser, e.issuer+"/login", url.Values{"authRequestID": {arID}, "csrf": {found.form("csrf")}, "persona": {last.OID}})
	if _, idt := cab.mustExchange(cab.codeFrom(picked)); idt.Subject != last.OID {
		t.Fatalf("picked %s, want %s", idt.Subject, last.OID)
	}
}

// TestClockRefusesMovesItCannotHold (issue 13 item 16): the test clock keeps its offset in a
// time.Duration (±292 years); a set or advance beyond what it holds is refused with a clear
// 400 and leaves the clock where it was, instead of being clamped silently.
func TestClockRefusesMovesItCannotHold(t *testing.T) {
	e := newEnv(t, testMode)
	year := e.clock.Now().Year()
	for _, body := range []string{
		fmt.Sprintf(`{"set":"%d-01-01T00:00:00Z"}`, year+400),
		fmt.Sprintf(`{"set":"%04d-01-01T00:00:00Z"}`, year-400),
		fmt.Sprintf(`{"set":"%d-01-01T00:00:00Z"}`, year+150),
		`{"advance":"2562047h"}`,
		`{"advance":"-2000000h"}`,
	} {
		status, resp := e.admin("POST", "/admin/api/clock", adminToken, body)
		if status != http.StatusBadRequest || !strings.Contains(resp, "100 years") {
			t.Fatalf("%s: %d %s, want 400 naming the limit", body, status, resp)
		}
	}
	if _, resp := e.admin("GET", "/admin/api/clock", adminToken, ""); !strings.Contains(resp, `"offset": "0s"`) {
		t.Fatalf("a refused move moved the clock: %s", resp)
	}
	// within the limit: fine, and a second step past it is refused.
	if status, resp := e.admin("POST", "/admin/api/clock", adminToken, `{"advance":"700000h"}`); status != http.StatusOK {
		t.Fatalf("80 years ahead: %d %s", status, resp)
	}
	if status, resp := e.admin("POST", "/admin/api/clock", adminToken, `{"advance":"700000h"}`); status != http.StatusBadRequest {
		t.Fatalf("160 years ahead: %d %s", status, resp)
	}
	if status, resp := e.admin("POST", "/admin/api/clock", adminToken, fmt.Sprintf(`{"reset":true,"set":"%d-06-01T00:00:00Z"}`, year+50)); status != http.StatusOK {
		t.Fatalf("reset then set 50 years ahead: %d %s", status, resp)
	}
}

// TestTryLoginFromHome: outside test mode the home page has a «Попробовать вход» button per
// built-in demo client; it runs a code + PKCE login into the built-in callback page, which
// shows the tokens and claims. Other clients cannot use the debugger, and a callback that is
// not this browser's is refused before any code is exchanged.
func TestTryLoginFromHome(t *testing.T) {
	e := newEnv(t, func(cfg *config.Config) {
		cfg.Clients = append(cfg.Clients, config.Client{ID: "real-cabinet", Name: "Кабинет", Secret: "rc-secret",
			RedirectURIs: []string{"http://127.0.0.1:9100/cb"}})
	})
	b := e.browser()
	home := get(t, b, e.issuer+"/")
	for _, want := range []string{"Попробовать вход: Демо-кабинет", "Попробовать вход: Демо-приложение в браузере"} {
		if !strings.Contains(home.body, want) {
			t.Fatalf("home page lacks %q: %s", want, snippet(home.body))
		}
	}
	if strings.Contains(home.body, "Попробовать вход: Кабинет") || strings.Contains(home.body, "Демо-кабинет ЕСИА</button>") {
		t.Fatal("a try button for a client that is not a built-in OIDC demo client")
	}
	for _, client := range []string{"demo-cabinet", "demo-spa"} {
		login := submit(t, b, get(t, b, e.issuer+"/"), func(f *browser.Form) bool { return f.Get("client") == client }, nil)
		if client == "demo-cabinet" { // the second goes through the session the first started
			login = e.submitLogin(b, login, "+79990000003", "Test1234!")
		}
		done := e.approveConsent(b, login)
		for _, want := range []string{"Token response (HTTP 200)", "signature: verified with the published key", "nonce matches: true", "Userinfo (HTTP 200)", "Иванова Мария Ивановна", `href="/"`} {
			if !strings.Contains(done.body, want) {
				t.Fatalf("%s: callback page lacks %q: %s", client, want, snippet(done.body))
			}
		}
	}
	csrf := get(t, b, e.issuer+"/").form("csrf")
	stop := e.browser() // stops at the authorization request: the refusal must come before it
	stop.StopAt(e.issuer + "/authorize")
	stopCSRF := get(t, stop, e.issuer+"/").form("csrf")
	if pg := post(t, stop, e.issuer+"/debug/start", map[string][]string{"csrf": {stopCSRF}, "client": {"real-cabinet"}, "scope": {"openid"}}); pg.status != http.StatusBadRequest || pg.location != "" {
		t.Fatalf("a non-demo client through the debugger: %d %q", pg.status, pg.location)
	}
	if pg := post(t, stop, e.issuer+"/debug/start", map[string][]string{"csrf": {stopCSRF}, "client": {"demo-cabinet"}, "scope": {"openid"}}); !strings.HasPrefix(pg.location, e.issuer+"/authorize?") {
		t.Fatalf("a demo client through the debugger: %d %q", pg.status, pg.location)
	}
	if pg := post(t, b, e.issuer+"/debug/start", map[string][]string{"csrf": {"forged"}, "client": {"demo-cabinet"}, "scope": {"openid"}}); pg.status != http.StatusForbidden {
		t.Fatalf("a forged form token: %d", pg.status)
	}
	// prompt=login holds the flow at the login form, so the start's cookie is still there.
	if login := post(t, b, e.issuer+"/debug/start", map[string][]string{"csrf": {csrf}, "client": {"demo-cabinet"}, "scope": {"openid"}, "extra": {"prompt=login"}}); !login.isLoginForm() {
		t.Fatalf("start: %d %s", login.status, snippet(login.body))
	}
	if bad := get(t, b, e.issuer+"/debug/callback?code=forged&state=forged"); bad.status != http.StatusBadRequest || strings.Contains(bad.body, "Token response") {
		t.Fatalf("a forged state: %d %s", bad.status, snippet(bad.body))
	}
	if pg := get(t, b, e.issuer+"/debug"); pg.status != http.StatusNotFound {
		t.Fatalf("the debugger's client picker outside test mode: %d", pg.status)
	}
}

// TestPersonaPickerLabels: each picker button names the persona's key, login, second factor
// and (when not active) status, so a tester picks the account a scenario needs.
func TestPersonaPickerLabels(t *testing.T) {
	e := newEnv(t, testMode)
	pg := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil).authorize()
	labels := map[string]string{}
	for _, b := range pg.pg.FindAll("button.persona") {
		labels[b.Attr("value")] = strings.Join(strings.Fields(b.Text()), " ")
	}
	for oid, want := range map[string][]string{
		"1000000003": {"confirmed ·", "+79990000003", "без второго фактора"},
		"1000000004": {"confirmed-totp ·", "код из приложения"},
		"1000000005": {"confirmed-sms ·", "код по SMS"},
		"1000000006": {"suspended ·", "Заблокирована"},
	} {
		for _, w := range want {
			if !strings.Contains(labels[oid], w) {
				t.Errorf("picker button %s = %q, want %q in it", oid, labels[oid], w)
			}
		}
	}
	if strings.Contains(labels["1000000003"], "Активна") {
		t.Errorf("an active account's label names its status: %q", labels["1000000003"])
	}
}
