package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"

	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/memory"
	"github.com/esia-emulator/esia-emulator/verification/password"
)

// TestPasswordHashingBounded: with every hashing slot taken (the test holds the gate's only
// slot), login, registration, recovery and the admin API answer 503 "overloaded" at once
// instead of starting another 19 MiB hash; when the slot is free, login works again.
func TestPasswordHashingBounded(t *testing.T) {
	h, err := password.New(password.TestParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Gate = password.NewGate(1, 0)
	e := newEnvWithOptions(t, memory.New(), func(o *provider.Options) { o.Hasher = h })
	cab := e.rp("es-client", "es-secret", "http://127.0.0.1:9100/cb", nil)
	loginPage := cab.authorize()

	// Recovery's first steps (the code is sent, then checked on its own) need no hash: do them
	// before the gate is full; the new password is the step that hashes.
	rb := e.browser()
	rp := get(t, rb, e.issuer+"/recover")
	sent := submit(t, rb, rp, browser.ByAction("/recover"), map[string]string{"login": "+79990000002"})
	code := e.lastMessage("+79990000002", "recovery_code").Code
	pwPage := submit(t, rb, sent, browser.ByAction("/recover/confirm"), map[string]string{"code": code})

	release, err := h.Gate.Enter()
	if err != nil {
		t.Fatal(err)
	}
	busy := func(what string, pg page) {
		t.Helper()
		if pg.status != http.StatusServiceUnavailable || !strings.Contains(pg.body, "Сервис перегружен") {
			t.Errorf("%s: want the 503 overloaded page, got %d %q", what, pg.status, snippet(pg.body))
		}
	}
	busy("login", e.submitLogin(cab.browser, loginPage, "+79990000002", "Test1234!"))
	other := e.rp("es-client", "es-secret", "http://127.0.0.1:9100/cb", nil)
	busy("login of an unknown account", e.submitLogin(other.browser, other.authorize(), "+79990009998", "Test1234!"))
	b := e.browser()
	reg := get(t, b, e.issuer+"/register")
	busy("registration", post(t, b, e.issuer+"/register", url.Values{"csrf": {reg.form("csrf")}, "last_name": {"Белов"}, "first_name": {"Артём"},
		"phone": {"+79125550001"}, "password": {"Kvartal2024"}, "password2": {"Kvartal2024"}, "agree": {"1"}, "pd": {"1"}}))
	busy("recovery", submit(t, rb, pwPage, browser.ByAction("/recover/password"),
		map[string]string{"password": "Novyi2024pass", "password2": "Novyi2024pass"}))
	status, body := e.admin("POST", "/admin/api/personas", adminToken,
		`{"level":"standard","last_name":"Орлов","first_name":"Павел","phone":"8 (912) 345-67-89","password":"Orlov2024!"}`)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "temporarily_unavailable") {
		t.Errorf("admin persona: %d %s", status, body)
	}

	release()
	cab = e.rp("es-client", "es-secret", "http://127.0.0.1:9100/cb", nil)
	if pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Test1234!"); pg.status == http.StatusServiceUnavailable || pg.isLoginForm() {
		t.Fatalf("login after the slot is free: %d %q", pg.status, snippet(pg.body))
	}
}
