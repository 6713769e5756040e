// Package rp is the relying party the conformance suite plays against the provider: a
// browser per module (package browser, stopping at the clients' redirect URIs), the login
// and consent pages driven through it (Authorize), authorization requests (Authz), the code
// exchange and token responses, userinfo calls, and ID token validation as OIDC Core
// §3.1.3.7 asks (CheckIDToken). Each function takes the module's *suite.T and records its
// checks there.
//
// Called by the plans under conformance/internal/plans. No routes.
package rp
