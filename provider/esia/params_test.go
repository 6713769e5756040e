package esia

import (
	"testing"
	"time"
)

func TestCheckWindow(t *testing.T) {
	now := time.Date(2025, 9, 2, 13, 0, 0, 0, time.UTC)
	if checkWindow(now.Add(-9*time.Minute), now, 10*time.Minute) != nil || checkWindow(now.Add(9*time.Minute), now, 10*time.Minute) != nil {
		t.Fatal("inside the window")
	}
	if checkWindow(now.Add(-11*time.Minute), now, 10*time.Minute) == nil || checkWindow(now.Add(11*time.Minute), now, 10*time.Minute) == nil {
		t.Fatal("outside the window")
	}
}

func TestUUID(t *testing.T) {
	for _, s := range []string{"bb809750-71bc-2406-88d1-2388a4be5187", "BB809750-71BC-2406-88D1-2388A4BE5187"} {
		if !isUUID(s) {
			t.Errorf("%s is a UUID", s)
		}
	}
	for _, s := range []string{"", "st-1", "bb80975071bc240688d12388a4be5187", "bb809750-71bc-2406-88d1-2388a4be518g", "{bb809750-71bc-2406-88d1-2388a4be5187}"} {
		if isUUID(s) {
			t.Errorf("%q is not a UUID", s)
		}
	}
	u := newUUID([16]byte{1, 2, 3})
	if !isUUID(u) || u[14] != '4' {
		t.Fatalf("new UUID %s", u)
	}
}
