// Package report holds the results of a conformance run: one ModuleResult per module with
// its Verdict (PASSED, WARNING, FAILED, SKIPPED, as the OpenID Foundation's suite names them)
// and every Check it made, printable as text or JSON.
//
// The conformance package produces a Report (conformance.Run) and re-exports these types;
// cmd/esia-emulator's "conformance" command prints it. It mounts no routes.
package report
