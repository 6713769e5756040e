package kv

import (
	"context"
	"strings"
)

// resetBatch bounds one reset transaction, so an engine with optimistic transactions (Redis)
// never watches an unbounded key set.
const resetBatch = 256

// Reset deletes every key except the signing keys (key/…), in batches.
func (s *Store) Reset(ctx context.Context) error {
	var keys []string
	err := s.e.Scan(ctx, "", noClock, func(key string, _ []byte) error {
		if !strings.HasPrefix(key, "key/") {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return wrap(err, "reset", "")
	}
	for len(keys) > 0 {
		n := min(resetBatch, len(keys))
		batch := keys[:n]
		keys = keys[n:]
		if err := s.update(ctx, noClock, "reset", "", func(tx Tx) error {
			for _, k := range batch {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
