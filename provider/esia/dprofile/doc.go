// Package dprofile is the ESIA dialect's Digital Profile ("Цифровой профиль") state and
// pages: the consents a citizen gave systems through the permissions parameter (stored in
// the storage.Docs collection "dprofile"), the account's «Согласия» page where the citizen
// sees and withdraws them, and the data behind the Digital Profile scopes.
//
// Routes (Handler.Mount, mounted by the esia dialect):
//
//	GET  /account/agreements                          the citizen's consents (login first without a session)
//	POST /account/agreements/withdraw                 withdraws one (session form token); revokes the
//	                                                  login's token family and the prm_chg consent tokens
//	GET  /esia-emulator/dprofile/prns/{oid}/{scope}   the data of a scope (Bearer access token carrying it)
//	GET  /esia-emulator/dprofile/consents             a token's permissions_url: its consents and their status
//
// The two /esia-emulator/ paths are the emulator's extension: the protocol doc gives no REST
// shape for Digital Profile data, so the shapes here (data.go) are the emulator's own and
// are kept off ESIA's paths. The data is a pure function of the account and the date, so
// built-in, configured and generated personas all have it.
//
// Callers: provider/esia builds the Handler, grants consents on its consent step
// (Consents.Grant), reads them for the permissions claims and prm_chg consent tokens. It
// imports consent/permissions (the requests' catalog and wording), web, session and storage;
// never provider/esia.
package dprofile
