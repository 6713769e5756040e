package password

import (
	"errors"
	"runtime"
	"time"
)

// ErrBusy: every hashing slot stayed taken for the gate's whole wait. The caller answers
// 503 (a page, or temporarily_unavailable for machines) and the citizen tries again.
var ErrBusy = errors.New("password: too many password checks at once")

// DefaultGateWait is how long a hash waits for a slot before ErrBusy.
const DefaultGateWait = 2 * time.Second

// DefaultGateSize is 2×GOMAXPROCS: argon2id is CPU-bound, so more at once only adds memory
// (19 MiB each with DefaultParams) and latency.
func DefaultGateSize() int { return 2 * runtime.GOMAXPROCS(0) }

// Gate bounds how many hashes run at once: Hash, Verify and VerifyAbsent of a Hasher with a
// Gate take a slot first, wait at most the gate's wait for one, and give it back when done.
// The memory hashing can take is then at most size × the parameters' memory.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
	// Observe, when set, sees how long each Enter waited and whether it got a slot (the
	// provider's metrics: the argon2 queue). Set it before the gate is shared.
	Observe func(waited time.Duration, admitted bool)
}

// NewGate returns a gate of size slots (at least 1) whose callers wait at most wait
// (0: not at all) for a slot.
func NewGate(size int, wait time.Duration) *Gate {
	if size < 1 {
		size = 1
	}
	return &Gate{slots: make(chan struct{}, size), wait: wait}
}

// Size is the number of slots.
func (g *Gate) Size() int { return cap(g.slots) }

// InUse is the number of slots taken now.
func (g *Gate) InUse() int { return len(g.slots) }

// Enter takes a slot and returns the function that gives it back, or ErrBusy when no slot
// freed up within the wait. A nil Gate admits everyone.
func (g *Gate) Enter() (release func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		g.observe(time.Time{}, true)
		return g.leave, nil
	default:
	}
	start := time.Now() // a measurement, not a rule: the wall clock is right here
	if g.wait <= 0 {
		g.observe(start, false)
		return nil, ErrBusy
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		g.observe(start, true)
		return g.leave, nil
	case <-t.C:
		g.observe(start, false)
		return nil, ErrBusy
	}
}

// observe reports a wait that began at start (zero: none) to Observe.
func (g *Gate) observe(start time.Time, admitted bool) {
	if g.Observe == nil {
		return
	}
	var d time.Duration
	if !start.IsZero() {
		d = time.Since(start)
	}
	g.Observe(d, admitted)
}

func (g *Gate) leave() { <-g.slots }
