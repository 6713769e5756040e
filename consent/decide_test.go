package consent

import (
	"slices"
	"testing"
)

func TestDecide(t *testing.T) {
	req := []string{"openid", "fullname", "snils", "email"}
	tests := []struct {
		name   string
		in     Input
		action Action
		err    string
		scopes []string // Skip
		items  []Item   // Ask
	}{
		{"first login asks for everything but openid",
			Input{Requested: req, Required: []string{"fullname"}}, Ask, "", nil,
			[]Item{{Scope: "fullname", Required: true}, {Scope: "snils", Editable: true}, {Scope: "email", Editable: true}}},
		{"second login with everything granted skips",
			Input{Requested: req, Granted: []string{"fullname", "snils", "email"}}, Skip, "", req, nil},
		{"only openid needs no consent",
			Input{Requested: []string{"openid"}}, Skip, "", []string{"openid"}, nil},
		{"only openid with prompt=none skips",
			Input{Requested: []string{"openid"}, Prompt: []string{"none"}}, Skip, "", []string{"openid"}, nil},
		{"a new scope asks again, granted ones listed as granted",
			Input{Requested: req, Required: []string{"fullname"}, Granted: []string{"fullname", "snils"}}, Ask, "", nil,
			[]Item{{Scope: "fullname", Required: true, Granted: true}, {Scope: "snils", Granted: true}, {Scope: "email", Editable: true}}},
		{"a previously unticked optional scope asks again",
			Input{Requested: req, Granted: []string{"fullname", "snils"}}, Ask, "", nil,
			[]Item{{Scope: "fullname", Granted: true}, {Scope: "snils", Granted: true}, {Scope: "email", Editable: true}}},
		{"grants for fewer scopes than requested only carry the granted ones when answered",
			Input{Requested: req, Granted: []string{"fullname"}, Answered: true}, Skip, "", []string{"openid", "fullname"}, nil},
		{"prompt=none without consent fails",
			Input{Requested: req, Granted: []string{"fullname"}, Prompt: []string{"none"}}, Fail, "consent_required", nil, nil},
		{"prompt=none with consent skips",
			Input{Requested: req, Granted: []string{"fullname", "snils", "email", "inn"}, Prompt: []string{"none"}}, Skip, "", req, nil},
		{"prompt=consent asks even when granted, granted optional ones editable",
			Input{Requested: req, Required: []string{"fullname"}, Granted: []string{"fullname", "snils", "email"}, Prompt: []string{"consent"}}, Ask, "", nil,
			[]Item{{Scope: "fullname", Required: true, Granted: true}, {Scope: "snils", Granted: true, Editable: true}, {Scope: "email", Granted: true, Editable: true}}},
		{"prompt=consent with only openid still asks",
			Input{Requested: []string{"openid"}, Prompt: []string{"consent"}}, Ask, "", nil, nil},
		{"prompt=consent answered skips",
			Input{Requested: req, Granted: []string{"fullname", "snils", "email"}, Prompt: []string{"consent"}, Answered: true}, Skip, "", req, nil},
		{"prompt=consent and none fails",
			Input{Requested: req, Granted: []string{"fullname", "snils", "email"}, Prompt: []string{"none", "consent"}}, Fail, "consent_required", nil, nil},
		{"prompt=login does not affect consent",
			Input{Requested: req, Granted: []string{"fullname", "snils", "email"}, Prompt: []string{"login"}}, Skip, "", req, nil},
		{"first-party skips with everything requested",
			Input{Requested: req, FirstParty: true}, Skip, "", req, nil},
		{"first-party skips prompt=consent",
			Input{Requested: req, FirstParty: true, Prompt: []string{"consent"}}, Skip, "", req, nil},
		{"first-party with prompt=none skips",
			Input{Requested: req, FirstParty: true, Prompt: []string{"none"}}, Skip, "", req, nil},
		{"offline_access needs consent",
			Input{Requested: []string{"openid", "fullname", "offline_access"}, Granted: []string{"fullname"}}, Ask, "", nil,
			[]Item{{Scope: "fullname", Granted: true}, {Scope: "offline_access", Editable: true}}},
		{"required scope not requested is ignored",
			Input{Requested: []string{"openid", "email"}, Required: []string{"snils"}}, Ask, "", nil,
			[]Item{{Scope: "email", Editable: true}}},
		{"expired grant (absent from Granted) asks again",
			Input{Requested: []string{"openid", "email"}, Granted: nil}, Ask, "", nil,
			[]Item{{Scope: "email", Editable: true}}},
		{"answered with nothing granted carries openid only",
			Input{Requested: req, Answered: true}, Skip, "", []string{"openid"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.in)
			if d.Action != tt.action || d.Error != tt.err {
				t.Fatalf("Decide = %v %q (%s), want %v %q", d.Action, d.Error, d.Reason, tt.action, tt.err)
			}
			if d.Reason == "" {
				t.Error("no reason")
			}
			if tt.action == Skip && !slices.Equal(d.Scopes, tt.scopes) {
				t.Errorf("scopes = %q, want %q", d.Scopes, tt.scopes)
			}
			if tt.action != Skip && d.Scopes != nil {
				t.Errorf("scopes on %v: %q", d.Action, d.Scopes)
			}
			if !slices.Equal(d.Items, tt.items) {
				t.Errorf("items = %+v\nwant    %+v", d.Items, tt.items)
			}
		})
	}
}

func TestOptional(t *testing.T) {
	in := Input{Requested: []string{"openid", "fullname", "snils", "offline_access"}, Required: []string{"fullname"}}
	if got := in.Optional(); !slices.Equal(got, []string{"snils", "offline_access"}) {
		t.Errorf("Optional = %q", got)
	}
}

func TestApply(t *testing.T) {
	req := []string{"openid", "fullname", "snils", "email", "offline_access"}
	tests := []struct {
		name     string
		in       Input
		approved []string
		want     Outcome
	}{
		{"approve all",
			Input{Requested: req, Required: []string{"fullname"}}, []string{"snils", "email", "offline_access"},
			Outcome{Grant: []string{"fullname", "snils", "email", "offline_access"}, Scopes: req}},
		{"untick optional scopes: not granted, not carried (no refresh token)",
			Input{Requested: req, Required: []string{"fullname"}}, []string{"snils"},
			Outcome{Grant: []string{"fullname", "snils"}, Scopes: []string{"openid", "fullname", "snils"}}},
		{"a forged form cannot drop a required scope",
			Input{Requested: req, Required: []string{"fullname"}}, nil,
			Outcome{Grant: []string{"fullname"}, Scopes: []string{"openid", "fullname"}}},
		{"a forged form cannot add a scope that was not asked",
			Input{Requested: []string{"openid", "email"}}, []string{"email", "snils", "openid"},
			Outcome{Grant: []string{"email"}, Scopes: []string{"openid", "email"}}},
		{"granted listed-only scopes are kept, not revoked",
			Input{Requested: req, Granted: []string{"fullname", "snils"}}, []string{"email"},
			Outcome{Grant: []string{"email"}, Scopes: []string{"openid", "fullname", "snils", "email"}}},
		{"prompt=consent: unticking a granted optional scope revokes it",
			Input{Requested: req, Required: []string{"fullname"}, Granted: []string{"fullname", "snils", "email"}, Prompt: []string{"consent"}},
			[]string{"email"},
			Outcome{Grant: []string{"fullname", "email"}, Revoke: []string{"snils"}, Scopes: []string{"openid", "fullname", "email"}}},
		{"no page, no outcome",
			Input{Requested: req, FirstParty: true}, []string{"snils"}, Outcome{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Apply(tt.in, tt.approved)
			if !slices.Equal(got.Grant, tt.want.Grant) || !slices.Equal(got.Revoke, tt.want.Revoke) || !slices.Equal(got.Scopes, tt.want.Scopes) {
				t.Errorf("Apply = %+v\nwant    %+v", got, tt.want)
			}
			if tt.want.Scopes != nil {
				// After storing the outcome the dispatcher decides again and skips.
				granted := slices.DeleteFunc(slices.Concat(tt.in.Granted, got.Grant), func(s string) bool { return slices.Contains(got.Revoke, s) })
				next := tt.in
				next.Granted, next.Answered = granted, true
				if d := Decide(next); d.Action != Skip || !slices.Equal(d.Scopes, got.Scopes) {
					t.Errorf("after answering: %v %q, want skip %q", d.Action, d.Scopes, got.Scopes)
				}
			}
		})
	}
}

func TestActionString(t *testing.T) {
	for a, s := range map[Action]string{Skip: "skip", Ask: "ask", Fail: "fail", 0: "unknown"} {
		if a.String() != s {
			t.Errorf("%d: %q", a, a.String())
		}
	}
}
