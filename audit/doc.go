// Package audit is the emulator's append-only audit log: who logged in, failed, logged out,
// which sessions ended, which consents were given, changed and withdrawn, which codes were
// sent, which accounts were locked — one Event per action (requirements §2, "every action is
// written to an audit log").
//
// It owns the storage.Docs collections "audit" (every event), "audit-user" (an index entry for
// each event that names a citizen, keyed by the citizen first and naming the event, written in
// the event's commit; entries from older stores hold a whole copy, read as it is) and
// "audit-meta". An event's id is its time as 19-digit zero-padded Unix nanoseconds plus a
// random suffix, so ids sort by time and two events in the same nanosecond are both kept;
// Record only creates documents and there is no update or delete: an event expires
// Log.Retention (default 90 days) after its time, and the expiry is stored with it, so every
// store drops it by itself. Query filters by citizen, client, session, types and a [From, To)
// time range and returns newest first (Ascending for oldest first): a citizen's query scans
// only that citizen's index entries and reads the events they name in one round trip
// (storage.ReadDocs), others scan the log in time order, narrowed to the common id prefix when
// both bounds are given. Migrate indexes and dates the events a store kept from before the
// index existed.
//
// Rule: events never contain secrets — no passwords or hashes, no one-time codes, no token
// values, no client secrets or cookies. Record refuses Details keys that look like one
// (ErrSecret). Ids of users, clients and sessions, IP addresses, user agents, scope names and
// reasons are what events carry.
//
// Details conventions: "scopes" (space-separated) for consent_given and consent_withdrawn,
// "added"/"removed" for consent_changed, "reason" for login_failed and session_ended,
// "channel" for code_sent, "until" (RFC 3339) for lock, "from"/"to" for level and status
// changes, "amr" for login.
//
// Recorder.Record adds the request id of its context (package requestid) to the event, so an
// error page's «код ошибки» finds the events of that request; Recorder.Observe lets the
// provider's metrics count events as they are recorded.
//
// Callers: the provider's login flow (login, login_failed, code_sent, lock), its consent step
// (consent_given/changed), the citizen pages (login history = Query{UserID, Types: login,
// login_failed, logout}; withdrawing consent; ending a session), logout and session expiry,
// and the admin API, which exposes Query by citizen, client, type and time range. The
// package has no HTTP handlers and no zitadel/oidc types.
package audit
