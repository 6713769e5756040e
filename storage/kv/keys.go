package kv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// AddKey stores k. ErrAlreadyExists if k.ID exists.
func (s *Store) AddKey(ctx context.Context, k storage.SigningKey) error {
	return s.update(ctx, noClock, "add key", k.ID, func(tx Tx) error {
		if err := absent(tx, signingKeyKey(k.ID)); err != nil {
			return err
		}
		k.Schema = storage.SchemaVersion
		return putJSON(tx, signingKeyKey(k.ID), k, noClock)
	})
}

// ListKeys returns all keys ordered by CreatedAt, then ID.
func (s *Store) ListKeys(ctx context.Context) ([]storage.SigningKey, error) {
	var keys []storage.SigningKey
	err := s.e.Scan(ctx, "key/", noClock, func(key string, b []byte) error {
		k, err := decode[storage.SigningKey](key, b)
		keys = append(keys, k)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kv: list keys: %w", err)
	}
	slices.SortFunc(keys, func(a, b storage.SigningKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return keys, nil
}

// DeleteKey removes the key. ErrNotFound if there is no such key.
func (s *Store) DeleteKey(ctx context.Context, id string) error {
	return s.update(ctx, noClock, "delete key", id, func(tx Tx) error {
		if _, err := tx.Get(signingKeyKey(id)); err != nil {
			return err
		}
		return tx.Delete(signingKeyKey(id))
	})
}

// Incr adds delta to the counter atomically in the engine and returns the new value.
func (s *Store) Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	n, err := s.e.Incr(ctx, counterKey(key), delta, expiresAt, now)
	return n, wrap(err, "incr", key)
}

// Counter returns the counter's value, 0 if it is missing or expired at now.
func (s *Store) Counter(ctx context.Context, key string, now time.Time) (int64, error) {
	b, err := s.e.Get(ctx, counterKey(key), now)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(err, "counter", key)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, wrap(err, "counter", key)
}

// ResetCounter removes the counter. An absent counter (the usual case: a successful login
// without earlier failures) costs one read and no transaction; a counter created after that
// read is as if it had been created just after the reset.
func (s *Store) ResetCounter(ctx context.Context, key string) error {
	if _, err := s.e.Get(ctx, counterKey(key), noClock); errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return s.update(ctx, noClock, "reset counter", key, func(tx Tx) error {
		return tx.Delete(counterKey(key))
	})
}
