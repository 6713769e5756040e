package flow

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

// step is what the login flow does next.
type step int

const (
	stepLogin        step = iota + 1 // show the login form
	stepConsent                      // ask the citizen to grant the scopes
	stepLevelLow                     // explain how to raise the account level; the RP gets access_denied
	stepSuspended                    // the account is suspended: tell the citizen, no login
	stepSecondFactor                 // ask for the second factor (SMS or authenticator code)
	stepDone                         // issue the code
	stepFailRP                       // answer the relying party with an OAuth error (decision.err)
	stepBadRequest                   // the request cannot go back to the RP: show an error page
	stepNotice                       // the account needs confirmation: say so (with the deadline), then go on
	stepRoleChoice                   // ask whom the person logs in as (rolechoice.go)
)

// flowState is everything the next step depends on. It is built from the stored request,
// the browser's session and the citizen's account, so the decision itself is pure.
type flowState struct {
	Now           time.Time
	Prompt        []string
	MaxAge        *int64
	HintSubject   string // subject of a valid id_token_hint
	Authenticated bool   // the citizen completed the login (all factors) during this request
	FirstFactor   bool   // the password was right in this request; a second factor is pending
	// SecondFactorNeeded: the citizen asks for a code at every login, or the request demands
	// two factors (acr_values); SecondFactorDone: the login (this request's or the session's)
	// had two; SecondFactorAvailable: the citizen has a way to give one.
	SecondFactorNeeded, SecondFactorDone, SecondFactorAvailable bool
	PKCERequired                                                bool
	CodeChallenge                                               string
	ChallengeMeth                                               string
	ClaimsInvalid                                               bool // the claims parameter is not a JSON object of the right shape

	HasSession      bool
	SessionUser     string
	SessionAuthTime time.Time

	UserLevel  storage.Level
	UserStatus storage.Status
	MinLevel   storage.Level
	// NoticeSeen: the needs-confirmation notice was shown in this request and the citizen went on.
	NoticeSeen bool

	// Consent is the consent package's decision for the citizen and client (zero before
	// the citizen is known).
	Consent consent.Decision
	// RoleChoice: the person has organisation roles the request offers and has not chosen
	// whom they log in as (rolechoice.go).
	RoleChoice bool
}

type decision struct {
	step step
	err  string // OAuth error code for stepFailRP
	desc string
}

// nextStep decides the login flow: prompt=none and max_age are decided here and only here.
func nextStep(s flowState) decision {
	if s.PKCERequired && (s.CodeChallenge == "" || s.ChallengeMeth != string(oidc.CodeChallengeMethodS256)) {
		return decision{step: stepFailRP, err: "invalid_request", desc: "PKCE with code_challenge_method=S256 is required for this client"}
	}
	if s.ClaimsInvalid {
		return decision{step: stepFailRP, err: "invalid_request", desc: "the claims parameter is not valid JSON"}
	}
	none := slices.Contains(s.Prompt, oidc.PromptNone)
	if s.FirstFactor && !s.Authenticated {
		if !s.SecondFactorAvailable {
			return decision{step: stepFailRP, err: "access_denied", desc: "a second factor is required but the account has none"}
		}
		return decision{step: stepSecondFactor}
	}
	if !s.Authenticated {
		reason := ""
		switch {
		case !s.HasSession:
			reason = "no session"
		case slices.Contains(s.Prompt, oidc.PromptLogin):
			reason = "prompt=login"
		case s.MaxAge != nil && s.Now.Sub(s.SessionAuthTime) > time.Duration(*s.MaxAge)*time.Second:
			reason = "max_age exceeded"
		case s.HintSubject != "" && s.HintSubject != s.SessionUser:
			reason = "id_token_hint names another citizen"
		}
		if reason != "" {
			if none {
				return decision{step: stepFailRP, err: "login_required", desc: "login required: " + reason}
			}
			return decision{step: stepLogin}
		}
	}
	if s.UserStatus == storage.StatusSuspended {
		if none {
			return decision{step: stepFailRP, err: "access_denied", desc: "the account is suspended"}
		}
		return decision{step: stepSuspended}
	}
	if s.SecondFactorNeeded && !s.SecondFactorDone {
		switch {
		case !s.SecondFactorAvailable:
			return decision{step: stepFailRP, err: "access_denied", desc: "a second factor is required but the account has none"}
		case none:
			return decision{step: stepFailRP, err: "login_required", desc: "login required: a second factor is required"}
		}
		return decision{step: stepSecondFactor}
	}
	// A needs-confirmation account is told so once, right after the login that proved who it
	// is; it does not block the login (prompt=none and SSO go on without it).
	if s.UserStatus == storage.StatusNeedsConfirmation && s.Authenticated && !s.NoticeSeen && !none {
		return decision{step: stepNotice}
	}
	if s.MinLevel != "" && s.UserLevel.Rank() < s.MinLevel.Rank() {
		if none {
			return decision{step: stepFailRP, err: "access_denied", desc: "the account level is below " + string(s.MinLevel)}
		}
		return decision{step: stepLevelLow}
	}
	if s.RoleChoice && !none { // prompt=none: no page; the dialect takes its default
		return decision{step: stepRoleChoice}
	}
	switch s.Consent.Action {
	case consent.Fail:
		return decision{step: stepFailRP, err: s.Consent.Error, desc: s.Consent.Reason}
	case consent.Ask:
		return decision{step: stepConsent}
	}
	return decision{step: stepDone}
}
