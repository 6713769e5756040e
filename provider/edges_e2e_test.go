package provider_test

import (
	"encoding/json"
	"io"
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

// tokenRequest posts form to the token endpoint, with Basic auth when basic is set, and
// returns the response with its decoded JSON.
func (e *env) tokenRequest(basic *[2]string, form url.Values) (*http.Response, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp, m
}

// TestTokenEndpointAuthenticatesTheClientFirst (issue 13 item 19): RFC 6749 §5.2 — a failed
// client_secret_basic answers 401 with WWW-Authenticate: Basic; an unknown client is
// invalid_client whatever the code, checked before the code.
func TestTokenEndpointAuthenticatesTheClientFirst(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	code := cab.loginAs("+79990000003")
	grant := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cabinetRedirect}}
	}
	for _, tc := range []struct {
		name           string
		basic          *[2]string
		form           url.Values
		status         int
		err            string
		basicChallenge bool
	}{
		{"wrong secret in Basic, real code", &[2]string{"demo-cabinet", "wrong"}, grant(code), 401, "invalid_client", true},
		{"unknown client in Basic, made-up code", &[2]string{"nobody", "x"}, grant("made-up"), 401, "invalid_client", true},
		{"unknown client in the form, made-up code", nil, withForm(grant("made-up"), "client_id", "nobody", "client_secret", "x"), 401, "invalid_client", false},
		{"no client at all, made-up code", nil, grant("made-up"), 401, "invalid_client", false},
		{"wrong secret in the form, real code", nil, withForm(grant(code), "client_id", "demo-cabinet", "client_secret", "wrong"), 401, "invalid_client", false},
		{"right client, made-up code", &[2]string{"demo-cabinet", "demo-secret"}, grant("made-up"), 400, "invalid_grant", false},
	} {
		resp, got := e.tokenRequest(tc.basic, tc.form)
		challenge := resp.Header.Get("WWW-Authenticate")
		if resp.StatusCode != tc.status || got["error"] != tc.err {
			t.Errorf("%s: %d %v, want %d %s", tc.name, resp.StatusCode, got, tc.status, tc.err)
		}
		if tc.basicChallenge && !strings.HasPrefix(challenge, `Basic realm="`) {
			t.Errorf("%s: WWW-Authenticate %q, want a Basic challenge (RFC 6749 §5.2)", tc.name, challenge)
		}
	}
	// The code survived the failed attempts: the right client still redeems it.
	if _, err := cab.exchange(code); err != nil {
		t.Fatalf("the code after refused client attempts: %v", err)
	}
}

func withForm(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestUserinfoWithoutCredentialsCarriesNoErrorCode (issue 13 item 19): RFC 6750 §3.1 — a
// request with no credentials gets a bare Bearer challenge; a bad token gets invalid_token.
func TestUserinfoWithoutCredentialsCarriesNoErrorCode(t *testing.T) {
	e := newEnv(t)
	resp, err := e.srv.Client().Get(e.issuer + "/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	body := new(strings.Builder)
	_, _ = io.Copy(body, resp.Body)
	resp.Body.Close()
	want := `Bearer realm="` + e.issuer + `"`
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != want || strings.Contains(body.String(), "error") {
		t.Fatalf("no credentials: %d %q %q, want 401 %q and no error code", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body, want)
	}
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer not-a-token")
	resp, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(ch, want+`, error="invalid_token"`) {
		t.Fatalf("bad token: %d %q", resp.StatusCode, ch)
	}
}
