package esia_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/provider/esia"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

const fullScope = "openid fullname birthdate gender snils inn id_doc email mobile contacts addresses vehicles kid_fullname kid_birthdate kid_birth_cert_doc"

// verifyRS256 checks a token with the certificate published at /esia/esia.cer, as AISGorod
// and sokolovs do (no JWKS).
func verifyRS256(t testing.TB, e *env, tok string) []byte {
	t.Helper()
	pg := e.get(e.base + "/esia/esia.cer")
	cert, err := x509.ParseCertificate([]byte(pg.Body))
	if err != nil {
		t.Fatalf("esia.cer: %v", err)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse %q: %v", tok, err)
	}
	payload, err := jws.Verify(cert.PublicKey)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	return payload
}

// verifyGOST checks a GOST3410_2012_256 token with /esia/esia-gost.cer: a 64-byte s||r
// signature over Streebog-256 of header.payload (what `openssl dgst -verify` checks).
func verifyGOST(t testing.TB, e *env, tok string) {
	t.Helper()
	pg := e.get(e.base + "/esia/esia-gost.cer")
	pub, err := gost.ParsePublicKeyFromCertificate([]byte(pg.Body))
	if err != nil {
		t.Fatalf("esia-gost.cer: %v", err)
	}
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("GOST signature: %v (%d bytes)", err, len(sig))
	}
	d := streebog.Sum256([]byte(tok[:i]))
	if !gost.VerifyRaw(pub, d[:], sig, gost.SR) {
		t.Fatal("GOST signature does not verify with the published certificate")
	}
}

// TestV1FlowPKCS7RSA is the legacy flow end to end: /ac with a PKCS#7 RSA signature, login,
// consent, /te, /rs, refresh at /te, logout.
func TestV1FlowPKCS7RSA(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, state := c.loginFor(false, fullScope, "offline", "+79990000003")

	h, cl, _ := jwtParts(t, code)
	if h["sbt"] != "authorization_code" || h["alg"] != "RS256" || cl["urn:esia:client:state"] != state || cl["client_id"] != rpRSA {
		t.Fatalf("code: %v %v", h, cl)
	}
	if exp, iat := cl["exp"].(float64), cl["iat"].(float64); exp-iat != 240 {
		t.Fatalf("code lifetime %v", exp-iat)
	}
	verifyRS256(t, e, code)

	tok := c.exchange(false, code, fullScope)
	at, idt, rt := str(tok["access_token"]), str(tok["id_token"]), str(tok["refresh_token"])
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) || !esia.IsUUID(rt) {
		t.Fatalf("token answer: %v", tok)
	}
	var access esiajwt.Access
	if err := json.Unmarshal(verifyRS256(t, e, at), &access); err != nil {
		t.Fatal(err)
	}
	if access.SbjID != 1000000003 || access.ClientID != rpRSA || access.Iss != "http://esia.gosuslugi.ru/" || access.Exp-access.Iat != 3600 ||
		!strings.Contains(access.Scope, "fullname?oid=1000000003") || !strings.Contains(" "+access.Scope+" ", " openid ") {
		t.Fatalf("access token: %+v", access)
	}
	var id esiajwt.ID
	if err := json.Unmarshal(verifyRS256(t, e, idt), &id); err != nil {
		t.Fatal(err)
	}
	if id.Sub != 1000000003 || id.Aud != rpRSA || id.AMR != "PWD" || id.Sbj.IsTru == nil || !*id.Sbj.IsTru || id.Exp-id.Iat != 3*3600 || id.SID != access.SID {
		t.Fatalf("id_token: %+v", id)
	}

	status, person := c.api(at, "/rs/prns/1000000003")
	if status != http.StatusOK || person["lastName"] != "Иванова" || person["trusted"] != true || person["birthDate"] != "21.06.1976" {
		t.Fatalf("person: %d %v", status, person)
	}

	// Refresh at /te: a new pair, the old refresh token is spent.
	status, ref := c.post(false, c.tokenForm(false, "refresh_token", rt, fullScope))
	if status != http.StatusOK || !esia.IsUUID(str(ref["refresh_token"])) || ref["refresh_token"] == rt {
		t.Fatalf("refresh: %d %v", status, ref)
	}
	if status, again := c.post(false, c.tokenForm(false, "refresh_token", rt, fullScope)); status != http.StatusBadRequest ||
		!strings.HasPrefix(str(again["error_description"]), "ESIA-007011") {
		t.Fatalf("replayed refresh token: %d %v", status, again)
	}
	// The replay revoked the family: the new access token no longer works.
	if status, _ := c.api(str(ref["access_token"]), "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatalf("family not revoked after a replay: %d", status)
	}

	// A fresh login in the same browser is silent (SSO), then logout ends it.
	code2, _ := c.loginFor(false, "openid fullname", "offline", "")
	tok2 := c.exchange(false, code2, "openid fullname")
	pg := c.browser.Get(e.base + "/idp/ext/Logout?client_id=" + rpRSA + "&redirect_url=" + url.QueryEscape(rpHome))
	if pg.Status != http.StatusFound || location(pg) != rpHome {
		t.Fatalf("logout: %d %q", pg.Status, location(pg))
	}
	if status, _ := c.api(str(tok2["access_token"]), "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatalf("access token works after logout: %d", status)
	}
	if status, m := c.post(false, c.tokenForm(false, "refresh_token", str(tok2["refresh_token"]), "openid fullname")); status != http.StatusBadRequest {
		t.Fatalf("refresh after logout: %d %v", status, m)
	}
	if pg := c.authorize(false, c.authParams(false, "openid", "online", newState())); !isLoginForm(pg) {
		t.Fatalf("after logout the login form must show again: %d %q", pg.Status, location(pg))
	}
}

// TestV2FlowGOST is the current flow: /v2/ac and /v3/te with raw GOST R 34.10-2012 signatures
// and client_certificate_hash; the system gets GOST-signed tokens.
func TestV2FlowGOST(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpGOST, gostClientKey)
	code, _ := c.loginFor(true, "openid fullname snils", "offline", "+79990000002")
	if h, _, _ := jwtParts(t, code); h["alg"] != "GOST3410_2012_256" || h["ver"] != float64(1) {
		t.Fatalf("code header %v", h)
	}
	verifyGOST(t, e, code)
	tok := c.exchange(true, code, "openid fullname snils")
	for _, k := range []string{"access_token", "id_token"} {
		verifyGOST(t, e, str(tok[k]))
	}
	_, idc, _ := jwtParts(t, str(tok["id_token"]))
	if sbj := idc["urn:esia:sbj"].(map[string]any); sbj["urn:esia:sbj:is_tru"] != nil || idc["sub"] != float64(1000000002) {
		t.Fatalf("standard account: is_tru must be absent: %v", idc)
	}
	at := str(tok["access_token"])
	if status, p := c.api(at, "/rs/prns/1000000002"); status != http.StatusOK || p["snils"] != "000-000-600 02" || p["trusted"] != false {
		t.Fatalf("person: %d %v", status, p)
	}
	status, ref := c.post(true, c.tokenForm(true, "refresh_token", str(tok["refresh_token"]), "openid fullname snils"))
	if status != http.StatusOK {
		t.Fatalf("refresh at v3: %d %v", status, ref)
	}
	verifyGOST(t, e, str(ref["access_token"]))
	pg := c.browser.Get(e.base + "/idp/ext/Logout?client_id=" + rpGOST + "&redirect_url=" + url.QueryEscape(rpHome))
	if location(pg) != rpHome {
		t.Fatalf("logout: %d %q", pg.Status, location(pg))
	}
	if status, _ := c.api(str(ref["access_token"]), "/rs/prns/1000000002"); status != http.StatusUnauthorized {
		t.Fatalf("token valid after logout: %d", status)
	}
}

// TestV2FlowRSARawAndVariants: a v2/v3 client with an RSA key (raw PKCS#1 signature) and the
// base64 and byte-order variations of real clients in lenient mode.
func TestV2FlowRSARawAndVariants(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	c.encode = base64.StdEncoding.EncodeToString
	code, _ := c.loginFor(true, "openid fullname", "online", "+79990000003")
	tok := c.exchange(true, code, "openid fullname")
	if _, ok := tok["refresh_token"]; ok {
		t.Fatalf("access_type=online must not give a refresh token: %v", tok)
	}
	g := e.rp(rpGOST, gostClientKey)
	g.order = gost.SRReversed // CryptoPro's native order, not reversed by the client
	code, _ = g.loginFor(true, "openid", "online", "+79990000003")
	g.exchange(true, code, "openid")
	if pg := e.diagnostics(rpGOST); !strings.Contains(pg.Body, "byte order") {
		t.Fatal("the byte order oddity is not on the diagnostics page")
	}
}

// TestPOSTAuthorizeAndSSO: the legacy POST form, then a silent second login.
func TestPOSTAuthorizeAndSSO(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	state := newState()
	pg := c.browser.Post(e.base+"/aas/oauth2/ac", c.authParams(false, "openid fullname", "online", state))
	code := c.codeFrom(e.login(c.browser, pg, "+79990000003"), state)
	c.exchange(false, code, "openid fullname")
	code, _ = c.loginFor(false, "openid fullname", "online", "")
	c.exchange(false, code, "openid fullname")
}

// TestCodeOnceAndExpiry: a code works once (a replay revokes what it gave) and for 240 s.
func TestCodeOnceAndExpiry(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid", "offline", "+79990000003")
	tok := c.exchange(false, code, "openid")
	status, m := c.post(false, c.tokenForm(false, "authorization_code", code, "openid"))
	if status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007011") || m["error"] != "invalid_grant" {
		t.Fatalf("replayed code: %d %v", status, m)
	}
	if status, _ := c.api(str(tok["access_token"]), "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatal("tokens of a replayed code must be revoked")
	}
	code, _ = c.loginFor(false, "openid", "offline", "")
	e.clock.Advance(241 * time.Second)
	if status, m := c.post(false, c.tokenForm(false, "authorization_code", code, "openid")); status != http.StatusBadRequest ||
		!strings.HasPrefix(str(m["error_description"]), "ESIA-007011") {
		t.Fatalf("expired code: %d %v", status, m)
	}
}

// TestAccessTokenExpiry: /rs answers 401 once the access token's hour is over.
func TestAccessTokenExpiry(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid fullname", "online", "+79990000003")
	at := str(c.exchange(false, code, "openid fullname")["access_token"])
	e.clock.Advance(59 * time.Minute)
	if status, _ := c.api(at, "/rs/prns/1000000003"); status != http.StatusOK {
		t.Fatalf("within the hour: %d", status)
	}
	e.clock.Advance(2 * time.Minute)
	if status, m := c.api(at, "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatalf("after the hour: %d %v", status, m)
	}
	if status, _ := c.api(at[:len(at)-4]+"AAAA", "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatal("a forged signature must be refused")
	}
	if status, _ := c.api("", "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatal("no token must be refused")
	}
}

// TestLevels: a system that admits confirmed accounts only, and person_filter=conf_acc,
// refuse a standard account with ESIA-007055 after the citizen page.
func TestLevels(t *testing.T) {
	e := newEnv(t)
	refuse := func(c *esiaRP, q url.Values, state string) {
		t.Helper()
		pg := e.login(c.browser, c.authorize(false, q), "+79990000002")
		deny, err := pg.Form(browser.ByAction("/login/deny"))
		if pg.Status != http.StatusForbidden || err != nil {
			t.Fatalf("the citizen page on the level is missing: %s (%v)", pg.Summary(), err)
		}
		back := c.browser.Submit(deny).Params()
		if back.Get("error") != "access_denied" || !strings.HasPrefix(back.Get("error_description"), "ESIA-007055") || back.Get("state") != state {
			t.Fatalf("back to the system: %v", back)
		}
	}
	c := e.rp(rpConf, confKy)
	state := newState()
	refuse(c, c.authParams(false, "openid", "online", state), state)
	// A confirmed account passes.
	c2 := e.rp(rpConf, confKy)
	code, _ := c2.loginFor(false, "openid", "online", "+79990000003")
	c2.exchange(false, code, "openid")

	r := e.rp(rpRSA, rsaKey)
	state = newState()
	q := r.authParams(false, "openid", "online", state)
	q.Set("person_filter", base64.StdEncoding.EncodeToString([]byte("conf_acc")))
	refuse(r, q, state)
}

// TestLenientTokenStateAndStrictRefusal: a client reusing the authorization's state on the
// token call is accepted (and reported) in lenient mode and refused in strict mode.
func TestLenientTokenStateAndStrictRefusal(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		id   string
		key  *secrettest.Key
		want int
	}{{rpRSA, rsaKey, http.StatusOK}, {rpStrict, strictKey, http.StatusBadRequest}} {
		c := e.rp(tc.id, tc.key)
		code, state := c.loginFor(false, "openid", "online", "+79990000003")
		f := c.tokenForm(false, "authorization_code", code, "openid")
		f.Set("state", state)
		f.Set("client_secret", c.secretV1("openid", f.Get("timestamp"), state))
		status, m := c.post(false, f)
		if status != tc.want || m["state"] != state {
			t.Fatalf("%s: %d %v", tc.id, status, m)
		}
	}
	pg := e.diagnostics(rpRSA)
	if !strings.Contains(pg.Body, "reuses the authorization request") {
		t.Fatalf("diagnostics page: %s", pg.Summary())
	}
	if !strings.Contains(e.logBuf.String(), "client_secret accepted with oddities") {
		t.Fatal("the oddity is not logged")
	}
}

// TestSecretCheckOff: a system without a certificate in off mode.
func TestSecretCheckOff(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpOff, nil)
	code, _ := c.loginFor(true, "openid fullname", "online", "+79990000001")
	tok := c.exchange(true, code, "openid fullname")
	if status, p := c.api(str(tok["access_token"]), "/rs/prns/1000000001"); status != http.StatusOK || p["trusted"] != false {
		t.Fatalf("%d %v", status, p)
	}
}

// TestPKCE: a challenge on /v2/ac must be met on /v3/te.
func TestPKCE(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpGOST, gostClientKey)
	state := newState()
	q := c.authParams(true, "openid", "online", state)
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	q.Set("code_challenge_method", "S256")
	code := c.codeFrom(e.login(c.browser, c.authorize(true, q), "+79990000003"), state)
	f := c.tokenForm(true, "authorization_code", code, "openid")
	f.Set("code_verifier", "wrong-verifier-wrong-verifier-wrong-verifier")
	if status, m := c.post(true, f); status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007040") {
		t.Fatalf("wrong verifier: %d %v", status, m)
	}
	f = c.tokenForm(true, "authorization_code", code, "openid")
	f.Set("code_verifier", verifier)
	if status, m := c.post(true, f); status != http.StatusOK {
		t.Fatalf("right verifier: %d %v", status, m)
	}
	// A verifier without a challenge.
	code, _ = c.loginFor(true, "openid", "online", "")
	f = c.tokenForm(true, "authorization_code", code, "openid")
	f.Set("code_verifier", verifier)
	if status, m := c.post(true, f); status != http.StatusBadRequest || !strings.HasPrefix(str(m["error_description"]), "ESIA-007039") {
		t.Fatalf("no challenge: %d %v", status, m)
	}
}

// TestLogoutTargets: an unregistered redirect_url gets a page, not a redirect; no
// redirect_url goes to the emulator's logged-out page.
func TestLogoutTargets(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	if pg := b.Get(e.base + "/idp/ext/Logout?client_id=" + rpRSA + "&redirect_url=" + url.QueryEscape("https://evil.example/")); pg.Status != http.StatusBadRequest || location(pg) != "" {
		t.Fatalf("unregistered target: %d %q", pg.Status, location(pg))
	}
	if pg := b.Get(e.base + "/idp/ext/Logout?client_id=" + rpRSA + "&redirect_url=" + url.QueryEscape("http://127.0.0.1:9300/after-logout?x=1")); location(pg) != "http://127.0.0.1:9300/after-logout?x=1" {
		t.Fatalf("same-origin target: %d %q", pg.Status, location(pg))
	}
	if pg := b.Get(e.base + "/idp/ext/Logout?client_id=" + rpRSA); pg.Status != http.StatusOK {
		t.Fatalf("no target: %d %q", pg.Status, location(pg))
	}
}

// TestLogoutIgnoresPlantedCookie: logout finds the session by the provider's signed SSO
// cookie only. A browser id planted in the victim's browser (the dialect's old esia_aas
// cookie) gives whoever holds it no way to end the victim's session or revoke its tokens.
func TestLogoutIgnoresPlantedCookie(t *testing.T) {
	e := newEnv(t)
	const planted = "planted-browser-id-planted-browser-id-0123456789"
	u, _ := url.Parse(e.base + "/")
	victim, attacker := e.rp(rpRSA, rsaKey), e.rp(rpRSA, rsaKey)
	for _, b := range []*esiaRP{victim, attacker} {
		b.browser.Jar().SetCookies(u, []*http.Cookie{{Name: "esia_aas", Value: planted, Path: "/"}})
	}
	code, _ := victim.loginFor(false, "openid fullname", "offline", "+79990000003")
	tok := victim.exchange(false, code, "openid fullname")

	pg := attacker.browser.Get(e.base + "/idp/ext/Logout?client_id=" + rpRSA + "&redirect_url=" + url.QueryEscape(rpHome))
	if location(pg) != rpHome {
		t.Fatalf("logout: %s", pg.Summary())
	}
	if status, _ := victim.api(str(tok["access_token"]), "/rs/prns/1000000003"); status != http.StatusOK {
		t.Fatalf("the victim's access token was revoked by another browser's logout: %d", status)
	}
	if pg := victim.authorize(false, victim.authParams(false, "openid", "online", newState())); isLoginForm(pg) {
		t.Fatal("the victim's SSO session was ended by another browser's logout")
	}
	// The victim's own logout (no redirect_url: the question, answered) still revokes them.
	pg = victim.browser.Get(e.base + "/idp/ext/Logout?client_id=" + rpRSA)
	victim.browser.Submit(victim.browser.Form(pg, browser.WithField("logout")), browser.Button("logout", "yes"))
	if status, _ := victim.api(str(tok["access_token"]), "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatalf("access token works after the victim's logout: %d", status)
	}
}

// TestLogoutAsksUnlessRegistered (issue 13 item 18): /idp/ext/Logout with a registered
// client_id and redirect_url logs out at once (ESIA's behaviour); without them — a bare link,
// or an address not registered for the client — the citizen is asked first, and only the
// answer posted with the session's form token logs out.
func TestLogoutAsksUnlessRegistered(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid fullname", "offline", "+79990000003")
	tok := c.exchange(false, code, "openid fullname")
	alive := func(what string) {
		t.Helper()
		if status, _ := c.api(str(tok["access_token"]), "/rs/prns/1000000003"); status != http.StatusOK {
			t.Fatalf("%s revoked the citizen's token: %d", what, status)
		}
	}
	var question *browser.Page
	for _, q := range []string{"", "?client_id=" + rpRSA + "&redirect_url=" + url.QueryEscape("https://evil.example/"), "?redirect_url=" + url.QueryEscape(rpHome), "?client_id=" + rpRSA} {
		pg := c.browser.Get(e.base + "/idp/ext/Logout" + q)
		if pg.Status != http.StatusOK || location(pg) != "" || !strings.Contains(pg.Body, "Выйти из учётной записи Госуслуг") {
			t.Fatalf("logout%s: no question: %s", q, pg.Summary())
		}
		if pg.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("logout%s: question page headers %v", q, pg.Header)
		}
		alive("asking (" + q + ")")
		question = pg
	}
	if pg := c.browser.Post(e.base+"/idp/ext/Logout", url.Values{"client_id": {rpRSA}, "logout": {"yes"}, "csrf": {"forged"}}); pg.Status != http.StatusForbidden {
		t.Fatalf("forged answer: %s", pg.Summary())
	}
	alive("a forged answer")
	pg := c.browser.Submit(c.browser.Form(question, browser.WithField("logout")), browser.Button("logout", "yes"))
	if pg.Status != http.StatusOK || !strings.HasSuffix(pg.URL.Path, "/logged-out") {
		t.Fatalf("after confirming: %s", pg.Summary())
	}
	if status, _ := c.api(str(tok["access_token"]), "/rs/prns/1000000003"); status != http.StatusUnauthorized {
		t.Fatalf("token works after the confirmed logout: %d", status)
	}
}
