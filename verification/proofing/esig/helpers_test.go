package esig

import (
	"errors"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testUser is the citizen the test certificates name: Иванова Мария Ивановна, SNILS 112-233-445 95.
func testUser() storage.User {
	return storage.User{ID: "1000000003", LastName: "Иванова", FirstName: "Мария", MiddleName: "Ивановна",
		BirthDate: "1976-06-21", Phone: "+79990000003", PhoneVerified: true, SNILS: "11223344595", INN: "500100732259"}
}

func snils(nine string) string { return nine + ident.SNILSControl(nine) }

// isSentinel reports whether err wraps one of the package's errors (each has a Russian
// text in proofing.Message; the proofing package's tests check that).
func isSentinel(err error) bool {
	for _, s := range []error{ErrNoTrustedCA, ErrBadCertificate, ErrCertUntrusted, ErrCertExpired,
		ErrBadSignatureEncoding, ErrBadSignature, ErrUnsupportedKey, ErrSignerMismatch} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
