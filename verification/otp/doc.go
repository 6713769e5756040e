// Package otp owns one-time codes and the messages that carry them: SMS (and e-mail) codes,
// authenticator-app codes (TOTP), recovery codes, and the Sender seam with its default, the
// outbox.
//
// SMS issues ESIA-style codes: 6 uniform digits from the injected random source, valid 300 s,
// 3 tries per code, "send again" after 60 s, at most Config.MaxPerHour codes per address in
// any 60 minutes (a sliding window kept in storage.Docs). A challenge is keyed by the caller
// (account or typed login plus purpose) and stored in the "otp" collection with only an
// HMAC-SHA256 of the code, keyed by a random per-challenge salt and bound to the key (and to
// Config.Pepper when set); Verify compares HMACs with hmac.Equal. The try count and the
// single use are decided in one storage.UpdateDoc, so concurrent entries are exact. Typed
// errors are the ones the code page branches on: *WrongCodeError{TriesLeft},
// *ResendTooSoonError{RetryAt}, *RateLimitedError{RetryAt}; sentinels ErrCodeExpired,
// ErrNoChallenge (wraps ErrCodeExpired), ErrNoTriesLeft, ErrCodeUsed.
//
// TOTP enrols an authenticator (NewSecret: base32 secret, otpauth:// URL, QR code PNG) and
// verifies its codes with github.com/pquerna/otp at the injected clock: SHA-1, 6 digits,
// 30 s, ±1 step. The replay guard keeps per user the last accepted step (collection "totp",
// expiring a few periods later) and accepts only later steps, atomically, so a code — or an
// older one — is never accepted twice. NewRecoveryCodes makes 10 single-use codes
// "xxxx-xxxx-xxxx" (60 bits each) stored as SHA-256 hashes; UseRecoveryCode spends one.
//
// Message and Sender are how every notice reaches a citizen (codes, login and lock
// notices). Outbox, the default Sender, keeps messages in the "outbox" collection (and a copy
// per recipient in "outbox-to", so one address's messages are listed without reading the
// others), lists them with filters and lets a caller Wait for the next matching one without polling on its
// side; WebhookSender POSTs messages to a real gateway. LockNotice builds the lock notice.
//
// Callers: the provider's login flow (SMS.Start/Verify for the SMS second factor,
// TOTP.Verify, UseRecoveryCode), its registration and password-recovery handlers
// (SMS with KindRegistrationCode / KindRecoveryCode), its account pages (TOTP.NewSecret and
// the first Verify to enable the authenticator; password plus a current code to disable it;
// NewRecoveryCodes) and its outbox page and JSON API (Outbox.List, Wait, Clear). Wrong codes
// should also be counted by the caller in lockout's second-factor counter. The package
// mounts no routes and has no OIDC types.
package otp
