package suite

import (
	"context"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/conformance/report"
)

// runOne runs a module body through the module runner.
func runOne(run func(t *T)) report.ModuleResult {
	s := New(&Options{Issuer: "https://op.example", Sleep: realSleep})
	return s.RunModule(context.Background(), Module{ModuleInfo: ModuleInfo{Name: "m", Plan: PlanBasic}, Run: run})
}

func TestModuleRunner(t *testing.T) {
	for _, tc := range []struct {
		name   string
		run    func(t *T)
		want   report.Verdict
		reason string
		checks int
	}{
		{"checks pass", func(t *T) { t.Check("a", true, "ok"); t.Warn("b", true, "ok") }, report.Passed, "", 2},
		{"a failing check fails but the module goes on", func(t *T) {
			t.Check("a", false, "x=%d", 1)
			t.Check("b", true, "")
		}, report.Failed, "a: x=1", 2},
		{"Require stops at the first failure", func(t *T) {
			t.Require("a", false, "stop here")
			t.Check("never", true, "")
		}, report.Failed, "a: stop here", 1},
		{"Fatal stops", func(t *T) { t.Fatal("f", "gone"); t.Check("never", true, "") }, report.Failed, "f: gone", 1},
		{"a warning", func(t *T) { t.Warn("w", false, "hmm") }, report.Warning, "w: hmm", 1},
		{"Skip", func(t *T) { t.Check("a", true, ""); t.Skip("no %s", "support") }, report.Skipped, "no support", 1},
		{"Pass with a note", func(t *T) { t.Pass("rejected as unsupported"); t.Check("never", false, "") }, report.Passed, "rejected as unsupported", 0},
		{"a note does not hide a warning", func(t *T) { t.Note("fine"); t.Warn("w", false, "hmm") }, report.Warning, "w: hmm", 1},
		{"a panic is an internal error", func(t *T) { panic("a bug in a module") }, report.Failed, "internal error", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runOne(tc.run)
			if res.Verdict != tc.want || !strings.HasPrefix(res.Reason, tc.reason) || len(res.Checks) != tc.checks {
				t.Fatalf("got %s %q with %d checks %v; want %s %q with %d", res.Verdict, res.Reason, len(res.Checks), res.Checks, tc.want, tc.reason, tc.checks)
			}
		})
	}
}
