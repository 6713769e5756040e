package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func testKeys(t *testing.T, newStore factory) {
	t.Run("AddListDelete", func(t *testing.T) {
		s, now := newStore(t), start()
		keys, err := s.ListKeys(ctx)
		must(t, err)
		if len(keys) != 0 {
			t.Fatalf("ListKeys on an empty store = %d keys", len(keys))
		}
		// Added out of order, ids sorting against CreatedAt.
		k1, k2, k3 := newKey("c", now), newKey("b", now.Add(time.Minute)), newKey("a", now.Add(2*time.Minute))
		k3.RetireAt = now.Add(time.Hour)
		for _, k := range []storage.SigningKey{k3, k1, k2} {
			must(t, s.AddKey(ctx, k))
		}
		keys, err = s.ListKeys(ctx)
		must(t, err)
		equal(t, "ListKeys", keys, []storage.SigningKey{k1, k2, k3})

		wantErr(t, "AddKey(same id)", s.AddKey(ctx, newKey("b", now)), storage.ErrAlreadyExists)

		keys[0].PrivatePEM = "changed"
		must(t, s.DeleteKey(ctx, "b"))
		keys, err = s.ListKeys(ctx)
		must(t, err)
		equal(t, "ListKeys after delete", keys, []storage.SigningKey{k1, k3})
		wantErr(t, "DeleteKey(missing)", s.DeleteKey(ctx, "b"), storage.ErrNotFound)
	})
}

func testCounters(t *testing.T, newStore factory) {
	wantCounter := func(t *testing.T, s storage.Store, key string, now time.Time, want int64) {
		t.Helper()
		n, err := s.Counter(ctx, key, now)
		must(t, err)
		if n != want {
			t.Fatalf("Counter(%s) = %d, want %d", key, n, want)
		}
	}

	t.Run("IncrCounterReset", func(t *testing.T) {
		s, now := newStore(t), start()
		wantCounter(t, s, "fail:1", now, 0)
		for i, step := range []struct{ delta, want int64 }{{1, 1}, {4, 5}, {-2, 3}} {
			n, err := s.Incr(ctx, "fail:1", step.delta, time.Time{}, now)
			if err != nil || n != step.want {
				t.Fatalf("Incr #%d = %d, %v; want %d", i, n, err, step.want)
			}
		}
		wantCounter(t, s, "fail:1", now, 3)
		wantCounter(t, s, "fail:2", now, 0)
		must(t, s.ResetCounter(ctx, "fail:1"))
		wantCounter(t, s, "fail:1", now, 0)
		must(t, s.ResetCounter(ctx, "fail:1")) // idempotent
		n, err := s.Incr(ctx, "fail:1", 1, time.Time{}, now)
		if err != nil || n != 1 {
			t.Fatalf("Incr after reset = %d, %v; want 1", n, err)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s, now := newStore(t), start()
		exp := now.Add(time.Minute)
		_, err := s.Incr(ctx, "rate", 1, exp, now)
		must(t, err)
		// A later Incr keeps the expiry set at creation.
		_, err = s.Incr(ctx, "rate", 1, exp.Add(time.Hour), now.Add(30*time.Second))
		must(t, err)
		wantCounter(t, s, "rate", exp.Add(-time.Nanosecond), 2)
		wantCounter(t, s, "rate", exp, 0)
		n, err := s.Incr(ctx, "rate", 1, exp.Add(time.Minute), exp)
		if err != nil || n != 1 {
			t.Fatalf("Incr after expiry = %d, %v; want 1", n, err)
		}
		wantCounter(t, s, "rate", exp.Add(time.Minute), 0)
	})

	t.Run("ConcurrentIncr", func(t *testing.T) {
		s, now := newStore(t), start()
		const n = 200
		values := make([]int64, n)
		errs := race(n, func(i int) (err error) {
			values[i], err = s.Incr(ctx, "hits", 1, now.Add(time.Hour), now)
			return err
		})
		for _, err := range errs {
			must(t, err)
		}
		wantCounter(t, s, "hits", now, n)
		slices.Sort(values)
		for i, v := range values {
			if v != int64(i+1) {
				t.Fatalf("Incr results are not 1..%d: position %d holds %d", n, i, v)
			}
		}
	})
}
