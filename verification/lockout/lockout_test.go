package lockout

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// countingStore counts the increments the limiter makes, to compare with the stored value.
type countingStore struct {
	storage.Store
	incrs atomic.Int64
}

func (s *countingStore) Incr(ctx context.Context, key string, delta int64, exp, now time.Time) (int64, error) {
	s.incrs.Add(1)
	return s.Store.Incr(ctx, key, delta, exp, now)
}

func newLimiter(t *testing.T, p Policy) (*Limiter, *clock, *countingStore) {
	t.Helper()
	st := &countingStore{Store: memory.New()}
	t.Cleanup(func() { _ = st.Close() })
	c := &clock{t: t0}
	l := New(st, p)
	l.Now = c.Now
	return l, c, st
}

// step is one event of a rule table.
type step struct {
	advance time.Duration
	op      string // fail, succeed, check, unlock
	key     string
	left    int           // fail: attempts left when not locked
	lockFor time.Duration // > 0: a *LockedError ending this long after the step's time is expected
	perm    bool          // a permanent *LockedError is expected
	isNew   bool          // the LockedError engaged the lock
}

const acc = "pwd:u1"

func TestRules(t *testing.T) {
	m15, m30, h1 := 15*time.Minute, 30*time.Minute, time.Hour
	tests := []struct {
		name   string
		policy Policy
		steps  []step
	}{
		{"two failures do not lock, the third locks for 15 min", Policy{}, []step{
			{op: "fail", key: acc, left: 2},
			{op: "fail", key: acc, left: 1},
			{op: "check", key: acc},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
			{op: "check", key: acc, lockFor: m15},
		}},
		{"right password refused while locked; failures while locked neither count nor extend", Policy{}, []step{
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
			{advance: 5 * time.Minute, op: "succeed", key: acc, lockFor: 10 * time.Minute},
			{op: "fail", key: acc, lockFor: 10 * time.Minute},
			{advance: 10*time.Minute - time.Second, op: "check", key: acc, lockFor: time.Second},
			{advance: time.Second, op: "check", key: acc}, // the lock ends by itself at 15 min
			{op: "fail", key: acc, left: 2},               // and a fresh round starts from zero
			{op: "succeed", key: acc},
		}},
		{"success resets the count", Policy{}, []step{
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "succeed", key: acc},
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
		}},
		{"failure count expires FailureResetWindow after its first failure", Policy{}, []step{
			{op: "fail", key: acc, left: 2},
			{advance: 10 * time.Minute, op: "fail", key: acc, left: 1},
			{advance: 5 * time.Minute, op: "fail", key: acc, left: 2}, // window of the first failure over
			{op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
		}},
		{"growth x2 up to the cap", Policy{Growth: 2, MaxLockDuration: h1}, []step{
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
			{advance: m15, op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m30, isNew: true},
			{advance: m30, op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: h1, isNew: true},
			{advance: h1, op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: h1, isNew: true}, // capped
			{advance: h1, op: "succeed", key: acc},           // forgets the streak
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
		}},
		{"growth history is forgotten MaxLockDuration after a lock", Policy{Growth: 2, MaxLockDuration: h1}, []step{
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
			{advance: m15 + h1, op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
		}},
		{"unlock (admin, password recovery) lifts the lock and forgets count and streak", Policy{Growth: 2}, []step{
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true},
			{op: "unlock", key: acc},
			{op: "check", key: acc},
			{op: "fail", key: acc, left: 2},
			{op: "unlock", key: acc}, // resets the count
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, lockFor: m15, isNew: true}, // not 30: the streak was forgotten
		}},
		{"permanent mode locks until unlocked", Policy{Permanent: true}, []step{
			{op: "fail", key: acc, left: 2}, {op: "fail", key: acc, left: 1},
			{op: "fail", key: acc, perm: true, isNew: true},
			{advance: 365 * 24 * time.Hour, op: "succeed", key: acc, perm: true},
			{op: "unlock", key: acc},
			{op: "succeed", key: acc},
		}},
		{"custom MaxFailures and LockDuration", Policy{MaxFailures: 5, LockDuration: m30}, []step{
			{op: "fail", key: acc, left: 4}, {op: "fail", key: acc, left: 3}, {op: "fail", key: acc, left: 2},
			{op: "fail", key: acc, left: 1}, {op: "fail", key: acc, lockFor: m30, isNew: true},
		}},
		{"password and code counters are separate", Policy{}, []step{
			{op: "fail", key: "pwd:u1", left: 2}, {op: "fail", key: "pwd:u1", left: 1},
			{op: "fail", key: "code:u1", left: 2}, {op: "fail", key: "code:u1", left: 1},
			{op: "fail", key: "code:u1", lockFor: m15, isNew: true},
			{op: "check", key: "pwd:u1"},
			{op: "fail", key: "pwd:u1", lockFor: m15, isNew: true},
		}},
		{"IP limit across accounts; success does not forgive it", Policy{IPMaxFailures: 4, IPLockDuration: h1}, []step{
			{op: "fail", key: "pwd:a", left: 2}, {op: "fail", key: "ip:203.0.113.7", left: 3},
			{op: "fail", key: "pwd:b", left: 2}, {op: "fail", key: "ip:203.0.113.7", left: 2},
			{op: "succeed", key: "ip:203.0.113.7"},
			{op: "fail", key: "pwd:c", left: 2}, {op: "fail", key: "ip:203.0.113.7", left: 1},
			{op: "fail", key: "pwd:d", left: 2}, {op: "fail", key: "ip:203.0.113.7", lockFor: h1, isNew: true},
			{op: "check", key: "ip:203.0.113.8"},
			{op: "check", key: "pwd:a"},
		}},
		{"IP locks never grow nor become permanent", Policy{IPMaxFailures: 1, Growth: 2, Permanent: true}, []step{
			{op: "fail", key: "ip:203.0.113.7", lockFor: m15, isNew: true},
			{advance: m15, op: "fail", key: "ip:203.0.113.7", lockFor: m15, isNew: true},
		}},
		{"IP limit disabled", Policy{IPMaxFailures: -1}, []step{
			{op: "fail", key: "ip:203.0.113.7", left: -1}, {op: "fail", key: "ip:203.0.113.7", left: -1},
			{op: "fail", key: "ip:203.0.113.7", left: -1}, {op: "check", key: "ip:203.0.113.7"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, c, _ := newLimiter(t, tc.policy)
			ctx := context.Background()
			for i, s := range tc.steps {
				c.Advance(s.advance)
				var left int
				var err error
				switch s.op {
				case "fail":
					left, err = l.Fail(ctx, s.key)
				case "succeed":
					err = l.Succeed(ctx, s.key)
				case "check":
					err = l.Check(ctx, s.key)
				case "unlock":
					err = l.Unlock(ctx, s.key)
				}
				var le *LockedError
				locked := errors.As(err, &le)
				if err != nil && !locked {
					t.Fatalf("step %d %s %s: %v", i, s.op, s.key, err)
				}
				wantLocked := s.lockFor > 0 || s.perm
				if locked != wantLocked {
					t.Fatalf("step %d %s %s: err %v, want locked %v", i, s.op, s.key, err, wantLocked)
				}
				if !locked && s.op == "fail" && left != s.left {
					t.Fatalf("step %d fail %s: %d left, want %d", i, s.key, left, s.left)
				}
				if locked {
					want := &LockedError{Scope: scopeOf(s.key), Permanent: s.perm, New: s.isNew}
					if !s.perm {
						want.Until = c.Now().Add(s.lockFor)
					}
					if *le != *want {
						t.Fatalf("step %d %s %s: %+v, want %+v", i, s.op, s.key, *le, *want)
					}
				}
			}
		})
	}
}

func TestStatus(t *testing.T) {
	l, c, _ := newLimiter(t, Policy{Growth: 2})
	ctx := context.Background()
	st := func() Status {
		s, err := l.Status(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := st(); s != (Status{Key: acc, MaxFailures: 3, AttemptsLeft: 3}) {
		t.Fatalf("fresh: %+v", s)
	}
	_, _ = l.Fail(ctx, acc)
	_, _ = l.Fail(ctx, acc)
	if s := st(); s.Failures != 2 || s.AttemptsLeft != 1 || s.Locked {
		t.Fatalf("two failures: %+v", s)
	}
	c.Advance(time.Minute)
	_, _ = l.Fail(ctx, acc)
	want := Status{Key: acc, MaxFailures: 3, Locked: true, LockedUntil: t0.Add(16 * time.Minute), Locks: 1, LastLockedAt: t0.Add(time.Minute)}
	if s := st(); s != want {
		t.Fatalf("locked: %+v, want %+v", s, want)
	}
	locked, err := l.Locked(ctx)
	if err != nil || len(locked) != 1 || locked[0] != want {
		t.Fatalf("Locked() = %+v, %v", locked, err)
	}
	c.Advance(15 * time.Minute)
	want = Status{Key: acc, MaxFailures: 3, AttemptsLeft: 3, Locks: 1, LastLockedAt: t0.Add(time.Minute)}
	if s := st(); s != want {
		t.Fatalf("after the lock: %+v, want %+v", s, want)
	}
	if locked, _ := l.Locked(ctx); len(locked) != 0 {
		t.Fatalf("Locked() after expiry = %+v", locked)
	}
}

// TestConcurrentFailures: 200 wrong passwords at once against one account. The failures that
// found no lock are counted exactly; exactly MaxFailures-1 of them are answered "not locked",
// every other call gets a *LockedError, and exactly one engaged the lock.
func TestConcurrentFailures(t *testing.T) {
	l, _, st := newLimiter(t, Policy{})
	ctx := context.Background()
	const n = 200
	var (
		mu        sync.Mutex
		notLocked = map[int]int{}
		locked    int
		engaged   int
		seenLock  = make(chan struct{})
		once      sync.Once
		rightPwd  atomic.Int64
		wg        sync.WaitGroup
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			left, err := l.Fail(ctx, acc)
			var le *LockedError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				notLocked[left]++
			case errors.As(err, &le):
				locked++
				if le.New {
					engaged++
				}
				once.Do(func() { close(seenLock) })
			default:
				t.Errorf("Fail: %v", err)
			}
		})
	}
	// The right password, tried by goroutines racing the storm once a lock has been reported,
	// never gets through.
	for range 20 {
		wg.Go(func() {
			<-seenLock
			if err := l.Succeed(ctx, acc); err == nil {
				rightPwd.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()

	if notLocked[2] != 1 || notLocked[1] != 1 || len(notLocked) != 2 {
		t.Fatalf("answers without lock: %v, want one each of 2 and 1 attempts left", notLocked)
	}
	if locked != n-2 || engaged != 1 {
		t.Fatalf("locked answers %d (want %d), engaged %d (want 1)", locked, n-2, engaged)
	}
	if rightPwd.Load() != 0 {
		t.Fatalf("%d logins with the right password while locked", rightPwd.Load())
	}
	counted, err := st.Counter(ctx, failKey(acc, 0), l.now())
	if err != nil {
		t.Fatal(err)
	}
	if counted != st.incrs.Load() || counted < 3 || counted > n {
		t.Fatalf("stored count %d, increments made %d", counted, st.incrs.Load())
	}
	s, _ := l.Status(ctx, acc)
	if !s.Locked || s.Locks != 1 || s.Failures != 0 || !s.LockedUntil.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("status after the storm: %+v", s)
	}
	t.Logf("%d of %d failures counted before the lock was visible", counted, n)
}

// barrierStore holds the first n reads of lock records until all n have started, so that
// every one of n concurrent Fail calls finds no lock: the worst race.
type barrierStore struct {
	*countingStore
	n       int64
	arrived atomic.Int64
	all     chan struct{}
}

func (s *barrierStore) GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error) {
	b, err := s.countingStore.GetDocRaw(ctx, coll, id, now) // read first, then wait for the others
	if coll == Collection {
		switch k := s.arrived.Add(1); {
		case k == s.n:
			close(s.all)
		case k < s.n:
			<-s.all
		}
	}
	return b, err
}

// TestConcurrentFailuresWorstRace: all 200 failures pass the lock check before any is
// counted. All 200 are counted, exactly one engages the lock, and the two below the limit
// are the only ones answered without a lock.
func TestConcurrentFailuresWorstRace(t *testing.T) {
	l, c, cs := newLimiter(t, Policy{})
	const n = 200
	st := &barrierStore{countingStore: cs, n: n, all: make(chan struct{})}
	l = &Limiter{Counters: st, Docs: st, Policy: l.Policy, Now: c.Now}
	ctx := context.Background()
	results := make(chan error, n)
	lefts := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			left, err := l.Fail(ctx, acc)
			if err == nil {
				lefts <- left
			}
			results <- err
		})
	}
	wg.Wait()
	close(results)
	close(lefts)
	engaged, locked := 0, 0
	for err := range results {
		var le *LockedError
		if errors.As(err, &le) {
			locked++
			if le.New {
				engaged++
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	sum := 0
	for left := range lefts {
		sum += left
	}
	if locked != n-2 || engaged != 1 || sum != 3 {
		t.Fatalf("locked %d, engaged %d, attempts-left answers sum %d; want %d, 1, 2+1", locked, engaged, sum, n-2)
	}
	if got, _ := st.Counter(ctx, failKey(acc, 0), c.Now()); got != n || st.incrs.Load() != n {
		t.Fatalf("counted %d (increments %d), want %d", got, st.incrs.Load(), n)
	}
	s, _ := l.Status(ctx, acc)
	if !s.Locked || s.Locks != 1 || s.Failures != 0 {
		t.Fatalf("status: %+v", s)
	}
	// The next round starts from zero once the lock ends.
	c.Advance(15 * time.Minute)
	if left, err := l.Fail(ctx, acc); err != nil || left != 2 {
		t.Fatalf("after the lock: %d, %v", left, err)
	}
}

// TestSequentialFailuresCountExactly: without races every failure is counted until the lock.
func TestSequentialFailuresCountExactly(t *testing.T) {
	l, _, st := newLimiter(t, Policy{MaxFailures: 10})
	ctx := context.Background()
	for range 200 {
		_, _ = l.Fail(ctx, acc)
	}
	if st.incrs.Load() != 10 {
		t.Fatalf("%d failures counted, want 10 (the rest were refused by the lock)", st.incrs.Load())
	}
	if n, _ := st.Counter(ctx, failKey(acc, 0), l.now()); n != 10 {
		t.Fatalf("stored count %d", n)
	}
}

func TestKeyHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":              "ip:203.0.113.7",
		" 203.0.113.7 ":            "ip:203.0.113.7",
		"203.0.113.7:5555":         "ip:203.0.113.7",
		"::ffff:203.0.113.7":       "ip:203.0.113.7",
		"2001:db8:1:2:3:4:5:6":     "ip:2001:db8:1:2::/64",
		"[2001:db8:1:2::9]:443":    "ip:2001:db8:1:2::/64",
		"fe80::1%eth0":             "ip:fe80::/64",
		"":                         "ip:invalid",
		"unknown":                  "ip:invalid",
		"203.0.113.7, 10.0.0.1":    "ip:invalid",
		"2001:db8:1:2:ffff::1/128": "ip:invalid",
	} {
		if got := IPKey(in); got != want {
			t.Errorf("IPKey(%q) = %q, want %q", in, got, want)
		}
	}
	a, b := LoginSubject("+79990000001"), LoginSubject("+79990000002")
	if a == b || a != LoginSubject("+79990000001") || len(a) != len("login-")+32 {
		t.Fatalf("LoginSubject: %q %q", a, b)
	}
	if PasswordKey(a) != "pwd:"+a || CodeKey("u1") != "code:u1" || scopeOf(PasswordKey(a)) != ScopePassword {
		t.Fatal("key prefixes")
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy()
	if p.MaxFailures != 3 || p.LockDuration != 15*time.Minute || p.Growth != 1 || p.Permanent {
		t.Fatalf("DefaultPolicy = %+v", p)
	}
	if (Policy{}).WithDefaults() != p {
		t.Fatalf("zero policy with defaults = %+v", Policy{}.WithDefaults())
	}
}

func TestThrottleLetsOneCheckPerSlotThroughALockedAddress(t *testing.T) {
	l, c, _ := newLimiter(t, Policy{IPMaxFailures: 2, IPThrottle: 10 * time.Second})
	ctx := context.Background()
	ip := IPKey("203.0.113.5")
	if err := l.Throttle(ctx, ip); err != nil {
		t.Fatalf("unlocked address throttled: %v", err)
	}
	for range 2 {
		_, _ = l.Fail(ctx, ip)
	}
	if err := l.Throttle(ctx, ip); err != nil {
		t.Fatalf("the first check of a slot: %v", err)
	}
	var le *LockedError
	if err := l.Throttle(ctx, ip); !errors.As(err, &le) || le.Scope != ScopeIP || !le.Until.After(c.Now()) {
		t.Fatalf("the second check of a slot: %v", err)
	}
	c.Advance(10 * time.Second)
	if err := l.Throttle(ctx, ip); err != nil {
		t.Fatalf("the next slot: %v", err)
	}
	if err := l.Unlock(ctx, ip); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := l.Throttle(ctx, ip); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	}
}
