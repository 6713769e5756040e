package esiatest_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/esiatest"
)

// login starts a login of the demo cabinet and submits persona's password; it returns the page
// that follows (the code form, the consent page, …).
func login(t *testing.T, srv *esiatest.Server, b *browser.Test, p esiatest.Persona) *browser.Page {
	t.Helper()
	page := b.Get(srv.Issuer() + "/authorize?response_type=code&scope=openid&client_id=" + esiatest.DemoCabinet +
		"&redirect_uri=" + callback + "&state=s1")
	return b.Submit(b.Form(page, browser.WithField("login", "password")).Set("login", p.Login()).Set("password", p.Password))
}

func newBrowser(t *testing.T, srv *esiatest.Server) *browser.Test {
	return browser.ForTest(t, browser.New(browser.Options{Client: srv.HTTPClient(), Stop: []browser.StopRule{browser.Prefix(callback)}}))
}

func TestDemoClientsAndPersonas(t *testing.T) {
	srv := esiatest.New(t)
	if c := srv.Client(esiatest.DemoCabinet); c.Secret != esiatest.DemoCabinetSecret || c.Public || c.ESIA {
		t.Errorf("demo cabinet: %+v", c)
	}
	if c := srv.Client(esiatest.DemoSPA); !c.Public || c.Secret != "" {
		t.Errorf("demo spa: %+v", c)
	}
	if c := srv.Client(esiatest.DemoESIACabinet); !c.ESIA {
		t.Errorf("demo ESIA cabinet: %+v", c)
	}
	for _, key := range []string{esiatest.PersonaSimplified, esiatest.PersonaStandard, esiatest.PersonaConfirmed,
		esiatest.PersonaConfirmedTOTP, esiatest.PersonaConfirmedSMS, esiatest.PersonaSuspended} {
		if p := srv.Persona(key); p.OID == "" || p.Password != esiatest.DefaultPassword || p.Login() == "" {
			t.Errorf("persona %s: %+v", key, p)
		}
	}
	if got := srv.Persona(esiatest.PersonaConfirmedSMS).SecondFactor; got != esiatest.SecondFactorSMS {
		t.Errorf("confirmed-sms second factor %q", got)
	}
	if !strings.HasPrefix(srv.Issuer(), "http://127.0.0.1:") || srv.URL() != srv.Issuer() {
		t.Errorf("issuer %q, URL %q", srv.Issuer(), srv.URL())
	}
}

// The package's constants are the emulator's built-ins.
func TestConstants(t *testing.T) {
	if esiatest.DefaultPassword != config.DefaultPassword || esiatest.TOTPSecret != config.DefaultTOTPSecret {
		t.Error("DefaultPassword or TOTPSecret differ from config's")
	}
	for _, c := range config.BuiltinClients() {
		if c.ID != esiatest.DemoCabinet && c.ID != esiatest.DemoSPA && c.ID != esiatest.DemoESIACabinet {
			t.Errorf("built-in client %q has no constant", c.ID)
		}
	}
	for _, p := range config.BuiltinPersonas() {
		switch p.Key {
		case esiatest.PersonaSimplified, esiatest.PersonaStandard, esiatest.PersonaConfirmed,
			esiatest.PersonaConfirmedTOTP, esiatest.PersonaConfirmedSMS, esiatest.PersonaSuspended:
		default:
			t.Errorf("built-in persona %q has no constant", p.Key)
		}
	}
}

func TestWithoutBuiltins(t *testing.T) {
	p := esiatest.Persona{Key: "solo", OID: "2000000001", LastName: "Орлов", FirstName: "Олег", Phone: "+79991112233"}
	srv := esiatest.New(t, esiatest.WithoutBuiltins(), esiatest.WithPersona(p),
		esiatest.WithClient(esiatest.Client{ID: "only", Secret: "x", RedirectURIs: []string{callback}}))
	if got := srv.Clients(); len(got) != 1 || got[0].ID != "only" {
		t.Errorf("clients %+v", got)
	}
	if got := srv.Personas(); len(got) != 1 || got[0].Level != esiatest.Standard || got[0].Password != esiatest.DefaultPassword {
		t.Errorf("personas %+v", got)
	}
}

// An SMS persona's code is in the outbox before the test asks: WaitForCode finds it there,
// and after "send again" it returns the new code, not the first one again.
func TestWaitForCodeAlreadySent(t *testing.T) {
	srv := esiatest.New(t)
	p := srv.Persona(esiatest.PersonaConfirmedSMS)
	b := newBrowser(t, srv)
	page := login(t, srv, b, p)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if first := srv.WaitForCode(ctx, p.Phone); len(first) != 6 {
		t.Fatalf("code %q", first)
	}

	srv.Clock().Advance(61 * time.Second) // "send again" is allowed after a minute
	page = b.Submit(b.Form(page, browser.ByAction("/login/code")).Add("resend", "1"))
	second := srv.WaitForCode(ctx, p.Phone)
	msgs := srv.Outbox(p.Phone)
	if len(msgs) != 2 || second != msgs[1].Code || msgs[1].Kind != "login_code" || msgs[1].Channel != "sms" {
		t.Fatalf("second code %q, outbox %+v", second, msgs)
	}
	page = b.Submit(b.Form(page, browser.ByAction("/login/code")).Set("code", second))
	if !page.RedirectedTo(callback) || page.Params().Get("code") == "" {
		t.Fatalf("after the code, want a code at the callback: %s", page.Summary())
	}
}

// WaitForCode waits for a code sent after it was called, to a persona made by the test.
func TestWaitForCodeWaits(t *testing.T) {
	srv := esiatest.New(t)
	p := srv.CreatePersona(esiatest.Persona{LastName: "Орлов", FirstName: "Олег", Phone: "+7 999 111-22-33",
		SecondFactor: esiatest.SecondFactorSMS})
	if p.OID == "" || p.Key == "" || p.Password != esiatest.DefaultPassword {
		t.Fatalf("created %+v", p)
	}
	// The citizen logs in on another goroutine (a plain browser: it reports errors, it does
	// not fail the test from there).
	errc := make(chan error, 1)
	go func() {
		b := browser.New(browser.Options{Client: srv.HTTPClient(), Stop: []browser.StopRule{browser.Prefix(callback)}})
		ctx := context.Background()
		page, err := b.Get(ctx, srv.Issuer()+"/authorize?response_type=code&scope=openid&client_id="+esiatest.DemoCabinet+"&redirect_uri="+callback+"&state=s1")
		if err == nil {
			var f *browser.Form
			if f, err = page.Form(browser.WithField("login", "password")); err == nil {
				_, err = b.Submit(ctx, f.Set("login", p.Phone).Set("password", p.Password))
			}
		}
		errc <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code := srv.WaitForCode(ctx, "+79991112233")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
}

// MintTokens gives tokens a relying party accepts without a login.
func TestMintTokens(t *testing.T) {
	srv := esiatest.New(t)
	p := srv.Persona(esiatest.PersonaConfirmed)
	tok := srv.MintTokens(p.Key, esiatest.DemoCabinet, "openid", "profile", "offline_access")
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn <= 0 {
		t.Fatalf("tokens %+v", tok)
	}
	ctx := oidc.ClientContext(context.Background(), srv.HTTPClient())
	provider, err := oidc.NewProvider(ctx, srv.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	id, err := provider.Verifier(&oidc.Config{ClientID: esiatest.DemoCabinet}).Verify(ctx, tok.IDToken)
	if err != nil || id.Subject != p.OID {
		t.Fatalf("id token: %v %+v", err, id)
	}
	if _, err := provider.UserInfo(ctx, staticToken(tok.AccessToken)); err != nil {
		t.Fatalf("userinfo: %v", err)
	}

	// A persona made by the test, by its key.
	made := srv.CreatePersona(esiatest.Persona{LastName: "Орлов", FirstName: "Павел", Phone: "+79161234567", Level: esiatest.Confirmed})
	if tok := srv.MintTokens(made.Key, esiatest.DemoCabinet); tok.AccessToken == "" || tok.RefreshToken != "" {
		t.Fatalf("tokens of a created persona %+v", tok)
	}

	// Two hours later (default access token lifetime: 1 h) the emulator refuses the token.
	srv.Clock().Advance(2 * time.Hour)
	if _, err := provider.UserInfo(ctx, staticToken(tok.AccessToken)); err == nil {
		t.Fatal("userinfo accepted an expired access token")
	}
}

// Fault makes the next token call fail; Reset drops what the test changed.
func TestFaultAndReset(t *testing.T) {
	srv := esiatest.New(t)
	srv.Fault(esiatest.EndpointDiscovery, http.StatusServiceUnavailable, esiatest.FaultError("temporarily_unavailable", "down"), esiatest.Times(2))
	for i := range 3 {
		resp, err := srv.HTTPClient().Get(srv.Issuer() + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusServiceUnavailable
		if i == 2 {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("call %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}

	created := srv.CreatePersona(esiatest.Persona{LastName: "Орлова", FirstName: "Ольга", Email: "olga@example.ru"})
	if page := login(t, srv, newBrowser(t, srv), created); !page.RedirectedTo(callback) {
		t.Fatalf("a created persona's login: %s", page.Summary())
	}
	srv.Fault(esiatest.EndpointDiscovery, http.StatusInternalServerError)
	srv.Maintenance(true)
	start := srv.Clock().Now()
	srv.Clock().Freeze()
	srv.Clock().Set(start.Add(72 * time.Hour))
	if got := srv.Clock().Now(); !got.Equal(start.Add(72 * time.Hour)) {
		t.Fatalf("frozen clock %v", got)
	}
	srv.Reset()
	if srv.Clock().Now().Sub(start) > time.Hour {
		t.Errorf("clock after Reset: %v", srv.Clock().Now())
	}
	resp, err := srv.HTTPClient().Get(srv.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after Reset: status %d", resp.StatusCode)
	}
	if n := len(srv.Outbox("")); n != 0 {
		t.Errorf("outbox after Reset: %d messages", n)
	}
	page := login(t, srv, newBrowser(t, srv), created)
	if _, err := page.Form(browser.WithField("login", "password")); err != nil || page.RedirectedTo(callback) {
		t.Errorf("a persona created before Reset, want the login form again: %s", page.Summary())
	}
	if slices.ContainsFunc(srv.Personas(), func(p esiatest.Persona) bool { return p.OID == created.OID }) {
		t.Error("Personas lists a created persona")
	}
}

type staticToken string

func (s staticToken) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s)}, nil
}
