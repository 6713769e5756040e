package web

import (
	"strings"
	"time"
)

// DateIn reads a date as a citizen types it, ДД.ММ.ГГГГ (the form's format) or ГГГГ-ММ-ДД,
// and returns it as storage keeps it (ГГГГ-ММ-ДД); ok is false when it is neither. "" is "".
func DateIn(s string) (iso string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, layout := range []string{"02.01.2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// DateOut shows a stored ГГГГ-ММ-ДД date as ДД.ММ.ГГГГ (anything else as it is).
func DateOut(iso string) string {
	if t, err := time.Parse("2006-01-02", iso); err == nil {
		return t.Format("02.01.2006")
	}
	return iso
}
