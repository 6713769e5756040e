package realclients_test

import (
	"encoding/json"
	"testing"
	"time"
)

// openidClientResult is what node/openid-client.mjs prints.
type openidClientResult struct {
	Discovery struct {
		Issuer                          string   `json:"issuer"`
		AuthorizationResponseIssSupport *bool    `json:"authorization_response_iss_parameter_supported"`
		CodeChallengeMethods            []string `json:"code_challenge_methods_supported"`
	} `json:"discovery"`
	LoginForm struct {
		Action  string   `json:"action"`
		Method  string   `json:"method"`
		Labels  []string `json:"labels"`
		Buttons []string `json:"buttons"`
	} `json:"login_form"`
	ConsentShown bool `json:"consent_shown"`
	Callback     struct {
		Mode    string  `json:"response_mode"`
		HasCode bool    `json:"has_code"`
		StateOK bool    `json:"state_ok"`
		Iss     *string `json:"iss"`
	} `json:"callback"`
	TokenType     string `json:"token_type"`
	Scope         string `json:"scope"`
	HasRefresh    bool   `json:"has_refresh_token"`
	IDTokenHeader struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	} `json:"id_token_header"`
	IDToken      map[string]any `json:"id_token"`
	JWKSKeysUsed int            `json:"jwks_keys_used"`
	UserInfo     map[string]any `json:"userinfo"`
	Refresh      *struct {
		AccessTokenChanged bool `json:"access_token_changed"`
		Rotated            bool `json:"refresh_token_rotated"`
		IDToken            *struct {
			Sub string `json:"sub"`
			Iss string `json:"iss"`
		} `json:"id_token"`
		UserInfoSub string `json:"userinfo_sub"`
	} `json:"refresh"`
	Trail []string `json:"trail"`
}

// TestOpenIDClientNode logs in with the Node openid-client library as the confidential
// demo-cabinet client: discovery, code + PKCE + nonce, the login form driven over plain HTTP,
// the exchange with ID-token signature checks, userinfo and a refresh.
func TestOpenIDClientNode(t *testing.T) {
	needTools(t, false)
	e := startEmulator(t)
	const redirectURI = "http://127.0.0.1:9000/callback" // demo-cabinet's; never dialled
	var res openidClientResult
	if err := runNode(t, 30*time.Second, &res, "openid-client.mjs", e.issuer, personaLogin, personaPassword, redirectURI); err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		b, _ := json.MarshalIndent(res, "", "  ")
		t.Logf("openid-client result:\n%s", b)
	}

	if res.Discovery.Issuer != e.issuer {
		t.Errorf("discovery issuer %q, want %q", res.Discovery.Issuer, e.issuer)
	}
	if !res.ConsentShown {
		t.Error("the first login to the cabinet did not ask for consent")
	}
	if !res.Callback.HasCode || !res.Callback.StateOK {
		t.Errorf("callback: %+v", res.Callback)
	}
	// RFC 9207: openid-client demands iss in the response when discovery advertises it and
	// checks it when present; either way it must be the issuer.
	if res.Callback.Iss != nil && *res.Callback.Iss != e.issuer {
		t.Errorf("authorization response iss %q, want %q", *res.Callback.Iss, e.issuer)
	}
	if adv := res.Discovery.AuthorizationResponseIssSupport; adv != nil && *adv && res.Callback.Iss == nil {
		t.Errorf("discovery advertises authorization_response_iss_parameter_supported but the response has no iss")
	}
	t.Logf("RFC 9207: advertised=%v, iss in response=%v", boolText(res.Discovery.AuthorizationResponseIssSupport), res.Callback.Iss != nil)

	// the ID token: verified by the library (signature, iss, aud, exp, nonce), then its claims.
	if res.IDTokenHeader.Alg != "RS256" || res.IDTokenHeader.Kid == "" {
		t.Errorf("id_token header %+v, want RS256 with a kid", res.IDTokenHeader)
	}
	if res.JWKSKeysUsed == 0 || len(e.requested("/keys")) == 0 {
		t.Errorf("the ID-token signature was not checked against the JWKS (keys cached: %d, /keys requests: %d)",
			res.JWKSKeysUsed, len(e.requested("/keys")))
	}
	wantClaims := map[string]any{
		"iss":          e.issuer,
		"aud":          "demo-cabinet",
		"sub":          personaOID,
		"name":         personaName,
		"family_name":  "Иванова",
		"given_name":   "Мария",
		"middle_name":  "Ивановна",
		"email":        "maria.ivanova@example.ru",
		"phone_number": "+79990000003",
		"acr":          "urn:esia:acr:1",
	}
	checkClaims(t, "id_token", res.IDToken, wantClaims)
	for _, c := range []string{"nonce", "exp", "iat", "auth_time", "sid"} {
		if _, ok := res.IDToken[c]; !ok {
			t.Errorf("id_token has no %s claim", c)
		}
	}
	// userinfo: the library checks that sub matches the ID token's.
	checkClaims(t, "userinfo", res.UserInfo, map[string]any{
		"sub": personaOID, "name": personaName, "email": "maria.ivanova@example.ru", "phone_number": "+79990000003",
	})

	// token endpoint: client_secret_basic was used.
	for _, h := range e.requested("/oauth/token") {
		if !h.BasicAuth || h.Status != 200 {
			t.Errorf("token request %+v: want Basic client authentication and 200", h)
		}
	}
	if n := len(e.requested("/oauth/token")); n != 2 {
		t.Errorf("%d token requests, want 2 (code exchange and refresh)", n)
	}

	// offline_access: a refresh token, and a working refresh.
	if !res.HasRefresh || res.Refresh == nil {
		t.Fatalf("no refresh token for scope offline_access (granted scope %q)", res.Scope)
	}
	if !res.Refresh.AccessTokenChanged || !res.Refresh.Rotated {
		t.Errorf("refresh: %+v, want a new access token and a rotated refresh token", *res.Refresh)
	}
	if res.Refresh.IDToken != nil && (res.Refresh.IDToken.Sub != personaOID || res.Refresh.IDToken.Iss != e.issuer) {
		t.Errorf("refreshed id_token %+v", *res.Refresh.IDToken)
	}
	if res.Refresh.UserInfoSub != personaOID {
		t.Errorf("userinfo with the refreshed access token: sub %q", res.Refresh.UserInfoSub)
	}
}

// TestOpenIDClientNodeFormPost logs in with openid-client in response_mode=form_post: the
// provider's auto-posting page carries iss (RFC 9207, advertised in discovery; openid-client
// refuses the response without it: "response parameter iss missing") and the library
// completes the exchange from the POST it receives.
func TestOpenIDClientNodeFormPost(t *testing.T) {
	needTools(t, false)
	e := startEmulator(t)
	const redirectURI = "http://127.0.0.1:9000/callback"
	var res openidClientResult
	if err := runNode(t, 30*time.Second, &res, "openid-client.mjs", e.issuer, personaLogin, personaPassword, redirectURI,
		"demo-cabinet", "demo-secret", "form_post"); err != nil {
		t.Fatal(err)
	}
	if res.Callback.Mode != "form_post" || !res.Callback.HasCode || !res.Callback.StateOK {
		t.Errorf("callback: %+v", res.Callback)
	}
	if res.Callback.Iss == nil || *res.Callback.Iss != e.issuer {
		t.Errorf("form_post response iss %v, want %q", res.Callback.Iss, e.issuer)
	}
	checkClaims(t, "id_token", res.IDToken, map[string]any{"iss": e.issuer, "aud": "demo-cabinet", "sub": personaOID})
	if res.UserInfo["sub"] != personaOID {
		t.Errorf("userinfo: %v", res.UserInfo)
	}
}

func checkClaims(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: no %s claim (want %v)", what, k, w)
		case k == "aud":
			if !audHas(g, w.(string)) {
				t.Errorf("%s: aud %v, want %v", what, g, w)
			}
		case g != w:
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

func audHas(aud any, id string) bool {
	switch a := aud.(type) {
	case string:
		return a == id
	case []any:
		for _, x := range a {
			if x == id {
				return true
			}
		}
	}
	return false
}

func boolText(b *bool) string {
	if b == nil {
		return "absent"
	}
	if *b {
		return "true"
	}
	return "false"
}
