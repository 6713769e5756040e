package confirm

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

func TestParseLetterCode(t *testing.T) {
	valid := []struct{ in, want string }{
		{"ABCD-EFGH-JK23", "ABCDEFGHJK23"},
		{"abcdefghjk23", "ABCDEFGHJK23"},
		{" abcd efgh jk23 ", "ABCDEFGHJK23"},
		{"ab-cd-ef-gh-jk-23", "ABCDEFGHJK23"},
		{"АВСD-ЕFGН-JК2З", "ABCDEFGHJK23"}, // Cyrillic А В С Е Н К З
		{"авсd\u00a0еfgн\tjк23", "ABCDEFGHJK23"},
		{"ZZZZ-9999-XXXX", "ZZZZ9999XXXX"},
	}
	for _, tt := range valid {
		if got, err := ParseLetterCode(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseLetterCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	invalid := []string{"", "ABCD-EFGH-JK2", "ABCD-EFGH-JK234", "ABCD-EFGH-JK20", "ABCD-EFGH-JKO3",
		"ABCD-EFGH-JK13", "ABCD-EFGH-JKI3", "ABCD_EFGH_JK23", "ABCD-EFGH-JKЖ3", "ABCD-EFGH-JK2３",
		strings.Repeat("A", 201)}
	for _, in := range invalid {
		if got, err := ParseLetterCode(in); !errors.Is(err, proofing.ErrInvalidLetterCode) {
			t.Errorf("ParseLetterCode(%q) = %q, %v; want ErrInvalidLetterCode", in, got, err)
		}
	}
	if FormatLetterCode("ABCDEFGHJK23") != "ABCD-EFGH-JK23" || FormatLetterCode("ABC") != "ABC" {
		t.Error("FormatLetterCode")
	}
	if len(LetterAlphabet) != 32 {
		t.Errorf("alphabet has %d characters; IssueLetterCode needs 32", len(LetterAlphabet))
	}
}

func TestTrackingNumber(t *testing.T) {
	n := TrackingNumber("101000", 3, "12345")
	if len(n) != 14 || !strings.HasPrefix(n, "1010000312345") {
		t.Fatalf("TrackingNumber = %q", n)
	}
	valid := func(s string) bool {
		sum := 0
		for i := range 14 {
			d := int(s[i] - '0')
			if i%2 == 0 && i < 13 {
				d *= 3
			}
			sum += d
		}
		return sum%10 == 0
	}
	if !valid(n) {
		t.Errorf("%s: check digit wrong", n)
	}
	for i := range 13 {
		b := []byte(n)
		b[i] = '0' + (b[i]-'0'+1)%10
		if valid(string(b)) {
			t.Errorf("changing digit %d of %s keeps the check digit valid", i, n)
		}
	}
}

// fixedRand returns a reader that yields b forever.
func fixedRand(b byte) *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{b}, 4096)) }

func TestLetterCode(t *testing.T) {
	docs := newDocs(t)
	c := &Confirmer{Docs: docs}
	code, l, err := c.IssueLetterCode(ctx(), "5", "150003, Ярославская обл., г. Ярославль, ул. Советская, д. 12, кв. 45", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseLetterCode(code); err != nil || len(code) != LetterCodeLen {
		t.Fatalf("issued code %q: %v", code, err)
	}
	if !l.ExpiresAt.Equal(t0.Add(DefaultLetterTTL)) || len(l.TrackingID) != 14 || l.CodeHash == "" {
		t.Errorf("letter %+v", l)
	}
	raw, _ := docs.GetDocRaw(ctx(), CollLetters, "5", t0)
	if bytes.Contains(raw, []byte(code)) {
		t.Error("the stored letter contains the plain code")
	}
	n := LetterNotice(code, l, "Петров Сергей Александрович")
	for _, want := range []string{FormatLetterCode(code), l.TrackingID, "Петров Сергей Александрович", "г. Ярославль", "до 31.03.2026"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("letter text lacks %q:\n%s", want, n.Body)
		}
	}
	if n.Channel != proofing.ChannelPost || n.Kind != proofing.KindLetterCode || n.Code != code || n.Subject == "" {
		t.Errorf("letter notice %+v", n)
	}

	// A malformed code costs nothing; wrong ones count down.
	if _, err := c.VerifyLetterCode(ctx(), "5", "nonsense", t0); !errors.Is(err, proofing.ErrInvalidLetterCode) {
		t.Errorf("malformed: %v", err)
	}
	wrong := "ZZZZZZZZZZZZ"
	if code == wrong {
		wrong = "YYYYYYYYYYYY"
	}
	for want := DefaultLetterMaxTries - 1; want >= 1; want-- {
		_, err := c.VerifyLetterCode(ctx(), "5", wrong, t0)
		var wc *proofing.WrongCodeError
		if !errors.As(err, &wc) || wc.Remaining != want || !errors.Is(err, proofing.ErrWrongLetterCode) {
			t.Fatalf("wrong code: %v; want %d left", err, want)
		}
		if !strings.Contains(proofing.Message(err), "Осталось попыток") {
			t.Errorf("Message = %q", proofing.Message(err))
		}
	}
	conf, err := c.VerifyLetterCode(ctx(), "5", strings.ToLower(FormatLetterCode(code)), t0.Add(time.Hour))
	if err != nil || conf.Method != proofing.ConfirmLetter || !conf.At.Equal(t0.Add(time.Hour)) || !strings.Contains(conf.By, l.TrackingID) {
		t.Fatalf("right code on the last try: %+v %v", conf, err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "5", code, t0.Add(time.Hour)); !errors.Is(err, proofing.ErrLetterUsed) {
		t.Errorf("reuse: %v", err)
	}
}

func TestLetterCodeLimits(t *testing.T) {
	c := &Confirmer{Docs: newDocs(t), LetterTTL: 48 * time.Hour, LetterMaxTries: 2, Rand: fixedRand(0)}
	if _, err := c.VerifyLetterCode(ctx(), "6", "AAAA-AAAA-AAAA", t0); !errors.Is(err, proofing.ErrNoLetter) {
		t.Errorf("no letter: %v", err)
	}
	code, l, err := c.IssueLetterCode(ctx(), "6", "адрес", t0)
	if err != nil || code != "AAAAAAAAAAAA" || !l.ExpiresAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("deterministic issue: %q %+v %v", code, l, err)
	}
	// Exhausted after MaxTries wrong codes, even for the right one.
	if _, err := c.VerifyLetterCode(ctx(), "6", "BBBB-BBBB-BBBB", t0); !errors.Is(err, proofing.ErrWrongLetterCode) {
		t.Fatalf("first wrong: %v", err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "6", "BBBB-BBBB-BBBB", t0); !errors.Is(err, proofing.ErrLetterTriesExhausted) {
		t.Fatalf("last wrong: %v", err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "6", code, t0); !errors.Is(err, proofing.ErrLetterTriesExhausted) {
		t.Fatalf("right after exhaustion: %v", err)
	}
	// A new letter replaces the old one and resets the tries.
	c.Rand = fixedRand(1)
	code2, _, err := c.IssueLetterCode(ctx(), "6", "адрес", t0)
	if err != nil || code2 != "BBBBBBBBBBBB" {
		t.Fatalf("second letter %q %v", code2, err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "6", code, t0); !errors.Is(err, proofing.ErrWrongLetterCode) {
		t.Errorf("old code after a new letter: %v", err)
	}
	// Expiry: at ExpiresAt the code is expired; long after, the letter is gone.
	if _, err := c.VerifyLetterCode(ctx(), "6", code2, t0.Add(48*time.Hour)); !errors.Is(err, proofing.ErrLetterExpired) {
		t.Errorf("at expiry: %v", err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "6", code2, t0.Add(48*time.Hour+keepAfterExpiry)); !errors.Is(err, proofing.ErrNoLetter) {
		t.Errorf("long after expiry: %v", err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "6", code2, t0.Add(time.Hour)); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	if _, _, err := c.IssueLetterCode(ctx(), "6", "  ", t0); err == nil {
		t.Error("a letter without an address")
	}
	if _, _, err := c.IssueLetterCode(ctx(), "", "адрес", t0); !errors.Is(err, proofing.ErrInvalidUserID) {
		t.Errorf("empty id: %v", err)
	}
	c.Rand = strings.NewReader("")
	if _, _, err := c.IssueLetterCode(ctx(), "6", "адрес", t0); err == nil {
		t.Error("a failing random source must fail IssueLetterCode")
	}
	if err := c.Forget(ctx(), "6"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyLetterCode(ctx(), "6", code2, t0); !errors.Is(err, proofing.ErrNoLetter) {
		t.Errorf("after Forget: %v", err)
	}
}

func TestConfirmAtServiceCentre(t *testing.T) {
	u, p := testUser()
	ok := OperatorCheck{Operator: "Сидорова А. В.", Centre: "МФЦ района Хамовники", Series: "45 21", Number: "634215"}
	tests := []struct {
		name string
		edit func(*storage.User, *proofing.Proofs, *OperatorCheck)
		err  error
	}{
		{"passport matches", func(*storage.User, *proofing.Proofs, *OperatorCheck) {}, nil},
		{"with person data", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) {
			oc.LastName, oc.FirstName, oc.MiddleName, oc.BirthDate = "ИВАНОВА", "Мария", "Ивановна", "1976-06-21"
		}, nil},
		{"other number", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) { oc.Number = "634216" }, proofing.ErrPassportMismatch},
		{"other series", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) { oc.Series = "4522" }, proofing.ErrPassportMismatch},
		{"bad passport", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) { oc.Number = "63421" }, ident.ErrInvalidPassport},
		{"other birth date", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) { oc.BirthDate = "1976-06-22" }, proofing.ErrPersonMismatch},
		{"other surname", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) { oc.LastName = "Петрова" }, proofing.ErrPersonMismatch},
		{"no operator", func(_ *storage.User, _ *proofing.Proofs, oc *OperatorCheck) { oc.Operator = " " }, proofing.ErrOperatorRequired},
		{"passport not verified", func(u *storage.User, _ *proofing.Proofs, _ *OperatorCheck) {
			u.Documents[0].VrfStu = storage.VerifyVerifying
		}, proofing.ErrNotStandard},
		{"SNILS not verified", func(_ *storage.User, p *proofing.Proofs, _ *OperatorCheck) { p.SNILSVrf = storage.VerifyFailed }, proofing.ErrNotStandard},
		{"already confirmed", func(_ *storage.User, p *proofing.Proofs, _ *OperatorCheck) {
			p.Confirmation = &proofing.Confirmation{Method: proofing.ConfirmBank, At: t0}
		}, proofing.ErrAlreadyConfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, p, oc := u, p, ok
			u.Documents = append([]storage.Document(nil), u.Documents...)
			tt.edit(&u, &p, &oc)
			conf, err := ConfirmAtServiceCentre(u, p, oc, t0)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v; want %v", err, tt.err)
			}
			if err != nil {
				if proofing.Message(err) == "" {
					t.Errorf("no message for %v", err)
				}
				return
			}
			if conf.Method != proofing.ConfirmServiceCentre || !conf.At.Equal(t0) || conf.By != "МФЦ района Хамовники, оператор Сидорова А. В." {
				t.Errorf("confirmation %+v", conf)
			}
			p.Confirmation = &conf
			if proofing.LevelOf(u, p) != storage.LevelConfirmed {
				t.Errorf("level after confirmation: %s", proofing.LevelOf(u, p))
			}
		})
	}
}
