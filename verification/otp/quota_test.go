package otp

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func TestQuota(t *testing.T) {
	tests := []struct {
		name       string
		per, total int
		origins    []string // one start each, to a new address
		refused    int      // index of the first refused start, -1 for none
		scope      string
	}{
		{"per origin", 2, 0, []string{"a", "a", "a"}, 2, "origin"},
		{"other origins unaffected", 2, 0, []string{"a", "a", "b"}, -1, ""},
		{"total", -1, 2, []string{"a", "b", "c"}, 2, "total"},
		{"no caps", -1, -1, []string{"a", "a", "a", "a"}, -1, ""},
		{"trusted addresses do not count", 1, 1, []string{"", "", "a"}, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			st := memory.New()
			out := &Outbox{Docs: st, Now: c.Now}
			s := &SMS{Docs: st, Sender: out, Now: c.Now, Rand: seeded(1), Quota: &Quota{Docs: st, PerOrigin: tt.per, Total: tt.total}}
			ctx := context.Background()
			for i, o := range tt.origins {
				to := fmt.Sprintf("+7900000%04d", i)
				_, err := s.StartFrom(ctx, fmt.Sprintf("k%d", i), to, KindRegistrationCode, o)
				var qe *QuotaError
				switch {
				case i == tt.refused:
					if !errors.As(err, &qe) || qe.Scope != tt.scope || !qe.RetryAt.Equal(t0.Add(time.Hour)) {
						t.Fatalf("start %d: %v, want a %s QuotaError", i, err, tt.scope)
					}
					if msgs, _ := out.List(ctx, Filter{To: to}); len(msgs) != 0 {
						t.Fatalf("a refused start sent %d messages", len(msgs))
					}
				case err != nil:
					t.Fatalf("start %d: %v", i, err)
				}
			}
		})
	}
}

func TestQuotaDefaults(t *testing.T) {
	c := newClock()
	st := memory.New()
	s := &SMS{Docs: st, Sender: &Outbox{Docs: st, Now: c.Now}, Now: c.Now, Rand: seeded(2), Quota: &Quota{Docs: st}}
	for i := range DefaultPerOrigin + 1 {
		_, err := s.StartFrom(context.Background(), fmt.Sprintf("k%d", i), fmt.Sprintf("+7900000%04d", i), KindRegistrationCode, "10.0.0.1")
		if (i < DefaultPerOrigin) != (err == nil) {
			t.Fatalf("start %d: %v", i+1, err)
		}
	}
	c.Advance(time.Hour)
	if _, err := s.StartFrom(context.Background(), "k-late", "+79000009999", KindRegistrationCode, "10.0.0.1"); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}
