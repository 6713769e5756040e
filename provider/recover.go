package provider

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
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

type recoverView struct {
	Step, Login, Masked, AuthRequestID string
	Problems                           []string
}

func (p *Provider) mountRecover(mux *http.ServeMux) {
	mux.HandleFunc("GET /recover", p.recoverPage)
	mux.HandleFunc("POST /recover", p.recoverPost)
	mux.HandleFunc("POST /recover/confirm", p.recoverConfirm)
}

func (p *Provider) renderRecover(w http.ResponseWriter, r *http.Request, bid string, v *recoverView) {
	p.render(w, r, http.StatusOK, "recover", pageData{Lang: requestLang(r, nil), Title: "recover.title",
		CSRF: p.csrfToken(bid, "", formRecover), Recover: v, AuthRequestID: v.AuthRequestID})
}

func (p *Provider) recoverPage(w http.ResponseWriter, r *http.Request) {
	bid, err := p.browserID(w, r)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.renderRecover(w, r, bid, &recoverView{Step: "login", AuthRequestID: r.URL.Query().Get("authRequestID")})
}

func (p *Provider) recoverPost(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formRecover) {
		return
	}
	ctx := r.Context()
	lang := requestLang(r, nil)
	bid := p.readCookie(r, flowCookie)
	login := r.PostFormValue("login")
	v := &recoverView{Step: "login", Login: login, AuthRequestID: r.PostFormValue("authRequestID")}
	cands := ident.LoginCandidates(login)
	if len(cands) == 0 || cands[0].Kind == ident.KindSNILS {
		v.Problems = []string{translate(lang, "recover.login.bad")}
		p.renderRecover(w, r, bid, v)
		return
	}
	u, found, _, err := p.lookupLogin(ctx, login)
	if err != nil {
		p.serverError(w, r, err)
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
		if err := p.sendContactCode(ctx, &ch, &to, "recover:"+u.ID, phone, email, otp.KindRecoveryCode); err != nil {
			if msg := codeSendProblem(lang, err); msg != "" {
				v.Problems = []string{msg}
				p.renderRecover(w, r, bid, v)
				return
			}
			p.serverError(w, r, err)
			return
		}
		p.recordAudit(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, Details: map[string]string{"channel": ch, "purpose": "recovery"}})
	}
	if err := storage.PutDoc(ctx, p.store, recColl, bid, pend, p.now().Add(time.Hour)); err != nil {
		p.serverError(w, r, err)
		return
	}
	p.renderRecover(w, r, bid, &recoverView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: v.AuthRequestID})
}

func (p *Provider) recoverConfirm(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formRecover) {
		return
	}
	ctx := r.Context()
	lang := requestLang(r, nil)
	bid := p.readCookie(r, flowCookie)
	now := p.now()
	pend, err := storage.GetDoc[pendingRecovery](ctx, p.store, recColl, bid, now)
	if errors.Is(err, storage.ErrNotFound) {
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.expired")
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	again := func(problems ...string) {
		p.renderRecover(w, r, bid, &recoverView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: pend.AuthRequestID, Problems: problems})
	}
	if pend.UserID == "" {
		again(translate(lang, "code.invalid"))
		return
	}
	u, err := p.store.GetUser(ctx, pend.UserID)
	if err != nil {
		p.serverError(w, r, err)
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
		again(codeProblem(lang, err))
		return
	}
	hash, err := p.hasher.Hash(pw)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		cur.PasswordHash, cur.UpdatedAt = hash, now
		return cur, nil
	}); err != nil {
		p.serverError(w, r, err)
		return
	}
	// The new password ends every other session and lifts a lock.
	if err := p.deleteUserSessions(ctx, u.ID, ""); err != nil {
		p.serverError(w, r, err)
		return
	}
	for _, key := range []string{lockout.PasswordKey(u.ID), lockout.CodeKey(u.ID)} {
		if err := p.limiter.Unlock(ctx, key); err != nil {
			p.serverError(w, r, err)
			return
		}
	}
	_ = p.store.DeleteDoc(ctx, recColl, bid)
	p.recordAudit(ctx, r, audit.Event{Type: audit.PasswordReset, UserID: u.ID})
	p.notify(ctx, u, proofing.Notice{Kind: "password_reset", Subject: "Пароль изменён",
		Body: "Пароль от вашей учётной записи изменён " + localTime(now) + ". Все сеансы завершены. Если это были не вы, обратитесь в службу поддержки."})
	if pend.AuthRequestID != "" {
		http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(pend.AuthRequestID), http.StatusSeeOther)
		return
	}
	p.message(w, r, http.StatusOK, lang, "recover.done.title", "recover.done")
}
