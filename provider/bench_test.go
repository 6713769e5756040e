package provider_test

import (
	"net/url"
	"testing"

	"golang.org/x/oauth2"
)

// BenchmarkLogin is a whole login with the test password preset: authorize, the login page,
// the password POST, the redirects and the code exchange with ID token verification.
func BenchmarkLogin(b *testing.B) {
	e := newEnv(b)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	b.ReportAllocs()
	for b.Loop() {
		pg := e.submitLogin(cab.browser, cab.authorize(oauth2.SetAuthURLParam("prompt", "login")), "+79990000003", "Test1234!")
		cab.mustExchange(cab.codeFrom(pg))
	}
}

// BenchmarkCodeExchange measures the token endpoint's authorization_code grant alone (codes
// are issued silently inside an SSO session outside the timer).
func BenchmarkCodeExchange(b *testing.B) {
	e := newEnv(b)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.loginAs("+79990000003")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		code := cab.codeFrom(cab.authorize())
		b.StartTimer()
		if status, body := e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cabinetRedirect}}); status != 200 {
			b.Fatalf("%d %v", status, body)
		}
	}
}

// BenchmarkRefresh measures refresh-token rotation: each call spends the previous token.
func BenchmarkRefresh(b *testing.B) {
	e := newEnv(b)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.conf.Scopes = append(cab.conf.Scopes, "offline_access")
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	rt := tok.RefreshToken
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		status, body := e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		if status != 200 {
			b.Fatalf("%d %v", status, body)
		}
		rt = body["refresh_token"].(string)
	}
}
