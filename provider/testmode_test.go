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
