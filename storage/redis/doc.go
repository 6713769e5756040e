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
// concurrent callers and replicas.
//
// Key index: Scan lists from two sorted sets kept beside the data, <prefix>\x00idx:keys (every
// kv key, score 0) and <prefix>\x00idx:exp (the keys with a Redis TTL, scored by its instant
// in Unix ms). A kv key never starts with a zero byte (Put and Incr refuse such keys, Get and
// Scan see nothing there), so the index keys lie outside the kv key space, and they carry the
// prefix's hash tag, so they share the data keys' slot. Every committed write updates its
// members in the same MULTI/EXEC or script as the data key: a transaction adds at most four
// commands (ZADD and ZREM on each set, whatever its number of writes) and each key costs about
// 150 bytes of index memory, twice that with a TTL. Scan pages through ZRANGEBYLEX of the
// prefix's range, 1000 members at a time, and reads them with MGET, so listing k keys costs
// O(log N + k) however large the database; it skips values expired at the caller's now and
// members whose key has gone.
//
// Index garbage: a member outlives its key when Redis drops the key by its TTL. A background
// loop (until Close) runs a script every minute that takes up to 1000 members of idx:exp whose
// score is past by the server's clock and removes them from both sets, atomically, so a key
// written again meanwhile (which got its new score in its own MULTI/EXEC) keeps its member;
// full rounds repeat at once. Members Scan found without a key are also removed in the
// background, by a script that checks each key when it runs. Errors are ignored: the next
// round tries again.
//
// One-off migration: a database written before the index existed has none. OpenEngine (or
// EnsureIndex, for NewEngine) checks for <prefix>\x00idx:v1 and, if it is absent, indexes every
// key under the prefix found by SCAN MATCH (on every Cluster master), reading each key's TTL in
// the same script that adds its members, then sets that marker. Replicas starting together
// may both run it, harmlessly. FLUSHDB removes the marker with the index, so a fresh database
// is consistent. Replicas of an engine without the index must not write to a database that has
// one (their writes would not be listed): upgrade them together.
//
// Errors: anything but a reply of the server (refused or broken connections, timeouts, a
// closed client) and the "cannot serve now" replies (LOADING, READONLY, MASTERDOWN, …) wrap
// storage.ErrUnavailable. Unless the URL says otherwise, dialing times out after 1 s and reads
// and writes after 2 s, with one retry, so a stopped server is reported promptly; the client
// reconnects by itself when the server is back.
package redis
