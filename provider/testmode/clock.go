package testmode

import (
	"sync"
	"time"
)

// TravelClock is the test-mode clock: the base clock shifted by an offset, or frozen. Every
// time rule of the provider (token and code lifetimes, sessions, lockout, code expiry,
// consent expiry, registry delays) reads it, so a test moves time instead of waiting.
// The offset lives in this process: replicas sharing a store each have their own.
type TravelClock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
	frozen *time.Time
}

// NewTravelClock starts at the base clock (nil: time.Now) with no offset.
func NewTravelClock(base func() time.Time) *TravelClock {
	if base == nil {
		base = time.Now
	}
	return &TravelClock{base: base}
}

// Now is the shifted or frozen time.
func (c *TravelClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		return *c.frozen
	}
	return c.base().Add(c.offset)
}

// Advance moves time forward (or back, with a negative d), frozen or not.
func (c *TravelClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	if c.frozen != nil {
		t := c.frozen.Add(d)
		c.frozen = &t
	}
}

// Set jumps to t (keeping the frozen state).
func (c *TravelClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = t.Sub(c.base())
	if c.frozen != nil {
		c.frozen = &t
	}
}

// Freeze stops time at its current value; Resume lets it run again from there.
func (c *TravelClock) Freeze() {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = &now
}

// Resume lets a frozen clock run again from where it stopped.
func (c *TravelClock) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		c.offset = c.frozen.Sub(c.base())
		c.frozen = nil
	}
}

// Reset returns to the base clock.
func (c *TravelClock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.frozen = 0, nil
}

// State reports the clock for the admin API.
func (c *TravelClock) State() (now time.Time, offset time.Duration, frozen bool) {
	now = c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	return now, now.Sub(c.base()), c.frozen != nil
}
