// Package oidc is the OpenID Connect side of the emulator and the only importer of
// zitadel/oidc's op engine. It adapts our store, clients and keys to the engine (op.Storage in
// storage.go, op.Client in client.go, op.AuthRequest and op.RefreshTokenRequest), releases
// claims by scope and the claims parameter (package claims), answers the login flow as its ""
// dialect (the engine's callback issues the code; errors go back with iss), and mints tokens
// for test mode (mint.go).
//
// Routes (Mount): /.well-known/openid-configuration, /authorize, /authorize/callback,
// /end_session, /oauth/token, /userinfo, and the engine's other endpoints (/keys,
// /oauth/introspect, /revoke) as the catch-all "/".
//
// The engine is wrapped where it falls short of what relying parties need (wrappers.go):
//   - discovery: the engine's document corrected to what is really supported (code only;
//     response modes query, fragment and form_post; the ESIA + OIDC scope catalog, no request
//     objects) plus RFC 9207's authorization_response_iss_parameter_supported, with CORS for
//     browser apps;
//   - respond.Responder (package respond): every authorization response, code or error, from the
//     engine or a wrapper, arrives in the response mode the relying party asked for, always
//     with iss (RFC 9207): the engine only answers in query (its form_post page lacks iss and
//     its errors ignore form_post), so the redirect is taken apart and sent again — a query or
//     fragment redirect, or web's form_post page (one script, allowed by its hash);
//   - authorizeExtras: the claims parameter (the engine does not parse it), invalid_scope for
//     scopes outside the catalog or the client's list, request_uri refused, a response_mode
//     that is not advertised refused (the engine ignores unknown ones);
//   - htmlErrors: the engine's plain-text and JSON errors on browser endpoints become a page a
//     citizen understands, with the detail folded for developers;
//   - bindCallback: only the browser that logged in may collect the code;
//   - logoutCookie: end_session ends the browser's SSO session and clears its cookie; a
//     request without id_token_hint is first put to the citizen (RP-Initiated Logout 1.0 §2:
//     web's logout page, one button, a form token bound to the browser and its session);
//   - tokenClient: the token request's client picks the ID token's signing algorithm; no-store
//     headers; in test mode with a moved clock the ID token is re-signed with the shifted
//     iat/exp (the engine stamps the wall clock);
//   - jsonOutage: 503 temporarily_unavailable when the store is down (the engine would answer
//     a misleading invalid_grant or server_error);
//   - clientFirst: the token request's client is authenticated before its grant (the engine
//     checks the code first, so an unknown client got invalid_grant); every 401 carries
//     RFC 6749 §5.2's Basic challenge;
//   - bearerErrors: RFC 6750 401 invalid_token with WWW-Authenticate for a refused access
//     token (the engine answers 403 or a bare 401), and a bare Bearer challenge with no error
//     code when no token was sent (§3.1).
//
// Introspection (SetIntrospectionFromToken) tells only the token's own client that it is
// active; any other client gets {"active":false}.
//
// provider.New builds the Handler with New, registers its Dialect with the login flow and
// mounts it.
package oidc
