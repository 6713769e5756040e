// Package backchannel is OpenID Connect Back-Channel Logout 1.0, OP side: when an SSO session
// ends, every client that received tokens in it and has a backchannel_logout_uri gets a signed
// logout token (typ logout+jwt, with sid) by POST. Tokens are minted on the caller's goroutine;
// delivery runs in the background (5 s per delivery), its outcome goes to the audit log (never
// the token), and Shutdown waits for deliveries in flight.
//
// It mounts no routes. provider.New builds one Notifier and hands it to session.Manager as its
// EndNotifier, so every path that ends a session (logout, ESIA logout, the citizen ending a
// session, password recovery, admin suspension, a new login replacing the browser's session)
// notifies.
package backchannel
