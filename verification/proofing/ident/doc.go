// Package ident owns the validation and normalisation of the identity data a citizen
// types in: mobile phone, e-mail, SNILS, INN, passport series and number, the issuing unit
// code, and the login identifier (phone, e-mail or SNILS) on the login form.
//
// Every parser returns the canonical form the emulator stores and compares — phone
// +7XXXXXXXXXX, e-mail lower-case, SNILS 11 digits, INN 12 (person) or 10 (organisation)
// digits, unit code ddd-ddd — or an error wrapping one of the package's sentinels, so a
// handler can pick the Russian message with proofing.Message (errors.Is) and log the
// detail. Checksum errors wrap both the format sentinel and the checksum one
// (ErrInvalidSNILS and ErrSNILSChecksum). Formatters (FormatSNILS, FormatPhoneESIA) turn
// canonical values back into the forms ESIA shows and returns; the *Control helpers
// compute check digits for generating test personas. SameName compares citizens' names
// (case, ё/е and spacing ignored). Kind* constants equal the storage.LoginKind values.
//
// It is pure: no storage, no state, no routes; it imports only the standard library.
//
// Callers: the provider's login, registration, profile, recovery and persona handlers and
// its claims; the registries, the service-centre and e-signature checks (proofing/registry,
// proofing/confirm, proofing/esig); personagen.
package ident
