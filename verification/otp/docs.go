package otp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// upsert creates or updates the document atomically. fn gets the live document (exists true)
// or the zero value (exists false) and returns the new document and its expiry; it may run
// more than once, and an error from it aborts without writing.
func upsert[T any](ctx context.Context, d storage.Docs, coll, id string, now time.Time, fn func(old T, exists bool) (T, time.Time, error)) (T, error) {
	var zero T
	for range 8 {
		v, err := storage.UpdateDoc(ctx, d, coll, id, now, func(old T) (T, time.Time, error) { return fn(old, true) })
		if !errors.Is(err, storage.ErrNotFound) {
			return v, err
		}
		nv, exp, err := fn(zero, false)
		if err != nil {
			return zero, err
		}
		err = storage.CreateDoc(ctx, d, coll, id, nv, exp, now)
		if !errors.Is(err, storage.ErrAlreadyExists) {
			return nv, err
		}
		// Someone created it first: update theirs.
	}
	return zero, fmt.Errorf("upsert %s/%s: %w", coll, id, storage.ErrConflict)
}
