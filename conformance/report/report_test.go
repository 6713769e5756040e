package report

import (
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
			v, r := VerdictOf(tc.checks, tc.skip)
			if v != tc.want || r != tc.reason {
				t.Fatalf("got %s %q, want %s %q", v, r, tc.want, tc.reason)
			}
		})
	}
}

// runOne runs a module body through the module runner.

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
