package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

func TestModuleFilter(t *testing.T) {
	count := func(filter ...string) int {
		n := 0
		for _, m := range Modules() {
			if suite.Selected(m.Name, filter) {
				n++
			}
		}
		return n
	}
	if n := count(); n != len(Modules()) {
		t.Fatalf("empty filter selects %d of %d", n, len(Modules()))
	}
	if n := count("oidcc-rp-initiated-logout"); n != 11 {
		t.Fatalf("prefix oidcc-rp-initiated-logout selects %d, want 11", n)
	}
	if n := count("oidcc-server", "oidcc-codereuse-30seconds"); n != 3 { // oidcc-server, -client-secret-post, codereuse-30seconds
		t.Fatalf("got %d", n)
	}
}

func TestModuleNamesAreUniqueAndOfficial(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Modules() {
		if seen[m.Name] {
			t.Fatalf("duplicate module %s", m.Name)
		}
		seen[m.Name] = true
		if !strings.HasPrefix(m.Name, "oidcc-") || m.Plan == "" || m.Summary == "" {
			t.Fatalf("module %+v", m)
		}
	}
	// The modules testing.md names for the Config, Basic and RP-initiated logout plans.
	for _, name := range []string{
		"oidcc-discovery-endpoint-verification",
		"oidcc-server", "oidcc-server-client-secret-post", "oidcc-response-type-missing", "oidcc-idtoken-signature",
		"oidcc-idtoken-unsigned", "oidcc-userinfo-get", "oidcc-userinfo-post-header", "oidcc-userinfo-post-body",
		"oidcc-ensure-request-without-nonce-succeeds-for-code-flow", "oidcc-scope-profile", "oidcc-scope-email",
		"oidcc-scope-address", "oidcc-scope-phone", "oidcc-scope-all", "oidcc-alternate-happy-flow", "oidcc-display-page",
		"oidcc-display-popup", "oidcc-prompt-login", "oidcc-prompt-none-not-logged-in", "oidcc-prompt-none-logged-in",
		"oidcc-max-age-1", "oidcc-max-age-10000", "oidcc-ensure-request-with-unknown-parameter-succeeds",
		"oidcc-id-token-hint", "oidcc-login-hint", "oidcc-ui-locales", "oidcc-claims-locales",
		"oidcc-ensure-request-with-acr-values-succeeds", "oidcc-codereuse", "oidcc-codereuse-30seconds",
		"oidcc-ensure-registered-redirect-uri", "oidcc-ensure-post-request-succeeds",
		"oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported",
		"oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported", "oidcc-claims-essential",
		"oidcc-ensure-request-object-with-redirect-uri", "oidcc-refresh-token", "oidcc-ensure-request-with-valid-pkce-succeeds",
		"oidcc-rp-initiated-logout-discovery-endpoint-verification", "oidcc-rp-initiated-logout",
		"oidcc-rp-initiated-logout-bad-post-logout-redirect-uri", "oidcc-rp-initiated-logout-modified-id-token-hint",
		"oidcc-rp-initiated-logout-no-id-token-hint", "oidcc-rp-initiated-logout-no-params",
		"oidcc-rp-initiated-logout-no-post-logout-redirect-uri", "oidcc-rp-initiated-logout-no-state",
		"oidcc-rp-initiated-logout-only-state", "oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri",
		"oidcc-rp-initiated-logout-bad-id-token-hint",
	} {
		if !seen[name] {
			t.Errorf("module %s is missing", name)
		}
	}
}

func TestInvalidOptionsFailEverySelectedModule(t *testing.T) {
	rep := Run(context.Background(), Options{Modules: []string{"oidcc-server"}})
	if len(rep.Modules) != 2 {
		t.Fatalf("%d modules", len(rep.Modules))
	}
	for _, m := range rep.Modules {
		if m.Verdict != Failed || !strings.Contains(m.Reason, "Issuer is required") {
			t.Fatalf("%s: %s %s", m.Name, m.Verdict, m.Reason)
		}
	}
}
