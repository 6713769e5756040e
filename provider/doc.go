// Package provider assembles the emulator's identity provider: New builds every room from the
// Options (configuration, store, clock, randomness, logger), Handler serves them on one mux,
// Shutdown waits for background work. It holds no rule and serves no route of its own.
//
// The rooms, each a package with its own doc.go (imports point down this list):
//
//   - site: /, /logged-out, /healthz, /readyz.
//   - oidc: the OpenID Connect endpoints (the only importer of zitadel's op engine).
//   - esia: ESIA's own endpoints (/aas/oauth2/…, /rs/prns, /idp/ext/Logout).
//   - account: /register, /recover, /account/…, /outbox.
//   - admin: /admin/api/… (admin token).
//   - testmode: clock, reset, faults, minting, generator, picker, /debug.
//   - flow: /login and its steps; the Dialect seam the protocols plug into.
//   - accounts, backchannel: the shared account service; back-channel logout.
//   - session, web, keys, clients: SSO sessions and form tokens; pages and messages; the
//     keyring; the relying parties.
//   - metrics: the provider's Prometheus registry; /metrics and /debug/pprof/ (admin token).
//
// In front of every route: the request id (package requestid, X-Request-Id), the HTTP
// metrics and per-request log line (metrics.HTTP), then the body limits and test-mode faults;
// the store is wrapped by metrics.Store and the logger by requestid.LogHandler.
//
// Below them: verification (password, otp, lockout, proofing), consent, audit, config and
// storage hold the rules and the data. cmd/esia-emulator calls New and serves Handler.
package provider
