package proofing

import (
	"slices"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testUser is a standard-level account: names, confirmed phone, SNILS and a verified passport.
func testUser() (storage.User, Proofs) {
	u := storage.User{ID: "1000000003", LastName: "Иванова", FirstName: "Мария", MiddleName: "Ивановна",
		BirthDate: "1976-06-21", Phone: "+79990000003", PhoneVerified: true, SNILS: "11223344595", INN: "500100732259",
		Documents: []storage.Document{{ID: "d1", Type: DocRFPassport, Series: "4521", Number: "634215",
			IssueDate: "2021-07-05", IssueID: "770-095", IssuedBy: "ГУ МВД России по г. Москве", VrfStu: storage.VerifyVerified}}}
	return u, Proofs{SNILSVrf: storage.VerifyVerified}
}

func TestLevelOf(t *testing.T) {
	conf := &Confirmation{Method: ConfirmServiceCentre, At: t0, By: "МФЦ"}
	tests := []struct {
		name string
		edit func(*storage.User, *Proofs)
		want storage.Level
	}{
		{"standard", func(*storage.User, *Proofs) {}, storage.LevelStandard},
		{"confirmed", func(_ *storage.User, p *Proofs) { p.Confirmation = conf }, storage.LevelConfirmed},
		{"confirmed by letter", func(_ *storage.User, p *Proofs) { p.Confirmation = &Confirmation{Method: ConfirmLetter, At: t0} }, storage.LevelConfirmed},
		{"confirmation without time", func(_ *storage.User, p *Proofs) { p.Confirmation = &Confirmation{Method: ConfirmLetter} }, storage.LevelStandard},
		{"confirmation with unknown method", func(_ *storage.User, p *Proofs) { p.Confirmation = &Confirmation{Method: "gossip", At: t0} }, storage.LevelStandard},
		{"confirmed but passport re-verifying", func(u *storage.User, p *Proofs) {
			p.Confirmation = conf
			u.Documents[0].VrfStu = storage.VerifyVerifying
		}, storage.LevelSimplified},
		{"SNILS verifying", func(_ *storage.User, p *Proofs) { p.SNILSVrf = storage.VerifyVerifying }, storage.LevelSimplified},
		{"SNILS failed", func(_ *storage.User, p *Proofs) { p.SNILSVrf = storage.VerifyFailed }, storage.LevelSimplified},
		{"SNILS verified but absent", func(u *storage.User, _ *Proofs) { u.SNILS = "" }, storage.LevelSimplified},
		{"passport failed", func(u *storage.User, _ *Proofs) { u.Documents[0].VrfStu = storage.VerifyFailed }, storage.LevelSimplified},
		{"no passport", func(u *storage.User, _ *Proofs) { u.Documents = nil }, storage.LevelSimplified},
		{"only a foreign passport", func(u *storage.User, _ *Proofs) { u.Documents[0].Type = "FRGN_PASS" }, storage.LevelSimplified},
		{"latest passport counts", func(u *storage.User, _ *Proofs) {
			u.Documents = append(u.Documents, storage.Document{Type: DocRFPassport, Series: "4522", Number: "111111", VrfStu: storage.VerifyNotVerified})
		}, storage.LevelSimplified},
		{"INN not needed", func(u *storage.User, p *Proofs) { u.INN, p.INNVrf = "", storage.VerifyFailed }, storage.LevelStandard},
		{"email instead of phone", func(u *storage.User, _ *Proofs) {
			u.PhoneVerified, u.Email, u.EmailVerified = false, "m@example.ru", true
		}, storage.LevelStandard},
		{"phone not confirmed", func(u *storage.User, _ *Proofs) { u.PhoneVerified = false }, ""},
		{"verified flag without phone", func(u *storage.User, _ *Proofs) { u.Phone = "" }, ""},
		{"no first name", func(u *storage.User, _ *Proofs) { u.FirstName = " " }, ""},
		{"no surname, confirmed otherwise", func(u *storage.User, p *Proofs) { u.LastName, p.Confirmation = "", conf }, ""},
		{"nothing verified", func(u *storage.User, p *Proofs) { *p = Proofs{}; u.Documents[0].VrfStu = "" }, storage.LevelSimplified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, p := testUser()
			tt.edit(&u, &p)
			if got := LevelOf(u, p); got != tt.want {
				t.Errorf("LevelOf = %q; want %q (missing %v)", got, tt.want, Missing(u, p))
			}
		})
	}
}

func TestMissing(t *testing.T) {
	u := storage.User{}
	m := Missing(u, Proofs{})
	if want := []Requirement{NeedName, NeedContact, NeedSNILS, NeedPassport, NeedIdentity}; !slices.Equal(m[storage.LevelConfirmed], want) {
		t.Errorf("confirmed needs %v; want %v", m[storage.LevelConfirmed], want)
	}
	if want := []Requirement{NeedName, NeedContact}; !slices.Equal(MissingFor(u, Proofs{}, storage.LevelSimplified), want) {
		t.Errorf("simplified needs %v", MissingFor(u, Proofs{}, storage.LevelSimplified))
	}
	su, sp := testUser()
	if got := MissingFor(su, sp, storage.LevelConfirmed); !slices.Equal(got, []Requirement{NeedIdentity}) {
		t.Errorf("standard account lacks %v for confirmed", got)
	}
	if got := MissingFor(su, sp, storage.LevelStandard); got != nil {
		t.Errorf("standard account lacks %v for standard", got)
	}
	for _, r := range []Requirement{NeedName, NeedContact, NeedSNILS, NeedPassport, NeedIdentity} {
		if r.Text() == string(r) || r.Text() == "" {
			t.Errorf("%s has no Russian text", r)
		}
	}
}

func TestTrustedAndTitles(t *testing.T) {
	for l, want := range map[storage.Level]bool{storage.LevelConfirmed: true, storage.LevelStandard: false, storage.LevelSimplified: false, "": false} {
		if Trusted(l) != want {
			t.Errorf("Trusted(%q) = %v", l, !want)
		}
	}
	if LevelTitle(storage.LevelConfirmed) != "Подтверждённая" || LevelTitle("x") == "" {
		t.Error("LevelTitle")
	}
}

func TestCanConfirm(t *testing.T) {
	u, p := testUser()
	if err := CanConfirm(u, p); err != nil {
		t.Errorf("standard: %v", err)
	}
	p.Confirmation = &Confirmation{Method: ConfirmBank, At: t0}
	if err := CanConfirm(u, p); err != ErrAlreadyConfirmed {
		t.Errorf("confirmed: %v", err)
	}
	p = Proofs{SNILSVrf: storage.VerifyVerifying}
	if err := CanConfirm(u, p); err != ErrNotStandard {
		t.Errorf("simplified: %v", err)
	}
}

func TestLevelNotice(t *testing.T) {
	tests := []struct {
		old, new storage.Level
		ok       bool
		subject  string
	}{
		{storage.LevelStandard, storage.LevelStandard, false, ""},
		{storage.LevelSimplified, storage.LevelStandard, true, "Учётная запись стала стандартной"},
		{storage.LevelStandard, storage.LevelConfirmed, true, "Учётная запись подтверждена"},
		{storage.LevelSimplified, storage.LevelConfirmed, true, "Учётная запись подтверждена"},
		{"", storage.LevelSimplified, true, "Регистрация завершена"},
		{storage.LevelStandard, storage.LevelSimplified, true, "Уровень учётной записи понижен"},
		{storage.LevelConfirmed, storage.LevelStandard, true, "Уровень учётной записи понижен"},
	}
	for _, tt := range tests {
		n, ok := LevelNotice(tt.old, tt.new)
		if ok != tt.ok || n.Subject != tt.subject || (ok && n.Body == "") {
			t.Errorf("LevelNotice(%q, %q) = %+v, %v", tt.old, tt.new, n, ok)
		}
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, 1, 31, 22, 30, 0, 0, time.UTC) // 01:30 on 1 February in Moscow
	if got := DateRU(at); got != "01.02.2026" {
		t.Errorf("DateRU = %q", got)
	}
	if got := DateTimeRU(at); got != "01.02.2026 01:30 (МСК)" {
		t.Errorf("DateTimeRU = %q", got)
	}
}
