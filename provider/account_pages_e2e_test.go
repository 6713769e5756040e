package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

const chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

// fieldError checks that the page marks the field with id as invalid and points its
// aria-describedby at an element holding want.
func fieldError(t *testing.T, pg page, id, want string) {
	t.Helper()
	f := pg.pg.Find("#" + id)
	if f == nil || f.Attr("aria-invalid") != "true" {
		t.Fatalf("field #%s is not marked invalid: %s", id, snippet(pg.body))
	}
	found := false
	for _, ref := range strings.Fields(f.Attr("aria-describedby")) {
		if el := pg.pg.Find("#" + ref); el != nil && strings.Contains(el.Text(), want) {
			found = true
		}
	}
	if !found {
		t.Fatalf("field #%s: aria-describedby=%q names no element saying %q: %s", id, f.Attr("aria-describedby"), want, snippet(pg.body))
	}
}

// TestTOTPEnrolmentKeepsItsSecret: a wrong first code (and a reload) keeps the key and the QR
// code the citizen scanned; the right code for that key connects the app; the recovery codes
// are shown with a copy button and downloadable once, by that session only, never cached;
// the change is notified.
func TestTOTPEnrolmentKeepsItsSecret(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	pg := e.submitLogin(b, get(t, b, e.issuer+"/account/security"), "+79990000002", "Test1234!")
	csrf := pg.form("csrf")
	start := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"totp-start"}})
	secret, qr := start.pg.TextOf("#totp-secret"), start.pg.Find("img").Attr("src")
	if secret == "" || !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("enrolment page: %s", snippet(start.body))
	}
	right, _ := otp.GenerateTOTP(secret, e.clock.Now())
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	again := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"totp-confirm"}, "code": {wrong}})
	if got := again.pg.TextOf("#totp-secret"); got != secret || again.pg.Find("img").Attr("src") != qr {
		t.Fatalf("a wrong code changed the key: %q → %q: %s", secret, got, snippet(again.body))
	}
	fieldError(t, again, "code", "Код не подошёл")
	if got := get(t, b, e.issuer+"/account/security").pg.TextOf("#totp-secret"); got != secret {
		t.Fatalf("a reload lost the key: %q", got)
	}
	if got := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"totp-start"}}).pg.TextOf("#totp-secret"); got != secret {
		t.Fatalf("a second «Подключить» made a new key: %q", got)
	}

	// Another session of the same citizen sees no enrolment of this one.
	other := e.browser()
	opg := e.submitLogin(other, get(t, other, e.issuer+"/account/security"), "+79990000002", "Test1234!")
	if opg.pg.Find("#totp-secret") != nil {
		t.Fatalf("another session sees the enrolment: %s", snippet(opg.body))
	}

	done := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"totp-confirm"}, "code": {right}})
	codes := done.pg.Root().Texts(".recovery-code")
	if len(codes) != 10 || done.pg.Find("#copy-codes") == nil || done.pg.Find("#download-codes") == nil {
		t.Fatalf("recovery codes: %d, copy and download buttons: %s", len(codes), snippet(done.body))
	}
	if !strings.Contains(done.pg.Header.Get("Content-Security-Policy"), "script-src 'sha256-") {
		t.Fatalf("the copy script is not allowed by the CSP: %q", done.pg.Header.Get("Content-Security-Policy"))
	}
	if msg := e.lastMessage("sergey.petrov@example.ru", "security_notice"); !strings.Contains(msg.Body, "приложения-аутентификатора") {
		t.Fatalf("second-factor notice: %+v", msg)
	}

	file := e.issuer + "/account/security/esia-recovery-codes.txt"
	if got := get(t, other, file); got.status != http.StatusNotFound || strings.Contains(got.body, codes[0]) {
		t.Fatalf("another session downloaded the codes: %d %s", got.status, snippet(got.body))
	}
	dl := get(t, b, file)
	h := dl.pg.Header
	if dl.status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || h.Get("Cache-Control") != "no-store" ||
		h.Get("Content-Disposition") != `attachment; filename="esia-recovery-codes.txt"` {
		t.Fatalf("download: %d %v", dl.status, h)
	}
	for _, c := range codes {
		if !strings.Contains(dl.body, c) {
			t.Fatalf("the file lacks code %s: %s", c, dl.body)
		}
	}
	if got := get(t, b, file); got.status != http.StatusNotFound || !strings.Contains(got.body, "уже скачан") {
		t.Fatalf("a second download: %d %s", got.status, snippet(got.body))
	}

	// New recovery codes need the password and a current code; the old ones stop working.
	e.clock.Advance(30 * time.Second)
	now, _ := otp.GenerateTOTP(secret, e.clock.Now())
	bad := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"recovery-new"}, "password": {"Wrong1234!"}, "code": {now}})
	fieldError(t, bad, "regen-password", "Неверный пароль")
	fresh := post(t, b, e.issuer+"/account/security", url.Values{"csrf": {csrf}, "action": {"recovery-new"}, "password": {"Test1234!"}, "code": {now}})
	if got := fresh.pg.Root().Texts(".recovery-code"); len(got) != 10 || got[0] == codes[0] {
		t.Fatalf("new recovery codes: %q", got)
	}
	if msg := e.lastMessage("sergey.petrov@example.ru", "security_notice"); !strings.Contains(msg.Body, "новые коды восстановления") {
		t.Fatalf("recovery-codes notice: %+v", msg)
	}
}

// TestLogoutAndSecondFactorNotices: with notices on, a logout (from the account and from a
// relying party) sends «Выход из учётной записи»; switching the SMS code on is notified.
func TestLogoutAndSecondFactorNotices(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	pg := e.submitLogin(b, get(t, b, e.issuer+"/account/security"), "+79990000002", "Test1234!")
	post(t, b, e.issuer+"/account/security", url.Values{"csrf": {pg.form("csrf")}, "action": {"notify"}, "on": {"1"}})
	post(t, b, e.issuer+"/account/security", url.Values{"csrf": {pg.form("csrf")}, "action": {"sms-on"}})
	if msg := e.lastMessage("sergey.petrov@example.ru", "security_notice"); !strings.Contains(msg.Body, "по СМС") || msg.Subject != "Изменены настройки безопасности" {
		t.Fatalf("sms-on notice: %+v", msg)
	}
	out := post(t, b, e.issuer+"/account/logout", url.Values{"csrf": {pg.form("csrf")}})
	if out.status != http.StatusOK {
		t.Fatalf("logout: %d", out.status)
	}
	if msg := e.lastMessage("sergey.petrov@example.ru", "logout_notice"); msg.Subject != "Выход из учётной записи" || !strings.Contains(msg.Body, "выход") {
		t.Fatalf("logout notice: %+v", msg)
	}
}

// TestHistoryShowsReadableBrowsers: the login history and the sessions say "Chrome 126,
// Windows", not the User-Agent string; the registration's login names its service.
func TestHistoryShowsReadableBrowsers(t *testing.T) {
	e := newEnv(t)
	b := browser.New(browser.Options{Client: e.srv.Client(), Stop: []browser.StopRule{browser.Outside(e.issuer)},
		Header: http.Header{"User-Agent": {chromeUA}}})
	e.submitLogin(b, get(t, b, e.issuer+"/account/history"), "+79990000002", "Test1234!")
	hist := get(t, b, e.issuer+"/account/history")
	if !strings.Contains(hist.body, "Chrome 126, Windows") || strings.Contains(hist.body, "AppleWebKit") {
		t.Fatalf("history: %s", snippet(hist.body))
	}
	sess := get(t, b, e.issuer+"/account/sessions")
	if !strings.Contains(sess.body, "Chrome 126, Windows") || strings.Contains(sess.body, "AppleWebKit") {
		t.Fatalf("sessions: %s", snippet(sess.body))
	}
}

// TestProfileShowsWhatItHoldsAndAFailedCheck: the profile shows every field it stores (dates
// ДД.ММ.ГГГГ), a refused passport looks like a failure — no green «Данные сохранены» — and
// «Исправить» leads to the form holding the data.
func TestProfileShowsWhatItHoldsAndAFailedCheck(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	acc := e.submitLogin(b, get(t, b, e.issuer+"/account?edit=1"), "+79990000001", "Test1234!")
	// Passport numbers starting with 000 are invalid by the interior ministry's default rule.
	saved := post(t, b, e.issuer+"/account/profile", url.Values{"csrf": {acc.form("csrf")}, "birth_date": {"31.01.1985"}, "gender": {"F"},
		"birth_place": {"г. Тула"}, "snils": {"112-233-445 95"}, "inn": {"770708389324"}, "passport_series": {"4510"}, "passport_number": {"000111"},
		"passport_date": {"20.05.2010"}, "passport_issuer": {"ОВД Тверского района"}, "passport_unit": {"770-001"}, "address": {"г. Москва, ул. Тверская, д. 1"}})
	for _, want := range []string{"31.01.1985", "женский", "г. Тула", "112-233-445 95", "770708389324", "4510 000111", "20.05.2010",
		"ОВД Тверского района", "770-001", "г. Москва, ул. Тверская, д. 1", "+79990000001"} {
		if !strings.Contains(saved.pg.Find("table").Text(), want) {
			t.Errorf("the profile does not show %q: %s", want, snippet(saved.pg.Find("table").Text()))
		}
	}
	if strings.Contains(saved.body, "Данные сохранены") {
		t.Errorf("a refused check under a green «Данные сохранены»: %s", snippet(saved.body))
	}
	box := saved.pg.Find("#failed-checks")
	if box == nil || !strings.Contains(box.Text(), "Проверка данных не пройдена") || saved.pg.Find(".tag.bad") == nil {
		t.Fatalf("no failure shown: %s", snippet(saved.body))
	}
	fix, ok := saved.pg.Link("Исправить")
	if !ok {
		t.Fatalf("no «Исправить»: %s", snippet(saved.body))
	}
	form := get(t, b, fix.String())
	if form.form("passport_number") != "000111" || form.form("passport_date") != "20.05.2010" || form.form("birth_date") != "31.01.1985" {
		t.Fatalf("«Исправить» form: %s", snippet(form.body))
	}
}

// TestFieldErrorsSitNextToTheirFields: registration and profile problems are shown under
// their fields and tied to them (aria-invalid, aria-describedby); the agreement stays ticked.
func TestFieldErrorsSitNextToTheirFields(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	reg := get(t, b, e.issuer+"/register")
	pg := post(t, b, e.issuer+"/register", url.Values{"csrf": {reg.form("csrf")}, "last_name": {"Белов"}, "first_name": {"Артём"},
		"phone": {"12"}, "password": {"Good1234!x"}, "password2": {"Other1234!x"}, "agree": {"1"}})
	fieldError(t, pg, "phone", "")
	fieldError(t, pg, "password2", "Пароли не совпадают")
	fieldError(t, pg, "pd", "")
	if _, ok := pg.pg.Find("#agree").Lookup("checked"); !ok {
		t.Fatalf("the agreement was unticked: %s", snippet(pg.body))
	}
	if pg.pg.Find("#last_name").Attr("aria-invalid") != "" {
		t.Fatalf("a right field is marked invalid")
	}

	acc := e.submitLogin(b, get(t, b, e.issuer+"/account?edit=1"), "+79990000001", "Test1234!")
	bad := post(t, b, e.issuer+"/account/profile", url.Values{"csrf": {acc.form("csrf")}, "birth_date": {"31.13.1985"}, "snils": {"112-233-445 96"}})
	fieldError(t, bad, "birth_date", "")
	fieldError(t, bad, "snils", "")
	if got := bad.pg.Find("#birth_date").Attr("aria-describedby"); !strings.Contains(got, "date-format") {
		t.Fatalf("the date hint is lost: %q", got)
	}

	rb := e.browser()
	rec := get(t, rb, e.issuer+"/recover")
	fieldError(t, post(t, rb, e.issuer+"/recover", url.Values{"csrf": {rec.form("csrf")}, "login": {"не логин"}}), "login", "")
}
