package memory

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/btree"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/expiry"
	"github.com/esia-emulator/esia-emulator/storage/kv"
)

// New returns a Store over a fresh in-memory engine.
func New(opts ...Option) *kv.Store { return kv.New(NewEngine(opts...)) }

// Option configures an Engine.
type Option func(*Engine)

// WithSweeper makes the engine delete, every interval, the values that expired more than
// grace ago by the wall clock (Sweep). The goroutine stops at Close. Without it expired values
// are only dropped when read, which suits short tests but not a long-running emulator.
func WithSweeper(interval, grace time.Duration) Option {
	return func(e *Engine) { e.sweepEvery, e.grace = interval, grace }
}

// entry is a stored value: 32 bytes besides the value's own (a string, immutable, so it may be
// read after the lock is released, and 8 bytes smaller than a slice).
type entry struct {
	val string
	exp int64  // expiry.Nanos of the expiry; expiry.Never: never
	ver uint64 // the engine's write counter when it was stored (optimistic Update)
}

func (e entry) live(now time.Time) bool { return e.exp == expiry.Never || e.exp > expiry.Nanos(now) }

// Engine is an in-memory kv.Engine. Update is optimistic: its callback runs without the lock
// (so the store's JSON encoding and decoding of whole records runs in parallel), and the write
// lock is held only to check that nothing it read has changed and to apply its writes; on a
// conflict the callback runs again.
type Engine struct {
	mu     sync.RWMutex
	seq    uint64 // write counter, under mu
	m      map[string]entry
	keys   *btree.BTreeG[string] // the keys of m in order, so Scan costs O(log n + matches)
	closed bool

	sweepEvery, grace time.Duration
	sweeper           *expiry.Sweeper // nil without WithSweeper
}

var _ kv.Engine = (*Engine)(nil)

var errClosed = fmt.Errorf("memory: engine closed: %w", storage.ErrUnavailable)

// btreeDegree is the B-tree's node width; 32 is the library's usual choice for small keys.
const btreeDegree = 32

// NewEngine returns an empty engine.
func NewEngine(opts ...Option) *Engine {
	e := &Engine{m: make(map[string]entry), keys: btree.NewOrderedG[string](btreeDegree)}
	for _, o := range opts {
		o(e)
	}
	if e.sweepEvery > 0 {
		e.sweeper = expiry.StartSweeper(e.sweepEvery, e.grace, func(before time.Time) { e.Sweep(before) })
	}
	return e
}

// set stores ent at key; the caller holds the write lock.
func (e *Engine) set(key string, ent entry) {
	if _, ok := e.m[key]; !ok {
		e.keys.ReplaceOrInsert(key)
	}
	e.seq++
	ent.ver = e.seq
	e.m[key] = ent
}

// del removes key; the caller holds the write lock.
func (e *Engine) del(key string) {
	if _, ok := e.m[key]; ok {
		delete(e.m, key)
		e.keys.Delete(key)
	}
}

// Get returns a copy of the value live at now.
func (e *Engine) Get(_ context.Context, key string, now time.Time) ([]byte, error) {
	e.mu.RLock()
	ent, ok := e.m[key]
	closed := e.closed
	e.mu.RUnlock()
	switch {
	case closed:
		return nil, errClosed
	case !ok:
		return nil, storage.ErrNotFound
	case !ent.live(now):
		e.drop(key, now)
		return nil, storage.ErrNotFound
	}
	return []byte(ent.val), nil
}

// drop deletes key if it is still expired at now.
func (e *Engine) drop(key string, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.m[key]; ok && !ent.live(now) {
		e.del(key)
	}
}

// errStale: a key changed between two reads of one transaction; Update runs it again.
var errStale = fmt.Errorf("memory: a value changed during the transaction: %w", storage.ErrConflict)

// maxAttempts bounds how often Update reruns a callback that lost a conflict.
const maxAttempts = 100

// Update runs fn against the current values without holding the lock, remembering the version
// of every key it read; then, under the write lock, it applies fn's writes if none of those
// keys changed meanwhile, and otherwise runs fn again (serialisable, like the Redis engine's
// WATCH). An error from fn is returned only when its view was consistent; one that came from
// values changing under it (a key read twice with different versions, a record replaced
// between reads) reruns fn too. fn may therefore run more than once.
func (e *Engine) Update(ctx context.Context, now time.Time, fn func(kv.Tx) error) error {
	for range maxAttempts {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := &tx{e: e, now: now}
		if err := fn(t); err != nil {
			// An error from a view that changed under it (errStale, or a decode of a value
			// that was replaced) is a conflict: run fn again on the new values.
			e.mu.RLock()
			stale := !e.closed && !t.unchanged()
			e.mu.RUnlock()
			if stale {
				continue
			}
			return err
		}
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return errClosed
		}
		if !t.unchanged() {
			e.mu.Unlock()
			continue
		}
		for k, w := range t.writes {
			if w == nil {
				e.del(k)
			} else {
				e.set(k, *w)
			}
		}
		e.mu.Unlock()
		return nil
	}
	return fmt.Errorf("memory: update: %d attempts lost to concurrent writes: %w", maxAttempts, storage.ErrConflict)
}

// tx overlays the transaction's writes (nil: deleted) on the engine's values and remembers
// the version of each key it read (0: absent or expired).
type tx struct {
	e      *Engine
	now    time.Time
	writes map[string]*entry
	reads  map[string]uint64
}

// visible is the version of key as a reader at now sees it; the caller holds a lock.
func (t *tx) visible(key string) (entry, uint64) {
	ent, ok := t.e.m[key]
	if !ok || !ent.live(t.now) {
		return entry{}, 0
	}
	return ent, ent.ver
}

// unchanged reports whether every key the transaction read still has the version it saw; the
// caller holds the write lock.
func (t *tx) unchanged() bool {
	for k, v := range t.reads {
		if _, now := t.visible(k); now != v {
			return false
		}
	}
	return true
}

func (t *tx) Get(key string) ([]byte, error) {
	if w, written := t.writes[key]; written {
		if w == nil || !w.live(t.now) {
			return nil, storage.ErrNotFound
		}
		return []byte(w.val), nil
	}
	t.e.mu.RLock()
	if t.e.closed {
		t.e.mu.RUnlock()
		return nil, errClosed
	}
	ent, ver := t.visible(key)
	t.e.mu.RUnlock()
	if seen, read := t.reads[key]; !read {
		if t.reads == nil {
			t.reads = make(map[string]uint64)
		}
		t.reads[key] = ver
	} else if seen != ver {
		return nil, errStale // changed since this transaction first read it: Update reruns fn
	}
	if ver == 0 {
		return nil, storage.ErrNotFound
	}
	return []byte(ent.val), nil
}

func (t *tx) Put(key string, value []byte, expiresAt time.Time) error {
	t.write(key, &entry{val: string(value), exp: expiry.Nanos(expiresAt)})
	return nil
}

func (t *tx) Delete(key string) error {
	t.write(key, nil)
	return nil
}

func (t *tx) write(key string, w *entry) {
	if t.writes == nil {
		t.writes = make(map[string]*entry)
	}
	t.writes[key] = w
}

// Scan snapshots the live entries with the prefix, then calls fn for each in key order
// without holding the lock.
func (e *Engine) Scan(ctx context.Context, prefix string, now time.Time, fn func(key string, value []byte) error) error {
	type kvPair struct {
		key string
		val string
	}
	// The keys are read in chunks, each under the read lock, and fn runs between them without
	// it: a scan that stops early (a page of a long list) reads one chunk, not every key.
	pairs := make([]kvPair, 0, scanChunk)
	from, first := prefix, true
	chunk := firstScanChunk // grows to scanChunk: a scan that stops after a few keys reads a few
	for {
		pairs = pairs[:0]
		more := false
		e.mu.RLock()
		closed := e.closed
		if !closed {
			e.keys.AscendGreaterOrEqual(from, func(k string) bool {
				if !strings.HasPrefix(k, prefix) {
					return false
				}
				if !first && k == from {
					return true
				}
				if len(pairs) == chunk {
					more = true
					return false
				}
				if ent := e.m[k]; ent.live(now) {
					pairs = append(pairs, kvPair{k, ent.val})
				}
				return true
			})
		}
		e.mu.RUnlock()
		if closed {
			return errClosed
		}
		for _, p := range pairs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(p.key, []byte(p.val)); err != nil {
				return err
			}
		}
		if !more || len(pairs) == 0 {
			return nil
		}
		from, first = pairs[len(pairs)-1].key, false
		chunk = min(2*chunk, scanChunk)
	}
}

// scanChunk is how many keys Scan reads under one hold of the lock.
const scanChunk = 256

// firstScanChunk is how many keys Scan reads at first.
const firstScanChunk = 16

// Incr adds delta to the decimal counter at key under the write lock.
func (e *Engine) Incr(_ context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errClosed
	}
	var n int64
	exp := expiry.Nanos(expiresAt)
	if ent, ok := e.m[key]; ok && ent.live(now) {
		v, err := strconv.ParseInt(ent.val, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("memory: incr %q: not a counter: %w", key, err)
		}
		n, exp = v, ent.exp
	}
	n += delta
	e.set(key, entry{val: strconv.FormatInt(n, 10), exp: exp})
	return n, nil
}

// sweepChunk bounds how many keys one write-locked step of Sweep deletes.
const sweepChunk = 1000

// Sweep deletes the values expired at now and returns how many it deleted. It finds them under
// the read lock and deletes them in chunks under the write lock, re-checking each, so readers
// and writers wait at most one chunk.
func (e *Engine) Sweep(now time.Time) int {
	var expired []string
	e.mu.RLock()
	for k, ent := range e.m {
		if !ent.live(now) {
			expired = append(expired, k)
		}
	}
	e.mu.RUnlock()
	n := 0
	for chunk := range slices.Chunk(expired, sweepChunk) {
		e.mu.Lock()
		for _, k := range chunk {
			if ent, ok := e.m[k]; ok && !ent.live(now) {
				e.del(k)
				n++
			}
		}
		e.mu.Unlock()
	}
	return n
}

// Len returns the number of stored values, expired ones included until they are dropped.
func (e *Engine) Len() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.m)
}

// Health answers nil until the engine is closed.
func (e *Engine) Health(context.Context) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return errClosed
	}
	return nil
}

// Close discards every value; later calls answer storage.ErrUnavailable. Closing twice is
// harmless.
func (e *Engine) Close() error {
	e.sweeper.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	e.m = nil
	e.keys.Clear(false)
	return nil
}
