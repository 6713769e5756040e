package provider_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

type outboxMessage struct {
	ID, Channel, To, Subject, Body, Kind, Code string
}

// lastMessage returns the newest outbox message for a recipient.
func (e *env) lastMessage(to, kind string) outboxMessage {
	e.t.Helper()
	status, body := e.admin("GET", "/admin/api/outbox?limit=1&to="+url.QueryEscape(to)+"&kind="+kind, adminToken, "")
	var msgs []outboxMessage
	if err := json.Unmarshal([]byte(body), &msgs); status != http.StatusOK || err != nil || len(msgs) != 1 {
		e.t.Fatalf("outbox for %s: %d %s", to, status, body)
	}
	return msgs[0]
}

func (pg page) isCodeForm() bool { return strings.Contains(pg.body, `action="/login/code"`) }

func (e *env) submitCode(c *browser.Browser, pg page, field, code string) page {
	e.t.Helper()
	if !pg.isCodeForm() {
		e.t.Fatalf("expected the code form, got %d %q %s", pg.status, pg.location, snippet(pg.body))
	}
	return post(e.t, c, e.issuer+"/login/code", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, field: {code}})
}

func amrOf(t *testing.T, c map[string]any) string {
	t.Helper()
	var out []string
	for _, v := range c["amr"].([]any) {
		out = append(out, v.(string))
	}
	return strings.Join(out, " ")
}

func TestSMSSecondFactor(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	if !pg.isCodeForm() || !strings.Contains(pg.body, "(999) ***-**-05") {
		t.Fatalf("no SMS code page: %s", snippet(pg.body))
	}
	msg := e.lastMessage("+79990000005", "login_code")
	if len(msg.Code) != 6 || !strings.Contains(msg.Body, msg.Code) {
		t.Fatalf("SMS: %+v", msg)
	}
	// Wrong code: the tries count down, the page says how many are left.
	wrong := e.submitCode(cab.browser, pg, "code", "000000")
	if msg.Code == "000000" || !strings.Contains(wrong.body, "Осталось попыток: 2") {
		t.Fatalf("wrong code page: %s", snippet(wrong.body))
	}
	_, idt := cab.mustExchange(cab.codeFrom(e.submitCode(cab.browser, wrong, "code", msg.Code)))
	c := claims(t, idt)
	if amrOf(t, c) != "pwd sms mfa" || c["acr"] != "urn:esia:acr:2" {
		t.Fatalf("amr %v acr %v", c["amr"], c["acr"])
	}
	// The session is a two-factor one: a relying party demanding two factors gets a code silently.
	es := e.rp("es-client", "es-secret", "http://127.0.0.1:9100/cb", cab.browser)
	es.codeFrom(es.authorize(oauth2.SetAuthURLParam("acr_values", "urn:esia:acr:2")))
}

func TestSMSCodeRules(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	first := e.lastMessage("+79990000005", "login_code")
	// "Send again" is refused before 60 s, allowed after.
	resend := func() page {
		return post(t, cab.browser, e.issuer+"/login/code", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "resend": {"1"}})
	}
	if got := resend(); !strings.Contains(got.body, "Новый код можно запросить после") {
		t.Fatalf("early resend: %s", snippet(got.body))
	}
	e.clock.Advance(61 * time.Second)
	resend()
	second := e.lastMessage("+79990000005", "login_code")
	if second.ID == first.ID {
		t.Fatal("no new code after 60 s")
	}
	// The new code expires after 300 s.
	e.clock.Advance(300 * time.Second)
	if got := e.submitCode(cab.browser, pg, "code", second.Code); !strings.Contains(got.body, "истёк") && !strings.Contains(got.body, "код") {
		t.Fatalf("expired code accepted: %d %q", got.status, got.location)
	}
}

func TestThreeWrongCodesKillTheCode(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Lockout.MaxFailures = 10 }) // keep the lock out of the way
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	code := e.lastMessage("+79990000005", "login_code").Code
	wrong := "111111"
	if code == wrong {
		wrong = "222222"
	}
	for range 3 {
		pg = e.submitCode(cab.browser, pg, "code", wrong)
	}
	got := e.submitCode(cab.browser, pg, "code", code)
	if got.location != "" || !strings.Contains(got.body, "исчерпаны") && !strings.Contains(got.body, "Запросите новый код") {
		t.Fatalf("the right code after three wrong ones: %d %q %s", got.status, got.location, snippet(got.body))
	}
}

func TestTOTPSecondFactor(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000004", "Test1234!")
	if !pg.isCodeForm() || !strings.Contains(pg.body, "приложения-аутентификатора") {
		t.Fatalf("no TOTP page: %s", snippet(pg.body))
	}
	code, err := otp.GenerateTOTP(config.DefaultTOTPSecret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, idt := cab.mustExchange(cab.codeFrom(e.submitCode(cab.browser, pg, "code", code)))
	if amrOf(t, claims(t, idt)) != "pwd otp mfa" {
		t.Fatalf("amr %v", claims(t, idt)["amr"])
	}
	// The same time step is not accepted twice.
	other := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg = e.submitLogin(other.browser, other.authorize(), "+79990000004", "Test1234!")
	if got := e.submitCode(other.browser, pg, "code", code); got.location != "" || !strings.Contains(got.body, "уже использован") {
		t.Fatalf("replayed TOTP code: %d %q", got.status, got.location)
	}
	// The next step's code works.
	e.clock.Advance(30 * time.Second)
	next, _ := otp.GenerateTOTP(config.DefaultTOTPSecret, e.clock.Now())
	other.codeFrom(e.submitCode(other.browser, pg, "code", next))
}

func TestStepUpAsksOnlyTheSecondFactor(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	_, first := cab.mustExchange(cab.loginAs("+79990000003"))
	if claims(t, first)["acr"] != "urn:esia:acr:1" {
		t.Fatal("one-factor login with acr 2")
	}
	pg := cab.authorize(oauth2.SetAuthURLParam("acr_values", "urn:esia:acr:2"))
	if pg.isLoginForm() || !pg.isCodeForm() {
		t.Fatalf("step-up should ask only for the code: %s", snippet(pg.body))
	}
	code := e.lastMessage("+79990000003", "login_code").Code
	_, idt := cab.mustExchange(cab.codeFrom(e.submitCode(cab.browser, pg, "code", code)))
	if c := claims(t, idt); c["acr"] != "urn:esia:acr:2" || amrOf(t, c) != "pwd sms mfa" {
		t.Fatalf("after step-up: %v %v", c["acr"], c["amr"])
	}
	// prompt=none cannot step up.
	other := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	other.mustExchange(other.loginAs("+79990000002"))
	if got := other.authorize(oauthPrompt("none"), oauth2.SetAuthURLParam("acr_values", "urn:esia:acr:2")).query("error"); got != "login_required" {
		t.Fatalf("prompt=none step-up: %q", got)
	}
}

func TestLockoutAfterThreeWrongPasswords(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	var pg page
	for i, want := range []string{"Осталось попыток: 2", "Осталось попыток: 1", "временно заблокирован"} {
		pg = e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!")
		if !strings.Contains(pg.body, want) {
			t.Fatalf("attempt %d: want %q in %s", i+1, want, snippet(pg.body))
		}
	}
	until := e.clock.Now().Add(15 * time.Minute).In(time.FixedZone("MSK", 3*3600)).Format("15:04")
	if !strings.Contains(pg.body, until) {
		t.Fatalf("the lock page does not say when it ends (%s): %s", until, snippet(pg.body))
	}
	// The right password is refused while locked.
	if got := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Test1234!"); got.location != "" || !strings.Contains(got.body, "временно заблокирован") {
		t.Fatalf("right password while locked: %d %q", got.status, got.location)
	}
	// A lock notice went to the citizen.
	if msg := e.lastMessage("+79990000002", "lock_notice"); !strings.Contains(msg.Body, "заблокирован") {
		t.Fatalf("lock notice: %+v", msg)
	}
	// The admin API shows the lock; the lock ends by itself after 15 minutes.
	_, body := e.admin("GET", "/admin/api/personas/1000000002/lockout", adminToken, "")
	if !strings.Contains(body, `"locked": true`) {
		t.Fatalf("admin lockout: %s", body)
	}
	e.clock.Advance(15*time.Minute + time.Second)
	cab.mustExchange(cab.loginAs("+79990000002"))
}

func TestAdminUnlock(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	for range 3 {
		e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!")
	}
	status, body := e.admin("POST", "/admin/api/personas/standard/unlock", adminToken, "")
	if status != http.StatusOK || !strings.Contains(body, `"attempts_left": 3`) {
		t.Fatalf("unlock: %d %s", status, body)
	}
	cab.mustExchange(cab.loginAs("+79990000002"))
}

func TestUnknownLoginLocksLikeAKnownOne(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	norm := func(pg page) string {
		s := strings.ReplaceAll(pg.body, pg.form("authRequestID"), "")
		s = strings.ReplaceAll(s, pg.form("csrf"), "")
		return regexp.MustCompile(`7999\d{7}`).ReplaceAllString(s, "")
	}
	for i := range 4 {
		known := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!")
		unknown := e.submitLogin(cab.browser, cab.authorize(), "+79991112233", "Wrong1234!")
		if norm(known) != norm(unknown) {
			t.Fatalf("attempt %d: the pages for a known and an unknown login differ", i+1)
		}
	}
}

func TestConcurrentWrongPasswordsLockExactly(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Lockout.IPMaxFailures = -1 })
	const n = 200
	type attempt struct {
		c  *browser.Browser
		pg page
	}
	attempts := make([]attempt, n)
	for i := range attempts {
		b := e.browser()
		cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, b)
		attempts[i] = attempt{b, cab.authorize()}
	}
	right := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	rightPage := right.authorize()
	var wg sync.WaitGroup
	results := make([]page, n)
	for i, a := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = post(t, a.c, e.issuer+"/login", url.Values{"authRequestID": {a.pg.form("authRequestID")}, "csrf": {a.pg.form("csrf")},
				"login": {"+79990000002"}, "password": {fmt.Sprintf("Wrong%04d!", i)}})
		}()
	}
	wg.Wait()
	counted := 0
	for _, r := range results {
		if strings.Contains(r.body, "Осталось попыток") {
			counted++
		}
	}
	if counted != 2 {
		t.Fatalf("%d attempts were answered before the lock, want exactly 2 (the third locks)", counted)
	}
	_, body := e.admin("GET", "/admin/api/personas/1000000002/lockout", adminToken, "")
	if !strings.Contains(body, `"locked": true`) {
		t.Fatalf("not locked after 200 wrong passwords: %s", body)
	}
	if got := e.submitLogin(right.browser, rightPage, "+79990000002", "Test1234!"); got.location != "" {
		t.Fatal("the right password logged in while locked")
	}
}

func TestSecondFactorEnrolmentOnTheAccountPage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	pg := e.submitLogin(b, get(t, b, e.issuer+"/account/security"), "+79990000002", "Test1234!")
	if !strings.Contains(pg.body, "Подключить приложение-аутентификатор") {
		t.Fatalf("security page: %s", snippet(pg.body))
	}
	csrf := pg.form("csrf")
	start := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"totp-start"}})
	secret := start.pg.TextOf("#totp-secret")
	if secret == "" || !strings.HasPrefix(start.pg.Find("img").Attr("src"), "data:image/png;base64,") {
		t.Fatalf("enrolment page: %s", snippet(start.body))
	}
	code, _ := otp.GenerateTOTP(secret, e.clock.Now())
	done := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"totp-confirm"}, "code": {code}})
	recovery := done.pg.Root().Texts(".recovery-code")
	if len(recovery) != 10 {
		t.Fatalf("want 10 recovery codes, got %d: %s", len(recovery), snippet(done.body))
	}
	// The next login asks for the code; a recovery code works once.
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	lp := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Test1234!")
	cab.mustExchange(cab.codeFrom(e.submitCode(cab.browser, lp, "recovery", recovery[0])))
	cab2 := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	lp = e.submitLogin(cab2.browser, cab2.authorize(), "+79990000002", "Test1234!")
	if got := e.submitCode(cab2.browser, lp, "recovery", recovery[0]); got.location != "" {
		t.Fatal("a recovery code worked twice")
	}
	// Switching off needs the password and a current code.
	e.clock.Advance(30 * time.Second)
	now, _ := otp.GenerateTOTP(secret, e.clock.Now())
	if got := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"off"}, "password": {"Wrong1234!"}, "code": {now}}); !strings.Contains(got.body, "Неверный пароль") {
		t.Fatalf("off with a wrong password: %s", snippet(got.body))
	}
	if got := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"off"}, "password": {"Test1234!"}, "code": {now}}); !strings.Contains(got.body, "Настройки сохранены") {
		t.Fatalf("off: %s", snippet(got.body))
	}
}

func TestLoginNotifications(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	pg := e.submitLogin(b, get(t, b, e.issuer+"/account/security"), "+79990000002", "Test1234!")
	post(t, b, e.issuer+"/account/security", url.Values{"csrf": {pg.form("csrf")}, "action": {"notify"}, "on": {"1"}})
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.loginAs("+79990000002")
	if msg := e.lastMessage("sergey.petrov@example.ru", "login_notice"); !strings.Contains(msg.Body, "Демо-кабинет") {
		t.Fatalf("login notice: %+v", msg)
	}
}

func TestOutboxWaitsForTheNextMessage(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	done := make(chan outboxMessage, 1)
	go func() {
		// after=0: any message to the number counts, so the answer does not depend on whether the
		// login below sends its code before or after the waiter starts.
		_, body := e.admin("GET", "/admin/api/outbox?wait=20s&after=0&to="+url.QueryEscape("+79990000005"), adminToken, "")
		var m outboxMessage
		_ = json.Unmarshal([]byte(body), &m)
		done <- m
	}()
	// The number has no message yet: the one the waiter gets is the login's code.
	e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	m := <-done
	if m.Kind != "login_code" || len(m.Code) != 6 {
		t.Fatalf("wait returned %+v", m)
	}
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/outbox?to=%2B79990000005", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken) // the page needs the admin token (outbox: admin)
	if pg := do(t, e.browser(), req); !strings.Contains(pg.body, m.Code) {
		t.Fatal("the outbox page does not show the code")
	}
}

func TestOutboxFilterAcceptsAnyPhoneSpelling(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	for _, to := range []string{"89990000005", "+7 999 000-00-05", " 79990000005", "%2B79990000005"} {
		q := to
		if !strings.HasPrefix(to, "%") {
			q = url.QueryEscape(to)
		}
		status, body := e.admin("GET", "/admin/api/outbox?to="+q, adminToken, "")
		if status != http.StatusOK || !strings.Contains(body, `"to": "+79990000005"`) {
			t.Fatalf("to=%q: %d %s", to, status, body)
		}
	}
}

// TestCodePageTellsTheTruthAfterLockout: after wrong codes up to the lock, the page still names
// the number, does not describe a dead code ("Код действует до ."), and offers the resend button
// disabled until the lock ends, with a countdown (scripted) and a reload without scripts.
func TestCodePageTellsTheTruthAfterLockout(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Lockout.MaxFailures = 3 })
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	for i := 0; i < 3; i++ {
		pg = post(t, cab.browser, e.issuer+"/login/code", url.Values{"authRequestID": {pg.form("authRequestID")}, "csrf": {pg.form("csrf")}, "code": {"000000"}})
	}
	body := pg.body
	for _, want := range []string{"(999) ***-**-05", `id="resend" disabled data-wait="`, `http-equiv="refresh"`, "Запросить новый код можно в"} {
		if !strings.Contains(body, want) {
			t.Errorf("locked code page lacks %q: %s", want, body)
		}
	}
	if strings.Contains(body, "Код действует до .") || strings.Contains(body, "Осталось попыток: 0") {
		t.Errorf("locked code page describes a dead code: %s", body)
	}
	// The resend time shown is the lock's end, not the resend pause's.
	lock := regexp.MustCompile(`снова после (\d\d:\d\d)`).FindStringSubmatch(body)
	resend := regexp.MustCompile(`новый код можно в (\d\d:\d\d)`).FindStringSubmatch(body)
	if lock == nil || resend == nil || lock[1] != resend[1] {
		t.Errorf("lock until %v, resend at %v: %s", lock, resend, body)
	}
	if csp := pg.pg.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") {
		t.Errorf("the countdown script is not allowed by hash: %q", csp)
	}
}

// TestExpiredCodeSaysANewOneWasSent: a code typed after it expired is answered with the new code
// sent, not "ask for a new code".
func TestExpiredCodeSaysANewOneWasSent(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000005", "Test1234!")
	first := e.lastMessage("+79990000005", "login_code")
	e.clock.Advance(301 * time.Second)
	got := e.submitCode(cab.browser, pg, "code", first.Code)
	if !strings.Contains(got.body, "Новый код отправлен на номер") || strings.Contains(got.body, "Запросите новый код") {
		t.Fatalf("expired code page: %s", got.body)
	}
	if second := e.lastMessage("+79990000005", "login_code"); second.ID == first.ID {
		t.Fatal("no new code was sent")
	}
}
