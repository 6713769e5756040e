package proofing

import (
	"errors"
	"testing"

	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

func TestMessages(t *testing.T) {
	for _, m := range messages {
		if Message(m.err) != m.ru || m.ru == "" {
			t.Errorf("Message(%v) = %q", m.err, Message(m.err))
		}
	}
	// Specific before general: a checksum error wraps both sentinels.
	_, err := ident.NormalizeSNILS("112-233-445 96")
	if Message(err) != messages[0].ru {
		t.Errorf("checksum message: %q", Message(err))
	}
	if Message(errors.New("other")) != "" || Message(nil) != "" {
		t.Error("unknown errors have no message")
	}
}
