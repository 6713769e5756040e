package provider_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/provider/config"
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
