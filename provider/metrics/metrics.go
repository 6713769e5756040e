package metrics

import (
	"errors"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/password"
)

// Metrics is one provider's collectors in its own registry (never Prometheus' global one),
// so two providers in one process — replicas in a test — count apart.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time // latency measurements only; never the test-mode clock

	logins      *prometheus.CounterVec
	codesSent   *prometheus.CounterVec
	codesFailed prometheus.Counter
	locks       *prometheus.CounterVec
	consents    *prometheus.CounterVec
	events      *prometheus.CounterVec
	tokens      *prometheus.CounterVec
	httpTime    *prometheus.HistogramVec
	storeTime   *prometheus.HistogramVec
	storeErrs   *prometheus.CounterVec
	gateWait    prometheus.Histogram
	gateBusy    prometheus.Counter
}

// New returns the collectors, registered with a new registry together with the Go runtime's
// and the process's.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), now: time.Now}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_logins_total",
		Help: "Logins by outcome (success, invalid_credentials, account_locked) and method (the amr values joined by +, e.g. pwd, pwd+sms)."},
		[]string{"outcome", "method"})
	m.codesSent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_second_factor_codes_sent_total",
		Help: "One-time codes sent, by channel (sms, email)."}, []string{"channel"})
	m.codesFailed = prometheus.NewCounter(prometheus.CounterOpts{Name: "esia_second_factor_codes_failed_total",
		Help: "Wrong or expired one-time codes entered."})
	m.locks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_lockouts_total",
		Help: "Accounts or addresses locked after too many failures, by scope."}, []string{"scope"})
	m.consents = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_consents_total",
		Help: "Consent decisions by action (given, changed, withdrawn, denied)."}, []string{"action"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_audit_events_total",
		Help: "Audit events recorded, by type."}, []string{"type"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_tokens_issued_total",
		Help: "Token responses by grant (authorization_code, refresh_token, test_mint) and dialect (oidc, esia)."},
		[]string{"grant", "dialect"})
	m.httpTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "esia_http_request_duration_seconds",
		Help:    "HTTP request latency by route (the ServeMux pattern that served it; none when refused before routing), method and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
		[]string{"route", "method", "code"})
	m.storeTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "esia_store_operation_duration_seconds",
		Help:    "Store operation latency by operation.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}},
		[]string{"operation"})
	m.storeErrs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "esia_store_errors_total",
		Help: "Store operations that failed, by operation and kind (unavailable, conflict, other); not found, already exists and already used are answers, not failures."},
		[]string{"operation", "kind"})
	m.gateWait = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "esia_password_gate_wait_seconds",
		Help:    "How long a password hash (argon2id) waited for a slot of the hashing gate.",
		Buckets: []float64{0, .001, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5}})
	m.gateBusy = prometheus.NewCounter(prometheus.CounterOpts{Name: "esia_password_gate_rejected_total",
		Help: "Password hashes refused because no slot of the hashing gate freed up in time (the citizen saw 'try again')."})
	for _, c := range []prometheus.Collector{m.logins, m.codesSent, m.codesFailed, m.locks, m.consents, m.events, m.tokens,
		m.httpTime, m.storeTime, m.storeErrs, m.gateWait, m.gateBusy} {
		f(c)
	}
	return m
}

// Registry is the provider's registry, for a caller that adds its own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format (no access check: see Mount).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Mount adds GET /metrics and the pprof handlers under /debug/pprof/, each behind guard
// (the admin token). The pprof handlers are mounted here explicitly; the DefaultServeMux that
// net/http/pprof registers itself on is never served.
func (m *Metrics) Mount(mux *http.ServeMux, guard func(http.Handler) http.Handler) {
	mux.Handle("GET /metrics", guard(m.Handler()))
	mux.Handle("/debug/pprof/", guard(http.HandlerFunc(pprof.Index)))
	mux.Handle("/debug/pprof/cmdline", guard(http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("/debug/pprof/profile", guard(http.HandlerFunc(pprof.Profile)))
	mux.Handle("/debug/pprof/symbol", guard(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("/debug/pprof/trace", guard(http.HandlerFunc(pprof.Trace)))
}

// AuditEvent counts an audit event (audit.Recorder.Observe).
func (m *Metrics) AuditEvent(ev audit.Event) {
	m.events.WithLabelValues(string(ev.Type)).Inc()
	switch ev.Type {
	case audit.Login:
		m.logins.WithLabelValues("success", method(ev.Details["amr"])).Inc()
	case audit.LoginFailed:
		m.logins.WithLabelValues(label(ev.Details["reason"], "invalid_credentials", "account_locked"), "pwd").Inc()
	case audit.CodeSent:
		m.codesSent.WithLabelValues(label(ev.Details["channel"], "sms", "email")).Inc()
	case audit.CodeFailed:
		m.codesFailed.Inc()
	case audit.Lock:
		m.locks.WithLabelValues(label(ev.Details["scope"], "pwd", "code", "ip")).Inc()
	case audit.ConsentGiven:
		m.consents.WithLabelValues("given").Inc()
	case audit.ConsentChanged:
		m.consents.WithLabelValues("changed").Inc()
	case audit.ConsentWithdrawn:
		m.consents.WithLabelValues("withdrawn").Inc()
	case audit.ConsentDenied:
		m.consents.WithLabelValues("denied").Inc()
	}
}

// method is the login method label of an event's amr detail ("pwd sms" or "[pwd sms]"):
// the known values joined by "+", anything else as "other", so the label stays bounded.
func method(amr string) string {
	var out []string
	for _, v := range strings.Fields(strings.Trim(amr, "[]")) {
		out = append(out, label(v, "pwd", "sms", "otp", "email", "mfa", "hwk", "user", "test"))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "+")
}

// label is v when it is one of known, else "other": a label never takes a value from outside.
func label(v string, known ...string) string {
	for _, k := range known {
		if v == k {
			return k
		}
	}
	return "other"
}

// TokensIssued counts one token response (tokens.Service.Counter).
func (m *Metrics) TokensIssued(grant, dialect string) {
	m.tokens.WithLabelValues(grant, dialect).Inc()
}

// GateWaited records one wait of the password hashing gate (password.Gate.Observe).
func (m *Metrics) GateWaited(waited time.Duration, admitted bool) {
	if !admitted {
		m.gateBusy.Inc()
		return
	}
	m.gateWait.Observe(waited.Seconds())
}

// Gate makes g report to m and exports its slots in use (esia_password_gate_in_use) and its
// size (esia_password_gate_slots). Call it once, before g is shared.
func (m *Metrics) Gate(g *password.Gate) {
	if g == nil {
		return
	}
	g.Observe = m.GateWaited
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "esia_password_gate_in_use", Help: "Password hashes running now."},
			func() float64 { return float64(g.InUse()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "esia_password_gate_slots", Help: "Password hashes that may run at once."},
			func() float64 { return float64(g.Size()) }))
}

// Store returns s timing every operation (esia_store_operation_duration_seconds) and
// counting its failures (esia_store_errors_total).
func (m *Metrics) Store(s storage.Store) storage.Store { return &store{Store: s, m: m} }

// storeDone records one store operation that began at start and ended with err; fnErr is
// what the caller's update function returned, which is the caller's answer, not a failure.
func (m *Metrics) storeDone(op string, start time.Time, err, fnErr error) {
	m.storeTime.WithLabelValues(op).Observe(m.now().Sub(start).Seconds())
	switch {
	case err == nil, fnErr != nil && errors.Is(err, fnErr),
		errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrAlreadyExists), errors.Is(err, storage.ErrAlreadyUsed):
	case errors.Is(err, storage.ErrUnavailable):
		m.storeErrs.WithLabelValues(op, "unavailable").Inc()
	case errors.Is(err, storage.ErrConflict):
		m.storeErrs.WithLabelValues(op, "conflict").Inc()
	default:
		m.storeErrs.WithLabelValues(op, "other").Inc()
	}
}
