package redis_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/redis"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

// TestIndex runs the key index tests on one server and through a Cluster client.
func TestIndex(t *testing.T) {
	t.Parallel() // its own servers; overlaps the waits
	single := redistest.Start(t)
	cluster := redistest.StartCluster(t)
	for name, url := range map[string]string{"Single": single.URL(), "Cluster": cluster.URL() + "?cluster=true"} {
		t.Run(name, func(t *testing.T) {
			t.Run("Migration", func(t *testing.T) { testMigration(t, url) })
			t.Run("Garbage", func(t *testing.T) { testGarbage(t, url) })
			t.Run("ScanPrefix", func(t *testing.T) { testScanPrefix(t, url) })
			t.Run("Reserved", func(t *testing.T) { testReserved(t, url) })
		})
	}
}

// rawClient is a plain go-redis client on the server at url, for writing and inspecting
// keys behind the engine's back.
func rawClient(t *testing.T, url string) goredis.UniversalClient {
	t.Helper()
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewUniversalClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// oldValue is a value in the envelope the engine has always written: 8-byte big-endian
// expiry in Unix nanoseconds (0: never), then the record.
func oldValue(exp time.Time, rec string) string {
	var n uint64
	if !exp.IsZero() {
		n = uint64(exp.UnixNano())
	}
	return string(binary.BigEndian.AppendUint64(nil, n)) + rec
}

func scanKeys(t *testing.T, e kv.Engine, prefix string, now time.Time) (keys, vals []string) {
	t.Helper()
	err := e.Scan(context.Background(), prefix, now, func(k string, v []byte) error {
		keys = append(keys, k)
		vals = append(vals, string(v))
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%q): %v", prefix, err)
	}
	return keys, vals
}

// score is the member's score in the index set, or -1 if it is not a member.
func score(t *testing.T, c goredis.UniversalClient, set, member string) float64 {
	t.Helper()
	s, err := c.ZScore(context.Background(), set, member).Result()
	if errors.Is(err, goredis.Nil) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testMigration: keys written without the index (the layout of the engine before it) are
// indexed by OpenEngine once, with their Redis TTLs, and listed in key order.
func testMigration(t *testing.T, url string) {
	ctx, now := context.Background(), time.Now()
	c := rawClient(t, url)
	p := redis.Prefix(redistest.Prefix(t))
	ttl := now.Add(2 * time.Hour).Truncate(time.Millisecond)
	must(t, c.Set(ctx, p+"user/2", oldValue(time.Time{}, "two"), 0).Err())
	must(t, c.Set(ctx, p+"user/1", oldValue(time.Time{}, "one"), 0).Err())
	must(t, c.Set(ctx, p+"user/10", oldValue(now.Add(time.Hour), "ten"), 0).Err())
	must(t, c.PExpireAt(ctx, p+"user/10", ttl).Err())
	must(t, c.Set(ctx, p+"session/old", oldValue(now.Add(-time.Minute), "expired for kv"), time.Hour).Err())
	must(t, c.HSet(ctx, p+"hash", "f", "v").Err()) // not the engine's: not indexed
	for i := range 2500 {                          // several SCAN pages and migration batches
		must(t, c.Set(ctx, fmt.Sprintf("%sdoc/bulk/%05d", p, i), oldValue(time.Time{}, "b"), 0).Err())
	}

	e := openEngine(t, url, p)
	keys, vals := scanKeys(t, e, "user/", now)
	if want := []string{"user/1", "user/10", "user/2"}; !slices.Equal(keys, want) {
		t.Fatalf("Scan(user/) after migration = %q, want %q", keys, want)
	}
	if want := []string{"one", "ten", "two"}; !slices.Equal(vals, want) {
		t.Fatalf("values = %q, want %q", vals, want)
	}
	if keys, _ := scanKeys(t, e, "session/", now); len(keys) != 0 {
		t.Fatalf("Scan(session/) = %q; the value expired for the caller", keys)
	}
	if keys, _ := scanKeys(t, e, "session/", time.Time{}); !slices.Equal(keys, []string{"session/old"}) {
		t.Fatalf("Scan(session/) at the zero time = %q, want [session/old]", keys)
	}
	if keys, _ := scanKeys(t, e, "doc/bulk/", now); len(keys) != 2500 || !slices.IsSorted(keys) {
		t.Fatalf("Scan(doc/bulk/) = %d keys (sorted %v), want 2500 sorted", len(keys), slices.IsSorted(keys))
	}
	if s := score(t, c, p+redis.IdxExpName, "user/10"); s != float64(ttl.UnixMilli()) {
		t.Errorf("expiry score of user/10 = %.0f, want its Redis TTL %d", s, ttl.UnixMilli())
	}
	if s := score(t, c, p+redis.IdxExpName, "session/old"); s < float64(now.Add(59*time.Minute).UnixMilli()) {
		t.Errorf("expiry score of session/old = %.0f, want about an hour from now", s)
	}
	if s := score(t, c, p+redis.IdxExpName, "user/1"); s != -1 {
		t.Errorf("user/1 has no TTL but an expiry score %.0f", s)
	}
	if s := score(t, c, p+redis.IdxKeysName, "hash"); s != -1 {
		t.Errorf("a hash under the prefix was indexed")
	}
	if n, err := c.Exists(ctx, p+redis.MarkerName).Result(); err != nil || n != 1 {
		t.Fatalf("marker after migration: %d, %v", n, err)
	}

	// One-off: with the marker set, another engine does not scan again, so a key written
	// behind its back stays unlisted; without the marker it is indexed.
	must(t, c.Set(ctx, p+"user/3", oldValue(time.Time{}, "three"), 0).Err())
	if keys, _ := scanKeys(t, openEngine(t, url, p), "user/", now); slices.Contains(keys, "user/3") {
		t.Fatalf("the index was built again despite the marker: %q", keys)
	}
	must(t, c.Del(ctx, p+redis.MarkerName).Err())
	if keys, _ := scanKeys(t, openEngine(t, url, p), "user/", now); !slices.Equal(keys, []string{"user/1", "user/10", "user/2", "user/3"}) {
		t.Fatalf("Scan(user/) after a second migration = %q", keys)
	}
}

// testGarbage: members of keys Redis dropped by their TTL are removed by the prune, keys
// written again keep theirs, and Scan has the members it finds without a key swept.
func testGarbage(t *testing.T, url string) {
	ctx, now := context.Background(), time.Now()
	c := rawClient(t, url)
	e := openEngine(t, url, redistest.Prefix(t), redis.WithGrace(0))
	p := e.KeyPrefix()
	keysSet, expSet := p+redis.IdxKeysName, p+redis.IdxExpName

	put(t, e, "g/old", "v", now.Add(-time.Minute)) // TTL in the past: Redis drops it at once
	put(t, e, "g/new", "v", now.Add(-time.Minute))
	put(t, e, "g/new", "again", now.Add(time.Hour)) // written again: a later TTL
	put(t, e, "g/forever", "v", time.Time{})
	if _, err := e.Incr(ctx, "g/count", 1, now.Add(-time.Minute), now); err != nil { // dropped at once too
		t.Fatal(err)
	}
	if _, err := e.Incr(ctx, "g/count2", 1, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Exists(ctx, p+"g/old", p+"g/count").Result(); n != 0 {
		t.Fatalf("keys with a past TTL are still in Redis (%d)", n)
	}
	if score(t, c, keysSet, "g/old") != 0 || score(t, c, expSet, "g/old") <= 0 {
		t.Fatal("g/old is not in the index before the prune")
	}
	if got := score(t, c, expSet, "g/count2"); got != float64(now.Add(time.Hour).UnixMilli()) {
		t.Errorf("expiry score of the counter = %.0f, want %d", got, now.Add(time.Hour).UnixMilli())
	}

	n, err := e.Prune(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Prune = %d, %v; want 2 (g/old, g/count)", n, err)
	}
	for _, m := range []string{"g/old", "g/count"} {
		if score(t, c, keysSet, m) != -1 || score(t, c, expSet, m) != -1 {
			t.Errorf("%s is still in the index after the prune", m)
		}
	}
	if score(t, c, keysSet, "g/new") != 0 || score(t, c, expSet, "g/new") != float64(now.Add(time.Hour).UnixMilli()) {
		t.Error("the prune removed g/new, written again with a later TTL")
	}
	if score(t, c, keysSet, "g/forever") != 0 || score(t, c, expSet, "g/forever") != -1 {
		t.Error("g/forever: want a key member and no expiry member")
	}
	if n, err := e.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("second Prune = %d, %v; want 0", n, err)
	}

	// A key that vanished behind the engine's back: Scan skips it and has it swept.
	must(t, c.Del(ctx, p+"g/forever").Err())
	if keys, _ := scanKeys(t, e, "g/", now); !slices.Equal(keys, []string{"g/count2", "g/new"}) {
		t.Fatalf("Scan(g/) = %q, want [g/count2 g/new]", keys)
	}
	deadline := time.Now().Add(5 * time.Second)
	for score(t, c, keysSet, "g/forever") != -1 {
		if time.Now().After(deadline) {
			t.Fatal("the member of a missing key was not swept after Scan")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The sweep checks the key when it runs: a key written again keeps its member.
	if n, err := e.Sweep(ctx, "g/new"); err != nil || n != 0 || score(t, c, keysSet, "g/new") != 0 {
		t.Fatalf("Sweep of an existing key = %d, %v; member kept: %v", n, err, score(t, c, keysSet, "g/new") == 0)
	}

	// Deletes remove both members.
	must(t, e.Update(ctx, now, func(tx kv.Tx) error { return tx.Delete("g/new") }))
	if score(t, c, keysSet, "g/new") != -1 || score(t, c, expSet, "g/new") != -1 {
		t.Error("a deleted key is still in the index")
	}
	// A write without expiry drops the expiry member.
	put(t, e, "g/count2", "5", time.Time{})
	if score(t, c, keysSet, "g/count2") != 0 || score(t, c, expSet, "g/count2") != -1 {
		t.Error("a key written again without expiry keeps its expiry member")
	}
}

// testScanPrefix: a prefix lists exactly its keys in order, among many others, whatever
// bytes the keys hold, and never the index keys.
func testScanPrefix(t *testing.T, url string) {
	ctx, now := context.Background(), time.Now()
	e := openEngine(t, url, redistest.Prefix(t))
	var all []string
	for i := 0; i < 3000; i += 500 {
		must(t, e.Update(ctx, now, func(tx kv.Tx) error {
			for j := i; j < i+500; j++ {
				k := fmt.Sprintf("doc/other/%05d", j)
				all = append(all, k)
				if err := tx.Put(k, []byte("o"), time.Time{}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	want := []string{"doc/consent/u1/c/0", "doc/consent/u1/c/1", "doc/consent/u1/c/2", "doc/consent/u1/\xff", "doc/consent/u1/\xff\xff"}
	neighbours := []string{"doc/consent/u1", "doc/consent/u1\xff", "doc/consent/u10/c/0", "doc/consent/u0/c/0", "doc/consent/u1.", "doc/consent/u10"}
	for _, k := range append(slices.Clone(want), neighbours...) {
		put(t, e, k, "v:"+k, time.Time{})
		all = append(all, k)
	}
	put(t, e, "doc/consent/u1/c/expired", "x", now.Add(time.Minute)) // live in Redis, not at now+1h
	all = append(all, "doc/consent/u1/c/expired")
	slices.Sort(all)

	keys, vals := scanKeys(t, e, "doc/consent/u1/", now.Add(time.Hour))
	if !slices.Equal(keys, want) {
		t.Fatalf("Scan(doc/consent/u1/) = %q, want %q", keys, want)
	}
	for i, k := range keys {
		if vals[i] != "v:"+k {
			t.Errorf("value of %q = %q", k, vals[i])
		}
	}
	if keys, _ := scanKeys(t, e, "doc/consent/u1\xff", now); !slices.Equal(keys, []string{"doc/consent/u1\xff"}) {
		t.Fatalf("Scan of a prefix ending in 0xFF = %q", keys)
	}
	if keys, _ := scanKeys(t, e, "doc/consent/u1/\xff", now); !slices.Equal(keys, []string{"doc/consent/u1/\xff", "doc/consent/u1/\xff\xff"}) {
		t.Fatalf("Scan of a prefix ending in 0xFF = %q", keys)
	}
	if keys, _ := scanKeys(t, e, "doc/other/0299", now); len(keys) != 10 || keys[0] != "doc/other/02990" || keys[9] != "doc/other/02999" {
		t.Fatalf("Scan(doc/other/0299) = %q, want 02990…02999", keys)
	}
	keys, _ = scanKeys(t, e, "", time.Time{}) // several pages
	if !slices.Equal(keys, all) {
		t.Fatalf("Scan(\"\") = %d keys, want the %d written, in order", len(keys), len(all))
	}
	if n, err := e.Client().Exists(ctx, e.KeyPrefix()+redis.MarkerName, e.KeyPrefix()+redis.IdxKeysName).Result(); err != nil || n != 2 {
		t.Fatalf("index keys exist: %d, %v; want 2", n, err)
	}
}

// testReserved: the index keys are outside the kv key space: Get does not see them and keys
// that would name them are refused.
func testReserved(t *testing.T, url string) {
	ctx, now := context.Background(), time.Now()
	e := openEngine(t, url, redistest.Prefix(t))
	put(t, e, "k", "v", now.Add(time.Hour))
	for _, k := range []string{redis.IdxKeysName, redis.IdxExpName, redis.MarkerName} {
		if _, err := e.Get(ctx, k, now); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", k, err)
		}
		err := e.Update(ctx, now, func(tx kv.Tx) error {
			if _, err := tx.Get(k); !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("tx.Get: %v", err)
			}
			return tx.Put(k, []byte("x"), time.Time{})
		})
		if err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("Put(%q) = %v, want refused", k, err)
		}
		err = e.Update(ctx, now, func(tx kv.Tx) error { _ = tx.Put(k, []byte("x"), time.Time{}); return nil })
		if err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("Update whose callback ignored the refused Put(%q) = %v, want refused", k, err)
		}
		if _, err := e.Incr(ctx, k, 1, time.Time{}, now); err == nil {
			t.Errorf("Incr(%q) succeeded", k)
		}
		must(t, e.Update(ctx, now, func(tx kv.Tx) error { return tx.Delete(k) }))
	}
	if keys, _ := scanKeys(t, e, "\x00", now); len(keys) != 0 {
		t.Fatalf("Scan(\\x00) = %q", keys)
	}
	if keys, _ := scanKeys(t, e, "", now); !slices.Equal(keys, []string{"k"}) {
		t.Fatalf("Scan(\"\") = %q, want [k]", keys)
	}
	if n, _ := e.Client().Exists(ctx, e.KeyPrefix()+redis.IdxKeysName, e.KeyPrefix()+redis.MarkerName).Result(); n != 2 {
		t.Fatal("deleting a reserved key removed an index key")
	}
}
