package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// metric returns the value of the series name{labels} in a Prometheus text exposition, and
// whether it is there. labels are name="value" pairs in any order.
func metric(exposition, name string, labels ...string) (float64, bool) {
	for _, line := range strings.Split(exposition, "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		all := true
		for _, l := range labels {
			all = all && strings.Contains(rest, l)
		}
		if !all {
			continue
		}
		v, err := strconv.ParseFloat(rest[strings.LastIndex(rest, " ")+1:], 64)
		return v, err == nil
	}
	return 0, false
}

func TestMetricsAfterALogin(t *testing.T) {
	e := newEnv(t)
	if status, _ := e.admin("GET", "/metrics", "", ""); status != http.StatusUnauthorized {
		t.Fatalf("/metrics without the admin token: %d, want 401", status)
	}
	if status, _ := e.admin("GET", "/debug/pprof/", "", ""); status != http.StatusUnauthorized {
		t.Fatalf("/debug/pprof/ without the admin token: %d, want 401", status)
	}
	if status, body := e.admin("GET", "/debug/pprof/", adminToken, ""); status != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Fatalf("/debug/pprof/ with the token: %d %q", status, snippet(body))
	}

	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!")
	cab.mustExchange(cab.loginAs("maria.ivanova@example.ru"))

	status, body := e.admin("GET", "/metrics", adminToken, "")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %q", status, snippet(body))
	}
	for _, c := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"esia_logins_total", []string{`outcome="success"`, `method="pwd"`}, 1},
		{"esia_logins_total", []string{`outcome="invalid_credentials"`}, 1},
		{"esia_tokens_issued_total", []string{`grant="authorization_code"`, `dialect="oidc"`}, 1},
		{"esia_consents_total", []string{`action="given"`}, 1},
		{"esia_audit_events_total", []string{`type="login"`}, 1},
		{"esia_http_request_duration_seconds_count", []string{`route="/oauth/token"`, `method="POST"`, `code="200"`}, 1},
		{"esia_http_request_duration_seconds_count", []string{`route="/authorize"`, `method="GET"`}, 2},
		{"esia_store_operation_duration_seconds_count", []string{`operation="user_by_login"`}, 2},
		{"esia_password_gate_wait_seconds_count", nil, 2},
		{"esia_password_gate_slots", nil, 1},
		{"go_goroutines", nil, 1},
	} {
		v, ok := metric(body, c.name, c.labels...)
		if !ok || v < c.min {
			t.Errorf("%s%v = %v (present %v), want at least %v", c.name, c.labels, v, ok, c.min)
		}
	}
	// Routes are patterns, never raw paths: an unknown path is counted under the catch-all.
	e.admin("GET", "/no/such/path/12345", "", "")
	_, body = e.admin("GET", "/metrics", adminToken, "")
	if strings.Contains(body, "12345") {
		t.Error("a raw path became a label value")
	}
	if t.Failed() {
		t.Log(body)
	}
}

// syncBuffer is a log destination the handlers may write to concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// blipStore fails the update that marks an authorization request logged in, once armed: a
// store blip in the middle of a login, after the login was audited.
type blipStore struct {
	storage.Store
	armed atomic.Bool
}

func (b *blipStore) UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	return b.Store.UpdateAuthRequest(ctx, id, now, func(old storage.AuthRequest) (storage.AuthRequest, error) {
		ar, err := fn(old)
		if err == nil && ar.Authenticated && !old.Authenticated && b.armed.Load() {
			return ar, fmt.Errorf("blip: %w", storage.ErrUnavailable)
		}
		return ar, err
	})
}

// A tester's screenshot of an error page shows «код ошибки»: the same id is on the request's
// log lines (JSON) and on the audit events it recorded.
func TestErrorPageCodeLeadsToTheLogAndTheAudit(t *testing.T) {
	var logs syncBuffer
	store := &blipStore{Store: memory.New()}
	e := newEnvWithOptions(t, store, func(o *provider.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	form := cab.authorize()
	store.armed.Store(true)
	pg := e.submitLogin(cab.browser, form, "+79990000002", "Test1234!")
	if pg.status != http.StatusServiceUnavailable {
		t.Fatalf("want the 503 error page, got %d %q", pg.status, snippet(pg.body))
	}
	code := pg.pg.TextOf(".error-code code")
	if !strings.HasPrefix(pg.pg.TextOf(".error-code"), "код ошибки:") || !regexp.MustCompile(`^[a-z2-7]{16}$`).MatchString(code) {
		t.Fatalf("no «код ошибки» on the error page: %q", snippet(pg.body))
	}

	found := false
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["request_id"] == code && rec["level"] == "ERROR" && strings.Contains(fmt.Sprint(rec["err"]), "blip") {
			found = true
		}
	}
	if !found {
		t.Errorf("no error logged for request %s in\n%s", code, logs.String())
	}

	status, body := e.admin("GET", "/admin/api/audit?user=1000000002&type=login", adminToken, "")
	if status != http.StatusOK {
		t.Fatalf("audit: %d %q", status, body)
	}
	if !strings.Contains(body, `"request_id": "`+code+`"`) {
		t.Errorf("no login event of request %s in the audit log: %s", code, body)
	}

	// An incoming X-Request-Id (a proxy's) is kept and answered.
	req, _ := http.NewRequest("GET", e.issuer+"/no-such-page", nil)
	req.Header.Set("X-Request-Id", "proxy-42")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "proxy-42" {
		t.Errorf("X-Request-Id answered %q, want proxy-42", got)
	}
}
