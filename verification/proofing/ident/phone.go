package ident

import (
	"fmt"
	"strings"
)

// phoneSeps are the separators accepted inside a phone number.
const phoneSeps = " \t-()."

// NormalizePhone accepts a Russian number written as +7XXXXXXXXXX, 8XXXXXXXXXX,
// 7XXXXXXXXXX or 9XXXXXXXXX (ten digits), with spaces, dashes, dots and parentheses
// anywhere ("+7 (999) 000-00-01", "8-999-000-00-01"), and returns +7XXXXXXXXXX. A '+' is
// allowed only first and must be followed by 7. Errors wrap ErrInvalidPhone.
func NormalizePhone(s string) (string, error) {
	t := strings.TrimSpace(s)
	rest, plus := strings.CutPrefix(t, "+")
	rest = strings.ReplaceAll(rest, "\u00a0", " ")
	d, ok := digitsOnly(rest, phoneSeps)
	switch {
	case !ok:
		return "", fmt.Errorf("%w: %q has characters other than digits and separators", ErrInvalidPhone, s)
	case plus && len(d) == 11 && d[0] == '7':
	case plus:
		return "", fmt.Errorf("%w: %q: after '+' want 7 and 10 digits", ErrInvalidPhone, s)
	case len(d) == 11 && (d[0] == '7' || d[0] == '8'):
	case len(d) == 10 && d[0] == '9':
		d = "7" + d
	default:
		return "", fmt.Errorf("%w: %q: want +7, 8 or 7 and 10 digits, or 10 digits starting with 9", ErrInvalidPhone, s)
	}
	return "+7" + d[1:], nil
}

// FormatPhoneESIA writes a phone in the ESIA contact format +7(999)0000001. Input that
// NormalizePhone rejects is returned unchanged.
func FormatPhoneESIA(norm string) string {
	n, err := NormalizePhone(norm)
	if err != nil {
		return norm
	}
	return "+7(" + n[2:5] + ")" + n[5:]
}
