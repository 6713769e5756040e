package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// CtxCookie names the authorization request the browser is logging in for. The login page
// (GET /login) sets it; ESIA's SPA login API (package methods) reads it, as ESIA's own SPA does with its
// ctx_id cookie. It is signed and encrypted like every cookie of the emulator.
const CtxCookie = "ctx_id"

// AuthRequests is what the flow needs of the stored authorization requests.
type AuthRequests interface {
	CreateAuthRequest(ctx context.Context, ar storage.AuthRequest) error
	GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error)
	UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error)
	FinishAuthRequest(ctx context.Context, id string, now time.Time, f storage.Finish, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
}

// Users reads accounts.
type Users interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
}

// SessionStore updates a stored SSO session (the second factor raises its AMR).
type SessionStore interface {
	UpdateSession(ctx context.Context, id string, now time.Time, fn func(storage.Session) (storage.Session, error)) (storage.Session, error)
}

// Picker lists the accounts the test-mode persona picker offers on the login page: the first
// ones matching q, and how many match in all. Nil outside test mode.
type Picker interface {
	Pick(ctx context.Context, q string) ([]web.PersonaRow, int, error)
}

// Handler is the login flow: GET /login is the dispatcher every step returns to; the steps
// post to /login (password), /login/code (second factor), /login/consent and /login/deny.
// All fields are required except Picker; Register the dialects before serving.
type Handler struct {
	AuthRequests AuthRequests
	Users        Users
	SessionStore SessionStore
	Grants       consent.Grants
	Sessions     *session.Manager
	Pages        *web.Renderer
	Clients      *clients.Registry
	Accounts     *accounts.Service
	Audit        *audit.Recorder
	Hasher       *password.Hasher
	Limiter      *lockout.Limiter
	SMS          *otp.SMS
	Sender       otp.Sender
	Picker       Picker
	Now          func() time.Time
	NewID        func() string
	Logger       *slog.Logger
	// RequestTTL is how long an authorization request lives.
	RequestTTL time.Duration

	dialects map[string]Dialect
}

// Mount adds the flow's routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.getLogin)
	mux.HandleFunc("POST /login", h.postLogin)
	mux.HandleFunc("POST /login/consent", h.postConsent)
	mux.HandleFunc("POST /login/deny", h.postDeny)
	mux.HandleFunc("POST /login/notice", h.postNotice)
	mux.HandleFunc("POST /login/code", h.postCode)
	mux.HandleFunc("POST /login/role", h.postRole) // rolechoice.go
}

// A Dialect serves relying parties that speak another protocol than OpenID Connect (ESIA's
// /aas/oauth2 endpoints) through the same login flow, sessions, consent, levels and lockout.
// The dialect creates an authorization request with its name in Dialect and sends the
// browser to the login flow with StartLogin; the flow hands the finished or failed request
// back to the dialect.
type Dialect interface {
	// Complete issues the dialect's code for a finished request and redirects the browser.
	Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest)
	// Fail answers the relying party with the dialect's form of an OAuth error (code is the
	// OAuth error: login_required, access_denied, consent_required, invalid_request, …).
	Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string)
}

// A FinishingDialect saves its code in the commit that finishes the request: one store round
// trip less per login. want is the request as finish stores it. CompleteFinishing calls
// finish at most once, with the hash of the code it issues, before it writes anything; when
// finish fails it writes nothing and returns the error (the flow answers with its error
// page). A dialect that answers with an error instead of a code need not call finish.
type FinishingDialect interface {
	CompleteFinishing(w http.ResponseWriter, r *http.Request, want storage.AuthRequest, finish func(codeHash string, codeExpiresAt time.Time) error) error
}

// Register adds a dialect and mounts its routes. Call it before serving.
func (h *Handler) Register(name string, d Dialect) {
	if h.dialects == nil {
		h.dialects = map[string]Dialect{}
	}
	h.dialects[name] = d
}

// dialect is the dialect a request belongs to; the OIDC dialect ("") for an unknown name.
func (h *Handler) dialect(name string) Dialect {
	if d, ok := h.dialects[name]; ok {
		return d
	}
	return h.dialects[""]
}

// StartLogin stores a dialect's authorization request (ID, CreatedAt and ExpiresAt are set
// here) and sends the browser into the login flow.
func (h *Handler) StartLogin(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) error {
	now := h.Now()
	ar.ID, ar.CreatedAt, ar.ExpiresAt = h.NewID(), now, now.Add(h.RequestTTL)
	ar.Schema = storage.SchemaVersion
	if err := h.AuthRequests.CreateAuthRequest(r.Context(), ar); err != nil {
		return err
	}
	http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusFound)
	return nil
}

// FlowForm checks a login-flow form (its CSRF token, then its authorization request bound to
// this browser); it answers the error page itself when ok is false.
func (h *Handler) FlowForm(w http.ResponseWriter, r *http.Request, step string) (storage.AuthRequest, string, bool) {
	id := r.PostFormValue("authRequestID")
	if !h.Sessions.RequireForm(w, r, id, step, h.Pages.Forbidden) {
		return storage.AuthRequest{}, "", false
	}
	return h.LoadRequest(w, r, id)
}

// Steps that forms are bound to (see csrfToken).
const (
	formLogin   = "login"
	formConsent = "consent"
	formDeny    = "level" // "back to the site" of the level-too-low and suspended pages
	formNotice  = "notice"
)

// LoadRequest reads the request a login page belongs to and binds it to this browser. It
// answers the error page itself and returns ok=false when the flow cannot go on.
func (h *Handler) LoadRequest(w http.ResponseWriter, r *http.Request, id string) (storage.AuthRequest, string, bool) {
	lang := web.Lang(r, nil)
	if id == "" {
		h.Pages.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return storage.AuthRequest{}, "", false
	}
	bid, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return storage.AuthRequest{}, "", false
	}
	ctx := r.Context()
	// The request is bound to the first browser that opens it: only that first page writes.
	ar, err := h.AuthRequests.GetAuthRequest(ctx, id, h.Now())
	if err == nil && ar.BrowserID == "" {
		ar, err = h.AuthRequests.UpdateAuthRequest(ctx, id, h.Now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
			if a.BrowserID == "" {
				a.BrowserID = bid
			}
			return a, nil
		})
	}
	if errors.Is(err, storage.ErrNotFound) {
		h.Pages.Expired(w, r, lang)
		return storage.AuthRequest{}, "", false
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return storage.AuthRequest{}, "", false
	}
	if ar.BrowserID != bid {
		h.Pages.Message(w, r, http.StatusForbidden, web.Lang(r, ar.UILocales), "error.csrf.title", "error.otherbrowser")
		return storage.AuthRequest{}, "", false
	}
	if ar.Done {
		// Already finished (a reload of the last page): go on to the code.
		h.dialect(ar.Dialect).Complete(w, r, ar)
		return storage.AuthRequest{}, "", false
	}
	return ar, bid, true
}

// getLogin is the flow dispatcher's entry: every step returns here.
func (h *Handler) getLogin(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := h.LoadRequest(w, r, r.URL.Query().Get("authRequestID"))
	if !ok {
		return
	}
	if err := h.Sessions.SetCookie(w, CtxCookie, ar.ID, h.RequestTTL); err != nil { // for the SPA login API
		h.Pages.ServerError(w, r, err)
		return
	}
	h.dispatch(w, r, ar, bid, "")
}

// dispatch decides the next step of the flow and performs it.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid, loginError string) {
	h.dispatchStep(w, r, ar, bid, loginError, false, nil, nil)
}

// dispatchStep is dispatch; afterPost answers a step that shows a page with a redirect to it
// (GET /login), so that a reload does not post the form again, and completes the login (or
// fails it to the relying party) right away. known, when not nil, is the account as the same
// request has just read it (the password step), not read again. pending, when not nil, is
// the session the password step has just authenticated ar with (Sessions.Begin), stored
// here: when the login ends in this request, together with the client it logs into.
func (h *Handler) dispatchStep(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid, loginError string, afterPost bool, known *storage.User, pending *storage.Session) {
	ctx := r.Context()
	cl := h.Clients.Get(ar.ClientID)
	st := flowState{
		Now: h.Now(), Prompt: ar.Prompt, MaxAge: ar.MaxAge, HintSubject: ar.HintSubject,
		Authenticated: ar.Authenticated, FirstFactor: ar.FirstFactor,
		PKCERequired: cl != nil && cl.RequiresPKCE(), CodeChallenge: ar.CodeChallenge, ChallengeMeth: ar.CodeChallengeMethod,
	}
	if ar.Claims != "" {
		if _, err := consent.ParseClaimsRequest(ar.Claims); err != nil {
			st.ClaimsInvalid = true
		}
	}
	if cl != nil {
		st.MinLevel = cl.MinLevel
	}
	if ar.MinLevel.Rank() > st.MinLevel.Rank() {
		st.MinLevel = ar.MinLevel
	}
	userID, sess, hasSession := ar.UserID, storage.Session{}, true
	var err error
	if pending != nil {
		sess = *pending
	} else if userID, sess, hasSession, err = h.FlowUser(ctx, r, ar); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	st.HasSession, st.SessionUser, st.SessionAuthTime = hasSession, sess.UserID, sess.AuthTime
	var user storage.User
	var roles []web.RoleOption
	if userID != "" {
		if known != nil && known.ID == userID {
			user = *known
		} else {
			user, err = h.Users.GetUser(ctx, userID)
		}
		if errors.Is(err, storage.ErrNotFound) {
			// The account was deleted under a live session: end it and log in again.
			_ = h.Sessions.End(ctx, sess.ID)
			st.HasSession = false
		} else if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if user, err = h.Accounts.Refresh(ctx, user); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		status := proofing.Effective(proofing.StatusOf(user, accounts.ProofsOf(user)), st.Now)
		user.Status, user.StatusReason = status.Status, status.Reason
		st.UserLevel, st.UserStatus = user.Level, user.Status
		st.NoticeSeen = ar.NoticeSeen
		st.SecondFactorNeeded = user.SecondFactor != "" || slices.Contains(ar.ACRValues, session.ACRTwoFactor)
		st.SecondFactorAvailable = accounts.SecondFactorMethod(user) != ""
		st.SecondFactorDone = session.HasMFA(sess.AMR)
		if ar.Authenticated {
			st.SecondFactorDone = session.HasMFA(ar.AMR)
		}
		if st.Consent, err = h.consentDecision(ctx, ar, user.ID); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if roles, err = h.roleOptions(ctx, ar, user); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		st.RoleChoice = rolePending(ar, roles)
	}
	lang := web.Lang(r, ar.UILocales)
	d := nextStep(st)
	if pending != nil {
		if d.step == stepDone {
			pending.Clients = append(pending.Clients, ar.ClientID) // complete stores the request
		}
		if ar, err = h.startSession(ctx, w, r, ar, *pending, user); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		sess = *pending
	}
	if afterPost && d.step != stepDone && d.step != stepFailRP {
		http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusSeeOther)
		return
	}
	switch d.step {
	case stepLogin:
		login := ar.LoginHint
		if v := r.PostFormValue("login"); v != "" {
			login = v
		}
		pd := &web.LoginPage{Frame: web.Frame{Lang: lang, Title: "login.title"},
			CSRF: h.Sessions.FormToken(bid, ar.ID, formLogin), AuthRequestID: ar.ID, ClientName: h.Clients.Name(ar.ClientID),
			Login: login, Error: loginError}
		if h.Picker != nil {
			pd.PersonaQuery = r.URL.Query().Get("persona_q")
			if pd.Personas, pd.PersonaTotal, err = h.Picker.Pick(ctx, pd.PersonaQuery); err != nil {
				h.Pages.ServerError(w, r, err)
				return
			}
		}
		h.Pages.Render(w, r, http.StatusOK, pd)
	case stepSecondFactor:
		h.codePage(w, r, ar, bid, user, loginError)
	case stepRoleChoice:
		h.rolePage(w, r, ar, bid, lang, roles, "")
	case stepConsent:
		h.Pages.Render(w, r, http.StatusOK, &web.ConsentPage{Frame: web.Frame{Lang: lang, Title: "consent.title"},
			CSRF: h.Sessions.FormToken(bid, ar.ID, formConsent), AuthRequestID: ar.ID, ClientName: h.Clients.Name(ar.ClientID),
			Consent: consentItems(lang, st.Consent.Items, user)})
	case stepLevelLow:
		text := "level.text"
		if st.MinLevel == storage.LevelStandard {
			text = "level.text.standard"
		}
		pd := &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "level.title"}, CSRF: h.Sessions.FormToken(bid, ar.ID, formDeny), AuthRequestID: ar.ID,
			FormAction: "/login/deny", FormButton: "level.back", FormFields: []web.Hidden{{Name: "why", Value: "level"}},
			Links: []web.Link{{Href: "/account", Label: "action.profile", Secondary: true}}}
		pd.Paragraphs = []string{h.Pages.T(lang, text), h.Pages.T(lang, "level.how"), h.Pages.T(lang, "level.raise")}
		h.Pages.Render(w, r, http.StatusForbidden, pd)
	case stepSuspended:
		if hasSession && sess.UserID == user.ID {
			_ = h.Sessions.End(ctx, sess.ID)
		}
		pd := &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "suspended.title"}, Paragraphs: []string{h.Pages.T(lang, "suspended.text")},
			CSRF: h.Sessions.FormToken(bid, ar.ID, formDeny), AuthRequestID: ar.ID,
			FormAction: "/login/deny", FormButton: "action.back", FormFields: []web.Hidden{{Name: "why", Value: "suspended"}}}
		if user.StatusReason != "" {
			pd.Paragraphs = append(pd.Paragraphs, h.Pages.T(lang, "suspended.reason")+": "+user.StatusReason)
		}
		pd.Paragraphs = append(pd.Paragraphs, h.Pages.T(lang, "suspended.help"), h.Pages.T(lang, "suspended.back"))
		h.Pages.Render(w, r, http.StatusForbidden, pd)
	case stepNotice:
		h.noticePage(w, r, ar, bid, lang, user)
	case stepFailRP:
		h.failRP(w, r, ar, d.err, d.desc)
	case stepDone:
		// The authorization carries what the citizen granted (unticked scopes dropped).
		if st.Consent.Action == consent.Skip {
			ar.Scopes, ar.ClaimScopes = splitGranted(ar, st.Consent.Scopes)
		}
		h.complete(w, r, ar, sess, user, pending != nil)
	}
}

// FlowUser returns the citizen a login flow is about: the one who authenticated in this
// request, else the one of the browser's SSO session ("" when neither).
func (h *Handler) FlowUser(ctx context.Context, r *http.Request, ar storage.AuthRequest) (string, storage.Session, bool, error) {
	sess, hasSession, err := h.Sessions.Current(ctx, r)
	if err == nil && ar.Authenticated && ar.SessionID != "" && sess.ID != ar.SessionID {
		// The session this request's login started: its cookie may still be on its way to
		// the browser (the step right after the password answers in the same response).
		sess, hasSession, err = h.Sessions.Lookup(ctx, ar.SessionID)
	}
	if err != nil {
		return "", storage.Session{}, false, err
	}
	userID := ar.UserID
	if !ar.Authenticated && !ar.FirstFactor && hasSession {
		userID = sess.UserID
	}
	return userID, sess, hasSession, nil
}

// complete marks the request done with the citizen and session and hands over to the engine,
// which issues the code and redirects to the relying party. fresh: the session was started
// by this request with the client on its list, and ar carries the authentication to store.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, sess storage.Session, user storage.User, fresh bool) {
	ctx := r.Context()
	// One commit: the request is done and the session lists the client (back-channel logout,
	// the account's session list), with the code when the dialect can issue it first.
	f := storage.Finish{SessionID: sess.ID, ClientID: ar.ClientID}
	if fresh {
		f.SessionID = "" // it does already
	}
	finishing := func(a storage.AuthRequest) (storage.AuthRequest, error) {
		switch {
		case fresh:
			a = authenticatedLike(a, ar)
		case !a.Authenticated: // single sign-on: the login happened earlier in this session
			a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR = sess.UserID, sess.ID, sess.AuthTime, sess.AMR, sess.ACR
		}
		a.Scopes, a.ClaimScopes, a.Done = ar.Scopes, ar.ClaimScopes, true
		return a, nil
	}
	logDone := func() {
		h.Logger.InfoContext(ctx, "login completed", "client_id", ar.ClientID, "user", user.ID, "sso", !ar.Authenticated)
	}
	if fd, ok := h.dialect(ar.Dialect).(FinishingDialect); ok {
		want, _ := finishing(ar)
		err := fd.CompleteFinishing(w, r, want, func(codeHash string, codeExpiresAt time.Time) error {
			f.CodeHash, f.CodeExpiresAt = codeHash, codeExpiresAt
			if _, err := h.AuthRequests.FinishAuthRequest(ctx, ar.ID, h.Now(), f, finishing); err != nil {
				return err
			}
			logDone()
			return nil
		})
		if err != nil {
			h.Pages.ServerError(w, r, err)
		}
		return
	}
	done, err := h.AuthRequests.FinishAuthRequest(ctx, ar.ID, h.Now(), f, finishing)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	logDone()
	h.dialect(done.Dialect).Complete(w, r, done) // the request as stored
}

// failRP sends an OAuth error to the relying party's redirect_uri (already validated by the
// engine when the request was created).
func (h *Handler) failRP(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string) {
	_ = h.AuthRequests.DeleteAuthRequest(r.Context(), ar.ID)
	h.dialect(ar.Dialect).Fail(w, r, ar, code, desc)
}

// postLogin checks the password: one hash per attempt, the same work and the same message
// for an unknown login and a wrong password.
func (h *Handler) postLogin(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := h.FlowForm(w, r, formLogin)
	if !ok {
		return
	}
	lang := web.Lang(r, ar.UILocales)
	ctx := r.Context()
	login, pw := r.PostFormValue("login"), r.PostFormValue("password")
	var user storage.User
	var err error
	switch oid := r.PostFormValue("persona"); {
	case oid != "" && h.Picker != nil:
		// The persona picker: the password step is skipped, everything after it is not.
		if user, err = h.Users.GetUser(ctx, oid); errors.Is(err, storage.ErrNotFound) {
			h.dispatch(w, r, ar, bid, h.Pages.T(lang, "login.invalid"))
			return
		}
	case login == "" || pw == "":
		h.dispatch(w, r, ar, bid, h.Pages.T(lang, "login.empty"))
		return
	default:
		var problem string
		user, problem, err = h.checkPassword(ctx, r, ar, login, pw)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if problem != "" {
			h.dispatch(w, r, ar, bid, problem)
			return
		}
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if addr, ok := h.IPCheck(r, ar, user); !ok {
		h.IPRefusedPage(w, r, ar, addr)
		return
	}
	if user.Status != storage.StatusSuspended && !secondFactorDue(ar, user) {
		// The login is authenticated: its session is stored with the step that follows
		// (dispatchStep), at the end of the login one commit with the client it logs into.
		s := h.Sessions.Begin(r, user.ID, []string{session.AMRPassword}, session.ACROneFactor)
		h.dispatchStep(w, r, authenticated(ar, s), bid, "", true, &user, &s)
		return
	}
	if ar, err = h.PasswordAccepted(ctx, w, r, ar, user); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.dispatchStep(w, r, ar, bid, "", true, &user, nil)
}

// secondFactorDue: a right password does not end the authentication of user.
func secondFactorDue(ar storage.AuthRequest, user storage.User) bool {
	return user.SecondFactor != "" || slices.Contains(ar.ACRValues, session.ACRTwoFactor)
}

// authenticated is ar authenticated by the session s (not stored yet).
func authenticated(ar storage.AuthRequest, s storage.Session) storage.AuthRequest {
	ar.UserID, ar.SessionID, ar.AuthTime, ar.AMR, ar.ACR, ar.Authenticated = s.UserID, s.ID, s.AuthTime, s.AMR, s.ACR, true
	return ar
}

// authenticatedLike is the stored request a with the authentication the request ar carries.
func authenticatedLike(a, ar storage.AuthRequest) storage.AuthRequest {
	a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR, a.Authenticated = ar.UserID, ar.SessionID, ar.AuthTime, ar.AMR, ar.ACR, true
	return a
}

// PasswordAccepted records a right password (or a picked persona) on the request: when a
// second factor is due the request waits for it (FirstFactor), otherwise the session starts.
// Both faces of the password step (the form and the SPA API) go through here.
func (h *Handler) PasswordAccepted(ctx context.Context, w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, user storage.User) (storage.AuthRequest, error) {
	now := h.Now()
	amr, acr := []string{session.AMRPassword}, session.ACROneFactor
	if user.Status != storage.StatusSuspended && secondFactorDue(ar, user) {
		// The password was right; the session starts once the second factor is given too.
		return h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
			a.UserID, a.AMR, a.FirstFactor, a.Authenticated = user.ID, amr, true, false
			return a, nil
		})
	}
	if user.Status != storage.StatusSuspended {
		s := h.Sessions.Begin(r, user.ID, amr, acr)
		return h.startSession(ctx, w, r, authenticated(ar, s), s, user)
	}
	return h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.UserID, a.AuthTime, a.AMR, a.ACR, a.Authenticated = user.ID, now, amr, acr, true
		return a, nil
	})
}

// startSession stores the session s of the authenticated request ar (from Begin) with the
// login's audit event in one commit, tells the citizen (user) if they asked to be, and, unless the login ends in this
// request (s lists its client: complete stores the request), stores the request as
// authenticated.
func (h *Handler) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, s storage.Session, user storage.User) (storage.AuthRequest, error) {
	recorded := func() {}
	err := h.Sessions.Commit(ctx, w, r, s, func(s storage.Session) []storage.DocWrite {
		doc, done, ok := h.Audit.Prepare(ctx, r, audit.Event{Type: audit.Login, UserID: s.UserID, ClientID: ar.ClientID, SessionID: s.ID,
			Details: map[string]string{"amr": strings.Join(s.AMR, " ")}})
		if recorded = done; !ok {
			return nil
		}
		return []storage.DocWrite{doc}
	})
	if err != nil {
		return ar, err
	}
	recorded()
	h.NotifyLogin(ctx, user, ar.ClientID)
	if slices.Contains(s.Clients, ar.ClientID) {
		return ar, nil
	}
	return h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, s.AuthTime, func(a storage.AuthRequest) (storage.AuthRequest, error) {
		return authenticatedLike(a, ar), nil
	})
}

// checkPassword finds the account by any reading of the login and checks the password under
// the lockout rules. It does one password hash per attempt, and an unknown login goes
// through the same steps, counters and messages as a known one, so neither the answer nor
// the timing tells whether an account exists. problem is the message for the citizen when
// the login is refused.
//
// What the citizen sees — "attempts left", "locked until" — is the counter of the login as
// typed (lockout.LoginSubject), the same for every login, known or not: a phone and an e-mail
// of one account count apart, exactly like two unknown logins, so the counters do not tell
// that they belong together. Every failure against an account also counts on the account's
// own key, which locks after MaxFailures spread over all its logins and sends the owner the
// lock notice, but is never shown: while it lasts every password, the right one too, is
// answered and counted as a wrong one. A locked address (lockout.IPKey of the client behind
// trusted proxies) is throttled, not shut: one password check per Policy.IPThrottle.
func (h *Handler) checkPassword(ctx context.Context, r *http.Request, ar storage.AuthRequest, login, pw string) (storage.User, string, error) {
	u, problem, _, err := h.CheckPasswordLock(ctx, r, ar, login, pw)
	return u, problem, err
}

// CheckPasswordLock is checkPassword that also says whether the refusal is a lock the citizen
// is told about (the login as typed, or the address); the hidden account lock is not one.
func (h *Handler) CheckPasswordLock(ctx context.Context, r *http.Request, ar storage.AuthRequest, login, pw string) (storage.User, string, bool, error) {
	lang := web.Lang(r, ar.UILocales)
	u, found, normalized, err := h.Accounts.Lookup(ctx, login)
	if err != nil {
		return u, "", false, err
	}
	typed := lockout.PasswordKey(lockout.LoginSubject(normalized))
	account := lockout.PasswordKey(u.ID)
	ipKey := lockout.IPKey(h.Sessions.ClientIP(r))
	// The lock records of the three keys are read together, and once more after the hash.
	keys := []string{typed, ipKey}
	if found {
		keys = append(keys, account)
	}
	att, err := h.Limiter.Begin(ctx, keys...)
	if err != nil {
		return u, "", false, err
	}
	if err := att.Check(ctx, typed); err != nil {
		msg, err := h.Pages.Catalog().LockProblem(lang, err)
		return u, msg, true, err
	}
	if err := att.Throttle(ctx, ipKey); err != nil {
		msg, err := h.Pages.Catalog().LockProblem(lang, err)
		return u, msg, true, err
	}
	accountLocked := false
	var le *lockout.LockedError
	if found {
		if err := att.Check(ctx, account); errors.As(err, &le) {
			accountLocked = true
		} else if err != nil {
			return u, "", false, err
		}
	}
	ok := false
	if found && !accountLocked {
		if ok, err = h.Hasher.Verify(u.PasswordHash, pw); err != nil {
			return u, "", false, fmt.Errorf("verify password of %s: %w", u.ID, err)
		}
	} else if err = h.Hasher.VerifyAbsent(pw); err != nil {
		return u, "", false, fmt.Errorf("verify password: %w", err)
	}
	if ok {
		if err := att.Reload(ctx, account, typed); err != nil {
			return u, "", false, err
		}
		if err := att.Succeed(ctx, account); errors.As(err, &le) {
			ok, accountLocked = false, true // the account locked meanwhile: as a wrong password
		} else if err != nil {
			return u, "", false, err
		}
	}
	if !ok {
		reason := "invalid_credentials"
		if accountLocked {
			reason = "account_locked"
		}
		h.Logger.InfoContext(ctx, "login failed", "client_id", ar.ClientID)
		h.Audit.Record(ctx, r, audit.Event{Type: audit.LoginFailed, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"reason": reason}})
		left, ferr := h.Limiter.Fail(ctx, typed)
		if found && !accountLocked {
			_, aerr := h.Limiter.Fail(ctx, account)
			switch {
			case errors.As(aerr, &le):
				if le.New {
					h.lockNotice(ctx, r, u, le)
				}
			case aerr != nil:
				return u, "", false, aerr
			}
		}
		_, ipErr := h.Limiter.Fail(ctx, ipKey)
		switch {
		case errors.As(ferr, &le):
			return u, h.Pages.Catalog().LockMessage(lang, le), true, nil
		case ferr != nil:
			return u, "", false, ferr
		case errors.As(ipErr, &le):
			return u, h.Pages.Catalog().LockMessage(lang, le), true, nil
		}
		return u, h.Pages.T(lang, "login.invalid") + ". " + fmt.Sprintf(h.Pages.T(lang, "login.attempts"), left), false, nil
	}
	if err := att.Succeed(ctx, typed); err != nil {
		msg, err := h.Pages.Catalog().LockProblem(lang, err)
		return u, msg, true, err
	}
	return u, "", false, nil
}

// lockNotice tells the citizen their account was locked and records it.
func (h *Handler) lockNotice(ctx context.Context, r *http.Request, u storage.User, le *lockout.LockedError) {
	channel, to := otp.ChannelSMS, u.Phone
	if to == "" {
		channel, to = otp.ChannelEmail, u.Email
	}
	if to != "" {
		if err := h.Sender.Send(ctx, otp.LockNotice(channel, to, le.Until, le.Permanent)); err != nil {
			h.Logger.WarnContext(ctx, "lock notice not sent", "err", err)
		}
	}
	h.Audit.Record(ctx, r, audit.Event{Type: audit.Lock, UserID: u.ID, Details: map[string]string{"scope": le.Scope, "until": le.Until.Format(time.RFC3339)}})
}

// postConsent records the citizen's answer on the consent page: the ticked scopes are
// granted (remembered per citizen, client and scope), unticked ones left out.
func (h *Handler) postConsent(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := h.FlowForm(w, r, formConsent)
	if !ok {
		return
	}
	ctx := r.Context()
	userID, _, _, err := h.FlowUser(ctx, r, ar)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if userID == "" {
		// No citizen (a forged post, or the session ended): start the flow over.
		h.dispatch(w, r, ar, bid, "")
		return
	}
	if r.PostFormValue("decision") != "allow" {
		h.Audit.Record(ctx, r, audit.Event{Type: audit.ConsentDenied, UserID: userID, ClientID: ar.ClientID})
		h.failRP(w, r, ar, "access_denied", "the citizen refused access")
		return
	}
	scopes, err := h.applyConsent(ctx, r, ar, userID, r.PostForm["scope"])
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	ar, err = h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, h.Now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.Scopes, a.ClaimScopes = splitGranted(a, scopes)
		a.Consented = true
		return a, nil
	})
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.dispatch(w, r, ar, bid, "")
}

// postDeny returns the citizen to the relying party with access_denied (level too low, or
// the account is suspended).
func (h *Handler) postDeny(w http.ResponseWriter, r *http.Request) {
	ar, _, ok := h.FlowForm(w, r, formDeny)
	if !ok {
		return
	}
	if r.PostFormValue("why") == "suspended" {
		h.failRP(w, r, ar, "access_denied", "the account is suspended")
		return
	}
	min := ar.MinLevel
	if cl := h.Clients.Get(ar.ClientID); cl != nil && cl.MinLevel.Rank() > min.Rank() {
		min = cl.MinLevel
	}
	h.failRP(w, r, ar, "access_denied", "the account level is below "+string(min))
}

// formMFA is the step the second-factor forms are bound to.
const formMFA = "code"

// postCode checks a second-factor code (SMS, authenticator or recovery code).
func (h *Handler) postCode(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := h.FlowForm(w, r, formMFA)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, ar.UILocales)
	userID, sess, hasSession, err := h.FlowUser(ctx, r, ar)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if userID == "" || (!ar.FirstFactor && !hasSession) {
		h.dispatch(w, r, ar, bid, "") // nothing to complete: start over
		return
	}
	u, err := h.Users.GetUser(ctx, userID)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if r.PostFormValue("resend") != "" {
		h.resendCode(w, r, ar, bid, u)
		return
	}
	res, err := h.VerifyCode(w, r, ar, sess, u, r.PostFormValue("code"), r.PostFormValue("recovery"))
	switch {
	case err != nil:
		h.Pages.ServerError(w, r, err)
	case res.Lock != nil:
		h.lockedPage(w, r, ar, bid, u, res.Lock)
	case res.Refused != nil:
		spent := errors.Is(res.Refused, otp.ErrCodeExpired) || errors.Is(res.Refused, otp.ErrNoTriesLeft)
		h.codePageAfter(w, r, ar, bid, u, h.Pages.Catalog().CodeProblem(lang, res.Refused), spent)
	default:
		http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(res.AR.ID), http.StatusSeeOther)
	}
}

// CodeResult is the outcome of a second-factor code: lock is the limiter's refusal (usually
// a *lockout.LockedError), refused the verifier's (wrong, expired, spent); with neither the
// login is complete and ar is the updated request.
// CodeResult is what VerifyCode found: the completed request (AR), or the lockout (Lock) or
// the wrong code (Refused) to answer.
type CodeResult struct {
	AR            storage.AuthRequest
	Lock, Refused error
}

// VerifyCode checks a second-factor code under the code lockout and, when it is right,
// completes the login: the session starts (or an existing one steps up), the login is
// audited and the notice sent. Both faces of the code step (the form and the SPA API) go
// through here.
func (h *Handler) VerifyCode(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, sess storage.Session, u storage.User, code, recovery string) (CodeResult, error) {
	ctx := r.Context()
	codeKey := lockout.CodeKey(u.ID)
	if err := h.Limiter.Check(ctx, codeKey); err != nil {
		return CodeResult{Lock: err}, nil
	}
	method, verr := h.Accounts.VerifySecondFactor(ctx, u, code, recovery)
	if verr != nil {
		h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeFailed, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"method": method}})
		if _, ferr := h.Limiter.Fail(ctx, codeKey); ferr != nil {
			return CodeResult{Lock: ferr}, nil
		}
		return CodeResult{Refused: verr}, nil
	}
	if err := h.Limiter.Succeed(ctx, codeKey); err != nil {
		return CodeResult{Lock: err}, nil
	}
	amr := []string{session.AMRPassword, method, session.AMRMFA}
	now := h.Now()
	var err error
	if ar.FirstFactor {
		sess, err = h.Sessions.Start(ctx, w, r, u.ID, amr, session.ACRTwoFactor)
	} else { // step-up of an existing session
		sess, err = h.SessionStore.UpdateSession(ctx, sess.ID, now, func(s storage.Session) (storage.Session, error) {
			s.AMR, s.ACR = amr, session.ACRTwoFactor
			return s, nil
		})
	}
	if err != nil {
		return CodeResult{}, err
	}
	h.Audit.Record(ctx, r, audit.Event{Type: audit.Login, UserID: u.ID, ClientID: ar.ClientID, SessionID: sess.ID, Details: map[string]string{"amr": fmt.Sprint(amr)}})
	h.NotifyLogin(ctx, u, ar.ClientID)
	ar, err = h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR = u.ID, sess.ID, sess.AuthTime, amr, session.ACRTwoFactor
		a.Authenticated, a.FirstFactor = true, false
		return a, nil
	})
	if err != nil {
		return CodeResult{}, err
	}
	return CodeResult{AR: ar}, nil
}

// resendCode sends a new SMS code when the pause is over.
func (h *Handler) resendCode(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User) {
	ctx := r.Context()
	lang := web.Lang(r, ar.UILocales)
	if accounts.SecondFactorMethod(u) != "sms" {
		h.codePage(w, r, ar, bid, u, "")
		return
	}
	if err := h.Limiter.Check(ctx, lockout.CodeKey(u.ID)); err != nil { // no new code while codes are locked
		h.lockedPage(w, r, ar, bid, u, err)
		return
	}
	_, err := h.SMS.Start(ctx, accounts.SMSKey(u.ID), u.Phone, otp.KindLoginCode)
	var soon *otp.ResendTooSoonError
	var limited *otp.RateLimitedError
	switch {
	case errors.As(err, &soon):
		h.codePage(w, r, ar, bid, u, fmt.Sprintf(h.Pages.T(lang, "code.toosoon"), web.Clock(soon.RetryAt)))
	case errors.As(err, &limited):
		h.codePage(w, r, ar, bid, u, h.Pages.T(lang, "code.ratelimited"))
	case err != nil:
		h.Pages.ServerError(w, r, err)
	default:
		h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"channel": "sms"}})
		h.codePage(w, r, ar, bid, u, "")
	}
}

// lockedPage tells the citizen the login is locked and until when.
func (h *Handler) lockedPage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User, err error) {
	var le *lockout.LockedError
	if !errors.As(err, &le) {
		h.Pages.ServerError(w, r, err)
		return
	}
	lang := web.Lang(r, ar.UILocales)
	msg := h.Pages.Catalog().LockMessage(lang, le)
	if le.Scope == lockout.ScopeCode && !le.Permanent {
		h.codePage(w, r, ar, bid, u, msg)
		return
	}
	h.dispatch(w, r, ar, bid, msg)
}

// NotifyLogin sends the opt-in login notice.
func (h *Handler) NotifyLogin(ctx context.Context, u storage.User, clientID string) {
	if !u.NotifyLogins {
		return
	}
	service := clientID
	if cl, ok := h.Clients.Lookup(clientID); ok {
		service = cl.DisplayName()
	}
	msg := otp.Message{Channel: otp.ChannelEmail, To: u.Email, Kind: otp.KindLoginNotice, Subject: "Вход в учётную запись",
		Body: fmt.Sprintf("Выполнен вход в вашу учётную запись %s. Если это были не вы, смените пароль и завершите все сеансы в личном кабинете.", web.DateTime(h.Now()))}
	if service != "" {
		msg.Body = fmt.Sprintf("Выполнен вход в вашу учётную запись %s (сервис «%s»). Если это были не вы, смените пароль и завершите все сеансы в личном кабинете.", web.DateTime(h.Now()), service)
	}
	if u.Email == "" {
		msg.Channel, msg.To = otp.ChannelSMS, u.Phone
	}
	if err := h.Sender.Send(ctx, msg); err != nil {
		h.Logger.WarnContext(ctx, "login notice not sent", "err", err)
	}
}

// codePage shows the second-factor form, sending an SMS code first when none is usable.
func (h *Handler) codePage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User, problem string) {
	h.codePageAfter(w, r, ar, bid, u, problem, false)
}

// codePageAfter is codePage after a code that was just refused; spent says it was spent
// (expired, or its tries used up), so a new code sent here is announced instead of asking
// the citizen to request one. The page tells the truth about the code and the lock: the
// masked number always, validity and tries only of a code that can still be used, and the
// resend button enabled only when a resend would be accepted (the later of the resend pause
// and the code lock), with a countdown (a script allowed by its hash; without scripts the
// page reloads itself at that time).
func (h *Handler) codePageAfter(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User, problem string, spent bool) {
	ctx := r.Context()
	lang := web.Lang(r, ar.UILocales)
	d := &web.CodePage{Frame: web.Frame{Lang: lang, Title: "code.title"}, CSRF: h.Sessions.FormToken(bid, ar.ID, formMFA), AuthRequestID: ar.ID,
		ClientName: h.Clients.Name(ar.ClientID), Error: problem, Code: &web.CodeView{Method: accounts.SecondFactorMethod(u), Recovery: len(u.RecoveryCodes) > 0}}
	if d.Code.Method == "sms" {
		now := h.Now()
		var lockUntil time.Time
		var le *lockout.LockedError
		if err := h.Limiter.Check(ctx, lockout.CodeKey(u.ID)); errors.As(err, &le) {
			lockUntil = le.Until
			d.Code.Locked = true
			if d.Error == "" {
				d.Error = h.Pages.Catalog().LockMessage(lang, le)
			}
		} else if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		ch, err := h.SMS.Status(ctx, accounts.SMSKey(u.ID))
		if err != nil && !errors.Is(err, otp.ErrNoChallenge) {
			h.Pages.ServerError(w, r, err)
			return
		}
		live := err == nil && !ch.Verified && now.Before(ch.ExpiresAt) && ch.TriesLeft > 0
		if !live && !d.Code.Locked { // no usable code and nothing stops one: send it
			nch, err := h.SMS.Start(ctx, accounts.SMSKey(u.ID), u.Phone, otp.KindLoginCode)
			var soon *otp.ResendTooSoonError
			var limited *otp.RateLimitedError
			switch {
			case errors.As(err, &soon):
				ch.ResendAt = soon.RetryAt
			case errors.As(err, &limited):
				if d.Error == "" {
					d.Error = h.Pages.T(lang, "code.ratelimited")
				}
				ch.ResendAt = now.Add(time.Hour)
			case err != nil:
				h.Pages.ServerError(w, r, err)
				return
			default:
				h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"channel": "sms"}})
				ch, live = nch, true
				if spent {
					d.Error, d.Notice = "", fmt.Sprintf(h.Pages.T(lang, "code.resent"), nch.Masked)
				}
			}
		}
		d.Code.Masked = ch.Masked
		if d.Code.Masked == "" {
			d.Code.Masked = otp.Mask(otp.ChannelSMS, u.Phone)
		}
		d.Code.Live, d.Code.Length = live, ch.Length
		if live {
			d.Code.TriesLeft, d.Code.ExpiresAt = ch.TriesLeft, web.Clock(ch.ExpiresAt)
		}
		resendAt := ch.ResendAt
		if lockUntil.After(resendAt) {
			resendAt = lockUntil
		}
		d.Code.CanResend = !now.Before(resendAt)
		if !d.Code.CanResend {
			wait := int((resendAt.Sub(now) + time.Second - 1) / time.Second)
			d.Code.ResendAt, d.Code.ResendIn, d.Code.ResendLeft = web.Clock(resendAt), wait, fmt.Sprintf("%d:%02d", wait/60, wait%60)
			d.RefreshIn, d.RefreshURL = wait, "/login?authRequestID="+url.QueryEscape(ar.ID)
		}
	}
	h.Pages.Render(w, r, http.StatusOK, d)
}

// consentInput gathers what the consent decision depends on for a citizen and a request.
// Granted holds the requested scopes' grants only (one read of those grants), unless all:
// storing an answer tells a first consent from a change by every grant of the client.
func (h *Handler) consentInput(ctx context.Context, ar storage.AuthRequest, userID string, all bool) (consent.Input, error) {
	requested := append(slices.Clone(ar.Scopes), ar.ClaimScopes...)
	var granted []string
	if all {
		grants, err := h.Grants.Granted(ctx, userID, ar.ClientID, h.Now())
		if err != nil {
			return consent.Input{}, fmt.Errorf("consent grants: %w", err)
		}
		granted = consent.Scopes(grants)
	} else {
		var ask []string
		for _, s := range requested {
			if s != consent.OpenID && !slices.Contains(ask, s) {
				ask = append(ask, s)
			}
		}
		var err error
		if granted, err = h.Grants.GrantedOf(ctx, userID, ar.ClientID, ask, h.Now()); err != nil {
			return consent.Input{}, fmt.Errorf("consent grants: %w", err)
		}
	}
	in := consent.Input{Requested: requested, Granted: granted, Prompt: ar.Prompt, Answered: ar.Consented}
	if cl, ok := h.Clients.Lookup(ar.ClientID); ok {
		in.Required, in.FirstParty = cl.Config.RequiredScopes, cl.Config.FirstParty
	}
	return in, nil
}

func (h *Handler) consentDecision(ctx context.Context, ar storage.AuthRequest, userID string) (consent.Decision, error) {
	if ar.ClientID == "" { // the emulator's own pages (account): nothing is shared
		return consent.Decision{Action: consent.Skip, Scopes: ar.Scopes}, nil
	}
	in, err := h.consentInput(ctx, ar, userID, false)
	if err != nil {
		return consent.Decision{}, err
	}
	return consent.Decide(in), nil
}

// applyConsent stores an approved consent page and returns the scopes the authorization
// carries.
func (h *Handler) applyConsent(ctx context.Context, r *http.Request, ar storage.AuthRequest, userID string, ticked []string) ([]string, error) {
	in, err := h.consentInput(ctx, ar, userID, true)
	if err != nil {
		return nil, err
	}
	o := consent.Apply(in, ticked)
	ttl := h.Clients.Get(ar.ClientID).Config.ConsentLifetime.Or(0)
	g := h.Grants
	now := h.Now()
	added, err := g.Grant(ctx, userID, ar.ClientID, o.Grant, ttl, now)
	if err != nil {
		return nil, fmt.Errorf("store consent: %w", err)
	}
	if len(o.Revoke) > 0 {
		if _, err := g.WithdrawScope(ctx, userID, ar.ClientID, now, o.Revoke...); err != nil {
			return nil, fmt.Errorf("withdraw consent: %w", err)
		}
	}
	ev := audit.Event{UserID: userID, ClientID: ar.ClientID, Details: map[string]string{}}
	switch {
	case len(in.Granted) == 0 && len(o.Grant) > 0:
		ev.Type, ev.Details["scopes"] = audit.ConsentGiven, strings.Join(o.Grant, " ")
	case len(added) > 0 || len(o.Revoke) > 0:
		ev.Type = audit.ConsentChanged
		ev.Details["added"], ev.Details["removed"] = strings.Join(added, " "), strings.Join(o.Revoke, " ")
	}
	if ev.Type != "" {
		h.Audit.Record(ctx, r, ev)
	}
	if o.Scopes == nil {
		return ar.Scopes, nil // nothing was asked (the page was stale): keep the request as is
	}
	return o.Scopes, nil
}

// splitGranted divides the scopes a consent decision carries back into the request's own
// scopes and its claim scopes.
func splitGranted(ar storage.AuthRequest, carried []string) (scopes, claimScopes []string) {
	for _, s := range carried {
		if slices.Contains(ar.ClaimScopes, s) && !slices.Contains(ar.Scopes, s) {
			claimScopes = append(claimScopes, s)
		} else {
			scopes = append(scopes, s)
		}
	}
	return scopes, claimScopes
}

func consentItems(lang string, items []consent.Item, u storage.User) []web.ConsentItem {
	out := make([]web.ConsentItem, 0, len(items))
	for _, it := range items {
		v := web.ConsentItem{Scope: it.Scope, Text: consent.Text(it.Scope, lang), Required: it.Required, Granted: it.Granted, Editable: it.Editable}
		// An optional scope for data the account does not hold (a simplified account's SNILS,
		// INN or passport) is no choice to offer: the page says it is missing and where to add it.
		if it.Editable && lacks(u, consent.Base(it.Scope)) {
			v.Editable, v.Missing = false, true
		}
		if sc, ok := consent.Lookup(consent.Base(it.Scope)); ok {
			v.Sensitive = sc.Sensitive
		}
		out = append(out, v)
	}
	return out
}

// lacks reports whether the account holds none of the data a person-identifier or identity
// document scope releases.
func lacks(u storage.User, scope string) bool {
	switch scope {
	case "snils":
		return u.SNILS == ""
	case "inn":
		return u.INN == ""
	case "id_doc":
		sc, _ := consent.Lookup(scope)
		for _, d := range u.Documents {
			if slices.Contains(sc.DocTypes, d.Type) {
				return false
			}
		}
		return true
	}
	return false
}
