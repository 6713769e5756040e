// Package flow is the login flow. The authorization request is stored with its progress; one
// dispatcher (GET /login) decides the next step from that state with nextStep, a pure function
// — login → second factor → suspended/level check → consent → done — and every step returns
// to it. prompt=none and max_age are decided there and only there.
//
// Routes (Mount): GET /login (the dispatcher), POST /login (password, or the test-mode
// persona picker), POST /login/code (second factor: SMS, authenticator, recovery code),
// POST /login/consent, POST /login/deny (level too low: back to the relying party), POST
// /login/role (whom a person with organisation roles logs in as; rolechoice.go, offered by a
// dialect that implements RoleChooser), POST
// /login/notice (on past the needs-confirmation notice, provider/flow/notice.go). Each form
// is bound to the browser and to its own step by a session form token, so a page for one step
// cannot be replayed at another.
//
// The other faces and ways in — ESIA's SPA login API, the electronic signature and the
// Gosuslugi app's QR code — live in package methods and call the exported steps
// (CheckPasswordLock, PasswordAccepted, VerifyCode, IPCheck, …), so they share one flow.
//
// Dialects are the seam to the protocols: the OIDC adapter (registered as ""), the ESIA dialect
// and the citizen's account pages create a storage.AuthRequest, call StartLogin, and get the
// finished or failed request back through Dialect.Complete or Dialect.Fail. provider.New builds
// the Handler and registers the dialects; the flow itself never imports the OIDC engine.
package flow
