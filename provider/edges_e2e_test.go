package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// introspectAs posts token to /oauth/introspect authenticated as clientID (Basic) and returns
// the status and the decoded answer.
func (e *env) introspectAs(clientID, secret, token string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestIntrospectionOnlyForTheTokensAudience: a client learns nothing about another client's
// token (issue 13 item 13): demo-cabinet introspecting demo-spa's token gets {"active":false}
// and no claims; demo-cabinet still learns about its own.
func TestIntrospectionOnlyForTheTokensAudience(t *testing.T) {
	e := newEnv(t)
	spa := e.rp("demo-spa", "", spaRedirect, nil)
	verifier, _ := pkce()
	spaTok, _ := spa.mustExchange(spa.loginAs("+79990000003", oauth2.S256ChallengeOption(verifier)), oauth2.VerifierOption(verifier))
	status, got := e.introspectAs("demo-cabinet", "demo-secret", spaTok.AccessToken)
	if status != http.StatusOK || len(got) != 1 || got["active"] != false {
		t.Fatalf("demo-cabinet introspecting demo-spa's token: %d %v, want exactly {\"active\":false}", status, got)
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cabTok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	if _, got := e.introspectAs("demo-cabinet", "demo-secret", cabTok.AccessToken); got["active"] != true || got["snils"] == nil && got["family_name"] == nil {
		t.Fatalf("demo-cabinet introspecting its own token: %v", got)
	}
}
