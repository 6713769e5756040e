package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
	"github.com/esia-emulator/esia-emulator/verification/password"
)

// scrape is m's exposition in the text format.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// has reports whether the exposition has the series line exactly (name{labels} value).
func has(exposition, line string) bool {
	return strings.Contains("\n"+exposition, "\n"+line+"\n")
}

func TestMethodLabelIsBounded(t *testing.T) {
	for in, want := range map[string]string{
		"pwd": "pwd", "pwd sms": "pwd+sms", "[pwd sms mfa]": "pwd+sms+mfa", "": "none", "pwd <script>": "pwd+other",
	} {
		if got := method(in); got != want {
			t.Errorf("method(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAuditEvents(t *testing.T) {
	m := New()
	m.AuditEvent(audit.Event{Type: audit.Login, Details: map[string]string{"amr": "[pwd sms mfa]"}})
	m.AuditEvent(audit.Event{Type: audit.LoginFailed, Details: map[string]string{"reason": "account_locked"}})
	m.AuditEvent(audit.Event{Type: audit.CodeSent, Details: map[string]string{"channel": "sms"}})
	m.AuditEvent(audit.Event{Type: audit.CodeFailed})
	m.AuditEvent(audit.Event{Type: audit.Lock, Details: map[string]string{"scope": "pwd"}})
	m.AuditEvent(audit.Event{Type: audit.ConsentWithdrawn})
	out := scrape(t, m)
	for _, line := range []string{
		`esia_logins_total{method="pwd+sms+mfa",outcome="success"} 1`,
		`esia_logins_total{method="pwd",outcome="account_locked"} 1`,
		`esia_second_factor_codes_sent_total{channel="sms"} 1`,
		`esia_second_factor_codes_failed_total 1`,
		`esia_lockouts_total{scope="pwd"} 1`,
		`esia_consents_total{action="withdrawn"} 1`,
		`esia_audit_events_total{type="login"} 1`,
	} {
		if !has(out, line) {
			t.Errorf("no %s in\n%s", line, out)
		}
	}
}

// failingDocs answers every document read as unavailable.
type failingDocs struct{ storage.Store }

func (failingDocs) GetDocRaw(context.Context, string, string, time.Time) ([]byte, error) {
	return nil, fmt.Errorf("down: %w", storage.ErrUnavailable)
}

func TestStoreCountsFailuresNotAnswers(t *testing.T) {
	m := New()
	s := m.Store(memory.New())
	ctx := context.Background()
	if _, err := s.GetUser(ctx, "nobody"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	refused := errors.New("the caller's own answer")
	if _, err := s.UpdateDocRaw(ctx, "c", "id", time.Now(), func([]byte) ([]byte, time.Time, error) { return nil, time.Time{}, refused }); !errors.Is(err, refused) && !errors.Is(err, storage.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := m.Store(failingDocs{memory.New()}).GetDocRaw(ctx, "c", "id", time.Now()); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatal(err)
	}
	out := scrape(t, m)
	for _, op := range []string{"get_user", "update_doc", "get_doc"} {
		if !has(out, `esia_store_operation_duration_seconds_count{operation="`+op+`"} 1`) {
			t.Errorf("%s not timed:\n%s", op, out)
		}
	}
	if !has(out, `esia_store_errors_total{kind="unavailable",operation="get_doc"} 1`) {
		t.Errorf("the unavailable get_doc not counted:\n%s", out)
	}
	if n := strings.Count(out, "\nesia_store_errors_total{"); n != 1 {
		t.Errorf("%d error series, want only get_doc/unavailable (not found and the caller's answer are not failures)", n)
	}
}

func TestGate(t *testing.T) {
	m := New()
	g := password.NewGate(1, 0)
	m.Gate(g)
	release, err := g.Enter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Enter(); !errors.Is(err, password.ErrBusy) {
		t.Fatalf("second Enter: %v", err)
	}
	release()
	out := scrape(t, m)
	for _, line := range []string{"esia_password_gate_rejected_total 1", "esia_password_gate_wait_seconds_count 1",
		"esia_password_gate_slots 1", "esia_password_gate_in_use 0"} {
		if !has(out, line) {
			t.Errorf("no %s in\n%s", line, out)
		}
	}
}

func TestHTTPUsesTheRoutePattern(t *testing.T) {
	m := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /personas/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := m.HTTP(Routes(mux), nil)
	for _, path := range []string{"/personas/1", "/personas/2", "/elsewhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/personas/3", nil))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`esia_http_request_duration_seconds_count{code="418",method="GET",route="GET /personas/{id}"} 2`,
		`esia_http_request_duration_seconds_count{code="404",method="GET",route="none"} 1`,
		`method="other"`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("no %s in\n%s", want, rec.Body.String())
		}
	}
	if strings.Contains(rec.Body.String(), "/personas/1") {
		t.Error("a raw path became a label")
	}
}
