package confirm

import (
	"errors"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

func FuzzParseLetterCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JK23", "abcd efgh jk23", "АВСD-ЕFGН-JК2З", "", "ABCD-EFGH-JK2O", "ß", "\u00a0", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseLetterCode(s)
		if err != nil {
			if !errors.Is(err, proofing.ErrInvalidLetterCode) {
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
