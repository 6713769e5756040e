package account

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/accounts"

	"github.com/esia-emulator/esia-emulator/provider/session"

	"github.com/esia-emulator/esia-emulator/provider/web"

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

// registration is the /register pages: the form, then the code sent to the phone or e-mail.
type registration struct{ *Handler }

func (h registration) mountRegister(mux *http.ServeMux) {
	mux.HandleFunc("GET /register", h.registerPage)
	mux.HandleFunc("POST /register", h.registerPost)
	mux.HandleFunc("POST /register/confirm", h.registerConfirm)
}

func (h registration) renderRegister(w http.ResponseWriter, r *http.Request, bid string, v *web.RegisterView) {
	h.Pages.Render(w, r, http.StatusOK, &web.RegisterPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "register.title"},
		CSRF: h.Sessions.FormToken(bid, "", formRegister), Register: v})
}

func (h registration) registerPage(w http.ResponseWriter, r *http.Request) {
	bid, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.renderRegister(w, r, bid, &web.RegisterView{Step: "form", AuthRequestID: r.URL.Query().Get("authRequestID")})
}

// registerPost validates the form, sends the contact code and keeps the registration pending.
func (h registration) registerPost(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formRegister, h.Pages.Forbidden) {
		return
	}
	bid := h.Sessions.ReadCookie(r, session.FlowCookie)
	ctx := r.Context()
	lang := web.Lang(r, nil)
	f := r.PostFormValue
	v := &web.RegisterView{Step: "form", LastName: strings.TrimSpace(f("last_name")), FirstName: strings.TrimSpace(f("first_name")),
		MiddleName: strings.TrimSpace(f("middle_name")), Phone: strings.TrimSpace(f("phone")), Email: strings.TrimSpace(f("email")),
		AuthRequestID: f("authRequestID"), Agree: f("agree") != "", PD: f("pd") != ""}
	errs := web.FieldErrors{}
	bad := func(field, key string) { errs.Add(field, h.Pages.T(lang, key)) }
	if v.LastName == "" {
		bad("last_name", "register.names")
	}
	if v.FirstName == "" {
		bad("first_name", "register.names")
	}
	var phone, email string
	var err error
	if v.Phone != "" {
		if phone, err = ident.NormalizePhone(v.Phone); err != nil {
			bad("phone", "register.phone.bad")
		}
	}
	if v.Email != "" {
		if email, err = ident.NormalizeEmail(v.Email); err != nil {
			bad("email", "register.email.bad")
		}
	}
	if v.Phone == "" && v.Email == "" {
		bad("phone", "register.contact")
	}
	personal := []string{v.LastName, v.FirstName, v.MiddleName, strings.TrimPrefix(phone, "+7"), strings.Split(email, "@")[0]}
	for _, viol := range password.CheckPolicy(f("password"), f("password2"), personal...) {
		field, msg := "password", viol.Message()
		if lang == "en" {
			msg = viol.MessageEN()
		}
		if viol == password.ViolationMismatch {
			field = "password2"
		}
		errs.Add(field, msg)
	}
	if f("agree") == "" {
		bad("agree", "register.consents")
	}
	if f("pd") == "" {
		bad("pd", "register.consents")
	}
	if len(errs) == 0 {
		// One contact belongs to one account: refuse without telling whose.
		for kind, val := range map[storage.LoginKind]string{storage.LoginPhone: phone, storage.LoginEmail: email} {
			if val == "" {
				continue
			}
			if _, err := h.Store.UserByLogin(ctx, kind, val); err == nil {
				bad(map[storage.LoginKind]string{storage.LoginPhone: "phone", storage.LoginEmail: "email"}[kind], "register.taken."+string(kind))
			} else if !errors.Is(err, storage.ErrNotFound) {
				h.Pages.ServerError(w, r, err)
				return
			}
		}
	}
	if len(errs) > 0 {
		v.Errors = errs
		h.renderRegister(w, r, bid, v)
		return
	}
	hash, err := h.Hasher.Hash(f("password"))
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	pend := pendingRegistration{LastName: v.LastName, FirstName: v.FirstName, MiddleName: v.MiddleName, Phone: phone, Email: email,
		PasswordHash: hash, AuthRequestID: v.AuthRequestID}
	if err := h.sendContactCode(r, &pend.Channel, &pend.To, "reg:"+bid, phone, email, otp.KindRegistrationCode); err != nil {
		v.Problems = []string{h.codeSendProblem(lang, err)}
		if v.Problems[0] == "" {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.renderRegister(w, r, bid, v)
		return
	}
	if err := storage.PutDoc(ctx, h.Store, regColl, bid, pend, h.Now().Add(regTTL)); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.renderRegister(w, r, bid, &web.RegisterView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: v.AuthRequestID,
		Code: h.codeStep(ctx, "reg:"+bid, pend.Channel)})
}

// registerConfirm checks the contact code and creates the account, logged in.
func (h registration) registerConfirm(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formRegister, h.Pages.Forbidden) {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	bid := h.Sessions.ReadCookie(r, session.FlowCookie)
	now := h.Now()
	pend, err := storage.GetDoc[pendingRegistration](ctx, h.Store, regColl, bid, now)
	if errors.Is(err, storage.ErrNotFound) {
		h.Pages.Expired(w, r, lang)
		return
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	codes := h.SMS
	if pend.Channel == otp.ChannelEmail {
		codes = h.EmailCodes
	}
	again := func(problem string) {
		v := &web.RegisterView{Step: "code", Masked: otp.Mask(pend.Channel, pend.To), AuthRequestID: pend.AuthRequestID,
			Code: h.codeStep(ctx, "reg:"+bid, pend.Channel)}
		if problem != "" {
			v.Problems = []string{problem}
		}
		h.renderRegister(w, r, bid, v)
	}
	if r.PostFormValue("resend") != "" {
		var ch, to string
		phone, email := pend.Phone, pend.Email
		if pend.Channel == otp.ChannelEmail {
			phone = ""
		}
		if err := h.sendContactCode(r, &ch, &to, "reg:"+bid, phone, email, otp.KindRegistrationCode); err != nil {
			if msg := h.codeSendProblem(lang, err); msg != "" {
				again(msg)
				return
			}
			h.Pages.ServerError(w, r, err)
			return
		}
		again("")
		return
	}
	if err := codes.Verify(ctx, "reg:"+bid, r.PostFormValue("code")); err != nil {
		again(h.Pages.Catalog().CodeProblem(lang, err))
		return
	}
	u := storage.User{Schema: storage.SchemaVersion, ID: h.Accounts.NewOID(), LastName: pend.LastName, FirstName: pend.FirstName, MiddleName: pend.MiddleName,
		Phone: pend.Phone, Email: pend.Email, PasswordHash: pend.PasswordHash, Status: storage.StatusActive, StatusSince: now,
		Citizenship: "RUS", CreatedAt: now, UpdatedAt: now}
	u.PhoneVerified = pend.Channel == otp.ChannelSMS
	u.EmailVerified = pend.Channel == otp.ChannelEmail
	u.Level = proofing.LevelOf(u, accounts.ProofsOf(u))
	if err := h.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) { // the contact was taken meanwhile
			h.renderRegister(w, r, bid, &web.RegisterView{Step: "form", LastName: pend.LastName, FirstName: pend.FirstName,
				Problems: []string{h.Pages.T(lang, "register.taken")}, AuthRequestID: pend.AuthRequestID})
			return
		}
		h.Pages.ServerError(w, r, err)
		return
	}
	_ = h.Store.DeleteDoc(ctx, regColl, bid)
	h.Audit.Record(ctx, r, audit.Event{Type: audit.Registered, UserID: u.ID})
	h.Accounts.Notify(ctx, u, proofing.Notice{Kind: "registered", Subject: "Учётная запись создана",
		Body: "Вы зарегистрировались на Госуслугах (эмулятор). Уровень учётной записи: упрощённая. Заполните профиль, чтобы получить стандартную учётную запись."})
	sess, err := h.Sessions.Start(ctx, w, r, u.ID, []string{session.AMRPassword}, session.ACROneFactor)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	login := audit.Event{Type: audit.Login, UserID: u.ID, SessionID: sess.ID, Details: map[string]string{"amr": session.AMRPassword, "via": "registration"}}
	if pend.AuthRequestID != "" {
		ar, err := h.Store.UpdateAuthRequest(ctx, pend.AuthRequestID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
			a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR, a.Authenticated = u.ID, sess.ID, now, []string{session.AMRPassword}, session.ACROneFactor, true
			return a, nil
		})
		if err == nil {
			login.ClientID = ar.ClientID // the service the citizen registered for
			h.Audit.Record(ctx, r, login)
			http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(pend.AuthRequestID), http.StatusSeeOther)
			return
		}
	}
	h.Audit.Record(ctx, r, login)
	http.Redirect(w, r, "/account?notice=register.done", http.StatusSeeOther)
}
