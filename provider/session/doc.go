// Package session owns the browser's side of a login: the SSO session (start after a login,
// find it with a sliding idle timeout, end one, all of a citizen's, or the browser's), the
// signed and encrypted cookies (SSO cookie, flow cookie with the browser id), and the form
// tokens that bind a form to the browser, the authorization request and the step (HMAC over
// browser‖request‖step), and the client's address (Manager.ClientIP: the peer, or behind a
// trusted proxy the rightmost untrusted address of its forwarding header, Proxies) that
// lockout, the audit log and sessions use.
//
// It mounts no routes. The login flow, the citizen's account pages, the OIDC logout wrapper,
// the ESIA dialect and test mode use one *Manager built by provider.New; whoever ends a
// session through it also triggers the back-channel logout via EndNotifier.
package session
