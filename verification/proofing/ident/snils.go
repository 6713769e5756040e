package ident

import (
	"fmt"
	"strconv"
	"strings"
)

// snilsUncheckedMax is the highest 9-digit SNILS number (001-001-998) whose control number
// is not checked: such numbers were issued before the checksum existed.
const snilsUncheckedMax = 1001998

// NormalizeSNILS accepts a SNILS with or without spaces and dashes ("123-456-789 01",
// "12345678901") and returns its 11 digits. For numbers above 001-001-998 the last two
// digits must equal SNILSControl of the first nine. Errors wrap ErrInvalidSNILS; a checksum
// mismatch wraps ErrSNILSChecksum as well.
func NormalizeSNILS(s string) (string, error) {
	d, ok := digitsOnly(strings.TrimSpace(s), " -")
	if !ok || len(d) != 11 {
		return "", fmt.Errorf("%w: %q: want 11 digits", ErrInvalidSNILS, s)
	}
	n, _ := strconv.Atoi(d[:9])
	if n > snilsUncheckedMax && d[9:] != SNILSControl(d[:9]) {
		return "", fmt.Errorf("%w: %w: %q", ErrInvalidSNILS, ErrSNILSChecksum, s)
	}
	return d, nil
}

// SNILSControl returns the two control digits for a 9-digit SNILS number: the sum of the
// digits weighted 9..1 from the left; below 100 it is the control, 100 and 101 give 00,
// above 101 it is taken mod 101 (and a result of 100 gives 00). It returns "" unless nine is
// nine ASCII digits.
func SNILSControl(nine string) string {
	if len(nine) != 9 || !allDigits(nine) {
		return ""
	}
	sum := 0
	for i := range 9 {
		sum += int(nine[i]-'0') * (9 - i)
	}
	if sum > 101 {
		sum %= 101
	}
	if sum == 100 || sum == 101 {
		sum = 0
	}
	return fmt.Sprintf("%02d", sum)
}

// FormatSNILS writes 11 digits as "123-456-789 01". Other input is returned unchanged.
func FormatSNILS(digits string) string {
	if len(digits) != 11 || !allDigits(digits) {
		return digits
	}
	return digits[0:3] + "-" + digits[3:6] + "-" + digits[6:9] + " " + digits[9:]
}
