// Package flow is the login flow. The authorization request is stored with its progress; one
// dispatcher (GET /login) decides the next step from that state with nextStep, a pure function
// — login → second factor → suspended/level check → consent → done — and every step returns
// to it. prompt=none and max_age are decided there and only there.
//
// Routes (Mount): GET /login (the dispatcher), POST /login (password, or the test-mode
// persona picker), POST /login/code (second factor: SMS, authenticator, recovery code),
// POST /login/consent, POST /login/deny (level too low: back to the relying party), POST
// /login/role (whom a person with organisation roles logs in as; rolechoice.go, offered by a
// dialect that implements RoleChooser). Each form
// is bound to the browser and to its own step by a session form token, so a page for one step
// cannot be replayed at another.
//
// SPA (spa.go) is the flow's second face: ESIA's SPA login API (POST /aas/oauth2/api/login,
// …/login/otp/verify, …/login/totp/verify), mounted by provider.routes. It runs the same
// password and code steps as the forms (checkPasswordLock, passwordAccepted, verifyCode) and
// answers JSON; the login page sets the ctx_id cookie that names the request for it.
//
// DSLogin (dslogin.go) and QRLogin (qrlogin.go) are the other ways to log in, reached from
// «Войти другим способом» (GET /login/other): the electronic signature (GET|POST /login/ds,
// amr ds) and the Gosuslugi app's QR code (GET|POST /login/qr, GET /login/qr/events — server-sent
// events — and the admin call POST /admin/api/qr/scan that plays the app, amr qr). After them
// the dispatcher goes on as after a password. provider.routes mounts them.
//
// Dialects are the seam to the protocols: the OIDC adapter (registered as ""), the ESIA dialect
// and the citizen's account pages create a storage.AuthRequest, call StartLogin, and get the
// finished or failed request back through Dialect.Complete or Dialect.Fail. provider.New builds
// the Handler and registers the dialects; the flow itself never imports the OIDC engine.
package flow
