package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/session"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// formMFA is the step the second-factor forms are bound to.
const formMFA = "code"

// multiSender delivers a message to every sender (the outbox, and a webhook when configured).
type multiSender []otp.Sender

func (m multiSender) Send(ctx context.Context, msg otp.Message) error {
	var errs []error
	for _, s := range m {
		errs = append(errs, s.Send(ctx, msg))
	}
	return errors.Join(errs...)
}

// initVerification builds the outbox, the code and TOTP managers and the lockout limiter.
func (p *Provider) initVerification() {
	p.outbox = &otp.Outbox{Docs: p.store, Now: p.now, Rand: p.rand}
	var sender otp.Sender = p.outbox
	sf := p.cfg.SecondFactor
	if sf.WebhookURL != "" {
		sender = multiSender{p.outbox, &otp.WebhookSender{URL: sf.WebhookURL, Client: &http.Client{Timeout: 5 * time.Second}}}
	}
	p.sender = sender
	c := otp.DefaultConfig()
	if sf.CodeLength > 0 {
		c.Length = sf.CodeLength
	}
	c.TTL = sf.CodeTTL.Or(c.TTL)
	c.ResendAfter = sf.ResendAfter.Or(c.ResendAfter)
	if sf.MaxTries > 0 {
		c.MaxTries = sf.MaxTries
	}
	if sf.MaxPerHour != 0 {
		c.MaxPerHour = sf.MaxPerHour
	}
	c.Pepper = []byte(sf.Pepper)
	p.sms = &otp.SMS{Docs: p.store, Sender: sender, Config: c, Now: p.now, Rand: p.rand}
	ec := c
	ec.Channel = otp.ChannelEmail
	p.emailCodes = &otp.SMS{Docs: p.store, Sender: sender, Config: ec, Now: p.now, Rand: p.rand}
	p.totp = &otp.TOTP{Docs: p.store, Issuer: sf.TOTPIssuer, Now: p.now, Rand: p.rand}
	p.limiter = &lockout.Limiter{Counters: p.store, Docs: p.store, Policy: p.cfg.Lockout.WithDefaults(), Now: p.now}
}

// postCode checks a second-factor code (SMS, authenticator or recovery code).
func (p *Provider) postCode(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := p.flowForm(w, r, formMFA)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, ar.UILocales)
	userID, sess, hasSession, err := p.flowUser(ctx, r, ar)
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	if userID == "" || (!ar.FirstFactor && !hasSession) {
		p.dispatch(w, r, ar, bid, "") // nothing to complete: start over
		return
	}
	u, err := p.store.GetUser(ctx, userID)
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	if r.PostFormValue("resend") != "" {
		p.resendCode(w, r, ar, bid, u)
		return
	}
	codeKey := lockout.CodeKey(u.ID)
	if err := p.limiter.Check(ctx, codeKey); err != nil {
		p.lockedPage(w, r, ar, bid, u, err)
		return
	}
	method, verr := p.accounts.VerifySecondFactor(ctx, u, r.PostFormValue("code"), r.PostFormValue("recovery"))
	if verr != nil {
		p.audit.Record(ctx, r, audit.Event{Type: audit.CodeFailed, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"method": method}})
		if _, ferr := p.limiter.Fail(ctx, codeKey); ferr != nil {
			p.lockedPage(w, r, ar, bid, u, ferr)
			return
		}
		p.codePage(w, r, ar, bid, u, p.web.Catalog().CodeProblem(lang, verr))
		return
	}
	if err := p.limiter.Succeed(ctx, codeKey); err != nil {
		p.lockedPage(w, r, ar, bid, u, err)
		return
	}
	amr := []string{session.AMRPassword, method, session.AMRMFA}
	now := p.now()
	if ar.FirstFactor {
		sess, err = p.sessions.Start(ctx, w, r, u.ID, amr, session.ACRTwoFactor)
	} else { // step-up of an existing session
		sess, err = p.store.UpdateSession(ctx, sess.ID, now, func(s storage.Session) (storage.Session, error) {
			s.AMR, s.ACR = amr, session.ACRTwoFactor
			return s, nil
		})
	}
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	p.audit.Record(ctx, r, audit.Event{Type: audit.Login, UserID: u.ID, ClientID: ar.ClientID, SessionID: sess.ID, Details: map[string]string{"amr": fmt.Sprint(amr)}})
	p.notifyLogin(ctx, u, ar.ClientID)
	ar, err = p.store.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR = u.ID, sess.ID, sess.AuthTime, amr, session.ACRTwoFactor
		a.Authenticated, a.FirstFactor = true, false
		return a, nil
	})
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

// resendCode sends a new SMS code when the pause is over.
func (p *Provider) resendCode(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User) {
	ctx := r.Context()
	lang := web.Lang(r, ar.UILocales)
	if accounts.SecondFactorMethod(u) != "sms" {
		p.codePage(w, r, ar, bid, u, "")
		return
	}
	_, err := p.sms.Start(ctx, accounts.SMSKey(u.ID), u.Phone, otp.KindLoginCode)
	var soon *otp.ResendTooSoonError
	var limited *otp.RateLimitedError
	switch {
	case errors.As(err, &soon):
		p.codePage(w, r, ar, bid, u, fmt.Sprintf(p.web.T(lang, "code.toosoon"), web.Clock(soon.RetryAt)))
	case errors.As(err, &limited):
		p.codePage(w, r, ar, bid, u, p.web.T(lang, "code.ratelimited"))
	case err != nil:
		p.web.ServerError(w, r, err)
	default:
		p.audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"channel": "sms"}})
		p.codePage(w, r, ar, bid, u, "")
	}
}

// lockedPage tells the citizen the login is locked and until when.
func (p *Provider) lockedPage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User, err error) {
	var le *lockout.LockedError
	if !errors.As(err, &le) {
		p.web.ServerError(w, r, err)
		return
	}
	lang := web.Lang(r, ar.UILocales)
	msg := p.web.Catalog().LockMessage(lang, le)
	if le.Scope == lockout.ScopeCode && !le.Permanent {
		p.codePage(w, r, ar, bid, u, msg)
		return
	}
	p.dispatch(w, r, ar, bid, msg)
}

// notifyLogin sends the opt-in login notice.
func (p *Provider) notifyLogin(ctx context.Context, u storage.User, clientID string) {
	if !u.NotifyLogins {
		return
	}
	service := clientID
	if cl, ok := p.clients.Lookup(clientID); ok {
		service = cl.DisplayName()
	}
	msg := otp.Message{Channel: otp.ChannelEmail, To: u.Email, Kind: otp.KindLoginNotice, Subject: "Вход в учётную запись",
		Body: fmt.Sprintf("Выполнен вход в вашу учётную запись %s. Если это были не вы, смените пароль и завершите все сеансы в личном кабинете.", web.DateTime(p.now()))}
	if service != "" {
		msg.Body = fmt.Sprintf("Выполнен вход в вашу учётную запись %s (сервис «%s»). Если это были не вы, смените пароль и завершите все сеансы в личном кабинете.", web.DateTime(p.now()), service)
	}
	if u.Email == "" {
		msg.Channel, msg.To = otp.ChannelSMS, u.Phone
	}
	if err := p.sender.Send(ctx, msg); err != nil {
		p.log.WarnContext(ctx, "login notice not sent", "err", err)
	}
}

func auditUnlock(userID, by string) audit.Event {
	return audit.Event{Type: audit.Unlock, UserID: userID, Details: map[string]string{"by": by}}
}

// codePage shows the second-factor form, sending an SMS code first when none is pending.
func (p *Provider) codePage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid string, u storage.User, problem string) {
	ctx := r.Context()
	lang := web.Lang(r, ar.UILocales)
	d := &web.CodePage{Frame: web.Frame{Lang: lang, Title: "code.title"}, CSRF: p.sessions.FormToken(bid, ar.ID, formMFA), AuthRequestID: ar.ID,
		ClientName: p.clients.Name(ar.ClientID), Error: problem, Code: &web.CodeView{Method: accounts.SecondFactorMethod(u), Recovery: len(u.RecoveryCodes) > 0}}
	if d.Code.Method == "sms" {
		ch, err := p.sms.Status(ctx, accounts.SMSKey(u.ID))
		if err != nil || ch.Verified || !p.now().Before(ch.ExpiresAt) || ch.TriesLeft == 0 {
			ch, err = p.sms.Start(ctx, accounts.SMSKey(u.ID), u.Phone, otp.KindLoginCode)
			var soon *otp.ResendTooSoonError
			var limited *otp.RateLimitedError
			switch {
			case errors.As(err, &soon), errors.As(err, &limited):
				if d.Error == "" {
					d.Error = p.web.T(lang, "code.ratelimited")
				}
			case err != nil:
				p.web.ServerError(w, r, err)
				return
			default:
				p.audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"channel": "sms"}})
			}
		}
		d.Code.Masked, d.Code.TriesLeft, d.Code.Length = ch.Masked, ch.TriesLeft, ch.Length
		d.Code.ExpiresAt, d.Code.ResendAt = web.Clock(ch.ExpiresAt), web.Clock(ch.ResendAt)
		d.Code.CanResend = !p.now().Before(ch.ResendAt)
	}
	p.web.Render(w, r, http.StatusOK, d)
}
