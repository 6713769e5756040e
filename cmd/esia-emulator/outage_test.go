package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

// TestRedisOutage stops Redis under a running emulator: pages answer 503 with a clear message,
// the token endpoint a temporarily_unavailable error, /healthz stays 200 while /readyz turns
// 503, the process stays up, and once Redis is back the same process serves logins again.
func TestRedisOutage(t *testing.T) {
	// appendonly: the data outlives the stop, as it would with any Redis worth the name.
	srv := redistest.Start(t, "--appendonly", "yes")
	e := startEmulator(t, "server", "--store", srv.URL(), "--redis-prefix", redistest.Prefix(t), "--data-dir", t.TempDir())
	wantStatus := func(path string, want int) {
		t.Helper()
		if status, body := e.get(path); status != want {
			t.Errorf("GET %s = %d, want %d: %.300s", path, status, want, body)
		}
	}
	wantStatus("/healthz", http.StatusOK)
	wantStatus("/readyz", http.StatusOK)
	br := newBrowser(t)
	code := login(t, br, e, "s1")
	// An authorization request to come back to during the outage.
	pending := br.Get(e.issuer + "/authorize?" + authorizeQuery("s2", "prompt", "login"))
	authReqID := hidden(pending, "authRequestID")
	if authReqID == "" {
		t.Fatalf("no login form for prompt=login: %s", pending.Summary())
	}

	srv.Stop()
	wantStatus("/healthz", http.StatusOK)
	wantStatus("/readyz", http.StatusServiceUnavailable)
	// The login page of the pending request: a 503 page with a message a citizen understands.
	start := time.Now()
	pg := br.Get(e.issuer + "/login?authRequestID=" + url.QueryEscape(authReqID))
	if pg.Status != http.StatusServiceUnavailable || !strings.Contains(pg.Text(), "Сервис временно недоступен") {
		t.Errorf("login page during the outage: %s; want 503 with a clear message", pg.Summary())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("login page took %s during the outage", d)
	}
	// A new authorization request: the same 503 page, or (the client being known from the
	// config) the standard redirect back with error=temporarily_unavailable.
	pg = br.Get(e.issuer + "/authorize?" + authorizeQuery("s3"))
	switch {
	case pg.Status == http.StatusServiceUnavailable && strings.Contains(pg.Text(), "Сервис временно недоступен"):
	case pg.RedirectedTo(rpRedirectURI):
		if q := pg.Params(); q.Get("error") != "temporarily_unavailable" || q.Get("state") != "s3" {
			t.Errorf("authorize during the outage redirected with %s, want error=temporarily_unavailable and the state", pg.Redirect)
		}
	default:
		t.Errorf("authorize during the outage: %s", pg.Summary())
	}
	status, tokenErr := redeem(t, e, code)
	if (status != http.StatusServiceUnavailable && status != http.StatusBadRequest) || tokenErr["error"] != "temporarily_unavailable" {
		t.Errorf("token endpoint during the outage: %d %v; want 503 (or 400) with error temporarily_unavailable", status, tokenErr)
	}
	if !e.alive() {
		t.Fatalf("the process died during the outage:\n%s", e.stderr)
	}

	srv.Restart(t)
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _ := e.get("/readyz")
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 15 s after Redis came back", status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Served again without a restart: the code issued before the outage, and a new login.
	if status, body := redeem(t, e, code); status != http.StatusOK || body["id_token"] == nil {
		t.Errorf("code issued before the outage, redeemed after: %d %v", status, body)
	}
	code = login(t, newBrowser(t), e, "s4")
	if status, body := redeem(t, e, code); status != http.StatusOK || body["id_token"] == nil {
		t.Errorf("login after the outage: %d %v", status, body)
	}
}
