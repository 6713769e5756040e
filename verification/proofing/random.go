package proofing

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
)

// RandReader is r, or crypto/rand when r is nil (the Rand fields of registry and confirm).
func RandReader(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// RandomHex is n random bytes from r (crypto/rand when nil), hex-encoded: ids of registry
// checks, letter and challenge nonces.
func RandomHex(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(RandReader(r), b); err != nil {
		return "", fmt.Errorf("proofing: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
