package account

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

func (h *Handler) mountSecurity(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/security", h.securityPage)
	mux.HandleFunc("POST /account/security", h.securityPost)
}

func (h *Handler) securityPage(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := h.accountUser(w, r)
	if !ok {
		return
	}
	h.renderSecurity(w, r, u, bid, nil)
}

func (h *Handler) renderSecurity(w http.ResponseWriter, r *http.Request, u storage.User, bid string, sv *web.SecurityView) {
	lang := web.Lang(r, nil)
	if sv == nil {
		sv = &web.SecurityView{}
	}
	sv.SecondFactor, sv.PhoneVerified, sv.Recovery, sv.NotifyLogins = u.SecondFactor, u.PhoneVerified, len(u.RecoveryCodes), u.NotifyLogins
	v := &web.AccountView{Section: "/security", User: u, Level: h.Pages.T(lang, "level."+string(u.Level)), Security: sv,
		Notice: h.Pages.T(lang, r.URL.Query().Get("notice"))}
	if v.Notice == r.URL.Query().Get("notice") {
		v.Notice = ""
	}
	h.Pages.Render(w, r, http.StatusOK, &web.AccountPage{Frame: web.Frame{Lang: lang, Title: "account.title", MainClass: "wide"},
		CSRF: h.Sessions.FormToken(bid, "", formAccount), Account: v})
}

type pendingTOTP struct {
	Secret string `json:"secret"`
}

// securityPost handles every form of the section by its action field.
func (h *Handler) securityPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := h.Now()
	fail := func(key string) { h.renderSecurity(w, r, u, bid, &web.SecurityView{Error: h.Pages.T(lang, key)}) }
	save := func(edit func(*storage.User)) (storage.User, error) {
		return h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			edit(&cur)
			cur.UpdatedAt = now
			return cur, nil
		})
	}
	switch r.PostFormValue("action") {
	case "totp-start":
		enr, err := h.TOTP.NewSecret(u.Phone + u.Email)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if err := storage.PutDoc(ctx, h.Store, totpPendingColl, u.ID, pendingTOTP{Secret: enr.Secret}, now.Add(15*time.Minute)); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.renderSecurity(w, r, u, bid, &web.SecurityView{Enroll: &web.EnrollView{Secret: enr.Secret, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(enr.PNG))}})
	case "totp-confirm":
		pend, err := storage.GetDoc[pendingTOTP](ctx, h.Store, totpPendingColl, u.ID, now)
		if err != nil {
			fail("security.enroll.expired")
			return
		}
		if err := h.TOTP.Verify(ctx, u.ID, pend.Secret, r.PostFormValue("code")); err != nil {
			fail("code.invalid")
			return
		}
		plain, hashes, err := otp.NewRecoveryCodes(h.Rand, 10)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if u, err = save(func(c *storage.User) { c.SecondFactor, c.TOTPSecret, c.RecoveryCodes = "totp", pend.Secret, hashes }); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		_ = h.Store.DeleteDoc(ctx, totpPendingColl, u.ID)
		h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "totp"}})
		h.renderSecurity(w, r, u, bid, &web.SecurityView{RecoveryCodes: plain})
	case "sms-on":
		if !u.PhoneVerified {
			fail("security.sms.nophone")
			return
		}
		if u, err := save(func(c *storage.User) { c.SecondFactor = "sms" }); err != nil {
			h.Pages.ServerError(w, r, err)
		} else {
			h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "sms"}})
			http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
		}
	case "off":
		// Switching the second factor off needs the password and a current code. The locks are
		// checked first, so a locked account answers the same whatever the password; a wrong
		// password counts on the password key, a wrong code on the code key.
		lockShown := func(err error) {
			msg, lerr := h.Pages.Catalog().LockProblem(lang, err)
			if lerr != nil {
				h.Pages.ServerError(w, r, lerr)
				return
			}
			h.renderSecurity(w, r, u, bid, &web.SecurityView{Error: msg})
		}
		pwKey, codeKey := lockout.PasswordKey(u.ID), lockout.CodeKey(u.ID)
		for _, key := range []string{pwKey, codeKey} {
			if err := h.Limiter.Check(ctx, key); err != nil {
				lockShown(err)
				return
			}
		}
		okPw, err := h.Hasher.Verify(u.PasswordHash, r.PostFormValue("password"))
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if !okPw {
			if _, ferr := h.Limiter.Fail(ctx, pwKey); ferr != nil {
				lockShown(ferr)
				return
			}
			fail("security.off.password")
			return
		}
		if _, err := h.Accounts.VerifySecondFactor(ctx, u, r.PostFormValue("code"), ""); err != nil {
			h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeFailed, UserID: u.ID, Details: map[string]string{"purpose": "second_factor_off"}})
			if _, ferr := h.Limiter.Fail(ctx, codeKey); ferr != nil {
				lockShown(ferr)
				return
			}
			fail("code.invalid")
			return
		}
		for _, key := range []string{pwKey, codeKey} {
			if err := h.Limiter.Succeed(ctx, key); err != nil {
				lockShown(err)
				return
			}
		}
		if u, err = save(func(c *storage.User) { c.SecondFactor, c.TOTPSecret, c.RecoveryCodes = "", "", nil }); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "off"}})
		http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
	case "notify":
		on := r.PostFormValue("on") == "1"
		if _, err := save(func(c *storage.User) { c.NotifyLogins = on }); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Audit.Record(ctx, r, audit.Event{Type: audit.NotificationsChanged, UserID: u.ID, Details: map[string]string{"on": map[bool]string{true: "yes", false: "no"}[on]}})
		http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
	default:
		h.Pages.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
	}
}
