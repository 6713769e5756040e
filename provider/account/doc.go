// Package account is the citizen's own pages: registration (/register, code by SMS or e-mail),
// password recovery (/recover), the account (/account: profile with registry checks and
// identity confirmation, data access with withdrawal, login history, sessions, security with
// the second factor and login notices), and the emulator's outbox page (/outbox, with
// POST /outbox/login for its admin token form) where codes and notices "sent" to citizens can
// be read — by anyone, by whoever has the admin token, or nobody (config outbox; AdminGate).
//
// Recovery (/recover, /recover/confirm, /recover/password) checks the code as its own step and
// runs the password policy only after a right code; a login without an account gets a dummy
// challenge from the same otp rules, so nothing before a right code tells whether it exists.
//
// A page that needs a logged-in citizen sends the browser through the login flow as the
// "account" dialect and comes back to the page afterwards. provider.New builds the Handler,
// registers its Dialect and mounts it.
package account
