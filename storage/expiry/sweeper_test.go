package expiry_test

import (
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/expiry"
)

// TestSweeper: the loop sweeps with the wall clock minus grace, and nothing runs after Stop.
func TestSweeper(t *testing.T) {
	const grace = time.Hour
	calls := make(chan time.Time)
	stopped := make(chan struct{})
	s := expiry.StartSweeper(time.Millisecond, grace, func(before time.Time) {
		select {
		case calls <- before:
		case <-stopped:
			t.Error("a sweep ran after Stop returned")
		}
	})
	for range 2 {
		select {
		case before := <-calls:
			if lag := time.Since(before); lag < grace || lag > grace+time.Minute {
				t.Fatalf("swept with before = now - %v, want now - %v", lag, grace)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no sweep within 10 s")
		}
	}
	go func() { // let a sweep in progress finish so that Stop can return
		for {
			select {
			case <-calls:
			case <-stopped:
				return
			}
		}
	}()
	s.Stop()
	close(stopped)
	s.Stop() // twice is harmless
	var none *expiry.Sweeper
	none.Stop()
}
