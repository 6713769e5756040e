package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Store implements storage.Store over an Engine.
type Store struct {
	e Engine
}

var _ storage.Store = (*Store)(nil)

// New returns a Store keeping its records in e. Closing the Store closes e.
func New(e Engine) *Store { return &Store{e: e} }

// Health reports whether the engine can serve requests.
func (s *Store) Health(ctx context.Context) error {
	if err := s.e.Health(ctx); err != nil {
		return fmt.Errorf("kv: health: %w", err)
	}
	return nil
}

// Close closes the engine.
func (s *Store) Close() error { return s.e.Close() }

// Key layout; see the package comment.
func userKey(id string) string                      { return "user/" + id }
func loginKey(k storage.LoginKind, v string) string { return "login/" + string(k) + "/" + v }
func authReqKey(id string) string                   { return "authreq/" + id }
func codeKey(hash string) string                    { return "code/" + hash }
func sessionKey(id string) string                   { return "session/" + id }
func tokenKey(id string) string                     { return "token/" + id }
func familyKey(fid string) string                   { return "family/" + fid }
func signingKeyKey(id string) string                { return "key/" + id }
func counterKey(k string) string                    { return "counter/" + k }

// Transient reports whether key holds a record of a login in progress: an auth request
// (authreq/…) or the index of its code (code/…). They live for minutes and are worth nothing
// after a restart (the citizen starts the login again, an unredeemed code is refused), so an
// engine may keep them in memory only, sparing the disk most of a login's writes: bolt does.
// Sessions, tokens, accounts, consents, audit and counters are never transient.
func Transient(key string) bool {
	return strings.HasPrefix(key, "authreq/") || strings.HasPrefix(key, "code/")
}

// MayHoldTransient reports whether a key with the prefix can be transient (a Scan of it must
// include an engine's in-memory transient records).
func MayHoldTransient(prefix string) bool {
	return Transient(prefix) || strings.HasPrefix("authreq/", prefix) || strings.HasPrefix("code/", prefix)
}

// Member key prefixes. The owner ids are escaped so that no prefix is a prefix of another's.
func userSessionsPrefix(uid string) string { return "usersessions/" + url.PathEscape(uid) + "/" }
func userClientPrefix(uid, cid string) string {
	return "userclient/" + url.PathEscape(uid) + "/" + url.PathEscape(cid) + "/"
}

// noClock is the transaction time of operations that do not decide liveness: at the zero
// time every value the engine still holds is visible.
var noClock time.Time

// wrap adds the operation and record id to an error, keeping it errors.Is-matchable.
func wrap(err error, op, id string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("kv: %s %q: %w", op, id, err)
}

// update runs fn in an engine transaction and wraps its error.
func (s *Store) update(ctx context.Context, now time.Time, op, id string, fn func(Tx) error) error {
	return wrap(s.e.Update(ctx, now, fn), op, id)
}

// load reads and decodes the record at key outside a transaction.
func load[T any](ctx context.Context, e Engine, key string, now time.Time) (T, error) {
	b, err := e.Get(ctx, key, now)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode[T](key, b)
}

// getJSON reads and decodes the record at key inside a transaction.
func getJSON[T any](tx Tx, key string) (T, error) {
	b, err := tx.Get(key)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode[T](key, b)
}

func decode[T any](key string, b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// putJSON encodes v and writes it at key with the given expiry (zero: never).
func putJSON(tx Tx, key string, v any, expiresAt time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return tx.Put(key, b, expiresAt)
}

// absent answers nil if key holds no live value and ErrAlreadyExists if it does.
func absent(tx Tx, key string) error {
	_, err := tx.Get(key)
	switch {
	case err == nil:
		return fmt.Errorf("%s: %w", key, storage.ErrAlreadyExists)
	case errors.Is(err, storage.ErrNotFound):
		return nil
	default:
		return err
	}
}

// ignoreNotFound turns ErrNotFound into nil, for idempotent deletes.
func ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// sameID refuses an update callback that changed the record's id.
func sameID(old, updated string) error {
	if old != updated {
		return fmt.Errorf("update callback changed the id to %q", updated)
	}
	return nil
}
