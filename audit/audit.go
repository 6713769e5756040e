package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/requestid"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Collection is the storage.Docs collection of events.
const Collection = "audit"

// UserCollection indexes every event that names a citizen, under "<escaped user id>/<event
// id>", so one citizen's history is a prefix scan of their own events rather than of
// everyone's. An entry holds indexEntry (the event itself is read from Collection by the id in
// the entry's key); entries written before that hold a copy of the event, which Query reads as
// it is.
const UserCollection = "audit-user"

// indexEntry is the document of a UserCollection entry that only names its event.
const indexEntry = "{}"

// metaCollection records that the events recorded before the index and retention existed
// have been migrated (Migrate).
const metaCollection = "audit-meta"

// DefaultRetention is how long events are kept when Log.Retention is zero.
const DefaultRetention = 90 * 24 * time.Hour

// Type is the kind of event. The constants below are the types the emulator records; the
// type is a string so a later feature can add its own.
type Type string

const (
	Login                Type = "login"                  // a citizen proved who they are (password, second factor)
	LoginFailed          Type = "login_failed"           // wrong login, password or code; Details["reason"]
	Logout               Type = "logout"                 // the citizen or a relying party ended the session
	SessionEnded         Type = "session_ended"          // idle or absolute expiry, or ended from the sessions page
	ConsentGiven         Type = "consent_given"          // first grant for a client; Details["scopes"]
	ConsentChanged       Type = "consent_changed"        // grants for a client changed; Details["added"], ["removed"]
	ConsentWithdrawn     Type = "consent_withdrawn"      // grants withdrawn; Details["scopes"]
	ConsentDenied        Type = "consent_denied"         // the citizen pressed "Отказать" on the consent page
	TokensRevoked        Type = "tokens_revoked"         // a client's tokens for the citizen revoked
	CodeSent             Type = "code_sent"              // a one-time code sent; Details["channel"], never the code
	CodeFailed           Type = "code_failed"            // a wrong or expired one-time code
	Lock                 Type = "lock"                   // account or IP locked; Details["until"]
	Unlock               Type = "unlock"                 // lock lifted by time or by an administrator
	Registered           Type = "registered"             // account created
	PasswordChanged      Type = "password_changed"       // by the citizen
	PasswordReset        Type = "password_reset"         // through "Забыли пароль?"
	LevelChanged         Type = "level_changed"          // account level; Details["from"], ["to"]
	StatusChanged        Type = "status_changed"         // active / suspended / needs_confirmation
	NotificationsChanged Type = "notifications_changed"  // login notifications switched on or off
	IdentityConfirmed    Type = "identity_confirmed"     // the confirmed level; Details["method"], ["by"]
	SecondFactorChanged  Type = "second_factor_changed"  // "ask for a code at every login" changed; Details["second_factor"]
	IPRestrictionChanged Type = "ip_restriction_changed" // the citizen's allowed address ranges; Details["allowed_nets"]
	BackchannelLogout    Type = "backchannel_logout"     // a logout token sent to a client; Details["status"] (delivered, failed), ["http_status"], ["error"]
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

	// RequestID is the id of the HTTP request that caused the event (package requestid), the
	// one its log lines and error page show.
	RequestID string `json:"request_id,omitempty"`
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
	// Retention is how long an event is kept after its Time (0: DefaultRetention); the
	// store drops it then (its expiry is part of the stored document).
	Retention time.Duration
}

func (l *Log) retention() time.Duration {
	if l.Retention > 0 {
		return l.Retention
	}
	return DefaultRetention
}

// userPrefix is the prefix of a citizen's copies in UserCollection.
func userPrefix(userID string) string { return url.PathEscape(userID) + "/" }

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
	ev, err := l.check(ev)
	if err != nil {
		return err
	}
	pair, paired := l.Docs.(pairCreator)
	paired = paired && ev.UserID != ""
	for range 5 {
		if ev.ID, err = l.newID(ev); err != nil {
			return err
		}
		if paired { // the event and the citizen's index entry in one commit
			var d storage.DocWrite
			if d, err = l.docWrite(ev); err != nil {
				return err
			}
			err = pair.CreateDocWithCopy(ctx, d, l.now())
		} else {
			err = storage.CreateDoc(ctx, l.Docs, Collection, ev.ID, ev, l.expiry(ev), l.now())
		}
		if !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", ev.Type, err)
	}
	if paired {
		return nil
	}
	if err := l.index(ctx, ev); err != nil {
		return fmt.Errorf("audit: record %s: %w", ev.Type, err)
	}
	return nil
}

// check refuses an event without a type or with a secret-looking detail and sets its Time.
func (l *Log) check(ev Event) (Event, error) {
	if ev.Type == "" {
		return ev, errors.New("audit: event type is required")
	}
	for k := range ev.Details {
		if secretKey(k) {
			return ev, fmt.Errorf("%w: details key %q", ErrSecret, k)
		}
	}
	if ev.Time.IsZero() {
		ev.Time = l.now()
	}
	ev.Time = ev.Time.UTC()
	if ev.Time.UnixNano() < 0 {
		return ev, fmt.Errorf("audit: event time %v before 1970", ev.Time)
	}
	return ev, nil
}

// Prepare is Record for a caller that writes the event in its own transaction (the login's
// event with the session it starts: storage.Sessions.CreateSession): the event's document
// and its citizen's index entry, and the event with its Time and ID set.
func (l *Log) Prepare(ev Event) (storage.DocWrite, Event, error) {
	ev, err := l.check(ev)
	if err != nil {
		return storage.DocWrite{}, ev, err
	}
	if ev.ID, err = l.newID(ev); err != nil {
		return storage.DocWrite{}, ev, err
	}
	d, err := l.docWrite(ev)
	return d, ev, err
}

// newID draws an id for ev: its time key and 16 hex digits of randomness.
func (l *Log) newID(ev Event) (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(l.random(), b[:]); err != nil {
		return "", fmt.Errorf("audit: random: %w", err)
	}
	return timeKey(ev.Time) + "-" + hex.EncodeToString(b[:]), nil
}

// docWrite is ev's document and, when it names a citizen, their index entry for it.
func (l *Log) docWrite(ev Event) (storage.DocWrite, error) {
	doc, err := json.Marshal(ev)
	if err != nil {
		return storage.DocWrite{}, fmt.Errorf("audit: encode %s: %w", ev.Type, err)
	}
	d := storage.DocWrite{Collection: Collection, ID: ev.ID, Doc: doc, ExpiresAt: l.expiry(ev)}
	if ev.UserID != "" {
		d.CopyCollection, d.CopyID, d.CopyDoc = UserCollection, userPrefix(ev.UserID)+ev.ID, []byte(indexEntry)
	}
	return d, nil
}

// pairCreator is what a store offers to write an event and its citizen's index entry in one
// commit (the kv store does); without it Record writes them one after the other.
type pairCreator interface {
	CreateDocWithCopy(ctx context.Context, d storage.DocWrite, now time.Time) error
}

func (l *Log) expiry(ev Event) time.Time { return ev.Time.Add(l.retention()) }

// index writes the citizen's index entry for ev.
func (l *Log) index(ctx context.Context, ev Event) error {
	if ev.UserID == "" {
		return nil
	}
	return l.Docs.PutDocRaw(ctx, UserCollection, userPrefix(ev.UserID)+ev.ID, []byte(indexEntry), l.expiry(ev))
}

// Migrate gives the events recorded before the per-citizen index and the retention existed
// their index copies and their expiry; it runs once per store (a marker records it) and is
// idempotent, so replicas starting together may all run it. provider.New calls it.
func (l *Log) Migrate(ctx context.Context) error {
	const marker = "v2-user-index-retention"
	now := l.now()
	if _, err := l.Docs.GetDocRaw(ctx, metaCollection, marker, now); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("audit: migrate: %w", err)
	}
	evs, err := storage.ListDocs[Event](ctx, l.Docs, Collection, "", now)
	if err != nil {
		return fmt.Errorf("audit: migrate: %w", err)
	}
	for _, ev := range evs {
		if !l.expiry(ev).After(now) {
			_ = l.Docs.DeleteDoc(ctx, Collection, ev.ID)
			continue
		}
		if err := storage.PutDoc(ctx, l.Docs, Collection, ev.ID, ev, l.expiry(ev)); err != nil {
			return fmt.Errorf("audit: migrate: %w", err)
		}
		if err := l.index(ctx, ev); err != nil {
			return fmt.Errorf("audit: migrate: %w", err)
		}
	}
	if err := l.Docs.PutDocRaw(ctx, metaCollection, marker, []byte(`{}`), time.Time{}); err != nil {
		return fmt.Errorf("audit: migrate: %w", err)
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
// With UserID set it scans only that citizen's index (UserCollection) and reads the events it
// names; otherwise the whole log, in id (= time) order. Either way the scan is narrowed, with both From and To set, to
// the ids sharing their common decimal prefix, and the other conditions are filtered in
// memory.
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
	var evs []Event
	var err error
	if f.UserID != "" {
		evs, err = l.userEvents(ctx, f.UserID, prefix)
	} else {
		evs, err = storage.ListDocs[Event](ctx, l.Docs, Collection, prefix, l.now())
	}
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

// userEvents returns the citizen's live events whose id starts with prefix, in id order: their
// index entries, then the events they name (one read for all when the store reads several
// documents at a time). An entry that holds a copy of its event (written before entries only
// named them) is that event; an entry whose event is gone is skipped.
func (l *Log) userEvents(ctx context.Context, userID, prefix string) ([]Event, error) {
	now, up := l.now(), userPrefix(userID)
	entries, err := l.Docs.ListDocsRaw(ctx, UserCollection, up+prefix, now)
	if err != nil {
		return nil, err
	}
	evs := make([]Event, len(entries))
	var reads []storage.Read
	var at []int // the entry of each read
	for i, e := range entries {
		if string(e.Doc) == indexEntry {
			reads = append(reads, storage.Read{Collection: Collection, ID: strings.TrimPrefix(e.ID, up)})
			at = append(at, i)
		} else if err := json.Unmarshal(e.Doc, &evs[i]); err != nil {
			return nil, fmt.Errorf("decode %s/%s: %w", UserCollection, e.ID, err)
		}
	}
	if err := storage.ReadDocs(ctx, l.Docs, now, reads); err != nil {
		return nil, err
	}
	for j, r := range reads {
		if r.Doc == nil {
			continue
		}
		if err := json.Unmarshal(r.Doc, &evs[at[j]]); err != nil {
			return nil, fmt.Errorf("decode %s/%s: %w", Collection, r.ID, err)
		}
	}
	return slices.DeleteFunc(evs, func(ev Event) bool { return ev.ID == "" }), nil
}

// Recorder records events on behalf of HTTP handlers: it fills the request's client address
// and user agent, and logs instead of failing when the store refuses (an audit write never
// breaks a citizen's page).
type Recorder struct {
	Log    *Log
	Logger *slog.Logger
	// ClientIP is the request's client address ("" for none); nil means the peer address.
	ClientIP func(*http.Request) string
	// Observe, when set, sees every event after it is recorded (or failed to be): the
	// provider's metrics count logins, codes, locks and consents here.
	Observe func(Event)
}

// Record records ev; r may be nil for events without a request (background work). The
// request id of ctx (package requestid) is recorded with it.
func (rec *Recorder) Record(ctx context.Context, r *http.Request, ev Event) {
	ev = rec.fill(ctx, r, ev)
	if err := rec.Log.Record(ctx, ev); err != nil {
		rec.Logger.WarnContext(ctx, "audit event not recorded", "type", ev.Type, "err", err)
	}
	if rec.Observe != nil {
		rec.Observe(ev)
	}
}

// Prepare is Record for an event its caller writes in its own transaction: the document to
// write (Log.Prepare), and the function to call once the transaction is over (Observe). ok
// is false, and the refusal logged, when the event cannot be recorded; the caller goes on
// without it, as Record does.
func (rec *Recorder) Prepare(ctx context.Context, r *http.Request, ev Event) (doc storage.DocWrite, recorded func(), ok bool) {
	d, ev, err := rec.Log.Prepare(rec.fill(ctx, r, ev))
	if err != nil {
		rec.Logger.WarnContext(ctx, "audit event not recorded", "type", ev.Type, "err", err)
	}
	return d, func() {
		if rec.Observe != nil {
			rec.Observe(ev)
		}
	}, err == nil
}

// fill sets the event's request id, client address and user agent from the request.
func (rec *Recorder) fill(ctx context.Context, r *http.Request, ev Event) Event {
	if ev.RequestID == "" {
		ev.RequestID = requestid.From(ctx)
	}
	if r != nil {
		if ev.IP == "" {
			ev.IP = rec.clientIP(r)
		}
		if ev.UserAgent == "" {
			ev.UserAgent = r.UserAgent()
		}
	}
	return ev
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
