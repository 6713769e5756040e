package session

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Cookie names. The SSO cookie carries the session id, the flow cookie a random browser id that
// binds authorization requests and form tokens to this browser. Both are signed and encrypted
// (securecookie), HttpOnly, SameSite=Lax, and Secure under https.
const (
	SSOCookie  = "esia_session"
	FlowCookie = "esia_flow"
)

// How a login was made: AMR values (ESIA reports them; two factors add "mfa") and the ACR of
// one or two factors. The account level is a separate claim.
const (
	AMRPassword  = "pwd"
	AMRSMS       = "sms"
	AMROTP       = "otp"
	AMRMFA       = "mfa"
	ACROneFactor = "urn:esia:acr:1"
	ACRTwoFactor = "urn:esia:acr:2"
)

// HasMFA reports whether a login's AMR has two factors.
func HasMFA(amr []string) bool { return slices.Contains(amr, AMRMFA) }

// Store is what sessions need of the storage.
type Store interface {
	CreateSession(ctx context.Context, s storage.Session, docs ...storage.DocWrite) error
	GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error)
	UpdateSession(ctx context.Context, id string, now time.Time, fn func(storage.Session) (storage.Session, error)) (storage.Session, error)
	DeleteSession(ctx context.Context, id string) error
	ListUserSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error)
	DeleteUserSessions(ctx context.Context, userID, keepID string) error
}

// EndNotifier is told about SSO sessions that have just ended (back-channel logout).
type EndNotifier interface {
	SessionsEnded(ctx context.Context, sessions []storage.Session)
}

// Manager starts, finds and ends SSO sessions and keeps the browser's cookies. All fields are
// required except Notifier and Logger.
type Manager struct {
	Store   Store
	Cookies *securecookie.SecureCookie
	// Secure marks cookies Secure (the issuer is https).
	Secure bool
	// FormKey is the HMAC key of form tokens (FormToken).
	FormKey []byte
	Now     func() time.Time
	NewID   func() string
	// IdleTimeout and Lifetime bound a session: it ends after IdleTimeout without a page, and
	// Lifetime after the login in any case.
	IdleTimeout, Lifetime time.Duration
	Notifier              EndNotifier
	Logger                *slog.Logger
	// Proxies find the client's address behind trusted reverse proxies (zero: the peer).
	Proxies Proxies
}

// ClientIP is the request's client address: the peer, or behind a trusted proxy the address
// it forwarded (Proxies). Lockout, the audit log and sessions all use it.
func (m *Manager) ClientIP(r *http.Request) string { return m.Proxies.ClientIP(r) }

// SetCookie sets a signed, encrypted cookie; maxAge 0 makes it a browser-session cookie.
func (m *Manager) SetCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) error {
	enc, err := m.Cookies.Encode(name, value)
	if err != nil {
		return fmt.Errorf("session: encode cookie %s: %w", name, err)
	}
	c := &http.Cookie{Name: name, Value: enc, Path: "/", HttpOnly: true, Secure: m.Secure, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
	return nil
}

// ClearCookie removes a cookie.
func (m *Manager) ClearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: m.Secure, SameSite: http.SameSiteLaxMode})
}

// ReadCookie returns a cookie's value, "" when it is missing or was not made by us.
func (m *Manager) ReadCookie(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	var v string
	if err := m.Cookies.Decode(name, c.Value, &v); err != nil {
		return ""
	}
	return v
}

// BrowserID returns the flow cookie's browser id, creating the cookie when missing.
func (m *Manager) BrowserID(w http.ResponseWriter, r *http.Request) (string, error) {
	if id := m.ReadCookie(r, FlowCookie); id != "" {
		return id, nil
	}
	id := m.NewID()
	return id, m.SetCookie(w, FlowCookie, id, 0)
}

// FormToken binds a form to the browser, the authorization request and the step it belongs to
// (HMAC over browser‖request‖step), so a form for one step cannot be replayed at another or
// from another browser.
func (m *Manager) FormToken(browserID, authReqID, step string) string {
	mac := hmac.New(sha256.New, m.FormKey)
	mac.Write([]byte(browserID + "\x00" + authReqID + "\x00" + step))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CheckForm verifies the posted form token ("csrf") in constant time.
func (m *Manager) CheckForm(r *http.Request, authReqID, step string) bool {
	bid := m.ReadCookie(r, FlowCookie)
	got := r.PostFormValue("csrf")
	if bid == "" || got == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(m.FormToken(bid, authReqID, step)))
}

// RequireForm checks the posted form token like CheckForm; when it is wrong it lets refuse
// answer (the 403 page) and returns false.
func (m *Manager) RequireForm(w http.ResponseWriter, r *http.Request, authReqID, step string, refuse http.HandlerFunc) bool {
	if m.CheckForm(r, authReqID, step) {
		return true
	}
	refuse(w, r)
	return false
}

// lastSeenStep is how stale a session's LastSeen may get before a page rewrites it: pages seen
// within it cost a read, not a write. The idle timeout therefore slides in steps of at most
// lastSeenStep (and never more than a twentieth of the timeout itself).
const lastSeenStep = time.Minute

// touchEvery is the LastSeen step of a session with the given idle timeout.
func touchEvery(idle time.Duration) time.Duration {
	if idle <= 0 {
		return lastSeenStep
	}
	return min(lastSeenStep, idle/20)
}

// Current returns the browser's live SSO session, sliding its idle timeout: LastSeen is
// rewritten when it is older than the step (see lastSeenStep), so most pages only read.
func (m *Manager) Current(ctx context.Context, r *http.Request) (storage.Session, bool, error) {
	return m.Lookup(ctx, m.ReadCookie(r, SSOCookie))
}

// Lookup is Current for the session with id ("" or ended: none), as when its cookie is only
// on its way to the browser.
func (m *Manager) Lookup(ctx context.Context, id string) (storage.Session, bool, error) {
	if id == "" {
		return storage.Session{}, false, nil
	}
	now := m.Now()
	s, err := m.Store.GetSession(ctx, id, now)
	if err == nil && now.Sub(s.LastSeen) >= touchEvery(s.IdleTimeout) {
		s, err = m.Store.UpdateSession(ctx, id, now, func(s storage.Session) (storage.Session, error) {
			s.LastSeen = now
			return s, nil
		})
	}
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Session{}, false, nil
	}
	if err != nil {
		return storage.Session{}, false, fmt.Errorf("session: %w", err)
	}
	return s, true, nil
}

// Start creates a new SSO session after a login, replacing (and ending) the browser's previous
// one so a session id is never carried across a login.
func (m *Manager) Start(ctx context.Context, w http.ResponseWriter, r *http.Request, userID string, amr []string, acr string) (storage.Session, error) {
	return m.StartWith(ctx, w, r, userID, amr, acr, nil)
}

// StartWith is Start that also writes the documents with (given the new session) in the
// session's transaction: the login's audit event, one commit instead of two.
func (m *Manager) StartWith(ctx context.Context, w http.ResponseWriter, r *http.Request, userID string, amr []string, acr string, with func(storage.Session) []storage.DocWrite) (storage.Session, error) {
	s := m.Begin(r, userID, amr, acr)
	return s, m.Commit(ctx, w, r, s, with)
}

// Begin returns the session a login is about to start, not stored yet: the caller may add to
// it (Clients) before Commit stores it, so that the end of a login is one commit.
func (m *Manager) Begin(r *http.Request, userID string, amr []string, acr string) storage.Session {
	now := m.Now()
	return storage.Session{
		ID: m.NewID(), UserID: userID, AuthTime: now, AMR: amr, ACR: acr,
		CreatedAt: now, LastSeen: now,
		IdleTimeout: m.IdleTimeout,
		ExpiresAt:   now.Add(m.Lifetime),
		IP:          m.ClientIP(r), UserAgent: r.UserAgent(),
	}
}

// Commit stores a session from Begin with the documents with returns (in one transaction),
// ends the browser's previous session and sets the cookie.
func (m *Manager) Commit(ctx context.Context, w http.ResponseWriter, r *http.Request, s storage.Session, with func(storage.Session) []storage.DocWrite) error {
	if old := m.ReadCookie(r, SSOCookie); old != "" {
		if err := m.End(ctx, old); err != nil {
			return err
		}
	}
	var docs []storage.DocWrite
	if with != nil {
		docs = with(s)
	}
	if err := m.Store.CreateSession(ctx, s, docs...); err != nil {
		return fmt.Errorf("session: create: %w", err)
	}
	return m.SetCookie(w, SSOCookie, s.ID, m.Lifetime)
}

// End ends one SSO session and tells the notifier. A missing or already expired session is not
// an error and notifies nobody.
func (m *Manager) End(ctx context.Context, id string) error {
	s, gerr := m.Store.GetSession(ctx, id, m.Now())
	if gerr != nil && !errors.Is(gerr, storage.ErrNotFound) {
		m.logger().WarnContext(ctx, "back-channel logout: read the session before ending it", "err", gerr)
	}
	if err := m.Store.DeleteSession(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("session: end: %w", err)
	}
	if gerr == nil {
		m.notify(ctx, []storage.Session{s})
	}
	return nil
}

// EndUser ends every live session of the user except keepID ("" ends all) and tells the
// notifier.
func (m *Manager) EndUser(ctx context.Context, userID, keepID string) error {
	list, lerr := m.Store.ListUserSessions(ctx, userID, m.Now())
	if lerr != nil {
		m.logger().WarnContext(ctx, "back-channel logout: list the sessions before ending them", "err", lerr)
	}
	if err := m.Store.DeleteUserSessions(ctx, userID, keepID); err != nil {
		return fmt.Errorf("session: end the user's sessions: %w", err)
	}
	ended := list[:0:0]
	for _, s := range list {
		if s.ID != keepID {
			ended = append(ended, s)
		}
	}
	m.notify(ctx, ended)
	return nil
}

// EndBrowser ends the browser's SSO session (if any) and clears its cookie.
func (m *Manager) EndBrowser(w http.ResponseWriter, r *http.Request) error {
	if id := m.ReadCookie(r, SSOCookie); id != "" {
		if err := m.End(r.Context(), id); err != nil {
			return err
		}
	}
	m.ClearCookie(w, SSOCookie)
	return nil
}

// AddClient records that the session's citizen logged in to clientID (for back-channel logout
// and the account's session list).
func (m *Manager) AddClient(ctx context.Context, id, clientID string) error {
	_, err := m.Store.UpdateSession(ctx, id, m.Now(), func(s storage.Session) (storage.Session, error) {
		if !slices.Contains(s.Clients, clientID) {
			s.Clients = append(s.Clients, clientID)
		}
		return s, nil
	})
	return err
}

func (m *Manager) notify(ctx context.Context, ended []storage.Session) {
	if m.Notifier != nil && len(ended) > 0 {
		m.Notifier.SessionsEnded(ctx, ended)
	}
}

func (m *Manager) logger() *slog.Logger {
	if m.Logger == nil {
		return slog.Default()
	}
	return m.Logger
}

// ClientIP is the request's peer address without the port (Manager.ClientIP honours trusted
// proxies).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
