package lockout

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Attempt is one password check over several keys (the login as typed, the address, the
// account): Begin reads their records together and Reload reads them and their failure
// counters again after the password hash, so a check costs two store round trips instead of
// one or two per key and call. Its methods answer exactly like the Limiter's of the same name
// would at the moment of the last read.
type Attempt struct {
	l     *Limiter
	recs  map[string]record
	fails map[string]int64 // failure counter of the record's generation, after Reload
}

// Begin reads the records of keys (before the password check).
func (l *Limiter) Begin(ctx context.Context, keys ...string) (*Attempt, error) {
	a := &Attempt{l: l, recs: make(map[string]record, len(keys))}
	return a, a.read(ctx, keys, false)
}

// Reload reads the records of keys again and the failure counters of their generations
// (after the password check, before Succeed).
func (a *Attempt) Reload(ctx context.Context, keys ...string) error {
	return a.read(ctx, keys, true)
}

func (a *Attempt) read(ctx context.Context, keys []string, counters bool) error {
	now := a.l.now()
	for _, k := range keys {
		if k == "" {
			return fmt.Errorf("lockout: empty key")
		}
	}
	if a.l.Reads == nil {
		for _, k := range keys {
			r, err := a.l.load(ctx, k, now)
			if err != nil {
				return err
			}
			a.recs[k] = r
			delete(a.fails, k) // Succeed reads the counter of the generation itself
		}
		return nil
	}
	reads := make([]storage.Read, 0, 2*len(keys))
	for _, k := range keys {
		reads = append(reads, storage.Read{Collection: Collection, ID: k})
		if counters {
			// The generation the last read saw: it changes only when a lock is engaged.
			reads = append(reads, storage.Read{Counter: failKey(k, a.recs[k].Gen)})
		}
	}
	if err := a.l.Reads.ReadMany(ctx, now, reads); err != nil {
		return fmt.Errorf("lockout: %w", err)
	}
	for i, k := range keys {
		rd := reads[i]
		if counters {
			rd = reads[2*i]
		}
		var r record
		if rd.Doc != nil {
			if err := json.Unmarshal(rd.Doc, &r); err != nil {
				return fmt.Errorf("lockout: decode %s: %w", k, err)
			}
		}
		gen := a.recs[k].Gen
		a.recs[k] = r
		delete(a.fails, k)
		if counters && r.Gen == gen {
			if a.fails == nil {
				a.fails = make(map[string]int64, len(keys))
			}
			a.fails[k] = reads[2*i+1].N
		}
	}
	return nil
}

// record is the key's record as last read; a key not read is read now.
func (a *Attempt) record(ctx context.Context, key string, now time.Time) (record, error) {
	if r, ok := a.recs[key]; ok {
		return r, nil
	}
	r, err := a.l.load(ctx, key, now)
	if err == nil {
		a.recs[key] = r
	}
	return r, err
}

// Check is Limiter.Check.
func (a *Attempt) Check(ctx context.Context, key string) error {
	now := a.l.now()
	r, err := a.record(ctx, key, now)
	if err != nil {
		return err
	}
	return check(key, r, now)
}

// Throttle is Limiter.Throttle.
func (a *Attempt) Throttle(ctx context.Context, key string) error {
	now := a.l.now()
	r, err := a.record(ctx, key, now)
	if err != nil {
		return err
	}
	return a.l.throttle(ctx, key, r, now)
}

// Succeed is Limiter.Succeed; call Reload first (after the password check), as Succeed must
// see a lock engaged meanwhile.
func (a *Attempt) Succeed(ctx context.Context, key string) error {
	now := a.l.now()
	r, err := a.record(ctx, key, now)
	if err != nil {
		return err
	}
	var known *int64
	if n, ok := a.fails[key]; ok {
		known = &n
	}
	return a.l.succeed(ctx, key, r, known, now)
}
