package basic

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/conformance/internal/rp"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

// Modules are the Basic OP plan's modules.
func Modules() []suite.Module {
	m := func(name, summary string, run func(*suite.T)) suite.Module {
		return suite.Module{ModuleInfo: suite.ModuleInfo{Name: name, Plan: suite.PlanBasic, Summary: summary}, Run: run}
	}
	mods := []suite.Module{
		m("oidcc-server", "a code flow with client_secret_basic: ID token validated, userinfo called", func(t *suite.T) { serverTest(t, t.S.Basic) }),
		m("oidcc-server-client-secret-post", "a code flow with client_secret_post", func(t *suite.T) { serverTest(t, t.S.Post) }),
		m("oidcc-response-type-missing", "no response_type: an error page (4xx, no redirect) or invalid_request/unsupported_response_type at the client", responseTypeMissing),
		m("oidcc-idtoken-signature", "the ID token is RS256 with a kid and verifies against the JWKS", idTokenSignature),
		m("oidcc-idtoken-unsigned", "an unsigned ID token (skipped unless none is advertised)", idTokenUnsigned),
		m("oidcc-userinfo-get", "userinfo with GET and a Bearer header", func(t *suite.T) { userinfoTest(t, "get") }),
		m("oidcc-userinfo-post-header", "userinfo with POST and a Bearer header", func(t *suite.T) { userinfoTest(t, "post-header") }),
		m("oidcc-userinfo-post-body", "userinfo with POST and the token in the body (an HTTP error is a warning)", func(t *suite.T) { userinfoTest(t, "post-body") }),
		m("oidcc-ensure-request-without-nonce-succeeds-for-code-flow", "a code flow without nonce succeeds and the ID token has no nonce", withoutNonce),
	}
	for _, sc := range []struct{ name, scope string }{
		{"oidcc-scope-profile", "profile"}, {"oidcc-scope-email", "email"}, {"oidcc-scope-address", "address"},
		{"oidcc-scope-phone", "phone"}, {"oidcc-scope-all", "profile email address phone"},
	} {
		scopes := strings.Fields(sc.scope)
		mods = append(mods, m(sc.name, "scope "+sc.scope+": userinfo returns the scope's claims (missing claims are a warning)",
			func(t *suite.T) { scopeTest(t, scopes, false) }))
	}
	mods = append(mods,
		m("oidcc-alternate-happy-flow", "scope email with the scope order reversed and the parameters reordered", func(t *suite.T) { scopeTest(t, []string{"email"}, true) }),
		m("oidcc-display-page", "display=page succeeds", func(t *suite.T) { paramSucceeds(t, "display", "page") }),
		m("oidcc-display-popup", "display=popup succeeds", func(t *suite.T) { paramSucceeds(t, "display", "popup") }),
		m("oidcc-prompt-login", "prompt=login shows the login form again and gives a later auth_time", promptLogin),
		m("oidcc-prompt-none-not-logged-in", "prompt=none without a session: login_required (or another interaction error) at the client", promptNoneNotLoggedIn),
		m("oidcc-prompt-none-logged-in", "prompt=none in a session: a code without any page, same sub and auth_time", promptNoneLoggedIn),
		m("oidcc-max-age-1", "max_age=1 after 2 seconds shows the login form again; auth_time present and later", maxAge1),
		m("oidcc-max-age-10000", "max_age=10000 in a fresh session is silent; auth_time present and unchanged", maxAge10000),
		m("oidcc-ensure-request-with-unknown-parameter-succeeds", "an unknown parameter is ignored", func(t *suite.T) { paramSucceeds(t, "extra_param", "random value "+rp.RandomString(8)) }),
		m("oidcc-id-token-hint", "prompt=none with the previous id_token_hint is silent (and, with a second citizen configured, not for another citizen)", idTokenHint),
		m("oidcc-login-hint", "login_hint succeeds (the login form is expected to be prefilled)", loginHint),
		m("oidcc-ui-locales", "ui_locales=se succeeds", func(t *suite.T) { paramSucceeds(t, "ui_locales", "se") }),
		m("oidcc-claims-locales", "claims_locales=se succeeds", func(t *suite.T) { paramSucceeds(t, "claims_locales", "se") }),
		m("oidcc-ensure-request-with-acr-values-succeeds", "acr_values=\"1 2\" succeeds", func(t *suite.T) { paramSucceeds(t, "acr_values", "1 2") }),
		m("oidcc-codereuse", "a second exchange of a code is invalid_grant (a success is a warning)", func(t *suite.T) { codeReuse(t, 0) }),
		m("oidcc-codereuse-30seconds", "a second exchange 30 s later is invalid_grant; the first tokens should be revoked (warning)", func(t *suite.T) { codeReuse(t, 30*time.Second) }),
		m("oidcc-ensure-registered-redirect-uri", "an unregistered redirect_uri: an error page (4xx) and no redirect", registeredRedirectURI),
		m("oidcc-ensure-post-request-succeeds", "the authorization request sent as a POST form succeeds", func(t *suite.T) {
			t.NeedDiscovery()
			a := rp.NewAuthz(t, t.S.Basic, "openid")
			a.Post = true
			rp.Happy(t, rp.NewBrowser(t), a)
		}),
		m("oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported", "an unsigned request object by reference: processed, or request_uri_not_supported", requestURIUnsigned),
		m("oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported", "an unsigned request object by value: processed, or request_not_supported", requestObjectUnsigned),
		m("oidcc-claims-essential", "claims requesting name as essential in userinfo: success (a missing name is a warning)", claimsEssential),
		m("oidcc-ensure-request-object-with-redirect-uri", "the request object's redirect_uri wins over an invalid one in the query, or an error page", requestObjectRedirectURI),
		m("oidcc-refresh-token", "refresh tokens work, keep iss/sub/aud/auth_time, and are bound to their client", refreshToken),
		m("oidcc-ensure-request-with-valid-pkce-succeeds", "a request with valid S256 PKCE succeeds", func(t *suite.T) {
			t.NeedDiscovery()
			rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, t.S.Basic, "openid").WithPKCE())
		}),
	)
	return mods
}

func serverTest(t *suite.T, c suite.RP) {
	t.NeedDiscovery()
	f := rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, c, "openid"))
	rp.CheckNoStore(t, f.Tok)
	rp.Userinfo(t, "get", f.Tok.Access, f.IDT)
}

// paramSucceeds: a code flow with one extra authorization parameter must succeed.
func paramSucceeds(t *suite.T, k, v string) {
	t.NeedDiscovery()
	rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, t.S.Basic, "openid").Set(k, v))
}

func responseTypeMissing(t *suite.T) {
	t.NeedDiscovery()
	a := rp.NewAuthz(t, t.S.Basic, "openid").Del("response_type")
	out := rp.Authorize(t, rp.NewBrowser(t), a, rp.Creds(t))
	p := out.Page
	if p.Redirect == nil {
		t.Check("error page", p.Status >= 400 && p.Status < 500, "want a 4xx error page, got %s", p.Summary())
		if out.LoginShown {
			t.Info("login form", "the provider asked the citizen to log in before reporting the error")
		}
		t.Note("error page (HTTP %d)", p.Status)
		return
	}
	t.Require("error redirect to the client", p.RedirectedTo(a.Client.RedirectURI), "redirected to %s", p.Redirect)
	params := p.Params()
	rp.CheckErrorResponse(t, params, a)
	e := params.Get("error")
	t.Check("error invalid_request or unsupported_response_type", e == "invalid_request" || e == "unsupported_response_type", "error=%q", e)
	t.Note("error=%s at the client", e)
}

func idTokenSignature(t *suite.T) {
	t.NeedDiscovery()
	f := rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, t.S.Basic, "openid"))
	t.Check("id_token has a kid", f.IDT.Kid() != "", "header %v (OIDC Core §10.1)", f.IDT.Header)
	t.Check("id_token is RS256", f.IDT.Alg() == "RS256", "alg %q", f.IDT.Alg())
}

func idTokenUnsigned(t *suite.T) {
	d := t.NeedDiscovery()
	if !slices.Contains(d.IDTokenSigningAlgValuesSupported, "none") {
		t.Skip("'none' is not in id_token_signing_alg_values_supported %v", d.IDTokenSigningAlgValuesSupported)
	}
	a := rp.NewAuthz(t, t.S.Basic, "openid")
	out := rp.Authorize(t, rp.NewBrowser(t), a, rp.Creds(t))
	code := rp.ExpectCode(t, out, a)
	tok := rp.Exchange(t, a, code)
	j := rp.ParseJWT(t, "id_token is a JWT", tok.IDToken)
	if j.Alg() != "none" {
		t.Skip("the static client %q gets %s ID tokens; requesting alg none needs a client registered with id_token_signed_response_alg=none", a.Client.ID, j.Alg())
	}
	rp.CheckIDToken(t, tok.IDToken, rp.IDTokenWant{Client: a.Client, Nonce: a.Nonce, Access: tok.Access, Code: code, AllowNone: true})
}

func userinfoTest(t *suite.T, how string) {
	t.NeedDiscovery()
	f := rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, t.S.Basic, "openid"))
	if how == "post-body" {
		status, header, body := rp.UserinfoCall(t, how, f.Tok.Access)
		if status < 200 || status > 299 {
			t.Warn("userinfo with the access token in the body", false, "HTTP %d: %s (RFC 6750 §2.2 makes this form optional)", status, rp.Snippet(body))
			return
		}
		rp.UserinfoClaims(t, header, body, f.IDT)
		return
	}
	rp.Userinfo(t, how, f.Tok.Access, f.IDT)
}

func withoutNonce(t *suite.T) {
	t.NeedDiscovery()
	rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, t.S.Basic, "openid").Del("nonce"))
}

// scopeClaims are the claims each standard scope requests (OIDC Core §5.4).
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
		"website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
}

func scopeTest(t *suite.T, scopes []string, reorder bool) {
	d := t.NeedDiscovery()
	if d.ScopesSupported != nil {
		for _, sc := range scopes {
			if !slices.Contains(d.ScopesSupported, sc) {
				t.Skip("scopes_supported %v does not list %q", d.ScopesSupported, sc)
			}
		}
	}
	a := rp.NewAuthz(t, t.S.Basic, "openid "+strings.Join(scopes, " "))
	if reorder {
		rev := strings.Fields(a.Params.Get("scope"))
		slices.Reverse(rev)
		a.Params.Set("scope", strings.Join(rev, " "))
		// The query in an order no library produces: state first, response_type last.
		var q []string
		for _, k := range []string{"state", "redirect_uri", "nonce", "scope", "client_id", "response_type"} {
			q = append(q, url.QueryEscape(k)+"="+url.QueryEscape(a.Params.Get(k)))
		}
		a.RawQuery = strings.Join(q, "&")
	}
	f := rp.Happy(t, rp.NewBrowser(t), a)
	claims := rp.Userinfo(t, "get", f.Tok.Access, f.IDT)
	checkStandardClaims(t, "userinfo", claims)
	for _, sc := range scopes {
		got := []string{}
		for _, c := range scopeClaims[sc] {
			if _, ok := claims[c]; ok {
				got = append(got, c)
			}
		}
		t.Warn("claims of scope "+sc, len(got) > 0, "userinfo returned %v; claims %s (OIDC Core §5.4)", strings.Join(got, ","), rp.Keys(claims))
	}
}

var birthdateRE = regexp.MustCompile(`^(\d{4}|\d{4}-\d{2}-\d{2}|0000-\d{2}-\d{2})$`)

// checkStandardClaims checks the types of the standard claims (OIDC Core §5.1).
func checkStandardClaims(t *suite.T, where string, c map[string]any) {
	var bad []string
	for _, k := range []string{"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
		"picture", "website", "email", "gender", "birthdate", "zoneinfo", "locale", "phone_number", "sub"} {
		if v, ok := c[k]; ok {
			if _, isStr := v.(string); !isStr {
				bad = append(bad, k+" is not a string")
			}
		}
	}
	for _, k := range []string{"email_verified", "phone_number_verified"} {
		if v, ok := c[k]; ok {
			if _, isBool := v.(bool); !isBool {
				bad = append(bad, k+" is not a boolean")
			}
		}
	}
	if v, ok := c["updated_at"]; ok {
		if _, isNum := v.(float64); !isNum {
			bad = append(bad, "updated_at is not a number")
		}
	}
	if v, ok := c["address"]; ok {
		if m, isObj := v.(map[string]any); !isObj {
			bad = append(bad, "address is not an object")
		} else {
			for k, x := range m {
				if _, isStr := x.(string); !isStr {
					bad = append(bad, "address."+k+" is not a string")
				}
			}
		}
	}
	if v, ok := c["birthdate"].(string); ok && !birthdateRE.MatchString(v) {
		bad = append(bad, "birthdate "+v+" is not YYYY or YYYY-MM-DD")
	}
	t.Check(where+" standard claim types", len(bad) == 0, "%s", strings.Join(bad, "; "))
}

// sameAuth checks that a silent second login is the same authentication.
func sameAuth(t *suite.T, first, second *rp.Flow) {
	t.Check("same sub", first.IDT.Sub() == second.IDT.Sub(), "first %q, second %q", first.IDT.Sub(), second.IDT.Sub())
	a1, ok1 := first.IDT.Num("auth_time")
	a2, ok2 := second.IDT.Num("auth_time")
	if ok1 && ok2 {
		t.Check("same auth_time", a1 == a2, "first %v, second %v", a1, a2)
	}
}

func promptLogin(t *suite.T) {
	t.NeedDiscovery()
	b := rp.NewBrowser(t)
	first := rp.Happy(t, b, rp.NewAuthz(t, t.S.Basic, "openid"))
	t.Sleep(time.Second) // a person takes a while to log in again; auth_time has one-second resolution
	a := rp.NewAuthz(t, t.S.Basic, "openid").Set("prompt", "login")
	out := rp.Authorize(t, b, a, rp.Creds(t))
	t.Check("login form shown (re-login)", out.LoginShown, "prompt=login did not show a login form: %s", out.Page.Summary())
	second := rp.Finish(t, a, out)
	a1, ok1 := first.IDT.Num("auth_time")
	a2, ok2 := second.IDT.Num("auth_time")
	if ok1 && ok2 {
		t.Check("auth_time differs", a1 != a2, "first %v, second %v", a1, a2)
	}
}

func promptNoneNotLoggedIn(t *suite.T) {
	t.NeedDiscovery()
	a := rp.NewAuthz(t, t.S.Basic, "openid").WithState(128).Set("prompt", "none")
	rp.ExpectUIError(t, rp.Authorize(t, rp.NewBrowser(t), a, nil), a)
}

func promptNoneLoggedIn(t *suite.T) {
	t.NeedDiscovery()
	b := rp.NewBrowser(t)
	first := rp.Happy(t, b, rp.NewAuthz(t, t.S.Basic, "openid"))
	second := rp.Silent(t, b, rp.NewAuthz(t, t.S.Basic, "openid").Set("prompt", "none"))
	sameAuth(t, first, second)
}

func maxAge1(t *suite.T) {
	t.NeedDiscovery()
	b := rp.NewBrowser(t)
	first := rp.Happy(t, b, rp.NewAuthz(t, t.S.Basic, "openid"))
	t.Sleep(2 * time.Second)
	a := rp.NewAuthz(t, t.S.Basic, "openid").Set("max_age", "1")
	out := rp.Authorize(t, b, a, rp.Creds(t))
	t.Check("login form shown (re-login)", out.LoginShown, "max_age=1 after 2 s did not show a login form: %s", out.Page.Summary())
	second := rp.Finish(t, a, out)
	at, ok := second.IDT.Num("auth_time")
	t.Check("auth_time present (max_age)", ok, "no auth_time in the ID token of a max_age request (OIDC Core §3.1.2.1)")
	if first1, ok1 := first.IDT.Num("auth_time"); ok && ok1 {
		t.Check("auth_time later", at > first1, "first %v, second %v", first1, at)
	}
	if ok {
		now := t.S.O.Now()
		d := now.Sub(rp.Unix(at))
		t.Check("auth_time recent", d > -t.S.O.ClockSkew && d < t.S.O.ClockSkew, "auth_time %s, now %s", rp.Unix(at).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
}

func maxAge10000(t *suite.T) {
	t.NeedDiscovery()
	b := rp.NewBrowser(t)
	first := rp.Happy(t, b, rp.NewAuthz(t, t.S.Basic, "openid").Set("max_age", "15000"))
	_, ok := first.IDT.Num("auth_time")
	t.Check("auth_time present (max_age=15000)", ok, "first ID token has no auth_time")
	second := rp.Silent(t, b, rp.NewAuthz(t, t.S.Basic, "openid").Set("max_age", "10000"))
	_, ok = second.IDT.Num("auth_time")
	t.Check("auth_time present (max_age=10000)", ok, "second ID token has no auth_time")
	sameAuth(t, first, second)
}

func idTokenHint(t *suite.T) {
	t.NeedDiscovery()
	b := rp.NewBrowser(t)
	first := rp.Happy(t, b, rp.NewAuthz(t, t.S.Basic, "openid"))
	second := rp.Silent(t, b, rp.NewAuthz(t, t.S.Basic, "openid").Set("prompt", "none").Set("id_token_hint", first.Tok.IDToken))
	sameAuth(t, first, second)
	o := t.S.O
	if o.SecondLogin == "" {
		return
	}
	// Another citizen logs in in the same browser; the first citizen's hint must not give
	// the second citizen's code silently (OIDC Core §3.1.2.2).
	other := rp.HappyAs(t, b, rp.NewAuthz(t, t.S.Basic, "openid").Set("prompt", "login"), &rp.Credentials{Login: o.SecondLogin, Password: o.SecondPassword})
	if other.IDT.Sub() == first.IDT.Sub() {
		t.Info("id_token_hint for another citizen", "the second citizen has the same sub %q; not checked", first.IDT.Sub())
		return
	}
	a := rp.NewAuthz(t, t.S.Basic, "openid").Set("prompt", "none").Set("id_token_hint", first.Tok.IDToken)
	out := rp.Authorize(t, b, a, nil)
	params := out.Page.Params()
	t.Warn("id_token_hint for another citizen", out.Page.Redirect != nil && params.Get("code") == "" && params.Get("error") != "",
		"hint for sub %q while sub %q is logged in: %s (want an error such as login_required)", first.IDT.Sub(), other.IDT.Sub(), out.Page.Summary())
}

func loginHint(t *suite.T) {
	t.NeedDiscovery()
	hint := t.S.O.LoginHint
	a := rp.NewAuthz(t, t.S.Basic, "openid").Set("login_hint", hint)
	out := rp.Authorize(t, rp.NewBrowser(t), a, rp.Creds(t))
	if out.LoginShown {
		t.Info("login form prefilled", "login field %q, hint %q", out.LoginPrefill, hint)
	}
	rp.Finish(t, a, out)
}

func codeReuse(t *suite.T, wait time.Duration) {
	t.NeedDiscovery()
	f := rp.Happy(t, rp.NewBrowser(t), rp.NewAuthz(t, t.S.Basic, "openid"))
	if wait > 0 {
		t.Sleep(wait)
	}
	r := rp.TokenCall(t, f.A.Client, url.Values{"grant_type": {"authorization_code"}, "code": {f.Code}, "redirect_uri": {f.A.Client.RedirectURI}})
	if wait == 0 && r.Status == http.StatusOK {
		t.Warn("reused code refused", false, "the second exchange of the code succeeded")
		return
	}
	t.Check("reused code: HTTP 400", r.Status == http.StatusBadRequest, "HTTP %d: %s", r.Status, rp.Snippet(r.Body))
	t.Check("reused code: JSON", suite.IsJSON(r.Header.Get("Content-Type")), "Content-Type %q", r.Header.Get("Content-Type"))
	e := r.Str("error")
	t.Check("reused code: invalid_grant", e == "invalid_grant", "error %q (RFC 6749 §5.2)", e)
	t.Check("error value characters", rp.ValidErrorChars(e) && rp.ValidErrorChars(r.Str("error_description")), "error=%q error_description=%q", e, r.Str("error_description"))
	if wait > 0 {
		status, _, body := rp.UserinfoCall(t, "get", f.Tok.Access)
		t.Warn("tokens of a reused code revoked", status >= 400, "userinfo with the first access token: HTTP %d %s (RFC 6749 §4.1.2: SHOULD revoke)", status, rp.Snippet(body))
	}
}

func registeredRedirectURI(t *suite.T) {
	t.NeedDiscovery()
	b := rp.NewBrowser(t)
	bad := strings.TrimSuffix(t.S.Basic.RedirectURI, "/") + "/unregistered-" + rp.RandomString(8)
	b.StopAt(bad)
	a := rp.NewAuthz(t, t.S.Basic, "openid").Set("redirect_uri", bad)
	out := rp.Authorize(t, b, a, nil)
	p := out.Page
	t.Check("no redirect to the unregistered URI", !p.RedirectedTo(bad), "redirected to %s", p.Redirect)
	t.Check("no redirect", p.Redirect == nil, "%s", p.Summary())
	t.Check("no login for an unregistered redirect_uri", !out.LoginShown, "login form shown: %t", out.LoginShown)
	t.Check("error page (4xx)", p.Redirect == nil && p.Status >= 400 && p.Status < 500, "%s", p.Summary())
}

func claimsEssential(t *suite.T) {
	t.NeedDiscovery()
	a := rp.NewAuthz(t, t.S.Basic, "openid").Set("claims", `{"userinfo":{"name":{"essential":true}}}`)
	f := rp.Happy(t, rp.NewBrowser(t), a)
	claims := rp.Userinfo(t, "get", f.Tok.Access, f.IDT)
	_, has := claims["name"]
	t.Warn("userinfo has the essential name claim", has, "userinfo claims %s (OIDC Core §5.5)", rp.Keys(claims))
	_, inID := f.IDT.Claims["name"]
	t.Warn("id_token has no name (it was requested for userinfo only)", !inID, "ID token claims %s", rp.Keys(f.IDT.Claims))
}

func refreshToken(t *suite.T) {
	d := t.NeedDiscovery()
	scope := "openid"
	if d.ScopesSupported == nil || slices.Contains(d.ScopesSupported, "offline_access") {
		scope += " offline_access"
	}
	newReq := func(c suite.RP) *rp.Authz {
		a := rp.NewAuthz(t, c, scope)
		if strings.Contains(scope, "offline_access") {
			a.Set("prompt", "consent") // OIDC Core §11
		}
		return a
	}
	b := rp.NewBrowser(t)
	first := rp.Happy(t, b, newReq(t.S.Basic))
	advertised := slices.Contains(d.GrantTypesSupported, "refresh_token")
	if first.Tok.Refresh == "" {
		t.Warn("grant_types_supported", !advertised, "refresh_token is advertised but none was issued")
		t.Skip("no refresh token was issued (scope %q); refresh tokens cannot be tested", scope)
	}
	t.Warn("grant_types_supported has refresh_token", advertised, "%v", d.GrantTypesSupported)
	t.Check("refresh token characters", rp.VSChars(first.Tok.Refresh), "RFC 6749 §A.17: %%x20-7E")

	r := rp.TokenCall(t, t.S.Basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.Tok.Refresh}})
	rp.CheckTokenResponse(t, r, t.S.Basic, false)
	rp.CheckNoStore(t, r)
	if r.IDToken != "" {
		idt := rp.CheckIDToken(t, r.IDToken, rp.IDTokenWant{Client: t.S.Basic, Nonce: first.A.Nonce, Access: r.Access, AnyNonce: true})
		for _, k := range []string{"iss", "sub", "azp", "auth_time"} {
			v1, has1 := first.IDT.Claims[k]
			v2, has2 := idt.Claims[k]
			if has1 || has2 {
				t.Check("refreshed id_token "+k, has1 == has2 && rp.Str(v1) == rp.Str(v2), "first %v, refreshed %v (OIDC Core §12.2)", v1, v2)
			}
		}
		t.Check("refreshed id_token aud", strings.Join(rp.Audiences(first.IDT.Claims["aud"]), " ") == strings.Join(rp.Audiences(idt.Claims["aud"]), " "),
			"first %v, refreshed %v", first.IDT.Claims["aud"], idt.Claims["aud"])
	}
	rp.Userinfo(t, "get", r.Access, first.IDT)

	if t.S.Post.ID == t.S.Basic.ID {
		t.Info("refresh token bound to its client", "the two clients are one registration (%s); not checked", t.S.Basic.ID)
		return
	}
	second := rp.Happy(t, b, newReq(t.S.Post))
	t.Require("refresh token for the second client", second.Tok.Refresh != "", "client %q: refresh_token %s", t.S.Post.ID, rp.Presence(second.Tok.Refresh))
	cross := rp.TokenCall(t, t.S.Basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.Tok.Refresh}})
	t.Check("another client's refresh token refused", cross.Status == http.StatusBadRequest || cross.Status == http.StatusUnauthorized,
		"client %q using %q's refresh token: HTTP %d %s", t.S.Basic.ID, t.S.Post.ID, cross.Status, rp.Snippet(cross.Body))
	t.Warn("another client's refresh token: invalid_grant", cross.Str("error") == "invalid_grant", "error %q", cross.Str("error"))
}
