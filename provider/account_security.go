package provider

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// The "Безопасность" section of the account: ask for a code at every login (SMS or an
// authenticator app), recovery codes, login notifications.

const totpPendingColl = "totp-pending" // an enrolment waiting for its first code, per citizen

func (p *Provider) mountSecurity(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/security", p.securityPage)
	mux.HandleFunc("POST /account/security", p.securityPost)
}

func (p *Provider) securityPage(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := p.accountUser(w, r)
	if !ok {
		return
	}
	p.renderSecurity(w, r, u, bid, nil)
}

func (p *Provider) renderSecurity(w http.ResponseWriter, r *http.Request, u storage.User, bid string, sv *web.SecurityView) {
	lang := web.Lang(r, nil)
	if sv == nil {
		sv = &web.SecurityView{}
	}
	sv.SecondFactor, sv.PhoneVerified, sv.Recovery, sv.NotifyLogins = u.SecondFactor, u.PhoneVerified, len(u.RecoveryCodes), u.NotifyLogins
	v := &web.AccountView{Section: "/security", User: u, Level: p.web.T(lang, "level."+string(u.Level)), Security: sv,
		Notice: p.web.T(lang, r.URL.Query().Get("notice"))}
	if v.Notice == r.URL.Query().Get("notice") {
		v.Notice = ""
	}
	p.web.Render(w, r, http.StatusOK, &web.AccountPage{Frame: web.Frame{Lang: lang, Title: "account.title", MainClass: "wide"},
		CSRF: p.sessions.FormToken(bid, "", formAccount), Account: v})
}

type pendingTOTP struct {
	Secret string `json:"secret"`
}

// securityPost handles every form of the section by its action field.
func (p *Provider) securityPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := p.now()
	fail := func(key string) { p.renderSecurity(w, r, u, bid, &web.SecurityView{Error: p.web.T(lang, key)}) }
	save := func(edit func(*storage.User)) (storage.User, error) {
		return p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			edit(&cur)
			cur.UpdatedAt = now
			return cur, nil
		})
	}
	switch r.PostFormValue("action") {
	case "totp-start":
		enr, err := p.totp.NewSecret(u.Phone + u.Email)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		if err := storage.PutDoc(ctx, p.store, totpPendingColl, u.ID, pendingTOTP{Secret: enr.Secret}, now.Add(15*time.Minute)); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.renderSecurity(w, r, u, bid, &web.SecurityView{Enroll: &web.EnrollView{Secret: enr.Secret, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(enr.PNG))}})
	case "totp-confirm":
		pend, err := storage.GetDoc[pendingTOTP](ctx, p.store, totpPendingColl, u.ID, now)
		if err != nil {
			fail("security.enroll.expired")
			return
		}
		if err := p.totp.Verify(ctx, u.ID, pend.Secret, r.PostFormValue("code")); err != nil {
			fail("code.invalid")
			return
		}
		plain, hashes, err := otp.NewRecoveryCodes(p.rand, 10)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		if u, err = save(func(c *storage.User) { c.SecondFactor, c.TOTPSecret, c.RecoveryCodes = "totp", pend.Secret, hashes }); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		_ = p.store.DeleteDoc(ctx, totpPendingColl, u.ID)
		p.audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "totp"}})
		p.renderSecurity(w, r, u, bid, &web.SecurityView{RecoveryCodes: plain})
	case "sms-on":
		if !u.PhoneVerified {
			fail("security.sms.nophone")
			return
		}
		if u, err := save(func(c *storage.User) { c.SecondFactor = "sms" }); err != nil {
			p.web.ServerError(w, r, err)
		} else {
			p.audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "sms"}})
			http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
		}
	case "off":
		// Switching the second factor off needs the password and a current code.
		okPw, err := p.hasher.Verify(u.PasswordHash, r.PostFormValue("password"))
		if err != nil || !okPw {
			if _, ferr := p.limiter.Fail(ctx, lockout.PasswordKey(u.ID)); ferr != nil {
				msg, _ := p.web.Catalog().LockProblem(lang, ferr)
				p.renderSecurity(w, r, u, bid, &web.SecurityView{Error: msg})
				return
			}
			fail("security.off.password")
			return
		}
		if _, err := p.accounts.VerifySecondFactor(ctx, u, r.PostFormValue("code"), ""); err != nil {
			fail("code.invalid")
			return
		}
		if u, err = save(func(c *storage.User) { c.SecondFactor, c.TOTPSecret, c.RecoveryCodes = "", "", nil }); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "off"}})
		http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
	case "notify":
		on := r.PostFormValue("on") == "1"
		if _, err := save(func(c *storage.User) { c.NotifyLogins = on }); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.audit.Record(ctx, r, audit.Event{Type: audit.NotificationsChanged, UserID: u.ID, Details: map[string]string{"on": map[bool]string{true: "yes", false: "no"}[on]}})
		http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
	default:
		p.web.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
	}
}
