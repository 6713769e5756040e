// Package keys owns the keyring: the signing keys (one RS256 and one ES256 at start, more
// during rotation; kid = RFC 7638 thumbprint) and the shared symmetric secrets (cookie keys,
// the engine's token encryption key, the form-token key), stored beside each other so every
// replica and restart shares them, reloaded every 10 s so a rotation made through another
// replica is picked up, never parsing PEM on the hot path.
//
// It mounts no routes. provider.New builds one *Ring with Ensure; the OIDC adapter (JWKS,
// ID tokens), the ESIA dialect (its JWTs), back-channel logout tokens, test-mode minting and
// the admin API's key rotation use it.
package keys
