package expiry

import (
	"sync"
	"time"
)

// Sweeper runs an engine's garbage collection in the background: sweep is called every
// interval with the wall clock minus grace, so values are collected a grace period after they
// expired by the real clock (an injected clock that runs ahead never loses values early).
// storage/bolt and storage/memory use it; Stop ends it.
type Sweeper struct {
	stop, done chan struct{}
	once       sync.Once
}

// StartSweeper starts the loop. A nil *Sweeper (no sweeping configured) is valid to Stop.
func StartSweeper(interval, grace time.Duration, sweep func(before time.Time)) *Sweeper {
	s := &Sweeper{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				sweep(time.Now().Add(-grace))
			}
		}
	}()
	return s
}

// Stop ends the loop and waits for a sweep in progress. Stopping twice is harmless.
func (s *Sweeper) Stop() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		close(s.stop)
		<-s.done
	})
}
