package rpkit

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Sessions keeps a cabinet's logged-in citizens on the server, by a random id in an HttpOnly
// SameSite=Lax cookie. Safe for concurrent use.
type Sessions[S any] struct {
	cookie string
	ttl    time.Duration
	max    int
	now    func() time.Time

	mu sync.Mutex
	m  map[string]entry[S]
}

type entry[S any] struct {
	s       *S
	expires time.Time
}

// NewSessions keeps at most max sessions of ttl each under the named cookie; now is the clock
// (nil: time.Now).
func NewSessions[S any](cookie string, ttl time.Duration, max int, now func() time.Time) *Sessions[S] {
	if now == nil {
		now = time.Now
	}
	return &Sessions[S]{cookie: cookie, ttl: ttl, max: max, now: now, m: map[string]entry[S]{}}
}

// Get returns the request's live session and its id, or nil.
func (ss *Sessions[S]) Get(r *http.Request) (*S, string) {
	ck, err := r.Cookie(ss.cookie)
	if err != nil {
		return nil, ""
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	e, ok := ss.m[ck.Value]
	if !ok || ss.now().After(e.expires) {
		return nil, ""
	}
	return e.s, ck.Value
}

// Start keeps s as a new session and sets its cookie. When the store is full, expired sessions
// go first; when none has expired, the new session is refused (false).
func (ss *Sessions[S]) Start(w http.ResponseWriter, r *http.Request, s *S) bool {
	id, now := Random(), ss.now()
	ss.mu.Lock()
	for k, old := range ss.m {
		if len(ss.m) < ss.max {
			break
		}
		if now.After(old.expires) {
			delete(ss.m, k)
		}
	}
	full := len(ss.m) >= ss.max
	if !full {
		ss.m[id] = entry[S]{s: s, expires: now.Add(ss.ttl)}
	}
	ss.mu.Unlock()
	if full {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: ss.cookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return true
}

// End forgets the session id and clears the cookie.
func (ss *Sessions[S]) End(w http.ResponseWriter, id string) {
	ss.mu.Lock()
	delete(ss.m, id)
	ss.mu.Unlock()
	clearCookie(w, ss.cookie, "/")
}

// EndWhere forgets every session match selects (a back-channel logout) and says how many.
func (ss *Sessions[S]) EndWhere(match func(*S) bool) int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	n := 0
	for id, e := range ss.m {
		if match(e.s) {
			delete(ss.m, id)
			n++
		}
	}
	return n
}

// SetLogin keeps the values of a login in progress (state, nonce, verifier: random, URL-safe,
// no dots) in a ten-minute HttpOnly cookie that only the callback path receives.
func SetLogin(w http.ResponseWriter, r *http.Request, name, callbackPath string, values ...string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: strings.Join(values, "."), Path: callbackPath,
		MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// TakeLogin reads and clears the cookie SetLogin set. The first value is the state: ok only
// when the cookie holds n values and its state equals the state the provider sent back.
func TakeLogin(w http.ResponseWriter, r *http.Request, name, callbackPath string, n int, state string) ([]string, bool) {
	ck, err := r.Cookie(name)
	clearCookie(w, name, callbackPath)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(ck.Value, ".")
	if len(parts) != n || parts[0] == "" || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(state)) != 1 {
		return nil, false
	}
	return parts, true
}

// Logout is who a valid logout token names: the provider's session, or the citizen.
type Logout struct{ Sid, Sub string }

// BackchannelLogout is the endpoint the provider posts logout tokens to. verify checks the
// token as an ID token (signature, iss, aud, exp); the handler adds the logout token's own
// rules (the logout event, no nonce, sid or sub) and calls end. A bad token gets 400 and ends
// nothing.
func BackchannelLogout(verify func(ctx context.Context, raw string) (*oidc.IDToken, error), end func(Logout)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		tok, err := verify(r.Context(), r.PostFormValue("logout_token"))
		var claims struct {
			Sid    string                     `json:"sid"`
			Nonce  *string                    `json:"nonce"`
			Events map[string]json.RawMessage `json:"events"`
		}
		if err == nil {
			err = tok.Claims(&claims)
		}
		_, isLogout := claims.Events["http://schemas.openid.net/event/backchannel-logout"]
		if err != nil || !isLogout || claims.Nonce != nil || (claims.Sid == "" && tok.Subject == "") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request"}`))
			return
		}
		end(Logout{Sid: claims.Sid, Sub: tok.Subject})
		w.WriteHeader(http.StatusOK)
	}
}

// Render writes page with v, never cached.
func Render(w http.ResponseWriter, page *template.Template, status int, v any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = page.Execute(w, v)
}

// Random is 32 random bytes, base64url.
func Random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Row is one line of a page's table.
type Row struct{ Key, Value string }

// Rows lists the claims in a stable order for the page, leaving out those skip names (nil:
// none).
func Rows(m map[string]any, skip func(key string, value any) bool) []Row {
	out := make([]Row, 0, len(m))
	for k, v := range m {
		if skip != nil && skip(k, v) {
			continue
		}
		b, _ := json.Marshal(v)
		out = append(out, Row{k, strings.Trim(string(b), `"`)})
	}
	slices.SortFunc(out, func(a, b Row) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
