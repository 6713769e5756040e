package ident

import "errors"

// Sentinels wrapped by the parsers' errors; match them with errors.Is.
var (
	ErrInvalidPhone    = errors.New("proofing: invalid mobile phone number")
	ErrInvalidEmail    = errors.New("proofing: invalid e-mail address")
	ErrInvalidSNILS    = errors.New("proofing: invalid SNILS")
	ErrSNILSChecksum   = errors.New("proofing: SNILS check digits do not match")
	ErrInvalidINN      = errors.New("proofing: invalid INN")
	ErrINNChecksum     = errors.New("proofing: INN check digits do not match")
	ErrInvalidPassport = errors.New("proofing: invalid passport series or number")
	ErrInvalidUnitCode = errors.New("proofing: invalid passport issuing unit code")
	ErrInvalidLogin    = errors.New("proofing: login is not a phone, e-mail or SNILS")
)

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// digitsOnly removes the separator bytes in seps from s and reports whether only ASCII
// digits remain.
func digitsOnly(s, seps string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			b = append(b, c)
		case c < 0x80 && containsByte(seps, c):
		default:
			return "", false
		}
	}
	return string(b), true
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
