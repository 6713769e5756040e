package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Verdict is a module's result, named as the official suite names them.
type Verdict string

// Module verdicts. WARNING counts as passed.
const (
	Passed  Verdict = "PASSED"
	Warning Verdict = "WARNING"
	Failed  Verdict = "FAILED"
	Skipped Verdict = "SKIPPED"
)

// Outcome is the result of one check inside a module.
type Outcome string

// Check outcomes. INFO records an observation that never changes the verdict.
const (
	OutcomePass Outcome = "PASS"
	OutcomeWarn Outcome = "WARNING"
	OutcomeFail Outcome = "FAIL"
	OutcomeInfo Outcome = "INFO"
)

// Check is one assertion a module made.
type Check struct {
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
	Detail  string  `json:"detail,omitempty"`
}

// ModuleResult is the verdict of one module with every check it made.
type ModuleResult struct {
	Name     string        `json:"name"`
	Plan     string        `json:"plan"`
	Verdict  Verdict       `json:"verdict"`
	Reason   string        `json:"reason,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Checks   []Check       `json:"checks"`
}

// Report is the result of a run.
type Report struct {
	Issuer   string         `json:"issuer"`
	Started  time.Time      `json:"started"`
	Duration time.Duration  `json:"duration_ns"`
	Modules  []ModuleResult `json:"modules"`
}

// Counts returns how many modules passed (WARNING included), failed and were skipped.
func (r Report) Counts() (passed, failed, skipped int) {
	for _, m := range r.Modules {
		switch m.Verdict {
		case Passed, Warning:
			passed++
		case Failed:
			failed++
		case Skipped:
			skipped++
		}
	}
	return passed, failed, skipped
}

// OK reports whether no module failed.
func (r Report) OK() bool {
	_, failed, _ := r.Counts()
	return failed == 0
}

// Module returns the result of the named module.
func (r Report) Module(name string) (ModuleResult, bool) {
	for _, m := range r.Modules {
		if m.Name == name {
			return m, true
		}
	}
	return ModuleResult{}, false
}

// WriteText writes one line per module — name, verdict, reason — and the closing line
// "N passed, N failed, N skipped".
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, m := range r.Modules {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, m.Verdict, oneLine(m.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p, f, s := r.Counts()
	_, err := fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", p, f, s)
	return err
}

// Text is WriteText into a string.
func (r Report) Text() string {
	var b strings.Builder
	_ = r.WriteText(&b)
	return b.String()
}

// WriteJSON writes the whole report, every check included, as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// VerdictOf derives a module's verdict from its checks: a failed check fails it, a warning
// makes it WARNING, otherwise it passed. skip, when set, wins unless a check failed.
func VerdictOf(checks []Check, skip string) (Verdict, string) {
	var warn string
	for _, c := range checks {
		switch c.Outcome {
		case OutcomeFail:
			return Failed, describe(c)
		case OutcomeWarn:
			if warn == "" {
				warn = describe(c)
			}
		}
	}
	if skip != "" {
		return Skipped, skip
	}
	if warn != "" {
		return Warning, warn
	}
	return Passed, ""
}

func describe(c Check) string {
	if c.Detail == "" {
		return c.Name
	}
	return c.Name + ": " + c.Detail
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}
