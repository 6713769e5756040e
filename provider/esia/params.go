package esia

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
)

// checkWindow reports whether t lies within window of now.
func checkWindow(t, now time.Time, window time.Duration) error {
	if d := now.Sub(t); d > window {
		return fmt.Errorf("timestamp %s is %s old (window %s)", t.Format(clientsecret.TimestampLayout), d.Round(time.Second), window)
	} else if -d > window {
		return fmt.Errorf("timestamp %s is %s in the future (window %s)", t.Format(clientsecret.TimestampLayout), (-d).Round(time.Second), window)
	}
	return nil
}

// isUUID reports whether s is a UUID in its textual 8-4-4-4-12 form (any version, any case).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// newUUID returns a random (version 4) UUID from b (16 random bytes).
func newUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&0x0f])
	}
	return string(out)
}

// newSID returns urn:esia:sid: a random UUID for each code and each token pair (shared by
// the access token and the id_token of one answer). It also keeps two tokens issued in the
// same second for the same citizen apart, since ESIA's tokens carry no jti.
func (d *Dialect) newSID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(d.rand, b[:]); err != nil {
		return "", err
	}
	return newUUID(b), nil
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
