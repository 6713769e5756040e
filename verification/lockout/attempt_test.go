package lockout

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// readCounter counts how the limiter reads: batched (ReadMany) or one document at a time.
type readCounter struct {
	*countingStore
	many, single atomic.Int64
}

func (s *readCounter) ReadMany(ctx context.Context, now time.Time, reads []storage.Read) error {
	s.many.Add(1)
	return s.Store.ReadMany(ctx, now, reads)
}

func (s *readCounter) GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error) {
	s.single.Add(1)
	return s.Store.GetDocRaw(ctx, coll, id, now)
}

// TestAttemptAnswersLikeTheLimiter: an Attempt (records read together, once before and once
// after the password check) says what the Limiter's own Check and Succeed say, sees a lock
// engaged between its two reads, and forgives failures like Succeed — batched or not.
func TestAttemptAnswersLikeTheLimiter(t *testing.T) {
	cases := []struct {
		name        string
		fails       int           // failures before the attempt
		advance     time.Duration // then the clock moves
		failBetween int           // failures between Begin and Reload (a racing attacker)
		locked      bool          // Check refuses
		succeedLock bool          // Succeed refuses
	}{
		{name: "fresh"},
		{name: "two failures", fails: 2},
		{name: "locked", fails: 3, locked: true, succeedLock: true},
		{name: "lock over, streak kept", fails: 3, advance: 16 * time.Minute},
		{name: "locked while the password was checked", fails: 1, failBetween: 2, succeedLock: true},
		{name: "a failure while the password was checked", failBetween: 1},
	}
	for _, batched := range []bool{true, false} {
		for _, tc := range cases {
			t.Run(tc.name+map[bool]string{true: " batched", false: " one by one"}[batched], func(t *testing.T) {
				l, c, cs := newLimiter(t, Policy{})
				st := &readCounter{countingStore: cs}
				l.Docs, l.Reads = st, st
				if !batched {
					l.Reads = nil
				}
				ctx := context.Background()
				other := "pwd:login-x"
				for range tc.fails {
					_, _ = l.Fail(ctx, acc)
				}
				c.Advance(tc.advance)
				st.many.Store(0)
				st.single.Store(0)
				att, err := l.Begin(ctx, acc, other)
				if err != nil {
					t.Fatal(err)
				}
				var le *LockedError
				if got, want := att.Check(ctx, acc), l.Check(ctx, acc); (got != nil) != tc.locked || (want != nil) != tc.locked {
					t.Fatalf("Check: attempt %v, limiter %v, want locked=%v", got, want, tc.locked)
				}
				if err := att.Check(ctx, other); err != nil {
					t.Fatalf("Check of an untouched key: %v", err)
				}
				for range tc.failBetween {
					_, _ = l.Fail(ctx, acc)
				}
				st.many.Store(0)
				st.single.Store(0)
				if err := att.Reload(ctx, acc, other); err != nil {
					t.Fatal(err)
				}
				if batched && (st.many.Load() != 1 || st.single.Load() != 0) {
					t.Errorf("Reload: %d batched reads and %d single ones, want 1 and 0", st.many.Load(), st.single.Load())
				}
				err = att.Succeed(ctx, acc)
				if got := errors.As(err, &le); got != tc.succeedLock {
					t.Fatalf("Succeed: %v, want locked=%v", err, tc.succeedLock)
				}
				if err := att.Succeed(ctx, other); err != nil {
					t.Fatalf("Succeed of an untouched key: %v", err)
				}
				s, err := l.Status(ctx, acc)
				if err != nil {
					t.Fatal(err)
				}
				if !tc.succeedLock && (s.Failures != 0 || s.Locks != 0) {
					t.Errorf("after Succeed: %d failures and %d locks remembered, want none", s.Failures, s.Locks)
				}
				if tc.succeedLock && !s.Locked {
					t.Errorf("a refused Succeed lifted the lock: %+v", s)
				}
			})
		}
	}
}
