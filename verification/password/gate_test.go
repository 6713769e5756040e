package password

import (
	"errors"
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	g := NewGate(2, 0)
	r1, err1 := g.Enter()
	r2, err2 := g.Enter()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := g.Enter(); !errors.Is(err, ErrBusy) {
		t.Fatalf("third Enter: %v, want ErrBusy", err)
	}
	h := &Hasher{Params: TestParams, Gate: g}
	if _, err := h.Hash("x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with a full gate: %v", err)
	}
	if ok, err := h.Verify(h.dummyHash(), "x"); ok || !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify with a full gate: %v %v", ok, err)
	}
	if err := h.VerifyAbsent("x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("VerifyAbsent with a full gate: %v", err)
	}
	r1()
	if _, err := h.Hash("x"); err != nil {
		t.Fatalf("Hash with a free slot: %v", err)
	}
	r2()
	if g.Size() != 2 || len(g.slots) != 0 {
		t.Fatalf("slots leaked: %d taken", len(g.slots))
	}
	var nilGate *Gate
	if rel, err := nilGate.Enter(); err != nil {
		t.Fatal(err)
	} else {
		rel()
	}
}

// TestGateWaits: a caller waits for a slot freed within the wait.
func TestGateWaits(t *testing.T) {
	g := NewGate(1, time.Minute)
	rel, _ := g.Enter()
	got := make(chan error)
	go func() {
		r, err := g.Enter()
		if err == nil {
			r()
		}
		got <- err
	}()
	rel()
	if err := <-got; err != nil {
		t.Fatalf("waiting Enter: %v", err)
	}
}
