package ident

import (
	"fmt"
	"strings"
)

var (
	innWeights10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// NormalizeINN checks a person's INN: 12 digits (spaces allowed) whose last two are check
// digits. Errors wrap ErrInvalidINN; a checksum mismatch wraps ErrINNChecksum as well.
func NormalizeINN(s string) (string, error) {
	d, ok := digitsOnly(strings.TrimSpace(s), " ")
	if !ok || len(d) != 12 {
		return "", fmt.Errorf("%w: %q: a person's INN has 12 digits", ErrInvalidINN, s)
	}
	if d[10:] != INNControl(d[:10]) {
		return "", fmt.Errorf("%w: %w: %q", ErrInvalidINN, ErrINNChecksum, s)
	}
	return d, nil
}

// NormalizeOrgINN checks an organisation's INN: 10 digits (spaces allowed) whose last is a
// check digit. Errors wrap ErrInvalidINN; a checksum mismatch wraps ErrINNChecksum as well.
func NormalizeOrgINN(s string) (string, error) {
	d, ok := digitsOnly(strings.TrimSpace(s), " ")
	if !ok || len(d) != 10 {
		return "", fmt.Errorf("%w: %q: an organisation's INN has 10 digits", ErrInvalidINN, s)
	}
	if d[9:] != OrgINNControl(d[:9]) {
		return "", fmt.Errorf("%w: %w: %q", ErrInvalidINN, ErrINNChecksum, s)
	}
	return d, nil
}

// INNControl returns the two check digits of a person's INN from its first 10 digits, or ""
// unless prefix10 is ten ASCII digits.
func INNControl(prefix10 string) string {
	if len(prefix10) != 10 || !allDigits(prefix10) {
		return ""
	}
	c11 := innCheck(prefix10, innWeights11)
	c12 := innCheck(prefix10+string(c11), innWeights12)
	return string([]byte{c11, c12})
}

// OrgINNControl returns the check digit of an organisation's INN from its first 9 digits,
// or "" unless prefix9 is nine ASCII digits.
func OrgINNControl(prefix9 string) string {
	if len(prefix9) != 9 || !allDigits(prefix9) {
		return ""
	}
	return string(innCheck(prefix9, innWeights10))
}

func innCheck(digits string, weights []int) byte {
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	return byte('0' + sum%11%10)
}
