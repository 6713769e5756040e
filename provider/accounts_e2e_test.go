package provider_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
)

func TestRegistrationToConfirmedAndARelyingPartyThatRequiresIt(t *testing.T) {
	e := newEnv(t)
	ri := e.rp("confirmed-only", "ri-secret", "http://127.0.0.1:9200/cb", nil)
	b := ri.browser
	login := ri.authorize()
	reg := get(t, b, e.issuer+"/register?authRequestID="+login.form("authRequestID"))
	form := url.Values{"csrf": {reg.form("csrf")}, "authRequestID": {login.form("authRequestID")}, "last_name": {"Новикова"}, "first_name": {"Ольга"},
		"middle_name": {"Петровна"}, "phone": {"8 (912) 555-12-34"}, "email": {"olga.novikova@example.ru"}, "password": {"Kvartal2024"}, "password2": {"Kvartal2024"}}
	// Without the agreement and the personal-data consent: refused.
	if pg := post(t, b, e.issuer+"/register", form); !strings.Contains(pg.body, "пользовательское соглашение") {
		t.Fatalf("registration without consents: %s", snippet(pg.body))
	}
	// A weak password: refused with the policy's words.
	weak := url.Values{}
	for k, v := range form {
		weak[k] = v
	}
	weak.Set("password", "aaa12345")
	weak.Set("password2", "aaa12345")
	weak.Set("agree", "1")
	weak.Set("pd", "1")
	if pg := post(t, b, e.issuer+"/register", weak); !strings.Contains(pg.body, "заглавные и строчные") {
		t.Fatalf("weak password: %s", snippet(pg.body))
	}
	form.Set("agree", "1")
	form.Set("pd", "1")
	pg := post(t, b, e.issuer+"/register", form)
	if !strings.Contains(pg.body, `action="/register/confirm"`) {
		t.Fatalf("no code step: %s", snippet(pg.body))
	}
	code := e.lastMessage("+79125551234", "registration_code").Code
	pg = post(t, b, e.issuer+"/register/confirm", url.Values{"csrf": {reg.form("csrf")}, "code": {code}})
	// The new, simplified citizen continues the login: the cabinet needs a confirmed account.
	if pg.status != http.StatusForbidden || !strings.Contains(pg.body, "подтверждённой учётной записью") {
		t.Fatalf("after registration: %d %s", pg.status, snippet(pg.body))
	}
	// The registration's login is the service's («Реестр инвалидов» here), not a blank.
	if hist := get(t, b, e.issuer+"/account/history"); !strings.Contains(hist.body, "Реестр инвалидов") {
		t.Fatalf("history after registration: %s", snippet(hist.body))
	}
	// The same phone cannot register again.
	again := get(t, e.browser(), e.issuer+"/register")
	dup := url.Values{"csrf": {again.form("csrf")}, "last_name": {"Иванов"}, "first_name": {"Иван"}, "phone": {"+79125551234"}, "password": {"Kvartal2024"}, "password2": {"Kvartal2024"}, "agree": {"1"}, "pd": {"1"}}
	if dp := post(t, e.browser(), e.issuer+"/register", dup); dp.status == http.StatusOK && !strings.Contains(dp.body, "Запрос отклонён") && !strings.Contains(dp.body, "уже используется") {
		t.Fatalf("duplicate phone: %s", snippet(dp.body))
	}

	// Profile → standard: SNILS and passport checked by the emulated registries.
	acc := get(t, b, e.issuer+"/account?edit=1")
	if !strings.Contains(acc.body, "упрощённая") {
		t.Fatalf("level after registration: %s", snippet(acc.body))
	}
	prof := url.Values{"csrf": {acc.form("csrf")}, "birth_date": {"12.04.1985"}, "birth_place": {"г. Пермь"}, "gender": {"F"},
		"snils": {"112-233-445 95"}, "passport_series": {"5705"}, "passport_number": {"123456"}, "passport_date": {"20.05.2005"},
		"passport_issuer": {"ОВД Ленинского района г. Перми"}, "passport_unit": {"592-001"}, "address": {"614000, г. Пермь, ул. Ленина, д. 1, кв. 1"}}
	acc = post(t, b, e.issuer+"/account/profile", prof)
	if !strings.Contains(acc.body, `id="level">стандартная`) {
		t.Fatalf("level after the registry checks: %s", snippet(acc.body))
	}
	// Dates typed as ДД.ММ.ГГГГ are kept as ГГГГ-ММ-ДД and shown back as typed.
	if ed := get(t, b, e.issuer+"/account?edit=1"); !strings.Contains(ed.body, `value="12.04.1985"`) || !strings.Contains(ed.body, `value="20.05.2005"`) {
		t.Fatalf("the profile form does not show the dates as ДД.ММ.ГГГГ: %s", ed.body)
	}
	if m := e.lastMessage("olga.novikova@example.ru", ""); !strings.Contains(m.Body+m.Subject, "тандартн") {
		t.Fatalf("no notice of the new level: %+v", m)
	}
	// Confirmation by a registered letter's code.
	post(t, b, e.issuer+"/account/confirm", url.Values{"csrf": {acc.form("csrf")}, "action": {"letter"}})
	letter := e.lastMessage("", "letter_code")
	if letter.Channel != "post" || letter.Code == "" {
		t.Fatalf("letter: %+v", letter)
	}
	acc = post(t, b, e.issuer+"/account/confirm", url.Values{"csrf": {acc.form("csrf")}, "action": {"letter-code"}, "code": {letter.Code}})
	if !strings.Contains(acc.body, `id="level">подтверждённая`) {
		t.Fatalf("after the letter code: %s", snippet(acc.body))
	}
	// Now the cabinet that requires a confirmed account lets her in, and sees the level.
	_, idt := ri.mustExchange(ri.codeFrom(ri.authorize()))
	if c := claims(t, idt); c["level"] != "confirmed" || c["trusted"] != true {
		t.Fatalf("level claims: %v %v", c["level"], c["trusted"])
	}
}

func TestRegistryRefusalIsShownWithItsReason(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	acc := e.submitLogin(b, get(t, b, e.issuer+"/account?edit=1"), "+79990000001", "Test1234!")
	// Passport numbers starting with 000 are invalid by the interior ministry's default rule.
	acc = post(t, b, e.issuer+"/account/profile", url.Values{"csrf": {acc.form("csrf")}, "snils": {"112-233-445 95"},
		"passport_series": {"4510"}, "passport_number": {"000111"}})
	if !strings.Contains(acc.body, "проверка не пройдена") || !strings.Contains(acc.body, "упрощённая") {
		t.Fatalf("refused passport: %s", snippet(acc.body))
	}
}

func TestRegistryDelayFollowsTheClock(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Proofing.Delay = config.Duration(10 * time.Minute) })
	b := e.browser()
	acc := e.submitLogin(b, get(t, b, e.issuer+"/account?edit=1"), "+79990000001", "Test1234!")
	acc = post(t, b, e.issuer+"/account/profile", url.Values{"csrf": {acc.form("csrf")}, "snils": {"112-233-445 95"},
		"passport_series": {"4510"}, "passport_number": {"123456"}})
	if !strings.Contains(acc.body, "на проверке") {
		t.Fatalf("checks under way: %s", snippet(acc.body))
	}
	e.clock.Advance(9 * time.Minute)
	if pg := get(t, b, e.issuer+"/account"); strings.Contains(pg.body, `id="level">стандартная`) {
		t.Fatal("the registries answered before their delay")
	}
	e.clock.Advance(time.Minute)
	if pg := get(t, b, e.issuer+"/account"); !strings.Contains(pg.body, `id="level">стандартная`) {
		t.Fatalf("after 10 minutes: %s", snippet(pg.body))
	}
}

func TestPasswordRecovery(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	old := e.browser()
	e.rp("demo-cabinet", "demo-secret", cabinetRedirect, old).loginAs("+79990000002")
	for range 3 { // locked
		e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Wrong1234!")
	}
	lp := cab.authorize()
	rp := get(t, cab.browser, e.issuer+"/recover?authRequestID="+lp.form("authRequestID"))
	step := post(t, cab.browser, e.issuer+"/recover", url.Values{"csrf": {rp.form("csrf")}, "login": {"+79990000002"}, "authRequestID": {lp.form("authRequestID")}})
	unknown := post(t, e.browser(), e.issuer+"/recover", url.Values{"csrf": {rp.form("csrf")}, "login": {"+79990009999"}})
	if !strings.Contains(step.body, "Если учётная запись с такими данными есть") {
		t.Fatalf("recovery step: %s", snippet(step.body))
	}
	_ = unknown // another browser: its CSRF token is refused, which is fine — the same page text is checked above
	code := e.lastMessage("+79990000002", "recovery_code").Code
	// The code first, on its own; then the new password (issue 13 item 7).
	post(t, cab.browser, e.issuer+"/recover/confirm", url.Values{"csrf": {rp.form("csrf")}, "code": {code}})
	done := post(t, cab.browser, e.issuer+"/recover/password", url.Values{"csrf": {rp.form("csrf")}, "password": {"Novyi2024pass"}, "password2": {"Novyi2024pass"}})
	// The journey ends on «Пароль изменён»; its button goes back into the flow, where the lock
	// is lifted and the new password works.
	if !strings.Contains(done.body, "Пароль изменён") || !strings.Contains(done.body, "Войти с новым паролем") {
		t.Fatalf("recovery does not end on «Пароль изменён»: %s", snippet(done.body))
	}
	back := get(t, cab.browser, e.issuer+"/login?authRequestID="+url.QueryEscape(lp.form("authRequestID")))
	cab.codeFrom(e.submitLogin(cab.browser, back, "+79990000002", "Novyi2024pass"))
	// The other sessions ended.
	if !get(t, old, e.issuer+"/account").isLoginForm() {
		t.Fatal("an old session survived the password reset")
	}
}

func TestRecoveryDoesNotRevealAccounts(t *testing.T) {
	e := newEnv(t)
	page := func(login string) string {
		b := e.browser()
		rp := get(t, b, e.issuer+"/recover")
		pg := post(t, b, e.issuer+"/recover", url.Values{"csrf": {rp.form("csrf")}, "login": {login}})
		s := strings.ReplaceAll(pg.body, rp.form("csrf"), "")
		return regexp.MustCompile(`\*\*-\d\d`).ReplaceAllString(s, "")
	}
	if page("+79990000002") != page("+79990001234") {
		t.Fatal("recovery answers differ for a known and an unknown phone")
	}
}

func TestAdminStatusAndServiceCentre(t *testing.T) {
	e := newEnv(t)
	// Suspend: login refused with the reason.
	if status, body := e.admin("POST", "/admin/api/personas/standard/status", adminToken, `{"status":"suspended","reason":"Подозрительная активность"}`); status != http.StatusOK {
		t.Fatalf("suspend: %d %s", status, body)
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Test1234!"); !strings.Contains(pg.body, "Подозрительная активность") {
		t.Fatalf("suspended login: %s", snippet(pg.body))
	}
	if status, _ := e.admin("POST", "/admin/api/personas/standard/status", adminToken, `{"status":"needs_confirmation","reason":"Обновите паспорт"}`); status != http.StatusBadRequest {
		t.Fatalf("needs_confirmation without a deadline: %d", status)
	}
	deadline := e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	if status, body := e.admin("POST", "/admin/api/personas/standard/status", adminToken, `{"status":"needs_confirmation","reason":"Обновите паспорт","deadline":"`+deadline+`"}`); status != http.StatusOK {
		t.Fatalf("needs_confirmation: %d %s", status, body)
	}
	// Allowed until the deadline, and told so at login: the notice names the date (ДД.ММ.ГГГГ,
	// Moscow) and the reason, links to the profile, and «Продолжить вход» finishes the login.
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000002", "Test1234!")
	wantDate := e.clock.Now().Add(48 * time.Hour).In(time.FixedZone("MSK", 3*3600)).Format("02.01.2006")
	for _, want := range []string{"Требуется подтверждение данных", "подтвердить до " + wantDate, "Обновите паспорт", `href="/account"`} {
		if !strings.Contains(pg.body, want) {
			t.Fatalf("needs-confirmation notice lacks %q: %s", want, snippet(pg.body))
		}
	}
	if pg.location != "" {
		t.Fatalf("the notice redirected: %q", pg.location)
	}
	cab.mustExchange(cab.codeFrom(submit(t, cab.browser, pg, browser.ByAction("/login/notice"), nil)))
	// Single sign-on to the same service: no notice again, straight to the code.
	cab.mustExchange(cab.codeFrom(cab.authorize()))
	e.clock.Advance(49 * time.Hour)
	other := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := e.submitLogin(other.browser, other.authorize(), "+79990000002", "Test1234!"); !strings.Contains(pg.body, "Истёк срок") {
		t.Fatalf("after the deadline: %s", snippet(pg.body))
	}
	e.admin("POST", "/admin/api/personas/standard/status", adminToken, `{"status":"active"}`)
	// Service centre: the operator checks the passport, the account becomes confirmed.
	if status, body := e.admin("POST", "/admin/api/personas/standard/confirm", adminToken, `{"method":"service_centre","operator":"Оператор 1","series":"0000","number":"000000"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong passport at the service centre: %d %s", status, body)
	}
	status, body := e.admin("POST", "/admin/api/personas/standard/confirm", adminToken, `{"method":"service_centre","operator":"Оператор 1","centre":"МФЦ","series":"7804","number":"512347"}`)
	if status != http.StatusOK || !strings.Contains(body, `"level": "confirmed"`) {
		t.Fatalf("service centre: %d %s", status, body)
	}
}

func TestESignatureConfirmation(t *testing.T) {
	// A test CA and a citizen certificate carrying the SNILS, as a qualified certificate does.
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Тестовый УЦ"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	caCert, _ := x509.ParseCertificate(caDER)
	citizenKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: esig.SubjectWithSNILS("Петров", "Сергей", "Александрович", "00000060002", ""),
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leaf, caCert, &citizenKey.PublicKey, caKey)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *config.Config) { c.Proofing.ESignatureCA = caFile })
	b := e.browser()
	acc := e.submitLogin(b, get(t, b, e.issuer+"/account"), "+79990000002", "Test1234!") // standard
	start := post(t, b, e.issuer+"/account/confirm", url.Values{"csrf": {acc.form("csrf")}, "action": {"esig-start"}})
	challenge := start.pg.TextOf("#challenge")
	if challenge == "" {
		t.Fatalf("no challenge: %s", snippet(start.body))
	}
	sum := sha256.Sum256([]byte(challenge))
	sig, _ := ecdsa.SignASN1(rand.Reader, citizenKey, sum[:])
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}))
	// A signature over something else is refused.
	wrong := sha256.Sum256([]byte("something else"))
	badSig, _ := ecdsa.SignASN1(rand.Reader, citizenKey, wrong[:])
	if pg := post(t, b, e.issuer+"/account/confirm", url.Values{"csrf": {acc.form("csrf")}, "action": {"esig"},
		"signature": {base64.StdEncoding.EncodeToString(badSig)}, "certificate": {certPEM}}); strings.Contains(pg.body, `id="level">подтверждённая`) {
		t.Fatal("a wrong signature confirmed the identity")
	}
	pg := post(t, b, e.issuer+"/account/confirm", url.Values{"csrf": {acc.form("csrf")}, "action": {"esig"},
		"signature": {base64.StdEncoding.EncodeToString(sig)}, "certificate": {certPEM}})
	if !strings.Contains(pg.body, `id="level">подтверждённая`) {
		t.Fatalf("after the e-signature: %s", snippet(pg.body))
	}
}

func TestRegistrationCodeCanBeSentAgain(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	reg := get(t, b, e.issuer+"/register")
	pg := post(t, b, e.issuer+"/register", url.Values{"csrf": {reg.form("csrf")}, "last_name": {"Белов"}, "first_name": {"Артём"},
		"phone": {"+79125550001"}, "password": {"Kvartal2024"}, "password2": {"Kvartal2024"}, "agree": {"1"}, "pd": {"1"}})
	if !strings.Contains(pg.body, "Код действует до") || !strings.Contains(pg.body, "Запросить новый код можно в") {
		t.Fatalf("code step: %s", snippet(pg.body))
	}
	first := e.lastMessage("+79125550001", "registration_code")
	e.clock.Advance(61 * time.Second)
	post(t, b, e.issuer+"/register/confirm", url.Values{"csrf": {reg.form("csrf")}, "resend": {"1"}})
	second := e.lastMessage("+79125550001", "registration_code")
	if second.ID == first.ID {
		t.Fatal("no new code after 60 s")
	}
	done := post(t, b, e.issuer+"/register/confirm", url.Values{"csrf": {reg.form("csrf")}, "code": {second.Code}})
	if !strings.Contains(done.body, "Учётная запись создана") && done.status != http.StatusOK {
		t.Fatalf("registration with the second code: %d %s", done.status, snippet(done.body))
	}
}
