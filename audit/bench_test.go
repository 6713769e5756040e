package audit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// BenchmarkHistoryQuery is the citizen's history page query (Query{UserID, Types, Limit:
// 100}) for a citizen with 20 events among 20,000 events of others (failed logins of
// unknown accounts, say).
func BenchmarkHistoryQuery(b *testing.B) {
	c := &clock{now: t0}
	l := &Log{Docs: memory.New(), Now: c.Now}
	ctx := context.Background()
	for i := range 20_000 {
		c.now = t0.Add(time.Duration(i) * time.Second)
		if err := l.Record(ctx, Event{Type: LoginFailed, UserID: fmt.Sprintf("u%d", i%500), IP: "10.0.0.1", Details: map[string]string{"reason": "invalid_credentials"}}); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 0 {
			if err := l.Record(ctx, Event{Type: Login, UserID: "citizen", SessionID: "s"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	f := Filter{UserID: "citizen", Types: []Type{Login, LoginFailed, Logout}, Limit: 100}
	b.ReportAllocs()
	for b.Loop() {
		evs, err := l.Query(ctx, f)
		if err != nil || len(evs) != 20 {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}
