package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/bolt"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/kv/kvtest"
	"github.com/esia-emulator/esia-emulator/storage/storetest"
)

func TestEngine(t *testing.T) {
	kvtest.RunEngine(t, func(t *testing.T) kv.Engine {
		e, err := bolt.OpenEngine(filepath.Join(t.TempDir(), "esia.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	})
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "esia.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestReopen: what one Engine committed, the next one over the same file reads.
func TestReopen(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	path := filepath.Join(t.TempDir(), "esia.db")
	e, err := bolt.OpenEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put("k", []byte("v"), now.Add(time.Hour)) }))
	if _, err := e.Incr(ctx, "c", 7, time.Time{}, now); err != nil {
		t.Fatal(err)
	}
	must(t, e.Close())
	e, err = bolt.OpenEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for k, want := range map[string]string{"k": "v", "c": "7"} {
		if got, err := e.Get(ctx, k, now); err != nil || string(got) != want {
			t.Fatalf("after reopen Get(%s) = %q, %v; want %q", k, got, err, want)
		}
	}
}

// TestTransientRecords: the records of a login in progress (kv.Transient) live in memory:
// they are read, scanned in key order among the others and written in one transaction with
// durable keys, a transaction that writes only them leaves the file untouched, and they do
// not outlive the process.
func TestTransientRecords(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	path := filepath.Join(t.TempDir(), "esia.db")
	e, err := bolt.OpenEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, e.Update(ctx, now, func(tx kv.Tx) error {
		for _, k := range []string{"authreq/b", "session/s", "code/x", "authreq/a", "b/1", "token/t"} {
			if err := tx.Put(k, []byte("v"+k), now.Add(time.Hour)); err != nil {
				return err
			}
		}
		return nil
	}))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, e.Update(ctx, now, func(tx kv.Tx) error {
		v, err := tx.Get("authreq/a")
		if err != nil {
			return err
		}
		if err := tx.Put("authreq/a", append(v, '2'), now.Add(time.Hour)); err != nil {
			return err
		}
		return tx.Delete("code/x")
	}))
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("a transaction writing only transient records changed the file")
	}
	var keys []string
	must(t, e.Scan(ctx, "", now, func(k string, v []byte) error {
		keys = append(keys, k+"="+string(v))
		return nil
	}))
	want := []string{"authreq/a=vauthreq/a2", "authreq/b=vauthreq/b", "b/1=vb/1", "session/s=vsession/s", "token/t=vtoken/t"}
	if !slices.Equal(keys, want) {
		t.Fatalf("Scan = %q, want %q", keys, want)
	}
	if n, err := e.Sweep(now.Add(2 * time.Hour)); err != nil || n != 5 {
		t.Fatalf("Sweep = %d, %v; want the 5 expired records", n, err)
	}
	must(t, e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put("authreq/c", []byte("c"), time.Time{}) }))
	must(t, e.Close())
	e, err = bolt.OpenEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Get(ctx, "authreq/c", now); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a transient record outlived the process: %v", err)
	}
}

// TestLocked: a second opener of the same file fails clearly instead of hanging.
func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "esia.db")
	e, err := bolt.OpenEngine(path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	_, err = bolt.OpenEngine(path, bolt.WithLockTimeout(100*time.Millisecond))
	if !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("second open took %s", d)
	}
}

func TestSweep(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	e, err := bolt.OpenEngine(filepath.Join(t.TempDir(), "esia.db"), bolt.WithSweepInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	must(t, e.Update(ctx, now, func(tx kv.Tx) error {
		for k, exp := range map[string]time.Time{"never": {}, "minute": now.Add(time.Minute), "hour": now.Add(time.Hour)} {
			if err := tx.Put(k, []byte("v"), exp); err != nil {
				return err
			}
		}
		return nil
	}))
	count := func() int {
		n := 0
		must(t, e.Scan(ctx, "", time.Time{}, func(string, []byte) error { n++; return nil }))
		return n
	}
	if n, err := e.Sweep(now); n != 0 || err != nil || count() != 3 {
		t.Fatalf("Sweep(now) = %d, %v leaving %d; want 0 leaving 3", n, err, count())
	}
	if n, err := e.Sweep(now.Add(time.Minute)); n != 1 || err != nil || count() != 2 {
		t.Fatalf("Sweep(+1m) = %d, %v leaving %d; want 1 leaving 2", n, err, count())
	}
	if _, err := e.Get(ctx, "hour", now); err != nil {
		t.Fatalf("live value swept: %v", err)
	}
}

// TestCloseWithSweeper: Close stops the background sweeper (expiry.Sweeper, whose timing and
// grace are tested in expiry; Sweep itself in TestSweep) and may be called twice.
func TestCloseWithSweeper(t *testing.T) {
	e, err := bolt.OpenEngine(filepath.Join(t.TempDir(), "esia.db"),
		bolt.WithSweepInterval(time.Millisecond), bolt.WithGrace(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	must(t, e.Close())
	must(t, e.Close())
	if _, err := e.Get(context.Background(), "k", time.Now()); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Get after Close: %v, want ErrUnavailable", err)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TestGroupCommit: transactions that share a commit stay separate: a failing one leaves no
// writes and returns its own error, a panicking one panics in its caller's goroutine, and the
// others commit.
func TestGroupCommit(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	e, err := bolt.OpenEngine(filepath.Join(t.TempDir(), "esia.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	errBad := errors.New("bad")
	const n = 90
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = e.Update(ctx, now, func(tx kv.Tx) error {
				key := fmt.Sprintf("k/%02d", i)
				if err := tx.Put(key, []byte("v"), time.Time{}); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return errBad
				case 2:
					panic(fmt.Sprint("boom ", i))
				}
				_, err := tx.Get(key)
				return err
			})
		})
	}
	wg.Wait()
	var keys []string
	must(t, e.Scan(ctx, "k/", now, func(k string, _ []byte) error { keys = append(keys, k); return nil }))
	if len(keys) != n/3 {
		t.Errorf("committed %d keys, want %d: %q", len(keys), n/3, keys)
	}
	for i := range n {
		switch i % 3 {
		case 0:
			if errs[i] != nil || panics[i] != nil {
				t.Errorf("call %d: %v, %v", i, errs[i], panics[i])
			}
		case 1:
			if errs[i] != errBad {
				t.Errorf("call %d: err %v, want the callback's own", i, errs[i])
			}
		case 2:
			if panics[i] != fmt.Sprint("boom ", i) {
				t.Errorf("call %d: panic %v", i, panics[i])
			}
		}
	}
	for _, k := range keys {
		var i int
		fmt.Sscanf(k, "k/%d", &i)
		if i%3 != 0 {
			t.Errorf("key %s of a failed transaction committed", k)
		}
	}
}

// BenchmarkCommit is one durable write at a time: the cost of a commit (fsync) on this disk.
func BenchmarkCommit(b *testing.B) {
	benchCommit(b, false)
}

// BenchmarkCommitParallel is many writers at once: they share commits.
func BenchmarkCommitParallel(b *testing.B) {
	benchCommit(b, true)
}

func benchCommit(b *testing.B, parallel bool) {
	ctx, now := context.Background(), time.Now()
	e, err := bolt.OpenEngine(filepath.Join(b.TempDir(), "esia.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var n atomic.Int64
	write := func() error {
		key := fmt.Sprint("k/", n.Add(1))
		return e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put(key, []byte("value"), time.Time{}) })
	}
	if !parallel {
		for b.Loop() {
			if err := write(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := write(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkScan(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("others=%d", n), func(b *testing.B) {
			e, err := bolt.OpenEngine(filepath.Join(b.TempDir(), "esia.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			kvtest.BenchScan(b, e, n)
		})
	}
}

// blockedCommit queues a transaction that runs fn and then waits, inside the commit, until
// release is called (at the latest when the test ends: close e in an earlier t.Cleanup, as
// openTemp does). It returns once fn has run; done is closed when the Update returned.
func blockedCommit(t *testing.T, e *bolt.Engine, fn func(kv.Tx) error) (release func(), done chan struct{}) {
	t.Helper()
	inside := make(chan struct{})
	released, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(released) }) }
	t.Cleanup(release)
	go func() {
		defer close(done)
		err := e.Update(context.Background(), time.Now(), func(tx kv.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			close(inside)
			<-released
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-inside
	return release, done
}

// openTemp opens an engine on a temporary file, closed when the test ends (after the blocked
// commits it started are released).
func openTemp(t *testing.T) *bolt.Engine {
	t.Helper()
	e, err := bolt.OpenEngine(filepath.Join(t.TempDir(), "esia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// within fails the test unless done closes within a generous bound (a hang is the failure).
func within(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still waiting", what)
	}
}

// TestTransientStepDoesNotWaitForACommit: a transaction on transient records only (a step of
// a login) is done while a commit of durable records is still being written.
func TestTransientStepDoesNotWaitForACommit(t *testing.T) {
	e := openTemp(t)
	ctx, now := context.Background(), time.Now()
	release, done := blockedCommit(t, e, func(tx kv.Tx) error { return tx.Put("session/s", []byte("s"), time.Time{}) })
	step := make(chan struct{})
	go func() {
		defer close(step)
		if err := e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put("authreq/a", []byte("a"), time.Time{}) }); err != nil {
			t.Error(err)
		}
	}()
	within(t, step, "the auth request's step behind a commit in flight")
	if v, err := e.Get(ctx, "authreq/a", now); err != nil || string(v) != "a" {
		t.Fatalf("the step's write: %q, %v", v, err)
	}
	if _, err := e.Get(ctx, "session/s", now); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the blocked commit is visible before it is done: %v", err)
	}
	release()
	within(t, done, "the blocked commit")
	if v, err := e.Get(ctx, "session/s", now); err != nil || string(v) != "s" {
		t.Fatalf("the commit's write: %q, %v", v, err)
	}
	// A transaction that reads a durable record as well goes through the commit queue: its
	// result is that of a serial run.
	err := e.Update(ctx, now, func(tx kv.Tx) error {
		s, err := tx.Get("session/s")
		if err != nil {
			return err
		}
		return tx.Put("authreq/a", append([]byte("a+"), s...), time.Time{})
	})
	if v, gerr := e.Get(ctx, "authreq/a", now); err != nil || gerr != nil || string(v) != "a+s" {
		t.Fatalf("a step reading the session: %q, %v, %v", v, err, gerr)
	}
}

// TestCommitTouchingTransientRecordsOrdersTheSteps: a queued transaction that read an auth
// request holds it until its commit is applied: a step writing it meanwhile goes after the
// commit, never between its read and its write (no lost update).
func TestCommitTouchingTransientRecordsOrdersTheSteps(t *testing.T) {
	e := openTemp(t)
	ctx, now := context.Background(), time.Now()
	if err := e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put("authreq/a", []byte("v0"), time.Time{}) }); err != nil {
		t.Fatal(err)
	}
	release, done := blockedCommit(t, e, func(tx kv.Tx) error {
		v, err := tx.Get("authreq/a")
		if err != nil {
			return err
		}
		if err := tx.Put("token/t", []byte("t"), time.Time{}); err != nil {
			return err
		}
		return tx.Put("authreq/a", append(v, "+redeemed"...), time.Time{})
	})
	if !e.TransientHeld("authreq/a") {
		t.Fatal("a commit that read an auth request leaves it open to other steps")
	}
	step := make(chan struct{})
	go func() {
		defer close(step)
		if err := e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put("authreq/a", []byte("v2"), time.Time{}) }); err != nil {
			t.Error(err)
		}
	}()
	release()
	within(t, done, "the commit")
	within(t, step, "the step after the commit")
	if v, err := e.Get(ctx, "authreq/a", now); err != nil || string(v) != "v2" {
		t.Fatalf("auth request after the commit and the step: %q, %v (want the step's, last)", v, err)
	}
	if e.TransientHeld("authreq/a") {
		t.Fatal("the auth request stays held after the commit")
	}
}

// TestRacingStepsLoseNoUpdate: read-modify-write of one auth request from many goroutines,
// half of them in transactions that also write a durable record (through the commit queue),
// the others on the transient record alone (at once, optimistically): no increment is lost.
func TestRacingStepsLoseNoUpdate(t *testing.T) {
	e := openTemp(t)
	ctx, now := context.Background(), time.Now()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := e.Update(ctx, now, func(tx kv.Tx) error {
					n := 0
					if v, err := tx.Get("authreq/n"); err == nil {
						n = int(v[0])<<8 | int(v[1])
					} else if !errors.Is(err, storage.ErrNotFound) {
						return err
					}
					n++
					if w%2 == 1 {
						if err := tx.Put(fmt.Sprintf("doc/w%d/%d", w, i), []byte("x"), time.Time{}); err != nil {
							return err
						}
					}
					return tx.Put("authreq/n", []byte{byte(n >> 8), byte(n)}, time.Time{})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	v, err := e.Get(ctx, "authreq/n", now)
	if err != nil || int(v[0])<<8|int(v[1]) != workers*each {
		t.Fatalf("after %d increments: %v, %v", workers*each, v, err)
	}
}

// TestPrefetchedDurableKeyQueuesAtOnce: a transaction that names a durable record among the
// keys it is about to read (kv.Prefetcher, as the kv store does) goes to the commit queue
// before it reads anything: its callback gets past the prefetch once, in the queue.
func TestPrefetchedDurableKeyQueuesAtOnce(t *testing.T) {
	e := openTemp(t)
	ctx, now := context.Background(), time.Now()
	if err := e.Update(ctx, now, func(tx kv.Tx) error { return tx.Put("authreq/a", []byte("a"), time.Time{}) }); err != nil {
		t.Fatal(err)
	}
	past := 0
	err := e.Update(ctx, now, func(tx kv.Tx) error {
		if err := tx.(kv.Prefetcher).Prefetch("authreq/a", "token/t"); err != nil {
			return err
		}
		past++
		if _, err := tx.Get("authreq/a"); err != nil {
			return err
		}
		return tx.Put("token/t", []byte("t"), time.Time{})
	})
	if err != nil || past != 1 {
		t.Fatalf("the callback got past its prefetch %d times (want 1, in the queue): %v", past, err)
	}
	if v, err := e.Get(ctx, "token/t", now); err != nil || string(v) != "t" {
		t.Fatalf("the queued write: %q, %v", v, err)
	}
}
