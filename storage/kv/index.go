package kv

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// later returns the later of two expiries, where zero means never.
func later(a, b time.Time) time.Time {
	if a.IsZero() || b.IsZero() {
		return time.Time{}
	}
	if a.After(b) {
		return a
	}
	return b
}

// A member set is one key <prefix><id> per member, holding the member's
// expiry and expiring with it. Adding or removing a member costs one write however large the
// set grows (a user logging in thousands of times), but the set can only be listed by
// Engine.Scan, outside a transaction.

// putMember writes the member key expiring at exp.
func putMember(tx Tx, key string, exp time.Time) error { return putJSON(tx, key, exp, exp) }

// extendMember writes the member key expiring at the later of its current expiry and exp.
func extendMember(tx Tx, key string, exp time.Time) error {
	cur, err := getJSON[time.Time](tx, key)
	switch {
	case err == nil:
		exp = later(cur, exp)
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return putMember(tx, key, exp)
}

// memberIDs lists the ids of the set's members live at now, in key order.
func memberIDs(ctx context.Context, e Engine, prefix string, now time.Time) ([]string, error) {
	var ids []string
	err := e.Scan(ctx, prefix, now, func(key string, _ []byte) error {
		ids = append(ids, strings.TrimPrefix(key, prefix))
		return nil
	})
	return ids, err
}
