package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

// The built-in confidential client and persona the process tests log in with.
const (
	rpClientID    = "demo-cabinet"
	rpSecret      = "demo-secret"
	rpRedirectURI = "http://127.0.0.1:9000/callback"
	rpLogin       = "+79990000003"
	rpPassword    = "Test1234!"
)

// TestReplicas runs two emulators on different ports sharing one Redis: they publish the same
// JWKS (the signing keys are created once, in the store, even though both start together), a
// citizen who logged in on A is logged in on B (prompt=none answers with a code), and a code
// is redeemed exactly once across A and B.
func TestReplicas(t *testing.T) {
	srv := redistest.Start(t)
	flags := []string{"--store", srv.URL(), "--redis-prefix", redistest.Prefix(t)}
	a := launch(t, "replica A", append(flags, "--data-dir", t.TempDir())...)
	b := launch(t, "replica B", append(flags, "--data-dir", t.TempDir())...)
	a.await()
	b.await()

	if ja, jb := jwks(t, a), jwks(t, b); len(ja) == 0 || !reflect.DeepEqual(ja, jb) {
		t.Fatalf("JWKS differ:\nA %v\nB %v", ja, jb)
	}

	br := newBrowser(t)
	codeA := login(t, br, a, "s1")
	// Go's cookie jar, like browsers, does not tell ports apart: the session cookie set by A
	// (127.0.0.1:portA) goes to B (127.0.0.1:portB) as it would in a browser behind one host.
	if _, ok := br.Cookie(b.issuer, "esia_session"); !ok {
		t.Fatal("the jar does not send A's session cookie to B")
	}
	pg := br.Get(b.issuer + "/authorize?" + authorizeQuery("s2", "prompt", "none"))
	codeB := code(t, pg, "s2")

	// A's code, redeemed at A and B at once: exactly one wins.
	type result struct {
		status int
		body   map[string]any
	}
	results := make(chan result, 2)
	for _, e := range []*emulator{a, b} {
		go func() {
			status, body := redeem(t, e, codeA)
			results <- result{status, body}
		}()
	}
	r1, r2 := <-results, <-results
	if (r1.status == http.StatusOK) == (r2.status == http.StatusOK) {
		t.Fatalf("code redeemed at A and B at once: %d %v and %d %v; want exactly one 200", r1.status, r1.body, r2.status, r2.body)
	}
	loser := r1
	if loser.status == http.StatusOK {
		loser = r2
	}
	if loser.status != http.StatusBadRequest || loser.body["error"] != "invalid_grant" {
		t.Errorf("replayed code: %d %v, want 400 invalid_grant", loser.status, loser.body)
	}
	// B's silent code is good at A.
	if status, body := redeem(t, a, codeB); status != http.StatusOK || body["id_token"] == nil {
		t.Errorf("B's code at A: %d %v", status, body)
	}
}

// jwks fetches the key set an emulator publishes (from the jwks_uri of its discovery).
func jwks(t *testing.T, e *emulator) []any {
	t.Helper()
	status, body := e.get("/.well-known/openid-configuration")
	var d struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &d) != nil || !strings.HasPrefix(d.JWKSURI, e.issuer) {
		t.Fatalf("%s discovery: %d %s", e.name, status, body)
	}
	status, body = e.get(strings.TrimPrefix(d.JWKSURI, e.issuer))
	var set struct {
		Keys []any `json:"keys"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &set) != nil {
		t.Fatalf("%s JWKS: %d %s", e.name, status, body)
	}
	return set.Keys
}

func authorizeQuery(state string, extra ...string) string {
	q := url.Values{"client_id": {rpClientID}, "redirect_uri": {rpRedirectURI}, "response_type": {"code"},
		"scope": {"openid"}, "state": {state}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q.Encode()
}

// redeem exchanges a code at e's token endpoint (client_secret_basic).
func redeem(t *testing.T, e *emulator, code string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpRedirectURI}}
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(rpClientID, rpSecret)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Errorf("token request to %s: %v", e.name, err)
		return 0, nil
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// newBrowser is a citizen's browser: it follows redirects inside the emulators and stops at
// the relying party's callback. It fails the test on a transport error.
func newBrowser(t *testing.T) *browser.Test {
	return browser.ForTest(t, browser.New(browser.Options{Client: httpClient, Stop: []browser.StopRule{browser.Prefix(rpRedirectURI)}}))
}

// login runs a whole login at e (login form, consent if asked) and returns the code.
func login(t *testing.T, br *browser.Test, e *emulator, state string) string {
	t.Helper()
	pg := br.Get(e.issuer + "/authorize?" + authorizeQuery(state))
	f, err := pg.Form(browser.WithField("login", "password"))
	if err != nil {
		t.Fatalf("%s: expected the login form: %v", e.name, err)
	}
	pg = br.Submit(f.Set("login", rpLogin).Set("password", rpPassword))
	if consent, err := pg.Form(browser.ByAction("/login/consent")); err == nil {
		pg = br.Submit(consent, browser.Button("decision", "allow"))
	}
	return code(t, pg, state)
}

// code checks that pg redirects to the callback with state and a code, and returns the code.
func code(t *testing.T, pg *browser.Page, state string) string {
	t.Helper()
	if !pg.RedirectedTo(rpRedirectURI) {
		t.Fatalf("expected a redirect to %s, got %s", rpRedirectURI, pg.Summary())
	}
	q := pg.Params()
	if q.Get("error") != "" || q.Get("code") == "" || q.Get("state") != state {
		t.Fatalf("callback %s: want a code and state %s", pg.Redirect, state)
	}
	return q.Get("code")
}

// hidden is the value of the page's hidden field name ("" when none).
func hidden(pg *browser.Page, name string) string {
	return pg.Find("input[type=hidden][name=" + name + "]").Attr("value")
}
