// Package provider is the emulator's identity provider: the only importer of
// zitadel/oidc/v3/pkg/op. It adapts the storage (op.Storage over storage.Store), holds the
// clients and signing keys, decides the login flow, renders the citizen's pages, and serves the
// admin API. cmd/esia-emulator builds it with New and serves Handler; the ESIA dialect
// (provider/esia) plugs into the same login flow through Register and StartLogin.
//
// Routes:
//
//   - OpenID Connect (the engine, with wrappers): /.well-known/openid-configuration, /keys,
//     /authorize, /authorize/callback, /oauth/token, /oauth/introspect, /userinfo, /revoke,
//     /end_session.
//   - The login flow: GET /login is the dispatcher every step returns to (flow.go's nextStep,
//     a pure function: login → second factor → level → consent → done); POST /login
//     (password), /login/code (second factor), /login/consent, /login/deny. Each form is bound
//     to the browser (flow cookie) and to its step (CSRF token).
//   - The citizen: /register, /recover, /account (profile, data access, login history,
//     sessions, security), /outbox, /logged-out, / (the emulator's home page).
//   - Operations: /healthz, /readyz, /admin/api/… (admin token), and in test mode the clock,
//     reset, token minting, faults, maintenance, the persona generator and /debug.
//
// The verification packages (password, otp, lockout, proofing), consent and audit hold the
// rules; this package wires them into HTTP and keeps no rule of its own beyond the flow.
package provider
