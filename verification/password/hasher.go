package password

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Hasher hashes and verifies passwords. The zero value uses DefaultParams and crypto/rand.
// Params must not change after first use, and a Hasher must not be copied after first use.
type Hasher struct {
	Params Params    // zero means DefaultParams
	Rand   io.Reader // salt source; nil means crypto/rand; must be safe for concurrent use
	// Gate, when set, bounds how many hashes run at once; a hash that finds no slot in time
	// fails with ErrBusy.
	Gate *Gate

	dummyOnce sync.Once
	dummy     string // PHC string VerifyAbsent verifies against
}

// New returns a Hasher with validated params. rnd nil means crypto/rand. The dummy hash
// VerifyAbsent checks against is made on first use (once), not here: start-up stays fast and
// small (the default preset's hash costs ~95 ms and ~19 MiB); only the process's first
// unknown login pays for it.
func New(p Params, rnd io.Reader) (*Hasher, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Hasher{Params: p, Rand: rnd}, nil
}

func (h *Hasher) params() Params {
	if h.Params == (Params{}) {
		return DefaultParams
	}
	return h.Params
}

// Hash returns a PHC-encoded argon2id hash of password with a fresh random salt.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.params()
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	rnd := h.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("password: hash: reading salt: %w", err)
	}
	release, err := h.Gate.Enter()
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	defer release()
	return PHC{Params: p, Salt: salt, Key: derive(password, salt, p)}.String(), nil
}

// Verify reports whether password matches encoded, using the parameters stored in encoded.
// The comparison is constant-time. A malformed encoded yields false and an error wrapping
// ErrMalformedHash; a wrong password yields false and no error; no slot of the Gate in time
// yields false and ErrBusy.
func (h *Hasher) Verify(encoded, password string) (bool, error) {
	phc, err := Parse(encoded)
	if err != nil {
		return false, fmt.Errorf("password: verify: %w", err)
	}
	release, err := h.Gate.Enter()
	if err != nil {
		return false, fmt.Errorf("password: verify: %w", err)
	}
	defer release()
	key := derive(password, phc.Salt, phc.Params)
	return subtle.ConstantTimeCompare(key, phc.Key) == 1, nil
}

// VerifyAbsent does the work of Verify against a fixed dummy hash made with h's params and
// discards the result. Call it when the login names no account, so that answer takes as
// long as a wrong password for an existing account. Its only error is ErrBusy, as Verify's
// would be.
func (h *Hasher) VerifyAbsent(password string) error {
	_, err := h.Verify(h.dummyHash(), password)
	return err
}

// NeedsRehash reports whether encoded should be replaced by a fresh Hash after a successful
// Verify: it is malformed or was made with parameters other than h's.
func (h *Hasher) NeedsRehash(encoded string) bool {
	phc, err := Parse(encoded)
	return err != nil || phc.Params != h.params()
}

func (h *Hasher) dummyHash() string {
	h.dummyOnce.Do(func() {
		p := h.params()
		if p.Validate() != nil {
			p = DefaultParams // Hash fails with these params; stored hashes likely use defaults
		}
		salt := make([]byte, p.SaltLen) // fixed: the dummy is not a secret
		h.dummy = PHC{Params: p, Salt: salt, Key: derive("esia-emulator: no such account", salt, p)}.String()
	})
	return h.dummy
}

func derive(password string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
}
