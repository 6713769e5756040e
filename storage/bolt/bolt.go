package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/expiry"
	"github.com/esia-emulator/esia-emulator/storage/kv"
)

// ErrLocked: another process holds the database file.
var ErrLocked = errors.New("bolt: the database file is in use by another process")

// bucket is the one bucket every value lives in.
var bucket = []byte("esia")

// Defaults of the options.
const (
	DefaultSweepInterval = time.Minute
	DefaultGrace         = time.Hour
	DefaultLockTimeout   = time.Second
)

// sweepChunk bounds how many keys one sweeping transaction deletes, so the sweeper never holds
// the writer lock for long.
const sweepChunk = 5000

type options struct {
	sweepInterval time.Duration
	grace         time.Duration
	lockTimeout   time.Duration
}

// Option configures Open and OpenEngine.
type Option func(*options)

// WithSweepInterval sets how often the background sweeper runs; zero or negative disables it.
func WithSweepInterval(d time.Duration) Option { return func(o *options) { o.sweepInterval = d } }

// WithGrace sets how long after its expiry (by the wall clock) the sweeper deletes a value.
func WithGrace(d time.Duration) Option { return func(o *options) { o.grace = max(d, 0) } }

// WithLockTimeout sets how long Open waits for the file lock held by another process.
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// Engine is a kv.Engine over one bbolt file.
type Engine struct {
	db   *bbolt.DB
	path string

	mu         sync.Mutex
	queue      []*call // transactions waiting for the next commit
	committing bool    // a goroutine is draining the queue

	// transient holds the records of logins in progress (kv.Transient) in memory only: the
	// goroutine draining the commit queue writes it after its bbolt commit, Sweep drops what
	// expired.
	//
	// A transaction on transient records only runs at once, optimistically (fastUpdate): it
	// commits if none of the records it read or wrote changed since it read them (tver) or is
	// held by the batch being committed (theld, from the batch's first touch of a record until
	// its writes are applied after the fsync); else it goes through the queue.
	tmu       sync.RWMutex
	transient map[string][]byte // envelopes
	tver      map[string]uint64 // the write that stored each transient record (tseq)
	tseq      uint64
	theld     map[string]bool

	closed atomic.Bool

	sweeper   *expiry.Sweeper // nil when sweeping is off
	closeOnce sync.Once
	closeErr  error
}

var _ kv.Engine = (*Engine)(nil)
var _ kv.Prefetcher = (*tx)(nil)

// Open opens (creating if needed) the database file at path and returns a Store over it.
// Closing the Store stops the sweeper and closes the file.
func Open(path string, opts ...Option) (*kv.Store, error) {
	e, err := OpenEngine(path, opts...)
	if err != nil {
		return nil, err
	}
	return kv.New(e), nil
}

// OpenEngine opens (creating if needed) the database file at path, mode 0600, and starts the
// sweeper. ErrLocked if another process holds the file.
func OpenEngine(path string, opts ...Option) (*Engine, error) {
	o := options{sweepInterval: DefaultSweepInterval, grace: DefaultGrace, lockTimeout: DefaultLockTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if o.lockTimeout <= 0 {
		o.lockTimeout = DefaultLockTimeout // bbolt's zero waits forever
	}
	// The free-page list is not written at every commit (NoFreelistSync; bbolt rebuilds it
	// when it opens the file) and is kept as a map: a commit writes the pages it changed and
	// the meta page, nothing that grows with the file (as etcd runs bbolt).
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.lockTimeout, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (waited %s for its lock; is another esia-emulator using this data dir?)", ErrLocked, path, o.lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	e := &Engine{db: db, path: path, transient: make(map[string][]byte), tver: make(map[string]uint64), theld: make(map[string]bool)}
	if o.sweepInterval > 0 {
		e.sweeper = expiry.StartSweeper(o.sweepInterval, o.grace, func(before time.Time) { _, _ = e.Sweep(before) })
	}
	return e, nil
}

// Path is the database file's path.
func (e *Engine) Path() string { return e.path }

// decode returns a copy of the envelope's data if it is live at now: bbolt's memory is valid
// only inside its transaction.
func decode(key string, env []byte, now int64) ([]byte, error) {
	b, err := expiry.Decode(key, env, now)
	return bytes.Clone(b), err
}

// mapErr turns bbolt's "closed" into storage.ErrUnavailable.
func mapErr(err error) error {
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("bolt: %w: %w", storage.ErrUnavailable, err)
	}
	return err
}

// Get returns a copy of the value live at now.
func (e *Engine) Get(ctx context.Context, key string, now time.Time) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if kv.Transient(key) {
		e.tmu.RLock()
		env, ok := e.transient[key]
		e.tmu.RUnlock()
		if !ok {
			return nil, storage.ErrNotFound
		}
		return decode(key, env, expiry.Nanos(now))
	}
	var out []byte
	err := e.db.View(func(tx *bbolt.Tx) error {
		env := tx.Bucket(bucket).Get([]byte(key))
		if env == nil {
			return storage.ErrNotFound
		}
		var err error
		out, err = decode(key, env, expiry.Nanos(now))
		return err
	})
	return out, mapErr(err)
}

// Update runs fn in a bbolt write transaction committed with fsync. Writers are serialised,
// so fn never conflicts. Concurrent callers share commits (group commit): while one commit is
// being written, the transactions that arrive queue up and go into the next one together,
// each fn on its own buffered view, so one fsync acknowledges them all and a lone caller waits
// for nothing but its own commit.
//
// A transaction on transient records only (a step of a login in progress, such as creating an
// auth request or saving its code) neither queues nor waits for a commit in flight: fn runs at
// once, and if it touches a durable key that run is void (nothing is written) and fn runs
// again in the queue, as the kv.Engine contract allows.
func (e *Engine) Update(ctx context.Context, now time.Time, fn func(kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.closed.Load() {
		return fmt.Errorf("bolt: %w: %w", storage.ErrUnavailable, berrors.ErrDatabaseNotOpen)
	}
	if ok, err := e.fastUpdate(expiry.Nanos(now), fn); ok {
		return err
	}
	c := &call{fn: fn, now: expiry.Nanos(now), done: make(chan struct{})}
	e.mu.Lock()
	e.queue = append(e.queue, c)
	lead := !e.committing
	e.committing = true
	e.mu.Unlock()
	if lead {
		e.drain()
	}
	<-c.done
	if c.panicked != nil {
		panic(c.panicked)
	}
	return c.err
}

// errDurableTouched voids a fast run: its fn reads or writes a durable key.
var errDurableTouched = errors.New("bolt: the transaction touches durable records")

// fastUpdate runs fn at once when it touches transient records only, and commits its writes
// to them unless a record it read or wrote changed meanwhile or is held by the batch being
// committed. ok is false when fn touched a durable key or lost to another transaction:
// nothing was written, and the caller queues fn. A panic or an error of a void run is dropped
// with it (the queued run has its own).
func (e *Engine) fastUpdate(now int64, fn func(kv.Tx) error) (ok bool, err error) {
	var pending map[string][]byte // a fast run has no batch: always empty
	t := &tx{e: e, now: now, pending: &pending, fast: true}
	panicked, err := run(fn, t)
	if t.void {
		return false, nil
	}
	e.tmu.Lock()
	defer e.tmu.Unlock()
	for k, v := range t.read {
		if e.theld[k] || e.tver[k] != v {
			return false, nil // what fn read is no longer so: its outcome may differ
		}
	}
	for k := range t.writes {
		if e.theld[k] {
			return false, nil
		}
	}
	if panicked != nil {
		panic(panicked)
	}
	if err != nil {
		return true, err
	}
	e.applyTransient(t.writes)
	return true, nil
}

// applyTransient stores transient writes (nil: delete) with a new version each. Call with
// e.tmu held.
func (e *Engine) applyTransient(writes map[string][]byte) {
	for k, env := range writes {
		if env == nil {
			delete(e.transient, k)
			delete(e.tver, k)
			continue
		}
		e.tseq++
		e.transient[k], e.tver[k] = env, e.tseq
	}
}

// call is one queued transaction.
type call struct {
	fn       func(kv.Tx) error
	now      int64
	err      error
	panicked any
	done     chan struct{}
}

// errNoWrites rolls back a batch that wrote nothing, sparing the fsync.
var errNoWrites = errors.New("bolt: nothing to commit")

// drain commits the queued calls. The caller that found no commit running (the leader)
// commits the first batch, which holds its own call, then hands the rest to a goroutine so
// that it does not wait for other callers' commits under sustained load. Only one goroutine
// drains at a time (e.committing).
func (e *Engine) drain() {
	if e.commitNext() {
		go func() {
			for e.commitNext() {
			}
		}()
	}
}

// commitNext commits the queued calls as one batch and reports whether more are queued; when
// none are, it clears e.committing.
func (e *Engine) commitNext() bool {
	e.mu.Lock()
	batch := e.queue
	e.queue = nil
	e.mu.Unlock()
	if len(batch) > 0 {
		e.commit(batch)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queue) == 0 {
		e.committing = false
		return false
	}
	return true
}

// commit runs a batch in one bbolt transaction. Each fn sees the writes of the fns before it;
// the writes of a fn that fails are discarded, and its error is its own. Transient keys
// (kv.Transient) are written to memory once the bbolt transaction committed; a batch that
// writes nothing else commits no bbolt transaction, so a step of a login that only moves its
// auth request costs no fsync.
func (e *Engine) commit(batch []*call) {
	wrote := false
	var pending map[string][]byte // transient writes of the batch; nil value: deleted
	var held []string             // the transient records the batch touched (e.theld)
	err := e.db.Update(func(btx *bbolt.Tx) error {
		b := btx.Bucket(bucket)
		pending = nil
		for _, c := range batch {
			t := &tx{e: e, b: b, now: c.now, pending: &pending, held: &held}
			c.panicked, c.err = run(c.fn, t)
			if c.err != nil || c.panicked != nil {
				continue
			}
			for k, env := range t.writes {
				if kv.Transient(k) {
					if pending == nil {
						pending = make(map[string][]byte)
					}
					pending[k] = env
					continue
				}
				var err error
				if env == nil {
					err = b.Delete([]byte(k))
				} else {
					err = b.Put([]byte(k), env)
				}
				if err != nil {
					return err
				}
				wrote = true
			}
		}
		if !wrote {
			return errNoWrites
		}
		return nil
	})
	if err != nil && !errors.Is(err, errNoWrites) {
		err = mapErr(err)
		for _, c := range batch {
			if c.err == nil && c.panicked == nil {
				c.err = fmt.Errorf("bolt: commit: %w", err)
			}
		}
		pending = nil
	}
	if len(pending) > 0 || len(held) > 0 {
		e.tmu.Lock() // the writes and the release in one step: a fast run sees both or neither
		e.applyTransient(pending)
		for _, k := range held {
			delete(e.theld, k)
		}
		e.tmu.Unlock()
	}
	for _, c := range batch {
		close(c.done)
	}
}

// run calls fn, turning a panic into a value the caller re-raises in its own goroutine.
func run(fn func(kv.Tx) error, t *tx) (panicked any, err error) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return nil, fn(t)
}

// tx is one fn's view: its own buffered writes over the batch's bbolt bucket and the
// transient records (the batch's earlier writes first). A fast tx (fastUpdate) has no bucket:
// touching a durable key voids it.
type tx struct {
	e       *Engine
	b       *bbolt.Bucket
	now     int64
	writes  map[string][]byte  // envelope; nil: deleted
	pending *map[string][]byte // the batch's transient writes so far
	held    *[]string          // (batch) the transient records the batch holds
	fast    bool               // a fastUpdate run
	void    bool               // (fast) fn touched a durable key or a held record: the run is void
	read    map[string]uint64  // (fast) the versions of the transient records it read
}

// touch is called before fn reads or writes key. A batch holds each transient record it
// touches until its writes are applied; a fast run is void once it touches a durable key.
func (t *tx) touch(key string) error {
	transient := kv.Transient(key)
	switch {
	case t.fast && (t.void || !transient):
		t.void = true
		return errDurableTouched
	case !t.fast && transient && !slices.Contains(*t.held, key):
		t.e.tmu.Lock()
		t.e.theld[key] = true
		t.e.tmu.Unlock()
		*t.held = append(*t.held, key)
	}
	return nil
}

// Prefetch is told the keys fn is about to read (kv.Prefetcher): a fast run that will touch a
// durable record is void at once, before fn has read or decoded anything, and a batch holds the
// transient ones from now on.
func (t *tx) Prefetch(keys ...string) error {
	for _, k := range keys {
		if err := t.touch(k); err != nil {
			return err
		}
	}
	return nil
}

// env returns the raw envelope at key, the tx's own writes first.
func (t *tx) env(key string) []byte {
	if env, ok := t.writes[key]; ok {
		return env
	}
	if kv.Transient(key) {
		if env, ok := (*t.pending)[key]; ok {
			return env
		}
		t.e.tmu.RLock()
		defer t.e.tmu.RUnlock()
		if t.fast {
			if t.e.theld[key] {
				t.void = true // the batch being committed will change it
				return nil
			}
			if t.read == nil {
				t.read = make(map[string]uint64)
			}
			t.read[key] = t.e.tver[key]
		}
		return t.e.transient[key]
	}
	return t.b.Get([]byte(key))
}

func (t *tx) Get(key string) ([]byte, error) {
	if err := t.touch(key); err != nil {
		return nil, err
	}
	env := t.env(key)
	if env == nil {
		return nil, storage.ErrNotFound
	}
	return decode(key, env, t.now)
}

func (t *tx) Put(key string, value []byte, expiresAt time.Time) error {
	if key == "" {
		return errors.New("bolt: empty key")
	}
	if err := t.touch(key); err != nil {
		return err
	}
	t.set(key, expiry.Encode(value, expiresAt))
	return nil
}

func (t *tx) Delete(key string) error {
	if err := t.touch(key); err != nil {
		return err
	}
	t.set(key, nil)
	return nil
}

func (t *tx) set(key string, env []byte) {
	if t.writes == nil {
		t.writes = make(map[string][]byte)
	}
	t.writes[key] = env
}

// Scan copies the live values with the prefix in one read transaction, then calls fn for each
// in key order outside it (so fn may write).
func (e *Engine) Scan(ctx context.Context, prefix string, now time.Time, fn func(key string, value []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	type pair struct {
		key string
		val []byte
	}
	// Each chunk of keys is read in its own read transaction and fn runs between them: a scan
	// that stops early (a page of a long list) reads one chunk, not every key.
	pairs := make([]pair, 0, scanChunk)
	n, p := expiry.Nanos(now), []byte(prefix)
	// The transient records under the prefix, merged into the key order as the scan goes.
	var trans []pair
	if kv.MayHoldTransient(prefix) {
		e.tmu.RLock()
		for k, env := range e.transient {
			if strings.HasPrefix(k, prefix) && len(env) >= 8 && expiry.Live(env, n) {
				trans = append(trans, pair{k, bytes.Clone(env[8:])})
			}
		}
		e.tmu.RUnlock()
		slices.SortFunc(trans, func(a, b pair) int { return strings.Compare(a.key, b.key) })
	}
	emit := func(p pair) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(p.key, p.val)
	}
	from, first := p, true
	chunk := firstScanChunk // grows to scanChunk: a scan that stops after a few keys reads a few
	for {
		pairs = pairs[:0]
		more := false
		err := e.db.View(func(tx *bbolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			for k, env := c.Seek(from); k != nil && bytes.HasPrefix(k, p); k, env = c.Next() {
				if !first && bytes.Equal(k, from) {
					continue
				}
				if len(pairs) == chunk {
					more = true
					return nil
				}
				if len(env) >= 8 && expiry.Live(env, n) {
					pairs = append(pairs, pair{string(k), bytes.Clone(env[8:])})
				}
			}
			return nil
		})
		if err != nil {
			return mapErr(err)
		}
		for _, p := range pairs {
			for len(trans) > 0 && trans[0].key < p.key {
				if err := emit(trans[0]); err != nil {
					return err
				}
				trans = trans[1:]
			}
			if err := emit(p); err != nil {
				return err
			}
		}
		if !more || len(pairs) == 0 {
			for _, t := range trans {
				if err := emit(t); err != nil {
					return err
				}
			}
			return nil
		}
		from, first = []byte(pairs[len(pairs)-1].key), false
		chunk = min(2*chunk, scanChunk)
	}
}

// scanChunk is how many keys one read transaction of Scan reads.
const scanChunk = 256

// firstScanChunk is how many keys Scan reads at first.
const firstScanChunk = 16

// Incr adds delta to the decimal counter at key in one transaction (sharing commits with
// concurrent callers like Update).
func (e *Engine) Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	var n int64
	err := e.Update(ctx, now, func(kt kv.Tx) error {
		t := kt.(*tx)
		n = 0
		if err := t.touch(key); err != nil {
			return err
		}
		exp := expiry.Nanos(expiresAt)
		if env := t.env(key); len(env) >= 8 && expiry.Live(env, t.now) {
			v, err := strconv.ParseInt(string(env[8:]), 10, 64)
			if err != nil {
				return fmt.Errorf("bolt: incr %q: not a counter: %w", key, err)
			}
			n, exp = v, int64(binary.BigEndian.Uint64(env))
		}
		n += delta
		val := binary.BigEndian.AppendUint64(make([]byte, 0, 8+20), uint64(exp))
		t.set(key, strconv.AppendInt(val, n, 10))
		return nil
	})
	return n, err
}

// Health answers nil while the file is open.
func (e *Engine) Health(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr(e.db.View(func(*bbolt.Tx) error { return nil }))
}

// Close stops the sweeper and closes the file; later calls answer storage.ErrUnavailable.
// Closing twice is harmless.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.closed.Store(true)
		e.sweeper.Stop()
		e.closeErr = e.db.Close()
	})
	return e.closeErr
}

// Sweep deletes the values expired at now and returns how many it deleted. It works in chunks
// of bounded transactions.
func (e *Engine) Sweep(now time.Time) (int, error) {
	n := expiry.Nanos(now)
	total := 0
	e.tmu.Lock()
	for k, env := range e.transient {
		if len(env) < 8 || !expiry.Live(env, n) {
			delete(e.transient, k)
			delete(e.tver, k)
			total++
		}
	}
	e.tmu.Unlock()
	var from []byte
	for {
		var keys [][]byte
		var next []byte
		err := e.db.View(func(tx *bbolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			k, env := c.First()
			if from != nil {
				k, env = c.Seek(from)
			}
			for ; k != nil; k, env = c.Next() {
				if len(keys) == sweepChunk {
					next = bytes.Clone(k)
					break
				}
				if len(env) >= 8 && !expiry.Live(env, n) {
					keys = append(keys, bytes.Clone(k))
				}
			}
			return nil
		})
		if err != nil {
			return total, mapErr(err)
		}
		if len(keys) > 0 {
			deleted := 0
			err = e.db.Update(func(tx *bbolt.Tx) error {
				b := tx.Bucket(bucket)
				deleted = 0
				for _, k := range keys {
					// Re-check: the value may have been rewritten since the scan.
					if env := b.Get(k); len(env) >= 8 && !expiry.Live(env, n) {
						if err := b.Delete(k); err != nil {
							return err
						}
						deleted++
					}
				}
				return nil
			})
			if err != nil {
				return total, mapErr(err)
			}
			total += deleted
		}
		if next == nil {
			return total, nil
		}
		from = next
	}
}
