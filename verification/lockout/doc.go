// Package lockout owns failure counting and locks: per account for passwords, per account
// for second-factor codes (a separate counter), and per client IP across accounts.
//
// The rules come from the Gosuslugi help texts — three wrong passwords or codes lock the
// account for 15 minutes, after which it unlocks by itself (DefaultPolicy) — with Keycloak's
// brute-force knobs in Policy: failures before a lock, lock length, growth of consecutive
// locks and its cap, the failure-reset window, permanent mode, and the per-IP limit.
//
// Failures are counted with the backend's atomic counter (storage.Counters.Incr), so
// concurrent failures are counted exactly; the failure that reaches MaxFailures engages
// the lock (a record in the "lockout" collection of storage.Docs), exactly once however many
// race. Failures while locked are not counted and do not extend the lock. Engaging a lock
// starts a new counter generation, so the next round starts from zero. A lock ends by
// itself at Until, through Unlock (the admin API, password recovery), or never (Permanent)
// until Unlock. The record outlives the lock by MaxLockDuration to remember the streak of
// consecutive locks that Growth lengthens; a success or Unlock forgets the streak.
//
// Keys. The provider's login handler uses, for a typed login,
//
//	typed := lockout.PasswordKey(lockout.LoginSubject(login)) // the normalised login, hashed
//	account := lockout.PasswordKey(user.ID)                   // when it resolves to an account
//	ip := lockout.IPKey(clientIP)                             // behind trusted proxies: the client
//
// The typed key is what the citizen sees (attempts left, locked until), the same for every
// login, known or not, so neither the existence of an account nor which logins share one
// shows. The account key is never shown: it bounds the tries against one account across its
// logins. The steps (the password check runs password.Hasher.VerifyAbsent when there is no
// account to check against):
//
//  1. Check(typed): a *LockedError refuses at once, showing LockedError.Until.
//  2. Throttle(ip): while the address is locked, one check per Policy.IPThrottle goes on; the
//     others are refused with the next slot as LockedError.Until.
//  3. Check(account): while locked, the password is not checked and the attempt goes on as a
//     wrong one (step 5), so the lock tells a guesser nothing.
//  4. Right: Succeed(account) then Succeed(typed); a *LockedError means a lock engaged
//     meanwhile: refuse the login. Do not call Succeed for IP keys (it only checks them).
//  5. Wrong: Fail(typed), Fail(account), Fail(ip); a *LockedError with New set on the account
//     key means this failure engaged its lock: send the lock notice (otp.LockNotice).
//
// The login handler takes steps 1 to 4 through an Attempt (Limiter.Begin over the three keys,
// Attempt.Reload of account and typed after the hash): the records are read together, one
// storage.Reads.ReadMany each time (one MGET on Redis), and the answers are those of the
// Limiter's own methods at the moment of the read.
//
// The second factor uses CodeKey(user.ID) the same way around otp's SMS.Verify, TOTP.Verify
// and recovery codes. Password recovery calls Unlock on every key of the account and its logins
// after the new password is set; the admin API calls Status, Locked and Unlock.
//
// The package mounts no routes and has no OIDC types; it takes the Counters, Docs and Reads
// slices of a storage.Store and an injected clock.
package lockout
