package methods

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// spaMaxBody bounds the JSON bodies of the SPA login API.
const spaMaxBody = 4 << 10

// SPA is ESIA's internal login API, the second face of the login flow: the same password and
// code steps (checkPasswordLock, passwordAccepted, verifyCode: the same lockout, audit and
// notices) answered in JSON instead of pages. Everything after those steps (consent, level,
// suspension, the code for the relying party) stays with the dispatcher: DONE's redirect_url
// is the dispatcher's address.
//
// Routes (Mount): POST /aas/oauth2/api/login, POST /aas/oauth2/api/login/otp/verify,
// POST /aas/oauth2/api/login/totp/verify.
//
// CSRF: the request is named by the ctx_id cookie and must be bound to this browser (its
// browser cookie); both cookies are SameSite=Lax, so a cross-site POST carries neither. On top
// of that a body must be application/json (a cross-site form cannot send that without a CORS
// preflight, which the emulator never grants), and an Origin header, when present, must be the
// issuer's.
type SPA struct {
	Flow *flow.Handler
	// Issuer is the emulator's public base URL (redirect_url is absolute, Origin is checked
	// against it).
	Issuer string
}

// Mount adds the SPA login API's routes.
func (s *SPA) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /aas/oauth2/api/login", s.login)
	mux.HandleFunc("POST /aas/oauth2/api/login/otp/verify", s.verify("sms"))
	mux.HandleFunc("POST /aas/oauth2/api/login/totp/verify", s.verify("totp"))
}

// Answers of the API. The action and failed names are ESIA's (esia-protocol.md §9) where the
// doc gives them; the others are the emulator's and say so in the README.
const (
	spaDone            = "DONE"
	spaEnterMFA        = "ENTER_MFA"
	failInvalidPwd     = "INVALID_PASSWORD"
	failInvalidLogin   = "INVALID_LOGIN"
	failLocked         = "ACCOUNT_LOCKED"
	failBadRequest     = "BAD_REQUEST"     // emulator: the body is not the API's JSON
	failNoContext      = "INVALID_CONTEXT" // emulator: no login in progress for this browser
	failInvalidOTP     = "INVALID_OTP"     // emulator: wrong code
	failOTPExpired     = "OTP_EXPIRED"     // emulator: the code expired or its tries are spent
	failWrongMFA       = "INVALID_MFA_TYPE"
	failSMSLimit       = "SMS_LIMIT_EXCEEDED"
	failIPRestricted   = "IP_RESTRICTED" // emulator: the account allows logins only from other addresses
	totpVerifyInterval = 30
)

type spaAnswer struct {
	Action      string      `json:"action,omitempty"`
	RedirectURL string      `json:"redirect_url,omitempty"`
	MFA         *mfaDetails `json:"mfa_details,omitempty"`
	Failed      string      `json:"failed,omitempty"`
	// Message is the text the HTML form shows for the same outcome (emulator extension).
	Message string `json:"message,omitempty"`
	// AttemptsLeft: after a wrong code, the tries left (emulator extension).
	AttemptsLeft *int `json:"verify_attempts_left,omitempty"`
}

type mfaDetails struct {
	Type       string     `json:"type"`
	OTPDetails otpDetails `json:"otp_details"`
}

type otpDetails struct {
	Phone              string `json:"phone,omitempty"`
	CodeLength         int    `json:"code_length"`
	VerifyTimeoutSecs  int    `json:"verify_timeout_secs"`
	VerifyAttemptsLeft int    `json:"verify_attempts_left"`
}

type spaLoginBody struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	IDType   string `json:"idType"`
}

func (s *SPA) reply(w http.ResponseWriter, status int, a spaAnswer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

func (s *SPA) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.Flow.Logger.ErrorContext(r.Context(), "spa login api", "err", err)
	s.reply(w, http.StatusInternalServerError, spaAnswer{Failed: "INTERNAL_ERROR"})
}

// guard applies the API's CSRF rules and reads the body (at most spaMaxBody) into dst when
// there is one. It answers the refusal itself and returns false.
func (s *SPA) guard(w http.ResponseWriter, r *http.Request, dst any, bodyRequired bool) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, s.Issuer) {
		s.reply(w, http.StatusForbidden, spaAnswer{Failed: failBadRequest, Message: "foreign Origin"})
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && !bodyRequired {
		return true
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		s.reply(w, http.StatusUnsupportedMediaType, spaAnswer{Failed: failBadRequest, Message: "the body must be application/json"})
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, spaMaxBody))
	if err != nil {
		s.reply(w, http.StatusRequestEntityTooLarge, spaAnswer{Failed: failBadRequest, Message: "the body is too large"})
		return false
	}
	if len(body) == 0 && !bodyRequired {
		return true
	}
	if err := json.Unmarshal(body, dst); err != nil {
		s.reply(w, http.StatusBadRequest, spaAnswer{Failed: failBadRequest, Message: "the body is not valid JSON"})
		return false
	}
	return true
}

// sameOrigin reports whether origin (an Origin header) is the issuer's scheme://host[:port].
func sameOrigin(origin, issuer string) bool {
	o, err1 := url.Parse(origin)
	i, err2 := url.Parse(issuer)
	return err1 == nil && err2 == nil && o.Scheme == i.Scheme && strings.EqualFold(o.Host, i.Host)
}

// request loads the authorization request this browser is logging in for (ctx_id cookie,
// bound to the browser). It answers the refusal itself and returns ok=false.
func (s *SPA) request(w http.ResponseWriter, r *http.Request) (storage.AuthRequest, bool) {
	h := s.Flow
	id := h.Sessions.ReadCookie(r, flow.CtxCookie)
	if id == "" {
		s.reply(w, http.StatusUnauthorized, spaAnswer{Failed: failNoContext, Message: "no login in progress: open the authorization URL first"})
		return storage.AuthRequest{}, false
	}
	browserID, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		s.serverError(w, r, err)
		return storage.AuthRequest{}, false
	}
	ar, err := h.AuthRequests.GetAuthRequest(r.Context(), id, h.Now())
	if errors.Is(err, storage.ErrNotFound) {
		s.reply(w, http.StatusUnauthorized, spaAnswer{Failed: failNoContext, Message: "the login expired: open the authorization URL again"})
		return storage.AuthRequest{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return storage.AuthRequest{}, false
	}
	if ar.BrowserID == "" || ar.BrowserID != browserID {
		s.reply(w, http.StatusForbidden, spaAnswer{Failed: failNoContext, Message: "the login belongs to another browser"})
		return storage.AuthRequest{}, false
	}
	return ar, true
}

// done answers DONE: the browser goes on at the dispatcher (consent, level, the code).
func (s *SPA) done(w http.ResponseWriter, ar storage.AuthRequest) {
	s.reply(w, http.StatusOK, spaAnswer{Action: spaDone, RedirectURL: strings.TrimRight(s.Issuer, "/") + "/login?authRequestID=" + url.QueryEscape(ar.ID)})
}

// login is POST /aas/oauth2/api/login: the password step.
func (s *SPA) login(w http.ResponseWriter, r *http.Request) {
	h := s.Flow
	var in spaLoginBody
	if !s.guard(w, r, &in, true) {
		return
	}
	ar, ok := s.request(w, r)
	if !ok {
		return
	}
	if ar.Done || ar.Authenticated {
		s.done(w, ar)
		return
	}
	lang := web.Lang(r, ar.UILocales)
	switch {
	case strings.TrimSpace(in.Login) == "" || !idTypeFits(in.IDType, in.Login):
		s.reply(w, http.StatusOK, spaAnswer{Failed: failInvalidLogin, Message: h.Pages.T(lang, "login.empty")})
		return
	case in.Password == "":
		s.reply(w, http.StatusOK, spaAnswer{Failed: failInvalidPwd, Message: h.Pages.T(lang, "login.empty")})
		return
	}
	ctx := r.Context()
	user, problem, locked, err := h.CheckPasswordLock(ctx, r, ar, in.Login, in.Password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem != "" {
		code := failInvalidPwd
		if locked {
			code = failLocked
		}
		s.reply(w, http.StatusOK, spaAnswer{Failed: code, Message: problem})
		return
	}
	if addr, ok := h.IPCheck(r, ar, user); !ok {
		s.reply(w, http.StatusOK, spaAnswer{Failed: failIPRestricted, Message: strings.Join(h.IPRefusal(lang, addr), " ")})
		return
	}
	if ar, err = h.PasswordAccepted(ctx, w, r, ar, user); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ar.FirstFactor || ar.Authenticated {
		s.done(w, ar)
		return
	}
	s.enterMFA(w, r, ar, user)
}

// enterMFA answers ENTER_MFA for the account's second factor, sending an SMS code when no
// live one is waiting. Without a second factor the dispatcher decides (access_denied).
func (s *SPA) enterMFA(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, u storage.User) {
	h := s.Flow
	ctx := r.Context()
	var le *lockout.LockedError
	if err := h.Limiter.Check(ctx, lockout.CodeKey(u.ID)); errors.As(err, &le) { // codes are locked: none is sent
		s.reply(w, http.StatusOK, spaAnswer{Failed: failLocked, Message: h.Pages.Catalog().LockMessage(web.Lang(r, ar.UILocales), le)})
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	st, err := h.Limiter.Status(ctx, lockout.CodeKey(u.ID))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch accounts.SecondFactorMethod(u) {
	case "totp":
		s.reply(w, http.StatusOK, spaAnswer{Action: spaEnterMFA, MFA: &mfaDetails{Type: "TTP",
			OTPDetails: otpDetails{CodeLength: 6, VerifyTimeoutSecs: totpVerifyInterval, VerifyAttemptsLeft: st.AttemptsLeft}}})
	case "sms":
		now := h.Now()
		ch, err := h.SMS.Status(ctx, accounts.SMSKey(u.ID))
		if err != nil && !errors.Is(err, otp.ErrNoChallenge) {
			s.serverError(w, r, err)
			return
		}
		live := err == nil && !ch.Verified && now.Before(ch.ExpiresAt) && ch.TriesLeft > 0
		if !live && !st.Locked {
			nch, err := h.SMS.Start(ctx, accounts.SMSKey(u.ID), u.Phone, otp.KindLoginCode)
			var limited *otp.RateLimitedError
			var soon *otp.ResendTooSoonError
			switch {
			case errors.As(err, &limited):
				s.reply(w, http.StatusOK, spaAnswer{Failed: failSMSLimit, Message: h.Pages.T(web.Lang(r, ar.UILocales), "code.ratelimited")})
				return
			case errors.As(err, &soon):
			case err != nil:
				s.serverError(w, r, err)
				return
			default:
				h.Audit.Record(ctx, r, audit.Event{Type: audit.CodeSent, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"channel": "sms", "via": "api"}})
				ch = nch
			}
		}
		left := max(ch.TriesLeft, 0)
		s.reply(w, http.StatusOK, spaAnswer{Action: spaEnterMFA, MFA: &mfaDetails{Type: "SMS",
			OTPDetails: otpDetails{Phone: ch.Masked, CodeLength: ch.Length, VerifyTimeoutSecs: max(int(ch.ExpiresAt.Sub(now)/time.Second), 0), VerifyAttemptsLeft: left}}})
	default:
		s.done(w, ar)
	}
}

// verify is POST /aas/oauth2/api/login/{otp,totp}/verify?code=…: the code step.
func (s *SPA) verify(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := s.Flow
		var in struct {
			Code string `json:"code"`
		}
		if !s.guard(w, r, &in, false) {
			return
		}
		code := r.URL.Query().Get("code")
		if code == "" {
			code = in.Code
		}
		ar, ok := s.request(w, r)
		if !ok {
			return
		}
		if ar.Done || ar.Authenticated {
			s.done(w, ar)
			return
		}
		ctx := r.Context()
		userID, sess, hasSession, err := h.FlowUser(ctx, r, ar)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if userID == "" || (!ar.FirstFactor && !hasSession) {
			s.reply(w, http.StatusOK, spaAnswer{Failed: failNoContext, Message: "no second factor is pending: log in first"})
			return
		}
		u, err := h.Users.GetUser(ctx, userID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if accounts.SecondFactorMethod(u) != method {
			s.reply(w, http.StatusOK, spaAnswer{Failed: failWrongMFA, Message: fmt.Sprintf("the account's second factor is %q", accounts.SecondFactorMethod(u))})
			return
		}
		lang := web.Lang(r, ar.UILocales)
		res, err := h.VerifyCode(w, r, ar, sess, u, code, "")
		var le *lockout.LockedError
		var wrong *otp.WrongCodeError
		switch {
		case err != nil:
			s.serverError(w, r, err)
		case errors.As(res.Lock, &le):
			s.reply(w, http.StatusOK, spaAnswer{Failed: failLocked, Message: h.Pages.Catalog().LockMessage(lang, le)})
		case res.Lock != nil:
			s.serverError(w, r, res.Lock)
		case errors.Is(res.Refused, otp.ErrCodeExpired) || errors.Is(res.Refused, otp.ErrNoTriesLeft):
			s.reply(w, http.StatusOK, spaAnswer{Failed: failOTPExpired, Message: h.Pages.Catalog().CodeProblem(lang, res.Refused)})
		case errors.As(res.Refused, &wrong):
			left := wrong.TriesLeft
			s.reply(w, http.StatusOK, spaAnswer{Failed: failInvalidOTP, Message: h.Pages.Catalog().CodeProblem(lang, res.Refused), AttemptsLeft: &left})
		case res.Refused != nil:
			st, err := h.Limiter.Status(ctx, lockout.CodeKey(u.ID))
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			left := st.AttemptsLeft
			s.reply(w, http.StatusOK, spaAnswer{Failed: failInvalidOTP, Message: h.Pages.Catalog().CodeProblem(lang, res.Refused), AttemptsLeft: &left})
		default:
			s.done(w, res.AR)
		}
	}
}

// idTypeFits checks the optional idType against the login's form: snils (11 digits, separators
// allowed), phone (10 or 11 digits), email (has @). "" fits everything.
func idTypeFits(idType, login string) bool {
	digits := 0
	for _, c := range login {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	switch strings.ToLower(idType) {
	case "":
		return true
	case "snils":
		return digits == 11 && !strings.Contains(login, "@")
	case "phone":
		return (digits == 10 || digits == 11) && !strings.Contains(login, "@")
	case "email":
		return strings.Contains(login, "@")
	}
	return false
}
