// Package basic holds the modules of the OpenID Foundation's Basic OP plan: code flows with
// both client authentications, ID token and userinfo checks, scopes, prompt, max_age,
// id_token_hint, code reuse, redirect URI registration, request objects, refresh tokens and
// PKCE, under their official names.
//
// Called by the conformance package, which lists its Modules. No routes.
package basic
