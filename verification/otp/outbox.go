package otp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// OutboxCollection is the storage.Docs collection holding outbox messages.
const OutboxCollection = "outbox"

// OutboxByRecipient is the storage.Docs collection holding a copy of every message under
// "<escaped To>/<ID>", so that listing one address's messages (what a test waiting for its
// SMS does, on every message sent) reads only that address's messages.
const OutboxByRecipient = "outbox-to"

// recipientPrefix is the OutboxByRecipient id prefix of the messages to an address; the
// address is path-escaped so that no address's prefix is another's.
func recipientPrefix(to string) string { return url.PathEscape(to) + "/" }

// Defaults of an Outbox.
const (
	DefaultOutboxTTL    = 24 * time.Hour
	DefaultPollInterval = 500 * time.Millisecond
)

// Outbox is the emulator's default Sender: it keeps every message in storage.Docs, where a
// developer (the outbox page), a test (the JSON API) or another replica sharing the store can
// read it. Message ids are the creation time in zero-padded unix nanoseconds and a random
// suffix, so they sort by time; within one process they are strictly increasing even when the
// injected clock stands still.
//
// An Outbox must not be copied after first use. The zero value needs Docs set; NewOutbox
// fills the rest.
type Outbox struct {
	Docs storage.Docs
	// Now is the clock (nil: time.Now). Rand supplies the id suffix (nil: crypto/rand); it
	// is read from many goroutines at once, so it must be safe for concurrent use (a seeded
	// *rand.ChaCha8 is not: wrap it in a mutex).
	Now  func() time.Time
	Rand io.Reader
	// TTL is how long a message is kept (0: DefaultOutboxTTL, negative: forever).
	TTL time.Duration
	// PollInterval is how often Wait re-reads the store to see messages that another
	// replica sent (0: DefaultPollInterval). Messages sent through this Outbox wake waiters
	// at once.
	PollInterval time.Duration

	mu      sync.Mutex
	lastTS  int64
	changed chan struct{} // closed and replaced on every Send
	onWait  func()        // test hook: called each time Wait is about to block
}

var _ Sender = (*Outbox)(nil)

// NewOutbox returns an outbox over d with the real clock and crypto/rand.
func NewOutbox(d storage.Docs) *Outbox { return &Outbox{Docs: d} }

// Filter selects outbox messages; zero fields match everything.
type Filter struct {
	To      string
	Channel string
	Kind    string
	// Since keeps messages created at or after it.
	Since time.Time
	// Limit keeps only the newest Limit matches (0: all).
	Limit int
}

func (f Filter) match(m Message) bool {
	return (f.To == "" || m.To == f.To) &&
		(f.Channel == "" || m.Channel == f.Channel) &&
		(f.Kind == "" || m.Kind == f.Kind) &&
		(f.Since.IsZero() || !m.CreatedAt.Before(f.Since))
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Outbox) rand() io.Reader {
	if o.Rand != nil {
		return o.Rand
	}
	return rand.Reader
}

// newID returns an id later than every id this outbox issued before.
func (o *Outbox) newID(now time.Time) (string, error) {
	var suffix [6]byte
	if _, err := io.ReadFull(o.rand(), suffix[:]); err != nil {
		return "", fmt.Errorf("otp: outbox id: %w", err)
	}
	ts := max(now.UnixNano(), 0)
	o.mu.Lock()
	if ts <= o.lastTS {
		ts = o.lastTS + 1
	}
	o.lastTS = ts
	o.mu.Unlock()
	return fmt.Sprintf("%020d-%s", ts, hex.EncodeToString(suffix[:])), nil
}

// Send stores m with a new ID (CreatedAt is set from the clock when zero) and wakes waiters.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	now := o.now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	id, err := o.newID(m.CreatedAt)
	if err != nil {
		return err
	}
	m.ID = id
	var exp time.Time
	switch {
	case o.TTL == 0:
		exp = now.Add(DefaultOutboxTTL)
	case o.TTL > 0:
		exp = now.Add(o.TTL)
	}
	if err := storage.CreateDoc(ctx, o.Docs, OutboxCollection, id, m, exp, now); err != nil {
		return fmt.Errorf("otp: outbox: %w", err)
	}
	if err := storage.CreateDoc(ctx, o.Docs, OutboxByRecipient, recipientPrefix(m.To)+id, m, exp, now); err != nil {
		// Keep the two collections in step: a message is listed by every filter or by none.
		_ = o.Docs.DeleteDoc(ctx, OutboxCollection, id)
		return fmt.Errorf("otp: outbox: %w", err)
	}
	o.broadcast()
	return nil
}

// List returns the matching messages, oldest first (newest last).
func (o *Outbox) List(ctx context.Context, f Filter) ([]Message, error) {
	return o.list(ctx, f, "")
}

func (o *Outbox) list(ctx context.Context, f Filter, after string) ([]Message, error) {
	coll, prefix := OutboxCollection, ""
	if f.To != "" {
		coll, prefix = OutboxByRecipient, recipientPrefix(f.To)
	}
	all, err := storage.ListDocs[Message](ctx, o.Docs, coll, prefix, o.now())
	if err != nil {
		return nil, fmt.Errorf("otp: outbox: %w", err)
	}
	out := make([]Message, 0, len(all))
	for _, m := range all {
		if m.ID > after && f.match(m) {
			out = append(out, m)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out, nil
}

// Wait returns the oldest message matching f whose ID sorts after the given id ("" matches
// every message, so pass the ID of the newest message already seen to wait for the next
// one). It blocks until such a message is stored or ctx ends (then it returns ctx.Err()).
// Messages sent through this Outbox wake it at once; messages stored by another replica are
// seen by re-reading the store every PollInterval.
func (o *Outbox) Wait(ctx context.Context, f Filter, after string) (Message, error) {
	f.Limit = 0
	poll := o.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	var ticker *time.Ticker
	for {
		changed := o.subscribe() // before reading, so a Send in between is not missed
		msgs, err := o.list(ctx, f, after)
		if err != nil {
			return Message{}, err
		}
		if len(msgs) > 0 {
			return msgs[0], nil
		}
		if err := ctx.Err(); err != nil {
			return Message{}, err
		}
		if ticker == nil {
			ticker = time.NewTicker(poll)
			defer ticker.Stop()
		}
		if o.onWait != nil {
			o.onWait()
		}
		select {
		case <-changed:
		case <-ticker.C:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// Clear deletes every message.
func (o *Outbox) Clear(ctx context.Context) error {
	var errs []error
	for _, coll := range []string{OutboxCollection, OutboxByRecipient} {
		raws, err := o.Docs.ListDocsRaw(ctx, coll, "", time.Time{})
		if err != nil {
			return fmt.Errorf("otp: outbox: %w", err)
		}
		for _, r := range raws {
			if err := o.Docs.DeleteDoc(ctx, coll, r.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("otp: outbox clear: %w", err)
	}
	return nil
}

func (o *Outbox) subscribe() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.changed == nil {
		o.changed = make(chan struct{})
	}
	return o.changed
}

func (o *Outbox) broadcast() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.changed != nil {
		close(o.changed)
		o.changed = nil
	}
}
