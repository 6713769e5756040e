package requestid

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"io"
	"log/slog"
	"net/http"
)

// Header is the request and response header that carries the id.
const Header = "X-Request-Id"

// MaxLen bounds an accepted incoming id.
const MaxLen = 64

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Valid reports whether an incoming id may be kept: 1 to MaxLen characters of letters,
// digits and "-", "_", ".", ":" — nothing that could forge a log line or break a page.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// encoding is lower-case base32 without padding: ids a person can read aloud from a screenshot.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Middleware gives each request an id before Next sees it: a valid incoming X-Request-Id
// (a proxy's, a test's) is kept, anything else replaced by a new one. The id is also set on
// the response.
type Middleware struct {
	Next http.Handler
	// Rand makes new ids (10 bytes, 16 base32 characters); nil means crypto/rand.
	Rand io.Reader
}

// New returns a fresh id from m.Rand.
func (m *Middleware) New() string {
	rnd := m.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	var b [10]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "norandom" // crypto/rand does not fail; an injected reader in a test might
	}
	return encoding.EncodeToString(b[:])
}

func (m *Middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(Header)
	if !Valid(id) {
		id = m.New()
	}
	w.Header().Set(Header, id)
	m.Next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
}

// LogHandler returns h adding request_id to every record logged with a context that carries
// one. A handler wrapped already is returned as is.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ slog.Handler }

func (l logHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := From(ctx); id != "" {
		rec = rec.Clone()
		rec.AddAttrs(slog.String("request_id", id))
	}
	return l.Handler.Handle(ctx, rec)
}

func (l logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{l.Handler.WithAttrs(attrs)}
}

func (l logHandler) WithGroup(name string) slog.Handler { return logHandler{l.Handler.WithGroup(name)} }
