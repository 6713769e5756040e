package kv

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// The envelope is how the persistent engines (storage/bolt, storage/redis) store a value with
// its expiry: an 8-byte big-endian expiry in Unix nanoseconds (0: never), then the data.
// Expiries compare as these 8-byte strings in the same order as the numbers (Redis's Incr
// script relies on it).

// NeverExpires is the envelope expiry of a value without one.
const NeverExpires = 0

// ExpiryNanos encodes t for the envelope: NeverExpires for the zero time, otherwise Unix
// nanoseconds clamped to [1, MaxInt64], so that every real time compares after the zero time.
func ExpiryNanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return NeverExpires
	case t.Before(time.Unix(0, 1)):
		return 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// EnvelopeHeader is the 8-byte envelope header for expiry t.
func EnvelopeHeader(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(ExpiryNanos(t)))
}

// EncodeEnvelope returns a new envelope holding val until exp.
func EncodeEnvelope(val []byte, exp time.Time) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(val)), uint64(ExpiryNanos(exp)))
	return append(b, val...)
}

// EnvelopeLive reports whether env, at least 8 bytes long, is live at now (an ExpiryNanos).
func EnvelopeLive(env []byte, now int64) bool {
	exp := int64(binary.BigEndian.Uint64(env))
	return exp == NeverExpires || exp > now
}

// DecodeEnvelope returns the data of key's envelope, sharing env's memory, or
// storage.ErrNotFound if it is not live at now (an ExpiryNanos).
func DecodeEnvelope(key string, env []byte, now int64) ([]byte, error) {
	if len(env) < 8 {
		return nil, fmt.Errorf("kv: value of %q: short envelope", key)
	}
	if !EnvelopeLive(env, now) {
		return nil, storage.ErrNotFound
	}
	return env[8:], nil
}
