package otp

import (
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// clock is an injected clock that tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

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

// seeded returns a deterministic random source that is safe for concurrent use, as the
// Rand fields require: the concurrency tests start and verify codes from 30 goroutines.
func seeded(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return &lockedReader{r: rand.NewChaCha8(s)}
}

// lockedReader serialises reads of a reader that is not safe for concurrent use.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

type fixture struct {
	store  storage.Store
	clock  *clock
	outbox *Outbox
	sms    *SMS
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	c := newClock()
	ob := &Outbox{Docs: st, Now: c.Now, Rand: seeded(1)}
	sms := &SMS{Docs: st, Sender: ob, Config: cfg, Now: c.Now, Rand: seeded(2)}
	return &fixture{store: st, clock: c, outbox: ob, sms: sms}
}

// lastCode returns the code of the newest message to the address.
func (f *fixture) lastCode(t *testing.T, to string) string {
	t.Helper()
	msgs, err := f.outbox.List(context.Background(), Filter{To: to, Limit: 1})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox for %s: %v, %v", to, msgs, err)
	}
	return msgs[0].Code
}

// wrongCode returns a well-formed code different from code.
func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
