package conformance

import (
	"context"
	"time"

	"github.com/esia-emulator/esia-emulator/conformance/internal/plans/basic"
	configplan "github.com/esia-emulator/esia-emulator/conformance/internal/plans/config"
	"github.com/esia-emulator/esia-emulator/conformance/internal/plans/logout"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
	"github.com/esia-emulator/esia-emulator/conformance/report"
)

// The run's configuration (defined with the module framework in internal/suite).
type (
	// Options configure a run. Issuer, Client, PostClient, Login and Password are required.
	Options = suite.Options
	// Client is a statically registered relying party the suite plays.
	Client = suite.Client
	// Form describes the provider's login and consent pages to the suite's browser.
	Form = suite.Form
	// ModuleInfo names a module and the plan it belongs to.
	ModuleInfo = suite.ModuleInfo
)

// Plans, named as the OpenID Foundation names them.
const (
	PlanConfig      = suite.PlanConfig
	PlanBasic       = suite.PlanBasic
	PlanLogout      = suite.PlanLogout
	PlanBackchannel = suite.PlanBackchannel
)

// The results of a run (package report).
type (
	Report       = report.Report
	ModuleResult = report.ModuleResult
	Check        = report.Check
	Verdict      = report.Verdict
	Outcome      = report.Outcome
)

// Module verdicts and check outcomes (package report).
const (
	Passed      = report.Passed
	Warning     = report.Warning
	Failed      = report.Failed
	Skipped     = report.Skipped
	OutcomePass = report.OutcomePass
	OutcomeWarn = report.OutcomeWarn
	OutcomeFail = report.OutcomeFail
	OutcomeInfo = report.OutcomeInfo
)

// allModules lists every module of every plan in run order.
func allModules() []suite.Module {
	var all []suite.Module
	all = append(all, configplan.Modules()...)
	all = append(all, basic.Modules()...)
	all = append(all, logout.Modules()...)
	all = append(all, logout.BackchannelModules()...)
	return all
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

// Run executes the selected modules against the issuer, one after the other, and returns the
// report. It never returns early: a module that cannot run is FAILED (or SKIPPED) with the
// reason, and configuration errors fail every selected module.
func Run(ctx context.Context, opts Options) Report {
	start := time.Now()
	rep := Report{Issuer: opts.Issuer, Started: start, Modules: []ModuleResult{}}
	o, err := opts.WithDefaults()
	mods := allModules()
	if err != nil {
		for _, m := range mods {
			if suite.Selected(m.Name, opts.Modules) {
				rep.Modules = append(rep.Modules, ModuleResult{Name: m.Name, Plan: m.Plan, Verdict: Failed, Reason: err.Error(),
					Checks: []Check{{Name: "options", Outcome: OutcomeFail, Detail: err.Error()}}})
			}
		}
		rep.Duration = time.Since(start)
		return rep
	}
	s := suite.New(o)
	s.Load(ctx)
	for _, m := range mods {
		if !suite.Selected(m.Name, o.Modules) {
			continue
		}
		res := s.RunModule(ctx, m)
		rep.Modules = append(rep.Modules, res)
		if o.Progress != nil {
			o.Progress(res)
		}
	}
	rep.Duration = time.Since(start)
	return rep
}
