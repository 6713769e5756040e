package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Cookie names. The session cookie carries the SSO session id, the flow cookie a random
// browser id that binds authorization requests and CSRF tokens to this browser. Both are
// signed and encrypted (securecookie), HttpOnly, SameSite=Lax, and Secure under https.
const (
	sessionCookie = "esia_session"
	flowCookie    = "esia_flow"
)

func (p *Provider) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) error {
	enc, err := p.cookies.Encode(name, value)
	if err != nil {
		return err
	}
	c := &http.Cookie{Name: name, Value: enc, Path: "/", HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
	return nil
}

func (p *Provider) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
}

func (p *Provider) readCookie(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	var v string
	if err := p.cookies.Decode(name, c.Value, &v); err != nil {
		return ""
	}
	return v
}

// browserID returns the flow cookie's browser id, creating the cookie when missing.
func (p *Provider) browserID(w http.ResponseWriter, r *http.Request) (string, error) {
	if id := p.readCookie(r, flowCookie); id != "" {
		return id, nil
	}
	id := p.randomID()
	return id, p.setCookie(w, flowCookie, id, 0)
}

// csrfToken binds a form to the browser, the authorization request and the step it belongs
// to, so a form for one step cannot be replayed at another or from another browser.
func (p *Provider) csrfToken(browserID, authReqID, step string) string {
	m := hmac.New(sha256.New, p.keys.secret(secretCSRF))
	m.Write([]byte(browserID + "\x00" + authReqID + "\x00" + step))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// requireCSRF answers the 403 page and returns false unless the posted token is right.
func (p *Provider) requireCSRF(w http.ResponseWriter, r *http.Request, authReqID, step string) bool {
	if p.checkCSRF(r, authReqID, step) {
		return true
	}
	p.web.Message(w, r, http.StatusForbidden, web.Lang(r, nil), "error.csrf.title", "error.csrf")
	return false
}

// flowForm checks a login-flow form (its CSRF token, then its authorization request bound to
// this browser); it answers the error page itself when ok is false.
func (p *Provider) flowForm(w http.ResponseWriter, r *http.Request, step string) (storage.AuthRequest, string, bool) {
	id := r.PostFormValue("authRequestID")
	if !p.requireCSRF(w, r, id, step) {
		return storage.AuthRequest{}, "", false
	}
	return p.loadRequest(w, r, id)
}

// accountForm checks an account page's form and returns the session's citizen; it answers
// itself (403 page, or the way to the login) when ok is false.
func (p *Provider) accountForm(w http.ResponseWriter, r *http.Request) (storage.User, storage.Session, string, bool) {
	if !p.requireCSRF(w, r, "", formAccount) {
		return storage.User{}, storage.Session{}, "", false
	}
	return p.accountUser(w, r)
}

// checkCSRF verifies a posted token in constant time.
func (p *Provider) checkCSRF(r *http.Request, authReqID, step string) bool {
	bid := p.readCookie(r, flowCookie)
	got := r.PostFormValue("csrf")
	if bid == "" || got == "" {
		return false
	}
	want := p.csrfToken(bid, authReqID, step)
	return hmac.Equal([]byte(got), []byte(want))
}

// currentSession returns the browser's live SSO session, sliding its idle timeout.
func (p *Provider) currentSession(ctx context.Context, r *http.Request) (storage.Session, bool, error) {
	id := p.readCookie(r, sessionCookie)
	if id == "" {
		return storage.Session{}, false, nil
	}
	now := p.now()
	s, err := p.store.UpdateSession(ctx, id, now, func(s storage.Session) (storage.Session, error) {
		s.LastSeen = now
		return s, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Session{}, false, nil
	}
	if err != nil {
		return storage.Session{}, false, err
	}
	return s, true, nil
}

// startSession creates a new SSO session after a login, replacing (and ending) the browser's
// previous one so a session id is never carried across a login.
func (p *Provider) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u storage.User, amr []string, acr string) (storage.Session, error) {
	if old := p.readCookie(r, sessionCookie); old != "" {
		if err := p.deleteSession(ctx, old); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return storage.Session{}, err
		}
	}
	now := p.now()
	abs := p.cfg.Lifetimes.SessionAbsolute.Or(3 * time.Hour)
	s := storage.Session{
		ID: p.randomID(), UserID: u.ID, AuthTime: now, AMR: amr, ACR: acr,
		CreatedAt: now, LastSeen: now,
		IdleTimeout: p.cfg.Lifetimes.SessionIdle.Or(15 * time.Minute),
		ExpiresAt:   now.Add(abs),
		IP:          clientIP(r), UserAgent: r.UserAgent(),
	}
	if err := p.store.CreateSession(ctx, s); err != nil {
		return storage.Session{}, err
	}
	return s, p.setCookie(w, sessionCookie, s.ID, abs)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
