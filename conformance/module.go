package conformance

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
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

type module struct {
	ModuleInfo
	run func(t *T)
}

// Modules lists every module in run order.
func Modules() []ModuleInfo {
	all := allModules()
	out := make([]ModuleInfo, 0, len(all))
	for _, m := range all {
		out = append(out, m.ModuleInfo)
	}
	return out
}

func allModules() []module {
	var all []module
	all = append(all, configModules()...)
	all = append(all, basicModules()...)
	all = append(all, logoutModules()...)
	all = append(all, backchannelModules()...)
	return all
}

// selected reports whether a module name matches the filter (exact names or prefixes).
func selected(name string, filter []string) bool {
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
	ctx    context.Context
	s      *suite
	name   string
	checks []Check
	skip   string
	note   string
}

// stop unwinds a module after Fatal, Skip or Pass.
type stop struct{}

func (t *T) record(name string, o Outcome, format string, a ...any) {
	detail := format
	if len(a) > 0 {
		detail = fmt.Sprintf(format, a...)
	}
	t.checks = append(t.checks, Check{Name: name, Outcome: o, Detail: detail})
}

// Check records a check that fails the module when !ok, and returns ok.
func (t *T) Check(name string, ok bool, format string, a ...any) bool {
	o := OutcomePass
	if !ok {
		o = OutcomeFail
	}
	t.record(name, o, format, a...)
	return ok
}

// Warn records a check that only warns when !ok, and returns ok.
func (t *T) Warn(name string, ok bool, format string, a ...any) bool {
	o := OutcomePass
	if !ok {
		o = OutcomeWarn
	}
	t.record(name, o, format, a...)
	return ok
}

// Info records an observation.
func (t *T) Info(name, format string, a ...any) { t.record(name, OutcomeInfo, format, a...) }

// Require is Check that stops the module when !ok.
func (t *T) Require(name string, ok bool, format string, a ...any) {
	if !t.Check(name, ok, format, a...) {
		panic(stop{})
	}
}

// Fatal records a failed check and stops the module.
func (t *T) Fatal(name, format string, a ...any) {
	t.record(name, OutcomeFail, format, a...)
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
	if err := t.s.o.Sleep(t.ctx, d); err != nil {
		t.Fatal("wait", "waiting %s: %v", d, err)
	}
}

func (s *suite) runModule(ctx context.Context, m module) (res ModuleResult) {
	start := time.Now()
	t := &T{ctx: ctx, s: s, name: m.Name}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stop); !ok {
				t.record("internal error", OutcomeFail, "panic: %v\n%s", r, debug.Stack())
			}
		}
		res = ModuleResult{Name: m.Name, Plan: m.Plan, Checks: t.checks, Duration: time.Since(start)}
		res.Verdict, res.Reason = verdictOf(t.checks, t.skip)
		if res.Verdict == Passed && t.note != "" {
			res.Reason = t.note
		}
		if res.Checks == nil {
			res.Checks = []Check{}
		}
	}()
	if err := ctx.Err(); err != nil {
		t.Fatal("run", "cancelled: %v", err)
	}
	m.run(t)
	return res
}
