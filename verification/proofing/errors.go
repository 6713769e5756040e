package proofing

import (
	"errors"
	"fmt"
	"strings"
)

// The errors of the subpackages registry and confirm are declared here, beside the
// account rules they guard, so that Message can give each its Russian text without an
// import cycle (both subpackages build on this package's Proofs and levels). The parsers'
// errors live in ident and the certificate checks' in esig.

// ErrUnknownCheck: the check kind is not snils, passport or inn.
var ErrUnknownCheck = errors.New("proofing: unknown registry check")

// ErrInvalidUserID: an account id is empty or contains '/'.
var ErrInvalidUserID = errors.New("proofing: invalid account id")

// CheckUserID returns an error wrapping ErrInvalidUserID when id cannot key an account's
// documents (registry checks, letters and challenges are stored under it).
func CheckUserID(id string) error {
	if id == "" || strings.Contains(id, "/") {
		return fmt.Errorf("%w: %q", ErrInvalidUserID, id)
	}
	return nil
}

// Errors of confirm's letter method.
var (
	ErrInvalidLetterCode    = errors.New("proofing: the letter code must be 12 letters and digits")
	ErrNoLetter             = errors.New("proofing: no letter with a code was ordered")
	ErrLetterExpired        = errors.New("proofing: the letter code has expired")
	ErrWrongLetterCode      = errors.New("proofing: wrong letter code")
	ErrLetterTriesExhausted = errors.New("proofing: too many wrong letter codes; order a new letter")
	ErrLetterUsed           = errors.New("proofing: the letter code was already used")
)

// WrongCodeError is a wrong letter code with the tries left; it matches ErrWrongLetterCode.
type WrongCodeError struct{ Remaining int }

func (e *WrongCodeError) Error() string {
	return fmt.Sprintf("%v (%d tries left)", ErrWrongLetterCode, e.Remaining)
}

func (e *WrongCodeError) Unwrap() error { return ErrWrongLetterCode }

// Errors of confirm's service-centre method.
var (
	ErrOperatorRequired = errors.New("proofing: the operator must be named")
	ErrPassportMismatch = errors.New("proofing: the passport shown is not the account's verified passport")
	ErrPersonMismatch   = errors.New("proofing: the person's data do not match the account")
)

// Errors of confirm's e-signature method (see also esig.VerifySignature's).
var (
	ErrNoChallenge             = errors.New("proofing: no signature challenge was issued")
	ErrChallengeExpired        = errors.New("proofing: the signature challenge has expired")
	ErrChallengeUsed           = errors.New("proofing: the signature challenge was already used")
	ErrChallengeTriesExhausted = errors.New("proofing: too many failed signatures; request a new challenge")
)
