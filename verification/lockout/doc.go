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
//	subject := user.ID                      // the login resolves to an account
//	subject := lockout.LoginSubject(login)  // it does not: the normalised login, hashed
//	pwd := lockout.PasswordKey(subject); ip := lockout.IPKey(clientIP)
//
// and runs the same steps for both, so an unknown login is counted, locked and answered
// exactly like a known one and reveals nothing (the password check itself runs
// password.Hasher.VerifyAbsent for the unknown login):
//
//  1. Check(ip) and Check(pwd): a *LockedError refuses at once, showing LockedError.Until.
//  2. Verify the password.
//  3. Wrong: Fail(pwd) and Fail(ip); a *LockedError with New set means this failure engaged
//     the lock: send the lock notice (otp.LockNotice) to a known account's contact.
//  4. Right: Succeed(pwd). A *LockedError means a lock engaged meanwhile: refuse the login.
//     Only a nil Succeed lets the flow continue. Do not call Succeed for IP keys (it only
//     checks them: a success does not forgive an address's failures against others).
//
// The second factor uses CodeKey(user.ID) the same way around otp's SMS.Verify, TOTP.Verify
// and recovery codes. Password recovery calls Unlock(PasswordKey(id)) and Unlock(CodeKey(id))
// after the new password is set; the admin API calls Status, Locked and Unlock.
//
// The package mounts no routes and has no OIDC types; it takes the Counters and Docs slices
// of a storage.Store and an injected clock.
package lockout
