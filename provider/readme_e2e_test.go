package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeFirstLogin follows the README's first screen as written: its authorize URL in the
// browser, the persona it names, then its curl line's token request. Only the issuer is
// swapped for the test server's.
func TestReadmeFirstLogin(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	head := string(readme)[:min(len(readme), 2500)] // the first screen
	raw := regexp.MustCompile(`<(http://127\.0\.0\.1:8080/authorize\?[^>]+)>`).FindStringSubmatch(head)
	if raw == nil {
		t.Fatal("no authorize URL on the README's first screen")
	}
	e := newEnv(t)
	b := e.browser()
	pg := get(t, b, strings.Replace(raw[1], "http://127.0.0.1:8080", e.issuer, 1))
	if !pg.isLoginForm() {
		t.Fatalf("the README's URL does not lead to the login form: %d %q %s", pg.status, pg.location, snippet(pg.body))
	}
	done := e.approveConsent(b, e.submitLogin(b, pg, "+79990000003", "Test1234!"))
	cb, err := url.Parse(done.location)
	if err != nil || !strings.HasPrefix(done.location, "http://127.0.0.1:9000/callback?") || cb.Query().Get("state") != "demo" || cb.Query().Get("code") == "" {
		t.Fatalf("landed on %q", done.location)
	}
	// curl -s -u demo-cabinet:demo-secret -d grant_type=… -d redirect_uri=… -d code=… /oauth/token
	if !strings.Contains(head, "curl -s -u demo-cabinet:demo-secret -d grant_type=authorization_code -d redirect_uri=http://127.0.0.1:9000/callback") {
		t.Fatal("the README's curl line changed; update this test with it")
	}
	form := url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {"http://127.0.0.1:9000/callback"}, "code": {cb.Query().Get("code")}}
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-cabinet", "demo-secret")
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != http.StatusOK || tok.IDToken == "" || tok.AccessToken == "" {
		t.Fatalf("token response %d, %v", res.StatusCode, err)
	}
}
