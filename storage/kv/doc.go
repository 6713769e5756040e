// Package kv implements the whole storage.Store contract once, over the small transactional
// key-value Engine declared in engine.go. Backends (memory, bolt, redis) only provide an Engine;
// cmd/esia-emulator wraps it with New and hands the resulting *Store to the rest of the
// emulator, which sees it only through the storage interfaces. How an engine keeps a value's
// expiry and collects expired values is storage/expiry's.
//
// Records are stored as JSON with Schema set to storage.SchemaVersion. Key layout:
//
//	user/<id>                          User
//	login/<kind>/<value>               user id (unique login index)
//	userorder/<nnn><id>                member: the user's place in id order (userindex.go)
//	meta/users                         the number of users (userindex.go)
//	authreq/<id>                       AuthRequest, expires with ExpiresAt
//	code/<hash>                        auth request id, expires with the code
//	session/<id>                       Session, expires with ExpiresAt (idle expiry is checked on read)
//	usersessions/<uid>/<sid>           member: the user's sessions
//	token/<id>                         Token, expires with ExpiresAt
//	family/<fid>                       member: the family is live (expires with its last token)
//	userclient/<uid>/<clientid>/<fid>  member: the families issued to (user, client)
//	key/<id>                           SigningKey
//	counter/<key>                      decimal counter (Engine.Incr)
//
// A token of a family is valid only while family/<fid> lives, so revoking a family is one
// delete, atomic even while the family is being rotated, and rotating a long chain of refresh
// tokens rewrites no growing list. A member key is one key per member (uid and clientid path-escaped), expiring
// with its member, so a user with thousands of sessions or token families costs nothing extra
// per login; such sets are listed with Engine.Scan before the transaction that acts on them.
// Members whose record has gone (revoked, deleted) may dangle until they expire; readers skip
// them.
//
// Expiry is decided by the now callers pass. Operations without a now argument (creates,
// deletes, revocations, users, keys) run their transaction at the zero time, which sees every
// value the engine still holds; that is harmless because they never decide liveness.
//
// Round trips. An engine that reads several keys in one go implements MultiGetter (ReadMany
// uses it: Redis answers with one MGET), and a transaction that does implements Prefetcher: the
// store names the keys a transaction is about to read (creating a session, saving and
// redeeming a code, creating and rotating tokens) and the engine fetches them in one trip.
// Memory and bolt read locally and need neither.
//
// Deletes are idempotent (nil for a missing record) except DeleteUser and DeleteKey, which
// answer ErrNotFound so that administrative callers can report a missing resource.
package kv
