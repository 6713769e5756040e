package registry

import (
	"testing"

	"github.com/esia-emulator/esia-emulator/storage"
)

func FuzzParseFixtures(f *testing.F) {
	for _, s := range []string{
		"pension_fund:\n  - {snils: \"112-233-445 95\", last_name: Иванов, birth_date: 1980-01-02}\n",
		"interior_ministry: [{series: \"4506\", number: \"123456\", outcome: PASSPORT_INVALID}]",
		"tax_service: [{inn: \"500100732259\", outcome: INN_NOT_FOUND}]",
		`{"pension_fund":[{"snils":"00000060001","outcome":"PERSON_NOT_FOUND"}]}`,
		"", "~", "[", "pension_fund: [{snils: 1}]", "&a [*a]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fx, err := ParseFixtures([]byte(s))
		if err != nil {
			return
		}
		if err := fx.Validate(); err != nil {
			t.Fatalf("ParseFixtures accepted invalid fixtures: %v", err)
		}
		// Every record decides its own key for its own holder.
		want := func(outcome string) string {
			if outcome == "" {
				return storage.VerifyVerified
			}
			return outcome
		}
		got := func(state, reason string) string {
			if state == storage.VerifyVerified {
				return state
			}
			return reason
		}
		data := func(h Holder) CheckData {
			return CheckData{LastName: h.LastName, FirstName: h.FirstName, MiddleName: h.MiddleName, BirthDate: h.BirthDate}
		}
		for _, r := range fx.PensionFund {
			d := data(r.Holder)
			d.SNILS = r.SNILS
			if g := got(Outcome(fx, CheckSNILS, d)); g != want(r.Outcome) {
				t.Fatalf("%+v: %s", r, g)
			}
		}
		for _, r := range fx.InteriorMinistry {
			d := data(r.Holder)
			d.Series, d.Number = r.Series, r.Number
			if g := got(Outcome(fx, CheckPassport, d)); g != want(r.Outcome) {
				t.Fatalf("%+v: %s", r, g)
			}
		}
		for _, r := range fx.TaxService {
			d := data(r.Holder)
			d.INN = r.INN
			if g := got(Outcome(fx, CheckINN, d)); g != want(r.Outcome) {
				t.Fatalf("%+v: %s", r, g)
			}
		}
	})
}

func FuzzOutcome(f *testing.F) {
	f.Add("snils", "112-233-445 95", "", "")
	f.Add("passport", "", "4506", "999999")
	f.Add("inn", "500100732259", "", "")
	f.Add("x", "", "", "")
	f.Fuzz(func(t *testing.T, kind, key, series, number string) {
		d := CheckData{SNILS: key, INN: key, Series: series, Number: number}
		state, reason := Outcome(testFixtures, CheckKind(kind), d)
		switch {
		case state == storage.VerifyVerified && reason == "":
			if _, err := d.normalize(CheckKind(kind)); err != nil {
				t.Fatalf("verified invalid data %+v: %v", d, err)
			}
		case state == storage.VerifyFailed && reason != "":
		default:
			t.Fatalf("Outcome = %q, %q", state, reason)
		}
	})
}
