// Package rpkit is what each demo cabinet needs besides its protocol: its own server-side
// sessions (bounded, expiring, behind an HttpOnly SameSite cookie), the short-lived cookie of a
// login in progress (state, nonce, PKCE verifier), the back-channel logout endpoint (OpenID
// Connect Back-Channel Logout 1.0) and small page helpers.
//
// It mounts no routes itself; demo/sfr, demo/fri and demo/socprot call it. It imports only the
// standard library and go-oidc, so a cabinet copied out of this repository takes this package
// along and nothing else.
package rpkit
