package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/redis"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

func openEngine(t testing.TB, url, prefix string, opts ...redis.Option) *redis.Engine {
	t.Helper()
	e, err := redis.OpenEngine(context.Background(), url, prefix, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func put(t *testing.T, e kv.Engine, key, val string, exp time.Time) {
	t.Helper()
	if err := e.Update(context.Background(), time.Now(), func(tx kv.Tx) error { return tx.Put(key, []byte(val), exp) }); err != nil {
		t.Fatal(err)
	}
}

// replicas opens n engines on one new server and prefix: n replicas' clients.
func replicas(t *testing.T, n int) []*redis.Engine {
	t.Helper()
	srv := redistest.Start(t)
	prefix := redistest.Prefix(t)
	engines := make([]*redis.Engine, n)
	for i := range engines {
		engines[i] = openEngine(t, srv.URL(), prefix)
	}
	return engines
}

// race runs fn n times at once, spread over the engines, and fails on any error.
func race(t *testing.T, engines []*redis.Engine, n int, fn func(*redis.Engine) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		e := engines[i%len(engines)]
		wg.Go(func() {
			if err := fn(e); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// incrDoc adds one to the decimal document at key (0 when absent) in tx.
func incrDoc(tx kv.Tx, key string) error {
	n := 0
	if b, err := tx.Get(key); err == nil {
		fmt.Sscan(string(b), &n)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return tx.Put(key, fmt.Append(nil, n+1), time.Time{})
}

// updateUntilWon runs fn in an Update again while it loses races (the contract lets the caller
// retry on ErrConflict).
func updateUntilWon(ctx context.Context, e kv.Engine, now time.Time, fn func(kv.Tx) error) error {
	for {
		if err := e.Update(ctx, now, fn); !errors.Is(err, storage.ErrConflict) {
			return err
		}
	}
}

// TestRealTTL: Redis collects expired values itself, a grace period after their expiry; values
// that never expire get no TTL, and a counter keeps the TTL it was created with.
func TestRealTTL(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	srv := redistest.Start(t)
	e := openEngine(t, srv.URL(), redistest.Prefix(t), redis.WithGrace(time.Hour))
	c, p := e.Client(), e.KeyPrefix()
	put(t, e, "short", "v", now.Add(time.Minute))
	put(t, e, "forever", "v", time.Time{})
	pttl := func(key string) time.Duration {
		t.Helper()
		d, err := c.PTTL(ctx, p+key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := pttl("short"); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("TTL of a value expiring in a minute = %s, want about 1h1m", d)
	}
	if d := pttl("forever"); d != -1 {
		t.Errorf("TTL of a value without expiry = %s, want none (-1)", d)
	}
	if _, err := e.Incr(ctx, "c", 1, now.Add(time.Minute), now); err != nil {
		t.Fatal(err)
	}
	first := pttl("c")
	if _, err := e.Incr(ctx, "c", 1, now.Add(24*time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if d := pttl("c"); d > first || d < time.Hour {
		t.Errorf("counter TTL after the second Incr = %s, want kept at about %s", d, first)
	}
	// An expired value whose TTL has passed is gone from Redis itself.
	put(t, e, "gone", "v", now.Add(-2*time.Hour))
	if n, err := c.Exists(ctx, p+"gone").Result(); err != nil || n != 0 {
		t.Errorf("value expired beyond the grace is still in Redis: %d, %v", n, err)
	}
}

// TestPrefixesAreSeparate: two emulators with different prefixes share one database.
func TestPrefixesAreSeparate(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	srv := redistest.Start(t)
	a, b := openEngine(t, srv.URL(), "a"), openEngine(t, srv.URL(), "b")
	put(t, a, "user/1", "from a", time.Time{})
	if _, err := b.Get(ctx, "user/1", now); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("b sees a's key: %v", err)
	}
	var keys []string
	if err := b.Scan(ctx, "", now, func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil || len(keys) != 0 {
		t.Fatalf("b's Scan = %q, %v; want nothing", keys, err)
	}
	if got, err := a.Get(ctx, "user/1", now); err != nil || string(got) != "from a" {
		t.Fatalf("a's Get = %q, %v", got, err)
	}
}

// TestReplicasCountExactly: 200 increments spread over four engines (four replicas' clients)
// give exactly 200, and a read-modify-write document updated from all of them loses nothing.
func TestReplicasCountExactly(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	engines := replicas(t, 4)
	race(t, engines, 200, func(e *redis.Engine) error {
		_, err := e.Incr(ctx, "counter/x", 1, now.Add(time.Hour), now)
		return err
	})
	race(t, engines, 200, func(e *redis.Engine) error {
		return updateUntilWon(ctx, e, now, func(tx kv.Tx) error { return incrDoc(tx, "doc") })
	})
	for key, want := range map[string]string{"counter/x": "200", "doc": "200"} {
		if got, err := engines[0].Get(ctx, key, now); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %s", key, got, err, want)
		}
	}
}

// TestOutage: a stopped server makes every operation answer ErrUnavailable promptly, and the
// same engine serves again once the server is back.
func TestOutage(t *testing.T) {
	t.Parallel() // its own server; overlaps the waits
	ctx, now := context.Background(), time.Now()
	srv := redistest.Start(t)
	e := openEngine(t, srv.URL(), redistest.Prefix(t))
	put(t, e, "k", "v", time.Time{})
	srv.Stop()
	start := time.Now()
	ops := map[string]func() error{
		"Health": func() error { return e.Health(ctx) },
		"Get":    func() error { _, err := e.Get(ctx, "k", now); return err },
		"Update": func() error {
			return e.Update(ctx, now, func(tx kv.Tx) error {
				if _, err := tx.Get("k"); err != nil {
					return err
				}
				return tx.Put("k", []byte("w"), time.Time{})
			})
		},
		"Scan": func() error { return e.Scan(ctx, "", now, func(string, []byte) error { return nil }) },
		"Incr": func() error { _, err := e.Incr(ctx, "c", 1, time.Time{}, now); return err },
	}
	for name, op := range ops {
		opStart := time.Now()
		err := op()
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s with the server stopped: %v, want ErrUnavailable", name, err)
		}
		if d := time.Since(opStart); d > 3*time.Second {
			t.Errorf("%s took %s to fail", name, d)
		}
	}
	t.Logf("all operations failed within %s", time.Since(start).Round(time.Millisecond))

	srv.Restart(t)
	deadline := time.Now().Add(10 * time.Second)
	for e.Health(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("engine did not recover after the server restarted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	put(t, e, "k", "again", time.Time{})
	if got, err := e.Get(ctx, "k", now); err != nil || string(got) != "again" {
		t.Fatalf("after recovery Get = %q, %v", got, err)
	}
}

// TestOpenUnreachable: Open fails with ErrUnavailable when nothing listens.
func TestOpenUnreachable(t *testing.T) {
	t.Parallel() // its own server; overlaps the waits
	srv := redistest.Start(t)
	srv.Stop()
	_, err := redis.Open(context.Background(), srv.URL(), "")
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Open of a stopped server: %v, want ErrUnavailable", err)
	}
}

// TestWrongType: a key of another type under the prefix is an error, not ErrUnavailable.
func TestWrongType(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	e := openEngine(t, srv.URL(), redistest.Prefix(t))
	if err := e.Client().HSet(ctx, e.KeyPrefix()+"h", "f", "v").Err(); err != nil {
		t.Fatal(err)
	}
	_, err := e.Get(ctx, "h", time.Now())
	var re goredis.Error
	if err == nil || errors.Is(err, storage.ErrUnavailable) || !errors.As(err, &re) || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("Get of a hash: %v", err)
	}
}

// TestPrefetchedReadsAreWatched: keys a transaction prefetches (one WATCH and MGET) are read
// from that batch and still guard the transaction: 200 racing increments of two documents
// through four engines end at exactly 200 each; a transaction's own writes win over what it
// prefetched, and an absent key reads as absent.
func TestPrefetchedReadsAreWatched(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	engines := replicas(t, 4)
	race(t, engines, 200, func(e *redis.Engine) error {
		return updateUntilWon(ctx, e, now, func(tx kv.Tx) error {
			if err := tx.(kv.Prefetcher).Prefetch("a", "b", "missing", "a"); err != nil {
				return err
			}
			if _, err := tx.Get("missing"); !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("missing key: %v", err)
			}
			if err := incrDoc(tx, "a"); err != nil {
				return err
			}
			return incrDoc(tx, "b")
		})
	})
	for _, key := range []string{"a", "b"} {
		if got, err := engines[0].Get(ctx, key, now); err != nil || string(got) != "200" {
			t.Errorf("%s = %q, %v; want 200", key, got, err)
		}
	}
	err := engines[0].Update(ctx, now, func(tx kv.Tx) error {
		if err := tx.Put("a", []byte("mine"), time.Time{}); err != nil {
			return err
		}
		if err := tx.(kv.Prefetcher).Prefetch("a", "b"); err != nil {
			return err
		}
		if got, err := tx.Get("a"); err != nil || string(got) != "mine" {
			return fmt.Errorf("own write after a prefetch: %q, %v", got, err)
		}
		if got, err := tx.Get("b"); err != nil || string(got) != "200" {
			return fmt.Errorf("prefetched b: %q, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
