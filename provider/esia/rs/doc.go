// Package rs is the ESIA dialect's REST data API, /rs/prns (esia-protocol.md §7): the
// person, their contacts, addresses, documents, vehicles, children (and the children's
// documents), with ESIA's shapes — collections of links or of embedded elements, eTags,
// dd.MM.yyyy dates — and ESIA's errors (401 invalid_token, 403 ESIA-005029
// scopeNotAllowed, 404).
//
// Routes (API.Mount):
//
//	GET /rs/prns/{oid}[?embed=(contacts.elements,…)]
//	GET /rs/prns/{oid}/{ctts|addrs|docs|kids|vhls|roles|orgs}[?embed=(elements)]
//	GET /rs/prns/{oid}/{coll}/{id}
//	GET /rs/prns/{oid}/kids/{kid}/docs[?embed=(elements)], /rs/prns/{oid}/kids/{kid}/docs/{id}
//
// Every call needs a Bearer access token of the dialect: AccessTokens checks the JWT, the
// Store's token record makes revocation and logout take effect, and the token's scopes
// decide which fields and collections are released (grants.go). The account comes from the
// Store; what personas do not carry (children, vehicles, more documents and contacts) comes
// from Persons: BuiltinPersons, overridden by config esia.persons. Organisations and the
// person's roles in them (usr_org: /roles inline, /orgs as links to /rs/orgs/{oid}) come
// from Orgs (package provider/esia/orgs).
//
// Callers: provider/esia builds the API in New (its access tokens behind AccessTokens) and
// mounts it in Dialect.Mount. Its end-to-end tests (rs_test.go, golden_test.go) live there,
// since they need tokens the dialect issued.
package rs
