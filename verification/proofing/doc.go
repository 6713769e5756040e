// Package proofing owns the validation and normalisation of the identity data a citizen
// types in: mobile phone, e-mail, SNILS, INN, passport series and number, the issuing unit
// code, and the login identifier (phone, e-mail or SNILS) on the login form.
//
// Every parser returns the canonical form the emulator stores and compares — phone
// +7XXXXXXXXXX, e-mail lower-case, SNILS 11 digits, INN 12 (person) or 10 (organisation)
// digits, unit code ddd-ddd — or an error wrapping one of the package's sentinels, so a
// handler can pick the Russian message with errors.Is and log the detail. Checksum errors
// wrap both the format sentinel and the checksum one (ErrInvalidSNILS and ErrSNILSChecksum).
// Formatters (FormatSNILS, FormatPhoneESIA) turn canonical values back into the forms ESIA
// shows and returns; the *Control helpers compute check digits for generating test personas.
//
// Callers: the provider's login handler (ParseLogin, LoginCandidates), its registration,
// profile and recovery handlers (the Normalize* and Parse* functions), and persona seeding.
// It also decides account levels (LevelOf, Trusted), runs the emulated registries
// (Registries, Outcome — the default rules are documented on Registries), the identity
// confirmation methods (Confirmer, ConfirmAtServiceCentre) and the status rules (SetStatus,
// LoginAllowed), keeping their state in storage.Docs. It has no OIDC types and mounts no
// routes; Kind* constants equal the storage.LoginKind values. Subpackage personagen makes
// seeded, realistic test citizens.
package proofing
