// Package fri is the demo cabinet of the disability registry (ФГИС «Федеральный реестр
// инвалидов», ФРИ): like package sfr — OpenID Connect, authorization code + PKCE with
// go-oidc and x/oauth2 — but for confirmed accounts only.
//
// The authorization request carries the claims parameter
// {"id_token":{"level":{"essential":true,"value":"confirmed"}}}: the provider shows a citizen
// with a simplified or standard account its level page, and «Вернуться на сайт» brings them
// back with error=access_denied; the cabinet then explains, in the registry guide's words, why
// a confirmed account is needed and how to get one. The ID token's level claim is checked
// again on the cabinet's side.
//
// Routes, sessions, logout (RP-initiated and back-channel) and the reaction to a withdrawn
// consent are as in package sfr. Started by `esia-emulator demo` (package demo/stand); it
// imports none of the emulator's packages.
package fri
