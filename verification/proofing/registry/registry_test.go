package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

func snils(nine string) string { return nine + ident.SNILSControl(nine) }
func inn(ten string) string    { return ten + ident.INNControl(ten) }

var testFixtures = Fixtures{
	PensionFund: []SNILSRecord{
		{SNILS: ident.FormatSNILS(snils("112233445")), Holder: Holder{LastName: "Иванов", FirstName: "Иван", BirthDate: "1980-01-02"}},
		{SNILS: snils("123456789"), Outcome: ReasonPersonNotFound},
		{SNILS: snils("555444999"), Outcome: storage.VerifyVerified}, // fixture beats the 999 rule
	},
	InteriorMinistry: []PassportRecord{
		{Series: "45 06", Number: "123456", Outcome: ReasonPassportInvalid},
		{Series: "4507", Number: "000111"}, // fixture beats the 000 rule
		{Series: "4508", Number: "222333", Holder: Holder{LastName: "Семёнова"}},
	},
	TaxService: []INNRecord{
		{INN: "500100732259", Outcome: ReasonINNNotFound},
		{INN: inn("7701999999"), Holder: Holder{FirstName: "Пётр"}},
	},
}

func TestOutcome(t *testing.T) {
	person := CheckData{LastName: "Иванов", FirstName: "Иван", BirthDate: "1980-01-02"}
	with := func(d CheckData) CheckData {
		d.LastName, d.FirstName, d.MiddleName, d.BirthDate = person.LastName, person.FirstName, person.MiddleName, person.BirthDate
		return d
	}
	tests := []struct {
		name   string
		f      Fixtures
		kind   CheckKind
		d      CheckData
		state  string
		reason string
	}{
		// Pension fund, default rule.
		{"snils valid", Fixtures{}, CheckSNILS, with(CheckData{SNILS: snils("100200300")}), storage.VerifyVerified, ""},
		{"snils formatted", Fixtures{}, CheckSNILS, CheckData{SNILS: ident.FormatSNILS(snils("100200300"))}, storage.VerifyVerified, ""},
		{"snils test stand", Fixtures{}, CheckSNILS, CheckData{SNILS: "000-000-600 03"}, storage.VerifyVerified, ""},
		{"snils 999", Fixtures{}, CheckSNILS, CheckData{SNILS: snils("100200999")}, storage.VerifyFailed, ReasonPersonNotFound},
		{"snils 998", Fixtures{}, CheckSNILS, CheckData{SNILS: snils("100200998")}, storage.VerifyFailed, ReasonDataMismatch},
		{"snils 999 elsewhere", Fixtures{}, CheckSNILS, CheckData{SNILS: snils("999200300")}, storage.VerifyVerified, ""},
		{"snils checksum", Fixtures{}, CheckSNILS, CheckData{SNILS: "11223344596"}, storage.VerifyFailed, ReasonInvalidData},
		{"snils empty", Fixtures{}, CheckSNILS, CheckData{}, storage.VerifyFailed, ReasonInvalidData},
		// Pension fund, fixtures.
		{"snils fixture matches person", testFixtures, CheckSNILS, with(CheckData{SNILS: snils("112233445")}), storage.VerifyVerified, ""},
		{"snils fixture ё and case", testFixtures, CheckSNILS, CheckData{SNILS: snils("112233445"), LastName: " ИВАНОВ ", FirstName: "иван", BirthDate: "1980-01-02"}, storage.VerifyVerified, ""},
		{"snils fixture other birth date", testFixtures, CheckSNILS, CheckData{SNILS: snils("112233445"), LastName: "Иванов", FirstName: "Иван", BirthDate: "1980-01-03"}, storage.VerifyFailed, ReasonDataMismatch},
		{"snils fixture other name", testFixtures, CheckSNILS, CheckData{SNILS: snils("112233445"), LastName: "Петров", FirstName: "Иван", BirthDate: "1980-01-02"}, storage.VerifyFailed, ReasonDataMismatch},
		{"snils fixture outcome", testFixtures, CheckSNILS, with(CheckData{SNILS: ident.FormatSNILS(snils("123456789"))}), storage.VerifyFailed, ReasonPersonNotFound},
		{"snils fixture beats rule", testFixtures, CheckSNILS, CheckData{SNILS: snils("555444999")}, storage.VerifyVerified, ""},
		{"snils unlisted falls to rule", testFixtures, CheckSNILS, CheckData{SNILS: snils("100200999")}, storage.VerifyFailed, ReasonPersonNotFound},
		// Interior ministry.
		{"passport valid", Fixtures{}, CheckPassport, CheckData{Series: "4506", Number: "654321"}, storage.VerifyVerified, ""},
		{"passport spaced", Fixtures{}, CheckPassport, CheckData{Series: "45 06", Number: "654 321"}, storage.VerifyVerified, ""},
		{"passport 000", Fixtures{}, CheckPassport, CheckData{Series: "4506", Number: "000321"}, storage.VerifyFailed, ReasonPassportInvalid},
		{"passport 999", Fixtures{}, CheckPassport, CheckData{Series: "4506", Number: "999321"}, storage.VerifyFailed, ReasonPassportNotFound},
		{"passport 998", Fixtures{}, CheckPassport, CheckData{Series: "4506", Number: "998321"}, storage.VerifyFailed, ReasonPersonNotFound},
		{"passport 099", Fixtures{}, CheckPassport, CheckData{Series: "4506", Number: "099999"}, storage.VerifyVerified, ""},
		{"passport bad", Fixtures{}, CheckPassport, CheckData{Series: "450", Number: "123456"}, storage.VerifyFailed, ReasonInvalidData},
		{"passport bad unit code", Fixtures{}, CheckPassport, CheckData{Series: "4506", Number: "123456", UnitCode: "77-0001"}, storage.VerifyFailed, ReasonInvalidData},
		{"passport fixture", testFixtures, CheckPassport, CheckData{Series: "4506", Number: "123456"}, storage.VerifyFailed, ReasonPassportInvalid},
		{"passport fixture beats rule", testFixtures, CheckPassport, CheckData{Series: "4507", Number: "000111"}, storage.VerifyVerified, ""},
		{"passport fixture holder", testFixtures, CheckPassport, CheckData{Series: "4508", Number: "222333", LastName: "Семенова"}, storage.VerifyVerified, ""},
		{"passport fixture holder mismatch", testFixtures, CheckPassport, CheckData{Series: "4508", Number: "222333", LastName: "Семенов"}, storage.VerifyFailed, ReasonDataMismatch},
		{"passport same number other series", testFixtures, CheckPassport, CheckData{Series: "4509", Number: "123456"}, storage.VerifyVerified, ""},
		// Tax service.
		{"inn valid", Fixtures{}, CheckINN, CheckData{INN: "500100732259"}, storage.VerifyVerified, ""},
		{"inn 999", Fixtures{}, CheckINN, CheckData{INN: inn("7701234999")}, storage.VerifyFailed, ReasonINNNotFound},
		{"inn checksum", Fixtures{}, CheckINN, CheckData{INN: "500100732258"}, storage.VerifyFailed, ReasonInvalidData},
		{"inn organisation", Fixtures{}, CheckINN, CheckData{INN: "7707083893"}, storage.VerifyFailed, ReasonInvalidData},
		{"inn fixture", testFixtures, CheckINN, CheckData{INN: "5001 0073 2259"}, storage.VerifyFailed, ReasonINNNotFound},
		{"inn fixture beats rule", testFixtures, CheckINN, CheckData{INN: inn("7701999999"), FirstName: "Петр"}, storage.VerifyVerified, ""},
		{"inn fixture holder mismatch", testFixtures, CheckINN, CheckData{INN: inn("7701999999"), FirstName: "Павел"}, storage.VerifyFailed, ReasonDataMismatch},
		// Unknown kind.
		{"unknown kind", Fixtures{}, "vehicle", CheckData{}, storage.VerifyFailed, ReasonInvalidData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, reason := Outcome(tt.f, tt.kind, tt.d)
			if state != tt.state || reason != tt.reason {
				t.Errorf("Outcome = %s, %s; want %s, %s", state, reason, tt.state, tt.reason)
			}
		})
	}
}

func TestParseFixtures(t *testing.T) {
	yml := `
pension_fund:
  - {snils: "112-233-445 95", last_name: Иванов, first_name: Иван, birth_date: 1980-01-02}
  - snils: "123-456-789 64"
    outcome: PERSON_NOT_FOUND
interior_ministry:
  - {series: "4506", number: "123456", outcome: PASSPORT_INVALID}
tax_service:
  - {inn: "500100732259", outcome: INN_NOT_FOUND}
`
	f, err := ParseFixtures([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.PensionFund) != 2 || f.PensionFund[0].BirthDate != "1980-01-02" || f.PensionFund[0].LastName != "Иванов" ||
		f.PensionFund[1].Outcome != ReasonPersonNotFound || f.InteriorMinistry[0].Number != "123456" || f.TaxService[0].Outcome != ReasonINNNotFound {
		t.Errorf("parsed %+v", f)
	}
	if st, r := Outcome(f, CheckSNILS, CheckData{SNILS: "11223344595", LastName: "Иванов", FirstName: "Иван", BirthDate: "1980-01-02"}); st != storage.VerifyVerified {
		t.Errorf("parsed fixture: %s %s", st, r)
	}
	// JSON is YAML.
	if f, err := ParseFixtures([]byte(`{"tax_service":[{"inn":"500100732259","outcome":"INN_NOT_FOUND"}]}`)); err != nil || len(f.TaxService) != 1 {
		t.Errorf("JSON: %+v %v", f, err)
	}
	if f, err := ParseFixtures(nil); err != nil || len(f.PensionFund) != 0 {
		t.Errorf("empty: %+v %v", f, err)
	}
	bad := map[string]string{
		"unknown field":        "pension_fund: [{snils: \"112-233-445 95\", surname: x}]",
		"bad snils":            "pension_fund: [{snils: \"112-233-445 96\"}]",
		"wrong outcome":        "pension_fund: [{snils: \"112-233-445 95\", outcome: PASSPORT_INVALID}]",
		"duplicate":            "pension_fund: [{snils: \"112-233-445 95\"}, {snils: \"11223344595\"}]",
		"bad passport":         "interior_ministry: [{series: \"45\", number: \"123456\"}]",
		"bad passport outcome": "interior_ministry: [{series: \"4506\", number: \"123456\", outcome: INN_NOT_FOUND}]",
		"bad inn":              "tax_service: [{inn: \"7707083893\"}]",
		"bad birth date":       "tax_service: [{inn: \"500100732259\", birth_date: 02.01.1980}]",
		"unknown registry":     "police: []",
		"not a map":            "- 1",
	}
	for name, y := range bad {
		if _, err := ParseFixtures([]byte(y)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	err = Fixtures{PensionFund: []SNILSRecord{{SNILS: "1"}, {SNILS: "2"}}}.Validate()
	if err == nil || strings.Count(err.Error(), "pension_fund[") != 2 {
		t.Errorf("Validate should report every record: %v", err)
	}
}

// clock is a fake clock for the store-backed tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newDocs(t *testing.T) storage.Docs  { t.Helper(); return memory.New() }
func ctx() context.Context               { return context.Background() }

// must returns v or panics (failing the test) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRegistriesDelay(t *testing.T) {
	clk := &clock{t0}
	r := &Registries{Docs: newDocs(t), Fixtures: testFixtures, Delay: 15 * time.Minute}
	c := must(r.Submit(ctx(), "42", CheckSNILS, CheckData{SNILS: "112-233-445 95", LastName: "Иванов", FirstName: "Иван", BirthDate: "1980-01-02"}, clk.now()))
	if c.State != storage.VerifyVerifying || c.Data.SNILS != "11223344595" || !c.ReadyAt.Equal(t0.Add(15*time.Minute)) || c.ID == "" {
		t.Fatalf("submitted %+v", c)
	}
	if n := CheckNotice(c); n.Subject != "Данные отправлены на проверку" || !strings.Contains(n.Body, "СНИЛС 112-233-445 95") {
		t.Errorf("submit notice %+v", n)
	}
	clk.advance(15*time.Minute - time.Second)
	if res := must(r.Poll(ctx(), "42", clk.now())); len(res) != 0 {
		t.Fatalf("resolved early: %+v", res)
	}
	clk.advance(time.Second)
	res := must(r.Poll(ctx(), "42", clk.now()))
	if len(res) != 1 || res[0].Check.State != storage.VerifyVerified || res[0].Check.ID != c.ID || !res[0].Check.ResolvedAt.Equal(clk.now()) {
		t.Fatalf("poll %+v", res)
	}
	if res[0].Notice.Subject != "СНИЛС проверен" || !strings.Contains(res[0].Notice.Body, "в Социальном фонде России завершена успешно") {
		t.Errorf("notice %+v", res[0].Notice)
	}
	if res := must(r.Poll(ctx(), "42", clk.now())); len(res) != 0 {
		t.Errorf("resolved twice: %+v", res)
	}
	checks := must(r.Checks(ctx(), "42", clk.now()))
	if len(checks) != 1 || checks[0].State != storage.VerifyVerified {
		t.Errorf("checks %+v", checks)
	}
}

func TestRegistriesZeroDelayAndResolveAll(t *testing.T) {
	r := &Registries{Docs: newDocs(t)}
	for _, uid := range []string{"1", "10", "2"} {
		must(r.Submit(ctx(), uid, CheckPassport, CheckData{Series: "4506", Number: "999001"}, t0))
		must(r.Submit(ctx(), uid, CheckINN, CheckData{INN: "500100732259"}, t0))
	}
	res := must(r.Poll(ctx(), "1", t0))
	if len(res) != 2 {
		t.Fatalf("Poll(1) resolved %d checks (prefix must not catch user 10)", len(res))
	}
	for _, x := range res {
		if x.Check.UserID != "1" {
			t.Errorf("resolved %+v", x.Check)
		}
	}
	res = must(r.Resolve(ctx(), t0))
	if len(res) != 4 {
		t.Fatalf("Resolve resolved %d", len(res))
	}
	byKind := map[CheckKind]Result{}
	for _, x := range res {
		byKind[x.Check.Kind] = x
	}
	p := byKind[CheckPassport]
	if p.Check.State != storage.VerifyFailed || p.Check.Reason != ReasonPassportNotFound ||
		p.Notice.Subject != "Паспорт не прошёл проверку" ||
		!strings.Contains(p.Notice.Body, "Проверка паспорта 45 06 999001 в МВД России не пройдена: паспорт с такими серией и номером не найден.") {
		t.Errorf("passport result %+v", p)
	}
	if n := byKind[CheckINN].Notice; n.Subject != "ИНН проверен" || !strings.Contains(n.Body, "ИНН 500100732259 в ФНС России") {
		t.Errorf("inn notice %+v", n)
	}
	if err := r.Forget(ctx(), "1"); err != nil {
		t.Fatal(err)
	}
	if cs := must(r.Checks(ctx(), "1", t0)); len(cs) != 0 {
		t.Errorf("after Forget: %+v", cs)
	}
	if cs := must(r.Checks(ctx(), "10", t0)); len(cs) != 2 {
		t.Errorf("Forget(1) touched 10: %+v", cs)
	}
}

func TestRegistriesResubmitReplaces(t *testing.T) {
	r := &Registries{Docs: newDocs(t), Delay: time.Hour}
	old := must(r.Submit(ctx(), "7", CheckSNILS, CheckData{SNILS: snils("100200999")}, t0))
	fresh := must(r.Submit(ctx(), "7", CheckSNILS, CheckData{SNILS: snils("100200300")}, t0.Add(10*time.Minute)))
	res := must(r.Poll(ctx(), "7", t0.Add(time.Hour)))
	if len(res) != 0 {
		t.Fatalf("the replaced check resolved: %+v", res)
	}
	res = must(r.Poll(ctx(), "7", t0.Add(70*time.Minute)))
	if len(res) != 1 || res[0].Check.ID != fresh.ID || res[0].Check.ID == old.ID || res[0].Check.State != storage.VerifyVerified {
		t.Fatalf("poll %+v", res)
	}
}

func TestRegistriesSubmitErrors(t *testing.T) {
	r := &Registries{Docs: newDocs(t)}
	tests := []struct {
		uid  string
		kind CheckKind
		d    CheckData
		err  error
	}{
		{"1", CheckSNILS, CheckData{SNILS: "11223344596"}, ident.ErrSNILSChecksum},
		{"1", CheckPassport, CheckData{Series: "4506", Number: "12345"}, ident.ErrInvalidPassport},
		{"1", CheckPassport, CheckData{Series: "4506", Number: "123456", UnitCode: "7700-1"}, ident.ErrInvalidUnitCode},
		{"1", CheckINN, CheckData{INN: "7707083893"}, ident.ErrInvalidINN},
		{"1", "vehicle", CheckData{}, proofing.ErrUnknownCheck},
		{"", CheckINN, CheckData{INN: "500100732259"}, proofing.ErrInvalidUserID},
		{"1/2", CheckINN, CheckData{INN: "500100732259"}, proofing.ErrInvalidUserID},
	}
	for _, tt := range tests {
		if _, err := r.Submit(ctx(), tt.uid, tt.kind, tt.d, t0); !errors.Is(err, tt.err) {
			t.Errorf("Submit(%q, %s, %+v) = %v; want %v", tt.uid, tt.kind, tt.d, err, tt.err)
		}
	}
	if cs, _ := r.Checks(ctx(), "1", t0); len(cs) != 0 {
		t.Errorf("invalid data stored: %+v", cs)
	}
	if _, err := r.Poll(ctx(), "", t0); !errors.Is(err, proofing.ErrInvalidUserID) {
		t.Errorf("Poll empty id: %v", err)
	}
	if _, err := r.Submit(ctx(), "1", CheckINN, CheckData{INN: "500100732259"}, t0); err != nil {
		t.Fatal(err)
	}
	r.Rand = strings.NewReader("")
	if _, err := r.Submit(ctx(), "1", CheckINN, CheckData{INN: "500100732259"}, t0); err == nil {
		t.Error("a failing random source must fail Submit")
	}
}

// Each resolution is handed to exactly one of many concurrent pollers.
func TestRegistriesResolveOnce(t *testing.T) {
	r := &Registries{Docs: newDocs(t)}
	for i := range 5 {
		must(r.Submit(ctx(), fmt.Sprint(i+1), CheckSNILS, CheckData{SNILS: snils("100200300")}, t0))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			res, err := r.Resolve(ctx(), t0)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, x := range res {
				seen[x.Check.ID]++
			}
		})
	}
	wg.Wait()
	if len(seen) != 5 {
		t.Errorf("resolved %d distinct checks; want 5", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("check %s handed out %d times", id, n)
		}
	}
}

func TestApplyCheck(t *testing.T) {
	u, p := testUser()
	p.SNILSVrf = storage.VerifyNotVerified
	u.Documents[0].VrfStu = storage.VerifyNotVerified
	r := &Registries{Docs: newDocs(t)}

	for _, kind := range CheckKinds {
		c := must(r.Submit(ctx(), u.ID, kind, CheckDataOf(u, kind), t0))
		u, p = MarkVerifying(u, p, c)
	}
	if p.SNILSVrf != storage.VerifyVerifying || p.INNVrf != storage.VerifyVerifying || u.Documents[0].VrfStu != storage.VerifyVerifying {
		t.Fatalf("after MarkVerifying: %+v %+v", p, u.Documents)
	}
	if proofing.LevelOf(u, p) != storage.LevelSimplified || !proofing.Verifying(u, p) {
		t.Errorf("level while verifying: %s, verifying %v", proofing.LevelOf(u, p), proofing.Verifying(u, p))
	}
	orig := u.Documents
	res := must(r.Poll(ctx(), u.ID, t0))
	if len(res) != 3 {
		t.Fatalf("resolved %d", len(res))
	}
	for _, x := range res {
		var ok bool
		u, p, ok = ApplyCheck(u, p, x.Check)
		if !ok {
			t.Errorf("not applied: %+v", x.Check)
		}
	}
	if orig[0].VrfStu != storage.VerifyVerifying {
		t.Error("ApplyCheck modified the caller's Documents slice")
	}
	if p.SNILSVrf != storage.VerifyVerified || p.INNVrf != storage.VerifyVerified || u.Documents[0].VrfStu != storage.VerifyVerified {
		t.Fatalf("after ApplyCheck: %+v %+v", p, u.Documents)
	}
	if proofing.LevelOf(u, p) != storage.LevelStandard || proofing.Verifying(u, p) {
		t.Errorf("level after checks: %s, verifying %v", proofing.LevelOf(u, p), proofing.Verifying(u, p))
	}

	// A failure carries its reason; a stale check (data changed) is ignored.
	failed := Check{Kind: CheckPassport, Data: CheckData{Series: "4521", Number: "634215"}, State: storage.VerifyFailed, Reason: ReasonPassportInvalid}
	u2, p2, ok := ApplyCheck(u, p, failed)
	if !ok || u2.Documents[0].VrfStu != storage.VerifyFailed || p2.PassportVrfReason != ReasonPassportInvalid {
		t.Errorf("failed passport: %v %+v %+v", ok, u2.Documents, p2)
	}
	if valid, st := FMSState(u2.Documents[0].VrfStu, p2.PassportVrfReason); valid || st != ReasonPassportInvalid {
		t.Errorf("FMSState = %v %q", valid, st)
	}
	stale := []Check{
		{Kind: CheckPassport, Data: CheckData{Series: "4521", Number: "000000"}, State: storage.VerifyFailed},
		{Kind: CheckSNILS, Data: CheckData{SNILS: snils("100200300")}, State: storage.VerifyFailed},
		{Kind: CheckINN, Data: CheckData{INN: inn("7701234567")}, State: storage.VerifyFailed},
		{Kind: CheckSNILS, Data: CheckData{SNILS: u.SNILS}, State: storage.VerifyVerifying}, // not resolved
		{Kind: "vehicle", State: storage.VerifyVerified},
	}
	for _, c := range stale {
		if u3, p3, ok := ApplyCheck(u, p, c); ok || proofing.LevelOf(u3, p3) != storage.LevelStandard {
			t.Errorf("stale check applied: %+v", c)
		}
	}
	noPassport := u
	noPassport.Documents = nil
	if _, _, ok := ApplyCheck(noPassport, p, failed); ok {
		t.Error("applied a passport check to an account without a passport")
	}
}

func TestFMSState(t *testing.T) {
	tests := []struct {
		vrf, reason string
		valid       bool
		state       string
	}{
		{storage.VerifyVerified, "", true, ""},
		{storage.VerifyFailed, ReasonPassportNotFound, false, ReasonPassportNotFound},
		{storage.VerifyFailed, ReasonPersonNotFound, false, ReasonPersonNotFound},
		{storage.VerifyFailed, ReasonDataMismatch, false, ""},
		{storage.VerifyVerifying, "", false, ""},
	}
	for _, tt := range tests {
		if v, s := FMSState(tt.vrf, tt.reason); v != tt.valid || s != tt.state {
			t.Errorf("FMSState(%s, %s) = %v %q", tt.vrf, tt.reason, v, s)
		}
	}
}

func TestReasonTexts(t *testing.T) {
	for _, reasons := range outcomes {
		for _, r := range reasons[1:] {
			if txt := ReasonText(r); txt == "" || strings.ToUpper(txt) == r {
				t.Errorf("no text for %s", r)
			}
		}
	}
	if ReasonText(ReasonInvalidData) == "" || ReasonText("") == "" || ReasonText("NEW_THING") != "new_thing" {
		t.Error("ReasonText fallbacks")
	}
	for _, k := range CheckKinds {
		if RegistryName(k) == string(k) {
			t.Errorf("no registry name for %s", k)
		}
	}
}

func TestOverrideForcesTheAnswer(t *testing.T) {
	s := memory.New()
	now := time.Now()
	calls := 0
	r := &Registries{Docs: s, Override: func(kind CheckKind) (string, string, bool) {
		calls++
		return storage.VerifyFailed, ReasonPersonNotFound, kind == CheckSNILS && calls == 1
	}}
	if _, err := r.Submit(context.Background(), "1", CheckSNILS, CheckData{SNILS: "112-233-445 95"}, now); err != nil {
		t.Fatal(err)
	}
	res, err := r.Poll(context.Background(), "1", now)
	if err != nil || len(res) != 1 || res[0].Check.State != storage.VerifyFailed || res[0].Check.Reason != ReasonPersonNotFound {
		t.Fatalf("forced answer: %+v %v", res, err)
	}
	// The next submission is not forced: the default rule answers.
	if _, err := r.Submit(context.Background(), "1", CheckSNILS, CheckData{SNILS: "112-233-445 95"}, now); err != nil {
		t.Fatal(err)
	}
	if res, _ := r.Poll(context.Background(), "1", now); len(res) != 1 || res[0].Check.State != storage.VerifyVerified {
		t.Fatalf("unforced answer: %+v", res)
	}
}
