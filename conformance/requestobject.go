package conformance

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// unsignedJWT serialises claims as an alg:none JWS (OIDC Core §6.1).
func unsignedJWT(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	b, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// requestObject moves a request's parameters into an unsigned request object (with iss and
// aud) and leaves in the query only what OAuth requires there: response_type, client_id,
// scope (with openid) and redirect_uri. state and nonce travel only inside the object.
func (t *T) requestObject(a *authz) (obj string, outer url.Values) {
	claims := map[string]any{"iss": a.rp.ID, "aud": t.s.o.Issuer}
	for k := range a.params {
		claims[k] = a.params.Get(k)
	}
	outer = url.Values{}
	for _, k := range []string{"response_type", "client_id", "scope", "redirect_uri"} {
		outer.Set(k, a.params.Get(k))
	}
	return unsignedJWT(claims), outer
}

// skipIfNoneUnsupported: the official modules skip when the provider lists request object
// algorithms and none is not among them.
func (t *T) skipIfNoneUnsupported(d *discovery) {
	if d.RequestObjectSigningAlgValuesSupported != nil && !slices.Contains(d.RequestObjectSigningAlgValuesSupported, "none") {
		t.Skip("'none' is not in request_object_signing_alg_values_supported %v", d.RequestObjectSigningAlgValuesSupported)
	}
}

func requestObjectUnsigned(t *T) {
	d := t.needDiscovery()
	t.skipIfNoneUnsupported(d)
	a := t.newAuthz(t.s.basic, "openid")
	obj, outer := t.requestObject(a)
	outer.Set("request", obj)
	t.requestObjectOutcome(a, outer, "request_not_supported", d.RequestParameterSupported, false)
}

func requestURIUnsigned(t *T) {
	d := t.needDiscovery()
	t.skipIfNoneUnsupported(d)
	a := t.newAuthz(t.s.basic, "openid")
	obj, outer := t.requestObject(a)
	uri, closeFn, err := serveRequestObject(obj)
	if err != nil {
		t.Fatal("host the request object", "%v", err)
	}
	defer closeFn()
	t.Info("request_uri", "%s (a loopback listener: a provider that cannot reach it must answer request_uri_not_supported or fails)", uri)
	outer.Set("request_uri", uri)
	// OIDC Discovery §3: request_uri_parameter_supported defaults to true when absent.
	t.requestObjectOutcome(a, outer, "request_uri_not_supported", d.RequestURIParameterSupported, true)
}

// requestObjectOutcome sends the request and accepts two outcomes: the object processed
// (state and nonce, which were only inside it, come back) or the not-supported error at the
// client. Ignoring the object, or any other answer, fails.
func (t *T) requestObjectOutcome(a *authz, outer url.Values, unsupported string, advertised *bool, defaultTrue bool) {
	sent := &authz{rp: a.rp, params: outer, state: a.state, nonce: a.nonce}
	out := t.authorize(t.newBrowser(), sent, t.creds())
	p := out.Page
	if p.Redirect == nil {
		t.Fatal("redirect to the client", "%s (the provider must process the request object or answer %s at the redirect_uri)", p.summary(), unsupported)
	}
	t.Require("redirect to the client", p.redirectedTo(a.rp.RedirectURI), "redirected to %s", p.Redirect)
	params := p.params()
	claimed := defaultTrue
	if advertised != nil {
		claimed = *advertised
	}
	if e := params.Get("error"); e != "" {
		t.Require("processed or rejected as unsupported", e == unsupported, "error=%s error_description=%q; want the request processed or error=%s",
			e, params.Get("error_description"), unsupported)
		t.Check("error value characters", validErrorChars(e) && validErrorChars(params.Get("error_description")), "error_description=%q", params.Get("error_description"))
		t.Warn("discovery agrees", !claimed, "discovery advertises support but the provider answered %s", e)
		t.Pass("rejected as unsupported (%s); the official suite records this outcome as SKIPPED", e)
	}
	t.Require("state from the request object", params.Get("state") == a.state,
		"state %q, sent %q only inside the request object: the object was ignored", params.Get("state"), a.state)
	t.checkResponseIss(params)
	code := params.Get("code")
	t.Require("authorization code", code != "", "code %s in %s", presence(code), p.Redirect)
	tok := t.exchange(a, code)
	t.checkIDToken(tok.IDToken, idTokenWant{rp: a.rp, nonce: a.nonce, access: tok.Access, code: code})
	t.Note("request object processed")
}

func requestObjectRedirectURI(t *T) {
	d := t.needDiscovery()
	t.skipIfNoneUnsupported(d)
	a := t.newAuthz(t.s.basic, "openid")
	obj, outer := t.requestObject(a)
	bad := strings.TrimSuffix(a.rp.RedirectURI, "/") + "/invalid-" + randomString(8)
	outer.Set("redirect_uri", bad)
	outer.Set("request", obj)
	b := t.newBrowser()
	b.stopAt(bad)
	out := t.authorize(b, &authz{rp: a.rp, params: outer, state: a.state, nonce: a.nonce}, t.creds())
	p := out.Page
	switch {
	case p.Redirect == nil:
		t.Check("error page for the invalid redirect_uri", p.Status >= 400 && p.Status < 500, "%s", p.summary())
		t.Note("error page (HTTP %d)", p.Status)
	case p.redirectedTo(bad):
		t.Fatal("request object redirect_uri used", "redirected to the query's invalid redirect_uri %s", p.Redirect)
	case p.redirectedTo(a.rp.RedirectURI):
		params := p.params()
		if e := params.Get("error"); e != "" {
			t.Fatal("request object redirect_uri used", "error=%s at %s: an error for an invalid redirect_uri must not be sent to another redirect_uri", e, p.Redirect)
		}
		t.Require("state from the request object", params.Get("state") == a.state, "state %q, sent %q", params.Get("state"), a.state)
		code := params.Get("code")
		t.Require("authorization code", code != "", "code %s in %s", presence(code), p.Redirect)
		tok := t.exchange(a, code)
		t.checkIDToken(tok.IDToken, idTokenWant{rp: a.rp, nonce: a.nonce, access: tok.Access, code: code})
		t.Note("the request object's redirect_uri was used")
	default:
		t.Fatal("redirect", "redirected to %s", p.Redirect)
	}
}

// serveRequestObject serves obj at a random path on a loopback listener until closed.
func serveRequestObject(obj string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	path := "/request-" + randomString(16) + ".jwt"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
		_, _ = w.Write([]byte(obj))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the module reports what the provider answered
		}
	}()
	return "http://" + ln.Addr().String() + path, func() { _ = srv.Close(); <-done }, nil
}
