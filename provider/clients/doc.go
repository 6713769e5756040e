// Package clients owns the one registry of relying parties: every configured client, OIDC and
// ESIA alike, prepared once at start (lifetimes resolved, secret kept as a SHA-256 compared in
// constant time, signing algorithm, minimum account level).
//
// It mounts no routes. provider.New builds the Registry; the OIDC adapter wraps each Client for
// the engine, the ESIA dialect takes the clients with an esia block from it, and the login
// flow, consent, account pages, admin API and back-channel logout look clients up in it.
package clients
