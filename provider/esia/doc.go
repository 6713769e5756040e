// Package esia is the emulator's ESIA dialect: ESIA's own front door for relying parties that
// were written against the real ESIA rather than against OpenID Connect (esia-protocol.md).
//
// Dialect.Mount adds these routes to the provider's mux; the last three groups are served by
// subpackages:
//
//	GET|POST /aas/oauth2/ac, GET|POST /aas/oauth2/v2/ac  authorization (v1: PKCS#7 client_secret; v2: raw signature + client_certificate_hash)
//	POST /aas/oauth2/te, POST /aas/oauth2/v3/te          token: authorization_code, refresh_token,
//	                                                     client_credentials with prm_chg (Digital Profile consent tokens)
//	POST /aas/oauth2/permissions                         the Digital Profile consent step's answer (emulator path)
//	GET|POST /account/agreements…, GET /esia-emulator/dprofile/…  Digital Profile consents and data (dprofile)
//	GET /idp/ext/Logout?client_id&redirect_url           ends the SSO session, revokes its tokens
//	                                                     (asks first unless both name a registered system)
//	POST /idp/ext/Logout                                 the citizen's answer to that question
//	GET /rs/prns/{oid}[/ctts|/addrs|/docs|/kids|/vhls|/roles|/orgs[/{id}]], /rs/prns/{oid}/kids/{kid}/docs[/{id}]  (rs)
//	GET /esia/esia.cer, /esia/esia.pem, /esia/esia-gost.cer, /public/esia.zip  signing certificates, ESIA has no JWKS (signing)
//	GET|POST /esia/diagnostics, GET /admin/api/esia/diagnostics  (admin token) what lenient client_secret checks accepted and why (clientsecret)
//
// The login itself is the provider's: the dialect checks a request, stores it as a
// storage.AuthRequest with Dialect "esia" and calls Options.Login (the login flow); the flow
// (login page, SSO session, second factor, level check, consent) hands the request back
// through Complete, which issues the code (itself a signed JWT), or Fail, which answers with
// ESIA's error shape (a level refusal becomes ESIA-007055).
//
// Its dependencies are explicit (Options): the slice of storage it reads itself (Store), the
// one client registry (the clients with an esia block are ESIA's), the keyring, the shared
// token lifecycle (package tokens: codes once, refresh rotation, replays revoke the family,
// families linked to the SSO session), the session manager (the browser's SSO session at
// logout), the login flow, the clock, the random source and the logger.
//
// Files of this package:
//
//   - dialect.go: Options, New, the prepared clients, Mount, Complete and Fail.
//   - authorize.go: /aas/oauth2/ac and /v2/ac; params.go: the timestamp window, UUIDs, sids
//     and the SHA-256 of a token value that is its record id;
//     scopes.go: the scopes the dialect knows.
//   - token.go: /aas/oauth2/te and /v3/te — the client checks and ESIA's token answer over
//     package tokens' lifecycle (token records by SHA-256 of the token).
//   - logout.go: /idp/ext/Logout: revokes the token families of the browser's SSO session
//     (the provider's signed SSO cookie names it) and ends the session.
//   - secret.go: runs package clientsecret's check and turns a refusal into an ESIA error,
//     reports it to the log and the diagnostics.
//   - errors.go: ESIA's error shape (ESIA-0070xx) as a redirect, JSON or an HTML page.
//   - permissions.go: the Digital Profile: the permissions parameter (consent/permissions),
//     the consent step Complete shows before the code, the permissions claims, and
//     client_credentials with scope=prm_chg?oid=… (a consent token).
//
// Subpackages, each with its own doc.go:
//
//   - clientsecret: the client_secret check (off, lenient, strict) of v1 CMS SignedData and
//     v2/v3 raw signatures, RSA and GOST R 34.10-2012-256, and the diagnostics of what it
//     found; clientsecret/secrettest signs like real relying parties for the tests.
//   - esiajwt: ESIA's tokens, built by hand: header {ver,typ,sbt,alg} without kid, numeric
//     sub and urn:esia:sbj_id, amr as a string, scopes echoed with ?oid=, client_id instead of
//     aud in the access token; RS256 with the provider's current key or GOST3410_2012_256
//     with the key of package signing.
//   - dprofile: the stored Digital Profile consents, the account's «Согласия» page and the
//     emulator's Digital Profile data API.
//   - rs: the /rs/prns REST data API; it checks access tokens through rs.AccessTokens,
//     which the dialect implements over esiajwt.
//   - signing: the GOST token key derived from the RS256 key and the published certificates.
//   - gost, gost/streebog: GOST R 34.10-2012 signatures and certificates, and the Streebog
//     hash, in pure Go.
//
// Imports point down: esia → clientsecret, dprofile, esiajwt, rs, signing; esiajwt → signing;
// clientsecret and signing → gost → gost/streebog. No subpackage imports esia.
//
// provider.New builds the dialect with New, registers it with the login flow as "esia" and
// mounts it.
package esia
