package esia

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
)

// secretResult is a client_secret check (package clientsecret) in the dialect's terms: a
// refusal is an ESIA error. The token endpoint adds its own findings (verifySecret) before
// the result is reported.
type secretResult struct {
	Mode     string
	Method   string   // how the signature matched
	Oddities []string // what deviated from the MR but was accepted (lenient mode)
	Err      *Error   // nil: accepted
}

func (r *secretResult) odd(format string, a ...any) {
	r.Oddities = append(r.Oddities, fmt.Sprintf(format, a...))
}

func (r *secretResult) fail(e *Error, detail string, a ...any) {
	r.Err = e.with(detail, a...)
}

// checkSecret verifies client_secret (and client_certificate_hash on v2/v3) for cl. Presence of
// the parameters is checked by the caller before.
func checkSecret(cl *esiaClient, in clientsecret.Input, now time.Time) secretResult {
	res := cl.secret.Check(in, now)
	out := secretResult{Mode: res.Mode, Method: res.Method, Oddities: res.Oddities}
	if r := res.Refusal; r != nil {
		e := errSecretWrong()
		if r.Reason == clientsecret.NoCertificate {
			e = errNoCertificate()
		}
		out.fail(e, "%s", r.Detail)
	}
	return out
}

// report logs a client_secret check and records it for the diagnostics page.
func (d *Dialect) report(r *http.Request, clientID, endpoint string, res secretResult) {
	e := clientsecret.Entry{Time: d.now(), ClientID: clientID, Endpoint: endpoint, Mode: res.Mode, Accepted: res.Err == nil,
		Method: res.Method, Oddities: slices.Clone(res.Oddities)}
	ctx := r.Context()
	switch {
	case res.Err != nil:
		e.Error = res.Err.Error()
		d.log.InfoContext(ctx, "esia: client_secret refused", "client_id", clientID, "endpoint", endpoint, "mode", res.Mode, "err", e.Error, "oddities", res.Oddities)
	case len(res.Oddities) > 0:
		d.log.WarnContext(ctx, "esia: client_secret accepted with oddities", "client_id", clientID, "endpoint", endpoint, "method", res.Method, "oddities", res.Oddities)
	default:
		d.log.DebugContext(ctx, "esia: client_secret accepted", "client_id", clientID, "endpoint", endpoint, "method", res.Method)
	}
	d.diag.Add(e)
}
