package flow

import (
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// The role choice in the pure decision: after login, second factor and level, before
// consent; never with prompt=none.
func TestNextStepRoleChoice(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	in := func(mut func(*flowState)) flowState {
		s := flowState{Now: now, HasSession: true, SessionUser: "1000000003", SessionAuthTime: now,
			UserLevel: storage.LevelConfirmed, UserStatus: storage.StatusActive, RoleChoice: true}
		mut(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		in   flowState
		want step
	}{
		{"pending → role choice", in(func(*flowState) {}), stepRoleChoice},
		{"pending, consent due → role choice first", in(func(s *flowState) { s.Consent.Action = consent.Ask }), stepRoleChoice},
		{"chosen, consent due → consent", in(func(s *flowState) { s.RoleChoice, s.Consent.Action = false, consent.Ask }), stepConsent},
		{"pending, prompt=none → done (the dialect's default)", in(func(s *flowState) { s.Prompt = []string{"none"} }), stepDone},
		{"pending, no session → login", in(func(s *flowState) { s.HasSession = false }), stepLogin},
		{"pending, second factor due → second factor", in(func(s *flowState) { s.SecondFactorNeeded, s.SecondFactorAvailable = true, true }), stepSecondFactor},
		{"pending, level too low → level page", in(func(s *flowState) { s.MinLevel = storage.LevelConfirmed; s.UserLevel = storage.LevelStandard }), stepLevelLow},
		{"pending, suspended → suspended", in(func(s *flowState) { s.UserStatus = storage.StatusSuspended }), stepSuspended},
	} {
		if got := nextStep(tc.in).step; got != tc.want {
			t.Errorf("%s: step %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRolePending(t *testing.T) {
	two := []web.RoleOption{{Value: "P", Private: true}, {Value: "org:1"}}
	for _, tc := range []struct {
		name  string
		extra map[string]string
		opts  []web.RoleOption
		want  bool
	}{
		{"two choices, none made", nil, two, true},
		{"two choices, made", map[string]string{ExtraRole: "org:1"}, two, false},
		{"one choice: made for the person", nil, two[:1], false},
		{"no choices", nil, nil, false},
	} {
		if got := rolePending(storage.AuthRequest{Extra: tc.extra}, tc.opts); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
