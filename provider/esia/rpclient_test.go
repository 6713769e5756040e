package esia_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/provider/esia"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
)

// esiaRP is a relying party written from esia-protocol.md §2–§4, the way the PHP, Go and C#
// clients build their requests: a signed client_secret over the concatenated parameters,
// a UUID state and a timestamp on every call, a new state on the token call, and the
// certificate's Streebog hash on v2/v3. It talks to the emulator over HTTP only.
type esiaRP struct {
	t        testing.TB
	e        *env
	id       string
	key      *secrettest.Key // nil: a client without a certificate (secret_check: off)
	redirect string
	browser  *browser.Test
	// encode is the client's base64 flavour (default: base64url without padding).
	encode func([]byte) string
	cms    secrettest.CMSOptions
	order  gost.ByteOrder
}

func (e *env) rp(id string, key *secrettest.Key) *esiaRP {
	return &esiaRP{t: e.t, e: e, id: id, key: key, redirect: rpRedir, browser: e.browser(), encode: base64.RawURLEncoding.EncodeToString}
}

func newState() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return esia.NewUUID(b)
}

// timestamp is "yyyy.MM.dd HH:mm:ss Z" by the emulator's (injected) clock.
func (c *esiaRP) timestamp() string { return c.e.clock.Now().Format("2006.01.02 15:04:05 -0700") }

// secretV1 is the PKCS#7 detached signature over scope+timestamp+client_id+state.
func (c *esiaRP) secretV1(scope, ts, state string) string {
	if c.key == nil {
		return "unsigned"
	}
	return c.encode(secrettest.CMS(c.t, c.key, []byte(scope+ts+c.id+state), c.cms))
}

// secretV2 is the raw signature over client_id+scope+timestamp+state+redirect_uri(+code).
func (c *esiaRP) secretV2(scope, ts, state, code string) string {
	if c.key == nil {
		return "unsigned"
	}
	return c.encode(c.key.RawSign(c.t, []byte(c.id+scope+ts+state+c.redirect+code), c.order))
}

func (c *esiaRP) certHash() string {
	if c.key == nil {
		return "0000"
	}
	return gost.CertificateHash(c.key.DER)
}

// authParams builds the authorization request.
func (c *esiaRP) authParams(v2 bool, scope, accessType, state string) url.Values {
	ts := c.timestamp()
	q := url.Values{"client_id": {c.id}, "scope": {scope}, "response_type": {"code"}, "redirect_uri": {c.redirect},
		"state": {state}, "timestamp": {ts}, "access_type": {accessType}}
	if v2 {
		q.Set("client_secret", c.secretV2(scope, ts, state, ""))
		q.Set("client_certificate_hash", c.certHash())
	} else {
		q.Set("client_secret", c.secretV1(scope, ts, state))
	}
	return q
}

func authPath(v2 bool) string {
	if v2 {
		return "/aas/oauth2/v2/ac"
	}
	return "/aas/oauth2/ac"
}

func tokenPath(v3 bool) string {
	if v3 {
		return "/aas/oauth2/v3/te"
	}
	return "/aas/oauth2/te"
}

// authorize sends the browser to the authorization endpoint.
func (c *esiaRP) authorize(v2 bool, q url.Values) *browser.Page {
	return c.browser.Get(c.e.base + authPath(v2) + "?" + q.Encode())
}

// loginFor runs the authorization and login and returns the code and the state.
func (c *esiaRP) loginFor(v2 bool, scope, accessType, persona string) (code, state string) {
	c.t.Helper()
	state = newState()
	pg := c.authorize(v2, c.authParams(v2, scope, accessType, state))
	if isLoginForm(pg) {
		pg = c.e.login(c.browser, pg, persona)
	} else {
		pg = c.e.approveConsent(c.browser, pg)
	}
	return c.codeFrom(pg, state), state
}

func (c *esiaRP) codeFrom(pg *browser.Page, state string) string {
	c.t.Helper()
	if !pg.RedirectedTo(c.redirect) {
		c.t.Fatalf("expected a redirect to %s, got %s", c.redirect, pg.Summary())
	}
	q := pg.Params()
	if e := q.Get("error"); e != "" {
		c.t.Fatalf("error %s: %s", e, q.Get("error_description"))
	}
	if got := q.Get("state"); got != state {
		c.t.Fatalf("state %q, want %q", got, state)
	}
	return q.Get("code")
}

// tokenForm is a token request as the clients send it, with a new state.
func (c *esiaRP) tokenForm(v3 bool, grant, codeOrRefresh, scope string) url.Values {
	ts, state := c.timestamp(), newState()
	f := url.Values{"client_id": {c.id}, "grant_type": {grant}, "redirect_uri": {c.redirect}, "scope": {scope},
		"timestamp": {ts}, "state": {state}, "token_type": {"Bearer"}}
	code := ""
	if grant == "authorization_code" {
		f.Set("code", codeOrRefresh)
		code = codeOrRefresh
	} else {
		f.Set("refresh_token", codeOrRefresh)
	}
	if v3 {
		f.Set("client_secret", c.secretV2(scope, ts, state, code))
		f.Set("client_certificate_hash", c.certHash())
	} else {
		f.Set("client_secret", c.secretV1(scope, ts, state))
	}
	return f
}

// post sends a token request and decodes the JSON answer.
func (c *esiaRP) post(v3 bool, form url.Values) (int, map[string]any) {
	c.t.Helper()
	resp, err := c.e.srv.Client().PostForm(c.e.base+tokenPath(v3), form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		c.t.Fatalf("token answer content type %q", ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, m
}

// exchange trades the code for tokens and checks the answer's basic shape.
func (c *esiaRP) exchange(v3 bool, code, scope string) map[string]any {
	c.t.Helper()
	form := c.tokenForm(v3, "authorization_code", code, scope)
	status, m := c.post(v3, form)
	if status != http.StatusOK {
		c.t.Fatalf("exchange: %d %v", status, m)
	}
	if m["state"] != form.Get("state") {
		c.t.Fatalf("token answer state %v, want the token request's %s", m["state"], form.Get("state"))
	}
	return m
}

// api calls /rs with the access token.
func (c *esiaRP) api(token, path string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", `application/json; schema="https://esia.gosuslugi.ru/schema/prns/v1"`)
	resp, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// jwtParts decodes a JWT's header and claims without checking anything.
func jwtParts(t testing.TB, tok string) (header, claims map[string]any, rawClaims []byte) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	cb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(cb, &claims); err != nil {
		t.Fatal(err)
	}
	return header, claims, cb
}

func str(v any) string { return fmt.Sprint(v) }
