// Package proofing owns the state of a citizen's identity proofing and the rules over it:
// the verification facts an account holds beside storage.User (Proofs, Confirmation),
// the level they justify (LevelOf, Missing, CanConfirm, Trusted), the account status
// (SetStatus, Effective, LoginAllowed), the notices to the citizen about both (Notice,
// LevelNotice, StatusNotice) and Message, the Russian text for an error of this package or
// of any subpackage below. It has no OIDC types, mounts no routes and keeps no state of
// its own.
//
// The subpackages, by concern (imports point down this list; none imports the provider):
//
//   - ident: parsing, normalising and formatting what a citizen types — phone, e-mail,
//     SNILS, INN, passport, unit code, the login identifier — and name comparison.
//   - esig: qualified e-signature checks against a test CA (certificates, signatures,
//     the Russian subject attributes). Imports ident.
//   - proofing (this package): imports ident and esig for Message. It also declares the
//     errors of registry and confirm, which build on its Proofs and levels, so that
//     Message covers them without an import cycle.
//   - registry: the emulated state registries (pension fund, interior ministry, tax
//     service): asynchronous checks in storage.Docs and their verdicts on Proofs.
//   - confirm: identity confirmation by registered letter, at a service centre and by
//     qualified e-signature, ending in a Confirmation.
//   - personagen: seeded, realistic test citizens. Imports ident.
//
// Callers: the provider's registration, profile, login, recovery and admin handlers, its
// claims (Trusted), and persona seeding; config takes registry.Fixtures.
package proofing
