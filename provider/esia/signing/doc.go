// Package signing holds the ESIA dialect's own signing keys as ESIA publishes them. ESIA
// has no JWKS: it publishes its signing certificates as files (a zip at /public/esia.zip).
// The emulator does the same for its keys: a self-signed certificate for the provider's
// current RS256 key (deterministic: fixed serial, subject and validity, and PKCS#1 v1.5
// signatures are deterministic, so the bytes only change when the key rotates) and a GOST
// R 34.10-2012 key for GOST3410_2012_256 tokens, derived from the RS256 key (so it needs no
// storage, is the same on every replica and rotates with it), with its certificate.
//
// Routes (Keys.Mount): GET /esia/esia.cer, GET /esia/esia.pem, GET /esia/esia-gost.cer and
// GET /public/esia.zip (the RSA certificate, its JWK and the GOST certificate).
//
// Callers: provider/esia builds Keys in New over the provider's keyring (Signers), signs
// and verifies GOST tokens with Keys.GOST (jwt.go) and mounts the downloads. RS256 tokens
// are signed with the provider's key directly.
package signing
