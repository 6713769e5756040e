package password

import (
	"errors"
	"fmt"
)

// ErrInvalidParams is wrapped by every error about unusable argon2id parameters.
var ErrInvalidParams = errors.New("password: invalid argon2id parameters")

// Params are argon2id cost parameters.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32 // passes over memory (t)
	Parallelism uint8  // lanes (p)
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes
}

// DefaultParams is OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
var DefaultParams = Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// TestParams is a cheap preset (64 KiB, 1 iteration) for tests; never use it in production.
var TestParams = Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// Bounds accepted by Validate, and therefore by Parse: a stored hash cannot make a
// verification allocate more than MaxMemory KiB or run more than MaxIterations passes.
const (
	MaxMemory     = 1 << 20 // KiB (1 GiB)
	MaxIterations = 100
	MinSaltLen    = 8
	MaxSaltLen    = 64
	MinKeyLen     = 16
	MaxKeyLen     = 64
)

// Validate reports whether p can be used for hashing; the error wraps ErrInvalidParams.
func (p Params) Validate() error {
	switch {
	case p.Parallelism < 1:
		return fmt.Errorf("%w: parallelism %d < 1", ErrInvalidParams, p.Parallelism)
	case p.Iterations < 1 || p.Iterations > MaxIterations:
		return fmt.Errorf("%w: iterations %d not in [1, %d]", ErrInvalidParams, p.Iterations, MaxIterations)
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > MaxMemory:
		return fmt.Errorf("%w: memory %d KiB not in [8*p=%d, %d]", ErrInvalidParams, p.Memory, 8*uint32(p.Parallelism), MaxMemory)
	case p.SaltLen < MinSaltLen || p.SaltLen > MaxSaltLen:
		return fmt.Errorf("%w: salt length %d not in [%d, %d]", ErrInvalidParams, p.SaltLen, MinSaltLen, MaxSaltLen)
	case p.KeyLen < MinKeyLen || p.KeyLen > MaxKeyLen:
		return fmt.Errorf("%w: key length %d not in [%d, %d]", ErrInvalidParams, p.KeyLen, MinKeyLen, MaxKeyLen)
	}
	return nil
}
