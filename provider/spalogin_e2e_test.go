package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// spaAnswer is the SPA login API's JSON answer as a scripted client reads it.
type spaAnswer struct {
	Action      string `json:"action"`
	RedirectURL string `json:"redirect_url"`
	Failed      string `json:"failed"`
	Message     string `json:"message"`
	MFA         *struct {
		Type       string `json:"type"`
		OTPDetails struct {
			Phone              string `json:"phone"`
			CodeLength         int    `json:"code_length"`
			VerifyTimeoutSecs  int    `json:"verify_timeout_secs"`
			VerifyAttemptsLeft int    `json:"verify_attempts_left"`
		} `json:"otp_details"`
	} `json:"mfa_details"`
	AttemptsLeft *int `json:"verify_attempts_left"`
}

// spaCall posts to the SPA login API as ESIA's login SPA does (JSON, same-origin, the
// browser's cookies) and decodes the answer.
func (e *env) spaCall(c *browser.Browser, path, contentType, body string, hdr ...string) (int, spaAnswer) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	pg := do(e.t, c, req)
	var a spaAnswer
	if err := json.Unmarshal([]byte(pg.body), &a); err != nil {
		e.t.Fatalf("POST %s: %d, not JSON: %s", path, pg.status, snippet(pg.body))
	}
	return pg.status, a
}

func (e *env) spaLogin(c *browser.Browser, login, password string) spaAnswer {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"login": login, "password": password})
	status, a := e.spaCall(c, "/aas/oauth2/api/login", "application/json", string(b))
	if status != http.StatusOK {
		e.t.Fatalf("api/login: %d %+v", status, a)
	}
	return a
}

// done follows a DONE answer's redirect_url in the browser, as the SPA does.
func (r *rp) done(a spaAnswer) page {
	r.e.t.Helper()
	if a.Action != "DONE" || !strings.HasPrefix(a.RedirectURL, r.e.issuer+"/") {
		r.e.t.Fatalf("want DONE with a redirect_url on the issuer, got %+v", a)
	}
	return get(r.e.t, r.browser, a.RedirectURL)
}

// TestSPALoginAPIPassword: DONE leads on to the relying party with a code; a wrong password
// and an unknown login both answer INVALID_PASSWORD with the form's own message.
func TestSPALoginAPIPassword(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := cab.authorize(); !pg.isLoginForm() {
		t.Fatalf("no login page: %s", snippet(pg.body))
	}
	for _, login := range []string{"+79990000002", "+79991234567"} {
		a := e.spaLogin(cab.browser, login, "Wrong1234!")
		if a.Failed != "INVALID_PASSWORD" || a.Action != "" || !strings.Contains(a.Message, "Неверный логин или пароль") {
			t.Fatalf("%s, wrong password: %+v", login, a)
		}
	}
	if a := e.spaLogin(cab.browser, "", "x"); a.Failed != "INVALID_LOGIN" {
		t.Fatalf("empty login: %+v", a)
	}
	b, _ := json.Marshal(map[string]string{"login": "+79990000002", "password": "Test1234!", "idType": "email"})
	if _, a := e.spaCall(cab.browser, "/aas/oauth2/api/login", "application/json", string(b)); a.Failed != "INVALID_LOGIN" {
		t.Fatalf("a phone given as idType=email: %+v", a)
	}
	b, _ = json.Marshal(map[string]string{"login": "+79990000002", "password": "Test1234!", "idType": "phone"})
	_, a := e.spaCall(cab.browser, "/aas/oauth2/api/login", "application/json", string(b))
	_, idt := cab.mustExchange(cab.codeFrom(cab.done(a)))
	if c := claims(t, idt); amrOf(t, c) != "pwd" {
		t.Fatalf("amr %v", c["amr"])
	}
}

// TestSPALoginAPISecondFactor: ENTER_MFA with ESIA's mfa_details for SMS and TOTP accounts,
// a wrong code counts down, the right one answers DONE; the other verify endpoint is refused.
func TestSPALoginAPISecondFactor(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Lockout.MaxFailures = 10 })
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.authorize()
	a := e.spaLogin(cab.browser, "+79990000005", "Test1234!")
	if a.Action != "ENTER_MFA" || a.MFA == nil || a.MFA.Type != "SMS" {
		t.Fatalf("SMS account: %+v", a)
	}
	if d := a.MFA.OTPDetails; d.CodeLength != 6 || d.VerifyTimeoutSecs != 300 || d.VerifyAttemptsLeft != 3 || !strings.Contains(d.Phone, "***-**-05") {
		t.Fatalf("otp_details %+v", d)
	}
	msg := e.lastMessage("+79990000005", "login_code")
	if _, got := e.spaCall(cab.browser, "/aas/oauth2/api/login/totp/verify?code="+msg.Code, "", ""); got.Failed != "INVALID_MFA_TYPE" {
		t.Fatalf("totp/verify for an SMS account: %+v", got)
	}
	wrong := "000000"
	if msg.Code == wrong {
		wrong = "111111"
	}
	_, got := e.spaCall(cab.browser, "/aas/oauth2/api/login/otp/verify?code="+wrong, "", "")
	if got.Failed != "INVALID_OTP" || got.AttemptsLeft == nil || *got.AttemptsLeft != 2 || !strings.Contains(got.Message, "Осталось попыток: 2") {
		t.Fatalf("wrong SMS code: %+v", got)
	}
	_, got = e.spaCall(cab.browser, "/aas/oauth2/api/login/otp/verify?code="+msg.Code, "", "")
	_, idt := cab.mustExchange(cab.codeFrom(cab.done(got)))
	if c := claims(t, idt); amrOf(t, c) != "pwd sms mfa" {
		t.Fatalf("amr %v", c["amr"])
	}

	// TOTP: type TTP; the code may come as JSON too.
	totp := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	totp.authorize()
	a = e.spaLogin(totp.browser, "+79990000004", "Test1234!")
	if a.Action != "ENTER_MFA" || a.MFA == nil || a.MFA.Type != "TTP" || a.MFA.OTPDetails.CodeLength != 6 || a.MFA.OTPDetails.VerifyAttemptsLeft < 1 {
		t.Fatalf("TOTP account: %+v", a)
	}
	code, err := otp.GenerateTOTP(config.DefaultTOTPSecret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, got = e.spaCall(totp.browser, "/aas/oauth2/api/login/totp/verify", "application/json", `{"code":"`+code+`"}`)
	_, idt = totp.mustExchange(totp.codeFrom(totp.done(got)))
	if c := claims(t, idt); amrOf(t, c) != "pwd otp mfa" {
		t.Fatalf("amr %v", c["amr"])
	}
}

// TestSPALoginAPILockoutParity: the API and the form count on the same lock: failures through
// one lock the other, and the API says ACCOUNT_LOCKED with the form's message.
func TestSPALoginAPILockoutParity(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	// One failure in the form, two through the API.
	if pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!"); !strings.Contains(pg.body, "Осталось попыток: 2") {
		t.Fatalf("form: %s", snippet(pg.body))
	}
	cab.authorize()
	if a := e.spaLogin(cab.browser, "+79990000002", "Wrong1234!"); a.Failed != "INVALID_PASSWORD" || !strings.Contains(a.Message, "Осталось попыток: 1") {
		t.Fatalf("second failure: %+v", a)
	}
	a := e.spaLogin(cab.browser, "+79990000002", "Wrong1234!")
	if a.Failed != "ACCOUNT_LOCKED" || !strings.Contains(a.Message, "временно заблокирован") {
		t.Fatalf("third failure: %+v", a)
	}
	// The right password is refused by both faces while the lock lasts.
	if a := e.spaLogin(cab.browser, "+79990000002", "Test1234!"); a.Failed != "ACCOUNT_LOCKED" {
		t.Fatalf("right password while locked (API): %+v", a)
	}
	if pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Test1234!"); pg.location != "" || !strings.Contains(pg.body, "временно заблокирован") {
		t.Fatalf("right password while locked (form): %d %q", pg.status, pg.location)
	}
	// The same audit: every failure, through either face, is one login_failed event.
	var events []map[string]any
	_, body := e.admin("GET", "/admin/api/audit?type=login_failed", adminToken, "")
	if err := json.Unmarshal([]byte(body), &events); err != nil || len(events) != 3 {
		t.Fatalf("login_failed events: %d %v %s", len(events), err, body)
	}
}

// TestSPALoginAPIRefusesForeignAndMalformedCalls: no login in progress, a form post, a foreign
// Origin, a body too large or not JSON: each refused without touching the counters.
func TestSPALoginAPIRefusesForeignAndMalformedCalls(t *testing.T) {
	e := newEnv(t)
	good := `{"login":"+79990000002","password":"Test1234!"}`
	if status, a := e.spaCall(e.browser(), "/aas/oauth2/api/login", "application/json", good); status != http.StatusUnauthorized || a.Failed != "INVALID_CONTEXT" {
		t.Fatalf("no login in progress: %d %+v", status, a)
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.authorize()
	form := url.Values{"login": {"+79990000002"}, "password": {"Test1234!"}}.Encode()
	for name, tc := range map[string]struct {
		ct, body string
		hdr      []string
		status   int
	}{
		"form post":      {"application/x-www-form-urlencoded", form, nil, http.StatusUnsupportedMediaType},
		"foreign origin": {"application/json", good, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		"too large":      {"application/json", `{"login":"` + strings.Repeat("a", 5000) + `"}`, nil, http.StatusRequestEntityTooLarge},
		"not JSON":       {"application/json", `{"login":`, nil, http.StatusBadRequest},
		"no body":        {"", "", nil, http.StatusUnsupportedMediaType},
	} {
		if status, a := e.spaCall(cab.browser, "/aas/oauth2/api/login", tc.ct, tc.body, tc.hdr...); status != tc.status || a.Failed != "BAD_REQUEST" {
			t.Errorf("%s: %d %+v", name, status, a)
		}
	}
	// A same-origin call still works after all that.
	if _, a := e.spaCall(cab.browser, "/aas/oauth2/api/login", "application/json", good, "Origin", e.issuer); a.Action != "DONE" {
		t.Fatalf("same-origin call: %+v", a)
	}
}

// TestSPALoginAPICodeLock: wrong codes through the API lock codes as the form's do; a new
// password login then answers ACCOUNT_LOCKED instead of sending a code.
func TestSPALoginAPICodeLock(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Lockout.MaxFailures = 3 })
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.authorize()
	if a := e.spaLogin(cab.browser, "+79990000004", "Test1234!"); a.Action != "ENTER_MFA" {
		t.Fatalf("login: %+v", a)
	}
	var last spaAnswer
	for range 3 {
		_, last = e.spaCall(cab.browser, "/aas/oauth2/api/login/totp/verify?code=000000", "", "")
	}
	if last.Failed != "ACCOUNT_LOCKED" || !strings.Contains(last.Message, "Ввод кодов временно заблокирован") {
		t.Fatalf("third wrong code: %+v", last)
	}
	// The form sees the same lock.
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000004", "Test1234!")
	if got := e.submitCode(cab.browser, pg, "code", "000000"); !strings.Contains(got.body, "Ввод кодов временно заблокирован") {
		t.Fatalf("form after the API's lock: %s", snippet(got.body))
	}
	cab.authorize()
	if a := e.spaLogin(cab.browser, "+79990000004", "Test1234!"); a.Failed != "ACCOUNT_LOCKED" {
		t.Fatalf("login while codes are locked: %+v", a)
	}
}
