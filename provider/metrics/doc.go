// Package metrics is the provider's Prometheus instrumentation, in a registry each provider
// owns (never the global default one; no package-level state).
//
// What it counts and where from:
//
//	esia_logins_total{outcome,method}                      audit events (audit.Recorder.Observe = AuditEvent)
//	esia_second_factor_codes_sent_total{channel}           audit code_sent
//	esia_second_factor_codes_failed_total                  audit code_failed
//	esia_lockouts_total{scope}                             audit lock
//	esia_consents_total{action}                            audit consent_given/changed/withdrawn/denied
//	esia_audit_events_total{type}                          every audit event
//	esia_tokens_issued_total{grant,dialect}                tokens.Service.Counter: the dialects' token responses
//	esia_http_request_duration_seconds{route,method,code}  HTTP around the handler, Routes around the mux
//	esia_store_operation_duration_seconds{operation}       Store, a storage.Store wrapper
//	esia_store_errors_total{operation,kind}                Store
//	esia_password_gate_wait_seconds, _rejected_total,
//	esia_password_gate_in_use, _slots                      Gate (password.Gate.Observe)
//
// plus the Go runtime's and the process's collectors. Every label takes its value from a
// fixed set (the route is the ServeMux pattern, never the raw path), so the series stay
// bounded whatever requests arrive. HTTP also writes the per-request log line.
//
// Routes: Mount adds GET /metrics and /debug/pprof/… (net/http/pprof's handlers, mounted
// explicitly; the DefaultServeMux that package registers itself on is never served), both
// behind the guard provider.New passes (the admin token). Handler serves the metrics without
// a guard, for cmd/esia-emulator's --metrics-addr listener.
//
// Called by provider.New only.
package metrics
