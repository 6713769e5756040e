package ident

import (
	"fmt"
	"net/mail"
	"strings"
)

// MaxEmailLen is the longest address accepted (RFC 5321 path limit less the angle brackets).
const MaxEmailLen = 254

// NormalizeEmail trims and lower-cases s and checks that it is a bare address
// (local@domain, no display name, no angle brackets, no quoted local part, no comments)
// that net/mail accepts, with a dot inside the domain, domain labels of 1–63 bytes that
// neither start nor end with '-', and at most MaxEmailLen bytes. Internationalised
// addresses (иван@почта.рф) are accepted as typed; lower-casing is Unicode-aware.
// Errors wrap ErrInvalidEmail.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidEmail)
	}
	if len(e) > MaxEmailLen {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidEmail, MaxEmailLen)
	}
	a, err := mail.ParseAddress(e)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %w", ErrInvalidEmail, s, err)
	}
	if a.Name != "" || a.Address != e {
		return "", fmt.Errorf("%w: %q is not a bare address", ErrInvalidEmail, s)
	}
	local, domain, _ := strings.Cut(e, "@")
	if strings.Contains(domain, "@") || strings.ContainsAny(e, "\"[]()<>\\ ") {
		return "", fmt.Errorf("%w: %q: quoted, literal or commented parts are not accepted", ErrInvalidEmail, s)
	}
	if len(local) > 64 {
		return "", fmt.Errorf("%w: local part longer than 64 bytes", ErrInvalidEmail)
	}
	if i := strings.IndexByte(domain, '.'); i <= 0 || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("%w: %q: domain needs a dot inside", ErrInvalidEmail, s)
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("%w: %q: bad domain label %q", ErrInvalidEmail, s, label)
		}
	}
	return e, nil
}
