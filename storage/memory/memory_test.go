package memory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/kv/kvtest"
	"github.com/esia-emulator/esia-emulator/storage/memory"
	"github.com/esia-emulator/esia-emulator/storage/storetest"
)

func TestEngine(t *testing.T) {
	kvtest.RunEngine(t, func(t *testing.T) kv.Engine {
		e := memory.NewEngine()
		t.Cleanup(func() { e.Close() })
		return e
	})
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store {
		s := memory.New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestSweep(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	e := memory.NewEngine()
	err := e.Update(ctx, now, func(tx kv.Tx) error {
		for i, exp := range []time.Time{{}, now.Add(time.Minute), now.Add(time.Hour)} {
			if err := tx.Put(fmt.Sprint(i), []byte("v"), exp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Sweep(now); n != 0 || e.Len() != 3 {
		t.Fatalf("Sweep(now) = %d leaving %d; want 0 leaving 3", n, e.Len())
	}
	if n := e.Sweep(now.Add(time.Minute)); n != 1 || e.Len() != 2 {
		t.Fatalf("Sweep(+1m) = %d leaving %d; want 1 leaving 2", n, e.Len())
	}
	// Get drops an expired value lazily.
	if _, err := e.Get(ctx, "2", now.Add(time.Hour)); err == nil {
		t.Fatal("Get of an expired value succeeded")
	}
	if e.Len() != 1 {
		t.Fatalf("Len after lazy drop = %d, want 1", e.Len())
	}
}

// TestRecordSize logs roughly how many bytes a user and a session occupy, indexes included.
func TestRecordSize(t *testing.T) {
	ctx, now := context.Background(), time.Now().UTC()
	e := memory.NewEngine()
	s := kv.New(e)
	const n = 100
	for i := range n {
		id := fmt.Sprint(1000000 + i)
		must(t, s.CreateUser(ctx, storetest.SizedUser(id, now)))
		must(t, s.CreateSession(ctx, storetest.SizedSession(i, id, now)))
	}
	size := func(prefixes ...string) int {
		total := 0
		for _, p := range prefixes {
			must(t, e.Scan(ctx, p, now, func(k string, v []byte) error { total += len(k) + len(v); return nil }))
		}
		return total / n
	}
	user, session := size("user/", "login/"), size("session/", "usersessions/")
	if user <= 0 || session <= 0 {
		t.Fatalf("sizes %d, %d", user, session)
	}
	t.Logf("bytes per record, keys and indexes included: user %d, session %d", user, session)
}

func BenchmarkGetSession(b *testing.B) {
	ctx, now := context.Background(), time.Now()
	s := memory.New()
	must(b, s.CreateSession(ctx, storage.Session{ID: "sess", UserID: "1", AMR: []string{"PWD"},
		CreatedAt: now, LastSeen: now, IdleTimeout: time.Hour, ExpiresAt: now.Add(time.Hour), Clients: []string{"c"}}))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.GetSession(ctx, "sess", now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedeem measures a whole code exchange: create the request, save its code, redeem
// it with an access and a refresh token.
func BenchmarkRedeem(b *testing.B) {
	ctx, now := context.Background(), time.Now()
	s := memory.New()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprint(i)
		must(b, s.CreateAuthRequest(ctx, storage.AuthRequest{ID: id, ClientID: "c", Scopes: []string{"openid"},
			CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}))
		must(b, s.SaveAuthCode(ctx, id, "hash"+id, now.Add(time.Minute), now))
		tok := storage.Token{FamilyID: id, ClientID: "c", Subject: "1", Scopes: []string{"openid"},
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		at, rt := tok, tok
		at.ID, at.Kind = "at"+id, storage.TokenAccess
		rt.ID, rt.Kind = "rt"+id, storage.TokenRefresh
		must(b, s.RedeemAuthCode(ctx, id, now, at, rt))
	}
}

func BenchmarkIncrParallel(b *testing.B) {
	ctx, now := context.Background(), time.Now()
	s := memory.New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Incr(ctx, "hits", 1, time.Time{}, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func BenchmarkScan(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("others=%d", n), func(b *testing.B) { kvtest.BenchScan(b, memory.NewEngine(), n) })
	}
}

// TestCloseWithSweeper: Close stops the sweeper (expiry.Sweeper, tested in expiry) and may be called
// twice.
func TestCloseWithSweeper(t *testing.T) {
	e := memory.NewEngine(memory.WithSweeper(time.Millisecond, 0))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := e.Get(context.Background(), "k", time.Now()); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Get after Close: %v, want ErrUnavailable", err)
	}
}

// TestScanAfterDeletes: the ordered key index follows deletes, sweeps and re-puts.
func TestScanAfterDeletes(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	e := memory.NewEngine()
	put := func(key string, exp time.Time) {
		t.Helper()
		must(t, e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put(key, []byte(key), exp) }))
	}
	put("p/a", time.Time{})
	put("p/b", now.Add(time.Minute))
	put("p/c", time.Time{})
	put("q/a", time.Time{})
	must(t, e.Update(ctx, now, func(tx kv.Tx) error { return tx.Delete("p/a") }))
	e.Sweep(now.Add(time.Hour))
	put("p/a", time.Time{})
	var got []string
	must(t, e.Scan(ctx, "p/", now.Add(time.Hour), func(k string, v []byte) error {
		if k != string(v) {
			t.Errorf("Scan gave %q for key %q", v, k)
		}
		got = append(got, k)
		return nil
	}))
	if want := []string{"p/a", "p/c"}; !slices.Equal(got, want) {
		t.Fatalf("Scan(p/) = %q, want %q", got, want)
	}
}

// BenchmarkListUsers: the persona picker's listing with 5 000 accounts, all of them (a search)
// or the first 50 (the default view).
func BenchmarkListUsers(b *testing.B) {
	ctx, now := context.Background(), time.Now()
	s := memory.New()
	for i := range 5000 {
		must(b, s.CreateUser(ctx, storetest.SizedUser(fmt.Sprint(1000000+i), now)))
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ListUsers(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page=50", func(b *testing.B) {
		for b.Loop() {
			if _, n, err := s.ListUsersPage(ctx, 50); err != nil || n != 5000 {
				b.Fatal(n, err)
			}
		}
	})
}

// TestUpdateIsSerialisableWithoutTheLock: callbacks run outside the lock, so concurrent
// read-modify-write updates of one key conflict; every conflict reruns the callback and no
// increment is lost.
func TestUpdateIsSerialisableWithoutTheLock(t *testing.T) {
	e := memory.NewEngine()
	ctx, now := t.Context(), time.Now()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := e.Update(ctx, now, func(tx kv.Tx) error {
					n := 0
					if b, err := tx.Get("n"); err == nil {
						n, _ = strconv.Atoi(string(b))
					}
					return tx.Put("n", []byte(strconv.Itoa(n+1)), time.Time{})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b, err := e.Get(ctx, "n", now)
	if err != nil || string(b) != strconv.Itoa(workers*each) {
		t.Fatalf("counter %q (%v), want %d: an update was lost", b, err, workers*each)
	}
}
