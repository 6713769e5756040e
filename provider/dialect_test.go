package provider_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/esia-emulator/esia-emulator/storage"
)

// fakeDialect records what the login flow hands back.
type fakeDialect struct {
	completed []storage.AuthRequest
	failed    []string
}

func (f *fakeDialect) Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	f.completed = append(f.completed, ar)
	http.Redirect(w, r, ar.RedirectURI+"?code=dialect-code&state="+url.QueryEscape(ar.State), http.StatusFound)
}

func (f *fakeDialect) Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, _ string) {
	f.failed = append(f.failed, code)
	http.Redirect(w, r, ar.RedirectURI+"?error="+code, http.StatusFound)
}

func TestDialectUsesTheLoginFlow(t *testing.T) {
	e := newEnv(t)
	d := &fakeDialect{}
	e.p.Register("fake", d, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /fake/ac", func(w http.ResponseWriter, r *http.Request) {
			ar := storage.AuthRequest{Dialect: "fake", ClientID: "demo-cabinet", RedirectURI: cabinetRedirect,
				Scopes: []string{"openid"}, State: r.URL.Query().Get("state"), Prompt: r.URL.Query()["prompt"], Extra: map[string]string{"k": "v"}}
			if err := e.p.StartLogin(w, r, ar); err != nil {
				t.Error(err)
			}
		})
	})
	b := e.browser()
	pg := e.submitLogin(b, get(t, b, e.issuer+"/fake/ac?state=s1"), "+79990000003", "Test1234!")
	if pg.location != cabinetRedirect+"?code=dialect-code&state=s1" || len(d.completed) != 1 {
		t.Fatalf("complete: %q %d", pg.location, len(d.completed))
	}
	if ar := d.completed[0]; ar.UserID != "1000000003" || !ar.Done || ar.Extra["k"] != "v" || ar.AuthTime.IsZero() {
		t.Fatalf("request handed back: %+v", ar)
	}
	// Silent SSO through the dialect, and its own error shape for prompt=none without a session.
	if pg := get(t, b, e.issuer+"/fake/ac?state=s2"); pg.location != cabinetRedirect+"?code=dialect-code&state=s2" {
		t.Fatalf("SSO: %q", pg.location)
	}
	if pg := get(t, e.browser(), e.issuer+"/fake/ac?state=s3&prompt=none"); pg.location != cabinetRedirect+"?error=login_required" || d.failed[0] != "login_required" {
		t.Fatalf("fail: %q %v", pg.location, d.failed)
	}
}
