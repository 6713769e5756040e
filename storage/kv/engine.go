package kv

import (
	"context"
	"time"
)

// Engine is the small transactional key-value store a backend provides. Keys are strings,
// values opaque bytes, each with an optional absolute expiry (zero: never). A value whose
// expiry is not after the caller's now reads as absent: expiry is decided by the clock the
// caller passes, never by the engine's own wall clock, so every engine agrees under an
// injected clock. Engines may also drop expired values in the background.
//
// Every method returns an error wrapping storage.ErrUnavailable when the backend cannot be
// reached.
type Engine interface {
	// Get returns the value, or storage.ErrNotFound if it is absent or expired at now.
	Get(ctx context.Context, key string, now time.Time) ([]byte, error)
	// Update runs fn in a serialisable transaction and commits its writes atomically. fn may be
	// called more than once (optimistic engines retry on conflict) and must not keep tx.
	// An error returned by fn aborts the transaction and is returned unchanged. If the engine
	// gives up retrying it returns an error wrapping storage.ErrConflict.
	Update(ctx context.Context, now time.Time, fn func(tx Tx) error) error
	// Scan calls fn for every live key with the prefix, in ascending key order.
	Scan(ctx context.Context, prefix string, now time.Time, fn func(key string, value []byte) error) error
	// Incr atomically adds delta to the decimal counter at key and returns the new value. An
	// absent or expired counter starts at zero and gets expiresAt; an existing counter keeps
	// its expiry.
	Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error)
	// Health answers nil when the engine can serve requests.
	Health(ctx context.Context) error
	Close() error
}

// Tx is a transaction's view: reads see the transaction's own earlier writes.
type Tx interface {
	// Get returns the value or storage.ErrNotFound if absent or expired at the transaction's now.
	Get(key string) ([]byte, error)
	Put(key string, value []byte, expiresAt time.Time) error
	Delete(key string) error
}

// MultiGetter is what an Engine may also implement when it reads several keys in one round
// trip (Redis: MGET); Store.ReadMany uses it, else one Get per key.
type MultiGetter interface {
	// GetMany returns the values of keys in order, nil for an absent or expired one.
	GetMany(ctx context.Context, keys []string, now time.Time) ([][]byte, error)
}

// Prefetcher is what a Tx may also implement when reading several keys in one round trip
// pays (Redis: one WATCH and one MGET): the store names the keys a transaction is about to
// read, and the Tx's Get answers them without another trip.
type Prefetcher interface {
	Prefetch(keys ...string) error
}

// prefetch names the keys fn is about to read, to a Tx that is a Prefetcher.
func prefetch(tx Tx, keys ...string) error {
	if p, ok := tx.(Prefetcher); ok {
		return p.Prefetch(keys...)
	}
	return nil
}
