// Package account is the citizen's own pages: registration (/register, code by SMS or e-mail),
// password recovery (/recover), the account (/account: profile with registry checks and
// identity confirmation, data access with withdrawal, login history, sessions, security with
// the second factor and login notices). The outbox page where the codes sent to citizens can be
// read is package outbox.
//
// Security (/account/security): an authenticator enrolment is kept per SSO session until its
// first right code (a wrong code or a reload shows the same key); recovery codes are shown
// once with a copy button and served once, to that session, as
// /account/security/esia-recovery-codes.txt (no-store). Second-factor changes are notified
// (accounts.Service.SecondFactorNotice); logout notices come from accounts.Service as a
// session.EndNotifier. Browsers in the history and sessions are named by
// github.com/medama-io/go-useragent (MIT): "Chrome 126, Windows".
//
// Recovery (/recover, /recover/confirm, /recover/password) checks the code as its own step and
// runs the password policy only after a right code; a login without an account gets a dummy
// challenge from the same otp rules, so nothing before a right code tells whether it exists.
//
// A page that needs a logged-in citizen sends the browser through the login flow as the
// "account" dialect and comes back to the page afterwards. provider.New builds the Handler,
// registers its Dialect and mounts it.
package account
