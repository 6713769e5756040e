package otp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Recovery codes: DefaultRecoveryCodes single-use codes of RecoveryCodeLen characters from
// Crockford's base32 alphabet (60 bits each), shown as "xxxx-xxxx-xxxx".
const (
	DefaultRecoveryCodes = 10
	RecoveryCodeLen      = 12
	recoveryAlphabet     = "0123456789abcdefghjkmnpqrstvwxyz"
	recoveryHashPrefix   = "esia-emulator/recovery-code/v1:"
)

// NewRecoveryCodes makes n recovery codes (n ≤ 0: DefaultRecoveryCodes) from r (nil:
// crypto/rand). It returns the codes to show the citizen once and
// their hashes to store. The hash is a plain SHA-256 (hex): each code carries 60 random
// bits, so unlike a password it needs no slow, salted hash — guessing one from its hash
// means searching 2^60 candidates.
func NewRecoveryCodes(r io.Reader, n int) (plain, hashes []string, err error) {
	if r == nil {
		r = rand.Reader
	}
	if n <= 0 {
		n = DefaultRecoveryCodes
	}
	buf := make([]byte, RecoveryCodeLen)
	for range n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, nil, fmt.Errorf("otp: recovery codes: %w", err)
		}
		raw := make([]byte, RecoveryCodeLen)
		for i, b := range buf {
			raw[i] = recoveryAlphabet[b&31] // 256 is a multiple of 32: uniform
		}
		code := formatRecovery(string(raw))
		plain = append(plain, code)
		hashes = append(hashes, hashRecovery(string(raw)))
	}
	return plain, hashes, nil
}

// NormalizeRecoveryCode turns what a citizen typed into the canonical "xxxx-xxxx-xxxx":
// case, spaces and dashes are ignored, and the look-alikes o→0, i and l→1 are folded as in
// Crockford's base32. ok is false when the rest is not RecoveryCodeLen alphabet characters.
func NormalizeRecoveryCode(s string) (code string, ok bool) {
	raw, ok := normalizeRecoveryRaw(s)
	if !ok {
		return "", false
	}
	return formatRecovery(raw), true
}

// HashRecoveryCode returns the stored form of a typed recovery code, or ok false when the
// input cannot be a recovery code.
func HashRecoveryCode(s string) (hash string, ok bool) {
	raw, ok := normalizeRecoveryRaw(s)
	if !ok {
		return "", false
	}
	return hashRecovery(raw), true
}

// UseRecoveryCode looks the typed code up among the stored hashes. When it matches one, ok is
// true and remaining is the list without it (store it in place of the old one, atomically
// with the check: call this inside the account's update so a code is spent once). Every
// candidate is compared in constant time. A malformed code matches nothing.
func UseRecoveryCode(hashes []string, code string) (remaining []string, ok bool) {
	h, valid := HashRecoveryCode(code)
	if !valid {
		return hashes, false
	}
	at := -1
	for i, stored := range hashes {
		if subtle.ConstantTimeCompare([]byte(stored), []byte(h)) == 1 && at < 0 {
			at = i
		}
	}
	if at < 0 {
		return hashes, false
	}
	remaining = make([]string, 0, len(hashes)-1)
	remaining = append(remaining, hashes[:at]...)
	return append(remaining, hashes[at+1:]...), true
}

func normalizeRecoveryRaw(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		switch r {
		case ' ', '-', '\t', '\u00a0':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		if r > 0x7f || !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != RecoveryCodeLen {
		return "", false
	}
	return b.String(), true
}

func formatRecovery(raw string) string {
	return raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12]
}

func hashRecovery(raw string) string {
	sum := sha256.Sum256([]byte(recoveryHashPrefix + raw))
	return hex.EncodeToString(sum[:])
}
