package logout

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/conformance/internal/rp"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

// What the provider must do with a logout request.
type logoutExpect int

const (
	// redirect back to post_logout_redirect_uri (with the state when one was sent), logged out
	expectRedirectBack logoutExpect = iota
	// refuse: no redirect to the client; an error or confirmation page
	expectNoRedirect
	// log out and show a page
	expectLoggedOutPage
)

type logoutCase struct {
	name, summary string
	expect        logoutExpect
	plru          bool // needs the post-logout redirect URI
	// params builds the end_session request from the login's ID token.
	Params func(t *suite.T, b *browser.Browser, f *rp.Flow, state string) url.Values
}

// Modules are the RP-initiated logout OP plan's modules.
func Modules() []suite.Module {
	hint := func(t *suite.T, f *rp.Flow) string { return f.Tok.IDToken }
	cases := []logoutCase{
		{"oidcc-rp-initiated-logout", "id_token_hint, post_logout_redirect_uri and state: redirected back with the state; a later prompt=none fails", expectRedirectBack, true,
			func(t *suite.T, _ *browser.Browser, f *rp.Flow, st string) url.Values {
				return url.Values{"id_token_hint": {hint(t, f)}, "post_logout_redirect_uri": {t.S.O.PostLogoutRedirectURI}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-bad-post-logout-redirect-uri", "an unregistered post_logout_redirect_uri: no redirect", expectNoRedirect, true,
			func(t *suite.T, b *browser.Browser, f *rp.Flow, st string) url.Values {
				bad := strings.TrimSuffix(t.S.O.PostLogoutRedirectURI, "/") + "/unregistered-" + rp.RandomString(8)
				b.StopAt(bad)
				return url.Values{"id_token_hint": {hint(t, f)}, "post_logout_redirect_uri": {bad}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri", "the registered post_logout_redirect_uri with ?foo=bar added: no redirect", expectNoRedirect, true,
			func(t *suite.T, _ *browser.Browser, f *rp.Flow, st string) url.Values {
				return url.Values{"id_token_hint": {hint(t, f)}, "post_logout_redirect_uri": {addQuery(t.S.O.PostLogoutRedirectURI, "foo=bar")}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-modified-id-token-hint", "the id_token_hint re-encoded as alg:none: no redirect", expectNoRedirect, true,
			func(t *suite.T, _ *browser.Browser, f *rp.Flow, st string) url.Values {
				return url.Values{"id_token_hint": {algNone(f.IDT.JWT)}, "post_logout_redirect_uri": {t.S.O.PostLogoutRedirectURI}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-bad-id-token-hint", "an id_token_hint signed by someone else: no redirect", expectNoRedirect, true,
			func(t *suite.T, _ *browser.Browser, f *rp.Flow, st string) url.Values {
				return url.Values{"id_token_hint": {foreignIDToken(t, f)}, "post_logout_redirect_uri": {t.S.O.PostLogoutRedirectURI}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-no-id-token-hint", "post_logout_redirect_uri without id_token_hint: no redirect (an error or a confirmation)", expectNoRedirect, true,
			func(t *suite.T, _ *browser.Browser, _ *rp.Flow, st string) url.Values {
				return url.Values{"post_logout_redirect_uri": {t.S.O.PostLogoutRedirectURI}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-no-params", "no parameters: logged out, a page is shown", expectLoggedOutPage, false,
			func(*suite.T, *browser.Browser, *rp.Flow, string) url.Values { return url.Values{} }},
		{"oidcc-rp-initiated-logout-no-post-logout-redirect-uri", "id_token_hint and state only: logged out, a page is shown", expectLoggedOutPage, false,
			func(t *suite.T, _ *browser.Browser, f *rp.Flow, st string) url.Values {
				return url.Values{"id_token_hint": {hint(t, f)}, "state": {st}}
			}},
		{"oidcc-rp-initiated-logout-no-state", "id_token_hint and post_logout_redirect_uri: redirected back without state; a later prompt=none fails", expectRedirectBack, true,
			func(t *suite.T, _ *browser.Browser, f *rp.Flow, _ string) url.Values {
				return url.Values{"id_token_hint": {hint(t, f)}, "post_logout_redirect_uri": {t.S.O.PostLogoutRedirectURI}}
			}},
		{"oidcc-rp-initiated-logout-only-state", "only state: logged out, a page is shown", expectLoggedOutPage, false,
			func(_ *suite.T, _ *browser.Browser, _ *rp.Flow, st string) url.Values {
				return url.Values{"state": {st}}
			}},
	}
	mods := []suite.Module{{
		ModuleInfo: suite.ModuleInfo{Name: "oidcc-rp-initiated-logout-discovery-endpoint-verification", Plan: suite.PlanLogout,
			Summary: "discovery has an https end_session_endpoint and every endpoint is https"},
		Run: func(t *suite.T) {
			raw := t.FetchedDiscovery()
			t.CheckAllEndpointsHTTPS(raw)
			t.CheckEndpoint(raw, "end_session_endpoint", true)
		},
	}}
	for _, c := range cases {
		mods = append(mods, suite.Module{ModuleInfo: suite.ModuleInfo{Name: c.name, Plan: suite.PlanLogout, Summary: c.summary}, Run: c.run})
	}
	return mods
}

func (c logoutCase) run(t *suite.T) {
	d := t.NeedDiscovery()
	if d.EndSessionEndpoint == "" {
		t.Skip("discovery advertises no end_session_endpoint")
	}
	if c.plru && t.S.O.PostLogoutRedirectURI == "" {
		t.Skip("no post-logout redirect URI configured for client %q", t.S.Basic.ID)
	}
	b := rp.NewBrowser(t)
	f := rp.Happy(t, b, rp.NewAuthz(t, t.S.Basic, "openid").WithState(128))
	state := rp.RandomString(64)
	q := c.Params(t, b, f, state)
	u, err := url.Parse(d.EndSessionEndpoint)
	if err != nil {
		t.Fatal("end_session_endpoint", "%v", err)
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	p, err := b.Get(t.Ctx, u.String())
	if err != nil {
		t.Fatal("end_session request", "GET %s: %v", u, err)
	}
	// A provider may ask the citizen first (RP-Initiated Logout 1.0 §2 requires it without
	// an id_token_hint): the citizen confirms, as a person would.
	p, asked, err := rp.ConfirmLogout(t, b, p)
	if err != nil {
		t.Fatal("logout confirmation", "%v", err)
	}
	if asked {
		t.Note("the provider asked for confirmation; confirmed")
	}
	switch c.expect {
	case expectRedirectBack:
		t.Require("redirected to post_logout_redirect_uri", p.RedirectedTo(t.S.O.PostLogoutRedirectURI), "%s", p.Summary())
		params := p.Redirect.Query()
		if q.Has("state") {
			t.Check("post-logout state", params.Get("state") == state, "state %q, sent %q", params.Get("state"), state)
		} else {
			t.Check("no post-logout state", !params.Has("state"), "state %q though none was sent", params.Get("state"))
		}
		registered, _ := url.Parse(t.S.O.PostLogoutRedirectURI)
		var extra []string
		for k := range params {
			if k != "state" && !registered.Query().Has(k) {
				extra = append(extra, k)
			}
		}
		t.Warn("no unexpected post-logout parameters", len(extra) == 0, "%v", extra)
		afterLogout(t, b, true)
	case expectNoRedirect:
		t.Check("no redirect to the client", p.Redirect == nil, "%s", p.Summary())
		t.Check("an error or confirmation page", p.Redirect == nil && p.Status < 500, "%s", p.Summary())
		if p.Redirect == nil {
			t.Note("no redirect; HTTP %d page", p.Status)
		}
	case expectLoggedOutPage:
		t.Check("no redirect to the client", p.Redirect == nil, "%s", p.Summary())
		t.Check("a logged-out page", p.Redirect == nil && p.Status >= 200 && p.Status < 300, "%s", p.Summary())
		afterLogout(t, b, false)
	}
}

// afterLogout checks that the session ended: prompt=none must now fail. When must is false
// a surviving session is a warning (a provider may ask for confirmation instead).
func afterLogout(t *suite.T, b *browser.Browser, must bool) {
	a := rp.NewAuthz(t, t.S.Basic, "openid").WithState(128).Set("prompt", "none")
	out := rp.Authorize(t, b, a, nil)
	if must {
		rp.ExpectUIError(t, out, a)
		return
	}
	params := out.Page.Params()
	t.Warn("logged out", out.Page.Redirect != nil && params.Get("error") != "" && params.Get("code") == "",
		"prompt=none after the logout: %s", out.Page.Summary())
}

// algNone re-encodes a JWT with alg none and no signature.
func algNone(j *rp.JWT) string {
	h := map[string]any{}
	for k, v := range j.Header {
		h[k] = v
	}
	h["alg"] = "none"
	delete(h, "kid")
	hb, _ := json.Marshal(h)
	parts := strings.Split(j.Raw, ".")
	return base64.RawURLEncoding.EncodeToString(hb) + "." + parts[1] + "."
}

// foreignIDToken is an ID token with the right claims signed by a key the provider never saw.
func foreignIDToken(t *suite.T, f *rp.Flow) string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal("forge id_token_hint", "%v", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "conformance-"+rp.RandomString(8)))
	if err != nil {
		t.Fatal("forge id_token_hint", "%v", err)
	}
	now := t.S.O.Now().Unix()
	claims := map[string]any{}
	for k, v := range f.IDT.Claims {
		claims[k] = v
	}
	claims["iat"], claims["exp"] = now, now+300
	b, _ := json.Marshal(claims)
	jws, err := signer.Sign(b)
	if err != nil {
		t.Fatal("forge id_token_hint", "%v", err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal("forge id_token_hint", "%v", err)
	}
	return s
}

func addQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

// BackchannelModules are the back-channel logout plan's discovery module.
func BackchannelModules() []suite.Module {
	return []suite.Module{{
		ModuleInfo: suite.ModuleInfo{Name: "oidcc-backchannel-logout-discovery-endpoint-verification", Plan: suite.PlanBackchannel,
			Summary: "back-channel logout is advertised with sessions (skipped unless backchannel_logout_supported)"},
		Run: func(t *suite.T) {
			raw := t.FetchedDiscovery()
			if v, _ := raw["backchannel_logout_supported"].(bool); !v {
				t.Skip("discovery does not advertise backchannel_logout_supported")
			}
			t.CheckAllEndpointsHTTPS(raw)
			v, _ := raw["backchannel_logout_session_supported"].(bool)
			t.Check("backchannel_logout_session_supported", v, "%v (required for certification)", raw["backchannel_logout_session_supported"])
			t.CheckEndpoint(raw, "end_session_endpoint", true)
		},
	}}
}
