package stand_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/demo/stand"
)

const password = "Test1234!"

// Built-in personas (README "Personas").
const (
	standard  = "+79990000002" // Петров Сергей Александрович, standard account
	confirmed = "+79990000003" // Иванова Мария Ивановна, confirmed account
)

// demo is a running stand and the back-channel logout deliveries its cabinets answered.
type demo struct {
	*stand.Stand
	logouts chan string // the cabinet's name, after its /backchannel-logout answered
}

func start(t *testing.T) *demo {
	t.Helper()
	listen := func() net.Listener {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	d := &demo{logouts: make(chan string, 16)}
	s, err := stand.Start(context.Background(), stand.Options{Emulator: listen(), SFR: listen(), FRI: listen(), Socprot: listen(),
		Wrap: func(name string, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r)
				if r.URL.Path == "/backchannel-logout" {
					d.logouts <- name
				}
			})
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	d.Stand = s
	return d
}

func newBrowser(t *testing.T) *browser.Test {
	return browser.ForTest(t, browser.New(browser.Options{Timeout: 30 * time.Second}))
}

// login clicks «Войти через Госуслуги» on the cabinet's home page and logs in as login on the
// emulator's page; it returns the page after the password (the consent page, usually).
func login(t *testing.T, b *browser.Test, cabinet, login string) *browser.Page {
	t.Helper()
	home := b.Get(cabinet + "/")
	if !strings.Contains(home.Text(), "Войти через Госуслуги") {
		t.Fatalf("cabinet home: %s", home.Summary())
	}
	page := b.Follow(home, "Войти через Госуслуги")
	if _, err := page.Form(browser.WithField("login", "password")); err != nil {
		// already logged in on Gosuslugi (SSO): straight to consent or back to the cabinet
		return page
	}
	return b.Submit(b.Form(page, browser.WithField("login", "password")).Set("login", login).Set("password", password))
}

// allow allows the cabinet's access on the consent page.
func allow(t *testing.T, b *browser.Test, page *browser.Page) *browser.Page {
	t.Helper()
	return b.Submit(b.Form(page, browser.ByAction("/login/consent")), browser.Button("decision", "allow"))
}

func wantText(t *testing.T, page *browser.Page, selector string, want ...string) {
	t.Helper()
	got := page.TextOf(selector)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q lacks %q (%s)", selector, got, w, page.Summary())
		}
	}
}

// logout clicks «Выйти» in the cabinet; the provider ends its session and sends the browser
// back.
func logout(t *testing.T, b *browser.Test, page *browser.Page, cabinet string) {
	t.Helper()
	out := b.Submit(b.Form(page, browser.ByAction("/logout")))
	if !strings.HasPrefix(out.URL.String(), cabinet+"/") {
		t.Fatalf("after logout: %s", out.Summary())
	}
	wantText(t, out, "#notice", "Вы вышли из личного кабинета")
	if strings.Contains(out.Text(), "Здравствуйте") {
		t.Errorf("still logged in after logout: %s", out.Summary())
	}
}

// TestDemoCabinetsLoginDataLogout walks each cabinet: login, its data, logout — and after
// the logout the Gosuslugi session is gone too (the next login asks for the password).
func TestDemoCabinetsLoginDataLogout(t *testing.T) {
	d := start(t)
	for _, tc := range []struct {
		name, url string
		sections  map[string][]string // selector → texts it shows
	}{
		{"sfr", d.SFR, map[string][]string{"#pension": {"СНИЛС", "000-000-600 03", "Дата рождения"},
			"#claims": {"sub", "1000000003", "acr"}, "#userinfo": {"snils", "family_name", "Иванова"}}},
		{"fri", d.FRI, map[string][]string{"#record": {"000-000-600 03", "confirmed"}, "#claims": {"level", "confirmed"}}},
		{"socprot", d.Socprot, map[string][]string{"#person": {"Иванова", "000-000-600 03"},
			"#documents": {"RF_PASSPORT"}, "#contacts": {"MBT", "+7(999)0000003"}, "#addresses": {"PRG"},
			"#claims": {"urn:esia:sbj", "is_tru", "1000000003"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t)
			home := allow(t, b, login(t, b, tc.url, confirmed))
			if !strings.HasPrefix(home.URL.String(), tc.url+"/") {
				t.Fatalf("after consent: %s", home.Summary())
			}
			wantText(t, home, "h2", "Здравствуйте, Иванова Мария")
			for sel, texts := range tc.sections {
				wantText(t, home, sel, texts...)
			}
			logout(t, b, home, tc.url)
			again := b.Follow(b.Get(tc.url+"/"), "Войти через Госуслуги")
			if _, err := again.Form(browser.WithField("login", "password")); err != nil {
				t.Errorf("after logout the Gosuslugi session should be over: %s", again.Summary())
			}
		})
	}
}

// TestDemoRegistryConfirmedOnly: a standard account meets the emulator's level page, then
// the registry's own explanation; a confirmed one gets in.
func TestDemoRegistryConfirmedOnly(t *testing.T) {
	d := start(t)
	b := newBrowser(t)
	level := login(t, b, d.FRI, standard)
	if !strings.Contains(level.Text(), "Этот сервис доступен только пользователям с подтверждённой учётной записью") {
		t.Fatalf("want the emulator's level page, got %s", level.Summary())
	}
	back := b.Submit(b.Form(level, browser.ByAction("/login/deny")))
	if !strings.HasPrefix(back.URL.String(), d.FRI+"/callback") || back.Status != http.StatusForbidden {
		t.Fatalf("want the registry's explanation, got %s", back.Summary())
	}
	wantText(t, back, "#level", "Нужна подтверждённая учётная запись",
		"Наличие подтверждённой учётной записи на портале Госуслуг является обязательным условием", "электронной подписью")

	// «Войти с другой учётной записью» asks Gosuslugi for a new login (prompt=login).
	page := b.Follow(back, "Войти с другой учётной записью")
	page = b.Submit(b.Form(page, browser.WithField("login", "password")).Set("login", confirmed).Set("password", password))
	home := allow(t, b, page)
	wantText(t, home, "#record", "000-000-600 03")
}

// TestDemoBackchannelLogout: the citizen ends their Gosuslugi session on the account's
// sessions page; the provider's logout tokens end the sessions of both cabinets.
func TestDemoBackchannelLogout(t *testing.T) {
	d := start(t)
	b := newBrowser(t)
	allow(t, b, login(t, b, d.SFR, confirmed))
	allow(t, b, login(t, b, d.Socprot, confirmed)) // SSO: no password, only consent
	for _, u := range []string{d.SFR, d.Socprot} {
		if !strings.Contains(b.Get(u+"/").Text(), "Здравствуйте") {
			t.Fatalf("%s: not logged in", u)
		}
	}
	sessions := b.Get(d.Issuer + "/account/sessions")
	b.Submit(b.Form(sessions, browser.ByAction("/account/sessions/end")))
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case name := <-d.logouts:
			got[name] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("back-channel logouts received: %v, want sfr and socprot", got)
		}
	}
	for _, u := range []string{d.SFR, d.Socprot} {
		// Ended by the logout token, not found out from a refused token (no #error).
		if page := b.Get(u + "/"); !strings.Contains(page.Text(), "Войти через Госуслуги") || strings.Contains(page.Text(), "Здравствуйте") || page.TextOf("#error") != "" {
			t.Errorf("%s after back-channel logout: %s", u, page.Summary())
		}
	}
}

// TestDemoConsentWithdrawn: the citizen withdraws a cabinet's access on the account pages;
// the cabinet's next call fails, and it says so and offers to log in again.
func TestDemoConsentWithdrawn(t *testing.T) {
	d := start(t)
	for _, tc := range []struct{ name, url, client string }{
		{"sfr", d.SFR, stand.SFRClient}, {"fri", d.FRI, stand.FRIClient}, {"socprot", d.Socprot, stand.SocprotClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t)
			allow(t, b, login(t, b, tc.url, confirmed))
			access := b.Get(d.Issuer + "/account/access")
			var withdraw *browser.Form
			for _, f := range access.Forms() {
				if f.Action.Path == "/account/access/withdraw" && f.Get("client") == tc.client {
					withdraw = f
				}
			}
			if withdraw == nil {
				t.Fatalf("no withdrawal form for %s: %s", tc.client, access.Summary())
			}
			b.Submit(withdraw)
			page := b.Get(tc.url + "/")
			wantText(t, page, "#error", "Доступ к вашим данным отозван на Госуслугах")
			if !strings.Contains(page.Text(), "Войти через Госуслуги") {
				t.Errorf("no way to log in again: %s", page.Summary())
			}
		})
	}
}

// TestDemoBackchannelLogoutRefusesBadTokens: a logout token that is not the provider's — not a
// JWT, or an ID token-shaped JWT without the logout event — gets 400 and ends nothing.
func TestDemoBackchannelLogoutRefusesBadTokens(t *testing.T) {
	d := start(t)
	b := newBrowser(t)
	allow(t, b, login(t, b, d.SFR, confirmed))
	for _, u := range []string{d.SFR, d.FRI, d.Socprot} {
		for _, tok := range []string{"", "not-a-jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMDAwMDAwMDAzIn0."} {
			resp, err := http.PostForm(u+"/backchannel-logout", url.Values{"logout_token": {tok}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s with %q: %d, want 400", u, tok, resp.StatusCode)
			}
		}
	}
	if !strings.Contains(b.Get(d.SFR+"/").Text(), "Здравствуйте") {
		t.Error("a refused logout token ended the session")
	}
}
