package kv_test

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
)

func TestExpiryNanos(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		t    time.Time
		want int64
	}{
		{"zero: never", time.Time{}, kv.NeverExpires},
		{"before the epoch", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"the epoch", time.Unix(0, 0), 1},
		{"ordinary", now, now.UnixNano()},
		{"beyond int64", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
	} {
		if got := kv.ExpiryNanos(c.t); got != c.want {
			t.Errorf("%s: ExpiryNanos = %d, want %d", c.name, got, c.want)
		}
	}
	// Headers order like the instants (the Redis Incr script compares them as strings).
	ts := []time.Time{time.Unix(0, 1), now, now.Add(time.Nanosecond), now.Add(time.Hour), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 1; i < len(ts); i++ {
		if bytes.Compare(kv.EnvelopeHeader(ts[i-1]), kv.EnvelopeHeader(ts[i])) >= 0 {
			t.Errorf("header of %v does not sort before header of %v", ts[i-1], ts[i])
		}
	}
}

func TestDecodeEnvelope(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	n := kv.ExpiryNanos(now)
	for _, c := range []struct {
		name    string
		env     []byte
		want    string
		wantErr error
	}{
		{"no expiry", kv.EncodeEnvelope([]byte("v"), time.Time{}), "v", nil},
		{"later", kv.EncodeEnvelope([]byte("v"), now.Add(time.Nanosecond)), "v", nil},
		{"expiring now", kv.EncodeEnvelope([]byte("v"), now), "", storage.ErrNotFound},
		{"empty data", kv.EncodeEnvelope(nil, time.Time{}), "", nil},
	} {
		got, err := kv.DecodeEnvelope("k", c.env, n)
		if !errors.Is(err, c.wantErr) || (err == nil && string(got) != c.want) {
			t.Errorf("%s: DecodeEnvelope = %q, %v; want %q, %v", c.name, got, err, c.want, c.wantErr)
		}
	}
	if _, err := kv.DecodeEnvelope("k", []byte{1, 2, 3}, n); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("short envelope: %v, want a corruption error", err)
	}
}
