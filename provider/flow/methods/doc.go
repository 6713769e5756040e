// Package methods holds the login flow's other faces and ways in, each a handler over the one
// flow (flow.Handler's exported steps: CheckPasswordLock, PasswordAccepted, VerifyCode, IPCheck,
// LoadRequest, NotifyLogin), so every way shares the lockout, audit, notices and the dispatcher
// that follows:
//
//   - SPA (spa.go): ESIA's SPA login API — POST /aas/oauth2/api/login, …/login/otp/verify,
//     …/login/totp/verify — answering JSON; the login page's ctx_id cookie (flow.CtxCookie)
//     names the request.
//   - DSLogin (dslogin.go): «Войти другим способом» (GET /login/other) and the electronic
//     signature (GET|POST /login/ds, amr ds), with the test CA's revocation list
//     (POST|DELETE /admin/api/esignature/revoked, admin token).
//   - QRLogin (qrlogin.go): the Gosuslugi app's QR code (GET|POST /login/qr, GET
//     /login/qr/events — server-sent events — and POST /admin/api/qr/scan, which plays the app,
//     amr qr).
//
// After each, the dispatcher (GET /login) goes on as after a password. provider.routes mounts
// them.
package methods
