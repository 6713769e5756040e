package ident

import (
	"fmt"
	"strings"
)

// Passport is a Russian internal passport's series (4 digits) and number (6 digits).
type Passport struct {
	Series string
	Number string
}

// String writes the passport as ESIA shows it: "45 06 123456".
func (p Passport) String() string {
	if len(p.Series) != 4 {
		return p.Series + " " + p.Number
	}
	return p.Series[:2] + " " + p.Series[2:] + " " + p.Number
}

// ParsePassport checks a series of 4 digits ("4506" or "45 06") and a number of 6 digits
// (spaces allowed) and returns them without spaces. Errors wrap ErrInvalidPassport.
func ParsePassport(series, number string) (Passport, error) {
	s, ok := digitsOnly(strings.TrimSpace(series), " ")
	if !ok || len(s) != 4 {
		return Passport{}, fmt.Errorf("%w: series %q: want 4 digits", ErrInvalidPassport, series)
	}
	n, ok := digitsOnly(strings.TrimSpace(number), " ")
	if !ok || len(n) != 6 {
		return Passport{}, fmt.Errorf("%w: number %q: want 6 digits", ErrInvalidPassport, number)
	}
	return Passport{Series: s, Number: n}, nil
}

// NormalizeUnitCode checks the issuing unit code ("код подразделения"), "ddd-ddd" or
// "dddddd", and returns "ddd-ddd". Errors wrap ErrInvalidUnitCode.
func NormalizeUnitCode(s string) (string, error) {
	t := strings.TrimSpace(s)
	var d string
	switch {
	case len(t) == 6 && allDigits(t):
		d = t
	case len(t) == 7 && t[3] == '-' && allDigits(t[:3]) && allDigits(t[4:]):
		d = t[:3] + t[4:]
	default:
		return "", fmt.Errorf("%w: %q: want ddd-ddd", ErrInvalidUnitCode, s)
	}
	return d[:3] + "-" + d[3:], nil
}
