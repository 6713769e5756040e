// Package permissions reads ESIA's `permissions` parameter of /aas/oauth2/v2/ac: a base64url
// JSON array of Digital Profile ("Цифровой профиль") consent requests, each with the consent
// type's sysname, its expiry in minutes, and the actions, purposes and scopes as
// {"sysname": …} objects (esia-protocol.md §2.1, the go-api-epgu Permission type).
//
// Parse is bounded (Max* below) and answers each bad part with ESIA's ESIA-0367xx code and
// Russian text (go-api-epgu esia/aas/errors.go, cited by the protocol doc); an undecodable
// parameter is ESIA-007003. The consent types, actions and purposes the emulator knows are
// its own catalog (Types, Actions, Purposes): the real catalogue is agreed per system with
// Минцифры and is not public. Each entry carries the citizen's wording for the consent page
// and the account's agreements page.
//
// Callers: provider/esia (the authorization endpoint and the consent page) and
// provider/esia/dprofile (the stored consents and the account page). It imports only the
// scope catalog (package consent).
package permissions
