package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// bclPost is one back-channel logout request the relying party's endpoint received.
type bclPost struct {
	path, contentType string
	form              url.Values
}

// bclRP is a relying party's back-channel logout endpoint: /ok answers 200, /fail 500, /hang
// holds the request until the caller gives up. Every request is reported on got first.
type bclRP struct {
	srv *httptest.Server
	got chan bclPost
}

func newBCLRP(t *testing.T) *bclRP {
	rp := &bclRP{got: make(chan bclPost, 32)}
	rp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		rp.got <- bclPost{path: r.URL.Path, contentType: r.Header.Get("Content-Type"), form: r.PostForm}
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusOK)
		case "/hang":
			<-r.Context().Done()
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(rp.srv.Close)
	return rp
}

// next waits for the next request, failing the test after a timeout.
func (rp *bclRP) next(t *testing.T) bclPost {
	t.Helper()
	select {
	case p := <-rp.got:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no back-channel logout request arrived")
		return bclPost{}
	}
}

// none checks that nothing else was sent (call after the provider's Shutdown).
func (rp *bclRP) none(t *testing.T) {
	t.Helper()
	select {
	case p := <-rp.got:
		t.Fatalf("unexpected back-channel logout request to %s", p.path)
	default:
	}
}

const (
	bclRedirect   = "http://127.0.0.1:9300/cb"
	bclESRedirect = "http://127.0.0.1:9301/cb"
)

func newBCLEnv(t *testing.T, rp *bclRP, client *http.Client, paths map[string]string) *env {
	return newEnvWithOptions(t, memory.New(), func(o *provider.Options) { o.HTTPClient = client }, func(c *config.Config) {
		c.Clients = append(c.Clients,
			config.Client{ID: "bcl-client", Secret: "bcl-secret", RedirectURIs: []string{bclRedirect},
				BackchannelLogoutURI: rp.srv.URL + paths["bcl-client"], BackchannelLogoutSessionRequired: true},
			config.Client{ID: "bcl-es", Secret: "bcl-es-secret", SigningAlg: "ES256", RedirectURIs: []string{bclESRedirect},
				BackchannelLogoutURI: rp.srv.URL + paths["bcl-es"]},
		)
	})
}

// shutdown waits for the provider's background deliveries.
func (e *env) shutdown(t *testing.T, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return e.p.Shutdown(ctx)
}

func (e *env) bclEvents(t *testing.T) map[string]audit.Event {
	t.Helper()
	evs, err := (&audit.Log{Docs: e.store}).Query(context.Background(), audit.Filter{Types: []audit.Type{audit.BackchannelLogout}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]audit.Event{}
	for _, ev := range evs {
		if _, dup := out[ev.ClientID]; dup {
			t.Fatalf("two back-channel events for %s", ev.ClientID)
		}
		out[ev.ClientID] = ev
	}
	return out
}

// verifyLogoutToken checks a logout token's signature against the provider's JWKS, its header
// and claims, and returns the claims.
func verifyLogoutToken(t *testing.T, e *env, raw, clientID string, alg jose.SignatureAlgorithm) map[string]any {
	t.Helper()
	ctx := oidc.ClientContext(context.Background(), e.srv.Client())
	prov, err := oidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		JWKS    string `json:"jwks_uri"`
		BCL     bool   `json:"backchannel_logout_supported"`
		BCLSess bool   `json:"backchannel_logout_session_supported"`
	}
	if err := prov.Claims(&disc); err != nil {
		t.Fatal(err)
	}
	if !disc.BCL || !disc.BCLSess {
		t.Fatalf("discovery: backchannel_logout_supported %v, backchannel_logout_session_supported %v", disc.BCL, disc.BCLSess)
	}
	payload, err := oidc.NewRemoteKeySet(ctx, disc.JWKS).VerifySignature(ctx, raw)
	if err != nil {
		t.Fatalf("logout token signature: %v", err)
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if h.Algorithm != string(alg) || h.KeyID == "" || h.ExtraHeaders[jose.HeaderType] != "logout+jwt" {
		t.Fatalf("logout token header: alg %s kid %q typ %v", h.Algorithm, h.KeyID, h.ExtraHeaders[jose.HeaderType])
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	if c["iss"] != e.issuer || c["aud"] != clientID {
		t.Fatalf("iss %v aud %v", c["iss"], c["aud"])
	}
	iat, _ := c["iat"].(float64)
	exp, _ := c["exp"].(float64)
	if iat == 0 || exp-iat != 120 {
		t.Fatalf("iat %v exp %v", c["iat"], c["exp"])
	}
	if jti, _ := c["jti"].(string); len(jti) < 16 {
		t.Fatalf("jti %v", c["jti"])
	}
	events, _ := c["events"].(map[string]any)
	if ev, ok := events["http://schemas.openid.net/event/backchannel-logout"].(map[string]any); !ok || len(ev) != 0 || len(events) != 1 {
		t.Fatalf("events %v", c["events"])
	}
	if _, ok := c["nonce"]; ok {
		t.Fatal("a logout token must not carry a nonce")
	}
	return c
}

func TestBackchannelLogoutOnRPInitiatedLogout(t *testing.T) {
	rp := newBCLRP(t)
	e := newBCLEnv(t, rp, nil, map[string]string{"bcl-client": "/ok", "bcl-es": "/ok"})
	b := e.browser()
	bcl := e.rp("bcl-client", "bcl-secret", bclRedirect, b)
	tok, idt := bcl.mustExchange(bcl.loginAs("+79990000003", oauth2.SetAuthURLParam("nonce", "n-123")))
	sid, _ := claims(t, idt)["sid"].(string)
	if sid == "" {
		t.Fatal("the ID token has no sid")
	}
	// The same SSO session serves an ES256 client with a URI and a client without one.
	es := e.rp("bcl-es", "bcl-es-secret", bclESRedirect, b)
	es.mustExchange(es.codeFrom(es.authorize()))
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, b)
	cab.mustExchange(cab.codeFrom(cab.authorize()))

	q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}}
	if pg := get(t, b, e.issuer+"/end_session?"+q.Encode()); pg.status != http.StatusOK {
		t.Fatalf("end_session: %d %q", pg.status, snippet(pg.body))
	}
	byPath := map[string]jose.SignatureAlgorithm{"bcl-client": jose.RS256, "bcl-es": jose.ES256}
	for range 2 {
		p := rp.next(t)
		if p.path != "/ok" || p.contentType != "application/x-www-form-urlencoded" || len(p.form) != 1 {
			t.Fatalf("request %s %q %v", p.path, p.contentType, p.form)
		}
		raw := p.form.Get("logout_token")
		var aud string
		if jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256}); err == nil {
			var c struct {
				Aud string `json:"aud"`
			}
			_ = json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c)
			aud = c.Aud
		}
		alg, ok := byPath[aud]
		if !ok {
			t.Fatalf("logout token for %q", aud)
		}
		delete(byPath, aud)
		c := verifyLogoutToken(t, e, raw, aud, alg)
		if c["sid"] != sid || c["sub"] != idt.Subject {
			t.Fatalf("sid %v sub %v, want %s %s", c["sid"], c["sub"], sid, idt.Subject)
		}
	}
	if err := e.shutdown(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rp.none(t) // demo-cabinet has no backchannel_logout_uri
	evs := e.bclEvents(t)
	for _, id := range []string{"bcl-client", "bcl-es"} {
		if ev := evs[id]; ev.Details["status"] != "delivered" || ev.Details["http_status"] != "200" || ev.SessionID != sid || ev.UserID != idt.Subject {
			t.Fatalf("audit for %s: %+v", id, ev)
		}
	}
	if len(evs) != 2 {
		t.Fatalf("audit: %d back-channel events", len(evs))
	}
	for _, ev := range evs {
		for k, v := range ev.Details {
			if strings.Count(v, ".") == 2 && len(v) > 100 {
				t.Fatalf("the audit detail %s looks like a token", k)
			}
		}
	}
}

func TestBackchannelLogoutFromAccountSessionsPage(t *testing.T) {
	rp := newBCLRP(t)
	e := newBCLEnv(t, rp, nil, map[string]string{"bcl-client": "/ok", "bcl-es": "/ok"})
	b := e.browser()
	bcl := e.rp("bcl-client", "bcl-secret", bclRedirect, b)
	_, idt := bcl.mustExchange(bcl.loginAs("+79990000003"))
	sid, _ := claims(t, idt)["sid"].(string)

	sess := get(t, b, e.issuer+"/account/sessions")
	if _, err := sess.pg.Form(func(f *browser.Form) bool { return f.Get("session") == sid }); err != nil {
		t.Fatalf("the sessions page does not list the session: %s", snippet(sess.body))
	}
	pg := post(t, b, e.issuer+"/account/sessions/end", url.Values{"csrf": {sess.form("csrf")}, "session": {sid}})
	if pg.status != http.StatusSeeOther && pg.status != http.StatusOK {
		t.Fatalf("end session: %d", pg.status)
	}
	p := rp.next(t)
	c := verifyLogoutToken(t, e, p.form.Get("logout_token"), "bcl-client", jose.RS256)
	if c["sid"] != sid || c["sub"] != idt.Subject {
		t.Fatalf("sid %v sub %v", c["sid"], c["sub"])
	}
	if err := e.shutdown(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rp.none(t) // bcl-es got no tokens in this session
}

func TestBackchannelLogoutNotConfigured(t *testing.T) {
	rp := newBCLRP(t)
	e := newBCLEnv(t, rp, nil, map[string]string{"bcl-client": "/ok", "bcl-es": "/ok"})
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	q := url.Values{"id_token_hint": {tok.Extra("id_token").(string)}}
	if pg := get(t, cab.browser, e.issuer+"/end_session?"+q.Encode()); pg.status != http.StatusOK {
		t.Fatalf("end_session: %d", pg.status)
	}
	if err := e.shutdown(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rp.none(t)
	if evs := e.bclEvents(t); len(evs) != 0 {
		t.Fatalf("audit: %+v", evs)
	}
}

func TestBackchannelLogoutFailuresDoNotBlockTheUser(t *testing.T) {
	rp := newBCLRP(t)
	// No client timeout: the hanging endpoint holds its delivery until Shutdown gives up.
	e := newBCLEnv(t, rp, &http.Client{}, map[string]string{"bcl-client": "/fail", "bcl-es": "/hang"})
	b := e.browser()
	bcl := e.rp("bcl-client", "bcl-secret", bclRedirect, b)
	_, idt := bcl.mustExchange(bcl.loginAs("+79990000003"))
	sid, _ := claims(t, idt)["sid"].(string)
	es := e.rp("bcl-es", "bcl-es-secret", bclESRedirect, b)
	es.mustExchange(es.codeFrom(es.authorize()))

	// The logout question (no id_token_hint), answered in the goroutine.
	question, err := get(t, b, e.issuer+"/end_session").pg.Form(browser.WithField("logout"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan page, 1)
	go func() {
		// Not submit(): t.Fatal belongs to the test goroutine.
		p, err := b.Submit(context.Background(), question, browser.Button("logout", "yes"))
		if err != nil {
			done <- page{}
			return
		}
		done <- page{status: p.Status}
	}()
	select {
	case pg := <-done:
		if pg.status != http.StatusOK {
			t.Fatalf("end_session: %d", pg.status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the logout waited for the relying parties")
	}
	if got := bcl.authorize(oauth2.SetAuthURLParam("prompt", "none")).query("error"); got != "login_required" {
		t.Fatalf("after logout prompt=none gave %q", got)
	}
	seen := map[string]bool{}
	for range 2 {
		seen[rp.next(t).path] = true
	}
	if !seen["/fail"] || !seen["/hang"] {
		t.Fatalf("requests: %v", seen)
	}
	// The hanging delivery is still in flight: Shutdown gives up on it and cancels it.
	if err := e.shutdown(t, 200*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shutdown with a hanging delivery: %v", err)
	}
	evs := e.bclEvents(t)
	if ev := evs["bcl-client"]; ev.Details["status"] != "failed" || ev.Details["http_status"] != "500" || ev.SessionID != sid {
		t.Fatalf("audit of the 500: %+v", ev)
	}
	if ev := evs["bcl-es"]; ev.Details["status"] != "failed" || ev.Details["error"] == "" || ev.SessionID != sid {
		t.Fatalf("audit of the hanging endpoint: %+v", ev)
	}
}
