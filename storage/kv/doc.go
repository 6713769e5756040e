// Package kv implements the whole storage.Store contract once, over the small transactional
// key-value Engine declared in engine.go. Backends (memory, bolt, redis) only provide an Engine;
// cmd/esia-emulator wraps it with New and hands the resulting *Store to the rest of the
// emulator, which sees it only through the storage interfaces.
//
// Records are stored as JSON with Schema set to storage.SchemaVersion. Key layout:
//
//	user/<id>                      User
//	login/<kind>/<value>           user id (unique login index)
//	authreq/<id>                   AuthRequest, expires with ExpiresAt
//	code/<hash>                    auth request id, expires with the code
//	session/<id>                   Session, expires with ExpiresAt (idle expiry is checked on read)
//	usersessions/<uid>             index of the user's session ids
//	token/<id>                     Token, expires with ExpiresAt
//	family/<fid>                   index of the family's token ids
//	userclient/<uid>/<clientid>    index of the family ids issued to (user, client)
//	key/<id>                       SigningKey
//	counter/<key>                  decimal counter (Engine.Incr)
//
// An index is a JSON list of {id, exp} members; the index key expires with its longest-lived
// member, and members past their expiry are pruned whenever the index is rewritten with a
// known clock. A member whose record has gone (revoked, deleted) may dangle until then;
// readers skip it.
//
// Expiry is decided by the now callers pass. Operations without a now argument (creates,
// deletes, revocations, users, keys) run their transaction at the zero time, which sees every
// value the engine still holds; that is harmless because they never decide liveness.
//
// Deletes are idempotent (nil for a missing record) except DeleteUser and DeleteKey, which
// answer ErrNotFound so that administrative callers can report a missing resource.
package kv
