package conformance

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

func basicModules() []module {
	m := func(name, summary string, run func(*T)) module {
		return module{ModuleInfo: ModuleInfo{Name: name, Plan: PlanBasic, Summary: summary}, run: run}
	}
	mods := []module{
		m("oidcc-server", "a code flow with client_secret_basic: ID token validated, userinfo called", func(t *T) { serverTest(t, t.s.basic) }),
		m("oidcc-server-client-secret-post", "a code flow with client_secret_post", func(t *T) { serverTest(t, t.s.post) }),
		m("oidcc-response-type-missing", "no response_type: an error page (4xx, no redirect) or invalid_request/unsupported_response_type at the client", responseTypeMissing),
		m("oidcc-idtoken-signature", "the ID token is RS256 with a kid and verifies against the JWKS", idTokenSignature),
		m("oidcc-idtoken-unsigned", "an unsigned ID token (skipped unless none is advertised)", idTokenUnsigned),
		m("oidcc-userinfo-get", "userinfo with GET and a Bearer header", func(t *T) { userinfoTest(t, "get") }),
		m("oidcc-userinfo-post-header", "userinfo with POST and a Bearer header", func(t *T) { userinfoTest(t, "post-header") }),
		m("oidcc-userinfo-post-body", "userinfo with POST and the token in the body (an HTTP error is a warning)", func(t *T) { userinfoTest(t, "post-body") }),
		m("oidcc-ensure-request-without-nonce-succeeds-for-code-flow", "a code flow without nonce succeeds and the ID token has no nonce", withoutNonce),
	}
	for _, sc := range []struct{ name, scope string }{
		{"oidcc-scope-profile", "profile"}, {"oidcc-scope-email", "email"}, {"oidcc-scope-address", "address"},
		{"oidcc-scope-phone", "phone"}, {"oidcc-scope-all", "profile email address phone"},
	} {
		scopes := strings.Fields(sc.scope)
		mods = append(mods, m(sc.name, "scope "+sc.scope+": userinfo returns the scope's claims (missing claims are a warning)",
			func(t *T) { scopeTest(t, scopes, false) }))
	}
	mods = append(mods,
		m("oidcc-alternate-happy-flow", "scope email with the scope order reversed and the parameters reordered", func(t *T) { scopeTest(t, []string{"email"}, true) }),
		m("oidcc-display-page", "display=page succeeds", func(t *T) { paramSucceeds(t, "display", "page") }),
		m("oidcc-display-popup", "display=popup succeeds", func(t *T) { paramSucceeds(t, "display", "popup") }),
		m("oidcc-prompt-login", "prompt=login shows the login form again and gives a later auth_time", promptLogin),
		m("oidcc-prompt-none-not-logged-in", "prompt=none without a session: login_required (or another interaction error) at the client", promptNoneNotLoggedIn),
		m("oidcc-prompt-none-logged-in", "prompt=none in a session: a code without any page, same sub and auth_time", promptNoneLoggedIn),
		m("oidcc-max-age-1", "max_age=1 after 2 seconds shows the login form again; auth_time present and later", maxAge1),
		m("oidcc-max-age-10000", "max_age=10000 in a fresh session is silent; auth_time present and unchanged", maxAge10000),
		m("oidcc-ensure-request-with-unknown-parameter-succeeds", "an unknown parameter is ignored", func(t *T) { paramSucceeds(t, "extra_param", "random value "+randomString(8)) }),
		m("oidcc-id-token-hint", "prompt=none with the previous id_token_hint is silent (and, with a second citizen configured, not for another citizen)", idTokenHint),
		m("oidcc-login-hint", "login_hint succeeds (the login form is expected to be prefilled)", loginHint),
		m("oidcc-ui-locales", "ui_locales=se succeeds", func(t *T) { paramSucceeds(t, "ui_locales", "se") }),
		m("oidcc-claims-locales", "claims_locales=se succeeds", func(t *T) { paramSucceeds(t, "claims_locales", "se") }),
		m("oidcc-ensure-request-with-acr-values-succeeds", "acr_values=\"1 2\" succeeds", func(t *T) { paramSucceeds(t, "acr_values", "1 2") }),
		m("oidcc-codereuse", "a second exchange of a code is invalid_grant (a success is a warning)", func(t *T) { codeReuse(t, 0) }),
		m("oidcc-codereuse-30seconds", "a second exchange 30 s later is invalid_grant; the first tokens should be revoked (warning)", func(t *T) { codeReuse(t, 30*time.Second) }),
		m("oidcc-ensure-registered-redirect-uri", "an unregistered redirect_uri: an error page (4xx) and no redirect", registeredRedirectURI),
		m("oidcc-ensure-post-request-succeeds", "the authorization request sent as a POST form succeeds", func(t *T) {
			t.needDiscovery()
			a := t.newAuthz(t.s.basic, "openid")
			a.post = true
			t.happy(t.newBrowser(), a)
		}),
		m("oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported", "an unsigned request object by reference: processed, or request_uri_not_supported", requestURIUnsigned),
		m("oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported", "an unsigned request object by value: processed, or request_not_supported", requestObjectUnsigned),
		m("oidcc-claims-essential", "claims requesting name as essential in userinfo: success (a missing name is a warning)", claimsEssential),
		m("oidcc-ensure-request-object-with-redirect-uri", "the request object's redirect_uri wins over an invalid one in the query, or an error page", requestObjectRedirectURI),
		m("oidcc-refresh-token", "refresh tokens work, keep iss/sub/aud/auth_time, and are bound to their client", refreshToken),
		m("oidcc-ensure-request-with-valid-pkce-succeeds", "a request with valid S256 PKCE succeeds", func(t *T) {
			t.needDiscovery()
			t.happy(t.newBrowser(), t.newAuthz(t.s.basic, "openid").withPKCE())
		}),
	)
	return mods
}

func serverTest(t *T, c rp) {
	t.needDiscovery()
	f := t.happy(t.newBrowser(), t.newAuthz(c, "openid"))
	t.checkNoStore(f.tok)
	t.userinfo("get", f.tok.Access, f.idt)
}

// paramSucceeds: a code flow with one extra authorization parameter must succeed.
func paramSucceeds(t *T, k, v string) {
	t.needDiscovery()
	t.happy(t.newBrowser(), t.newAuthz(t.s.basic, "openid").set(k, v))
}

func responseTypeMissing(t *T) {
	t.needDiscovery()
	a := t.newAuthz(t.s.basic, "openid").del("response_type")
	out := t.authorize(t.newBrowser(), a, t.creds())
	p := out.Page
	if p.Redirect == nil {
		t.Check("error page", p.Status >= 400 && p.Status < 500, "want a 4xx error page, got %s", p.summary())
		if out.LoginShown {
			t.Info("login form", "the provider asked the citizen to log in before reporting the error")
		}
		t.Note("error page (HTTP %d)", p.Status)
		return
	}
	t.Require("error redirect to the client", p.redirectedTo(a.rp.RedirectURI), "redirected to %s", p.Redirect)
	params := p.params()
	t.checkErrorResponse(params, a)
	e := params.Get("error")
	t.Check("error invalid_request or unsupported_response_type", e == "invalid_request" || e == "unsupported_response_type", "error=%q", e)
	t.Note("error=%s at the client", e)
}

func idTokenSignature(t *T) {
	t.needDiscovery()
	f := t.happy(t.newBrowser(), t.newAuthz(t.s.basic, "openid"))
	t.Check("id_token has a kid", f.idt.kid() != "", "header %v (OIDC Core §10.1)", f.idt.Header)
	t.Check("id_token is RS256", f.idt.alg() == "RS256", "alg %q", f.idt.alg())
}

func idTokenUnsigned(t *T) {
	d := t.needDiscovery()
	if !slices.Contains(d.IDTokenSigningAlgValuesSupported, "none") {
		t.Skip("'none' is not in id_token_signing_alg_values_supported %v", d.IDTokenSigningAlgValuesSupported)
	}
	a := t.newAuthz(t.s.basic, "openid")
	out := t.authorize(t.newBrowser(), a, t.creds())
	code := t.expectCode(out, a)
	tok := t.exchange(a, code)
	j := t.parseJWT("id_token is a JWT", tok.IDToken)
	if j.alg() != "none" {
		t.Skip("the static client %q gets %s ID tokens; requesting alg none needs a client registered with id_token_signed_response_alg=none", a.rp.ID, j.alg())
	}
	t.checkIDToken(tok.IDToken, idTokenWant{rp: a.rp, nonce: a.nonce, access: tok.Access, code: code, allowNone: true})
}

func userinfoTest(t *T, how string) {
	t.needDiscovery()
	f := t.happy(t.newBrowser(), t.newAuthz(t.s.basic, "openid"))
	if how == "post-body" {
		status, header, body := t.userinfoCall(how, f.tok.Access)
		if status < 200 || status > 299 {
			t.Warn("userinfo with the access token in the body", false, "HTTP %d: %s (RFC 6750 §2.2 makes this form optional)", status, snippet(body))
			return
		}
		t.userinfoClaims(header, body, f.idt)
		return
	}
	t.userinfo(how, f.tok.Access, f.idt)
}

func withoutNonce(t *T) {
	t.needDiscovery()
	t.happy(t.newBrowser(), t.newAuthz(t.s.basic, "openid").del("nonce"))
}

// scopeClaims are the claims each standard scope requests (OIDC Core §5.4).
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
		"website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
}

func scopeTest(t *T, scopes []string, reorder bool) {
	d := t.needDiscovery()
	if d.ScopesSupported != nil {
		for _, sc := range scopes {
			if !slices.Contains(d.ScopesSupported, sc) {
				t.Skip("scopes_supported %v does not list %q", d.ScopesSupported, sc)
			}
		}
	}
	a := t.newAuthz(t.s.basic, "openid "+strings.Join(scopes, " "))
	if reorder {
		rev := strings.Fields(a.params.Get("scope"))
		slices.Reverse(rev)
		a.params.Set("scope", strings.Join(rev, " "))
		// The query in an order no library produces: state first, response_type last.
		var q []string
		for _, k := range []string{"state", "redirect_uri", "nonce", "scope", "client_id", "response_type"} {
			q = append(q, url.QueryEscape(k)+"="+url.QueryEscape(a.params.Get(k)))
		}
		a.rawQuery = strings.Join(q, "&")
	}
	f := t.happy(t.newBrowser(), a)
	claims := t.userinfo("get", f.tok.Access, f.idt)
	t.checkStandardClaims("userinfo", claims)
	for _, sc := range scopes {
		got := []string{}
		for _, c := range scopeClaims[sc] {
			if _, ok := claims[c]; ok {
				got = append(got, c)
			}
		}
		t.Warn("claims of scope "+sc, len(got) > 0, "userinfo returned %v; claims %s (OIDC Core §5.4)", strings.Join(got, ","), keys(claims))
	}
}

var birthdateRE = regexp.MustCompile(`^(\d{4}|\d{4}-\d{2}-\d{2}|0000-\d{2}-\d{2})$`)

// checkStandardClaims checks the types of the standard claims (OIDC Core §5.1).
func (t *T) checkStandardClaims(where string, c map[string]any) {
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
func (t *T) sameAuth(first, second *flow) {
	t.Check("same sub", first.idt.sub() == second.idt.sub(), "first %q, second %q", first.idt.sub(), second.idt.sub())
	a1, ok1 := first.idt.num("auth_time")
	a2, ok2 := second.idt.num("auth_time")
	if ok1 && ok2 {
		t.Check("same auth_time", a1 == a2, "first %v, second %v", a1, a2)
	}
}

func promptLogin(t *T) {
	t.needDiscovery()
	b := t.newBrowser()
	first := t.happy(b, t.newAuthz(t.s.basic, "openid"))
	t.Sleep(time.Second) // a person takes a while to log in again; auth_time has one-second resolution
	a := t.newAuthz(t.s.basic, "openid").set("prompt", "login")
	out := t.authorize(b, a, t.creds())
	t.Check("login form shown (re-login)", out.LoginShown, "prompt=login did not show a login form: %s", out.Page.summary())
	second := t.finish(a, out)
	a1, ok1 := first.idt.num("auth_time")
	a2, ok2 := second.idt.num("auth_time")
	if ok1 && ok2 {
		t.Check("auth_time differs", a1 != a2, "first %v, second %v", a1, a2)
	}
}

func promptNoneNotLoggedIn(t *T) {
	t.needDiscovery()
	a := t.newAuthz(t.s.basic, "openid").withState(128).set("prompt", "none")
	t.expectUIError(t.authorize(t.newBrowser(), a, nil), a)
}

func promptNoneLoggedIn(t *T) {
	t.needDiscovery()
	b := t.newBrowser()
	first := t.happy(b, t.newAuthz(t.s.basic, "openid"))
	second := t.silent(b, t.newAuthz(t.s.basic, "openid").set("prompt", "none"))
	t.sameAuth(first, second)
}

func maxAge1(t *T) {
	t.needDiscovery()
	b := t.newBrowser()
	first := t.happy(b, t.newAuthz(t.s.basic, "openid"))
	t.Sleep(2 * time.Second)
	a := t.newAuthz(t.s.basic, "openid").set("max_age", "1")
	out := t.authorize(b, a, t.creds())
	t.Check("login form shown (re-login)", out.LoginShown, "max_age=1 after 2 s did not show a login form: %s", out.Page.summary())
	second := t.finish(a, out)
	at, ok := second.idt.num("auth_time")
	t.Check("auth_time present (max_age)", ok, "no auth_time in the ID token of a max_age request (OIDC Core §3.1.2.1)")
	if first1, ok1 := first.idt.num("auth_time"); ok && ok1 {
		t.Check("auth_time later", at > first1, "first %v, second %v", first1, at)
	}
	if ok {
		now := t.s.o.Now()
		d := now.Sub(unix(at))
		t.Check("auth_time recent", d > -t.s.o.ClockSkew && d < t.s.o.ClockSkew, "auth_time %s, now %s", unix(at).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
}

func maxAge10000(t *T) {
	t.needDiscovery()
	b := t.newBrowser()
	first := t.happy(b, t.newAuthz(t.s.basic, "openid").set("max_age", "15000"))
	_, ok := first.idt.num("auth_time")
	t.Check("auth_time present (max_age=15000)", ok, "first ID token has no auth_time")
	second := t.silent(b, t.newAuthz(t.s.basic, "openid").set("max_age", "10000"))
	_, ok = second.idt.num("auth_time")
	t.Check("auth_time present (max_age=10000)", ok, "second ID token has no auth_time")
	t.sameAuth(first, second)
}

func idTokenHint(t *T) {
	t.needDiscovery()
	b := t.newBrowser()
	first := t.happy(b, t.newAuthz(t.s.basic, "openid"))
	second := t.silent(b, t.newAuthz(t.s.basic, "openid").set("prompt", "none").set("id_token_hint", first.tok.IDToken))
	t.sameAuth(first, second)
	o := t.s.o
	if o.SecondLogin == "" {
		return
	}
	// Another citizen logs in in the same browser; the first citizen's hint must not give
	// the second citizen's code silently (OIDC Core §3.1.2.2).
	other := t.happyAs(b, t.newAuthz(t.s.basic, "openid").set("prompt", "login"), &credentials{o.SecondLogin, o.SecondPassword})
	if other.idt.sub() == first.idt.sub() {
		t.Info("id_token_hint for another citizen", "the second citizen has the same sub %q; not checked", first.idt.sub())
		return
	}
	a := t.newAuthz(t.s.basic, "openid").set("prompt", "none").set("id_token_hint", first.tok.IDToken)
	out := t.authorize(b, a, nil)
	params := out.Page.params()
	t.Warn("id_token_hint for another citizen", out.Page.Redirect != nil && params.Get("code") == "" && params.Get("error") != "",
		"hint for sub %q while sub %q is logged in: %s (want an error such as login_required)", first.idt.sub(), other.idt.sub(), out.Page.summary())
}

func loginHint(t *T) {
	t.needDiscovery()
	hint := t.s.o.LoginHint
	a := t.newAuthz(t.s.basic, "openid").set("login_hint", hint)
	out := t.authorize(t.newBrowser(), a, t.creds())
	if out.LoginShown {
		t.Info("login form prefilled", "login field %q, hint %q", out.LoginPrefill, hint)
	}
	t.finish(a, out)
}

func codeReuse(t *T, wait time.Duration) {
	t.needDiscovery()
	f := t.happy(t.newBrowser(), t.newAuthz(t.s.basic, "openid"))
	if wait > 0 {
		t.Sleep(wait)
	}
	r := t.tokenCall(f.a.rp, url.Values{"grant_type": {"authorization_code"}, "code": {f.code}, "redirect_uri": {f.a.rp.RedirectURI}})
	if wait == 0 && r.Status == http.StatusOK {
		t.Warn("reused code refused", false, "the second exchange of the code succeeded")
		return
	}
	t.Check("reused code: HTTP 400", r.Status == http.StatusBadRequest, "HTTP %d: %s", r.Status, snippet(r.Body))
	t.Check("reused code: JSON", isJSON(r.Header.Get("Content-Type")), "Content-Type %q", r.Header.Get("Content-Type"))
	e := r.str("error")
	t.Check("reused code: invalid_grant", e == "invalid_grant", "error %q (RFC 6749 §5.2)", e)
	t.Check("error value characters", validErrorChars(e) && validErrorChars(r.str("error_description")), "error=%q error_description=%q", e, r.str("error_description"))
	if wait > 0 {
		status, _, body := t.userinfoCall("get", f.tok.Access)
		t.Warn("tokens of a reused code revoked", status >= 400, "userinfo with the first access token: HTTP %d %s (RFC 6749 §4.1.2: SHOULD revoke)", status, snippet(body))
	}
}

func registeredRedirectURI(t *T) {
	t.needDiscovery()
	b := t.newBrowser()
	bad := strings.TrimSuffix(t.s.basic.RedirectURI, "/") + "/unregistered-" + randomString(8)
	b.stopAt(bad)
	a := t.newAuthz(t.s.basic, "openid").set("redirect_uri", bad)
	out := t.authorize(b, a, nil)
	p := out.Page
	t.Check("no redirect to the unregistered URI", !p.redirectedTo(bad), "redirected to %s", p.Redirect)
	t.Check("no redirect", p.Redirect == nil, "%s", p.summary())
	t.Check("no login for an unregistered redirect_uri", !out.LoginShown, "login form shown: %t", out.LoginShown)
	t.Check("error page (4xx)", p.Redirect == nil && p.Status >= 400 && p.Status < 500, "%s", p.summary())
}

func claimsEssential(t *T) {
	t.needDiscovery()
	a := t.newAuthz(t.s.basic, "openid").set("claims", `{"userinfo":{"name":{"essential":true}}}`)
	f := t.happy(t.newBrowser(), a)
	claims := t.userinfo("get", f.tok.Access, f.idt)
	_, has := claims["name"]
	t.Warn("userinfo has the essential name claim", has, "userinfo claims %s (OIDC Core §5.5)", keys(claims))
	_, inID := f.idt.Claims["name"]
	t.Warn("id_token has no name (it was requested for userinfo only)", !inID, "ID token claims %s", keys(f.idt.Claims))
}

func refreshToken(t *T) {
	d := t.needDiscovery()
	scope := "openid"
	if d.ScopesSupported == nil || slices.Contains(d.ScopesSupported, "offline_access") {
		scope += " offline_access"
	}
	newReq := func(c rp) *authz {
		a := t.newAuthz(c, scope)
		if strings.Contains(scope, "offline_access") {
			a.set("prompt", "consent") // OIDC Core §11
		}
		return a
	}
	b := t.newBrowser()
	first := t.happy(b, newReq(t.s.basic))
	advertised := slices.Contains(d.GrantTypesSupported, "refresh_token")
	if first.tok.Refresh == "" {
		t.Warn("grant_types_supported", !advertised, "refresh_token is advertised but none was issued")
		t.Skip("no refresh token was issued (scope %q); refresh tokens cannot be tested", scope)
	}
	t.Warn("grant_types_supported has refresh_token", advertised, "%v", d.GrantTypesSupported)
	t.Check("refresh token characters", vschars(first.tok.Refresh), "RFC 6749 §A.17: %%x20-7E")

	r := t.tokenCall(t.s.basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.tok.Refresh}})
	t.checkTokenResponse(r, t.s.basic, false)
	t.checkNoStore(r)
	if r.IDToken != "" {
		idt := t.checkIDToken(r.IDToken, idTokenWant{rp: t.s.basic, nonce: first.a.nonce, access: r.Access, anyNonce: true})
		for _, k := range []string{"iss", "sub", "azp", "auth_time"} {
			v1, has1 := first.idt.Claims[k]
			v2, has2 := idt.Claims[k]
			if has1 || has2 {
				t.Check("refreshed id_token "+k, has1 == has2 && str(v1) == str(v2), "first %v, refreshed %v (OIDC Core §12.2)", v1, v2)
			}
		}
		t.Check("refreshed id_token aud", strings.Join(audiences(first.idt.Claims["aud"]), " ") == strings.Join(audiences(idt.Claims["aud"]), " "),
			"first %v, refreshed %v", first.idt.Claims["aud"], idt.Claims["aud"])
	}
	t.userinfo("get", r.Access, first.idt)

	if t.s.post.ID == t.s.basic.ID {
		t.Info("refresh token bound to its client", "the two clients are one registration (%s); not checked", t.s.basic.ID)
		return
	}
	second := t.happy(b, newReq(t.s.post))
	t.Require("refresh token for the second client", second.tok.Refresh != "", "client %q: refresh_token %s", t.s.post.ID, presence(second.tok.Refresh))
	cross := t.tokenCall(t.s.basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.tok.Refresh}})
	t.Check("another client's refresh token refused", cross.Status == http.StatusBadRequest || cross.Status == http.StatusUnauthorized,
		"client %q using %q's refresh token: HTTP %d %s", t.s.basic.ID, t.s.post.ID, cross.Status, snippet(cross.Body))
	t.Warn("another client's refresh token: invalid_grant", cross.str("error") == "invalid_grant", "error %q", cross.str("error"))
}
