package audit

import (
	"context"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// TestRetention: an event is gone from every query once its retention has passed.
func TestRetention(t *testing.T) {
	l, c := newLog()
	l.Retention = 48 * time.Hour
	ctx := context.Background()
	if err := l.Record(ctx, Event{Type: Login, UserID: "1"}); err != nil {
		t.Fatal(err)
	}
	c.now = t0.Add(24 * time.Hour)
	if err := l.Record(ctx, Event{Type: Logout, UserID: "1"}); err != nil {
		t.Fatal(err)
	}
	c.now = t0.Add(48*time.Hour + time.Second)
	for _, f := range []Filter{{}, {UserID: "1"}} {
		evs, err := l.Query(ctx, f)
		if err != nil || len(evs) != 1 || evs[0].Type != Logout {
			t.Fatalf("%+v after the first event's retention: %v %v", f, types(evs), err)
		}
	}
	c.now = t0.Add(72*time.Hour + time.Second)
	if evs, _ := l.Query(ctx, Filter{UserID: "1"}); len(evs) != 0 {
		t.Fatalf("after both retentions: %v", types(evs))
	}
}

// TestMigrate: events recorded before the index and the retention (no copy, no expiry) are
// found by citizen after Migrate and expire with the retention.
func TestMigrate(t *testing.T) {
	l, c := newLog()
	ctx := context.Background()
	old := []Event{
		{ID: timeKey(t0) + "-0000000000000001", Time: t0, Type: Login, UserID: "1"},
		{ID: timeKey(t0.Add(time.Minute)) + "-0000000000000002", Time: t0.Add(time.Minute), Type: Unlock},
		{ID: timeKey(t0.Add(-100*24*time.Hour)) + "-0000000000000003", Time: t0.Add(-100 * 24 * time.Hour), Type: Login, UserID: "1"},
	}
	for _, ev := range old {
		if err := storage.PutDoc(ctx, l.Docs, Collection, ev.ID, ev, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	c.now = t0.Add(time.Hour)
	for range 2 { // idempotent
		if err := l.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if evs, _ := l.Query(ctx, Filter{UserID: "1"}); len(evs) != 1 || evs[0].ID != old[0].ID {
		t.Fatalf("by citizen after migrating: %+v", evs)
	}
	if evs, _ := l.Query(ctx, Filter{}); len(evs) != 2 {
		t.Fatalf("all after migrating: %v (the event older than the retention should be gone)", types(evs))
	}
	c.now = t0.Add(DefaultRetention + 2*time.Minute)
	if evs, _ := l.Query(ctx, Filter{}); len(evs) != 0 {
		t.Fatalf("after the retention: %v", types(evs))
	}
}

// countingDocs counts the documents the log reads by listing.
type countingDocs struct {
	storage.Docs
	listed int
}

func (c *countingDocs) ListDocsRaw(ctx context.Context, coll, prefix string, now time.Time) ([]storage.RawDoc, error) {
	docs, err := c.Docs.ListDocsRaw(ctx, coll, prefix, now)
	c.listed += len(docs)
	return docs, err
}

// TestCitizenQueryReadsOnlyTheirEvents: a citizen's history reads that citizen's events, not
// the 2,000 events of others.
func TestCitizenQueryReadsOnlyTheirEvents(t *testing.T) {
	l, c := newLog()
	docs := &countingDocs{Docs: l.Docs}
	l.Docs = docs
	ctx := context.Background()
	for i := range 2000 {
		c.now = t0.Add(time.Duration(i) * time.Second)
		user := "other"
		if i%100 == 0 {
			user = "citizen"
		}
		if err := l.Record(ctx, Event{Type: LoginFailed, UserID: user}); err != nil {
			t.Fatal(err)
		}
	}
	docs.listed = 0
	evs, err := l.Query(ctx, Filter{UserID: "citizen", Types: []Type{Login, LoginFailed}, Limit: 100})
	if err != nil || len(evs) != 20 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	if docs.listed > 20 {
		t.Fatalf("the query read %d documents for 20 events of the citizen", docs.listed)
	}
}
