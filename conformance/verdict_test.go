package conformance

import (
	"context"
	"strings"
	"testing"
)

func TestVerdictOf(t *testing.T) {
	pass := Check{Name: "a", Outcome: OutcomePass}
	warn := Check{Name: "w", Outcome: OutcomeWarn, Detail: "meh"}
	fail := Check{Name: "f", Outcome: OutcomeFail, Detail: "bad"}
	info := Check{Name: "i", Outcome: OutcomeInfo, Detail: "fyi"}
	for _, tc := range []struct {
		name   string
		checks []Check
		skip   string
		want   Verdict
		reason string
	}{
		{"no checks", nil, "", Passed, ""},
		{"all pass", []Check{pass, info, pass}, "", Passed, ""},
		{"a warning", []Check{pass, warn, pass}, "", Warning, "w: meh"},
		{"a failure wins over a warning", []Check{warn, fail, pass}, "", Failed, "f: bad"},
		{"the first failure is the reason", []Check{fail, {Name: "g", Outcome: OutcomeFail}}, "", Failed, "f: bad"},
		{"skipped", []Check{pass}, "not advertised", Skipped, "not advertised"},
		{"skipped after a warning", []Check{warn}, "not advertised", Skipped, "not advertised"},
		{"a failure before the skip fails", []Check{fail}, "not advertised", Failed, "f: bad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, r := verdictOf(tc.checks, tc.skip)
			if v != tc.want || r != tc.reason {
				t.Fatalf("got %s %q, want %s %q", v, r, tc.want, tc.reason)
			}
		})
	}
}

// runOne runs a module body through the module runner.
func runOne(run func(t *T)) ModuleResult {
	s := newSuite(&Options{Issuer: "https://op.example", Sleep: realSleep})
	return s.runModule(context.Background(), module{ModuleInfo: ModuleInfo{Name: "m", Plan: PlanBasic}, run: run})
}

func TestModuleRunner(t *testing.T) {
	for _, tc := range []struct {
		name   string
		run    func(t *T)
		want   Verdict
		reason string
		checks int
	}{
		{"checks pass", func(t *T) { t.Check("a", true, "ok"); t.Warn("b", true, "ok") }, Passed, "", 2},
		{"a failing check fails but the module goes on", func(t *T) {
			t.Check("a", false, "x=%d", 1)
			t.Check("b", true, "")
		}, Failed, "a: x=1", 2},
		{"Require stops at the first failure", func(t *T) {
			t.Require("a", false, "stop here")
			t.Check("never", true, "")
		}, Failed, "a: stop here", 1},
		{"Fatal stops", func(t *T) { t.Fatal("f", "gone"); t.Check("never", true, "") }, Failed, "f: gone", 1},
		{"a warning", func(t *T) { t.Warn("w", false, "hmm") }, Warning, "w: hmm", 1},
		{"Skip", func(t *T) { t.Check("a", true, ""); t.Skip("no %s", "support") }, Skipped, "no support", 1},
		{"Pass with a note", func(t *T) { t.Pass("rejected as unsupported"); t.Check("never", false, "") }, Passed, "rejected as unsupported", 0},
		{"a note does not hide a warning", func(t *T) { t.Note("fine"); t.Warn("w", false, "hmm") }, Warning, "w: hmm", 1},
		{"a panic is an internal error", func(t *T) { var m map[string]int; m["x"]++ }, Failed, "internal error", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runOne(tc.run)
			if res.Verdict != tc.want || !strings.HasPrefix(res.Reason, tc.reason) || len(res.Checks) != tc.checks {
				t.Fatalf("got %s %q with %d checks %v; want %s %q with %d", res.Verdict, res.Reason, len(res.Checks), res.Checks, tc.want, tc.reason, tc.checks)
			}
		})
	}
}

func TestReportText(t *testing.T) {
	rep := Report{Modules: []ModuleResult{
		{Name: "oidcc-server", Verdict: Passed},
		{Name: "oidcc-userinfo-post-body", Verdict: Warning, Reason: "userinfo with the access token in the body: HTTP 400"},
		{Name: "oidcc-codereuse", Verdict: Failed, Reason: "reused code: HTTP 400: HTTP 200\nwith a newline"},
		{Name: "oidcc-idtoken-unsigned", Verdict: Skipped, Reason: "'none' is not advertised"},
	}}
	got := rep.Text()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want 5 lines, got %q", got)
	}
	for i, m := range rep.Modules {
		f := strings.Fields(lines[i])
		if len(f) < 2 || f[0] != m.Name || f[1] != string(m.Verdict) {
			t.Fatalf("line %d: %q", i, lines[i])
		}
	}
	if !strings.HasSuffix(lines[2], "reused code: HTTP 400: HTTP 200 with a newline") {
		t.Fatalf("reason not on one line: %q", lines[2])
	}
	if lines[4] != "2 passed, 1 failed, 1 skipped" {
		t.Fatalf("closing line %q", lines[4])
	}
	if rep.OK() {
		t.Fatal("a failed module makes the report not OK")
	}
}

func TestModuleFilter(t *testing.T) {
	count := func(filter ...string) int {
		n := 0
		for _, m := range Modules() {
			if selected(m.Name, filter) {
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

func TestParseForms(t *testing.T) {
	body := `<html><body>
<form method="post" action="/login" autocomplete="on">
<input type="hidden" name="authRequestID" value="id&amp;1">
<input type='hidden' name='csrf' value='tok'>
<input type="text" id="login" name="login" value="&#43;79990000005" required autofocus>
<input type="password" id="password" name="password" required>
<input type=checkbox name=remember>
<input type=checkbox name=terms checked>
<button type="submit">Войти</button>
</form>
<FORM METHOD=POST ACTION="/login/consent"><input type="hidden" name="csrf" value="c2">
<button type="submit" name="decision" value="allow" id="grantAuthorization">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></FORM>`
	forms := parseForms(body)
	if len(forms) != 2 {
		t.Fatalf("%d forms", len(forms))
	}
	login := forms[0]
	if login.Method != "POST" || login.Action != "/login" || !login.Names["login"] || !login.Names["password"] {
		t.Fatalf("login form %+v", login)
	}
	v := login.values(map[string]string{"login": "u", "password": "p"})
	if v.Get("authRequestID") != "id&1" || v.Get("csrf") != "tok" || v.Get("login") != "u" || v.Get("password") != "p" ||
		v.Has("remember") || v.Get("terms") != "on" {
		t.Fatalf("values %v", v)
	}
	if login.fieldValue("login") != "+79990000005" {
		t.Fatalf("prefill %q", login.fieldValue("login"))
	}
	consent := forms[1]
	if consent.Method != "POST" || consent.Action != "/login/consent" || !consent.Names["decision"] || len(consent.Submit) != 2 {
		t.Fatalf("consent form %+v", consent)
	}
}
