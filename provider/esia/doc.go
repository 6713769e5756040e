// Package esia is the emulator's ESIA dialect: ESIA's own front door for relying parties that
// were written against the real ESIA rather than against OpenID Connect (esia-protocol.md).
//
// It owns these routes, mounted on the provider's mux by provider.Register (Dialect.Mount):
//
//	GET|POST /aas/oauth2/ac, GET|POST /aas/oauth2/v2/ac  authorization (v1: PKCS#7 client_secret; v2: raw signature + client_certificate_hash)
//	POST /aas/oauth2/te, POST /aas/oauth2/v3/te          token: authorization_code, refresh_token
//	GET /idp/ext/Logout?client_id&redirect_url           ends the SSO session, revokes its tokens
//	GET /rs/prns/{oid}[/ctts|/addrs|/docs|/kids|/vhls|/roles|/orgs[/{id}]], /rs/prns/{oid}/kids/{kid}/docs[/{id}]
//	GET /esia/esia.cer, /esia/esia.pem, /esia/esia-gost.cer, /public/esia.zip  signing certificates (ESIA has no JWKS)
//	GET /esia/diagnostics, GET /admin/api/esia/diagnostics  what lenient client_secret checks accepted and why
//
// The login itself is the provider's: the dialect checks a request, stores it as a
// storage.AuthRequest with Dialect "esia" and calls Host.StartLogin; the flow (login page,
// SSO session, second factor, level check, consent) hands the request back through Complete,
// which issues the code (itself a signed JWT), or Fail, which answers with ESIA's error shape
// (a level refusal becomes ESIA-007055).
//
// client_secret checks (secret.go) run per client in one of three modes: off, lenient and
// strict. v1 takes CMS SignedData (cms.go, a small reader over encoding/asn1), v2/v3 a raw
// signature; RSA is verified with the standard library and GOST R 34.10-2012-256 with
// provider/esia/gost behind the signatureVerifier interface (verify.go, gost_adapter.go).
//
// Tokens (jwt.go) are built by hand in ESIA's format: header {ver,typ,sbt,alg} without kid,
// numeric sub and urn:esia:sbj_id, amr as a string, scopes echoed with ?oid=, client_id
// instead of aud in the access token; RS256 with the provider's current key or
// GOST3410_2012_256 with a key derived from it. Access and refresh tokens are kept as
// storage.Token records (by SHA-256), so rotation, replay detection, family revocation and
// logout use the store's atomic operations.
//
// cmd/esia-emulator calls New and provider.Register after provider.New.
package esia
