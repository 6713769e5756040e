package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/expiry"
	"github.com/esia-emulator/esia-emulator/storage/kv"
)

// DefaultPrefix is the key prefix when none is configured. The braces make it a Redis Cluster
// hash tag, so that every key of one emulator lives in one slot and transactions may span them.
const DefaultPrefix = "{esia}:"

// DefaultGrace is how long after its expiry Redis keeps a value (its real TTL is the record's
// expiry plus the grace), so a caller whose clock lags the wall clock still sees it.
const DefaultGrace = time.Hour

// Transaction retries: an optimistic transaction that keeps losing WATCH races is retried this
// many times with a small randomised backoff, then fails with storage.ErrConflict.
const (
	maxAttempts = 32
	maxBackoff  = 20 * time.Millisecond
)

// scanCount is the page size of Scan's ZRANGEBYLEX and MGET and the COUNT hint of the
// one-off SCAN that builds the index.
const scanCount = 1000

type options struct {
	grace time.Duration
}

// Option configures Open, OpenEngine and NewEngine.
type Option func(*options)

// WithGrace sets how long after its expiry Redis keeps a value (default DefaultGrace).
func WithGrace(d time.Duration) Option { return func(o *options) { o.grace = max(d, 0) } }

// Engine is a kv.Engine over a go-redis UniversalClient: one server, Sentinel or Cluster.
type Engine struct {
	c      goredis.UniversalClient
	prefix string
	grace  time.Duration
	// anchor is WATCHed first by every transaction on a Cluster client, which needs a key to
	// route the transaction to its slot's node; nothing ever writes it.
	anchor string
	// the key index (index.go)
	idxKeys, idxExp, marker string
	missing                 chan []string // Scan's members without a key, for the background loop
	stop                    context.CancelFunc
	bgDone                  chan struct{}
	closed                  atomic.Bool
	closeOnce               sync.Once
}

var (
	_ kv.Engine      = (*Engine)(nil)
	_ kv.MultiGetter = (*Engine)(nil)
	_ kv.Prefetcher  = (*tx)(nil)
)

// Open connects to the Redis at url (see ParseURL for the forms), checks that it answers and
// returns a Store whose keys all start with the prefix (see Prefix). Closing the Store closes
// the client.
func Open(ctx context.Context, url, prefix string, opts ...Option) (*kv.Store, error) {
	e, err := OpenEngine(ctx, url, prefix, opts...)
	if err != nil {
		return nil, err
	}
	return kv.New(e), nil
}

// OpenEngine is Open without the kv.Store wrapper. It builds the key index once if the
// database was written by an engine without it (EnsureIndex).
func OpenEngine(ctx context.Context, url, prefix string, opts ...Option) (*Engine, error) {
	o, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	e := NewEngine(goredis.NewUniversalClient(o), prefix, opts...)
	if err := e.c.Ping(ctx).Err(); err != nil {
		e.Close()
		if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %w", storage.ErrUnavailable, err)
		}
		return nil, fmt.Errorf("redis: cannot reach %s: %w", Redact(url), err)
	}
	if err := e.EnsureIndex(ctx); err != nil {
		e.Close()
		return nil, fmt.Errorf("redis: %s: %w", Redact(url), err)
	}
	return e, nil
}

// NewEngine returns an engine over an existing client, which it owns from then on (Close
// closes it). It starts the loop that removes index garbage, until Close. Unlike OpenEngine
// it does not build the index of keys written by an engine without one: call EnsureIndex.
func NewEngine(c goredis.UniversalClient, prefix string, opts ...Option) *Engine {
	o := options{grace: DefaultGrace}
	for _, opt := range opts {
		opt(&o)
	}
	e := &Engine{c: c, prefix: Prefix(prefix), grace: o.grace}
	if _, ok := c.(*goredis.ClusterClient); ok {
		e.anchor = e.prefix + "!anchor"
	}
	e.idxKeys, e.idxExp, e.marker = e.prefix+idxKeysName, e.prefix+idxExpName, e.prefix+markerName
	e.missing = make(chan []string, 4)
	e.bgDone = make(chan struct{})
	ctx, stop := context.WithCancel(context.Background())
	e.stop = stop
	go e.background(ctx)
	return e
}

// Prefix returns the key prefix used for the configured one: DefaultPrefix for "", the prefix
// itself when it holds a hash tag ("{…}"), otherwise the prefix wrapped in one: "staging" and
// "staging:" both become "{staging}:".
func Prefix(p string) string {
	if p == "" {
		return DefaultPrefix
	}
	if i := strings.IndexByte(p, '{'); i >= 0 {
		if j := strings.IndexByte(p[i+1:], '}'); j > 0 {
			return p
		}
	}
	return "{" + strings.TrimSuffix(p, ":") + "}:"
}

// KeyPrefix is the prefix of every key the engine writes.
func (e *Engine) KeyPrefix() string { return e.prefix }

// Client is the underlying client, for diagnostics and tests.
func (e *Engine) Client() goredis.UniversalClient { return e.c }

// ttl is the real expiry Redis gets for a value expiring at exp (zero: none).
func (e *Engine) ttl(exp time.Time) time.Time {
	if exp.IsZero() {
		return exp
	}
	return exp.Add(e.grace)
}

// ttlMillis is the PEXPIREAT argument and idxExp score for a value expiring at exp, 0 for
// none. Instants before the epoch become 1 ms after it (PEXPIREAT then deletes at once).
func (e *Engine) ttlMillis(exp time.Time) int64 {
	if exp.IsZero() {
		return 0
	}
	return max(e.ttl(exp).UnixMilli(), 1)
}

var errClosed = fmt.Errorf("redis: engine closed: %w", storage.ErrUnavailable)

// transient server replies: the server is up but cannot serve now (loading, failing over,
// resharding).
var transient = []string{"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK", "NOREPLICAS", "BUSY", "MISCONF"}

// mapErr wraps err with the operation, adding storage.ErrUnavailable unless the server
// answered with an error of its own or the caller's context ended.
func (e *Engine) mapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	var re goredis.Error
	if errors.As(err, &re) && !slices.ContainsFunc(transient, func(p string) bool { return strings.HasPrefix(re.Error(), p) }) {
		return fmt.Errorf("redis: %s: %w", op, err)
	}
	return fmt.Errorf("redis: %s: %w: %w", op, storage.ErrUnavailable, err)
}

// Get returns the value live at now.
func (e *Engine) Get(ctx context.Context, key string, now time.Time) ([]byte, error) {
	if e.closed.Load() {
		return nil, errClosed
	}
	if reserved(key) {
		return nil, storage.ErrNotFound
	}
	env, err := e.c.Get(ctx, e.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, e.mapErr(ctx, "get", err)
	}
	return expiry.Decode(key, env, expiry.Nanos(now))
}

// GetMany reads the values of keys with one MGET (every key carries the engine's hash tag, so
// a Cluster serves it from one node); nil for an absent or expired one.
func (e *Engine) GetMany(ctx context.Context, keys []string, now time.Time) ([][]byte, error) {
	if e.closed.Load() {
		return nil, errClosed
	}
	out := make([][]byte, len(keys))
	full := make([]string, 0, len(keys))
	at := make([]int, 0, len(keys)) // index in keys of each full key
	for i, k := range keys {
		if !reserved(k) {
			full, at = append(full, e.prefix+k), append(at, i)
		}
	}
	if len(full) == 0 {
		return out, nil
	}
	vals, err := e.c.MGet(ctx, full...).Result()
	if err != nil {
		return nil, e.mapErr(ctx, "mget", err)
	}
	n := expiry.Nanos(now)
	for j, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue // nil: absent
		}
		b, err := expiry.Decode(keys[at[j]], []byte(s), n)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[at[j]] = b
	}
	return out, nil
}

// Update runs fn in an optimistic transaction: every key fn reads is WATCHed before it is
// read, the writes are buffered and committed with MULTI/EXEC, and a transaction that lost a
// race (EXEC aborted) runs again after a short randomised pause, up to maxAttempts times.
func (e *Engine) Update(ctx context.Context, now time.Time, fn func(kv.Tx) error) error {
	if e.closed.Load() {
		return errClosed
	}
	var anchor []string
	if e.anchor != "" {
		anchor = []string{e.anchor}
	}
	for attempt := range maxAttempts {
		if attempt > 0 {
			backoff := min(time.Duration(1<<min(attempt, 10))*100*time.Microsecond, maxBackoff)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(rand.N(backoff) + 50*time.Microsecond):
			}
		}
		var fnErr error
		err := e.c.Watch(ctx, func(rtx *goredis.Tx) error {
			t := &tx{e: e, ctx: ctx, rtx: rtx, now: expiry.Nanos(now)}
			if fnErr = fn(t); fnErr != nil {
				if !errors.Is(fnErr, storage.ErrUnavailable) { // else the connection is dropped anyway
					t.unwatch()
				}
				return fnErr
			}
			return t.commit()
		}, anchor...)
		switch {
		case fnErr != nil:
			return fnErr // unchanged, as the contract requires
		case err == nil:
			return nil
		case errors.Is(err, goredis.TxFailedErr):
			continue
		default:
			return e.mapErr(ctx, "update", err)
		}
	}
	return fmt.Errorf("redis: update: %d attempts lost the race: %w", maxAttempts, storage.ErrConflict)
}

// tx buffers writes over a go-redis transaction connection.
type tx struct {
	e       *Engine
	ctx     context.Context
	rtx     *goredis.Tx
	now     int64
	writes  map[string]*write // nil: deleted
	watched map[string]bool
	fetched map[string][]byte // Prefetch's envelopes (nil: absent), watched
	err     error             // a refused write: commit fails with it
}

// Prefetch WATCHes the keys and reads them with one MGET, in one round trip: Get answers them
// from then on (a transaction's later writes first).
func (t *tx) Prefetch(keys ...string) error {
	var want, full []string
	var watch []any
	for _, k := range keys {
		if _, ok := t.writes[k]; ok || reserved(k) || slices.Contains(want, k) {
			continue
		}
		if _, ok := t.fetched[k]; ok {
			continue
		}
		want, full = append(want, k), append(full, t.e.prefix+k)
		if !t.watched[k] {
			watch = append(watch, t.e.prefix+k)
		}
	}
	if len(want) == 0 {
		return nil
	}
	var wcmd goredis.Cmder
	var mget *goredis.SliceCmd
	_, err := t.rtx.Pipelined(t.ctx, func(p goredis.Pipeliner) error {
		if len(watch) > 0 {
			wcmd = p.Do(t.ctx, append([]any{"WATCH"}, watch...)...)
		}
		mget = p.MGet(t.ctx, full...)
		return nil
	})
	if t.watched == nil {
		t.watched = make(map[string]bool)
	}
	for _, k := range want {
		t.watched[k] = true
	}
	switch {
	case wcmd != nil && wcmd.Err() != nil:
		return t.e.mapErr(t.ctx, "watch", wcmd.Err())
	case mget.Err() != nil:
		return t.e.mapErr(t.ctx, "mget", mget.Err())
	case err != nil:
		return t.e.mapErr(t.ctx, "mget", err)
	}
	if t.fetched == nil {
		t.fetched = make(map[string][]byte, len(want))
	}
	for i, v := range mget.Val() {
		if s, ok := v.(string); ok {
			t.fetched[want[i]] = []byte(s)
		} else {
			t.fetched[want[i]] = nil
		}
	}
	return nil
}

type write struct {
	env []byte
	exp time.Time
}

func (t *tx) Get(key string) ([]byte, error) {
	if w, ok := t.writes[key]; ok {
		if w == nil {
			return nil, storage.ErrNotFound
		}
		b, err := expiry.Decode(key, w.env, t.now)
		return bytes.Clone(b), err
	}
	if reserved(key) {
		return nil, storage.ErrNotFound
	}
	if env, ok := t.fetched[key]; ok {
		if env == nil {
			return nil, storage.ErrNotFound
		}
		b, err := expiry.Decode(key, env, t.now)
		return bytes.Clone(b), err
	}
	full := t.e.prefix + key
	var get *goredis.StringCmd
	var watch goredis.Cmder
	_, err := t.rtx.Pipelined(t.ctx, func(p goredis.Pipeliner) error {
		if !t.watched[key] {
			watch = p.Do(t.ctx, "WATCH", full)
		}
		get = p.Get(t.ctx, full)
		return nil
	})
	if t.watched == nil {
		t.watched = make(map[string]bool)
	}
	t.watched[key] = true
	if watch != nil && watch.Err() != nil {
		return nil, t.e.mapErr(t.ctx, "watch", watch.Err())
	}
	env, gerr := get.Bytes()
	switch {
	case errors.Is(gerr, goredis.Nil):
		return nil, storage.ErrNotFound
	case gerr != nil:
		return nil, t.e.mapErr(t.ctx, "get", gerr)
	case err != nil && !errors.Is(err, goredis.Nil):
		return nil, t.e.mapErr(t.ctx, "get", err)
	}
	return expiry.Decode(key, env, t.now)
}

func (t *tx) Put(key string, value []byte, expiresAt time.Time) error {
	if reserved(key) {
		t.err = errReserved(key)
		return t.err
	}
	t.set(key, &write{env: expiry.Encode(value, expiresAt), exp: expiresAt})
	return nil
}

func (t *tx) Delete(key string) error {
	if reserved(key) {
		return nil // nothing of the kv key space is there
	}
	t.set(key, nil)
	return nil
}

func (t *tx) set(key string, w *write) {
	if t.writes == nil {
		t.writes = make(map[string]*write)
	}
	t.writes[key] = w
}

// unwatch releases the keys WATCHed with a plain command when no EXEC follows.
func (t *tx) unwatch() {
	if len(t.watched) > 0 {
		_ = t.rtx.Unwatch(t.ctx).Err()
	}
}

// commit sends the buffered writes in MULTI/EXEC, with the index updates (at most four
// commands whatever the number of writes); go-redis answers TxFailedErr when a watched key
// changed. The index keys are not watched: each EXEC sets both a key and its members.
func (t *tx) commit() error {
	if t.err != nil {
		t.unwatch()
		return t.err
	}
	if len(t.writes) == 0 {
		t.unwatch()
		return nil
	}
	var put, unexp []any // idxKeys members to add, idxExp members to remove
	var del []any        // members to remove from both
	var exp []goredis.Z  // idxExp members to add
	_, err := t.rtx.TxPipelined(t.ctx, func(p goredis.Pipeliner) error {
		for key, w := range t.writes {
			full := t.e.prefix + key
			if w == nil {
				p.Del(t.ctx, full)
				del = append(del, key)
				continue
			}
			p.Set(t.ctx, full, w.env, 0)
			put = append(put, key)
			if ms := t.e.ttlMillis(w.exp); ms != 0 {
				p.Do(t.ctx, "PEXPIREAT", full, ms)
				exp = append(exp, goredis.Z{Score: float64(ms), Member: key})
			} else {
				unexp = append(unexp, key)
			}
		}
		if len(put) > 0 {
			zs := make([]goredis.Z, len(put))
			for i, m := range put {
				zs[i] = goredis.Z{Member: m}
			}
			p.ZAdd(t.ctx, t.e.idxKeys, zs...)
		}
		if len(exp) > 0 {
			p.ZAdd(t.ctx, t.e.idxExp, exp...)
		}
		if len(del) > 0 {
			p.ZRem(t.ctx, t.e.idxKeys, del...)
		}
		if rem := append(unexp, del...); len(rem) > 0 {
			p.ZRem(t.ctx, t.e.idxExp, rem...)
		}
		return nil
	})
	return err
}

// Scan pages through the prefix's members of the key index (ZRANGEBYLEX, in key order) and
// reads their values with MGET, scanCount at a time: its cost grows with the keys listed, not
// with the database. Members whose key has gone (dropped by its Redis TTL) are skipped and
// handed to the background loop for removal.
func (e *Engine) Scan(ctx context.Context, prefix string, now time.Time, fn func(key string, value []byte) error) error {
	if e.closed.Load() {
		return errClosed
	}
	if reserved(prefix) {
		return nil
	}
	lo, hi := lexRange(prefix)
	n := expiry.Nanos(now)
	var missing []string
	defer func() { e.reportMissing(missing) }()
	var full []string
	for {
		keys, err := e.c.ZRangeByLex(ctx, e.idxKeys, &goredis.ZRangeBy{Min: lo, Max: hi, Count: scanCount}).Result()
		if err != nil {
			return e.mapErr(ctx, "scan", err)
		}
		if len(keys) == 0 {
			return nil
		}
		full = slices.Grow(full[:0], len(keys))
		for _, k := range keys {
			full = append(full, e.prefix+k)
		}
		vals, err := e.c.MGet(ctx, full...).Result()
		if err != nil {
			return e.mapErr(ctx, "scan", err)
		}
		for i, v := range vals {
			key := keys[i]
			s, ok := v.(string)
			if !ok {
				missing = append(missing, key) // dropped by its TTL, or deleted since
				continue
			}
			val, err := expiry.Decode(key, []byte(s), n)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(key, val); err != nil {
				return err
			}
		}
		if len(keys) < scanCount {
			return nil
		}
		lo = "(" + keys[len(keys)-1]
	}
}

// globEscape escapes the characters SCAN MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// incrScript adds ARGV[1] to the counter at KEYS[1] atomically, deciding liveness by the
// caller's now (ARGV[3], an 8-byte envelope expiry) rather than by Redis's clock. A live
// counter keeps its expiry and TTL; an absent or expired one starts from zero with the
// envelope expiry ARGV[2] and the real TTL ARGV[4] (milliseconds; "0": none). It keeps the
// index: member ARGV[5] in KEYS[2] (idxKeys) and, scored by the TTL, in KEYS[3] (idxExp).
var incrScript = goredis.NewScript(`
local function after(a, b)
  for i = 1, 8 do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return false
end
local never = string.rep("\0", 8)
local v = redis.call("GET", KEYS[1])
local n, head, keep = 0, ARGV[2], false
if v and string.len(v) >= 8 then
  local exp = string.sub(v, 1, 8)
  if exp == never or after(exp, ARGV[3]) then
    n = tonumber(string.sub(v, 9))
    if not n then return redis.error_reply("ERR not a counter") end
    head, keep = exp, true
  end
end
n = n + tonumber(ARGV[1])
local s = string.format("%d", n)
redis.call("ZADD", KEYS[2], 0, ARGV[5])
if keep then
  redis.call("SET", KEYS[1], head .. s, "KEEPTTL")
else
  redis.call("SET", KEYS[1], head .. s)
  if ARGV[4] ~= "0" then
    redis.call("PEXPIREAT", KEYS[1], ARGV[4])
    redis.call("ZADD", KEYS[3], ARGV[4], ARGV[5])
  else
    redis.call("ZREM", KEYS[3], ARGV[5])
  end
end
return s
`)

// Incr adds delta to the decimal counter at key in one server-side script, so concurrent
// callers on any number of replicas never lose an increment.
func (e *Engine) Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	if e.closed.Load() {
		return 0, errClosed
	}
	if reserved(key) {
		return 0, errReserved(key)
	}
	ttl := fmt.Sprint(e.ttlMillis(expiresAt))
	keys := []string{e.prefix + key, e.idxKeys, e.idxExp}
	res, err := incrScript.Run(ctx, e.c, keys, delta, expiry.Header(expiresAt), expiry.Header(now), ttl, key).Int64()
	if err != nil {
		return 0, e.mapErr(ctx, "incr "+key, err)
	}
	return res, nil
}

// Health pings the server.
func (e *Engine) Health(ctx context.Context) error {
	if e.closed.Load() {
		return errClosed
	}
	return e.mapErr(ctx, "ping", e.c.Ping(ctx).Err())
}

// Close stops the background loop and closes the client; later calls answer
// storage.ErrUnavailable. Closing twice is harmless.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.closed.Store(true)
		e.stop()
		<-e.bgDone
		err = e.c.Close()
	})
	return err
}
