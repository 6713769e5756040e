package otp

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456 ", "123-456", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "", "\xff"} {
		f.Add(s)
	}
	digits := regexp.MustCompile(`^[0-9]{6}$`)
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := NormalizeCode(s, 6)
		if ok != digits.MatchString(code) {
			t.Fatalf("NormalizeCode(%q) = %q, %v", s, code, ok)
		}
		if again, ok2 := NormalizeCode(code, 6); again != code || ok2 != ok {
			t.Fatalf("not idempotent: %q -> %q", code, again)
		}
	})
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, s := range []string{"abcd-efgh-jkmn", "ABCD EFGH JKMN", "oOiI-lL00-1111", "abcd", "\u212acd-efgh-jkmn", "", "----"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := NormalizeRecoveryCode(s)
		if !ok {
			if _, hok := HashRecoveryCode(s); hok {
				t.Fatalf("HashRecoveryCode accepts %q that NormalizeRecoveryCode refuses", s)
			}
			return
		}
		if !reRecovery.MatchString(code) {
			t.Fatalf("NormalizeRecoveryCode(%q) = %q: not canonical", s, code)
		}
		if again, ok := NormalizeRecoveryCode(code); !ok || again != code {
			t.Fatalf("not idempotent: %q -> %q", code, again)
		}
		h1, _ := HashRecoveryCode(s)
		h2, _ := HashRecoveryCode(code)
		if h1 != h2 {
			t.Fatalf("spellings of %q hash differently", code)
		}
		if rem, used := UseRecoveryCode([]string{h2}, strings.ToUpper(s)); !used || len(rem) != 0 {
			t.Fatalf("upper-case %q not accepted", s)
		}
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"+79990000001", "ivanov@mail.ru", "@x", "a@", "", "1", "\xff@x", "ул. Ленина, 1"} {
		f.Add(ChannelSMS, s)
		f.Add(ChannelEmail, s)
	}
	rePhone := regexp.MustCompile(`^\+7 \(\d{3}\) \*\*\*-\*\*-\d{2}$`)
	f.Fuzz(func(t *testing.T, channel, to string) {
		m := Mask(channel, to)
		if isRUPhone(to) && !strings.Contains(to, "@") {
			if !rePhone.MatchString(m) {
				t.Fatalf("Mask(%q, %q) = %q", channel, to, m)
			}
			return
		}
		hidden := []rune(m)
		if at := strings.LastIndexByte(m, '@'); at > 0 && (channel == ChannelEmail || channel != ChannelSMS) && strings.HasSuffix(to, m[at:]) {
			_, size := utf8.DecodeRuneInString(m)
			hidden = []rune(m[size:at]) // the local part after its first character
		} else if len(hidden) >= 2 {
			hidden = hidden[:len(hidden)-2]
		}
		for _, r := range hidden {
			if r != '*' {
				t.Fatalf("Mask(%q, %q) = %q shows %q", channel, to, m, r)
			}
		}
	})
}
