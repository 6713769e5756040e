// Package demo holds three small relying-party cabinets to look at and copy, each in its own
// package, each importing only public libraries (net/http, html/template + embed,
// coreos/go-oidc/v3, x/oauth2) and none of the emulator's packages:
//
//   - demo/sfr: the Social Fund of Russia's cabinet (СФР) — OpenID Connect, authorization
//     code + PKCE; shows the ID token's claims, /userinfo and the data the fund uses (SNILS,
//     birth date).
//   - demo/fri: the disability registry (ФГИС «Федеральный реестр инвалидов») — confirmed
//     accounts only (the claims parameter asks for level=confirmed); a lower account meets
//     the emulator's level page and then the cabinet's own explanation.
//   - demo/socprot: a social-protection cabinet on ESIA's protocol — /aas/oauth2/v2/ac with a
//     signed client_secret, /aas/oauth2/v3/te, /rs/prns/{oid} with /ctts, /docs, /addrs.
//
// Each has a home page with «Войти через Госуслуги», shows what it received, logs out
// (RP-initiated: /end_session or /idp/ext/Logout) and ends its session on a back-channel
// logout token, and tells the citizen when Gosuslugi refuses its token because they
// withdrew consent. demo/stand wires them to an emulator; `esia-emulator demo` and
// `make demo` run it.
package demo
