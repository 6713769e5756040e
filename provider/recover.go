package provider

import (
	"errors"
	"net/http"
	"net/url"
	"time"

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

func (p *Provider) mountRecover(mux *http.ServeMux) {
	mux.HandleFunc("GET /recover", p.recoverPage)
	mux.HandleFunc("POST /recover", p.recoverPost)
	mux.HandleFunc("POST /recover/confirm", p.recoverConfirm)
}

func (p *Provider) renderRecover(w http.ResponseWriter, r *http.Request, bid string, v *web.RecoverView) {
	p.web.Render(w, r, http.StatusOK, &web.RecoverPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "recover.title"},
		CSRF: p.sessions.FormToken(bid, "", formRecover), Recover: v})
}

func (p *Provider) recoverPage(w http.ResponseWriter, r *http.Request) {
	bid, err := p.sessions.BrowserID(w, r)
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	p.renderRecover(w, r, bid, &web.RecoverView{Step: "login", AuthRequestID: r.URL.Query().Get("authRequestID")})
}

func (p *Provider) recoverPost(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formRecover) {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	bid := p.sessions.ReadCookie(r, session.FlowCookie)
	login := r.PostFormValue("login")
	v := &web.RecoverView{Step: "login", Login: login, AuthRequestID: r.PostFormValue("authRequestID")}
	cands := proofing.LoginCandidates(login)
	if len(cands) == 0 || cands[0].Kind == proofing.KindSNILS {
		v.Problems = []string{p.web.T(lang, "recover.login.bad")}
		p.renderRecover(w, r, bid, v)
		return
	}
	u, found, _, err := p.accounts.Lookup(ctx, login)
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	pend := pendingRecovery{AuthRequestID: v.AuthRequestID, Channel: otp.ChannelSMS, To: cands[0].Value}
	if cands[0].Kind == proofing.KindEmail {
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
		if err := p.sendContactCode(ctx, &ch, &to, "recover:"+u.ID, phone, email, otp.KindRecoveryCode); err != nil {
			if msg := p.codeSendProblem(lang, err); msg != "" {
				v.Problems = []string{msg}
				p.renderRecover(w, r, bid, v)
				return
			}
			p.web.ServerError(w, r, err)
			return
		}
		p.audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, Details: map[string]string{"channel": ch, "purpose": "recovery"}})
	}
	if err := storage.PutDoc(ctx, p.store, recColl, bid, pend, p.now().Add(time.Hour)); err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	p.renderRecover(w, r, bid, &web.RecoverView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: v.AuthRequestID})
}

func (p *Provider) recoverConfirm(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formRecover) {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	bid := p.sessions.ReadCookie(r, session.FlowCookie)
	now := p.now()
	pend, err := storage.GetDoc[pendingRecovery](ctx, p.store, recColl, bid, now)
	if errors.Is(err, storage.ErrNotFound) {
		p.web.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.expired")
		return
	}
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	again := func(problems ...string) {
		p.renderRecover(w, r, bid, &web.RecoverView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: pend.AuthRequestID, Problems: problems})
	}
	if pend.UserID == "" {
		again(p.web.T(lang, "code.invalid"))
		return
	}
	u, err := p.store.GetUser(ctx, pend.UserID)
	if err != nil {
		p.web.ServerError(w, r, err)
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
	codes := p.sms
	if pend.Channel == otp.ChannelEmail {
		codes = p.emailCodes
	}
	if err := codes.Verify(ctx, "recover:"+u.ID, r.PostFormValue("code")); err != nil {
		again(p.web.Catalog().CodeProblem(lang, err))
		return
	}
	hash, err := p.hasher.Hash(pw)
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	if u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		cur.PasswordHash, cur.UpdatedAt = hash, now
		return cur, nil
	}); err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	// The new password ends every other session and lifts a lock.
	if err := p.sessions.EndUser(ctx, u.ID, ""); err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	for _, key := range []string{lockout.PasswordKey(u.ID), lockout.CodeKey(u.ID)} {
		if err := p.limiter.Unlock(ctx, key); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
	}
	_ = p.store.DeleteDoc(ctx, recColl, bid)
	p.audit.Record(ctx, r, audit.Event{Type: audit.PasswordReset, UserID: u.ID})
	p.accounts.Notify(ctx, u, proofing.Notice{Kind: "password_reset", Subject: "Пароль изменён",
		Body: "Пароль от вашей учётной записи изменён " + web.DateTime(now) + ". Все сеансы завершены. Если это были не вы, обратитесь в службу поддержки."})
	if pend.AuthRequestID != "" {
		http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(pend.AuthRequestID), http.StatusSeeOther)
		return
	}
	p.web.Message(w, r, http.StatusOK, lang, "recover.done.title", "recover.done")
}
