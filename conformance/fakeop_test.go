package conformance_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/conformance"
)

// fakeOP is a deliberately small provider whose faults the tests choose: it logs everyone in
// without a page and answers with whatever the knobs say.
type fakeOP struct {
	srv       *httptest.Server
	key       *rsa.PrivateKey // published in the JWKS
	signWith  *rsa.PrivateKey // signs ID tokens (a foreign key makes the signature invalid)
	discovery func(issuer string) map[string]any
	jwks      func(pub jose.JSONWebKey) []any
	claims    func(c map[string]any)
	// anyRedirect redirects to whatever redirect_uri is asked (no registration check).
	anyRedirect bool

	mu     sync.Mutex
	nonces map[string]string
}

var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func newFakeOP(t *testing.T, tune func(*fakeOP)) (*fakeOP, conformance.Options) {
	t.Helper()
	f := &fakeOP{key: testKey, signWith: testKey, nonces: map[string]string{}}
	f.discovery = func(iss string) map[string]any {
		return map[string]any{
			"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
			"userinfo_endpoint": iss + "/userinfo", "jwks_uri": iss + "/keys",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "scopes_supported": []string{"openid"},
			"claims_supported": []string{"sub"}, "grant_types_supported": []string{"authorization_code"},
		}
	}
	f.jwks = func(pub jose.JSONWebKey) []any { return []any{pub} }
	f.claims = func(map[string]any) {}
	if tune != nil {
		tune(f)
	}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f, conformance.Options{
		Issuer:     f.srv.URL,
		Client:     conformance.Client{ID: "c1", Secret: "s1", RedirectURI: "https://rp.example/cb"},
		PostClient: conformance.Client{ID: "c2", Secret: "s2", RedirectURI: "https://rp.example/cb2"},
		Login:      "user", Password: "pw",
		HTTPClient: f.srv.Client(),
	}
}

func (f *fakeOP) serve(w http.ResponseWriter, r *http.Request) {
	iss := f.srv.URL
	writeJSON := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		writeJSON(f.discovery(iss))
	case "/keys":
		writeJSON(map[string]any{"keys": f.jwks(jose.JSONWebKey{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"})})
	case "/authorize":
		q := r.URL.Query()
		ru := q.Get("redirect_uri")
		if !f.anyRedirect && ru != "https://rp.example/cb" && ru != "https://rp.example/cb2" {
			http.Error(w, "unregistered redirect_uri", http.StatusBadRequest)
			return
		}
		code := "code-" + q.Get("state")
		f.mu.Lock()
		f.nonces[code] = q.Get("nonce")
		f.mu.Unlock()
		http.Redirect(w, r, ru+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	case "/token":
		_ = r.ParseForm()
		f.mu.Lock()
		nonce := f.nonces[r.PostForm.Get("code")]
		f.mu.Unlock()
		id, _, ok := r.BasicAuth()
		if !ok {
			id = r.PostForm.Get("client_id")
		}
		now := time.Now().Unix()
		c := map[string]any{"iss": iss, "sub": "u1", "aud": id, "iat": now, "exp": now + 300}
		if nonce != "" {
			c["nonce"] = nonce
		}
		f.claims(c)
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: f.signWith}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
		b, _ := json.Marshal(c)
		jws, _ := signer.Sign(b)
		idt, _ := jws.CompactSerialize()
		writeJSON(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	case "/userinfo":
		if r.Header.Get("Authorization") != "Bearer at" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		writeJSON(map[string]any{"sub": "u1"})
	default:
		http.NotFound(w, r)
	}
}

// run runs the named modules against the fake and returns their results by name.
func run(t *testing.T, opts conformance.Options, modules ...string) map[string]conformance.ModuleResult {
	t.Helper()
	opts.Modules = modules
	rep := conformance.Run(t.Context(), opts)
	out := map[string]conformance.ModuleResult{}
	for _, m := range rep.Modules {
		out[m.Name] = m
	}
	return out
}

func failedCheck(m conformance.ModuleResult, name string) bool {
	for _, c := range m.Checks {
		if c.Name == name && c.Outcome == conformance.OutcomeFail {
			return true
		}
	}
	return false
}

func TestWellBehavedFakePasses(t *testing.T) {
	_, opts := newFakeOP(t, nil)
	for name, m := range run(t, opts, "oidcc-discovery-endpoint-verification", "oidcc-server", "oidcc-server-client-secret-post", "oidcc-ensure-registered-redirect-uri") {
		if m.Verdict != conformance.Passed {
			t.Errorf("%s: %s %s", name, m.Verdict, m.Reason)
		}
	}
}

func TestBrokenDiscoveryFailsConfigOP(t *testing.T) {
	_, opts := newFakeOP(t, func(f *fakeOP) {
		base := f.discovery
		f.discovery = func(iss string) map[string]any {
			d := base(iss)
			d["token_endpoint"] = strings.Replace(iss, "https://", "http://", 1) + "/token"
			d["issuer"] = iss + "/"
			return d
		}
		f.jwks = func(pub jose.JSONWebKey) []any {
			priv := jose.JSONWebKey{Key: f.key, KeyID: "private", Algorithm: "RS256", Use: "sig"}
			return []any{pub, priv, map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}}
		}
	})
	m := run(t, opts, "oidcc-discovery-endpoint-verification")["oidcc-discovery-endpoint-verification"]
	if m.Verdict != conformance.Failed {
		t.Fatalf("verdict %s", m.Verdict)
	}
	for _, c := range []string{"every endpoint is https", "token_endpoint", "issuer matches the discovery URL", "jwks has no private keys", "jwks has no symmetric keys"} {
		if !failedCheck(m, c) {
			t.Errorf("check %q did not fail: %+v", c, m.Checks)
		}
	}
}

func TestPlainHTTPIssuerFailsConfigOP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss := "http://" + r.Host
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
			"jwks_uri": iss + "/keys", "keys": []any{}, "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	}))
	defer srv.Close()
	opts := conformance.Options{Issuer: srv.URL, Client: conformance.Client{ID: "c", Secret: "s", RedirectURI: "https://rp.example/cb"},
		Login: "u", Password: "p", HTTPClient: srv.Client()}
	m := run(t, opts, "oidcc-discovery-endpoint-verification")["oidcc-discovery-endpoint-verification"]
	if m.Verdict != conformance.Failed || !failedCheck(m, "every endpoint is https") || !failedCheck(m, "issuer is a valid https URL") {
		t.Fatalf("%s %s %+v", m.Verdict, m.Reason, m.Checks)
	}
}

func TestIDTokenFaultsFailTheFlow(t *testing.T) {
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		tune  func(*fakeOP)
		check string
	}{
		{"signed by another key", func(f *fakeOP) { f.signWith = foreign }, "id_token signature"},
		{"wrong issuer", func(f *fakeOP) { f.claims = func(c map[string]any) { c["iss"] = "https://evil.example" } }, "id_token iss"},
		{"wrong audience", func(f *fakeOP) { f.claims = func(c map[string]any) { c["aud"] = "someone-else" } }, "id_token aud"},
		{"expired", func(f *fakeOP) { f.claims = func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() } }, "id_token exp"},
		{"issued in the future", func(f *fakeOP) { f.claims = func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() } }, "id_token iat"},
		{"nonce replaced", func(f *fakeOP) { f.claims = func(c map[string]any) { c["nonce"] = "other" } }, "id_token nonce"},
		{"at_hash wrong", func(f *fakeOP) { f.claims = func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" } }, "id_token at_hash"},
		{"kid not in the JWKS", func(f *fakeOP) {
			f.jwks = func(pub jose.JSONWebKey) []any { pub.KeyID = "other"; return []any{pub} }
		}, "id_token kid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, opts := newFakeOP(t, tc.tune)
			m := run(t, opts, "oidcc-server")["oidcc-server"]
			if m.Verdict != conformance.Failed || !failedCheck(m, tc.check) {
				t.Fatalf("%s %s; want check %q to fail: %+v", m.Verdict, m.Reason, tc.check, m.Checks)
			}
		})
	}
}

func TestRedirectToAnUnregisteredURIFails(t *testing.T) {
	_, opts := newFakeOP(t, func(f *fakeOP) { f.anyRedirect = true })
	m := run(t, opts, "oidcc-ensure-registered-redirect-uri")["oidcc-ensure-registered-redirect-uri"]
	if m.Verdict != conformance.Failed || !failedCheck(m, "no redirect to the unregistered URI") {
		t.Fatalf("%s %s %+v", m.Verdict, m.Reason, m.Checks)
	}
}

func TestUnadvertisedFeaturesAreSkipped(t *testing.T) {
	_, opts := newFakeOP(t, nil)
	res := run(t, opts, "oidcc-idtoken-unsigned", "oidcc-rp-initiated-logout", "oidcc-backchannel")
	for _, name := range []string{"oidcc-idtoken-unsigned", "oidcc-rp-initiated-logout", "oidcc-rp-initiated-logout-no-params", "oidcc-backchannel-logout-discovery-endpoint-verification"} {
		if res[name].Verdict != conformance.Skipped {
			t.Errorf("%s: %s %s", name, res[name].Verdict, res[name].Reason)
		}
	}
	// The logout discovery module is not optional: the fake has no end_session_endpoint.
	if m := res["oidcc-rp-initiated-logout-discovery-endpoint-verification"]; m.Verdict != conformance.Failed {
		t.Errorf("logout discovery: %s %s", m.Verdict, m.Reason)
	}
}

func TestUnreachableIssuerFailsEveryModule(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	client := srv.Client()
	srv.Close()
	rep := conformance.Run(t.Context(), conformance.Options{Issuer: srv.URL, HTTPClient: client,
		Client: conformance.Client{ID: "c", Secret: "s", RedirectURI: "https://rp.example/cb"}, Login: "u", Password: "p"})
	p, f, s := rep.Counts()
	if p != 0 || f != len(rep.Modules) || s != 0 || rep.OK() {
		t.Fatalf("passed %d failed %d skipped %d of %d\n%s", p, f, s, len(rep.Modules), rep.Text())
	}
}
