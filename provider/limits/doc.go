// Package limits bounds what one request may cost the emulator before any room reads it.
//
// Body (the middleware provider.New puts in front of every route) caps each request body with
// http.MaxBytesReader at a size chosen per route (BodyLimit: 64 KiB for forms, 1 MiB for the
// admin API and the token endpoints), refuses multipart/form-data before a byte of it is read
// (Go's multipart parser spools file parts to disk) except on UploadPath, the e-signature
// login, whose handler reads its bounded body in memory part by part, and parses url-encoded bodies with ParseForm, so a later PostFormValue finds the form
// parsed and never falls back to ParseMultipartForm.
//
// AuthorizeParams caps an authorization request (the whole request and the parameters that
// are stored with it for the login's lifetime: state, nonce, login_hint, claims); the OIDC
// wrappers (/authorize) and the ESIA dialect (/aas/oauth2/ac, /aas/oauth2/v2/ac) call it and
// answer invalid_request in their own shape.
//
// It mounts no routes. provider.New wraps the assembled mux with Body.
package limits
