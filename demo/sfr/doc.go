// Package sfr is the demo cabinet of the Social Fund of Russia (СФР, «Личный кабинет
// Социального фонда России»): a relying party on OpenID Connect with the authorization code
// flow and PKCE, written with github.com/coreos/go-oidc/v3 and golang.org/x/oauth2 only.
//
// Routes (Cabinet is an http.Handler):
//
//	GET  /                    home: «Войти через Госуслуги», or the citizen's data — the ID token's
//	                          claims and a fresh /userinfo answer (SNILS, birth date, gender)
//	GET  /login               starts the login: state, nonce and PKCE verifier in an HttpOnly cookie
//	GET  /callback            checks state, trades the code, verifies the ID token and its nonce
//	POST /logout              (form token) ends the local session, then RP-initiated logout
//	POST /backchannel-logout  Back-Channel Logout 1.0: a verified logout token ends local sessions
//
// A token revoked on Gosuslugi (the citizen withdrew the cabinet's access on the account pages)
// makes /userinfo answer 401: the home page then ends the local session and says so.
//
// Started by `esia-emulator demo` (package demo/stand); it imports none of the emulator's
// packages, so it can be copied as the start of a real cabinet.
package sfr
