package password

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MinLength is the least number of characters (runes) a password may have.
const MinLength = 8

// Violation names one broken password rule. Its value is a stable code for logs and
// templates; Message gives the citizen's Russian text.
type Violation string

// The password rules, in the order CheckPolicy reports them.
const (
	ViolationTooShort  Violation = "too_short"        // fewer than MinLength characters
	ViolationCharClass Violation = "char_classes"     // lacks an upper-case letter, a lower-case letter or a digit
	ViolationSequence  Violation = "sequence"         // "aaa", "abc", "321" and the like
	ViolationPersonal  Violation = "personal_data"    // contains the login, name, birth date…
	ViolationMismatch  Violation = "confirm_mismatch" // confirmation differs
)

// Message returns the Russian text shown to the citizen.
func (v Violation) Message() string {
	switch v {
	case ViolationTooShort:
		return "Пароль должен содержать не менее 8 символов"
	case ViolationCharClass:
		return "Пароль должен содержать заглавные и строчные буквы и цифры"
	case ViolationSequence:
		return "Пароль не должен содержать повторяющиеся или последовательные символы"
	case ViolationPersonal:
		return "Пароль не должен содержать личные данные"
	case ViolationMismatch:
		return "Пароли не совпадают"
	}
	return "Пароль не соответствует требованиям"
}

// MessageEN returns the English text.
func (v Violation) MessageEN() string {
	switch v {
	case ViolationTooShort:
		return "The password must be at least 8 characters long"
	case ViolationCharClass:
		return "The password must contain upper-case and lower-case letters and digits"
	case ViolationSequence:
		return "The password must not contain repeated or sequential characters"
	case ViolationPersonal:
		return "The password must not contain personal data"
	case ViolationMismatch:
		return "The passwords do not match"
	}
	return "The password does not meet the requirements"
}

// CheckPolicy returns the rules pw breaks, each once, in the order of the Violation
// constants; nil means pw is acceptable. confirm is the repeated entry. personal holds the
// citizen's data the password must not contain (login, surname, name, birth date forms — see
// DateForms); it is matched case-insensitively and strings shorter than 3 characters are
// ignored.
func CheckPolicy(pw, confirm string, personal ...string) []Violation {
	var out []Violation
	if utf8.RuneCountInString(pw) < MinLength {
		out = append(out, ViolationTooShort)
	}
	if !hasCharClasses(pw) {
		out = append(out, ViolationCharClass)
	}
	if hasSequence(pw) {
		out = append(out, ViolationSequence)
	}
	if containsPersonal(pw, personal) {
		out = append(out, ViolationPersonal)
	}
	if pw != confirm {
		out = append(out, ViolationMismatch)
	}
	return out
}

// DateForms returns the ways a date is commonly written inside passwords (1990, 01.02.1990,
// 01021990, 19900201, 1990-02-01, 010290), for passing a birth date to CheckPolicy.
func DateForms(d time.Time) []string {
	return []string{
		d.Format("2006"),
		d.Format("02.01.2006"),
		d.Format("02012006"),
		d.Format("20060102"),
		d.Format("2006-01-02"),
		d.Format("020106"),
	}
}

func isLetter(r rune) bool {
	return unicode.In(r, unicode.Latin, unicode.Cyrillic) && unicode.IsLetter(r)
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func hasCharClasses(pw string) bool {
	var upper, lower, digit bool
	for _, r := range pw {
		switch {
		case isDigit(r):
			digit = true
		case isLetter(r) && unicode.IsUpper(r):
			upper = true
		case isLetter(r) && unicode.IsLower(r):
			lower = true
		}
	}
	return upper && lower && digit
}

// hasSequence reports a run of three identical characters, or three letters or three
// digits whose code points ascend or descend by one, ignoring case.
func hasSequence(pw string) bool {
	rs := []rune(strings.ToLower(pw))
	for i := 2; i < len(rs); i++ {
		a, b, c := rs[i-2], rs[i-1], rs[i]
		if a == b && b == c {
			return true
		}
		d := b - a
		if (d == 1 || d == -1) && c-b == d && sameClass(a, b, c) {
			return true
		}
	}
	return false
}

func sameClass(rs ...rune) bool {
	digits, latin, cyrillic := true, true, true
	for _, r := range rs {
		digits = digits && isDigit(r)
		latin = latin && unicode.IsLetter(r) && unicode.Is(unicode.Latin, r)
		cyrillic = cyrillic && unicode.IsLetter(r) && unicode.Is(unicode.Cyrillic, r)
	}
	return digits || latin || cyrillic
}

func containsPersonal(pw string, personal []string) bool {
	low := strings.ToLower(pw)
	for _, p := range personal {
		p = strings.TrimSpace(p)
		if utf8.RuneCountInString(p) < 3 {
			continue
		}
		if strings.Contains(low, strings.ToLower(p)) {
			return true
		}
	}
	return false
}
