// Package account is the citizen's own pages: registration (/register, code by SMS or e-mail),
// password recovery (/recover), the account (/account: profile with registry checks and
// identity confirmation, data access with withdrawal, login history, sessions, security with
// the second factor and login notices). The outbox page where the codes sent to citizens can be
// read is package outbox.
//
// Recovery (/recover, /recover/confirm, /recover/password) checks the code as its own step and
// runs the password policy only after a right code; a login without an account gets a dummy
// challenge from the same otp rules, so nothing before a right code tells whether it exists.
//
// A page that needs a logged-in citizen sends the browser through the login flow as the
// "account" dialect and comes back to the page afterwards. provider.New builds the Handler,
// registers its Dialect and mounts it.
package account
