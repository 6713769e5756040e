// Package tokens is the one token lifecycle of the emulator, shared by both protocols: the OIDC
// adapter (provider/oidc) and the ESIA dialect (provider/esia). It owns the rules, not the
// formats:
//
//   - a code is issued against its authorization request (SaveCode) and redeemed exactly once
//     (Redeem); a code presented again is a replay, and every token issued from it is revoked
//     (Code, Redeem: ErrReplayed);
//   - a refresh token is rotated exactly once (Rotate); a spent refresh token presented again
//     revokes its whole family (Refresh, Rotate: ErrReplayed);
//   - a token is revoked alone, a refresh token with its family (Revoke, RevokeFamily);
//   - a token family is linked to the SSO session it was issued in (Link), so that ending the
//     session can revoke it (RevokeSession).
//
// Each dialect keeps its own token format (OIDC through the zitadel engine, ESIA's JWTs in
// provider/esia) and its own hashing of token values into record ids: Service only ever sees
// ids and hashes. Callers branch on ErrInvalid and ErrReplayed with errors.Is; store failures
// come back wrapped with %w (storage.ErrUnavailable, …).
//
// It mounts no routes. provider.New builds one *Service over the store and hands it to the
// OIDC adapter and the ESIA dialect.
package tokens
