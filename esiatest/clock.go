package esiatest

import (
	"time"

	"github.com/esia-emulator/esia-emulator/provider"
)

// Clock is the emulator's test clock. It follows the wall clock until moved; every rule of
// the emulator (code and token lifetimes, lockout, sessions, ESIA's timestamp window) reads
// it. A relying party checking the emulator's tokens after Advance should read the same
// time, e.g. go-oidc's oidc.Config{Now: srv.Clock().Now}.
type Clock struct{ c *provider.TravelClock }

// Now is the emulator's current time.
func (c *Clock) Now() time.Time { return c.c.Now() }

// Advance moves time forward (or back, with a negative d), frozen or not.
func (c *Clock) Advance(d time.Duration) { c.c.Advance(d) }

// Set jumps to t, keeping the frozen state.
func (c *Clock) Set(t time.Time) { c.c.Set(t) }

// Freeze stops time at its current value; only Advance and Set move it then.
func (c *Clock) Freeze() { c.c.Freeze() }

// Resume lets a frozen clock run again from where it stopped.
func (c *Clock) Resume() { c.c.Resume() }
