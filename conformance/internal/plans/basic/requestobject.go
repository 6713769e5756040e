package basic

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

	"github.com/esia-emulator/esia-emulator/conformance/internal/rp"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
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
func requestObject(t *suite.T, a *rp.Authz) (obj string, outer url.Values) {
	claims := map[string]any{"iss": a.Client.ID, "aud": t.S.O.Issuer}
	for k := range a.Params {
		claims[k] = a.Params.Get(k)
	}
	outer = url.Values{}
	for _, k := range []string{"response_type", "client_id", "scope", "redirect_uri"} {
		outer.Set(k, a.Params.Get(k))
	}
	return unsignedJWT(claims), outer
}

// skipIfNoneUnsupported: the official modules skip when the provider lists request object
// algorithms and none is not among them.
func skipIfNoneUnsupported(t *suite.T, d *suite.Discovery) {
	if d.RequestObjectSigningAlgValuesSupported != nil && !slices.Contains(d.RequestObjectSigningAlgValuesSupported, "none") {
		t.Skip("'none' is not in request_object_signing_alg_values_supported %v", d.RequestObjectSigningAlgValuesSupported)
	}
}

func requestObjectUnsigned(t *suite.T) {
	d := t.NeedDiscovery()
	skipIfNoneUnsupported(t, d)
	a := rp.NewAuthz(t, t.S.Basic, "openid")
	obj, outer := requestObject(t, a)
	outer.Set("request", obj)
	requestObjectOutcome(t, a, outer, "request_not_supported", d.RequestParameterSupported, false)
}

func requestURIUnsigned(t *suite.T) {
	d := t.NeedDiscovery()
	skipIfNoneUnsupported(t, d)
	a := rp.NewAuthz(t, t.S.Basic, "openid")
	obj, outer := requestObject(t, a)
	uri, closeFn, err := serveRequestObject(obj)
	if err != nil {
		t.Fatal("host the request object", "%v", err)
	}
	defer closeFn()
	t.Info("request_uri", "%s (a loopback listener: a provider that cannot reach it must answer request_uri_not_supported or fails)", uri)
	outer.Set("request_uri", uri)
	// OIDC Discovery §3: request_uri_parameter_supported defaults to true when absent.
	requestObjectOutcome(t, a, outer, "request_uri_not_supported", d.RequestURIParameterSupported, true)
}

// requestObjectOutcome sends the request and accepts two outcomes: the object processed
// (state and nonce, which were only inside it, come back) or the not-supported error at the
// client. Ignoring the object, or any other answer, fails.
func requestObjectOutcome(t *suite.T, a *rp.Authz, outer url.Values, unsupported string, advertised *bool, defaultTrue bool) {
	sent := &rp.Authz{Client: a.Client, Params: outer, State: a.State, Nonce: a.Nonce}
	out := rp.Authorize(t, rp.NewBrowser(t), sent, rp.Creds(t))
	p := out.Page
	if p.Redirect == nil {
		t.Fatal("redirect to the client", "%s (the provider must process the request object or answer %s at the redirect_uri)", p.Summary(), unsupported)
	}
	t.Require("redirect to the client", p.RedirectedTo(a.Client.RedirectURI), "redirected to %s", p.Redirect)
	params := p.Params()
	claimed := defaultTrue
	if advertised != nil {
		claimed = *advertised
	}
	if e := params.Get("error"); e != "" {
		t.Require("processed or rejected as unsupported", e == unsupported, "error=%s error_description=%q; want the request processed or error=%s",
			e, params.Get("error_description"), unsupported)
		t.Check("error value characters", rp.ValidErrorChars(e) && rp.ValidErrorChars(params.Get("error_description")), "error_description=%q", params.Get("error_description"))
		t.Warn("discovery agrees", !claimed, "discovery advertises support but the provider answered %s", e)
		t.Pass("rejected as unsupported (%s); the official suite records this outcome as SKIPPED", e)
	}
	t.Require("state from the request object", params.Get("state") == a.State,
		"state %q, sent %q only inside the request object: the object was ignored", params.Get("state"), a.State)
	rp.CheckResponseIss(t, params)
	code := params.Get("code")
	t.Require("authorization code", code != "", "code %s in %s", rp.Presence(code), p.Redirect)
	tok := rp.Exchange(t, a, code)
	rp.CheckIDToken(t, tok.IDToken, rp.IDTokenWant{Client: a.Client, Nonce: a.Nonce, Access: tok.Access, Code: code})
	t.Note("request object processed")
}

func requestObjectRedirectURI(t *suite.T) {
	d := t.NeedDiscovery()
	skipIfNoneUnsupported(t, d)
	a := rp.NewAuthz(t, t.S.Basic, "openid")
	obj, outer := requestObject(t, a)
	bad := strings.TrimSuffix(a.Client.RedirectURI, "/") + "/invalid-" + rp.RandomString(8)
	outer.Set("redirect_uri", bad)
	outer.Set("request", obj)
	b := rp.NewBrowser(t)
	b.StopAt(bad)
	out := rp.Authorize(t, b, &rp.Authz{Client: a.Client, Params: outer, State: a.State, Nonce: a.Nonce}, rp.Creds(t))
	p := out.Page
	switch {
	case p.Redirect == nil:
		t.Check("error page for the invalid redirect_uri", p.Status >= 400 && p.Status < 500, "%s", p.Summary())
		t.Note("error page (HTTP %d)", p.Status)
	case p.RedirectedTo(bad):
		t.Fatal("request object redirect_uri used", "redirected to the query's invalid redirect_uri %s", p.Redirect)
	case p.RedirectedTo(a.Client.RedirectURI):
		params := p.Params()
		if e := params.Get("error"); e != "" {
			t.Fatal("request object redirect_uri used", "error=%s at %s: an error for an invalid redirect_uri must not be sent to another redirect_uri", e, p.Redirect)
		}
		t.Require("state from the request object", params.Get("state") == a.State, "state %q, sent %q", params.Get("state"), a.State)
		code := params.Get("code")
		t.Require("authorization code", code != "", "code %s in %s", rp.Presence(code), p.Redirect)
		tok := rp.Exchange(t, a, code)
		rp.CheckIDToken(t, tok.IDToken, rp.IDTokenWant{Client: a.Client, Nonce: a.Nonce, Access: tok.Access, Code: code})
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
	path := "/request-" + rp.RandomString(16) + ".jwt"
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
