package main

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

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
	codeA := br.login(a, "s1")
	// Go's cookie jar, like browsers, does not tell ports apart: the session cookie set by A
	// (127.0.0.1:portA) goes to B (127.0.0.1:portB) as it would in a browser behind one host.
	if !br.hasCookie(b, "esia_session") {
		t.Fatal("the jar does not send A's session cookie to B")
	}
	pg := br.get(b.issuer + "/authorize?" + authorizeQuery("s2", "prompt", "none"))
	codeB := br.code(pg, "s2")

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

// browser is a user agent with a cookie jar that follows redirects inside the emulators and
// stops at the relying party's callback.
type browser struct {
	t   *testing.T
	jar *cookiejar.Jar
	c   *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, jar: jar, c: &http.Client{Jar: jar, Timeout: httpClient.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), rpRedirectURI) || len(via) > 10 {
				return http.ErrUseLastResponse
			}
			return nil
		}}}
}

// page is where the browser ended: a page of the emulator, or a redirect to the callback.
type page struct {
	status   int
	location string
	body     string
}

func (pg page) field(name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(pg.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
}

func (b *browser) get(u string) page {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) page {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) hasCookie(e *emulator, name string) bool {
	u, _ := url.Parse(e.issuer)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return true
		}
	}
	return false
}

// login runs a whole login at e (login form, consent if asked) and returns the code.
func (b *browser) login(e *emulator, state string) string {
	b.t.Helper()
	pg := b.get(e.issuer + "/authorize?" + authorizeQuery(state))
	if !strings.Contains(pg.body, `name="password"`) {
		b.t.Fatalf("%s: expected the login form, got %d %.400s", e.name, pg.status, pg.body)
	}
	pg = b.post(e.issuer+"/login", url.Values{"authRequestID": {pg.field("authRequestID")}, "csrf": {pg.field("csrf")},
		"login": {rpLogin}, "password": {rpPassword}})
	if strings.Contains(pg.body, `action="/login/consent"`) {
		pg = b.post(e.issuer+"/login/consent", url.Values{"authRequestID": {pg.field("authRequestID")}, "csrf": {pg.field("csrf")},
			"decision": {"allow"}})
	}
	return b.code(pg, state)
}

// code checks that pg redirects to the callback with state and a code, and returns the code.
func (b *browser) code(pg page, state string) string {
	b.t.Helper()
	if !strings.HasPrefix(pg.location, rpRedirectURI) {
		b.t.Fatalf("expected a redirect to %s, got %d location=%q body=%.400s", rpRedirectURI, pg.status, pg.location, pg.body)
	}
	u, _ := url.Parse(pg.location)
	q := u.Query()
	if q.Get("error") != "" || q.Get("code") == "" || q.Get("state") != state {
		b.t.Fatalf("callback %s: want a code and state %s", pg.location, state)
	}
	return q.Get("code")
}
