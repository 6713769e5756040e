package redis

import (
	"context"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The key index: two sorted sets next to the data keys, named <prefix>\x00idx:…. A kv key
// never starts with a zero byte (the engine refuses such keys, see reserved), so no data key
// <prefix><kv key> can be one of them, and their hash tag is the prefix's, so they share the
// slot of the data keys and MULTI/EXEC and scripts may touch both.
//
//	idxKeys  every key, score 0, member the kv key: ZRANGEBYLEX lists a prefix in key order
//	idxExp   the keys with a Redis TTL, score the TTL instant (Unix ms, as PEXPIREAT got it)
//	marker   set once the index covers every key written before the index existed
//
// Each write updates its members in the same MULTI/EXEC or script as the data key, so a
// member is never missing for a key that exists (a member may outlive its key, see prune).
const (
	reservedByte = "\x00"
	idxKeysName  = reservedByte + "idx:keys"
	idxExpName   = reservedByte + "idx:exp"
	markerName   = reservedByte + "idx:v1"
)

// Garbage removal: members whose key Redis dropped by its TTL stay in the index until the
// engine's background loop removes them, pruneBatch at a time every pruneEvery.
const (
	pruneEvery     = time.Minute
	pruneBatch     = 1000
	pruneMaxRounds = 100 // per tick, so a huge backlog does not keep one loop busy
	bgTimeout      = 10 * time.Second
)

// reserved reports whether key is outside the kv key space (it would name an index key).
func reserved(key string) bool { return strings.HasPrefix(key, reservedByte) }

func errReserved(key string) error {
	return fmt.Errorf("redis: key %q: keys starting with a zero byte are reserved", key)
}

// lexRange returns the ZRANGEBYLEX bounds of the members starting with prefix: [prefix up
// to the first string after every such member (exclusive), "-" and "+" when unbounded. The
// upper bound is prefix with its trailing 0xFF bytes dropped and its last byte incremented,
// so it holds for keys of any bytes, not only UTF-8.
func lexRange(prefix string) (lo, hi string) {
	lo, hi = "-", "+"
	if prefix != "" {
		lo = "[" + prefix
	}
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) > 0 {
		b[len(b)-1]++
		hi = "(" + string(b)
	}
	return lo, hi
}

// pruneScript removes up to ARGV[1] members whose Redis TTL instant (idxExp score, KEYS[2])
// has passed by the server's clock, from both sets (KEYS[1], KEYS[2]). Redis expires a key
// once its clock is past the instant, so a member scored at "now" is kept. A key rewritten
// since has its new score already (same MULTI as the write), so it is not a candidate.
var pruneScript = goredis.NewScript(`
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", string.format("(%d", now), "LIMIT", 0, tonumber(ARGV[1]))
if #gone > 0 then
  redis.call("ZREM", KEYS[1], unpack(gone))
  redis.call("ZREM", KEYS[2], unpack(gone))
end
return #gone
`)

// sweepScript removes the members ARGV[i] whose data key KEYS[i+2] does not exist from both
// sets, checking each key in the same atomic step, so a key written again meanwhile keeps its
// member.
var sweepScript = goredis.NewScript(`
local n = 0
for i = 3, #KEYS do
  if redis.call("EXISTS", KEYS[i]) == 0 then
    redis.call("ZREM", KEYS[1], ARGV[i - 2])
    redis.call("ZREM", KEYS[2], ARGV[i - 2])
    n = n + 1
  end
end
return n
`)

// migrateScript adds the members ARGV[i] for the data keys KEYS[i+2] that exist as strings,
// scored in KEYS[2] by their Redis expiry instant (PEXPIRETIME, or TIME + PTTL before Redis 7).
// It reads each key's state when it runs, so it is safe beside concurrent writers.
var migrateScript = goredis.NewScript(`
local function expat(k)
  local r = redis.pcall("PEXPIRETIME", k)
  if type(r) == "number" then return r end
  local ttl = redis.call("PTTL", k)
  if ttl < 0 then return ttl end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl
end
local n = 0
for i = 3, #KEYS do
  if redis.call("TYPE", KEYS[i]).ok == "string" then
    local m = ARGV[i - 2]
    redis.call("ZADD", KEYS[1], 0, m)
    local at = expat(KEYS[i])
    if at >= 0 then
      redis.call("ZADD", KEYS[2], string.format("%d", at), m)
    else
      redis.call("ZREM", KEYS[2], m)
    end
    n = n + 1
  end
end
return n
`)

// EnsureIndex builds the key index from the keys already in Redis unless the marker says it
// was built: a one-off SCAN of the database (of every master of a Cluster) for a database
// written by an engine without the index. Concurrent calls from several replicas are safe.
// OpenEngine calls it; callers of NewEngine over such a database should too.
func (e *Engine) EnsureIndex(ctx context.Context) error {
	if e.closed.Load() {
		return errClosed
	}
	n, err := e.c.Exists(ctx, e.marker).Result()
	if err != nil {
		return e.mapErr(ctx, "index", err)
	}
	if n > 0 {
		return nil
	}
	match := globEscape(e.prefix) + "*"
	add := func(ctx context.Context, full []string) error {
		keys := []string{e.idxKeys, e.idxExp}
		var members []any
		for _, k := range full {
			m := strings.TrimPrefix(k, e.prefix)
			if reserved(m) || k == e.anchor {
				continue
			}
			keys = append(keys, k)
			members = append(members, m)
		}
		if len(members) == 0 {
			return nil
		}
		return migrateScript.Run(ctx, e.c, keys, members...).Err()
	}
	scanNode := func(ctx context.Context, c goredis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, match, scanCount).Result()
			if err != nil {
				return err
			}
			for len(keys) > 0 {
				n := min(len(keys), scanCount)
				if err := add(ctx, keys[:n]); err != nil {
					return err
				}
				keys = keys[n:]
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	if cc, ok := e.c.(*goredis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *goredis.Client) error { return scanNode(ctx, c) })
	} else {
		err = scanNode(ctx, e.c)
	}
	if err == nil {
		err = e.c.Set(ctx, e.marker, "1", 0).Err()
	}
	return e.mapErr(ctx, "index", err)
}

// prune removes up to pruneBatch members whose key Redis has dropped by its TTL and returns
// how many it removed.
func (e *Engine) prune(ctx context.Context) (int, error) {
	n, err := pruneScript.Run(ctx, e.c, []string{e.idxKeys, e.idxExp}, pruneBatch).Int()
	return n, e.mapErr(ctx, "prune index", err)
}

// sweep removes the members of keys (kv keys) whose data key does not exist.
func (e *Engine) sweep(ctx context.Context, keys []string) (int, error) {
	full := []string{e.idxKeys, e.idxExp}
	members := make([]any, len(keys))
	for i, k := range keys {
		full = append(full, e.prefix+k)
		members[i] = k
	}
	n, err := sweepScript.Run(ctx, e.c, full, members...).Int()
	return n, e.mapErr(ctx, "sweep index", err)
}

// background removes index garbage until Close: a prune round every pruneEvery (repeated
// while rounds come back full) and a sweep of the members Scan found without a key. Errors
// are ignored: the next round tries again, and garbage costs only memory and a skipped MGET
// entry.
func (e *Engine) background(ctx context.Context) {
	defer close(e.bgDone)
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	run := func(f func(ctx context.Context) (int, error)) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, bgTimeout)
		defer cancel()
		return f(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			for range pruneMaxRounds {
				n, err := run(e.prune)
				if err != nil || n < pruneBatch {
					break
				}
			}
		case keys := <-e.missing:
			_, _ = run(func(ctx context.Context) (int, error) { return e.sweep(ctx, keys) })
		}
	}
}

// reportMissing hands members Scan found without a key to the background loop, dropping them
// if it is busy (the prune removes them later anyway).
func (e *Engine) reportMissing(keys []string) {
	if len(keys) == 0 {
		return
	}
	select {
	case e.missing <- keys:
	default:
	}
}
