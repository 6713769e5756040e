// Package redis provides the kv.Engine for several emulator replicas sharing one Redis
// (`esia-emulator serve --store redis://…`): one server, Sentinel or Cluster through a go-redis
// UniversalClient. cmd/esia-emulator opens it with Open(ctx, url, prefix) and hands the
// *kv.Store to the provider; redistest starts real servers for the tests.
//
// Accepted URLs (ParseURL): redis://[user:pass@]host[:port][/db][?opts], rediss://… for TLS,
// several comma-separated hosts for Cluster (or ?cluster=true with one), and
// ?master_name=NAME to treat the hosts as Sentinels.
//
// Keys: every key is <prefix><kv key>. The prefix (DefaultPrefix "{esia}:", see Prefix) holds a
// Cluster hash tag, so all keys of one emulator share a slot and MULTI/EXEC and Lua may touch
// several of them; two emulators with different prefixes share one Redis without meeting.
//
// Values: an 8-byte big-endian expiry (Unix nanoseconds, 0: never) followed by the record. A
// value is live while its expiry is after the caller's now, as kv.Engine requires; Redis also
// gets a real TTL (PEXPIREAT expiry + grace, DefaultGrace one hour) so it collects garbage by
// itself.
//
// Transactions are optimistic: each key read is WATCHed before it is read, writes are buffered
// and sent in MULTI/EXEC; a lost race is retried with a short randomised backoff and reported
// as storage.ErrConflict after 32 attempts. Incr is a Lua script, exact under any number of
// concurrent callers and replicas. Scan uses SCAN MATCH (on every Cluster master) and sorts, so
// its cost grows with the whole keyspace of the database; the emulator scans only to list
// users, keys and one user's sessions or token families.
//
// Errors: anything but a reply of the server (refused or broken connections, timeouts, a
// closed client) and the "cannot serve now" replies (LOADING, READONLY, MASTERDOWN, …) wrap
// storage.ErrUnavailable. Unless the URL says otherwise, dialing times out after 1 s and reads
// and writes after 2 s, with one retry, so a stopped server is reported promptly; the client
// reconnects by itself when the server is back.
package redis
