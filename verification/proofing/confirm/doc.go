// Package confirm owns identity confirmation. Three of ESIA's methods are emulated; each
// ends in a proofing.Confirmation the provider stores on the account
// (proofing.Proofs.Confirmation), after which proofing.LevelOf gives confirmed:
//
//   - service centre: an operator checks the passport in person; ConfirmAtServiceCentre is a
//     pure check of what the operator typed against the account's verified passport;
//   - registered letter: IssueLetterCode stores a hashed 12-character code and returns the
//     letter for the outbox's post channel (LetterNotice); the citizen types the code on the
//     account page and VerifyLetterCode checks it (expiry, limited tries, single use);
//   - qualified e-signature: NewChallenge stores a text the citizen signs with a key whose
//     certificate chains to the configured test CA; ConfirmSignature checks the signature, the
//     chain and that the certificate names the citizen (through package esig).
//
// Callers check proofing.CanConfirm first (the account must be standard and not yet
// confirmed). State: letters and challenges in storage.Docs (CollLetters, CollChallenges),
// keyed by account id. No routes. Errors are declared in package proofing (ErrNoLetter,
// *proofing.WrongCodeError, ErrNoChallenge, …) so that proofing.Message covers them.
//
// Callers: the provider's profile handlers (letter, e-signature) and its admin API
// (service centre).
package confirm
