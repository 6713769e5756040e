package account

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"

	"github.com/esia-emulator/esia-emulator/provider/session"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// «Забыли пароль?»: phone or e-mail → one-time code → new password under the policy. It ends
// the citizen's other sessions, lifts a lock and sends a notice. The answer to the first step
// is the same whether or not an account exists.

const (
	formRecover = "recover"
	recColl     = "recovery" // pending recoveries by browser id
)

type pendingRecovery struct {
	UserID        string // "" when no account matched: the code can never be right
	Channel, To   string
	AuthRequestID string
}

// recovery is the /recover pages: the login, then the code and the new password.
type recovery struct{ *Handler }

func (h recovery) mountRecover(mux *http.ServeMux) {
	mux.HandleFunc("GET /recover", h.recoverPage)
	mux.HandleFunc("POST /recover", h.recoverPost)
	mux.HandleFunc("POST /recover/confirm", h.recoverConfirm)
}

func (h recovery) renderRecover(w http.ResponseWriter, r *http.Request, bid string, v *web.RecoverView) {
	h.Pages.Render(w, r, http.StatusOK, &web.RecoverPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "recover.title"},
		CSRF: h.Sessions.FormToken(bid, "", formRecover), Recover: v})
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
	if len(cands) == 0 || cands[0].Kind == ident.KindSNILS {
		v.Problems = []string{h.Pages.T(lang, "recover.login.bad")}
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
	verified := found && ((pend.Channel == otp.ChannelSMS && u.PhoneVerified) || (pend.Channel == otp.ChannelEmail && u.EmailVerified))
	if verified {
		pend.UserID = u.ID
		var ch, to string
		phone, email := u.Phone, ""
		if pend.Channel == otp.ChannelEmail {
			phone, email = "", u.Email
		}
		if err := h.sendContactCode(r, &ch, &to, "recover:"+u.ID, phone, email, otp.KindRecoveryCode); err != nil {
			if msg := h.codeSendProblem(lang, err); msg != "" {
				v.Problems = []string{msg}
				h.renderRecover(w, r, bid, v)
				return
			}
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, Details: map[string]string{"channel": ch, "purpose": "recovery"}})
	}
	if err := storage.PutDoc(ctx, h.Store, recColl, bid, pend, h.Now().Add(time.Hour)); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.renderRecover(w, r, bid, &web.RecoverView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: v.AuthRequestID})
}

func (h recovery) recoverConfirm(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formRecover, h.Pages.Forbidden) {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	bid := h.Sessions.ReadCookie(r, session.FlowCookie)
	now := h.Now()
	pend, err := storage.GetDoc[pendingRecovery](ctx, h.Store, recColl, bid, now)
	if errors.Is(err, storage.ErrNotFound) {
		h.Pages.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.expired")
		return
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	again := func(problems ...string) {
		h.renderRecover(w, r, bid, &web.RecoverView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: pend.AuthRequestID, Problems: problems})
	}
	if pend.UserID == "" {
		again(h.Pages.T(lang, "code.invalid"))
		return
	}
	u, err := h.Store.GetUser(ctx, pend.UserID)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	personal := []string{u.LastName, u.FirstName, u.MiddleName, u.Phone, u.Email, u.BirthDate}
	var problems []string
	for _, viol := range password.CheckPolicy(pw, pw2, personal...) {
		if lang == "en" {
			problems = append(problems, viol.MessageEN())
		} else {
			problems = append(problems, viol.Message())
		}
	}
	if len(problems) > 0 {
		again(problems...)
		return
	}
	codes := h.SMS
	if pend.Channel == otp.ChannelEmail {
		codes = h.EmailCodes
	}
	if err := codes.Verify(ctx, "recover:"+u.ID, r.PostFormValue("code")); err != nil {
		again(h.Pages.Catalog().CodeProblem(lang, err))
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
	// The new password ends every other session and lifts a lock.
	if err := h.Sessions.EndUser(ctx, u.ID, ""); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	for _, key := range []string{lockout.PasswordKey(u.ID), lockout.CodeKey(u.ID)} {
		if err := h.Limiter.Unlock(ctx, key); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
	}
	_ = h.Store.DeleteDoc(ctx, recColl, bid)
	h.Audit.Record(ctx, r, audit.Event{Type: audit.PasswordReset, UserID: u.ID})
	h.Accounts.Notify(ctx, u, proofing.Notice{Kind: "password_reset", Subject: "Пароль изменён",
		Body: "Пароль от вашей учётной записи изменён " + web.DateTime(now) + ". Все сеансы завершены. Если это были не вы, обратитесь в службу поддержки."})
	if pend.AuthRequestID != "" {
		http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(pend.AuthRequestID), http.StatusSeeOther)
		return
	}
	h.Pages.Message(w, r, http.StatusOK, lang, "recover.done.title", "recover.done")
}
