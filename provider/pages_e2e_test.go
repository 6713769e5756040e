package provider_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
)

// TestSuspendedPageGoesBackToTheSite: the suspended-account page is no dead end: «Вернуться на
// сайт» sends the relying party access_denied.
func TestSuspendedPageGoesBackToTheSite(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79990000006", "Test1234!")
	if !strings.Contains(pg.body, "Вернуться на сайт") {
		t.Fatalf("suspended page without «Вернуться на сайт»: %s", snippet(pg.body))
	}
	back := submit(t, cab.browser, pg, browser.ByAction("/login/deny"), nil)
	if back.query("error") != "access_denied" || !strings.Contains(back.query("error_description"), "suspended") {
		t.Fatalf("back to the site: %q", back.location)
	}
}

// TestLevelPageLinksToTheProfile: the level-too-low page says where to raise the level.
func TestLevelPageLinksToTheProfile(t *testing.T) {
	e := newEnv(t)
	ri := e.rp("confirmed-only", "ri-secret", "http://127.0.0.1:9200/cb", nil)
	pg := e.submitLogin(ri.browser, ri.authorize(), "+79990000002", "Test1234!")
	if pg.status != http.StatusForbidden || !strings.Contains(pg.body, `href="/account"`) || !strings.Contains(pg.body, "Перейти в профиль") {
		t.Fatalf("level page: %d %s", pg.status, snippet(pg.body))
	}
}

// TestErrorPagesOfferANextAction: the logged-out, timed-out, bad-request and 404 pages are the
// one message template with something to click, the developer detail folded under «Подробности».
func TestErrorPagesOfferANextAction(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, tc := range []struct {
		path, want, action string
		status             int
	}{
		{"/logged-out", "Вы вышли", "Войти снова", http.StatusOK},
		{"/login?authRequestID=gone", "Время ожидания истекло", "Войти снова", http.StatusBadRequest},
		{"/login", "Ошибка", "Перейти в личный кабинет", http.StatusBadRequest},
		{"/no/such/page", "Страница не найдена", "На главную", http.StatusNotFound},
		{"/authorize?client_id=nobody&redirect_uri=http%3A%2F%2Fx%2F&response_type=code&scope=openid", "Ошибка", "Перейти в личный кабинет", http.StatusBadRequest},
	} {
		pg := get(t, b, e.issuer+tc.path)
		if pg.status != tc.status || !strings.Contains(pg.body, `lang="ru"`) || !strings.Contains(pg.body, tc.want) ||
			!strings.Contains(pg.body, `class="actions next"`) || !strings.Contains(pg.body, tc.action) {
			t.Errorf("%s: %d %s", tc.path, pg.status, snippet(pg.body))
		}
		if strings.Contains(pg.body, "error.") || strings.Contains(pg.body, "action.") {
			t.Errorf("%s: a message key instead of its text", tc.path)
		}
	}
	bad := get(t, b, e.issuer+"/authorize?client_id=nobody&redirect_uri=http%3A%2F%2Fx%2F&response_type=code&scope=openid")
	if !strings.Contains(bad.body, "<details") || !strings.Contains(bad.body, "<summary>Подробности</summary>") {
		t.Errorf("the developer detail is not folded: %s", bad.body)
	}
}

// TestLanguageLinkRemembersEnglish: an English browser gets Russian; the page's language link
// switches to English and the choice sticks (a cookie) for the next pages, which have no
// Russian headings left.
func TestLanguageLinkRemembersEnglish(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := cab.authorize()
	if !strings.Contains(pg.body, `lang="ru"`) || !strings.Contains(pg.body, `hreflang="en">English</a>`) {
		t.Fatalf("login page: %s", snippet(pg.body))
	}
	id := pg.form("authRequestID")
	en := get(t, cab.browser, e.issuer+"/lang?"+url.Values{"to": {"en"}, "back": {"/login?authRequestID=" + id}}.Encode())
	if !strings.Contains(en.body, `lang="en"`) || !strings.Contains(en.body, "Password") || !en.isLoginForm() {
		t.Fatalf("after the English link: %s", snippet(en.body))
	}
	consent := e.submitLogin(cab.browser, en, "+79990000001", "Test1234!")
	if !consent.isConsent() || !strings.Contains(consent.body, `lang="en"`) || strings.Contains(consent.body, "Доступ к данным") {
		t.Fatalf("the consent page after choosing English: %s", consent.body)
	}
}

// TestRegistrationKeepsTheTicks: a registration form refused for another field keeps the
// agreement boxes ticked.
func TestRegistrationKeepsTheTicks(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	reg := get(t, b, e.issuer+"/register")
	pg := post(t, b, e.issuer+"/register", url.Values{"csrf": {reg.form("csrf")}, "last_name": {"Белов"}, "first_name": {"Артём"},
		"phone": {"+79125550002"}, "password": {"short"}, "password2": {"short"}, "agree": {"1"}, "pd": {"1"}})
	if !strings.Contains(pg.body, `name="agree" value="1" required checked`) || !strings.Contains(pg.body, `name="pd" value="1" required checked`) {
		t.Fatalf("the ticks were lost: %s", pg.body)
	}
}

// TestPagesShareOneCachedStylesheet: every page links the one stylesheet instead of carrying
// its own copy; the stylesheet is cacheable for good (its address changes with its content),
// and the pages' policy allows no inline style. The ESIA diagnostics page keeps its own
// inline style, allowed by its hash.
func TestPagesShareOneCachedStylesheet(t *testing.T) {
	e := newEnv(t, testMode)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	link := regexp.MustCompile(`<link rel="stylesheet" href="(/static/esia\.[0-9a-f]{12}\.css)">`)
	var href string
	for _, pg := range []page{get(t, e.browser(), e.issuer+"/"), cab.authorize(), get(t, e.browser(), e.issuer+"/no-such-page")} {
		m := link.FindStringSubmatch(pg.body)
		if m == nil || strings.Contains(pg.body, "<style") {
			t.Fatalf("page %s without the stylesheet link, or with its own style: %s", pg.pg.URL, snippet(pg.body))
		}
		if href != "" && m[1] != href {
			t.Fatalf("pages link %s and %s", href, m[1])
		}
		href = m[1]
		csp := pg.pg.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "style-src 'self';") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("page %s: policy %q", pg.pg.URL, csp)
		}
	}
	css := get(t, e.browser(), e.issuer+href)
	if css.status != http.StatusOK || !strings.HasPrefix(css.pg.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(css.pg.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css.body, "body{") {
		t.Fatalf("the stylesheet: %d %v %q", css.status, css.pg.Header, snippet(css.body))
	}
	if pg := get(t, e.browser(), e.issuer+"/static/esia.000000000000.css"); pg.status != http.StatusNotFound {
		t.Fatalf("a stylesheet address of other content: %d", pg.status)
	}

	diag := get(t, e.browser(), e.issuer+"/esia/diagnostics")
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(diag.body)
	if style == nil {
		t.Fatalf("the diagnostics page: %d %s", diag.status, snippet(diag.body))
	}
	sum := sha256.Sum256([]byte(style[1]))
	if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(diag.pg.Header.Get("Content-Security-Policy"), want) {
		t.Fatalf("the diagnostics page's policy %q lacks %s", diag.pg.Header.Get("Content-Security-Policy"), want)
	}
}
