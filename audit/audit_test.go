package audit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newLog() (*Log, *clock) {
	c := &clock{now: t0}
	return &Log{Docs: memory.New(), Now: c.Now}, c
}

func types(evs []Event) []Type {
	out := make([]Type, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// recorder returns a function that records ev at t0+d.
func recorder(t *testing.T, l *Log, c *clock) func(d time.Duration, ev Event) {
	return func(d time.Duration, ev Event) {
		t.Helper()
		c.now = t0.Add(d)
		if err := l.Record(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func seed(t *testing.T) *Log {
	t.Helper()
	l, c := newLog()
	add := recorder(t, l, c)
	add(0, Event{Type: LoginFailed, UserID: "1", IP: "10.0.0.1", Details: map[string]string{"reason": "password"}})
	add(time.Minute, Event{Type: Login, UserID: "1", SessionID: "s1", IP: "10.0.0.1", UserAgent: "UA"})
	add(2*time.Minute, Event{Type: ConsentGiven, UserID: "1", ClientID: "sfr", SessionID: "s1", Details: map[string]string{"scopes": "fullname snils"}})
	add(3*time.Minute, Event{Type: Login, UserID: "2", SessionID: "s2"})
	add(4*time.Minute, Event{Type: ConsentGiven, UserID: "2", ClientID: "fri", SessionID: "s2"})
	add(time.Hour, Event{Type: ConsentWithdrawn, UserID: "1", ClientID: "sfr"})
	add(25*time.Hour, Event{Type: Logout, UserID: "1", SessionID: "s1"})
	return l
}

func TestQuery(t *testing.T) {
	l := seed(t)
	ctx := context.Background()
	tests := []struct {
		name string
		f    Filter
		want []Type
	}{
		{"everything, newest first", Filter{}, []Type{Logout, ConsentWithdrawn, ConsentGiven, Login, ConsentGiven, Login, LoginFailed}},
		{"oldest first", Filter{Ascending: true}, []Type{LoginFailed, Login, ConsentGiven, Login, ConsentGiven, ConsentWithdrawn, Logout}},
		{"by citizen", Filter{UserID: "2"}, []Type{ConsentGiven, Login}},
		{"by client", Filter{ClientID: "sfr"}, []Type{ConsentWithdrawn, ConsentGiven}},
		{"by session", Filter{SessionID: "s1"}, []Type{Logout, ConsentGiven, Login}},
		{"by type", Filter{Types: []Type{Login}}, []Type{Login, Login}},
		{"login history", Filter{UserID: "1", Types: []Type{Login, LoginFailed, Logout}}, []Type{Logout, Login, LoginFailed}},
		{"citizen and client", Filter{UserID: "1", ClientID: "sfr", Types: []Type{ConsentWithdrawn}}, []Type{ConsentWithdrawn}},
		{"from inclusive", Filter{From: t0.Add(3 * time.Minute)}, []Type{Logout, ConsentWithdrawn, ConsentGiven, Login}},
		{"to exclusive", Filter{To: t0.Add(2 * time.Minute)}, []Type{Login, LoginFailed}},
		{"range", Filter{From: t0.Add(time.Minute), To: t0.Add(4 * time.Minute)}, []Type{Login, ConsentGiven, Login}},
		{"range over a day", Filter{From: t0.Add(30 * time.Minute), To: t0.Add(48 * time.Hour)}, []Type{Logout, ConsentWithdrawn}},
		{"one-nanosecond range", Filter{From: t0.Add(time.Hour), To: t0.Add(time.Hour + 1)}, []Type{ConsentWithdrawn}},
		{"empty range", Filter{From: t0.Add(5 * time.Minute), To: t0.Add(59 * time.Minute)}, []Type{}},
		{"inverted range", Filter{From: t0.Add(time.Hour), To: t0}, []Type{}},
		{"limit newest", Filter{Limit: 2}, []Type{Logout, ConsentWithdrawn}},
		{"limit oldest", Filter{Limit: 2, Ascending: true}, []Type{LoginFailed, Login}},
		{"limit after filter", Filter{UserID: "1", Limit: 1, Types: []Type{Login, LoginFailed}}, []Type{Login}},
		{"no match", Filter{UserID: "3"}, []Type{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := l.Query(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := types(evs); !slices.Equal(got, tt.want) {
				t.Errorf("Query = %q, want %q", got, tt.want)
			}
			for _, e := range evs {
				if (!tt.f.From.IsZero() && e.Time.Before(tt.f.From)) || (!tt.f.To.IsZero() && !e.Time.Before(tt.f.To)) {
					t.Errorf("event at %v outside the range", e.Time)
				}
			}
		})
	}
}

func TestRecordFields(t *testing.T) {
	l := seed(t)
	evs, err := l.Query(context.Background(), Filter{Types: []Type{Login}, UserID: "1"})
	if err != nil || len(evs) != 1 {
		t.Fatal(evs, err)
	}
	e := evs[0]
	if e.SessionID != "s1" || e.IP != "10.0.0.1" || e.UserAgent != "UA" || !e.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("event %+v", e)
	}
	if len(e.ID) != 19+1+16 || !strings.HasPrefix(e.ID, timeKey(e.Time)+"-") {
		t.Errorf("id %q", e.ID)
	}
	evs, _ = l.Query(context.Background(), Filter{Types: []Type{ConsentGiven}, ClientID: "sfr"})
	if evs[0].Details["scopes"] != "fullname snils" {
		t.Errorf("details %v", evs[0].Details)
	}
}

func TestRecordKeepsGivenTime(t *testing.T) {
	l, _ := newLog()
	l.Retention = 5 * 365 * 24 * time.Hour // the event is older than the default retention
	at := time.Date(2024, 1, 1, 0, 0, 0, 5, time.FixedZone("MSK", 3*3600))
	if err := l.Record(context.Background(), Event{Type: Unlock, Time: at}); err != nil {
		t.Fatal(err)
	}
	evs, _ := l.Query(context.Background(), Filter{})
	if len(evs) != 1 || !evs[0].Time.Equal(at) || evs[0].Time.Location() != time.UTC {
		t.Errorf("%+v", evs)
	}
	if err := l.Record(context.Background(), Event{Type: Unlock, Time: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("time before 1970 accepted")
	}
}

// sameThenCounting returns the same 8 bytes for the first two reads, then distinct ones.
type sameThenCounting struct{ n byte }

func (r *sameThenCounting) Read(p []byte) (int, error) {
	r.n++
	for i := range p {
		p[i] = 0xAB
	}
	if r.n > 2 {
		p[0] = r.n
	}
	return len(p), nil
}

func TestAppendOnlySameNanosecond(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog() // the clock never moves
	for i := range 3 {
		if err := l.Record(ctx, Event{Type: Login, UserID: "1", Details: map[string]string{"n": string(rune('a' + i))}}); err != nil {
			t.Fatal(err)
		}
	}
	// A random source that repeats: the colliding id is redrawn, nothing is overwritten.
	l.Rand = &sameThenCounting{}
	for _, n := range []string{"x", "y"} {
		if err := l.Record(ctx, Event{Type: Logout, UserID: "1", Details: map[string]string{"n": n}}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := l.Query(ctx, Filter{Ascending: true})
	if err != nil || len(evs) != 5 {
		t.Fatalf("kept %d events: %v", len(evs), err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if !e.Time.Equal(t0) || seen[e.ID] {
			t.Errorf("event %+v", e)
		}
		seen[e.ID] = true
	}
	logouts, _ := l.Query(ctx, Filter{Types: []Type{Logout}})
	if len(logouts) != 2 {
		t.Errorf("logouts %+v", logouts)
	}
	// A source that always repeats gives up instead of overwriting.
	l.Rand = bytes.NewReader(bytes.Repeat([]byte{0xAB}, 8*10))
	if err := l.Record(ctx, Event{Type: Logout}); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("exhausted random: %v", err)
	}
	l.Rand = bytes.NewReader(nil)
	if err := l.Record(ctx, Event{Type: Logout}); !errors.Is(err, io.EOF) {
		t.Errorf("failing random: %v", err)
	}
	if evs, _ := l.Query(ctx, Filter{}); len(evs) != 5 {
		t.Errorf("events after failures: %d", len(evs))
	}
}

func TestNoSecrets(t *testing.T) {
	l, _ := newLog()
	ctx := context.Background()
	for _, k := range []string{"password", "new_password", "code", "OTP", "refresh_token", "token", "client_secret", "Cookie", "hash", "pin"} {
		err := l.Record(ctx, Event{Type: CodeSent, Details: map[string]string{k: "x"}})
		if !errors.Is(err, ErrSecret) {
			t.Errorf("details key %q: %v", k, err)
		}
	}
	for _, k := range []string{"channel", "reason", "scopes", "until", "code_id", "amr"} {
		if err := l.Record(ctx, Event{Type: CodeSent, Details: map[string]string{k: "x"}}); err != nil {
			t.Errorf("details key %q refused: %v", k, err)
		}
	}
	if err := l.Record(ctx, Event{}); err == nil {
		t.Error("event without type accepted")
	}
}

func TestDefaults(t *testing.T) {
	l := &Log{Docs: memory.New()}
	before := time.Now()
	if err := l.Record(context.Background(), Event{Type: Login}); err != nil {
		t.Fatal(err)
	}
	evs, err := l.Query(context.Background(), Filter{})
	if err != nil || len(evs) != 1 || evs[0].Time.Before(before.Add(-time.Second)) {
		t.Errorf("%+v %v", evs, err)
	}
}

type downDocs struct{ storage.Docs }

func (downDocs) ListDocsRaw(context.Context, string, string, time.Time) ([]storage.RawDoc, error) {
	return nil, storage.ErrUnavailable
}

func TestQueryError(t *testing.T) {
	l := &Log{Docs: downDocs{memory.New()}}
	if _, err := l.Query(context.Background(), Filter{}); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("err %v", err)
	}
}
