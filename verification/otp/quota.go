package otp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// QuotaCollection holds the send times of the last hour of codes to new addresses, per
// client address and in total.
const QuotaCollection = "otp-quota"

// Default caps of a Quota: codes to new addresses in any 60 minutes.
const (
	DefaultPerOrigin = 40  // from one client address
	DefaultTotal     = 500 // from everyone
)

// Quota caps the codes sent to addresses the emulator does not yet trust — registration,
// confirming a new phone or e-mail, password recovery — on top of Config.MaxPerHour's cap
// per address: a visitor sending one code to each of many numbers (SMS pumping, which costs
// money when a real gateway delivers them) stops at PerOrigin codes an hour from one client
// address, and everyone together at Total.
type Quota struct {
	Docs storage.Docs
	// PerOrigin and Total are the caps in any 60 minutes; 0 takes the default, negative means
	// no cap.
	PerOrigin, Total int
}

// QuotaError: the quota is spent; Scope is "origin" (this client address) or "total".
type QuotaError struct {
	Scope   string
	RetryAt time.Time
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("otp: too many codes to new addresses (%s), next at %s", e.Scope, e.RetryAt.UTC().Format(time.RFC3339))
}

// take spends one slot of origin's and of the total quota at now.
func (q *Quota) take(ctx context.Context, origin string, now time.Time) error {
	if q == nil {
		return nil
	}
	per, total := q.PerOrigin, q.Total
	if per == 0 {
		per = DefaultPerOrigin
	}
	if total == 0 {
		total = DefaultTotal
	}
	if per > 0 && origin != "" {
		if err := slot(ctx, q.Docs, QuotaCollection, "origin:"+origin, per, now); err != nil {
			return quotaErr("origin", err)
		}
	}
	if total > 0 {
		if err := slot(ctx, q.Docs, QuotaCollection, "total", total, now); err != nil {
			return quotaErr("total", err)
		}
	}
	return nil
}

func quotaErr(scope string, err error) error {
	var rl *RateLimitedError
	if errors.As(err, &rl) {
		return &QuotaError{Scope: scope, RetryAt: rl.RetryAt}
	}
	return err
}

// slot takes one of max slots of id's sliding 60-minute window (the send times, updated
// atomically), or answers *RateLimitedError.
func slot(ctx context.Context, d storage.Docs, coll, id string, max int, now time.Time) error {
	var limited error
	_, err := upsert(ctx, d, coll, id, now, func(old rateRecord, _ bool) (rateRecord, time.Time, error) {
		limited = nil
		from := now.Add(-time.Hour)
		kept := make([]time.Time, 0, len(old.Sent)+1)
		for _, t := range old.Sent {
			if t.After(from) {
				kept = append(kept, t)
			}
		}
		if len(kept) >= max {
			limited = &RateLimitedError{RetryAt: kept[len(kept)-max].Add(time.Hour)}
			return old, time.Time{}, limited
		}
		kept = append(kept, now)
		return rateRecord{Sent: kept}, now.Add(time.Hour), nil
	})
	if err != nil {
		if limited != nil && errors.Is(err, limited) {
			return limited
		}
		return fmt.Errorf("otp: rate limit: %w", err)
	}
	return nil
}
