// Package account is the citizen's own pages: registration (/register, code by SMS or e-mail),
// password recovery (/recover), the account (/account: profile with registry checks and
// identity confirmation, data access with withdrawal, login history, sessions, security with
// the second factor and login notices), and the emulator's outbox page (/outbox) where codes
// and notices "sent" to citizens can be read.
//
// A page that needs a logged-in citizen sends the browser through the login flow as the
// "account" dialect and comes back to the page afterwards. provider.New builds the Handler,
// registers its Dialect and mounts it.
package account
