// Package conformance re-implements, in Go, the OpenID Foundation conformance modules of the
// Config OP, Basic OP and RP-initiated logout OP plans (and the back-channel logout discovery
// check), under their official names, against any issuer URL.
//
// The official suite (Java, MongoDB, a browser and a human uploading screenshots) cannot run
// on the machines this project is built on. This package plays its part mechanically:
//
//   - a browser-less user agent (package browser: a cookie jar, redirects followed while they
//     stay on the provider, login and consent forms found by their field names and submitted
//     with the clicked button, as a browser does) logs in as a test citizen;
//   - the suite never serves a redirect URI: it stops at the provider's redirect to the client
//     and reads the Location;
//   - where the official suite asks a human, the verdict is mechanical: an error page is a 4xx
//     without a redirect to the bad URI; a re-login means a login form was shown; a silent
//     login means none was;
//   - ID tokens are verified as a relying party must (signature against the JWKS by kid, iss,
//     aud/azp, exp, iat, nonce, at_hash and c_hash when present);
//   - time is injectable (Options.Now, Options.Sleep), so oidcc-codereuse-30seconds and
//     oidcc-max-age-1 move a test clock instead of waiting.
//
// Run returns a Report: one ModuleResult per module (PASSED, WARNING, FAILED or SKIPPED with a
// reason, and every check it made), printable as text (Report.WriteText) or JSON
// (Report.WriteJSON). cmd/esia-emulator's "conformance" command is the CLI; this package's
// tests serve the emulator in-process over TLS and require every module to pass.
//
// Layout: this package is the public API (Options, Run, Modules, and the report types
// re-exported from conformance/report). internal/suite is the module framework (T, the
// checks and verdicts, discovery and JWKS loading); internal/rp is the relying party the
// suite plays (authorization requests through the browser, code exchange, userinfo, ID
// token validation); internal/plans/config, basic and logout hold the modules of each plan.
package conformance
