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

// Enter takes a slot and returns the function that gives it back, or ErrBusy when no slot
// freed up within the wait. A nil Gate admits everyone.
func (g *Gate) Enter() (release func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	if g.wait <= 0 {
		return nil, ErrBusy
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-t.C:
		return nil, ErrBusy
	}
}

func (g *Gate) leave() { <-g.slots }
