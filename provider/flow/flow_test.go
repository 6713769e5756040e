package flow

import (
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

func TestNextStep(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	age := func(s int64) *int64 { return &s }
	session := func(s flowState) flowState {
		s.HasSession, s.SessionUser, s.SessionAuthTime = true, "1000000003", now.Add(-10*time.Minute)
		s.UserLevel, s.UserStatus = storage.LevelConfirmed, storage.StatusActive
		return s
	}
	fresh := func(s flowState) flowState {
		s = session(s)
		s.Authenticated, s.SessionAuthTime = true, now
		return s
	}
	for _, tc := range []struct {
		name string
		in   flowState
		want step
		err  string
	}{
		{"no session → login", flowState{}, stepLogin, ""},
		{"no session, prompt=none → login_required", flowState{Prompt: []string{"none"}}, stepFailRP, "login_required"},
		{"session → done (SSO)", session(flowState{}), stepDone, ""},
		{"session, prompt=none → done silently", session(flowState{Prompt: []string{"none"}}), stepDone, ""},
		{"session, prompt=login → login", session(flowState{Prompt: []string{"login"}}), stepLogin, ""},
		{"prompt=login satisfied by this request's login", fresh(flowState{Prompt: []string{"login"}, MaxAge: age(0)}), stepDone, ""},
		{"max_age within → done", session(flowState{MaxAge: age(3600)}), stepDone, ""},
		{"max_age exceeded → login", session(flowState{MaxAge: age(60)}), stepLogin, ""},
		{"max_age exceeded, prompt=none → login_required", session(flowState{MaxAge: age(60), Prompt: []string{"none"}}), stepFailRP, "login_required"},
		{"max_age exactly reached is not exceeded", session(flowState{MaxAge: age(600)}), stepDone, ""},
		{"hint for another citizen → login", session(flowState{HintSubject: "1000000002"}), stepLogin, ""},
		{"hint for another citizen, prompt=none → login_required", session(flowState{HintSubject: "1000000002", Prompt: []string{"none"}}), stepFailRP, "login_required"},
		{"hint for the session's citizen → done", session(flowState{HintSubject: "1000000003"}), stepDone, ""},
		{"consent asked → consent page", fresh(flowState{Consent: consent.Decision{Action: consent.Ask}}), stepConsent, ""},
		{"consent skipped → done", fresh(flowState{Consent: consent.Decision{Action: consent.Skip}}), stepDone, ""},
		{"consent missing, prompt=none → consent_required", session(flowState{Prompt: []string{"none"}, Consent: consent.Decision{Action: consent.Fail, Error: "consent_required"}}), stepFailRP, "consent_required"},
		{"login comes before consent", flowState{Consent: consent.Decision{Action: consent.Ask}}, stepLogin, ""},
		{"the level check comes before consent", func() flowState {
			s := fresh(flowState{MinLevel: storage.LevelConfirmed, Consent: consent.Decision{Action: consent.Ask}})
			s.UserLevel = storage.LevelStandard
			return s
		}(), stepLevelLow, ""},
		{"needs confirmation, fresh login → notice", func() flowState {
			s := fresh(flowState{Consent: consent.Decision{Action: consent.Ask}})
			s.UserStatus = storage.StatusNeedsConfirmation
			return s
		}(), stepNotice, ""},
		{"needs confirmation, notice seen → consent", func() flowState {
			s := fresh(flowState{Consent: consent.Decision{Action: consent.Ask}})
			s.UserStatus, s.NoticeSeen = storage.StatusNeedsConfirmation, true
			return s
		}(), stepConsent, ""},
		{"needs confirmation in SSO → done, no notice", func() flowState {
			s := session(flowState{})
			s.UserStatus = storage.StatusNeedsConfirmation
			return s
		}(), stepDone, ""},
		{"needs confirmation, second factor first", func() flowState {
			s := fresh(flowState{})
			s.UserStatus, s.SecondFactorNeeded, s.SecondFactorAvailable = storage.StatusNeedsConfirmation, true, true
			return s
		}(), stepSecondFactor, ""},
		{"suspended → page", func() flowState { s := fresh(flowState{}); s.UserStatus = storage.StatusSuspended; return s }(), stepSuspended, ""},
		{"suspended in SSO, prompt=none → access_denied", func() flowState {
			s := session(flowState{Prompt: []string{"none"}})
			s.UserStatus = storage.StatusSuspended
			return s
		}(), stepFailRP, "access_denied"},
		{"level below the client's minimum → page", func() flowState {
			s := fresh(flowState{MinLevel: storage.LevelConfirmed})
			s.UserLevel = storage.LevelStandard
			return s
		}(), stepLevelLow, ""},
		{"level below, prompt=none → access_denied", func() flowState {
			s := session(flowState{MinLevel: storage.LevelConfirmed, Prompt: []string{"none"}})
			s.UserLevel = storage.LevelSimplified
			return s
		}(), stepFailRP, "access_denied"},
		{"level enough → done", fresh(flowState{MinLevel: storage.LevelStandard}), stepDone, ""},
		{"PKCE required and missing → invalid_request", flowState{PKCERequired: true}, stepFailRP, "invalid_request"},
		{"PKCE required, plain method → invalid_request", flowState{PKCERequired: true, CodeChallenge: "x", ChallengeMeth: "plain"}, stepFailRP, "invalid_request"},
		{"PKCE required and S256 → login", flowState{PKCERequired: true, CodeChallenge: "x", ChallengeMeth: "S256"}, stepLogin, ""},
		// The second factor.
		{"password right, second factor pending → code page", func() flowState {
			s := flowState{FirstFactor: true, SecondFactorNeeded: true, SecondFactorAvailable: true}
			return s
		}(), stepSecondFactor, ""},
		{"password right, second factor needed but none available → access_denied",
			flowState{FirstFactor: true, SecondFactorNeeded: true}, stepFailRP, "access_denied"},
		{"second factor pending comes before the level check", func() flowState {
			s := flowState{FirstFactor: true, SecondFactorNeeded: true, SecondFactorAvailable: true, MinLevel: storage.LevelConfirmed}
			s.UserLevel = storage.LevelSimplified
			return s
		}(), stepSecondFactor, ""},
		{"both factors given in this request → done", func() flowState {
			s := fresh(flowState{SecondFactorNeeded: true, SecondFactorAvailable: true})
			s.SecondFactorDone = true
			return s
		}(), stepDone, ""},
		{"SSO session with one factor, two demanded (acr) → code page", session(flowState{SecondFactorNeeded: true, SecondFactorAvailable: true}), stepSecondFactor, ""},
		{"SSO session with one factor, two demanded, prompt=none → login_required",
			session(flowState{SecondFactorNeeded: true, SecondFactorAvailable: true, Prompt: []string{"none"}}), stepFailRP, "login_required"},
		{"SSO session with one factor, two demanded, none available → access_denied",
			session(flowState{SecondFactorNeeded: true}), stepFailRP, "access_denied"},
		{"SSO session with two factors, two demanded → done", func() flowState {
			s := session(flowState{SecondFactorNeeded: true, SecondFactorAvailable: true})
			s.SecondFactorDone = true
			return s
		}(), stepDone, ""},
		{"suspended is told before the second factor is asked", func() flowState {
			s := session(flowState{SecondFactorNeeded: true, SecondFactorAvailable: true})
			s.UserStatus = storage.StatusSuspended
			return s
		}(), stepSuspended, ""},
		{"second factor comes before consent", session(flowState{SecondFactorNeeded: true, SecondFactorAvailable: true,
			Consent: consent.Decision{Action: consent.Ask}}), stepSecondFactor, ""},
	} {
		tc.in.Now = now
		got := nextStep(tc.in)
		if got.step != tc.want || got.err != tc.err {
			t.Errorf("%s: got step %d err %q, want step %d err %q", tc.name, got.step, got.err, tc.want, tc.err)
		}
	}
}

func TestNextStepRefusesAMalformedClaimsParameter(t *testing.T) {
	if d := nextStep(flowState{ClaimsInvalid: true}); d.step != stepFailRP || d.err != "invalid_request" {
		t.Fatalf("%+v", d)
	}
}
