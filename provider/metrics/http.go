package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
)

// route is where Routes notes the pattern the mux chose, for HTTP to read once the request
// is done: wrappers between the two may give the mux a copy of the request, but they pass
// its context on.
type route struct{ pattern string }

type routeKey struct{}

// HTTP times every request to next (esia_http_request_duration_seconds) by the route pattern
// that Routes, wrapped around the mux somewhere inside next, noted. With log set it also writes
// one line per request (method, route, path, status, duration): at info level for a status of
// 400 or more, so the «код ошибки» of an error page always finds a line, at debug otherwise.
func (m *Metrics) HTTP(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := m.now()
		rt := &route{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
		pattern := rt.pattern
		if pattern == "" {
			pattern = "none"
		}
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		took := m.now().Sub(start)
		m.httpTime.WithLabelValues(pattern, httpMethod(r.Method), strconv.Itoa(code)).Observe(took.Seconds())
		if log != nil {
			level := slog.LevelDebug
			if code >= 400 {
				level = slog.LevelInfo
			}
			log.Log(r.Context(), level, "http request", "method", r.Method, "route", pattern, "path", r.URL.Path,
				"status", code, "duration_ms", took.Milliseconds())
		}
	})
}

// Routes wraps the mux: after it served a request, the pattern it matched (http.Request's
// Pattern, which ServeMux sets on the request it was given) is noted for HTTP.
func Routes(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
			rt.pattern = r.Pattern
		}
	})
}

// httpMethod bounds the method label: the standard methods, else "other".
func httpMethod(m string) string {
	return label(m, http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions)
}

// statusWriter notes the status code written. Unwrap lets http.ResponseController reach the
// connection (flushes, the long poll's deadlines).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
