package kvtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
)

var errAbort = errors.New("kvtest: abort")

// RunEngine runs the suite. newEngine returns a fresh, empty engine for each subtest and
// should register its cleanup (Close) with t.Cleanup; the Closed subtest closes its engine
// first, so Close must tolerate a second call. Clocks start at the wall clock and only move
// forward, so engines that also expire values by real time agree with the suite.
func RunEngine(t *testing.T, newEngine func(t *testing.T) kv.Engine) {
	ctx := context.Background()
	base := time.Now().UTC()

	put := func(t *testing.T, e kv.Engine, key, val string, exp time.Time) {
		t.Helper()
		if err := e.Update(ctx, base, func(tx kv.Tx) error { return tx.Put(key, []byte(val), exp) }); err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
	}
	wantValue := func(t *testing.T, e kv.Engine, key, want string, now time.Time) {
		t.Helper()
		got, err := e.Get(ctx, key, now)
		if err != nil || string(got) != want {
			t.Fatalf("Get(%q) = %q, %v; want %q", key, got, err, want)
		}
	}
	wantMissing := func(t *testing.T, e kv.Engine, key string, now time.Time) {
		t.Helper()
		if got, err := e.Get(ctx, key, now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, got, err)
		}
	}

	t.Run("GetMissing", func(t *testing.T) {
		wantMissing(t, newEngine(t), "nope", base)
	})

	t.Run("PutGetDelete", func(t *testing.T) {
		e := newEngine(t)
		put(t, e, "a", "1", time.Time{})
		wantValue(t, e, "a", "1", base)
		put(t, e, "a", "2", time.Time{})
		wantValue(t, e, "a", "2", base)
		if err := e.Update(ctx, base, func(tx kv.Tx) error { return tx.Delete("a") }); err != nil {
			t.Fatal(err)
		}
		wantMissing(t, e, "a", base)
		if err := e.Update(ctx, base, func(tx kv.Tx) error { return tx.Delete("never-there") }); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
	})

	t.Run("EmptyValue", func(t *testing.T) {
		e := newEngine(t)
		put(t, e, "empty", "", time.Time{})
		wantValue(t, e, "empty", "", base)
	})

	t.Run("ValuesAreCopied", func(t *testing.T) {
		e := newEngine(t)
		in := []byte("abc")
		if err := e.Update(ctx, base, func(tx kv.Tx) error { return tx.Put("k", in, time.Time{}) }); err != nil {
			t.Fatal(err)
		}
		in[0] = 'X'
		got, err := e.Get(ctx, "k", base)
		if err != nil {
			t.Fatal(err)
		}
		got[0] = 'Y'
		wantValue(t, e, "k", "abc", base)
		err = e.Update(ctx, base, func(tx kv.Tx) error {
			b, err := tx.Get("k")
			if err != nil {
				return err
			}
			b[0] = 'Z'
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, e, "k", "abc", base)
	})

	t.Run("TxReadsOwnWrites", func(t *testing.T) {
		e := newEngine(t)
		put(t, e, "old", "o", time.Time{})
		err := e.Update(ctx, base, func(tx kv.Tx) error {
			if err := tx.Put("new", []byte("n"), time.Time{}); err != nil {
				return err
			}
			if b, err := tx.Get("new"); err != nil || string(b) != "n" {
				return fmt.Errorf("tx.Get(new) = %q, %v", b, err)
			}
			if err := tx.Delete("old"); err != nil {
				return err
			}
			if _, err := tx.Get("old"); !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("tx.Get(old) after Delete: %v, want ErrNotFound", err)
			}
			if err := tx.Put("old", []byte("again"), time.Time{}); err != nil {
				return err
			}
			if b, err := tx.Get("old"); err != nil || string(b) != "again" {
				return fmt.Errorf("tx.Get(old) after re-Put = %q, %v", b, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, e, "new", "n", base)
		wantValue(t, e, "old", "again", base)
	})

	t.Run("FnErrorAborts", func(t *testing.T) {
		e := newEngine(t)
		put(t, e, "keep", "k", time.Time{})
		err := e.Update(ctx, base, func(tx kv.Tx) error {
			if err := tx.Put("x", []byte("1"), time.Time{}); err != nil {
				return err
			}
			if err := tx.Delete("keep"); err != nil {
				return err
			}
			return errAbort
		})
		if err != errAbort {
			t.Fatalf("Update = %v, want the callback's error unchanged", err)
		}
		wantMissing(t, e, "x", base)
		wantValue(t, e, "keep", "k", base)
	})

	t.Run("Expiry", func(t *testing.T) {
		e := newEngine(t)
		exp := base.Add(time.Minute)
		put(t, e, "p/short", "s", exp)
		put(t, e, "p/long", "l", base.Add(time.Hour))
		wantValue(t, e, "p/short", "s", exp.Add(-time.Nanosecond))
		err := e.Update(ctx, exp.Add(-time.Nanosecond), func(tx kv.Tx) error {
			_, err := tx.Get("p/short")
			return err
		})
		if err != nil {
			t.Fatalf("tx.Get before expiry: %v", err)
		}
		// Expiry is not after now: absent, for Get, Tx.Get and Scan alike.
		wantMissing(t, e, "p/short", exp)
		err = e.Update(ctx, exp, func(tx kv.Tx) error {
			if _, err := tx.Get("p/short"); !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("tx.Get after expiry: %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		if err := e.Scan(ctx, "p/", exp, func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys, []string{"p/long"}) {
			t.Fatalf("Scan after expiry = %q, want [p/long]", keys)
		}
		// An expired key can be written again, with a new expiry.
		later := exp.Add(time.Minute)
		if err := e.Update(ctx, later, func(tx kv.Tx) error {
			return tx.Put("p/short", []byte("again"), later.Add(time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		wantValue(t, e, "p/short", "again", later)
		wantMissing(t, e, "p/short", later.Add(time.Minute))
	})

	t.Run("ScanPrefixOrder", func(t *testing.T) {
		e := newEngine(t)
		for _, k := range []string{"a/2", "b/1", "a/10", "a", "a/1", "ab/1", "a/1/x"} {
			put(t, e, k, "v"+k, time.Time{})
		}
		var keys []string
		err := e.Scan(ctx, "a/", base, func(k string, v []byte) error {
			if string(v) != "v"+k {
				return fmt.Errorf("value of %q = %q", k, v)
			}
			keys = append(keys, k)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a/1", "a/1/x", "a/10", "a/2"}; !slices.Equal(keys, want) {
			t.Fatalf("Scan(a/) = %q, want %q", keys, want)
		}
		keys = nil
		if err := e.Scan(ctx, "zzz/", base, func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil || keys != nil {
			t.Fatalf("Scan(zzz/) = %q, %v; want nothing", keys, err)
		}
	})

	t.Run("ScanCallbackErrorStops", func(t *testing.T) {
		e := newEngine(t)
		put(t, e, "s/1", "1", time.Time{})
		put(t, e, "s/2", "2", time.Time{})
		calls := 0
		err := e.Scan(ctx, "s/", base, func(string, []byte) error { calls++; return errAbort })
		if !errors.Is(err, errAbort) || calls != 1 {
			t.Fatalf("Scan = %v after %d calls; want errAbort after 1", err, calls)
		}
	})

	t.Run("LongScan", func(t *testing.T) {
		// More keys than an engine reads at once, every third one expired, and writes between
		// the callbacks: every live key is seen once, in order, and a scan that stops early
		// stops.
		e := newEngine(t)
		const n = 1100
		var live []string
		if err := e.Update(ctx, base, func(tx kv.Tx) error {
			for i := range n {
				k := fmt.Sprintf("l/%05d", i)
				exp := time.Time{}
				if i%3 == 0 {
					exp = base.Add(time.Second)
				} else {
					live = append(live, k)
				}
				if err := tx.Put(k, []byte(k), exp); err != nil {
					return err
				}
			}
			return tx.Put("m/after", []byte("x"), time.Time{})
		}); err != nil {
			t.Fatal(err)
		}
		var keys []string
		err := e.Scan(ctx, "l/", base.Add(time.Minute), func(k string, v []byte) error {
			if string(v) != k {
				return fmt.Errorf("value of %q = %q", k, v)
			}
			keys = append(keys, k)
			if len(keys)%300 == 0 { // a write between callbacks, outside the prefix
				return e.Update(ctx, base, func(tx kv.Tx) error { return tx.Put("k/"+k, nil, time.Time{}) })
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys, live) {
			t.Fatalf("Scan(l/) saw %d keys, want the %d live ones in order", len(keys), len(live))
		}
		calls := 0
		err = e.Scan(ctx, "l/", base, func(string, []byte) error {
			if calls++; calls == 500 {
				return errAbort
			}
			return nil
		})
		if !errors.Is(err, errAbort) || calls != 500 {
			t.Fatalf("Scan = %v after %d calls; want errAbort after 500", err, calls)
		}
	})

	t.Run("Incr", func(t *testing.T) {
		e := newEngine(t)
		exp := base.Add(time.Minute)
		// Only the first Incr sets the expiry; the later ones pass another that is ignored.
		for i, step := range []struct{ delta, want int64 }{{5, 5}, {3, 8}, {-2, 6}} {
			n, err := e.Incr(ctx, "c", step.delta, exp.Add(time.Duration(i)*time.Hour), base)
			if err != nil || n != step.want {
				t.Fatalf("Incr #%d = %d, %v; want %d", i, n, err, step.want)
			}
		}
		wantValue(t, e, "c", "6", base)
		wantMissing(t, e, "c", exp)
		n, err := e.Incr(ctx, "c", 1, exp.Add(time.Minute), exp)
		if err != nil || n != 1 {
			t.Fatalf("Incr after expiry = %d, %v; want 1", n, err)
		}
		wantValue(t, e, "c", "1", exp)
		wantMissing(t, e, "c", exp.Add(time.Minute))

		n, err = e.Incr(ctx, "forever", 2, time.Time{}, base)
		if err != nil || n != 2 {
			t.Fatalf("Incr without expiry = %d, %v; want 2", n, err)
		}
		wantValue(t, e, "forever", "2", base.Add(24*365*time.Hour))
	})

	t.Run("ConcurrentIncr", func(t *testing.T) {
		e := newEngine(t)
		const n = 200
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				if _, err := e.Incr(ctx, "hits", 1, base.Add(time.Hour), base); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		wantValue(t, e, "hits", strconv.Itoa(n), base)
	})

	t.Run("ConcurrentUpdate", func(t *testing.T) {
		e := newEngine(t)
		const n = 50
		type doc struct{ N int }
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Go(func() {
				for {
					err := e.Update(ctx, base, func(tx kv.Tx) error {
						var d doc
						if b, err := tx.Get("doc"); err == nil {
							if err := json.Unmarshal(b, &d); err != nil {
								return err
							}
						} else if !errors.Is(err, storage.ErrNotFound) {
							return err
						}
						d.N++
						b, _ := json.Marshal(d)
						return tx.Put("doc", b, time.Time{})
					})
					if errors.Is(err, storage.ErrConflict) {
						continue // the contract lets the caller retry
					}
					if err != nil {
						errs <- err
					}
					return
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		wantValue(t, e, "doc", fmt.Sprintf(`{"N":%d}`, n), base)
	})

	t.Run("Health", func(t *testing.T) {
		if err := newEngine(t).Health(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Closed", func(t *testing.T) {
		e := newEngine(t)
		put(t, e, "k", "v", time.Time{})
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		unavailable := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, storage.ErrUnavailable) {
				t.Errorf("%s after Close = %v, want ErrUnavailable", what, err)
			}
		}
		_, err := e.Get(ctx, "k", base)
		unavailable("Get", err)
		unavailable("Update", e.Update(ctx, base, func(tx kv.Tx) error { return nil }))
		unavailable("Scan", e.Scan(ctx, "", base, func(string, []byte) error { return nil }))
		_, err = e.Incr(ctx, "c", 1, time.Time{}, base)
		unavailable("Incr", err)
		unavailable("Health", e.Health(ctx))
	})
}
