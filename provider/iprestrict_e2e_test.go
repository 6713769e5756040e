package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
)

// browserAt is a browser whose requests reach the emulator through the trusted proxy on
// behalf of the client address ip.
func (e *env) browserAt(ip string) *browser.Browser {
	return browser.New(browser.Options{Client: e.srv.Client(), Stop: []browser.StopRule{browser.Outside(e.issuer)},
		Header: http.Header{"X-Forwarded-For": {ip}}})
}

// TestIPRestriction: the citizen limits logins to address ranges on the security page (bad
// input and a list without their own address refused); a right password from elsewhere gets a
// page that says why, a wrong one the usual answer; the SPA API says IP_RESTRICTED; an allowed
// address logs in.
func TestIPRestriction(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.0/8", "::1/128"} })
	home := e.browserAt("203.0.113.5")
	pg := e.submitLogin(home, get(t, home, e.issuer+"/account/security"), "+79990000002", "Test1234!")
	if !strings.Contains(pg.body, "Вход только с указанных адресов") || !strings.Contains(pg.body, "Вход разрешён с любого адреса") {
		t.Fatalf("security page: %s", snippet(pg.body))
	}
	csrf := pg.form("csrf")
	save := func(nets string) page {
		return post(t, home, e.issuer+"/account/security/ip", url.Values{"csrf": {csrf}, "nets": {nets}})
	}
	for nets, want := range map[string]string{
		"198.51.100.0/24": "Ваш текущий адрес не входит в этот список",
		"10.0.0.0/33":     "Не удалось разобрать адреса",
		"0.0.0.0/0":       "Диапазон /0 включает все адреса",
	} {
		if got := save(nets); !strings.Contains(got.body, want) {
			t.Errorf("%s: want %q: %s", nets, want, snippet(got.body))
		}
	}
	if got := save("203.0.113.7/24\n2001:db8::/32"); got.pg.TextOf("#allowed-nets") != "203.0.113.0/24, 2001:db8::/32" {
		t.Fatalf("saved: %s", got.body)
	}
	if got := post(t, home, e.issuer+"/account/security/ip", url.Values{"csrf": {"forged"}, "nets": {""}}); got.status != http.StatusForbidden {
		t.Fatalf("forged form: %d", got.status)
	}

	away := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, e.browserAt("198.51.100.7"))
	refused := e.submitLogin(away.browser, away.authorize(), "+79990000002", "Test1234!")
	if refused.status != http.StatusForbidden || refused.location != "" || !strings.Contains(refused.body, "Вход с этого адреса запрещён") ||
		!strings.Contains(refused.body, "198.51.100.7") || !strings.Contains(refused.body, "Войти по логину и паролю") {
		t.Fatalf("login from elsewhere: %d %q %s", refused.status, refused.location, snippet(refused.body))
	}
	if wrong := e.submitLogin(away.browser, away.authorize(), "+79990000002", "Wrong1234!"); !strings.Contains(wrong.body, "Неверный логин или пароль") {
		t.Fatalf("a wrong password from elsewhere must look as usual: %s", snippet(wrong.body))
	}
	away.authorize()
	if a := e.spaLogin(away.browser, "+79990000002", "Test1234!"); a.Failed != "IP_RESTRICTED" || !strings.Contains(a.Message, "198.51.100.7") {
		t.Fatalf("SPA API from elsewhere: %+v", a)
	}
	if _, body := e.admin("GET", "/admin/api/audit?type=login_failed", adminToken, ""); !strings.Contains(body, "ip_restricted") {
		t.Fatalf("audit: %s", snippet(body))
	}

	near := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, e.browserAt("203.0.113.200"))
	near.codeFrom(e.submitLogin(near.browser, near.authorize(), "+79990000002", "Test1234!"))
}
