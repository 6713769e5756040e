package account

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// «Забыли пароль?» in three steps: phone or e-mail → the one-time code, checked on its own →
// the new password under the policy. It ends the citizen's other sessions, lifts every lock
// and sends a notice.
//
// Nothing before a right code depends on whether an account exists: a login that matches no
// account (or only an unconfirmed contact) gets a dummy challenge from the same code machinery
// (otp.SMS with a sender that sends nothing), so its timer, its "a new code can be requested
// after …", its hourly cap and its tries are the real ones; no code can be right for it. The
// password policy, which compares the password with the account's personal data, runs only
// on the password step, which only a right code opens.

const (
	formRecover = "recover"
	recColl     = "recovery" // pending recoveries by browser id
)

type pendingRecovery struct {
	UserID        string // "" when no account matched: the code can never be right
	Channel, To   string
	AuthRequestID string
	// CodeOK: the right code was entered; the password step is open.
	CodeOK bool `json:"code_ok,omitempty"`
}

// key is the challenge's key: per address, the same for known and unknown ones.
func (p pendingRecovery) key() string { return "recover:" + p.Channel + ":" + p.To }

// recovery is the /recover pages: the login, the code, the new password.
type recovery struct{ *Handler }

func (h recovery) mountRecover(mux *http.ServeMux) {
	mux.HandleFunc("GET /recover", h.recoverPage)
	mux.HandleFunc("POST /recover", h.recoverPost)
	mux.HandleFunc("POST /recover/confirm", h.recoverConfirm)
	mux.HandleFunc("POST /recover/password", h.recoverPassword)
}

// nothingSent is the sender of dummy challenges.
type nothingSent struct{}

func (nothingSent) Send(context.Context, otp.Message) error { return nil }

// codes is the code manager of a pending recovery: the real one for an account, the same
// rules with nothing sent for no account.
func (h recovery) codes(p pendingRecovery) *otp.SMS {
	real := h.SMS
	if p.Channel == otp.ChannelEmail {
		real = h.EmailCodes
	}
	if p.UserID != "" {
		return real
	}
	dummy := *real
	dummy.Sender = nothingSent{}
	return &dummy
}

func (h recovery) renderRecover(w http.ResponseWriter, r *http.Request, bid string, v *web.RecoverView) {
	h.Pages.Render(w, r, http.StatusOK, &web.RecoverPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "recover.title"},
		CSRF: h.Sessions.FormToken(bid, "", formRecover), Recover: v})
}

// codeView is the code step of a pending recovery, with the challenge's timer and tries.
func (h recovery) codeView(ctx context.Context, p pendingRecovery, problems ...string) *web.RecoverView {
	v := &web.RecoverView{Step: "code", Masked: otp.Mask(p.Channel, p.To), AuthRequestID: p.AuthRequestID, Errors: web.FieldErrors{}}
	for _, msg := range problems { // about the code typed
		if msg != "" {
			v.Errors.Add("code", msg)
		}
	}
	if ch, err := h.codes(p).Status(ctx, p.key()); err == nil {
		v.Code = &web.CodeView{TriesLeft: ch.TriesLeft, ExpiresAt: web.Clock(ch.ExpiresAt), ResendAt: web.Clock(ch.ResendAt)}
	}
	return v
}

func (h recovery) recoverPage(w http.ResponseWriter, r *http.Request) {
	bid, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.renderRecover(w, r, bid, &web.RecoverView{Step: "login", AuthRequestID: r.URL.Query().Get("authRequestID")})
}

func (h recovery) recoverPost(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formRecover, h.Pages.Forbidden) {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	bid := h.Sessions.ReadCookie(r, session.FlowCookie)
	login := r.PostFormValue("login")
	v := &web.RecoverView{Step: "login", Login: login, AuthRequestID: r.PostFormValue("authRequestID")}
	cands := ident.LoginCandidates(login)
	if len(cands) == 0 || cands[0].Kind == ident.KindSNILS || cands[0].Kind == ident.KindINN {
		v.Errors = web.FieldErrors{"login": h.Pages.T(lang, "recover.login.bad")}
		h.renderRecover(w, r, bid, v)
		return
	}
	u, found, _, err := h.Accounts.Lookup(ctx, login)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	pend := pendingRecovery{AuthRequestID: v.AuthRequestID, Channel: otp.ChannelSMS, To: cands[0].Value}
	if cands[0].Kind == ident.KindEmail {
		pend.Channel = otp.ChannelEmail
	}
	if found && ((pend.Channel == otp.ChannelSMS && u.PhoneVerified && u.Phone == pend.To) || (pend.Channel == otp.ChannelEmail && u.EmailVerified && u.Email == pend.To)) {
		pend.UserID = u.ID
	}
	if _, err := h.codes(pend).StartFrom(ctx, pend.key(), pend.To, otp.KindRecoveryCode, h.Sessions.ClientIP(r)); err != nil {
		if msg := h.codeSendProblem(lang, err); msg != "" {
			v.Problems = []string{msg}
			h.renderRecover(w, r, bid, v)
			return
		}
		h.Pages.ServerError(w, r, err)
		return
	}
	if pend.UserID != "" {
		h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, Details: map[string]string{"channel": pend.Channel, "purpose": "recovery"}})
	}
	if err := storage.PutDoc(ctx, h.Store, recColl, bid, pend, h.Now().Add(time.Hour)); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.renderRecover(w, r, bid, h.codeView(ctx, pend))
}

// pending reads the browser's pending recovery; ok=false when it answered itself.
func (h recovery) pending(w http.ResponseWriter, r *http.Request) (pendingRecovery, string, bool) {
	if !h.Sessions.RequireForm(w, r, "", formRecover, h.Pages.Forbidden) {
		return pendingRecovery{}, "", false
	}
	bid := h.Sessions.ReadCookie(r, session.FlowCookie)
	pend, err := storage.GetDoc[pendingRecovery](r.Context(), h.Store, recColl, bid, h.Now())
	if errors.Is(err, storage.ErrNotFound) {
		h.Pages.Expired(w, r, web.Lang(r, nil))
		return pendingRecovery{}, "", false
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return pendingRecovery{}, "", false
	}
	return pend, bid, true
}

// recoverConfirm checks the code alone; a right one opens the password step.
func (h recovery) recoverConfirm(w http.ResponseWriter, r *http.Request) {
	pend, bid, ok := h.pending(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	if pend.CodeOK {
		h.renderRecover(w, r, bid, &web.RecoverView{Step: "password", AuthRequestID: pend.AuthRequestID})
		return
	}
	err := h.codes(pend).Verify(ctx, pend.key(), r.PostFormValue("code"))
	if err == nil && pend.UserID == "" { // a dummy code guessed right: still no account
		err = &otp.WrongCodeError{}
		if ch, serr := h.codes(pend).Status(ctx, pend.key()); serr == nil {
			err = &otp.WrongCodeError{TriesLeft: ch.TriesLeft}
		}
	}
	if err != nil {
		h.renderRecover(w, r, bid, h.codeView(ctx, pend, h.Pages.Catalog().CodeProblem(lang, err)))
		return
	}
	pend.CodeOK = true
	if err := storage.PutDoc(ctx, h.Store, recColl, bid, pend, h.Now().Add(15*time.Minute)); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.renderRecover(w, r, bid, &web.RecoverView{Step: "password", AuthRequestID: pend.AuthRequestID})
}

// recoverPassword sets the new password under the policy, after a right code only.
func (h recovery) recoverPassword(w http.ResponseWriter, r *http.Request) {
	pend, bid, ok := h.pending(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := h.Now()
	if !pend.CodeOK || pend.UserID == "" {
		h.Pages.Expired(w, r, lang)
		return
	}
	u, err := h.Store.GetUser(ctx, pend.UserID)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	personal := []string{u.LastName, u.FirstName, u.MiddleName, u.Phone, u.Email, u.BirthDate}
	errs := web.FieldErrors{}
	for _, viol := range password.CheckPolicy(pw, pw2, personal...) {
		field, msg := "password", viol.Message()
		if lang == "en" {
			msg = viol.MessageEN()
		}
		if viol == password.ViolationMismatch {
			field = "password2"
		}
		errs.Add(field, msg)
	}
	if len(errs) > 0 {
		h.renderRecover(w, r, bid, &web.RecoverView{Step: "password", AuthRequestID: pend.AuthRequestID, Errors: errs})
		return
	}
	hash, err := h.Hasher.Hash(pw)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if u, err = h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		cur.PasswordHash, cur.UpdatedAt = hash, now
		return cur, nil
	}); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	// The new password ends every other session and lifts every lock.
	if err := h.Sessions.EndUser(ctx, u.ID, ""); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	for _, key := range accounts.LockoutKeys(u) {
		if err := h.Limiter.Unlock(ctx, key); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
	}
	_ = h.Store.DeleteDoc(ctx, recColl, bid)
	h.Audit.Record(ctx, r, audit.Event{Type: audit.PasswordReset, UserID: u.ID})
	h.Accounts.Notify(ctx, u, proofing.Notice{Kind: "password_reset", Subject: "Пароль изменён",
		Body: "Пароль от вашей учётной записи изменён " + web.DateTime(now) + ". Все сеансы завершены. Если это были не вы, обратитесь в службу поддержки."})
	// The journey ends on «Пароль изменён»; its button goes on with the login it came from.
	next := "/account"
	if pend.AuthRequestID != "" {
		next = "/login?authRequestID=" + url.QueryEscape(pend.AuthRequestID)
	}
	d := h.Pages.MessagePage(lang, "recover.done.title", "recover.done")
	d.Links = []web.Link{{Href: next, Label: "recover.done.login"}}
	h.Pages.Render(w, r, http.StatusOK, d)
}
