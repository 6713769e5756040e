// Package esiajwt is the format of ESIA's tokens: the authorization code, the access token and
// the id_token are JWTs with a non-standard header {"ver":1,"typ":"JWT","sbt":"access",
// "alg":"RS256"} and no kid, built by hand so that header and claims come out in ESIA's order
// (esia-protocol.md §5): numeric sub and urn:esia:sbj_id, amr as a string, scopes echoed with
// ?oid=, client_id instead of aud in the access token. Tokens signs them with RS256 (the
// provider's current key) or GOST3410_2012_256 (the key of package signing) and checks them:
// shape, header, signature with a key this process signed with, nbf/exp by the injected
// clock.
//
// It mounts no routes and keeps no token records (package tokens does). Callers:
// provider/esia (codes, token answers, and /rs's access-token check through it).
package esiajwt
