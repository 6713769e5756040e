package account

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// The "Безопасность" section of the account: ask for a code at every login (SMS or an
// authenticator app), recovery codes, login and logout notifications.
//
// An authenticator enrolment belongs to the SSO session that started it: its key (and QR
// code) are kept for that session until the first right code, so a wrong code or a reload
// shows the same key the citizen already scanned. The recovery codes made when the app is
// connected (or made anew) are shown once and can be downloaded once, by that session only,
// as a text file that is never cached.

const (
	totpPendingColl = "totp-pending"      // an enrolment waiting for its first code, per SSO session
	recoveryColl    = "recovery-download" // recovery codes waiting for their one download, per SSO session
	enrolTTL        = 15 * time.Minute
	recoveryFile    = "esia-recovery-codes.txt"
)

func (h *Handler) mountSecurity(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/security", h.securityPage)
	mux.HandleFunc("POST /account/security", h.securityPost)
	mux.HandleFunc("GET /account/security/"+recoveryFile, h.recoveryDownload)
}

// pendingTOTP is an enrolment in progress: the key and its QR code, for one citizen.
type pendingTOTP struct {
	UserID string `json:"user_id"`
	Secret string `json:"secret"`
	PNG    []byte `json:"png"`
}

// pendingCodes is the recovery codes just made, until their download.
type pendingCodes struct {
	UserID string   `json:"user_id"`
	Codes  []string `json:"codes"`
}

func (h *Handler) securityPage(w http.ResponseWriter, r *http.Request) {
	u, sess, bid, ok := h.accountUser(w, r)
	if !ok {
		return
	}
	h.renderSecurity(w, r, u, sess.ID, bid, nil)
}

// enrolment returns the session's enrolment in progress, if any.
func (h *Handler) enrolment(r *http.Request, u storage.User, sessID string) (pendingTOTP, bool, error) {
	pend, err := storage.GetDoc[pendingTOTP](r.Context(), h.Store, totpPendingColl, sessID, h.Now())
	if errors.Is(err, storage.ErrNotFound) || (err == nil && pend.UserID != u.ID) {
		return pendingTOTP{}, false, nil
	}
	return pend, err == nil, err
}

func (h *Handler) renderSecurity(w http.ResponseWriter, r *http.Request, u storage.User, sessID, bid string, sv *web.SecurityView) {
	lang := web.Lang(r, nil)
	if sv == nil {
		sv = &web.SecurityView{}
	}
	if sv.Enroll == nil && len(sv.RecoveryCodes) == 0 && u.SecondFactor == "" {
		pend, ok, err := h.enrolment(r, u, sessID)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if ok {
			sv.Enroll = enrollView(pend)
		}
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

func enrollView(p pendingTOTP) *web.EnrollView {
	return &web.EnrollView{Secret: p.Secret, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(p.PNG))}
}

// securityPost handles every form of the section by its action field.
func (h *Handler) securityPost(w http.ResponseWriter, r *http.Request) {
	u, sess, bid, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := h.Now()
	fail := func(key string) {
		h.renderSecurity(w, r, u, sess.ID, bid, &web.SecurityView{Error: h.Pages.T(lang, key)})
	}
	fieldFail := func(field, msg string) {
		h.renderSecurity(w, r, u, sess.ID, bid, &web.SecurityView{Errors: web.FieldErrors{field: msg}})
	}
	save := func(edit func(*storage.User)) (storage.User, error) {
		return h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			edit(&cur)
			cur.UpdatedAt = now
			return cur, nil
		})
	}
	// newCodes makes recovery codes, keeps them for one download by this session and shows them.
	newCodes := func(edit func(c *storage.User, hashes []string), change string) {
		plain, hashes, err := otp.NewRecoveryCodes(h.Rand, 10)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		nu, err := save(func(c *storage.User) { edit(c, hashes) })
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if err := storage.PutDoc(ctx, h.Store, recoveryColl, sess.ID, pendingCodes{UserID: u.ID, Codes: plain}, now.Add(enrolTTL)); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Accounts.SecondFactorNotice(ctx, nu, change)
		h.renderSecurity(w, r, nu, sess.ID, bid, &web.SecurityView{RecoveryCodes: plain, Download: true})
	}
	switch r.PostFormValue("action") {
	case "totp-start":
		if u.SecondFactor != "" {
			http.Redirect(w, r, "/account/security", http.StatusSeeOther)
			return
		}
		pend, ok, err := h.enrolment(r, u, sess.ID)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if !ok { // a second click keeps the key already shown
			enr, err := h.TOTP.NewSecret(u.Phone + u.Email)
			if err != nil {
				h.Pages.ServerError(w, r, err)
				return
			}
			pend = pendingTOTP{UserID: u.ID, Secret: enr.Secret, PNG: enr.PNG}
			if err := storage.PutDoc(ctx, h.Store, totpPendingColl, sess.ID, pend, now.Add(enrolTTL)); err != nil {
				h.Pages.ServerError(w, r, err)
				return
			}
		}
		h.renderSecurity(w, r, u, sess.ID, bid, &web.SecurityView{Enroll: enrollView(pend)})
	case "totp-cancel":
		if err := h.Store.DeleteDoc(ctx, totpPendingColl, sess.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			h.Pages.ServerError(w, r, err)
			return
		}
		http.Redirect(w, r, "/account/security", http.StatusSeeOther)
	case "totp-confirm":
		pend, ok, err := h.enrolment(r, u, sess.ID)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if !ok {
			fail("security.enroll.expired")
			return
		}
		if err := h.TOTP.Verify(ctx, u.ID, pend.Secret, r.PostFormValue("code")); err != nil {
			// The same key again: the entry the citizen scanned stays valid.
			h.renderSecurity(w, r, u, sess.ID, bid, &web.SecurityView{Enroll: enrollView(pend),
				Errors: web.FieldErrors{"code": h.Pages.T(lang, "security.enroll.again")}})
			return
		}
		if err := h.Store.DeleteDoc(ctx, totpPendingColl, sess.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "totp"}})
		newCodes(func(c *storage.User, hashes []string) {
			c.SecondFactor, c.TOTPSecret, c.RecoveryCodes = "totp", pend.Secret, hashes
		}, accounts.ChangeTOTPOn)
	case "sms-on":
		if !u.PhoneVerified {
			fail("security.sms.nophone")
			return
		}
		if u, err := save(func(c *storage.User) { c.SecondFactor = "sms" }); err != nil {
			h.Pages.ServerError(w, r, err)
		} else {
			h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "sms"}})
			h.Accounts.SecondFactorNotice(ctx, u, accounts.ChangeSMSOn)
			http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
		}
	case "off", "recovery-new":
		action := r.PostFormValue("action")
		prefix := map[bool]string{true: "off", false: "regen"}[action == "off"]
		if !h.reauthenticate(w, r, u, prefix, func(msg string) { h.renderSecurity(w, r, u, sess.ID, bid, &web.SecurityView{Error: msg}) }, fieldFail) {
			return
		}
		if action == "recovery-new" {
			if u.SecondFactor == "" {
				http.Redirect(w, r, "/account/security", http.StatusSeeOther)
				return
			}
			h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"recovery_codes": "new"}})
			newCodes(func(c *storage.User, hashes []string) { c.RecoveryCodes = hashes }, accounts.ChangeRecoveryCodes)
			return
		}
		nu, err := save(func(c *storage.User) { c.SecondFactor, c.TOTPSecret, c.RecoveryCodes = "", "", nil })
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Audit.Record(ctx, r, audit.Event{Type: audit.SecondFactorChanged, UserID: u.ID, Details: map[string]string{"second_factor": "off"}})
		h.Accounts.SecondFactorNotice(ctx, nu, accounts.ChangeOff)
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

// reauthenticate checks the password and a current second-factor code of a form whose fields
// are <prefix>-password and <prefix>-code (sent as "password" and "code"). The locks are
// checked first, so a locked account answers the same whatever the password; a wrong password
// counts on the password key, a wrong code on the code key. It answers itself when false:
// lock messages through shown, field problems through field.
func (h *Handler) reauthenticate(w http.ResponseWriter, r *http.Request, u storage.User, prefix string, shown func(string), field func(id, msg string)) bool {
	ctx := r.Context()
	lang := web.Lang(r, nil)
	lockShown := func(err error) {
		msg, lerr := h.Pages.Catalog().LockProblem(lang, err)
		if lerr != nil {
			h.Pages.ServerError(w, r, lerr)
			return
		}
		shown(msg)
	}
	pwKey, codeKey := lockout.PasswordKey(u.ID), lockout.CodeKey(u.ID)
	for _, key := range []string{pwKey, codeKey} {
		if err := h.Limiter.Check(ctx, key); err != nil {
			lockShown(err)
			return false
		}
	}
	okPw, err := h.Hasher.Verify(u.PasswordHash, r.PostFormValue("password"))
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return false
	}
	if !okPw {
		if _, ferr := h.Limiter.Fail(ctx, pwKey); ferr != nil {
			lockShown(ferr)
			return false
		}
		field(prefix+"-password", h.Pages.T(lang, "security.off.password"))
		return false
	}
	if _, err := h.Accounts.VerifySecondFactor(ctx, u, r.PostFormValue("code"), ""); err != nil {
		h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeFailed, UserID: u.ID, Details: map[string]string{"purpose": "second_factor_" + prefix}})
		if _, ferr := h.Limiter.Fail(ctx, codeKey); ferr != nil {
			lockShown(ferr)
			return false
		}
		field(prefix+"-code", h.Pages.T(lang, "code.invalid"))
		return false
	}
	for _, key := range []string{pwKey, codeKey} {
		if err := h.Limiter.Succeed(ctx, key); err != nil {
			lockShown(err)
			return false
		}
	}
	return true
}

// recoveryDownload serves the recovery codes just made as a text file: once, to the SSO
// session that made them, never cached.
func (h *Handler) recoveryDownload(w http.ResponseWriter, r *http.Request) {
	u, sess, _, ok := h.accountUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	pend, err := storage.GetDoc[pendingCodes](ctx, h.Store, recoveryColl, sess.ID, h.Now())
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.Pages.ServerError(w, r, err)
		return
	}
	if err != nil || pend.UserID != u.ID || len(pend.Codes) == 0 {
		h.Pages.Render(w, r, http.StatusNotFound, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "security.recovery.title"},
			Paragraphs: []string{h.Pages.T(lang, "security.recovery.gone")}, Links: []web.Link{{Href: "/account/security", Label: "account.security"}}})
		return
	}
	if err := h.Store.DeleteDoc(ctx, recoveryColl, sess.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.Pages.ServerError(w, r, err)
		return
	}
	body := h.Pages.T(lang, "security.recovery.file") + "\r\n" + u.FullName() + ", " + web.DateTime(h.Now()) + "\r\n\r\n" + strings.Join(pend.Codes, "\r\n") + "\r\n"
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="`+recoveryFile+`"`)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Pragma", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(body))
}
