package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// Issue 13, items 6–11: a stand a whole team shares.

// diff fails with the first place where two pages that must be identical differ.
func diff(t *testing.T, what, a, b string) {
	t.Helper()
	if a == b {
		return
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			t.Fatalf("%s: the pages differ at %q vs %q", what, a[max(0, i-100):min(len(a), i+100)], b[max(0, i-100):min(len(b), i+100)])
		}
	}
	t.Fatalf("%s: the pages differ in length (%d vs %d)", what, len(a), len(b))
}

// Item 6: who may read /outbox is a setting; admin needs the admin token (a Bearer header or
// the token form that sets an admin cookie), off hides it.
func TestOutboxExposure(t *testing.T) {
	sendCode := func(e *env) string { // a recovery code for the standard persona
		b := e.browser()
		rp := get(t, b, e.issuer+"/recover")
		submit(t, b, rp, browser.WithField("login"), map[string]string{"login": "+79990000002"})
		return e.lastMessage("+79990000002", "recovery_code").Code
	}
	t.Run("admin", func(t *testing.T) {
		e := newEnv(t, func(c *config.Config) { c.Outbox = config.OutboxAdmin })
		code := sendCode(e)
		b := e.browser()
		pg := get(t, b, e.issuer+"/outbox")
		if pg.status != http.StatusUnauthorized || strings.Contains(pg.body, code) {
			t.Fatalf("outbox without the token: %d, code shown: %v", pg.status, strings.Contains(pg.body, code))
		}
		// A wrong token shows the form again.
		if wrong := submit(t, b, pg, browser.WithField("token"), map[string]string{"token": "nope"}); wrong.status != http.StatusUnauthorized || strings.Contains(wrong.body, code) {
			t.Fatalf("wrong token: %d", wrong.status)
		}
		// The token form sets the admin cookie: the page then shows the code.
		pg = get(t, b, e.issuer+"/outbox")
		if in := submit(t, b, pg, browser.WithField("token"), map[string]string{"token": adminToken}); in.status != http.StatusOK || !strings.Contains(in.body, code) {
			t.Fatalf("after the token form: %d %s", in.status, snippet(in.body))
		}
		if again := get(t, b, e.issuer+"/outbox"); !strings.Contains(again.body, code) {
			t.Fatal("the admin cookie was not kept")
		}
		// A Bearer header works too.
		req, _ := http.NewRequest(http.MethodGet, e.issuer+"/outbox", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if pg := do(t, e.browser(), req); pg.status != http.StatusOK || !strings.Contains(pg.body, code) {
			t.Fatalf("outbox with a Bearer token: %d", pg.status)
		}
	})
	t.Run("default is admin", func(t *testing.T) {
		e := newEnv(t)
		if pg := get(t, e.browser(), e.issuer+"/outbox"); pg.status != http.StatusUnauthorized {
			t.Fatalf("outbox with the provider's default: %d", pg.status)
		}
	})
	t.Run("off", func(t *testing.T) {
		e := newEnv(t, func(c *config.Config) { c.Outbox = config.OutboxOff })
		sendCode(e)
		req, _ := http.NewRequest(http.MethodGet, e.issuer+"/outbox", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if pg := do(t, e.browser(), req); pg.status != http.StatusNotFound {
			t.Fatalf("outbox off: %d", pg.status)
		}
		// The admin API keeps its outbox: tests read codes there.
		if status, _ := e.admin("GET", "/admin/api/outbox", adminToken, ""); status != http.StatusOK {
			t.Fatalf("admin outbox with the page off: %d", status)
		}
	})
	t.Run("public", func(t *testing.T) {
		e := newEnv(t, func(c *config.Config) { c.Outbox = config.OutboxPublic })
		code := sendCode(e)
		if pg := get(t, e.browser(), e.issuer+"/outbox"); pg.status != http.StatusOK || !strings.Contains(pg.body, code) {
			t.Fatalf("public outbox: %d", pg.status)
		}
	})
}

// Item 7: recovery checks the code as its own step; the policy (which knows the account's
// personal data) runs only after a right code; an unknown account gets the same dummy
// challenge, timer and tries.
func TestRecoveryChecksTheCodeFirstAndTreatsUnknownAccountsAlike(t *testing.T) {
	e := newEnv(t)
	masked := regexp.MustCompile(`\*\*-\d\d`)
	type journey struct {
		b    *browser.Browser
		csrf string
	}
	start := func(login string) (journey, string) {
		b := e.browser()
		rp := get(t, b, e.issuer+"/recover")
		pg := submit(t, b, rp, browser.WithField("login"), map[string]string{"login": login})
		return journey{b, rp.form("csrf")}, pg.body
	}
	norm := func(j journey, body string) string {
		return masked.ReplaceAllString(strings.ReplaceAll(body, j.csrf, ""), "")
	}
	known, kb := start("+79990000002")
	unknown, ub := start("+79990001234")
	diff(t, "the code step", norm(known, kb), norm(unknown, ub))
	// Asking again at once: the same "a new code can be requested after …" for both.
	again := func(j journey, login string) string {
		typed := strings.ReplaceAll(login, "&#43;", "+")
		return strings.ReplaceAll(norm(j, post(t, j.b, e.issuer+"/recover", url.Values{"csrf": {j.csrf}, "login": {typed}}).body), login, "")
	}
	ka, ua := again(known, "&#43;79990000002"), again(unknown, "&#43;79990001234")
	if !strings.Contains(ka, "Новый код можно запросить после") {
		t.Fatalf("no resend timer for a known account: %s", ka)
	}
	diff(t, "asking again", ka, ua)
	// A wrong code with a password made of the account's personal data: only "wrong code",
	// never a policy message, and the same pages until the tries run out.
	for i := range 4 {
		form := func(j journey) url.Values {
			return url.Values{"csrf": {j.csrf}, "code": {"000000"}, "password": {"Петров1982"}, "password2": {"Петров1982"}}
		}
		k := norm(known, post(t, known.b, e.issuer+"/recover/confirm", form(known)).body)
		u := norm(unknown, post(t, unknown.b, e.issuer+"/recover/confirm", form(unknown)).body)
		if strings.Contains(k, "личные данные") || strings.Contains(k, "Пароль") && strings.Contains(k, "должен") {
			t.Fatalf("try %d: a policy message before a right code: %s", i+1, k)
		}
		if !strings.Contains(k, "код") {
			t.Fatalf("try %d: no code message: %s", i+1, snippet(k))
		}
		diff(t, "a wrong code", k, u)
	}
	// A fresh recovery for the known account: the right code opens the password step, where
	// the policy runs.
	e.clock.Advance(2 * time.Minute)
	j, _ := start("+79990000002")
	code := e.lastMessage("+79990000002", "recovery_code").Code
	pw := post(t, j.b, e.issuer+"/recover/confirm", url.Values{"csrf": {j.csrf}, "code": {code}})
	if !strings.Contains(pw.body, `name="password2"`) || strings.Contains(pw.body, `name="code"`) {
		t.Fatalf("the right code does not lead to the password step: %s", snippet(pw.body))
	}
	weak := submit(t, j.b, pw, browser.WithField("password"), map[string]string{"password": "Петров19820", "password2": "Петров19820"})
	if !strings.Contains(weak.body, "личные данные") {
		t.Fatalf("the policy does not run on the password step: %s", snippet(weak.body))
	}
	done := submit(t, j.b, weak, browser.WithField("password"), map[string]string{"password": "Novyi2024pass", "password2": "Novyi2024pass"})
	if !strings.Contains(done.body, "Пароль изменён") {
		t.Fatalf("password not changed: %s", snippet(done.body))
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.codeFrom(e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Novyi2024pass"))
}

// Item 8: an unconfirmed e-mail given at registration is neither a login nor reserved.
func TestUnconfirmedEmailIsNeitherLoginNorReserved(t *testing.T) {
	e := newEnv(t)
	register := func(phone, email string) (*browser.Browser, page) {
		b := e.browser()
		reg := get(t, b, e.issuer+"/register")
		pg := post(t, b, e.issuer+"/register", url.Values{"csrf": {reg.form("csrf")}, "last_name": {"Захаров"}, "first_name": {"Игорь"},
			"phone": {phone}, "email": {email}, "password": {"Vzlom2024pass"}, "password2": {"Vzlom2024pass"}, "agree": {"1"}, "pd": {"1"}})
		return b, pg
	}
	// The attacker registers with their own phone and the victim's e-mail, and confirms the phone.
	b, pg := register("+79995550001", "victim@example.org")
	code := e.lastMessage("+79995550001", "registration_code").Code
	submit(t, b, pg, browser.ByAction("/register/confirm"), map[string]string{"code": code})
	// The e-mail is not a login of the attacker's account.
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if got := e.approveConsent(cab.browser, e.submitLogin(cab.browser, cab.authorize(), "victim@example.org", "Vzlom2024pass")); got.location != "" {
		t.Fatal("an unconfirmed e-mail logged in")
	}
	// The real owner registers with it and confirms it.
	vb, vpg := register("", "victim@example.org")
	if !strings.Contains(vpg.body, `action="/register/confirm"`) {
		t.Fatalf("the owner cannot register with their e-mail: %s", snippet(vpg.body))
	}
	code = e.lastMessage("victim@example.org", "registration_code").Code
	submit(t, vb, vpg, browser.ByAction("/register/confirm"), map[string]string{"code": code})
	owner := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	owner.codeFrom(e.approveConsent(owner.browser, e.submitLogin(owner.browser, owner.authorize(), "victim@example.org", "Vzlom2024pass")))
}

// Item 9: the "attempts left" counters do not tell that a phone and an e-mail belong to one
// account: a known pair counts and locks exactly like an unknown pair.
func TestAttemptCountersDoNotLinkLogins(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	norm := func(pg page) string {
		s := strings.ReplaceAll(pg.body, pg.form("authRequestID"), "")
		s = strings.ReplaceAll(s, pg.form("csrf"), "")
		s = regexp.MustCompile(`7999\d{7}`).ReplaceAllString(s, "")
		return regexp.MustCompile(`[a-z.]+@example\.(ru|org)`).ReplaceAllString(s, "")
	}
	known := []string{"+79990000002", "sergey.petrov@example.ru"}
	unknown := []string{"+79991112233", "nobody.here@example.org"}
	for i := range 6 {
		k := e.submitLogin(cab.browser, cab.authorize(), known[i%2], "Wrong1234!")
		u := e.submitLogin(cab.browser, cab.authorize(), unknown[i%2], "Wrong1234!")
		if k.location != "" {
			t.Fatal("a wrong password logged in")
		}
		diff(t, "attempt "+string(rune('1'+i)), norm(k), norm(u))
	}
	// The account itself is locked (spread over its logins) and its owner was told.
	if got := e.submitLogin(cab.browser, cab.authorize(), "00000060002", "Test1234!"); got.location != "" {
		t.Fatal("the right password logged in after failures spread over the account's logins")
	}
	if msg := e.lastMessage("+79990000002", "lock_notice"); !strings.Contains(msg.Body, "заблокирован") {
		t.Fatalf("lock notice: %+v", msg)
	}
}

// Item 10: switching the second factor off checks the lock before the password, and counts
// wrong codes as well as wrong passwords.
func TestSwitchingOffTheSecondFactorChecksTheLockFirst(t *testing.T) {
	e := newEnv(t)
	login := func() (*browser.Browser, string) {
		b := e.browser()
		pg := e.submitLogin(b, get(t, b, e.issuer+"/account/security"), "+79990000004", "Test1234!")
		code, _ := otp.GenerateTOTP(config.DefaultTOTPSecret, e.clock.Now())
		pg = submit(t, b, pg, browser.ByAction("/login/code"), map[string]string{"code": code})
		if !strings.Contains(pg.body, `name="action"`) {
			t.Fatalf("security page: %s", snippet(pg.body))
		}
		return b, pg.form("csrf")
	}
	off := func(b *browser.Browser, csrf, pw, code string) string {
		return post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"off"}, "password": {pw}, "code": {code}}).body
	}
	b, csrf := login()
	e.clock.Advance(time.Minute) // a fresh TOTP window
	// Wrong codes with the right password are counted: the third locks.
	for range 3 {
		off(b, csrf, "Test1234!", "000000")
	}
	code, _ := otp.GenerateTOTP(config.DefaultTOTPSecret, e.clock.Now())
	if got := off(b, csrf, "Test1234!", code); !strings.Contains(got, "заблокирован") {
		t.Fatalf("wrong codes are not counted: %s", snippet(got))
	}
	// While locked, the right and a wrong password get the same answer.
	right, wrong := off(b, csrf, "Test1234!", "000000"), off(b, csrf, "Wrong1234!", "000000")
	diff(t, "right vs wrong password while locked", right, wrong)
	if !strings.Contains(right, "заблокирован") {
		t.Fatalf("not the lock: %s", snippet(right))
	}
}

// Item 11: behind a trusted proxy the client's address comes from X-Forwarded-For; an admin
// lifts an IP lock; a locked address is throttled, not refused a right password.
func TestTrustedProxiesAndIPLocks(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.0/8", "::1/128"}
		c.Lockout.IPMaxFailures = 4
	})
	loginFrom := func(ip, login, pw string) page {
		cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
		lp := cab.authorize()
		form := url.Values{"authRequestID": {lp.form("authRequestID")}, "csrf": {lp.form("csrf")}, "login": {login}, "password": {pw}}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, e.issuer+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// The client's own claim first, the proxy's view last: the rightmost untrusted hop wins.
		req.Header.Set("X-Forwarded-For", "198.51.100.99, "+ip)
		return e.approveConsent(cab.browser, do(t, cab.browser, req))
	}
	// Four failures from one citizen behind the proxy lock that citizen's address only.
	for _, l := range []string{"+79991110001", "+79991110002", "+79991110003", "+79991110004"} {
		loginFrom("203.0.113.5", l, "Wrong1234!")
	}
	if pg := loginFrom("203.0.113.5", "+79991110005", "Wrong1234!"); !strings.Contains(pg.body, "с вашего адреса") {
		t.Fatalf("the address is not locked: %s", snippet(pg.body))
	}
	if pg := loginFrom("203.0.113.6", "+79990000001", "Test1234!"); pg.location == "" {
		t.Fatalf("another citizen behind the proxy is locked out: %s", snippet(pg.body))
	}
	// The audit log records the citizen's address, not the proxy's.
	_, body := e.admin("GET", "/admin/api/audit?type=login_failed", adminToken, "")
	if !strings.Contains(body, "203.0.113.5") || strings.Contains(body, "198.51.100.99") {
		t.Fatalf("audit addresses: %s", snippet(body))
	}
	// The locked address is throttled: a right password still logs in; another attempt right
	// after it waits for the next slot.
	e.clock.Advance(15 * time.Second)
	if pg := loginFrom("203.0.113.5", "+79990000002", "Test1234!"); pg.location == "" {
		t.Fatalf("a right password from a locked address was refused: %s", snippet(pg.body))
	}
	if pg := loginFrom("203.0.113.5", "+79990000003", "Test1234!"); pg.location != "" || !strings.Contains(pg.body, "с вашего адреса") {
		t.Fatalf("a second attempt in the same slot was not throttled: %s", snippet(pg.body))
	}
	// The admin lifts the address's lock.
	status, body := e.admin("POST", "/admin/api/lockout/ip/203.0.113.5/unlock", adminToken, "")
	if status != http.StatusOK {
		t.Fatalf("IP unlock: %d %s", status, body)
	}
	var st struct {
		Locked bool `json:"locked"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Locked {
		t.Fatalf("IP unlock answer: %s", body)
	}
	if pg := loginFrom("203.0.113.5", "+79990000003", "Test1234!"); pg.location == "" {
		t.Fatalf("still locked after the admin unlock: %s", snippet(pg.body))
	}
	if status, _ := e.admin("POST", "/admin/api/lockout/ip/not-an-ip/unlock", adminToken, ""); status != http.StatusBadRequest {
		t.Fatalf("IP unlock of garbage: %d", status)
	}
}
