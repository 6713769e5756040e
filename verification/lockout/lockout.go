package lockout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Collection is the storage.Docs collection of lock records, one per key.
const Collection = "lockout"

// Policy holds the knobs, named after Keycloak's brute-force detection. Zero fields take the
// DefaultPolicy values.
type Policy struct {
	// MaxFailures is the number of consecutive failures that locks (3).
	MaxFailures int `json:"max_failures" yaml:"max_failures"`
	// LockDuration is the first lock's length (15 min).
	LockDuration time.Duration `json:"lock_duration" yaml:"lock_duration"`
	// Growth multiplies the length of each further lock while the lock history is remembered
	// (1: every lock has LockDuration; 2: 15, 30, 60 min …), up to MaxLockDuration.
	Growth float64 `json:"growth" yaml:"growth"`
	// MaxLockDuration caps grown locks (24 h). The lock history is remembered that long
	// after a lock ends.
	MaxLockDuration time.Duration `json:"max_lock_duration" yaml:"max_lock_duration"`
	// FailureResetWindow: a failure count is forgotten this long after its first failure
	// (15 min).
	FailureResetWindow time.Duration `json:"failure_reset_window" yaml:"failure_reset_window"`
	// Permanent locks until Unlock (an administrator or password recovery).
	Permanent bool `json:"permanent" yaml:"permanent"`
	// IPMaxFailures is the number of failures, across all accounts, that locks an IP key
	// (20; negative: no per-IP limit). IP locks never grow and are never permanent.
	IPMaxFailures int `json:"ip_max_failures" yaml:"ip_max_failures"`
	// IPWindow: an IP's failure count is forgotten this long after its first failure (15 min).
	IPWindow time.Duration `json:"ip_window" yaml:"ip_window"`
	// IPLockDuration is the length of an IP lock (15 min).
	IPLockDuration time.Duration `json:"ip_lock_duration" yaml:"ip_lock_duration"`
	// IPThrottle: while an IP key is locked, one password check per this interval still goes
	// through for the whole address (15 s), so a citizen who shares the address with an
	// attacker can still log in with the right password; the others wait (Throttle).
	IPThrottle time.Duration `json:"ip_throttle" yaml:"ip_throttle"`
}

// DefaultPolicy is the rule of the Gosuslugi help texts — three wrong passwords or codes
// lock the account for 15 minutes, then it unlocks by itself — plus a per-IP limit of 20
// failures in 15 minutes.
func DefaultPolicy() Policy {
	return Policy{MaxFailures: 3, LockDuration: 15 * time.Minute, Growth: 1, MaxLockDuration: 24 * time.Hour,
		FailureResetWindow: 15 * time.Minute, IPMaxFailures: 20, IPWindow: 15 * time.Minute,
		IPLockDuration: 15 * time.Minute, IPThrottle: 15 * time.Second}
}

// WithDefaults returns p with its zero fields set from DefaultPolicy.
func (p Policy) WithDefaults() Policy {
	d := DefaultPolicy()
	if p.MaxFailures <= 0 {
		p.MaxFailures = d.MaxFailures
	}
	if p.LockDuration <= 0 {
		p.LockDuration = d.LockDuration
	}
	if p.Growth < 1 || math.IsNaN(p.Growth) {
		p.Growth = d.Growth
	}
	if p.MaxLockDuration <= 0 {
		p.MaxLockDuration = d.MaxLockDuration
	}
	p.MaxLockDuration = max(p.MaxLockDuration, p.LockDuration)
	if p.FailureResetWindow <= 0 {
		p.FailureResetWindow = d.FailureResetWindow
	}
	if p.IPMaxFailures == 0 {
		p.IPMaxFailures = d.IPMaxFailures
	}
	if p.IPWindow <= 0 {
		p.IPWindow = d.IPWindow
	}
	if p.IPLockDuration <= 0 {
		p.IPLockDuration = d.IPLockDuration
	}
	if p.IPThrottle <= 0 {
		p.IPThrottle = d.IPThrottle
	}
	return p
}

// Key scopes: the prefix of a key chooses its rules.
const (
	ScopePassword = "pwd"
	ScopeCode     = "code"
	ScopeIP       = "ip"
)

// PasswordKey is the password-failure key of a subject: the account ID for a login that
// resolves to an account, LoginSubject(login) for one that does not.
func PasswordKey(subject string) string { return ScopePassword + ":" + subject }

// CodeKey is the second-factor failure key of an account (SMS, TOTP and recovery codes).
func CodeKey(subject string) string { return ScopeCode + ":" + subject }

// LoginSubject names a typed login that matches no account, so that it is counted and locked
// exactly like an account. login should be normalised (ident.ParseLogin) so that
// spellings of one login share a counter; it is hashed, so the key reveals nothing.
func LoginSubject(login string) string {
	sum := sha256.Sum256([]byte("esia-emulator/lockout-login:" + login))
	return "login-" + hex.EncodeToString(sum[:16])
}

// IPKey is the per-IP key of a client address ("203.0.113.7", "[2001:db8::1]:443", an
// IPv4-mapped IPv6 address). IPv6 addresses are grouped by their /64, the usual allocation
// to one customer. Anything unparsable shares the single key "ip:invalid".
func IPKey(addr string) string {
	addr = strings.TrimSpace(addr)
	a, err := netip.ParseAddr(addr)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(addr)
		if err2 != nil {
			return ScopeIP + ":invalid"
		}
		a = ap.Addr()
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return ScopeIP + ":" + a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ScopeIP + ":invalid"
	}
	return ScopeIP + ":" + p.String()
}

func scopeOf(key string) string {
	s, _, ok := strings.Cut(key, ":")
	if !ok {
		return ""
	}
	return s
}

// LockedError: the key is locked. Until is when the lock ends (zero when Permanent).
type LockedError struct {
	// Scope is the key's scope (ScopePassword, ScopeCode, ScopeIP), so the page can say
	// whether the account or the network is blocked.
	Scope     string
	Until     time.Time
	Permanent bool
	// New is true for the one Fail call that engaged the lock: it sends the lock notice.
	New bool
}

func (e *LockedError) Error() string {
	if e.Permanent {
		return fmt.Sprintf("lockout: %s locked until unlocked by an administrator", e.Scope)
	}
	return fmt.Sprintf("lockout: %s locked until %s", e.Scope, e.Until.UTC().Format(time.RFC3339))
}

// Status is what the admin API shows for a key.
type Status struct {
	Key          string    `json:"key"`
	Failures     int       `json:"failures"`
	MaxFailures  int       `json:"max_failures"`
	AttemptsLeft int       `json:"attempts_left"`
	Locked       bool      `json:"locked"`
	LockedUntil  time.Time `json:"locked_until,omitzero"`
	Permanent    bool      `json:"permanent,omitempty"`
	// Locks is the number of consecutive locks remembered (it drives Growth).
	Locks        int       `json:"locks"`
	LastLockedAt time.Time `json:"last_locked_at,omitzero"`
}

// Counters is the slice of storage.Counters the limiter uses.
type Counters interface {
	Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error)
	Counter(ctx context.Context, key string, now time.Time) (int64, error)
	ResetCounter(ctx context.Context, key string) error
}

// Store is what New takes; storage.Store satisfies it.
type Store interface {
	Counters
	storage.Docs
}

// Limiter counts failures and keeps locks. Keys are built with PasswordKey, CodeKey and
// IPKey; their scope picks the rules (IP keys the IP* fields of the Policy).
type Limiter struct {
	Counters Counters
	Docs     storage.Docs
	// Reads, when set, reads the records and counters of an Attempt together (nil: one by
	// one through Docs and Counters).
	Reads  Reads
	Policy Policy
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// New returns a limiter over s with policy p and the real clock.
func New(s Store, p Policy) *Limiter {
	l := &Limiter{Counters: s, Docs: s, Policy: p}
	if r, ok := s.(Reads); ok {
		l.Reads = r
	}
	return l
}

// Reads is the slice of storage.Store an Attempt reads through.
type Reads interface {
	ReadMany(ctx context.Context, now time.Time, reads []storage.Read) error
}

// record is the lock record of a key. It outlives its lock (by MaxLockDuration) to remember
// the streak for Growth, and Gen names the failure counter of the current generation:
// engaging a lock starts a new generation, so failures that raced the lock stay in the old
// counter and the next round of failures starts from zero without a reset that could race.
type record struct {
	Gen       int64     `json:"gen"`
	Streak    int       `json:"streak"`
	LockedAt  time.Time `json:"locked_at,omitzero"`
	Until     time.Time `json:"until,omitzero"`
	Permanent bool      `json:"permanent,omitempty"`
	Keep      time.Time `json:"keep,omitzero"`
}

func (r record) active(now time.Time) bool {
	return r.Permanent || now.Before(r.Until)
}

type rules struct {
	scope     string
	max       int // < 0: unlimited
	window    time.Duration
	base      time.Duration
	growth    float64
	cap       time.Duration
	permanent bool
	retain    time.Duration // how long a record outlives its lock
}

func (l *Limiter) rules(key string) rules {
	p := l.Policy.WithDefaults()
	scope := scopeOf(key)
	if scope == ScopeIP {
		return rules{scope: scope, max: p.IPMaxFailures, window: p.IPWindow, base: p.IPLockDuration,
			growth: 1, cap: p.IPLockDuration, retain: p.IPWindow}
	}
	return rules{scope: scope, max: p.MaxFailures, window: p.FailureResetWindow, base: p.LockDuration,
		growth: p.Growth, cap: p.MaxLockDuration, permanent: p.Permanent,
		retain: max(p.MaxLockDuration, p.FailureResetWindow)}
}

// duration of the streak-th consecutive lock (1-based).
func (r rules) duration(streak int) time.Duration {
	d := float64(r.base)
	for i := 1; i < streak && d < float64(r.cap); i++ {
		d *= r.growth
	}
	if d >= float64(r.cap) {
		return r.cap
	}
	return time.Duration(d)
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func failKey(key string, gen int64) string {
	return "lockout/fail/" + key + "/" + strconv.FormatInt(gen, 10)
}

func (l *Limiter) load(ctx context.Context, key string, now time.Time) (record, error) {
	if key == "" {
		return record{}, errors.New("lockout: empty key")
	}
	r, err := storage.GetDoc[record](ctx, l.Docs, Collection, key, now)
	if errors.Is(err, storage.ErrNotFound) {
		return record{}, nil
	}
	if err != nil {
		return record{}, fmt.Errorf("lockout: %w", err)
	}
	return r, nil
}

func (r record) lockedError(scope string, isNew bool) *LockedError {
	e := &LockedError{Scope: scope, Permanent: r.Permanent, New: isNew}
	if !r.Permanent {
		e.Until = r.Until
	}
	return e
}

// Check returns a *LockedError while the key is locked, else nil. Call it before checking
// the password or code, and refuse without checking when it fails.
func (l *Limiter) Check(ctx context.Context, key string) error {
	now := l.now()
	r, err := l.load(ctx, key, now)
	if err != nil {
		return err
	}
	return check(key, r, now)
}

// check is Check given the key's record.
func check(key string, r record, now time.Time) error {
	if r.active(now) {
		return r.lockedError(scopeOf(key), false)
	}
	return nil
}

// Fail counts one failure and returns the attempts left before a lock (negative: no limit
// for this scope). The failure that brings the count to MaxFailures engages the lock and
// gets a *LockedError with New set; the length of the lock grows with Growth for consecutive
// locks. A failure while the key is locked is not counted and does not extend the lock: it
// gets the current *LockedError. Counting is one atomic increment of the backend, and
// exactly one lock is engaged however many failures race.
func (l *Limiter) Fail(ctx context.Context, key string) (attemptsLeft int, err error) {
	ru := l.rules(key)
	now := l.now()
	r, err := l.load(ctx, key, now)
	if err != nil {
		return 0, err
	}
	if r.active(now) {
		return 0, r.lockedError(ru.scope, false)
	}
	if ru.max < 0 {
		return -1, nil
	}
	if r.Gen > 0 && !r.Keep.IsZero() && r.Keep.Before(now.Add(ru.window)) {
		// The record names this generation's counter: make it live at least as long.
		_, err := storage.UpdateDoc(ctx, l.Docs, Collection, key, now, func(old record) (record, time.Time, error) {
			if old.Gen == r.Gen && !old.Keep.IsZero() && old.Keep.Before(now.Add(ru.window)) {
				old.Keep = now.Add(ru.window)
			}
			return old, old.Keep, nil
		})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return 0, fmt.Errorf("lockout: %w", err)
		}
	}
	n, err := l.Counters.Incr(ctx, failKey(key, r.Gen), 1, now.Add(ru.window), now)
	if err != nil {
		return 0, fmt.Errorf("lockout: count failure: %w", err)
	}
	if n < int64(ru.max) {
		return ru.max - int(n), nil
	}
	// This generation reached the limit: engage its lock unless a racing call did.
	created := false
	var locked record
	_, err = upsert(ctx, l.Docs, key, now, func(old record, exists bool) (record, time.Time, error) {
		created = false
		if exists && (old.Gen > r.Gen || old.active(now)) {
			locked = old
			return old, old.Keep, nil
		}
		nr := record{Gen: max(old.Gen, r.Gen) + 1, Streak: old.Streak + 1, LockedAt: now, Permanent: ru.permanent}
		if !nr.Permanent {
			nr.Until = now.Add(ru.duration(nr.Streak))
			nr.Keep = nr.Until.Add(ru.retain)
		}
		created, locked = true, nr
		return nr, nr.Keep, nil
	})
	if err != nil {
		return 0, fmt.Errorf("lockout: lock: %w", err)
	}
	if !locked.active(now) {
		// A lock of this generation was engaged and already lifted (Unlock) meanwhile.
		return ru.max, nil
	}
	return 0, locked.lockedError(ru.scope, created)
}

// Throttle is the check of an IP key before a password check: nil while the key is not
// locked; while it is, the first call in each Policy.IPThrottle slot gets nil too (that one
// password is checked, and a right one logs in) and the others a *LockedError whose Until is
// the next slot. The slot is one atomic counter of the backend, so replicas share it.
func (l *Limiter) Throttle(ctx context.Context, key string) error {
	now := l.now()
	r, err := l.load(ctx, key, now)
	if err != nil {
		return err
	}
	return l.throttle(ctx, key, r, now)
}

// throttle is Throttle given the key's record.
func (l *Limiter) throttle(ctx context.Context, key string, r record, now time.Time) error {
	if !r.active(now) {
		return nil
	}
	every := l.Policy.WithDefaults().IPThrottle
	slot := now.Truncate(every)
	n, err := l.Counters.Incr(ctx, "lockout/slot/"+key+"/"+strconv.FormatInt(slot.UnixNano(), 10), 1, slot.Add(2*every), now)
	if err != nil {
		return fmt.Errorf("lockout: throttle: %w", err)
	}
	if n == 1 {
		return nil
	}
	return &LockedError{Scope: scopeOf(key), Until: slot.Add(every)}
}

// Succeed records a right password or code: it resets the key's failure count and the lock
// streak. If the key is locked at that moment it returns a *LockedError and the caller must
// refuse the login: a right password that raced the lock does not log in. Call it after the
// check succeeded and before the session is created. For IP keys it only checks: a success
// from an address does not forgive its failures against other accounts.
func (l *Limiter) Succeed(ctx context.Context, key string) error {
	now := l.now()
	r, err := l.load(ctx, key, now)
	if err != nil {
		return err
	}
	return l.succeed(ctx, key, r, nil, now)
}

// succeed is Succeed given the key's record and, when known (not nil), the failure counter of
// its generation.
func (l *Limiter) succeed(ctx context.Context, key string, r record, known *int64, now time.Time) error {
	ru := l.rules(key)
	if r.active(now) {
		return r.lockedError(ru.scope, false)
	}
	if ru.scope == ScopeIP {
		return nil
	}
	var failed int64
	if known != nil {
		failed = *known
	} else {
		var err error
		if failed, err = l.Counters.Counter(ctx, failKey(key, r.Gen), now); err != nil {
			return fmt.Errorf("lockout: reset: %w", err)
		}
	}
	if failed == 0 && r.Streak == 0 {
		// Nothing to forgive (the usual login): no failure of this generation is counted, so
		// no lock of it can have been engaged since the record was read either.
		return nil
	}
	if failed > 0 {
		if err := l.Counters.ResetCounter(ctx, failKey(key, r.Gen)); err != nil {
			return fmt.Errorf("lockout: reset: %w", err)
		}
	}
	if r.Streak > 0 {
		var lockedNow *LockedError
		_, err := storage.UpdateDoc(ctx, l.Docs, Collection, key, now, func(old record) (record, time.Time, error) {
			lockedNow = nil
			if old.active(now) {
				lockedNow = old.lockedError(ru.scope, false)
				return old, old.Keep, lockedNow
			}
			old.Streak = 0
			return old, old.Keep, nil
		})
		switch {
		case lockedNow != nil && errors.Is(err, lockedNow):
			return lockedNow
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("lockout: reset: %w", err)
		}
	}
	// A lock engaged while we reset wins.
	return l.Check(ctx, key)
}

// Unlock lifts the key's lock, resets its failure count and forgets the lock streak: for
// administrators and password recovery. A key without a lock is not an error.
func (l *Limiter) Unlock(ctx context.Context, key string) error {
	ru := l.rules(key)
	now := l.now()
	r, err := l.load(ctx, key, now)
	if err != nil {
		return err
	}
	if r != (record{}) {
		r, err = storage.UpdateDoc(ctx, l.Docs, Collection, key, now, func(old record) (record, time.Time, error) {
			old.Streak, old.Permanent, old.Until = 0, false, time.Time{}
			// Keep the record (and its generation) until the counters it may name expire.
			old.Keep = now.Add(ru.window)
			return old, old.Keep, nil
		})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("lockout: unlock: %w", err)
		}
	}
	if err := l.Counters.ResetCounter(ctx, failKey(key, r.Gen)); err != nil {
		return fmt.Errorf("lockout: unlock: %w", err)
	}
	return nil
}

// Status reports the key's counters and lock.
func (l *Limiter) Status(ctx context.Context, key string) (Status, error) {
	ru := l.rules(key)
	now := l.now()
	r, err := l.load(ctx, key, now)
	if err != nil {
		return Status{}, err
	}
	n, err := l.Counters.Counter(ctx, failKey(key, r.Gen), now)
	if err != nil {
		return Status{}, fmt.Errorf("lockout: status: %w", err)
	}
	s := Status{Key: key, Failures: int(n), MaxFailures: ru.max, Locks: r.Streak, LastLockedAt: r.LockedAt}
	switch {
	case r.active(now):
		s.Locked, s.Permanent = true, r.Permanent
		if !r.Permanent {
			s.LockedUntil = r.Until
		}
	case ru.max < 0:
		s.AttemptsLeft = -1
	default:
		s.AttemptsLeft = max(ru.max-int(n), 0)
	}
	return s, nil
}

// Locked lists the keys locked now, for the admin API.
func (l *Limiter) Locked(ctx context.Context) ([]Status, error) {
	now := l.now()
	raws, err := l.Docs.ListDocsRaw(ctx, Collection, "", now)
	if err != nil {
		return nil, fmt.Errorf("lockout: list: %w", err)
	}
	var out []Status
	for _, raw := range raws {
		s, err := l.Status(ctx, raw.ID)
		if err != nil {
			return nil, err
		}
		if s.Locked {
			out = append(out, s)
		}
	}
	return out, nil
}

// upsert creates or updates the key's record atomically; fn may run more than once.
func upsert(ctx context.Context, d storage.Docs, key string, now time.Time, fn func(old record, exists bool) (record, time.Time, error)) (record, error) {
	for range 8 {
		v, err := storage.UpdateDoc(ctx, d, Collection, key, now, func(old record) (record, time.Time, error) { return fn(old, true) })
		if !errors.Is(err, storage.ErrNotFound) {
			return v, err
		}
		nv, exp, err := fn(record{}, false)
		if err != nil {
			return record{}, err
		}
		err = storage.CreateDoc(ctx, d, Collection, key, nv, exp, now)
		if !errors.Is(err, storage.ErrAlreadyExists) {
			return nv, err
		}
	}
	return record{}, fmt.Errorf("lockout: %s: %w", key, storage.ErrConflict)
}
