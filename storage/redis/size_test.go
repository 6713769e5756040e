package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/redis"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
	"github.com/esia-emulator/esia-emulator/storage/storetest"
)

// TestRecordSize logs how much Redis memory a user (persona) and an SSO session take, keys,
// indexes and Redis's per-key overhead included (MEMORY USAGE), next to the raw key+value bytes.
// The records are those of storage/memory's TestRecordSize, so the numbers compare.
func TestRecordSize(t *testing.T) {
	ctx, now := context.Background(), time.Now().UTC()
	srv := redistest.Start(t)
	e := openEngine(t, srv.URL(), "") // the default prefix, as deployed; the server is this test's own
	s := kv.New(e)
	const n = 200
	for i := range n {
		id := fmt.Sprint(1000000 + i)
		must(t, s.CreateUser(ctx, storetest.SizedUser(id, now)))
		must(t, s.CreateSession(ctx, storetest.SizedSession(i, id, now)))
	}
	c, p := e.Client(), e.KeyPrefix()
	// The key index's share: its sets' memory spread evenly over their members.
	share := func(set string) float64 {
		u, err := c.MemoryUsage(ctx, p+set, 0).Result()
		must(t, err)
		m, err := c.ZCard(ctx, p+set).Result()
		must(t, err)
		return float64(u) / float64(max(m, 1))
	}
	keyShare, expShare := share(redis.IdxKeysName), share(redis.IdxExpName)
	size := func(prefixes ...string) (usage, raw int64) {
		var idx float64
		for _, pre := range prefixes {
			must(t, e.Scan(ctx, pre, now, func(k string, v []byte) error {
				u, err := c.MemoryUsage(ctx, p+k, 0).Result()
				usage += u
				raw += int64(len(p) + len(k) + 8 + len(v))
				idx += keyShare
				if ttl, err := c.PTTL(ctx, p+k).Result(); err == nil && ttl > 0 {
					idx += expShare
				}
				return err
			}))
		}
		return (usage + int64(idx)) / n, raw / n
	}
	uu, ur := size("user/", "login/")
	su, sr := size("session/", "usersessions/")
	t.Logf("redis bytes per record (MEMORY USAGE, keys and indexes included): user %d (raw key+value %d), session %d (raw %d); prefix %q; key index %.0f bytes per key, +%.0f with a TTL",
		uu, ur, su, sr, p, keyShare, expShare)
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
