package expiry

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

// Never is the envelope expiry of a value without one.
const Never = 0

// Nanos encodes t for the envelope: Never for the zero time, otherwise Unix
// nanoseconds clamped to [1, MaxInt64], so that every real time compares after the zero time.
func Nanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return Never
	case t.Before(time.Unix(0, 1)):
		return 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Header is the 8-byte envelope header for expiry t.
func Header(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(Nanos(t)))
}

// Encode returns a new envelope holding val until exp.
func Encode(val []byte, exp time.Time) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(val)), uint64(Nanos(exp)))
	return append(b, val...)
}

// Live reports whether env, at least 8 bytes long, is live at now (an Nanos).
func Live(env []byte, now int64) bool {
	exp := int64(binary.BigEndian.Uint64(env))
	return exp == Never || exp > now
}

// Decode returns the data of key's envelope, sharing env's memory, or
// storage.ErrNotFound if it is not live at now (an Nanos).
func Decode(key string, env []byte, now int64) ([]byte, error) {
	if len(env) < 8 {
		return nil, fmt.Errorf("kv: value of %q: short envelope", key)
	}
	if !Live(env, now) {
		return nil, storage.ErrNotFound
	}
	return env[8:], nil
}
