package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// Registration → simplified account: surname, name, a mobile phone and/or an e-mail, a
// password under the policy, the user agreement and the consent to personal-data processing.
// The account is created only once the phone (SMS code) or the e-mail (code) is confirmed,
// so nobody can hold a number they do not own. Started from the login page, it continues
// the authorization request afterwards.

const (
	formRegister = "register"
	regColl      = "registration" // pending registrations by browser id
	regTTL       = time.Hour
)

// pendingRegistration is a registration waiting for its contact code.
type pendingRegistration struct {
	LastName, FirstName, MiddleName string
	Phone, Email                    string
	PasswordHash                    string
	Channel, To                     string // where the code went
	AuthRequestID                   string
}

// registerView is what the registration pages show.
type registerView struct {
	Step                            string // "form" or "code"
	LastName, FirstName, MiddleName string
	Phone, Email                    string
	Problems                        []string
	Masked                          string
	AuthRequestID                   string
	Code                            *codeView // the code step: validity, tries, resend
}

func (p *Provider) mountRegister(mux *http.ServeMux) {
	mux.HandleFunc("GET /register", p.registerPage)
	mux.HandleFunc("POST /register", p.registerPost)
	mux.HandleFunc("POST /register/confirm", p.registerConfirm)
}

func (p *Provider) renderRegister(w http.ResponseWriter, r *http.Request, bid string, v *registerView) {
	p.render(w, r, http.StatusOK, "register", pageData{Lang: requestLang(r, nil), Title: "register.title",
		CSRF: p.csrfToken(bid, "", formRegister), Register: v, AuthRequestID: v.AuthRequestID})
}

func (p *Provider) registerPage(w http.ResponseWriter, r *http.Request) {
	bid, err := p.browserID(w, r)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.renderRegister(w, r, bid, &registerView{Step: "form", AuthRequestID: r.URL.Query().Get("authRequestID")})
}

// registerPost validates the form, sends the contact code and keeps the registration pending.
func (p *Provider) registerPost(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formRegister) {
		return
	}
	bid := p.readCookie(r, flowCookie)
	ctx := r.Context()
	lang := requestLang(r, nil)
	f := r.PostFormValue
	v := &registerView{Step: "form", LastName: strings.TrimSpace(f("last_name")), FirstName: strings.TrimSpace(f("first_name")),
		MiddleName: strings.TrimSpace(f("middle_name")), Phone: strings.TrimSpace(f("phone")), Email: strings.TrimSpace(f("email")),
		AuthRequestID: f("authRequestID")}
	var problems []string
	bad := func(key string) { problems = append(problems, translate(lang, key)) }
	if v.LastName == "" || v.FirstName == "" {
		bad("register.names")
	}
	var phone, email string
	var err error
	if v.Phone != "" {
		if phone, err = ident.NormalizePhone(v.Phone); err != nil {
			bad("register.phone.bad")
		}
	}
	if v.Email != "" {
		if email, err = ident.NormalizeEmail(v.Email); err != nil {
			bad("register.email.bad")
		}
	}
	if v.Phone == "" && v.Email == "" {
		bad("register.contact")
	}
	personal := []string{v.LastName, v.FirstName, v.MiddleName, strings.TrimPrefix(phone, "+7"), strings.Split(email, "@")[0]}
	for _, viol := range password.CheckPolicy(f("password"), f("password2"), personal...) {
		if lang == "en" {
			problems = append(problems, viol.MessageEN())
		} else {
			problems = append(problems, viol.Message())
		}
	}
	if f("agree") == "" || f("pd") == "" {
		bad("register.consents")
	}
	if len(problems) == 0 {
		// One contact belongs to one account: refuse without telling whose.
		for kind, val := range map[storage.LoginKind]string{storage.LoginPhone: phone, storage.LoginEmail: email} {
			if val == "" {
				continue
			}
			if _, err := p.store.UserByLogin(ctx, kind, val); err == nil {
				bad("register.taken." + string(kind))
			} else if !errors.Is(err, storage.ErrNotFound) {
				p.serverError(w, r, err)
				return
			}
		}
	}
	if len(problems) > 0 {
		v.Problems = problems
		p.renderRegister(w, r, bid, v)
		return
	}
	hash, err := p.hasher.Hash(f("password"))
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	pend := pendingRegistration{LastName: v.LastName, FirstName: v.FirstName, MiddleName: v.MiddleName, Phone: phone, Email: email,
		PasswordHash: hash, AuthRequestID: v.AuthRequestID}
	if err := p.sendContactCode(ctx, &pend.Channel, &pend.To, "reg:"+bid, phone, email, otp.KindRegistrationCode); err != nil {
		v.Problems = []string{codeSendProblem(lang, err)}
		if v.Problems[0] == "" {
			p.serverError(w, r, err)
			return
		}
		p.renderRegister(w, r, bid, v)
		return
	}
	if err := storage.PutDoc(ctx, p.store, regColl, bid, pend, p.now().Add(regTTL)); err != nil {
		p.serverError(w, r, err)
		return
	}
	p.renderRegister(w, r, bid, &registerView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: v.AuthRequestID,
		Code: p.codeStep(ctx, "reg:"+bid, pend.Channel)})
}

// codeStep describes a pending contact code for the registration page.
func (p *Provider) codeStep(ctx context.Context, key, channel string) *codeView {
	codes := p.sms
	if channel == otp.ChannelEmail {
		codes = p.emailCodes
	}
	ch, err := codes.Status(ctx, key)
	if err != nil {
		return nil
	}
	return &codeView{Method: "sms", TriesLeft: ch.TriesLeft, ExpiresAt: localClock(ch.ExpiresAt), ResendAt: localClock(ch.ResendAt),
		CanResend: !p.now().Before(ch.ResendAt)}
}

// sendContactCode sends a confirmation code to the phone (SMS) or, without one, the e-mail.
func (p *Provider) sendContactCode(ctx context.Context, channel, to *string, key, phone, email, kind string) error {
	*channel, *to = otp.ChannelSMS, phone
	codes := p.sms
	if phone == "" {
		*channel, *to, codes = otp.ChannelEmail, email, p.emailCodes
	}
	_, err := codes.Start(ctx, key, *to, kind)
	return err
}

// codeSendProblem explains a refused code; "" for other errors.
func codeSendProblem(lang string, err error) string {
	var soon *otp.ResendTooSoonError
	var limited *otp.RateLimitedError
	switch {
	case errors.As(err, &soon):
		return fmt.Sprintf(translate(lang, "code.toosoon"), localClock(soon.RetryAt))
	case errors.As(err, &limited):
		return translate(lang, "code.ratelimited")
	}
	return ""
}

// registerConfirm checks the contact code and creates the account, logged in.
func (p *Provider) registerConfirm(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formRegister) {
		return
	}
	ctx := r.Context()
	lang := requestLang(r, nil)
	bid := p.readCookie(r, flowCookie)
	now := p.now()
	pend, err := storage.GetDoc[pendingRegistration](ctx, p.store, regColl, bid, now)
	if errors.Is(err, storage.ErrNotFound) {
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.expired")
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	codes := p.sms
	if pend.Channel == otp.ChannelEmail {
		codes = p.emailCodes
	}
	again := func(problem string) {
		v := &registerView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: pend.AuthRequestID,
			Code: p.codeStep(ctx, "reg:"+bid, pend.Channel)}
		if problem != "" {
			v.Problems = []string{problem}
		}
		p.renderRegister(w, r, bid, v)
	}
	if r.PostFormValue("resend") != "" {
		var ch, to string
		phone, email := pend.Phone, pend.Email
		if pend.Channel == otp.ChannelEmail {
			phone = ""
		}
		if err := p.sendContactCode(ctx, &ch, &to, "reg:"+bid, phone, email, otp.KindRegistrationCode); err != nil {
			if msg := codeSendProblem(lang, err); msg != "" {
				again(msg)
				return
			}
			p.serverError(w, r, err)
			return
		}
		again("")
		return
	}
	if err := codes.Verify(ctx, "reg:"+bid, r.PostFormValue("code")); err != nil {
		again(codeProblem(lang, err))
		return
	}
	u := storage.User{Schema: storage.SchemaVersion, ID: p.newOID(), LastName: pend.LastName, FirstName: pend.FirstName, MiddleName: pend.MiddleName,
		Phone: pend.Phone, Email: pend.Email, PasswordHash: pend.PasswordHash, Status: storage.StatusActive, StatusSince: now,
		Citizenship: "RUS", CreatedAt: now, UpdatedAt: now}
	u.PhoneVerified = pend.Channel == otp.ChannelSMS
	u.EmailVerified = pend.Channel == otp.ChannelEmail
	u.Level = proofing.LevelOf(u, proofsOf(u))
	if err := p.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) { // the contact was taken meanwhile
			p.renderRegister(w, r, bid, &registerView{Step: "form", LastName: pend.LastName, FirstName: pend.FirstName,
				Problems: []string{translate(lang, "register.taken")}, AuthRequestID: pend.AuthRequestID})
			return
		}
		p.serverError(w, r, err)
		return
	}
	_ = p.store.DeleteDoc(ctx, regColl, bid)
	p.recordAudit(ctx, r, audit.Event{Type: audit.Registered, UserID: u.ID})
	p.notify(ctx, u, proofing.Notice{Kind: "registered", Subject: "Учётная запись создана",
		Body: "Вы зарегистрировались на Госуслугах (эмулятор). Уровень учётной записи: упрощённая. Заполните профиль, чтобы получить стандартную учётную запись."})
	sess, err := p.startSession(ctx, w, r, u, []string{amrPassword}, acrOneFactor)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.recordAudit(ctx, r, audit.Event{Type: audit.Login, UserID: u.ID, SessionID: sess.ID, Details: map[string]string{"amr": amrPassword, "via": "registration"}})
	if pend.AuthRequestID != "" {
		_, err := p.store.UpdateAuthRequest(ctx, pend.AuthRequestID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
			a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR, a.Authenticated = u.ID, sess.ID, now, []string{amrPassword}, acrOneFactor, true
			return a, nil
		})
		if err == nil {
			http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(pend.AuthRequestID), http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, "/account?notice=register.done", http.StatusSeeOther)
}
