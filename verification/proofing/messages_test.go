package proofing

import (
	"errors"
	"testing"

	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

func TestMessages(t *testing.T) {
	for _, m := range messages {
		if Message(m.err) != m.ru || m.ru == "" {
			t.Errorf("Message(%v) = %q", m.err, Message(m.err))
		}
	}
	// Specific before general: a checksum error wraps both sentinels.
	_, err := ident.NormalizeSNILS("112-233-445 96")
	if Message(err) != messages[0].ru {
		t.Errorf("checksum message: %q", Message(err))
	}
	if Message(errors.New("other")) != "" || Message(nil) != "" {
		t.Error("unknown errors have no message")
	}
}

// Every sentinel of the subpackages that a citizen can meet has a Russian text.
func TestSubpackageErrorsHaveMessages(t *testing.T) {
	for _, err := range []error{
		ident.ErrInvalidPhone, ident.ErrInvalidEmail, ident.ErrInvalidSNILS, ident.ErrSNILSChecksum,
		ident.ErrInvalidINN, ident.ErrINNChecksum, ident.ErrInvalidPassport, ident.ErrInvalidUnitCode, ident.ErrInvalidLogin,
		esig.ErrNoTrustedCA, esig.ErrBadCertificate, esig.ErrCertUntrusted, esig.ErrCertExpired,
		esig.ErrBadSignatureEncoding, esig.ErrBadSignature, esig.ErrUnsupportedKey, esig.ErrSignerMismatch,
		ErrUnknownCheck, ErrInvalidUserID, &WrongCodeError{Remaining: 1},
	} {
		if Message(err) == "" {
			t.Errorf("no message for %v", err)
		}
	}
}
