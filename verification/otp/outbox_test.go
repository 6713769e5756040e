package otp

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"
)

func send(t *testing.T, o *Outbox, m Message) {
	t.Helper()
	if err := o.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxListFilters(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	o := f.outbox
	send(t, o, Message{Channel: ChannelSMS, To: "+79990000001", Kind: KindLoginCode, Body: "1", Code: "111111"})
	send(t, o, Message{Channel: ChannelEmail, To: "a@b.ru", Kind: KindLoginNotice, Body: "2"})
	f.clock.Advance(time.Minute)
	send(t, o, Message{Channel: ChannelSMS, To: "+79990000002", Kind: KindLoginCode, Body: "3"})
	send(t, o, Message{Channel: ChannelSMS, To: "+79990000001", Kind: KindLockNotice, Body: "4"})

	bodies := func(f Filter) []string {
		msgs, err := o.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			out = append(out, m.Body)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want []string
	}{
		{"all, oldest first even with a frozen clock", Filter{}, []string{"1", "2", "3", "4"}},
		{"to", Filter{To: "+79990000001"}, []string{"1", "4"}},
		{"channel", Filter{Channel: ChannelEmail}, []string{"2"}},
		{"kind", Filter{Kind: KindLoginCode}, []string{"1", "3"}},
		{"since", Filter{Since: t0.Add(time.Minute)}, []string{"3", "4"}},
		{"limit keeps the newest", Filter{Limit: 2}, []string{"3", "4"}},
		{"combined", Filter{To: "+79990000001", Kind: KindLoginCode}, []string{"1"}},
		{"none", Filter{To: "+70000000000"}, nil},
	} {
		if got := bodies(tc.f); !equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}

	msgs, _ := o.List(ctx, Filter{})
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
		if m.ID == "" || m.CreatedAt.IsZero() {
			t.Fatalf("message %+v lacks id or time", m)
		}
	}
	if !sort.StringsAreSorted(ids) || msgs[0].Code != "111111" {
		t.Fatalf("ids %v", ids)
	}

	if err := o.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got := bodies(Filter{}); got != nil {
		t.Fatalf("after Clear: %v", got)
	}
}

func TestOutboxTTL(t *testing.T) {
	f := newFixture(t, Config{})
	send(t, f.outbox, Message{To: "x", Body: "old"})
	f.clock.Advance(DefaultOutboxTTL)
	if msgs, _ := f.outbox.List(context.Background(), Filter{}); len(msgs) != 0 {
		t.Fatalf("expired messages listed: %v", msgs)
	}
}

func TestOutboxWaitReturnsExisting(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	send(t, f.outbox, Message{To: "a", Body: "1"})
	send(t, f.outbox, Message{To: "b", Body: "2"})
	send(t, f.outbox, Message{To: "a", Body: "3"})
	m, err := f.outbox.Wait(ctx, Filter{To: "a"}, "")
	if err != nil || m.Body != "1" {
		t.Fatalf("Wait from the start = %+v, %v", m, err)
	}
	m, err = f.outbox.Wait(ctx, Filter{To: "a"}, m.ID)
	if err != nil || m.Body != "3" {
		t.Fatalf("Wait after the first = %+v, %v", m, err)
	}
}

// waitingHook makes Wait signal each time it is about to block.
func waitingHook(o *Outbox) <-chan struct{} {
	ch := make(chan struct{}, 16)
	o.onWait = func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return ch
}

func TestOutboxWaitBlocksUntilSend(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	o := f.outbox
	o.PollInterval = time.Hour // only the in-process notification can wake it
	send(t, o, Message{To: "+79990000001", Body: "before"})
	before, _ := o.List(ctx, Filter{})
	blocked := waitingHook(o)

	type result struct {
		m   Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := o.Wait(ctx, Filter{To: "+79990000001", Kind: KindLoginCode}, before[0].ID)
		done <- result{m, err}
	}()
	<-blocked
	send(t, o, Message{To: "+79990000002", Kind: KindLoginCode, Body: "other phone"})
	<-blocked // woken, found nothing matching, blocked again
	send(t, o, Message{To: "+79990000001", Kind: KindLoginCode, Body: "wanted", Code: "123456"})
	r := <-done
	if r.err != nil || r.m.Body != "wanted" || r.m.Code != "123456" {
		t.Fatalf("Wait = %+v, %v", r.m, r.err)
	}
}

func TestOutboxWaitSeesOtherReplica(t *testing.T) {
	f := newFixture(t, Config{})
	reader := &Outbox{Docs: f.store, Now: f.clock.Now, PollInterval: time.Millisecond}
	writer := &Outbox{Docs: f.store, Now: f.clock.Now} // another replica: its Send cannot notify reader
	blocked := waitingHook(reader)
	done := make(chan Message, 1)
	go func() {
		m, err := reader.Wait(context.Background(), Filter{}, "")
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	<-blocked
	send(t, writer, Message{To: "x", Body: "from elsewhere"})
	if m := <-done; m.Body != "from elsewhere" {
		t.Fatalf("Wait = %+v", m)
	}
}

func TestOutboxWaitHonoursContext(t *testing.T) {
	f := newFixture(t, Config{})
	f.outbox.PollInterval = time.Hour
	blocked := waitingHook(f.outbox)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.outbox.Wait(ctx, Filter{To: "nobody"}, "")
		done <- err
	}()
	<-blocked
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait after cancel = %v", err)
	}
	// An already-ended context returns at once.
	if _, err := f.outbox.Wait(ctx, Filter{To: "nobody"}, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with ended ctx = %v", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLockNotice(t *testing.T) {
	m := LockNotice(ChannelSMS, "+79990000001", time.Date(2026, 1, 15, 10, 15, 0, 0, time.UTC), false)
	if m.Kind != KindLockNotice || m.To != "+79990000001" || !strings.Contains(m.Body, "15.01.2026 в 13:15") {
		t.Fatalf("notice = %+v", m)
	}
	if p := LockNotice(ChannelEmail, "a@b.ru", time.Time{}, true); p.Subject == "" || strings.Contains(p.Body, "автоматически") {
		t.Fatalf("permanent notice = %+v", p)
	}
}

// TestOutboxByRecipient: listing by address reads only that address's messages, addresses
// that are prefixes of one another (or hold a slash) do not meet, and Clear empties both
// collections.
func TestOutboxByRecipient(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	o := f.outbox
	for _, to := range []string{"a", "a/b@x.ru", "+7999000000", "+79990000001", "a"} {
		send(t, o, Message{Channel: ChannelEmail, To: to, Body: to})
	}
	for to, want := range map[string]int{"a": 2, "a/b@x.ru": 1, "+7999000000": 1, "+79990000001": 1, "a/": 0, "+7": 0} {
		msgs, err := o.List(ctx, Filter{To: to})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != want {
			t.Errorf("List(To: %q) = %d messages, want %d", to, len(msgs), want)
		}
		for _, m := range msgs {
			if m.To != to {
				t.Errorf("List(To: %q) gave a message to %q", to, m.To)
			}
		}
	}
	if err := o.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	for _, coll := range []string{OutboxCollection, OutboxByRecipient} {
		if raws, err := f.store.ListDocsRaw(ctx, coll, "", time.Time{}); err != nil || len(raws) != 0 {
			t.Errorf("after Clear %q holds %d documents, %v", coll, len(raws), err)
		}
	}
}
