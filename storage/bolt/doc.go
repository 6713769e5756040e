// Package bolt provides the durable embedded kv.Engine, the default store of
// `esia-emulator serve`: one bbolt file (cmd/esia-emulator uses <data-dir>/esia.db) holding every
// record of the emulator, signing keys included. cmd/esia-emulator opens it with Open and hands
// the *kv.Store to the provider; tests open it on a temporary file.
//
// Layout: one bucket, "esia"; each value is an 8-byte big-endian expiry (Unix nanoseconds, 0:
// never) followed by the record bytes kv wrote. Liveness is decided by the now the caller passes,
// as kv.Engine requires. Expired values are deleted in the background by a sweeper goroutine
// (WithSweepInterval, default one minute) that removes what expired by the wall clock minus a
// grace period (WithGrace, default one hour), so a caller whose clock lags the wall clock a
// little still sees its values; Close stops it.
//
// Durability: every Update that writes a durable record commits with fsync (bbolt's default,
// never NoSync), so an acknowledged write survives a crash of the process or the machine.
// The records of a login in progress (kv.Transient: auth requests and their code index) are
// kept in memory instead, written in the same serialised transactions: a restart loses the
// logins in progress (the citizen starts again; an unredeemed code is refused) and nothing
// else, and a step of a login that only moves its auth request costs no disk write. Writers
// of durable records are serialised, which makes every transaction — counters included —
// exact without retries, and concurrent writers share commits: transactions arriving while a
// commit is being written go into the next one together, each on its own buffered view, so one
// fsync acknowledges them all (a lone writer waits for nothing but its own commit). A
// transaction on transient records only does not queue: it runs at once and commits unless a
// record it read changed meanwhile or is held by the commit in flight (then it is void and
// queued like the others), so creating an auth request or saving a code never waits for an
// fsync. The file is
// locked: a second process opening it fails after WithLockTimeout (default one second) with
// ErrLocked instead of waiting forever.
package bolt
