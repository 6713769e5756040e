package proofing

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/storage"
)

func FuzzParseLetterCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JK23", "abcd efgh jk23", "АВСD-ЕFGН-JК2З", "", "ABCD-EFGH-JK2O", "ß", "\u00a0", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseLetterCode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidLetterCode) {
				t.Fatalf("error %v does not wrap ErrInvalidLetterCode", err)
			}
			return
		}
		if len(c) != LetterCodeLen {
			t.Fatalf("ParseLetterCode(%q) = %q", s, c)
		}
		for i := 0; i < len(c); i++ {
			if !strings.ContainsRune(LetterAlphabet, rune(c[i])) {
				t.Fatalf("ParseLetterCode(%q) = %q: %q not in the alphabet", s, c, c[i])
			}
		}
		for _, again := range []string{c, FormatLetterCode(c), strings.ToLower(FormatLetterCode(c))} {
			if back, err := ParseLetterCode(again); err != nil || back != c {
				t.Fatalf("ParseLetterCode(%q) = %q, %v; want %q", again, back, err, c)
			}
		}
	})
}

func FuzzDecodeSignature(f *testing.F) {
	for _, s := range []string{"AAAA", "AAA", "AA==", "A", "", "YWJj\nZGVm", "-_-_", "+/+/", "====", "  \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeSignature(s)
		if err != nil {
			if !errors.Is(err, ErrBadSignatureEncoding) {
				t.Fatalf("error %v does not wrap ErrBadSignatureEncoding", err)
			}
			return
		}
		if len(b) == 0 || len(b) > maxSigBytes {
			t.Fatalf("DecodeSignature(%q): %d bytes", s, len(b))
		}
		if back, err := DecodeSignature(base64.StdEncoding.EncodeToString(b)); err != nil || string(back) != string(b) {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

func FuzzParseCertificates(f *testing.F) {
	p := getPKI(f)
	f.Add(pemOf(p.certs["ecdsa"]))
	f.Add(pemOf(p.certs["rsa"], p.inter))
	f.Add(b64(p.root.Raw))
	f.Add(string(p.inter.Raw))
	f.Add("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		certs, err := ParseCertificates(s)
		if err != nil {
			if !errors.Is(err, ErrBadCertificate) {
				t.Fatalf("error %v does not wrap ErrBadCertificate", err)
			}
			return
		}
		if len(certs) == 0 || len(certs) > maxCerts {
			t.Fatalf("%d certificates", len(certs))
		}
	})
}

// Any certificate and signature text gives a signer or one of the package's errors.
func FuzzVerifySignature(f *testing.F) {
	p := getPKI(f)
	const ch = ChallengePrefix + "1:00"
	f.Add(b64(sign(f, p.keys["ecdsa"], ch)), pemOf(p.certs["ecdsa"]))
	f.Add(b64(sign(f, p.keys["ed25519"], ch)), pemOf(p.certs["ed25519"]))
	f.Add("AAAA", pemOf(p.root))
	f.Add("", "")
	f.Fuzz(func(t *testing.T, sig, certs string) {
		s, err := VerifySignature(ch, sig, certs, p.roots, t0)
		if err != nil {
			if Message(err) == "" {
				t.Fatalf("error %v is none of the package's", err)
			}
			return
		}
		if s.Serial == "" || s.KeyAlgorithm == "" {
			t.Fatalf("signer %+v", s)
		}
	})
}

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
