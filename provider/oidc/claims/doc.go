// Package claims decides which claims a grant releases (its scopes, the scopes that cover the
// claims asked for by name, and the claims parameter for the ID token or userinfo) and writes
// them in their OpenID Connect and ESIA shapes (contacts, addresses, documents with dd.MM.yyyy
// dates, level and trusted). The OIDC adapter calls it for ID tokens, userinfo and
// introspection. It mounts no routes.
package claims
