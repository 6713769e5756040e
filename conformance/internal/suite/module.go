package suite

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/conformance/report"
)

// Plans, named as the OpenID Foundation names them.
const (
	PlanConfig      = "oidcc-config-certification-test-plan"
	PlanBasic       = "oidcc-basic-certification-test-plan"
	PlanLogout      = "oidcc-rp-initiated-logout-certification-test-plan"
	PlanBackchannel = "oidcc-backchannel-rp-initiated-logout-certification-test-plan"
)

// ModuleInfo names a module and the plan it belongs to.
type ModuleInfo struct {
	Name    string `json:"name"`
	Plan    string `json:"plan"`
	Summary string `json:"summary"`
}

// Module is a module and the body that runs it.
type Module struct {
	ModuleInfo
	Run func(t *T)
}

// Selected reports whether a module name matches the filter (exact names or prefixes).
func Selected(name string, filter []string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		f = strings.TrimSpace(f)
		if f != "" && (name == f || strings.HasPrefix(name, f)) {
			return true
		}
	}
	return false
}

// T is a running module: it records checks and can stop the module early.
type T struct {
	Ctx    context.Context // the run's context: every request of the module uses it
	S      *Suite
	name   string
	checks []report.Check
	skip   string
	note   string
}

// stop unwinds a module after Fatal, Skip or Pass.
type stop struct{}

func (t *T) record(name string, o report.Outcome, format string, a ...any) {
	detail := format
	if len(a) > 0 {
		detail = fmt.Sprintf(format, a...)
	}
	t.checks = append(t.checks, report.Check{Name: name, Outcome: o, Detail: detail})
}

// Check records a check that fails the module when !ok, and returns ok.
func (t *T) Check(name string, ok bool, format string, a ...any) bool {
	o := report.OutcomePass
	if !ok {
		o = report.OutcomeFail
	}
	t.record(name, o, format, a...)
	return ok
}

// Warn records a check that only warns when !ok, and returns ok.
func (t *T) Warn(name string, ok bool, format string, a ...any) bool {
	o := report.OutcomePass
	if !ok {
		o = report.OutcomeWarn
	}
	t.record(name, o, format, a...)
	return ok
}

// Info records an observation.
func (t *T) Info(name, format string, a ...any) { t.record(name, report.OutcomeInfo, format, a...) }

// Require is Check that stops the module when !ok.
func (t *T) Require(name string, ok bool, format string, a ...any) {
	if !t.Check(name, ok, format, a...) {
		panic(stop{})
	}
}

// Fatal records a failed check and stops the module.
func (t *T) Fatal(name, format string, a ...any) {
	t.record(name, report.OutcomeFail, format, a...)
	panic(stop{})
}

// Skip stops the module as SKIPPED (unless a check already failed).
func (t *T) Skip(format string, a ...any) {
	t.skip = fmt.Sprintf(format, a...)
	panic(stop{})
}

// Pass stops the module early; note becomes the reason shown for a PASSED verdict.
func (t *T) Pass(format string, a ...any) {
	t.note = fmt.Sprintf(format, a...)
	panic(stop{})
}

// Note sets the reason shown when the module passes.
func (t *T) Note(format string, a ...any) { t.note = fmt.Sprintf(format, a...) }

// Sleep lets time pass through the injected hook.
func (t *T) Sleep(d time.Duration) {
	if err := t.S.O.Sleep(t.Ctx, d); err != nil {
		t.Fatal("wait", "waiting %s: %v", d, err)
	}
}

// RunModule runs one module and returns its result; a panic other than the stop of
// Fatal, Require, Skip or Pass is an internal error of the module.
func (s *Suite) RunModule(ctx context.Context, m Module) (res report.ModuleResult) {
	start := time.Now()
	t := &T{Ctx: ctx, S: s, name: m.Name}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stop); !ok {
				t.record("internal error", report.OutcomeFail, "panic: %v\n%s", r, debug.Stack())
			}
		}
		res = report.ModuleResult{Name: m.Name, Plan: m.Plan, Checks: t.checks, Duration: time.Since(start)}
		res.Verdict, res.Reason = report.VerdictOf(t.checks, t.skip)
		if res.Verdict == report.Passed && t.note != "" {
			res.Reason = t.note
		}
		if res.Checks == nil {
			res.Checks = []report.Check{}
		}
	}()
	if err := ctx.Err(); err != nil {
		t.Fatal("run", "cancelled: %v", err)
	}
	m.Run(t)
	return res
}
