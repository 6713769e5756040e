package ident

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Login kinds; the values equal storage.LoginKind's.
const (
	KindPhone = "phone"
	KindEmail = "email"
	KindSNILS = "snils"
	KindINN   = "inn"
)

// Login is one reading of a login identifier: its kind and normalised value.
type Login struct {
	Kind  string
	Value string
}

// snilsGrouped matches a SNILS written in its own 3-3-3-2 grouping ("123-456-789 01",
// "123 456 789 01", "123-456-789-01"), which no phone layout shares.
var snilsGrouped = regexp.MustCompile(`^\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}$`)

// LoginCandidates returns every plausible reading of a login typed on the login form, the
// most likely first; nil when there is none. Anything with '@' is an e-mail; a SNILS in its
// 3-3-3-2 grouping is only a SNILS; a number with '+', parentheses or dots, or ten digits
// starting with 9, is only a phone. Eleven bare digits starting with 7 or 8 are ambiguous:
// a phone first and, if its checksum holds, a SNILS second, so the caller tries each.
// Twelve digits whose check digits hold are a person's INN (no phone or SNILS has twelve).
func LoginCandidates(s string) []Login {
	t := strings.TrimSpace(s)
	if strings.Contains(t, "@") {
		if e, err := NormalizeEmail(t); err == nil {
			return []Login{{KindEmail, e}}
		}
		return nil
	}
	var out []Login
	if !snilsGrouped.MatchString(t) {
		if p, err := NormalizePhone(t); err == nil {
			out = append(out, Login{KindPhone, p})
		}
	}
	if n, err := NormalizeSNILS(t); err == nil {
		out = append(out, Login{KindSNILS, n})
	}
	if n, err := NormalizeINN(t); err == nil {
		out = append(out, Login{KindINN, n})
	}
	return out
}

// ParseLogin returns the most likely reading of a login (the first of LoginCandidates).
// When there is none, the error wraps ErrInvalidLogin and, when the input's shape names a
// kind, that kind's sentinel (ErrInvalidEmail, ErrInvalidPhone, ErrInvalidSNILS with
// ErrSNILSChecksum), so the form can say what to fix.
func ParseLogin(s string) (kind, value string, err error) {
	if c := LoginCandidates(s); len(c) > 0 {
		return c[0].Kind, c[0].Value, nil
	}
	t := strings.TrimSpace(s)
	var cause error
	switch {
	case t == "":
		return "", "", fmt.Errorf("%w: empty", ErrInvalidLogin)
	case strings.Contains(t, "@"):
		_, cause = NormalizeEmail(t)
	default:
		_, perr := NormalizePhone(t)
		_, serr := NormalizeSNILS(t)
		_, ierr := NormalizeINN(t)
		switch {
		case errors.Is(serr, ErrSNILSChecksum):
			cause = serr
		case errors.Is(ierr, ErrINNChecksum):
			cause = ierr
		case strings.HasPrefix(t, "+") || strings.ContainsAny(t, "()"):
			cause = perr
		default:
			return "", "", fmt.Errorf("%w: %q", ErrInvalidLogin, s)
		}
	}
	return "", "", fmt.Errorf("%w: %w", ErrInvalidLogin, cause)
}
