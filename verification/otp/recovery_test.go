package otp

import (
	"regexp"
	"strings"
	"testing"
)

var reRecovery = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$`)

func TestRecoveryCodes(t *testing.T) {
	plain, hashes, err := NewRecoveryCodes(seeded(4), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 10 || len(hashes) != 10 {
		t.Fatalf("%d codes, %d hashes", len(plain), len(hashes))
	}
	seen := map[string]bool{}
	for i, p := range plain {
		if !reRecovery.MatchString(p) || seen[p] {
			t.Fatalf("code %q malformed or repeated", p)
		}
		seen[p] = true
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hashes[i]) || strings.Contains(hashes[i], strings.ReplaceAll(p, "-", "")) {
			t.Fatalf("hash %q of %q", hashes[i], p)
		}
	}

	// Typed differently: upper case, no dashes, spaces, look-alikes.
	typed := strings.ToUpper(strings.ReplaceAll(plain[3], "-", " "))
	typed = strings.NewReplacer("0", "O", "1", "l").Replace(typed)
	remaining, ok := UseRecoveryCode(hashes, typed)
	if !ok || len(remaining) != 9 {
		t.Fatalf("use %q: ok=%v, %d left", typed, ok, len(remaining))
	}
	for _, h := range remaining {
		if h == hashes[3] {
			t.Fatal("used hash still listed")
		}
	}
	if _, ok := UseRecoveryCode(remaining, plain[3]); ok {
		t.Fatal("a used code worked twice")
	}
	if again, ok := UseRecoveryCode(remaining, plain[4]); !ok || len(again) != 8 {
		t.Fatal("another code failed")
	}
	for _, bad := range []string{"", "abcd-efgh", "abcd-efgh-ijkl-m", "uuuu-uuuu-uuuu", "абвг-деёж-зийк"} {
		if _, ok := UseRecoveryCode(hashes, bad); ok {
			t.Fatalf("%q matched", bad)
		}
	}
	if _, _, err := NewRecoveryCodes(strings.NewReader("short"), 1); err == nil {
		t.Fatal("short random source accepted")
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	for in, want := range map[string]string{
		"abcd-efgh-jkmn":     "abcd-efgh-jkmn",
		" ABCD EFGH JKMN ":   "abcd-efgh-jkmn",
		"abcdefghjkmn":       "abcd-efgh-jkmn",
		"oOiI-lL00-1111":     "0011-1100-1111",
		"abcd-efgh-jkmu":     "",
		"abcd-efgh-jkm":      "",
		"\u212acd-efgh-jkmn": "", // Kelvin sign is not k
	} {
		got, ok := NormalizeRecoveryCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
