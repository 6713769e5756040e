package dprofile

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/consent/permissions"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func TestPreRetirementAge(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		birth, gender string
		want          bool
	}{
		{"1967-01-01", "F", true},  // 59, women retire at 60
		{"1966-01-01", "F", false}, // 60
		{"1972-01-01", "F", false}, // 54
		{"1971-06-01", "F", true},  // 55
		{"1962-01-01", "M", true},  // 64, men retire at 65
		{"1966-06-01", "M", true},  // 60: the first pre-retirement year for men
		{"1967-01-01", "M", false}, // 59
		{"", "M", false},           // no birth date
	}
	for _, tc := range tests {
		v, ok := Record(storage.User{ID: "1", BirthDate: tc.birth, Gender: tc.gender}, "pre_retirement_age", now)
		if !ok {
			t.Fatal("no record")
		}
		if got := v.(map[string]any)["preRetirementAge"]; got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.birth, tc.gender, got, tc.want)
		}
	}
}

func TestRecordsAreDeterministicAndDiffer(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	a := storage.User{ID: "1000000003", BirthDate: "1976-06-21", Gender: "F", SNILS: "000-000-600 03"}
	b := storage.User{ID: "1000000099", BirthDate: "1950-02-02", Gender: "M", SNILS: "000-000-600 99"}
	for _, s := range Scopes {
		x, _ := Record(a, s, now)
		y, _ := Record(a, s, now)
		z, _ := Record(b, s, now)
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		jz, _ := json.Marshal(z)
		if string(jx) != string(jy) {
			t.Errorf("%s differs between calls", s)
		}
		if string(jx) == string(jz) {
			t.Errorf("%s is the same for two citizens", s)
		}
	}
	if v, _ := Record(b, "pension_reference", now); v.(map[string]any)["recipient"] != true {
		t.Error("a 76-year-old gets no pension")
	}
	if _, ok := Record(a, "vehicles", now); ok {
		t.Error("data for a scope that has none")
	}
}

func TestConsentLifecycle(t *testing.T) {
	ctx := context.Background()
	cs := Consents{Docs: memory.New()}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	req := permissions.Request{Sysname: "PENSION", Expire: 60}
	n := 0
	id := func() string { n++; return string(rune('a' + n)) }
	got, err := cs.Grant(ctx, "u1", "SYS", "fam", []permissions.Request{req, req}, id, now)
	if err != nil || len(got) != 2 {
		t.Fatal(got, err)
	}
	if live, _ := cs.ForFamily(ctx, "u1", "SYS", "fam", now); len(live) != 2 {
		t.Fatalf("live %v", live)
	}
	w, err := cs.Withdraw(ctx, "u1", "SYS", got[0].ID, now.Add(time.Minute))
	if err != nil || w.Live(now.Add(time.Minute)) {
		t.Fatal(w, err)
	}
	if _, err := cs.Withdraw(ctx, "u1", "SYS", got[0].ID, now.Add(2*time.Minute)); !errors.Is(err, ErrNotLive) {
		t.Fatalf("second withdrawal: %v", err)
	}
	if live, _ := cs.ForFamily(ctx, "u1", "SYS", "fam", now.Add(2*time.Minute)); len(live) != 1 {
		t.Fatalf("after withdrawal %v", live)
	}
	if live, _ := cs.ForFamily(ctx, "u1", "SYS", "fam", now.Add(61*time.Minute)); len(live) != 0 {
		t.Fatalf("after expiry %v", live)
	}
	all, _ := cs.ForUser(ctx, "u1", now.Add(61*time.Minute))
	if len(all) != 2 || ClaimOf(all[0], now.Add(61*time.Minute)).Status == "ACTIVE" {
		t.Fatalf("listed %v", all)
	}
}

// TestEveryBuiltinPersonaHasData: each built-in persona has data behind every Digital
// Profile scope, and the employment history of adults is not empty.
func TestEveryBuiltinPersonaHasData(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, p := range config.BuiltinPersonas() {
		u := storage.User{ID: p.OID, BirthDate: p.BirthDate, Gender: p.Gender, SNILS: p.SNILS}
		for _, s := range Scopes {
			if v, ok := Record(u, s, now); !ok || v == nil {
				t.Errorf("%s: no %s", p.Key, s)
			}
		}
		if p.BirthDate != "" && age(u, now) >= 25 {
			wb, _ := Record(u, "electronic_workbook", now)
			if wb.(map[string]any)["size"] == 0 {
				t.Errorf("%s (%s): empty employment history", p.Key, p.BirthDate)
			}
		}
	}
}
