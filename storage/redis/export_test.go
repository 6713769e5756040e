package redis

import "context"

// Names of the index keys after the engine prefix, for the tests.
const (
	IdxKeysName = idxKeysName
	IdxExpName  = idxExpName
	MarkerName  = markerName
)

// Prune runs one round of index garbage removal now.
func (e *Engine) Prune(ctx context.Context) (int, error) { return e.prune(ctx) }

// Sweep removes the members of keys whose data key is missing.
func (e *Engine) Sweep(ctx context.Context, keys ...string) (int, error) { return e.sweep(ctx, keys) }
