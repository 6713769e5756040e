// Package requestid gives every HTTP request an id that follows it everywhere a tester may
// look: the X-Request-Id response header, every log line written with the request's context,
// the audit events it records (audit.Event.RequestID) and the error page it ends on
// («код ошибки: …», provider/web).
//
// Middleware (mounted by provider.New in front of every route) accepts a sane incoming
// X-Request-Id (a proxy's or a test's) or makes one from its injected random source, and puts
// it in the request's context; From reads it back. LogHandler wraps a slog.Handler so that
// every record logged with such a context carries request_id.
//
// It mounts no route and sits below every room, so audit and web may read the id.
package requestid
