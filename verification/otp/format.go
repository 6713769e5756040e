package otp

import (
	"strings"
	"unicode/utf8"
)

// NormalizeCode strips the spaces and dashes a citizen may type or paste around a numeric
// code ("123 456", "123-456") and reports whether the rest is exactly length ASCII digits.
// It never fails on odd input: a malformed code is returned normalised and ok false.
func NormalizeCode(s string, length int) (code string, ok bool) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '-', '\u00a0':
			continue
		}
		b.WriteRune(r)
	}
	code = b.String()
	if len(code) != length || length <= 0 {
		return code, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return code, false
		}
	}
	return code, true
}

// Mask hides most of an address for display: "+7 (999) ***-**-01" for a phone +7XXXXXXXXXX,
// "i*****@mail.ru" for an e-mail address, and all but the last two characters otherwise.
func Mask(channel, to string) string {
	if channel == ChannelEmail || (channel != ChannelSMS && strings.Contains(to, "@")) {
		if at := strings.LastIndexByte(to, '@'); at > 0 {
			local, domain := to[:at], to[at:]
			first, size := utf8.DecodeRuneInString(local)
			if first == utf8.RuneError && size <= 1 {
				first = '*'
			}
			return string(first) + strings.Repeat("*", max(utf8.RuneCountInString(local)-1, 3)) + domain
		}
	}
	if isRUPhone(to) {
		return "+7 (" + to[2:5] + ") ***-**-" + to[10:]
	}
	n := utf8.RuneCountInString(to)
	if n <= 2 {
		return strings.Repeat("*", n)
	}
	rs := []rune(to)
	return strings.Repeat("*", n-2) + string(rs[n-2:])
}

func isRUPhone(s string) bool {
	if len(s) != 12 || !strings.HasPrefix(s, "+7") {
		return false
	}
	for i := 2; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
