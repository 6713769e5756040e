package esia_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/config"
)

// TestMaintenanceAndFaultsInESIAFormat: in test mode, maintenance and injected faults on ESIA's
// own endpoints answer as ESIA does — ESIA-007008 with state back to the system's redirect_uri
// on /ac, 4xx/5xx JSON with the token request's state on /te, {code, message} on /rs — and an
// /ac request whose client or redirect is not known-good still gets the page.
func TestMaintenanceAndFaultsInESIAFormat(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Mode = "test" })
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid fullname", "online", "+79990000003")
	access := str(c.exchange(false, code, "openid fullname")["access_token"])
	admin := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, e.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		if pg := e.do(req); pg.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, pg.Status, pg.Body)
		}
	}
	authorize := func(v2 bool, edit func(q map[string][]string)) (string, map[string]string) {
		state := newState()
		q := c.authParams(v2, "openid fullname", "online", state)
		if edit != nil {
			edit(q)
		}
		pg := e.browserFor(t).Get(e.base + authPath(v2) + "?" + q.Encode())
		p := pg.Params()
		return state, map[string]string{"status": http.StatusText(pg.Status), "location": location(pg), "error": p.Get("error"),
			"error_description": p.Get("error_description"), "state": p.Get("state"), "body": pg.Body}
	}

	admin("POST", "/admin/api/maintenance", `{"on":true}`)
	for _, v2 := range []bool{false, true} {
		state, got := authorize(v2, nil)
		if got["location"] == "" || got["error"] != "temporarily_unavailable" || !strings.HasPrefix(got["error_description"], "ESIA-007008: ") || got["state"] != state {
			t.Fatalf("/ac (v2 %v) in maintenance: %v", v2, got)
		}
	}
	if _, got := authorize(false, func(q map[string][]string) { q["redirect_uri"] = []string{"https://evil.example/cb"} }); got["location"] != "" {
		t.Fatalf("maintenance redirected to an unregistered redirect_uri: %v", got["location"])
	}
	f := c.tokenForm(false, "authorization_code", "eyJ.eyJ.sig", "openid")
	if status, m := c.post(false, f); status != http.StatusServiceUnavailable || !strings.HasPrefix(str(m["error_description"]), "ESIA-007008: ") || m["state"] != f.Get("state") {
		t.Fatalf("/te in maintenance: %d %v", status, m)
	}
	if status, m := c.api(access, "/rs/prns/1000000003"); status != http.StatusServiceUnavailable || m["code"] != "ESIA-007008" {
		t.Fatalf("/rs in maintenance: %d %v", status, m)
	}
	admin("POST", "/admin/api/maintenance", `{"on":false}`)

	// An injected /te fault keeps the token request's state; an /ac fault comes back as a redirect.
	admin("POST", "/admin/api/faults", `{"endpoint":"token","status":400,"error":"invalid_grant","esia_code":"ESIA-007011","error_description":"code expired"}`)
	f = c.tokenForm(true, "authorization_code", "eyJ.eyJ.sig", "openid")
	if status, m := c.post(true, f); status != http.StatusBadRequest || str(m["error_description"]) != "ESIA-007011: code expired" || m["state"] != f.Get("state") {
		t.Fatalf("/v3/te fault: %d %v", status, m)
	}
	admin("POST", "/admin/api/faults", `{"endpoint":"authorize","status":500,"error":"server_error","esia_code":"ESIA-007017"}`)
	if state, got := authorize(true, nil); got["error"] != "server_error" || !strings.HasPrefix(got["error_description"], "ESIA-007017") || got["state"] != state {
		t.Fatalf("/v2/ac fault: %v", got)
	}
}
