// Package socprot is the demo cabinet of social protection (органы социальной защиты,
// «Личный кабинет социальной защиты») on ESIA's own protocol, with the standard library only
// (plus go-oidc to check back-channel logout tokens):
//
//   - /aas/oauth2/v2/ac with client_secret = base64url(RSA-SHA256 over client_id, scope,
//     timestamp, state and redirect_uri), signed with the system's key, and
//     client_certificate_hash of its registered certificate;
//   - /aas/oauth2/v3/te with a new state and timestamp, client_secret signing the code too;
//     the ID token is checked with ESIA's certificate (/esia/esia.pem);
//   - /rs/prns/{oid}, /ctts, /docs and /addrs with the access token, read for every page view,
//     so a token revoked on Gosuslugi (consent withdrawn) ends the local session at once;
//   - logout through /idp/ext/Logout, and back-channel logout tokens on /backchannel-logout.
//
// Routes are those of package sfr. Started by `esia-emulator demo` (package demo/stand), which
// generates the key and certificate and registers them; it imports none of the emulator's
// packages.
package socprot
