package config

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/conformance/internal/rp"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

// Modules are the Config OP plan's modules.
func Modules() []suite.Module {
	return []suite.Module{{
		ModuleInfo: suite.ModuleInfo{Name: "oidcc-discovery-endpoint-verification", Plan: suite.PlanConfig,
			Summary: "the discovery document holds the values the specifications require, every endpoint is https and the JWKS holds only public keys"},
		Run: discoveryEndpointVerification,
	}}
}

func discoveryEndpointVerification(t *suite.T) {
	s := t.S
	raw := t.FetchedDiscovery()
	t.Check("discovery HTTP 200", s.DiscStatus == http.StatusOK, "HTTP %d", s.DiscStatus)
	t.Check("discovery content type", suite.IsJSON(s.DiscType), "Content-Type %q", s.DiscType)
	t.Check("discovery URL", strings.HasSuffix(s.DiscURL, "/.well-known/openid-configuration"), "%s", s.DiscURL)
	if s.DiscErr != nil {
		t.Check("discovery member types", false, "%v", s.DiscErr)
	}

	iss, _ := raw["issuer"].(string)
	want := strings.TrimSuffix(s.DiscURL, "/.well-known/openid-configuration")
	t.Check("issuer matches the discovery URL", iss == want, "issuer %q, discovery URL prefix %q (OIDC Discovery §4.3)", iss, want)
	u, err := url.Parse(iss)
	t.Check("issuer is a valid https URL", err == nil && u.Scheme == "https" && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery,
		"issuer %q: https, no query, no fragment (RFC 8414 §2)", iss)

	rts := strList(raw, "response_types_supported")
	oidcTypes := []string{"code", "id_token", "id_token token", "code id_token", "code token", "code id_token token"}
	t.Check("response_types_supported", slices.ContainsFunc(rts, func(rt string) bool { return slices.Contains(oidcTypes, normalizeSpaced(rt)) }),
		"%v: want an OpenID Connect response type", raw["response_types_supported"])
	sts := strList(raw, "subject_types_supported")
	t.Check("subject_types_supported", slices.Contains(sts, "public") || slices.Contains(sts, "pairwise"), "%v: want public or pairwise", raw["subject_types_supported"])
	t.Check("id_token_signing_alg_values_supported has RS256", slices.Contains(strList(raw, "id_token_signing_alg_values_supported"), "RS256"),
		"%v", raw["id_token_signing_alg_values_supported"])
	if v, has := raw["userinfo_signing_alg_values_supported"]; has {
		_, ok := v.([]any)
		t.Check("userinfo_signing_alg_values_supported", ok && allStrings(v), "%v", v)
	}

	t.CheckEndpoint(raw, "authorization_endpoint", true)
	t.CheckEndpoint(raw, "token_endpoint", true)
	if _, has := raw["userinfo_endpoint"]; has {
		t.CheckEndpoint(raw, "userinfo_endpoint", true)
	} else {
		t.Warn("userinfo_endpoint", false, "absent (RECOMMENDED by OIDC Discovery §3)")
	}
	if _, has := raw["registration_endpoint"]; has {
		t.CheckEndpoint(raw, "registration_endpoint", true)
	}
	t.CheckEndpoint(raw, "jwks_uri", true)
	checkJWKS(t)

	for _, k := range []string{"request_parameter_supported", "request_uri_parameter_supported", "claims_parameter_supported"} {
		v, has := raw[k]
		switch {
		case !has:
			t.Info(k, "absent")
		default:
			_, isBool := v.(bool)
			t.Check(k, isBool, "%v", v)
		}
	}
	if v, has := raw["request_object_signing_alg_values_supported"]; has {
		t.Warn("request_object_signing_alg_values_supported has RS256", slices.Contains(strList(raw, "request_object_signing_alg_values_supported"), "RS256"), "%v", v)
	}
	_, hasClaims := raw["claims_supported"]
	t.Warn("claims_supported", hasClaims && allStrings(raw["claims_supported"]), "%v (RECOMMENDED by OIDC Discovery §3)", raw["claims_supported"])

	if v, has := raw["grant_types_supported"]; has {
		gts := strList(raw, "grant_types_supported")
		t.Check("grant_types_supported", len(gts) > 0 && allStrings(v), "%v: a non-empty array of strings", v)
		if slices.Contains(rts, "code") {
			t.Check("grant_types_supported has authorization_code", slices.Contains(gts, "authorization_code"), "%v while response type code is supported", v)
		}
	}
	if v, has := raw["scopes_supported"]; has {
		t.Check("scopes_supported has openid", slices.Contains(strList(raw, "scopes_supported"), "openid"), "%v", v)
		bad := []string{}
		for _, sc := range strList(raw, "scopes_supported") {
			if !validScopeToken(sc) {
				bad = append(bad, sc)
			}
		}
		t.Check("scopes_supported syntax", allStrings(v) && len(bad) == 0, "invalid scope tokens %q (RFC 6749 §3.3)", bad)
	} else {
		t.Warn("scopes_supported has openid", false, "scopes_supported absent (RECOMMENDED)")
	}
	for _, k := range []string{"ui_locales_supported", "claims_locales_supported"} {
		if v, has := raw[k]; has {
			var bad, casing []string
			for _, l := range strList(raw, k) {
				tag, err := language.Parse(l)
				switch {
				case err != nil:
					bad = append(bad, l)
				case strings.EqualFold(tag.String(), l) && tag.String() != l:
					casing = append(casing, l)
				}
			}
			t.Check(k+" syntax", allStrings(v) && len(bad) == 0, "%v: invalid BCP 47 tags %q", v, bad)
			t.Warn(k+" canonical casing", len(casing) == 0, "%q not in canonical casing", casing)
		}
	}
	t.CheckAllEndpointsHTTPS(raw)
	if v, has := raw["code_challenge_methods_supported"]; has {
		_, ok := v.([]any)
		t.Check("code_challenge_methods_supported is an array", ok, "%v", v)
	}
}

// checkJWKS checks the provider's key set: it parses, and holds no private or symmetric keys.
func checkJWKS(t *suite.T) {
	s := t.S
	if s.JWKSRaw == nil {
		t.Check("jwks", false, "%v", s.JWKSErr)
		return
	}
	ks, ok := s.JWKSRaw["keys"].([]any)
	if !t.Check("jwks keys", ok && len(ks) > 0, "%d keys in the keys array", len(ks)) {
		return
	}
	t.Check("jwks parses", s.JWKSErr == nil, "%v", rp.ErrOr(s.JWKSErr, fmt.Sprintf("%d keys", len(ks))))
	var private, symmetric, noKid []string
	kids := map[string]int{}
	for i, k := range ks {
		m, _ := k.(map[string]any)
		kid, _ := m["kid"].(string)
		label := fmt.Sprintf("#%d kid=%q", i, kid)
		if kid == "" {
			noKid = append(noKid, label)
		}
		kids[kid]++
		if m["kty"] == "oct" {
			symmetric = append(symmetric, label)
		}
		for _, p := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, has := m[p]; has && m["kty"] != "oct" {
				private = append(private, label+" has "+p)
			}
		}
	}
	t.Check("jwks has no private keys", len(private) == 0, "%s", strings.Join(private, "; "))
	t.Check("jwks has no symmetric keys", len(symmetric) == 0, "%s", strings.Join(symmetric, "; "))
	t.Check("jwks keys have a kid", len(noKid) == 0 || len(ks) == 1, "keys without kid: %s (OIDC Core §10.1)", strings.Join(noKid, "; "))
	var dup []string
	for kid, n := range kids {
		if n > 1 && kid != "" {
			dup = append(dup, kid)
		}
	}
	t.Check("jwks kids are distinct", len(dup) == 0, "duplicate kid %q (RFC 7517 §4.5)", dup)
}

func strList(raw map[string]any, k string) []string {
	a, _ := raw[k].([]any)
	out := make([]string, 0, len(a))
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func allStrings(v any) bool {
	a, ok := v.([]any)
	if !ok {
		return false
	}
	for _, x := range a {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

// normalizeSpaced sorts a space-separated list (response types are unordered).
func normalizeSpaced(s string) string {
	f := strings.Fields(s)
	sort.Slice(f, func(i, j int) bool { return order(f[i]) < order(f[j]) })
	return strings.Join(f, " ")
}

func order(s string) int {
	switch s {
	case "code":
		return 0
	case "id_token":
		return 1
	}
	return 2
}

// validScopeToken: RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e || r == '"' || r == '\\' {
			return false
		}
	}
	return true
}
