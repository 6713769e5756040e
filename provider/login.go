package provider

import (
	"context"
	"encoding/json"
	"time"

	"errors"
	"fmt"
	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// AMR and ACR values of a password login. The acr names how the login was made (one factor
// here); the account level is a separate claim.
const (
	amrPassword  = "pwd"
	acrOneFactor = "urn:esia:acr:1"
	acrTwoFactor = "urn:esia:acr:2"
)

// Steps that forms are bound to (see csrfToken).
const (
	formLogin   = "login"
	formConsent = "consent"
	formLevel   = "level"
)

// loadRequest reads the request a login page belongs to and binds it to this browser. It
// answers the error page itself and returns ok=false when the flow cannot go on.
func (p *Provider) loadRequest(w http.ResponseWriter, r *http.Request, id string) (storage.AuthRequest, string, bool) {
	lang := requestLang(r, nil)
	if id == "" {
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return storage.AuthRequest{}, "", false
	}
	bid, err := p.browserID(w, r)
	if err != nil {
		p.serverError(w, r, err)
		return storage.AuthRequest{}, "", false
	}
	ctx := r.Context()
	ar, err := p.store.UpdateAuthRequest(ctx, id, p.now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
		if a.BrowserID == "" {
			a.BrowserID = bid
		}
		return a, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.expired")
		return storage.AuthRequest{}, "", false
	}
	if err != nil {
		p.serverError(w, r, err)
		return storage.AuthRequest{}, "", false
	}
	if ar.BrowserID != bid {
		p.message(w, r, http.StatusForbidden, requestLang(r, ar.UILocales), "error.csrf.title", "error.otherbrowser")
		return storage.AuthRequest{}, "", false
	}
	if ar.Done {
		// Already finished (a reload of the last page): go on to the code.
		if d, ok := p.dialects[ar.Dialect]; ok && ar.Dialect != "" {
			d.Complete(w, r, ar)
		} else {
			http.Redirect(w, r, p.callbackURL(ctx, ar.ID), http.StatusSeeOther)
		}
		return storage.AuthRequest{}, "", false
	}
	return ar, bid, true
}

func (p *Provider) callbackURL(ctx context.Context, id string) string {
	return op.AuthCallbackURL(p.op)(op.ContextWithIssuer(ctx, p.cfg.Issuer), id)
}

// getLogin is the flow dispatcher's entry: every step returns here.
func (p *Provider) getLogin(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := p.loadRequest(w, r, r.URL.Query().Get("authRequestID"))
	if !ok {
		return
	}
	p.dispatch(w, r, ar, bid, "")
}

// dispatch decides the next step of the flow and performs it.
func (p *Provider) dispatch(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid, loginError string) {
	ctx := r.Context()
	cl := p.clients[ar.ClientID]
	st := flowState{
		Now: p.now(), Prompt: ar.Prompt, MaxAge: ar.MaxAge, HintSubject: ar.HintSubject,
		Authenticated: ar.Authenticated, FirstFactor: ar.FirstFactor,
		PKCERequired: cl != nil && cl.requiresPKCE(), CodeChallenge: ar.CodeChallenge, ChallengeMeth: ar.CodeChallengeMethod,
	}
	if ar.Claims != "" {
		if _, err := consent.ParseClaimsRequest(ar.Claims); err != nil {
			st.ClaimsInvalid = true
		}
	}
	if cl != nil {
		st.MinLevel = cl.minLevel
	}
	if ar.MinLevel.Rank() > st.MinLevel.Rank() {
		st.MinLevel = ar.MinLevel
	}
	userID, sess, hasSession, err := p.flowUser(ctx, r, ar)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	st.HasSession, st.SessionUser, st.SessionAuthTime = hasSession, sess.UserID, sess.AuthTime
	var user storage.User
	if userID != "" {
		user, err = p.store.GetUser(ctx, userID)
		if errors.Is(err, storage.ErrNotFound) {
			// The account was deleted under a live session: end it and log in again.
			_ = p.deleteSession(ctx, sess.ID)
			st.HasSession = false
		} else if err != nil {
			p.serverError(w, r, err)
			return
		}
		if user, err = p.refreshAccount(ctx, user); err != nil {
			p.serverError(w, r, err)
			return
		}
		status := proofing.Effective(proofing.StatusOf(user, proofsOf(user)), st.Now)
		user.Status, user.StatusReason = status.Status, status.Reason
		st.UserLevel, st.UserStatus = user.Level, user.Status
		st.SecondFactorNeeded = user.SecondFactor != "" || slices.Contains(ar.ACRValues, acrTwoFactor)
		st.SecondFactorAvailable = secondFactorMethod(user) != ""
		st.SecondFactorDone = hasMFA(sess.AMR)
		if ar.Authenticated {
			st.SecondFactorDone = hasMFA(ar.AMR)
		}
		if st.Consent, err = p.consentDecision(ctx, ar, user.ID); err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	lang := requestLang(r, ar.UILocales)
	d := nextStep(st)
	switch d.step {
	case stepLogin:
		login := ar.LoginHint
		if v := r.PostFormValue("login"); v != "" {
			login = v
		}
		pd := pageData{Lang: lang, Title: "login.title",
			CSRF: p.csrfToken(bid, ar.ID, formLogin), AuthRequestID: ar.ID, ClientName: clientName(cl),
			Login: login, Error: loginError}
		if p.cfg.TestMode() {
			pd.PersonaQuery = r.URL.Query().Get("persona_q")
			if pd.Personas, pd.PersonaTotal, err = p.pickablePersonas(ctx, pd.PersonaQuery); err != nil {
				p.serverError(w, r, err)
				return
			}
		}
		p.render(w, r, http.StatusOK, "login", pd)
	case stepSecondFactor:
		p.codePage(w, r, ar, bid, user, loginError)
	case stepConsent:
		p.render(w, r, http.StatusOK, "consent", pageData{Lang: lang, Title: "consent.title",
			CSRF: p.csrfToken(bid, ar.ID, formConsent), AuthRequestID: ar.ID, ClientName: clientName(cl),
			Consent: consentItems(lang, st.Consent.Items)})
	case stepLevelLow:
		text := "level.text"
		if st.MinLevel == storage.LevelStandard {
			text = "level.text.standard"
		}
		pd := pageData{Lang: lang, Title: "level.title", CSRF: p.csrfToken(bid, ar.ID, formLevel), AuthRequestID: ar.ID,
			FormAction: "/login/deny", FormButton: "level.back"}
		pd.Paragraphs = []string{translate(lang, text), translate(lang, "level.how")}
		p.render(w, r, http.StatusForbidden, "message", pd)
	case stepSuspended:
		if hasSession && sess.UserID == user.ID {
			_ = p.deleteSession(ctx, sess.ID)
		}
		pd := pageData{Lang: lang, Title: "suspended.title", Paragraphs: []string{translate(lang, "suspended.text")}}
		if user.StatusReason != "" {
			pd.Paragraphs = append(pd.Paragraphs, translate(lang, "suspended.reason")+": "+user.StatusReason)
		}
		pd.Paragraphs = append(pd.Paragraphs, translate(lang, "suspended.help"))
		p.render(w, r, http.StatusForbidden, "message", pd)
	case stepFailRP:
		p.failRP(w, r, ar, d.err, d.desc)
	case stepDone:
		// The authorization carries what the citizen granted (unticked scopes dropped).
		if st.Consent.Action == consent.Skip {
			ar.Scopes, ar.ClaimScopes = splitGranted(ar, st.Consent.Scopes)
		}
		p.complete(w, r, ar, sess, user)
	}
}

// flowUser returns the citizen a login flow is about: the one who authenticated in this
// request, else the one of the browser's SSO session ("" when neither).
func (p *Provider) flowUser(ctx context.Context, r *http.Request, ar storage.AuthRequest) (string, storage.Session, bool, error) {
	sess, hasSession, err := p.currentSession(ctx, r)
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
// which issues the code and redirects to the relying party.
func (p *Provider) complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, sess storage.Session, user storage.User) {
	ctx := r.Context()
	_, err := p.store.UpdateAuthRequest(ctx, ar.ID, p.now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
		if !a.Authenticated { // single sign-on: the login happened earlier in this session
			a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR = sess.UserID, sess.ID, sess.AuthTime, sess.AMR, sess.ACR
		}
		a.Scopes, a.ClaimScopes, a.Done = ar.Scopes, ar.ClaimScopes, true
		return a, nil
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if sess.ID != "" && ar.ClientID != "" && !slices.Contains(sess.Clients, ar.ClientID) {
		_, _ = p.store.UpdateSession(ctx, sess.ID, p.now(), func(s storage.Session) (storage.Session, error) {
			if !slices.Contains(s.Clients, ar.ClientID) {
				s.Clients = append(s.Clients, ar.ClientID)
			}
			return s, nil
		})
	}
	p.log.InfoContext(ctx, "login completed", "client_id", ar.ClientID, "user", user.ID, "sso", !ar.Authenticated)
	if d, ok := p.dialects[ar.Dialect]; ok && ar.Dialect != "" {
		ar, err = p.store.GetAuthRequest(ctx, ar.ID, p.now())
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		d.Complete(w, r, ar)
		return
	}
	http.Redirect(w, r, p.callbackURL(ctx, ar.ID), http.StatusSeeOther)
}

// failRP sends an OAuth error to the relying party's redirect_uri (already validated by the
// engine when the request was created).
func (p *Provider) failRP(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string) {
	_ = p.store.DeleteAuthRequest(r.Context(), ar.ID)
	if d, ok := p.dialects[ar.Dialect]; ok && ar.Dialect != "" {
		d.Fail(w, r, ar, code, desc)
		return
	}
	op.AuthRequestError(p.issWriter(w), r, &authRequest{ar}, oauthError(code, desc), p.op)
}

// oauthError builds an engine error with any OAuth error code (the engine's error type is
// unexported and lacks some codes, such as consent_required).
func oauthError(code, desc string) *oidc.Error {
	var e oidc.Error
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	_ = json.Unmarshal(b, &e)
	return &e
}

// postLogin checks the password: one hash per attempt, the same work and the same message
// for an unknown login and a wrong password.
func (p *Provider) postLogin(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := p.flowForm(w, r, formLogin)
	if !ok {
		return
	}
	lang := requestLang(r, ar.UILocales)
	ctx := r.Context()
	login, pw := r.PostFormValue("login"), r.PostFormValue("password")
	var user storage.User
	var err error
	switch oid := r.PostFormValue("persona"); {
	case oid != "" && p.cfg.TestMode():
		// The persona picker: the password step is skipped, everything after it is not.
		if user, err = p.store.GetUser(ctx, oid); errors.Is(err, storage.ErrNotFound) {
			p.dispatch(w, r, ar, bid, translate(lang, "login.invalid"))
			return
		}
	case login == "" || pw == "":
		p.dispatch(w, r, ar, bid, translate(lang, "login.empty"))
		return
	default:
		var problem string
		user, problem, err = p.checkPassword(ctx, r, ar, login, pw)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		if problem != "" {
			p.dispatch(w, r, ar, bid, problem)
			return
		}
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	now := p.now()
	amr, acr := []string{amrPassword}, acrOneFactor
	if user.Status != storage.StatusSuspended && (user.SecondFactor != "" || slices.Contains(ar.ACRValues, acrTwoFactor)) {
		// The password was right; the session starts once the second factor is given too.
		ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
			a.UserID, a.AMR, a.FirstFactor, a.Authenticated = user.ID, amr, true, false
			return a, nil
		})
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusSeeOther)
		return
	}
	if user.Status != storage.StatusSuspended {
		sess, err := p.startSession(ctx, w, r, user, amr, acr)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		ar.SessionID = sess.ID
		p.recordAudit(ctx, r, audit.Event{Type: audit.Login, UserID: user.ID, ClientID: ar.ClientID, SessionID: ar.SessionID,
			Details: map[string]string{"amr": strings.Join(amr, " ")}})
		p.notifyLogin(ctx, user, ar.ClientID)
	}
	ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR, a.Authenticated = user.ID, ar.SessionID, now, amr, acr, true
		return a, nil
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

// pickerLimit is how many accounts the test-mode picker shows at once.
const pickerLimit = 50

// pickablePersonas lists the accounts the test-mode picker offers: the first pickerLimit
// whose name, persona key, account id, phone, e-mail or SNILS contains q (any case; "" matches
// all), and how many matched in all. Without q only the shown accounts are read in full, so a
// store with thousands of generated personas does not slow every login page.
func (p *Provider) pickablePersonas(ctx context.Context, q string) ([]personaRow, int, error) {
	row := func(u storage.User) personaRow {
		return personaRow{Key: u.Persona, OID: u.ID, Name: u.FullName(), Level: string(u.Level)}
	}
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		users, total, err := p.store.ListUsersPage(ctx, pickerLimit)
		var rows []personaRow
		for _, u := range users {
			rows = append(rows, row(u))
		}
		return rows, total, err
	}
	users, err := p.store.ListUsers(ctx)
	if err != nil {
		return nil, 0, err
	}
	var rows []personaRow
	total := 0
	for _, u := range users {
		if !strings.Contains(strings.ToLower(strings.Join([]string{u.FullName(), u.Persona, u.ID, u.Phone, u.Email, u.SNILS}, "\n")), q) {
			continue
		}
		total++
		if len(rows) < pickerLimit {
			rows = append(rows, row(u))
		}
	}
	return rows, total, nil
}

// checkPassword finds the account by any reading of the login and checks the password under
// the lockout rules. It does one password hash per attempt, and an unknown login goes
// through the same steps, counters and messages as a known one (its counter is keyed by the
// typed login), so neither the answer nor the timing tells whether an account exists.
// problem is the message for the citizen when the login is refused.
func (p *Provider) checkPassword(ctx context.Context, r *http.Request, ar storage.AuthRequest, login, pw string) (storage.User, string, error) {
	lang := requestLang(r, ar.UILocales)
	u, found, normalized, err := p.lookupLogin(ctx, login)
	if err != nil {
		return u, "", err
	}
	key := lockout.PasswordKey(lockout.LoginSubject(normalized))
	if found {
		key = lockout.PasswordKey(u.ID)
	}
	ipKey := lockout.IPKey(r.RemoteAddr)
	for _, k := range []string{ipKey, key} {
		if err := p.limiter.Check(ctx, k); err != nil {
			msg, err := lockProblem(lang, err)
			return u, msg, err
		}
	}
	ok := false
	if found {
		if ok, err = p.hasher.Verify(u.PasswordHash, pw); err != nil {
			return u, "", fmt.Errorf("verify password of %s: %w", u.ID, err)
		}
	} else {
		p.hasher.VerifyAbsent(pw)
	}
	if !ok {
		p.log.InfoContext(ctx, "login failed", "client_id", ar.ClientID)
		p.recordAudit(ctx, r, audit.Event{Type: audit.LoginFailed, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"reason": "invalid_credentials"}})
		left, ferr := p.limiter.Fail(ctx, key)
		_, ipErr := p.limiter.Fail(ctx, ipKey)
		var le *lockout.LockedError
		switch {
		case errors.As(ferr, &le):
			if le.New && found {
				p.lockNotice(ctx, r, u, le)
			}
			return u, lockMessage(lang, le), nil
		case ferr != nil:
			return u, "", ferr
		case errors.As(ipErr, &le):
			return u, lockMessage(lang, le), nil
		}
		return u, translate(lang, "login.invalid") + ". " + fmt.Sprintf(translate(lang, "login.attempts"), left), nil
	}
	if err := p.limiter.Succeed(ctx, key); err != nil {
		msg, err := lockProblem(lang, err)
		return u, msg, err
	}
	if err := p.limiter.Succeed(ctx, ipKey); err != nil {
		msg, err := lockProblem(lang, err)
		return u, msg, err
	}
	return u, "", nil
}

// lockProblem turns a lock into the citizen's message; other errors pass through.
func lockProblem(lang string, err error) (string, error) {
	var le *lockout.LockedError
	if errors.As(err, &le) {
		return lockMessage(lang, le), nil
	}
	return "", err
}

// lockNotice tells the citizen their account was locked and records it.
func (p *Provider) lockNotice(ctx context.Context, r *http.Request, u storage.User, le *lockout.LockedError) {
	channel, to := otp.ChannelSMS, u.Phone
	if to == "" {
		channel, to = otp.ChannelEmail, u.Email
	}
	if to != "" {
		if err := p.sender.Send(ctx, otp.LockNotice(channel, to, le.Until, le.Permanent)); err != nil {
			p.log.WarnContext(ctx, "lock notice not sent", "err", err)
		}
	}
	p.recordAudit(ctx, r, audit.Event{Type: audit.Lock, UserID: u.ID, Details: map[string]string{"scope": le.Scope, "until": le.Until.Format(time.RFC3339)}})
}

// lookupLogin finds the account by any reading of the login. normalized is the login's
// canonical form (for the lockout key of unknown logins).
func (p *Provider) lookupLogin(ctx context.Context, login string) (storage.User, bool, string, error) {
	cands := ident.LoginCandidates(login)
	normalized := strings.ToLower(strings.TrimSpace(login))
	if len(cands) > 0 {
		normalized = cands[0].Value
	}
	for _, c := range cands {
		u, err := p.store.UserByLogin(ctx, storage.LoginKind(c.Kind), c.Value)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return storage.User{}, false, normalized, err
		}
		return u, true, normalized, nil
	}
	return storage.User{}, false, normalized, nil
}

// postConsent records the citizen's answer on the consent page: the ticked scopes are
// granted (remembered per citizen, client and scope), unticked ones left out.
func (p *Provider) postConsent(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := p.flowForm(w, r, formConsent)
	if !ok {
		return
	}
	ctx := r.Context()
	userID, _, _, err := p.flowUser(ctx, r, ar)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if userID == "" {
		// No citizen (a forged post, or the session ended): start the flow over.
		p.dispatch(w, r, ar, bid, "")
		return
	}
	if r.PostFormValue("decision") != "allow" {
		p.recordAudit(ctx, r, audit.Event{Type: audit.ConsentDenied, UserID: userID, ClientID: ar.ClientID})
		p.failRP(w, r, ar, "access_denied", "the citizen refused access")
		return
	}
	scopes, err := p.applyConsent(ctx, r, ar, userID, r.PostForm["scope"])
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, p.now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.Scopes, a.ClaimScopes = splitGranted(a, scopes)
		a.Consented = true
		return a, nil
	})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.dispatch(w, r, ar, bid, "")
}

// postDeny returns the citizen to the relying party with access_denied (level too low).
func (p *Provider) postDeny(w http.ResponseWriter, r *http.Request) {
	ar, _, ok := p.flowForm(w, r, formLevel)
	if !ok {
		return
	}
	min := ar.MinLevel
	if cl := p.clients[ar.ClientID]; cl != nil && cl.minLevel.Rank() > min.Rank() {
		min = cl.minLevel
	}
	p.failRP(w, r, ar, "access_denied", "the account level is below "+string(min))
}

func (p *Provider) serverError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, storage.ErrUnavailable) {
		status = http.StatusServiceUnavailable
	}
	p.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	p.message(w, r, status, requestLang(r, nil), "error.title", "error.server")
}

func clientName(cl *client) string {
	if cl == nil {
		return ""
	}
	return cl.displayName()
}
