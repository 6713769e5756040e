package claims

import (
	"testing"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

func TestRequestedLevel(t *testing.T) {
	for _, tc := range []struct {
		name, claims string
		want         storage.Level
	}{
		{"none", `{}`, ""},
		{"essential value", `{"id_token":{"level":{"essential":true,"value":"confirmed"}}}`, storage.LevelConfirmed},
		{"not essential is ignored", `{"id_token":{"level":{"value":"confirmed"}}}`, ""},
		{"values: the lowest counts", `{"userinfo":{"level":{"essential":true,"values":["confirmed","standard"]}}}`, storage.LevelStandard},
		{"unknown level is ignored", `{"id_token":{"level":{"essential":true,"value":"gold"}}}`, ""},
		{"the higher of the two targets", `{"id_token":{"level":{"essential":true,"value":"standard"}},"userinfo":{"level":{"essential":true,"value":"confirmed"}}}`, storage.LevelConfirmed},
	} {
		cr, err := consent.ParseClaimsRequest(tc.claims)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := RequestedLevel(cr); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReleasedNeverGoesBeyondTheGrant(t *testing.T) {
	for _, tc := range []struct {
		name         string
		scopes       []string
		claimsParam  string
		want, notNow []string
	}{
		{"scope claims", []string{"openid", "snils"}, "", []string{"snils"}, []string{"inn", "birthdate"}},
		{"named claim outside the grant is not released", []string{"openid", "snils"}, `{"id_token":{"inn":null}}`, []string{"snils"}, []string{"inn"}},
		{"named claim inside the grant", []string{"openid", "profile"}, `{"id_token":{"birthdate":null}}`, []string{"birthdate"}, []string{"snils"}},
	} {
		got := Released(tc.scopes, nil, tc.claimsParam, consent.TargetIDToken)
		for _, c := range tc.want {
			if !got[c] {
				t.Errorf("%s: %s not released", tc.name, c)
			}
		}
		for _, c := range tc.notNow {
			if got[c] {
				t.Errorf("%s: %s released beyond the grant", tc.name, c)
			}
		}
	}
}
