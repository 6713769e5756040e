package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMalformedHash is wrapped by every error about a stored hash that cannot be parsed.
var ErrMalformedHash = errors.New("password: malformed argon2id hash")

// algorithm is the only PHC identifier this package reads and writes.
const algorithm = "argon2id"

var b64 = base64.RawStdEncoding.Strict()

// PHC is a decoded argon2id PHC string. Params.SaltLen and Params.KeyLen equal len(Salt)
// and len(Key).
type PHC struct {
	Params Params
	Salt   []byte
	Key    []byte
}

// String encodes h as $argon2id$v=19$m=…,t=…,p=…$salt$key.
func (h PHC) String() string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", algorithm, argon2.Version,
		h.Params.Memory, h.Params.Iterations, h.Params.Parallelism,
		b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// Parse decodes an argon2id PHC string. It is strict: only the form String produces is
// accepted (version 19, parameters m, t, p in that order, canonical decimals, unpadded
// canonical base64), so Parse(s).String() == s for every accepted s. Parameters outside
// Params.Validate's bounds are rejected. Errors wrap ErrMalformedHash.
func Parse(encoded string) (PHC, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return PHC{}, fmt.Errorf("%w: want 5 '$'-separated fields", ErrMalformedHash)
	}
	if parts[1] != algorithm {
		return PHC{}, fmt.Errorf("%w: algorithm %q, want %q", ErrMalformedHash, parts[1], algorithm)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return PHC{}, fmt.Errorf("%w: version %q, want v=%d", ErrMalformedHash, parts[2], argon2.Version)
	}
	var p Params
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return PHC{}, fmt.Errorf("%w: parameters %q, want m=…,t=…,p=…", ErrMalformedHash, parts[3])
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return PHC{}, fmt.Errorf("%w: parameter %d is %q, want %s=…", ErrMalformedHash, i+1, kv[i], name)
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		n, err := parseDecimal(v, bits)
		if err != nil {
			return PHC{}, fmt.Errorf("%w: parameter %s: %w", ErrMalformedHash, name, err)
		}
		switch name {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			p.Parallelism = uint8(n)
		}
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return PHC{}, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return PHC{}, fmt.Errorf("%w: key: %w", ErrMalformedHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.Validate(); err != nil {
		return PHC{}, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return PHC{Params: p, Salt: salt, Key: key}, nil
}

// parseDecimal accepts only canonical unsigned decimals: no sign, no leading zeros.
func parseDecimal(s string, bits int) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || s[0] == '+' {
		return 0, fmt.Errorf("not a canonical decimal: %q", s)
	}
	return strconv.ParseUint(s, 10, bits)
}
