package audit

import (
	"context"
	"maps"
	"slices"
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

// TestCitizenIndexNamesEvents: a citizen's index entry names the event instead of copying it
// (one stored copy of each event); their history still reads whole events, in order, with
// entries from before (a whole copy of the event) among them, and skips an entry whose event
// is gone.
func TestCitizenIndexNamesEvents(t *testing.T) {
	l, c := newLog()
	ctx := context.Background()
	record := recorder(t, l, c)
	record(0, Event{Type: Login, UserID: "1", SessionID: "s1", UserAgent: "UA", Details: map[string]string{"amr": "pwd"}})
	// An event whose entry is a whole copy, as stores written before kept them.
	old := Event{ID: timeKey(t0.Add(time.Minute)) + "-0000000000000001", Time: t0.Add(time.Minute), Type: Logout, UserID: "1", SessionID: "s1"}
	if err := storage.PutDoc(ctx, l.Docs, Collection, old.ID, old, l.expiry(old)); err != nil {
		t.Fatal(err)
	}
	if err := storage.PutDoc(ctx, l.Docs, UserCollection, userPrefix("1")+old.ID, old, l.expiry(old)); err != nil {
		t.Fatal(err)
	}
	record(2*time.Minute, Event{Type: ConsentGiven, UserID: "1", ClientID: "sfr", Details: map[string]string{"scopes": "fullname"}})
	record(3*time.Minute, Event{Type: Login, UserID: "2"})
	record(4*time.Minute, Event{Type: LoginFailed, UserID: "1", Details: map[string]string{"reason": "password"}})

	all, err := l.Query(ctx, Filter{Ascending: true})
	if err != nil || len(all) != 5 {
		t.Fatalf("the whole log: %v, %v", types(all), err)
	}
	for _, ev := range all {
		if ev.UserID != "1" || ev.ID == old.ID {
			continue
		}
		entry, err := l.Docs.GetDocRaw(ctx, UserCollection, userPrefix("1")+ev.ID, c.now)
		if err != nil || len(entry) > 2 {
			t.Fatalf("the citizen's entry for %s: %q, %v (want a name, not a copy)", ev.Type, entry, err)
		}
	}
	want := slices.DeleteFunc(slices.Clone(all), func(ev Event) bool { return ev.UserID != "1" })
	got, err := l.Query(ctx, Filter{UserID: "1", Ascending: true})
	if err != nil || !eventsEqual(got, want) {
		t.Fatalf("the citizen's history:\n got %+v, %v\nwant %+v", got, err, want)
	}

	// An event gone while its entry is still listed (a store drops them one by one).
	if err := l.Docs.DeleteDoc(ctx, Collection, want[2].ID); err != nil {
		t.Fatal(err)
	}
	got, err = l.Query(ctx, Filter{UserID: "1"})
	if err != nil || !slices.Equal(types(got), []Type{LoginFailed, Logout, Login}) {
		t.Fatalf("the history with an event gone: %v, %v", types(got), err)
	}
}

func eventsEqual(a, b []Event) bool {
	return slices.EqualFunc(a, b, func(x, y Event) bool {
		return x.ID == y.ID && x.Time.Equal(y.Time) && x.Type == y.Type && x.UserID == y.UserID &&
			x.ClientID == y.ClientID && x.SessionID == y.SessionID && x.UserAgent == y.UserAgent &&
			maps.Equal(x.Details, y.Details)
	})
}
