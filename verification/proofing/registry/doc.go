// Package registry emulates the state registries that verify a citizen's data, as ESIA
// does asynchronously: the pension fund (СФР) checks the SNILS, the interior ministry (МВД)
// the RF passport and the tax service (ФНС) the INN. Registries.Submit stores a check
// VERIFYING, Poll and Resolve turn due checks into VERIFIED or VERIFICATION_FAILED with a
// reason, and MarkVerifying and ApplyCheck write the verdict onto the account's
// proofing.Proofs (and the passport's VrfStu). What a registry "knows" is Fixtures from the
// configuration, then the default rules documented on Registries; Outcome is that decision
// as a pure function. CheckNotice words each step for the citizen.
//
// State: checks in storage.Docs (collection CollChecks). No routes. Errors are
// proofing.ErrUnknownCheck, proofing.ErrInvalidUserID and the ident parsers' sentinels.
//
// Callers: the provider's profile handlers (submit, poll, show checks) and its test-mode
// fault injection (Registries.Override); config takes Fixtures.
package registry
