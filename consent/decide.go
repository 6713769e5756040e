package consent

import (
	"slices"
	"strings"
)

// Prompt values Decide reads.
const (
	PromptNone    = "none"
	PromptConsent = "consent"
)

// Input is everything the consent decision depends on.
type Input struct {
	// Requested are the request's scopes after Validate.
	Requested []string
	// Required are the client's required scopes (configuration): shown without a checkbox;
	// the citizen accepts them or denies the whole request. Required scopes that were not
	// requested are ignored.
	Required []string
	// Granted are the citizen's live grants for this client (Grants.Granted → Scopes).
	Granted []string
	// Prompt is the request's prompt values.
	Prompt []string
	// FirstParty: the client is the platform's own service; no consent page, ever.
	FirstParty bool
	// Answered: the citizen answered the consent page during this request.
	Answered bool
}

// Optional returns the requested scopes the citizen may untick: everything requested that is
// neither required nor openid, in request order.
func (in Input) Optional() []string {
	var out []string
	for _, s := range in.Requested {
		if s != OpenID && !slices.Contains(in.Required, s) {
			out = append(out, s)
		}
	}
	return out
}

// Action is what the consent step does.
type Action int

const (
	// Skip: no page; the authorization carries Decision.Scopes.
	Skip Action = iota + 1
	// Ask: show the consent page with Decision.Items.
	Ask
	// Fail: answer the relying party with Decision.Error.
	Fail
)

func (a Action) String() string {
	switch a {
	case Skip:
		return "skip"
	case Ask:
		return "ask"
	case Fail:
		return "fail"
	}
	return "unknown"
}

// Item is one line of the consent page.
type Item struct {
	Scope string // as requested (an organisation URL keeps its org_oid); describe with Text
	// Required: no checkbox; accepted with the page.
	Required bool
	// Granted: the citizen granted it before. Outside prompt=consent such lines are only
	// listed ("уже разрешено"), without a checkbox.
	Granted bool
	// Editable: shown with a checkbox (ticked by default). Optional scopes not yet granted,
	// and with prompt=consent also optional scopes granted before (unticking withdraws them).
	Editable bool
}

// Decision is the outcome of Decide.
type Decision struct {
	Action Action
	// Error is the OAuth error for Fail: "consent_required".
	Error string
	// Reason says why, for logs and error_description.
	Reason string
	// Scopes (Skip) are the scopes the authorization carries: the requested scopes that are
	// granted, plus openid; a first-party client gets everything requested.
	Scopes []string
	// Items (Ask) are the requested scopes except openid, in request order.
	Items []Item
}

// Decide is the consent step, a pure function. Rules, in order:
//
//  1. A first-party client skips with every requested scope (even with prompt=consent: it
//     is the platform's own service, there is no third party to consent to).
//  2. Answered: the citizen answered the page in this request; skip with what is granted
//     now (the provider stores the answer with Apply before dispatching again).
//  3. prompt=consent asks about every requested scope, granted ones included and editable;
//     with prompt=none as well it fails with consent_required (the engine normally refuses
//     none combined with another value before this).
//  4. openid needs no consent: it only identifies the account. Every other scope —
//     offline_access included, since it lets the service act while the citizen is away —
//     needs a live grant. If all have one, skip.
//  5. prompt=none with something missing fails with consent_required.
//  6. Otherwise ask: the missing scopes with checkboxes (required ones without), the granted
//     ones listed as granted.
func Decide(in Input) Decision {
	none := slices.Contains(in.Prompt, PromptNone)
	promptConsent := slices.Contains(in.Prompt, PromptConsent)
	if in.FirstParty {
		return Decision{Action: Skip, Reason: "first-party client", Scopes: slices.Clone(in.Requested)}
	}
	if in.Answered {
		return Decision{Action: Skip, Reason: "answered in this request", Scopes: carried(in.Requested, in.Granted)}
	}
	if promptConsent {
		if none {
			return Decision{Action: Fail, Error: "consent_required", Reason: "prompt=consent cannot be shown with prompt=none"}
		}
		return Decision{Action: Ask, Reason: "prompt=consent", Items: items(in, true)}
	}
	var missing []string
	for _, s := range in.Requested {
		if s != OpenID && !slices.Contains(in.Granted, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return Decision{Action: Skip, Reason: "already granted", Scopes: carried(in.Requested, in.Granted)}
	}
	if none {
		return Decision{Action: Fail, Error: "consent_required", Reason: "consent required for: " + strings.Join(missing, " ")}
	}
	return Decision{Action: Ask, Reason: "consent required for: " + strings.Join(missing, " "), Items: items(in, false)}
}

func items(in Input, promptConsent bool) []Item {
	var out []Item
	for _, s := range in.Requested {
		if s == OpenID {
			continue
		}
		it := Item{Scope: s, Required: slices.Contains(in.Required, s), Granted: slices.Contains(in.Granted, s)}
		it.Editable = !it.Required && (!it.Granted || promptConsent)
		out = append(out, it)
	}
	return out
}

// carried is requested ∩ (granted ∪ {openid}), in request order.
func carried(requested, granted []string) []string {
	out := []string{}
	for _, s := range requested {
		if s == OpenID || slices.Contains(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

// Outcome is what an approved consent page changes.
type Outcome struct {
	// Grant: scopes to store with Grants.Grant — required ones, and editable ones the
	// citizen left ticked (re-granting renews an expiry).
	Grant []string
	// Revoke: scopes granted before that the citizen unticked (only possible with
	// prompt=consent); withdraw them with Grants.WithdrawScope.
	Revoke []string
	// Scopes the authorization carries: openid if requested, plus every requested scope
	// granted after this answer. offline_access absent here means no refresh token.
	Scopes []string
}

// Apply turns the citizen's approval into grant changes. approved are the scopes whose boxes
// were ticked in the submitted form; boxes that were not on the page (required, listed-only)
// are ignored, so a forged form can neither drop a required scope nor add a scope that was
// not asked. Denial is not an Apply: the provider answers access_denied. Apply recomputes
// Decide(in) and returns an empty Outcome unless it asks.
func Apply(in Input, approved []string) Outcome {
	d := Decide(in)
	if d.Action != Ask {
		return Outcome{}
	}
	var o Outcome
	after := map[string]bool{}
	for _, s := range in.Granted {
		after[s] = true
	}
	for _, it := range d.Items {
		ticked := slices.Contains(approved, it.Scope)
		switch {
		case it.Required, it.Editable && ticked:
			o.Grant = append(o.Grant, it.Scope)
			after[it.Scope] = true
		case it.Editable && it.Granted && !ticked:
			o.Revoke = append(o.Revoke, it.Scope)
			delete(after, it.Scope)
		}
	}
	o.Scopes = []string{}
	for _, s := range in.Requested {
		if s == OpenID || after[s] {
			o.Scopes = append(o.Scopes, s)
		}
	}
	return o
}
