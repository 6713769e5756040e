package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
)

// New returns a Store over a fresh in-memory engine.
func New() *kv.Store { return kv.New(NewEngine()) }

// entry is a stored value. The value slice is never modified after it is stored, so it may be
// read after the lock is released.
type entry struct {
	val []byte
	exp time.Time // zero: never
}

func (e entry) live(now time.Time) bool { return e.exp.IsZero() || e.exp.After(now) }

// Engine is an in-memory kv.Engine. Update holds the write lock while its callback runs, so
// the callback must not call the engine.
type Engine struct {
	mu     sync.RWMutex
	m      map[string]entry
	closed bool
}

var _ kv.Engine = (*Engine)(nil)

var errClosed = fmt.Errorf("memory: engine closed: %w", storage.ErrUnavailable)

// NewEngine returns an empty engine.
func NewEngine() *Engine { return &Engine{m: make(map[string]entry)} }

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
	return bytes.Clone(ent.val), nil
}

// drop deletes key if it is still expired at now.
func (e *Engine) drop(key string, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ent, ok := e.m[key]; ok && !ent.live(now) {
		delete(e.m, key)
	}
}

// Update runs fn under the write lock with a buffered transaction and applies its writes if
// fn succeeds. Transactions are therefore serial and fn runs exactly once.
func (e *Engine) Update(ctx context.Context, now time.Time, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	t := &tx{m: e.m, now: now}
	if err := fn(t); err != nil {
		return err
	}
	for k, w := range t.writes {
		if w == nil {
			delete(e.m, k)
		} else {
			e.m[k] = *w
		}
	}
	return nil
}

// tx overlays the transaction's writes (nil: deleted) on the engine's map.
type tx struct {
	m      map[string]entry
	now    time.Time
	writes map[string]*entry
}

func (t *tx) Get(key string) ([]byte, error) {
	ent, ok := t.m[key]
	if w, written := t.writes[key]; written {
		ok = w != nil
		if ok {
			ent = *w
		}
	}
	if !ok || !ent.live(t.now) {
		return nil, storage.ErrNotFound
	}
	return bytes.Clone(ent.val), nil
}

func (t *tx) Put(key string, value []byte, expiresAt time.Time) error {
	t.write(key, &entry{val: bytes.Clone(value), exp: expiresAt})
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
		val []byte
	}
	var pairs []kvPair
	e.mu.RLock()
	closed := e.closed
	for k, ent := range e.m {
		if strings.HasPrefix(k, prefix) && ent.live(now) {
			pairs = append(pairs, kvPair{k, ent.val})
		}
	}
	e.mu.RUnlock()
	if closed {
		return errClosed
	}
	slices.SortFunc(pairs, func(a, b kvPair) int { return strings.Compare(a.key, b.key) })
	for _, p := range pairs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(p.key, bytes.Clone(p.val)); err != nil {
			return err
		}
	}
	return nil
}

// Incr adds delta to the decimal counter at key under the write lock.
func (e *Engine) Incr(_ context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errClosed
	}
	var n int64
	if ent, ok := e.m[key]; ok && ent.live(now) {
		v, err := strconv.ParseInt(string(ent.val), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("memory: incr %q: not a counter: %w", key, err)
		}
		n, expiresAt = v, ent.exp
	}
	n += delta
	e.m[key] = entry{val: strconv.AppendInt(nil, n, 10), exp: expiresAt}
	return n, nil
}

// Sweep deletes the values expired at now and returns how many it deleted.
func (e *Engine) Sweep(now time.Time) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for k, ent := range e.m {
		if !ent.live(now) {
			delete(e.m, k)
			n++
		}
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
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	e.m = nil
	return nil
}
