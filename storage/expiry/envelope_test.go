package expiry_test

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/expiry"
)

func TestNanos(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		t    time.Time
		want int64
	}{
		{"zero: never", time.Time{}, expiry.Never},
		{"before the epoch", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"the epoch", time.Unix(0, 0), 1},
		{"ordinary", now, now.UnixNano()},
		{"beyond int64", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
	} {
		if got := expiry.Nanos(c.t); got != c.want {
			t.Errorf("%s: Nanos = %d, want %d", c.name, got, c.want)
		}
	}
	// Headers order like the instants (the Redis Incr script compares them as strings).
	ts := []time.Time{time.Unix(0, 1), now, now.Add(time.Nanosecond), now.Add(time.Hour), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 1; i < len(ts); i++ {
		if bytes.Compare(expiry.Header(ts[i-1]), expiry.Header(ts[i])) >= 0 {
			t.Errorf("header of %v does not sort before header of %v", ts[i-1], ts[i])
		}
	}
}

func TestDecode(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	n := expiry.Nanos(now)
	for _, c := range []struct {
		name    string
		env     []byte
		want    string
		wantErr error
	}{
		{"no expiry", expiry.Encode([]byte("v"), time.Time{}), "v", nil},
		{"later", expiry.Encode([]byte("v"), now.Add(time.Nanosecond)), "v", nil},
		{"expiring now", expiry.Encode([]byte("v"), now), "", storage.ErrNotFound},
		{"empty data", expiry.Encode(nil, time.Time{}), "", nil},
	} {
		got, err := expiry.Decode("k", c.env, n)
		if !errors.Is(err, c.wantErr) || (err == nil && string(got) != c.want) {
			t.Errorf("%s: Decode = %q, %v; want %q, %v", c.name, got, err, c.want, c.wantErr)
		}
	}
	if _, err := expiry.Decode("k", []byte{1, 2, 3}, n); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Errorf("short envelope: %v, want a corruption error", err)
	}
}
