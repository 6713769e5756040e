package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Collection is the storage.Docs collection of events.
const Collection = "audit"

// Type is the kind of event. The constants below are the types the emulator records; the
// type is a string so a later feature can add its own.
type Type string

const (
	Login                Type = "login"                 // a citizen proved who they are (password, second factor)
	LoginFailed          Type = "login_failed"          // wrong login, password or code; Details["reason"]
	Logout               Type = "logout"                // the citizen or a relying party ended the session
	SessionEnded         Type = "session_ended"         // idle or absolute expiry, or ended from the sessions page
	ConsentGiven         Type = "consent_given"         // first grant for a client; Details["scopes"]
	ConsentChanged       Type = "consent_changed"       // grants for a client changed; Details["added"], ["removed"]
	ConsentWithdrawn     Type = "consent_withdrawn"     // grants withdrawn; Details["scopes"]
	ConsentDenied        Type = "consent_denied"        // the citizen pressed "Отказать" on the consent page
	TokensRevoked        Type = "tokens_revoked"        // a client's tokens for the citizen revoked
	CodeSent             Type = "code_sent"             // a one-time code sent; Details["channel"], never the code
	CodeFailed           Type = "code_failed"           // a wrong or expired one-time code
	Lock                 Type = "lock"                  // account or IP locked; Details["until"]
	Unlock               Type = "unlock"                // lock lifted by time or by an administrator
	Registered           Type = "registered"            // account created
	PasswordChanged      Type = "password_changed"      // by the citizen
	PasswordReset        Type = "password_reset"        // through "Забыли пароль?"
	LevelChanged         Type = "level_changed"         // account level; Details["from"], ["to"]
	StatusChanged        Type = "status_changed"        // active / suspended / needs_confirmation
	NotificationsChanged Type = "notifications_changed" // login notifications switched on or off
	IdentityConfirmed    Type = "identity_confirmed"    // the confirmed level; Details["method"], ["by"]
	SecondFactorChanged  Type = "second_factor_changed" // "ask for a code at every login" changed; Details["second_factor"]
	BackchannelLogout    Type = "backchannel_logout"    // a logout token sent to a client; Details["status"] (delivered, failed), ["http_status"], ["error"]
)

// Event is one audit record. Events never carry secrets: no passwords or their hashes, no
// one-time codes, no tokens or token values, no client secrets or cookies. Record refuses
// Details keys that look like one (see ErrSecret); ids of sessions, clients and users are fine.
type Event struct {
	// ID is set by Record: 19-digit zero-padded Unix nanoseconds of Time, "-", 16 hex digits
	// of randomness. Ids sort by time.
	ID        string            `json:"id"`
	Time      time.Time         `json:"time"`
	Type      Type              `json:"type"`
	UserID    string            `json:"user_id,omitempty"`
	ClientID  string            `json:"client_id,omitempty"`
	SessionID string            `json:"session_id,omitempty"`
	IP        string            `json:"ip,omitempty"`
	UserAgent string            `json:"user_agent,omitempty"`
	Details   map[string]string `json:"details,omitempty"`
}

// ErrSecret: an event's Details key names a secret (password, code, token, secret, cookie …).
var ErrSecret = errors.New("audit: events must not carry secrets")

// secretKey reports whether a Details key looks like it holds a secret.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, sub := range []string{"password", "secret", "token", "cookie"} {
		if strings.Contains(k, sub) {
			return true
		}
	}
	switch k {
	case "code", "otp", "pin", "authorization", "hash", "password_hash", "totp":
		return true
	}
	return false
}

// Log records and queries events in a storage.Docs. Now and Rand default to time.Now and
// crypto/rand.
type Log struct {
	Docs storage.Docs
	Now  func() time.Time
	Rand io.Reader
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Log) random() io.Reader {
	if l.Rand != nil {
		return l.Rand
	}
	return rand.Reader
}

// Record appends the event. A zero Time is set from Now; ID is always assigned. Nothing is
// ever overwritten: the document is created, and an id collision draws a new suffix.
func (l *Log) Record(ctx context.Context, ev Event) error {
	if ev.Type == "" {
		return errors.New("audit: event type is required")
	}
	for k := range ev.Details {
		if secretKey(k) {
			return fmt.Errorf("%w: details key %q", ErrSecret, k)
		}
	}
	if ev.Time.IsZero() {
		ev.Time = l.now()
	}
	ev.Time = ev.Time.UTC()
	if ev.Time.UnixNano() < 0 {
		return fmt.Errorf("audit: event time %v before 1970", ev.Time)
	}
	var err error
	for range 5 {
		var b [8]byte
		if _, err = io.ReadFull(l.random(), b[:]); err != nil {
			return fmt.Errorf("audit: random: %w", err)
		}
		ev.ID = timeKey(ev.Time) + "-" + hex.EncodeToString(b[:])
		err = storage.CreateDoc(ctx, l.Docs, Collection, ev.ID, ev, time.Time{}, l.now())
		if !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", ev.Type, err)
	}
	return nil
}

// timeKey is the zero-padded Unix nanoseconds: every non-negative int64 has at most 19 digits.
func timeKey(t time.Time) string { return fmt.Sprintf("%019d", t.UnixNano()) }

// Filter selects events. Zero fields match everything.
type Filter struct {
	UserID    string
	ClientID  string
	SessionID string
	Types     []Type
	// From (inclusive) and To (exclusive) bound Time.
	From, To time.Time
	// Limit caps the result (0: no cap), applied after ordering.
	Limit int
	// Ascending returns oldest first; the default is newest first.
	Ascending bool
}

func (f Filter) match(ev Event) bool {
	return (f.UserID == "" || ev.UserID == f.UserID) &&
		(f.ClientID == "" || ev.ClientID == f.ClientID) &&
		(f.SessionID == "" || ev.SessionID == f.SessionID) &&
		(len(f.Types) == 0 || slices.Contains(f.Types, ev.Type)) &&
		(f.From.IsZero() || !ev.Time.Before(f.From)) &&
		(f.To.IsZero() || ev.Time.Before(f.To))
}

// Query returns the matching events, newest first unless f.Ascending, at most f.Limit.
//
// It scans the collection in id (= time) order and filters in memory: O(n) reads and
// decodes for n stored events, O(n) memory. With both From and To set the scan is narrowed
// to the ids sharing their common decimal prefix. That suits the emulator's scale (thousands
// of events); a production log would index by user and client.
func (l *Log) Query(ctx context.Context, f Filter) ([]Event, error) {
	prefix := ""
	if !f.From.IsZero() && !f.To.IsZero() && f.From.UnixNano() >= 0 && f.To.After(f.From) {
		a, b := timeKey(f.From), timeKey(f.To.Add(-time.Nanosecond))
		n := 0
		for n < len(a) && a[n] == b[n] {
			n++
		}
		prefix = a[:n]
	}
	evs, err := storage.ListDocs[Event](ctx, l.Docs, Collection, prefix, l.now())
	if err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	out := evs[:0]
	for _, ev := range evs {
		if f.match(ev) {
			out = append(out, ev)
		}
	}
	if !f.Ascending {
		slices.Reverse(out)
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return slices.Clip(out), nil
}

// Recorder records events on behalf of HTTP handlers: it fills the request's client address
// and user agent, and logs instead of failing when the store refuses (an audit write never
// breaks a citizen's page).
type Recorder struct {
	Log    *Log
	Logger *slog.Logger
	// ClientIP is the request's client address ("" for none); nil means the peer address.
	ClientIP func(*http.Request) string
}

// Record records ev; r may be nil for events without a request (background work).
func (rec *Recorder) Record(ctx context.Context, r *http.Request, ev Event) {
	if r != nil {
		if ev.IP == "" {
			ev.IP = rec.clientIP(r)
		}
		if ev.UserAgent == "" {
			ev.UserAgent = r.UserAgent()
		}
	}
	if err := rec.Log.Record(ctx, ev); err != nil {
		rec.Logger.WarnContext(ctx, "audit event not recorded", "type", ev.Type, "err", err)
	}
}

func (rec *Recorder) clientIP(r *http.Request) string {
	if rec.ClientIP != nil {
		return rec.ClientIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
