package clientsecret

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2013, 1, 25, 14, 36, 11, 0, time.FixedZone("", 4*3600))
	cases := []struct {
		in       string
		strictOK bool
		lenient  bool
		signed   []string
	}{
		{"2013.01.25 14:36:11 +0400", true, true, []string{"2013.01.25 14:36:11 +0400"}},
		// An unencoded '+' arrives as a space; the client signed the '+'.
		{"2013.01.25 14:36:11  0400", false, true, []string{"2013.01.25 14:36:11  0400", "2013.01.25 14:36:11 +0400"}},
		{"2013.01.25 14:36:11 +04:00", false, true, []string{"2013.01.25 14:36:11 +04:00", "2013.01.25 14:36:11 +0400"}},
		{"2013.01.25T14:36:11 +0400", false, true, nil},
		{" 2013.01.25 14:36:11 +0400 ", false, true, nil},
		{"2013-01-25 14:36:11 +0400", false, false, nil},
		{"2013.01.25 14:36:11", false, false, nil},
		{"2013.1.25 14:36:11 +0400", false, false, nil},
		{"", false, false, nil},
		{"2013.13.25 14:36:11 +0400", false, false, nil},
	}
	for _, c := range cases {
		_, err := ParseTimestamp(c.in, true)
		if (err == nil) != c.strictOK {
			t.Errorf("strict %q: err %v", c.in, err)
		}
		p, err := ParseTimestamp(c.in, false)
		if (err == nil) != c.lenient {
			t.Errorf("lenient %q: err %v", c.in, err)
			continue
		}
		if err != nil {
			continue
		}
		if !p.Time.Equal(want) {
			t.Errorf("%q: time %v", c.in, p.Time)
		}
		if c.in != "2013.01.25 14:36:11 +0400" && len(p.Oddities) == 0 {
			t.Errorf("%q: no oddity reported", c.in)
		}
		if c.signed != nil && strings.Join(p.Signed, "|") != strings.Join(c.signed, "|") {
			t.Errorf("%q: signed spellings %q", c.in, p.Signed)
		}
	}
}

func TestDecodeSecret(t *testing.T) {
	raw := []byte{0xfb, 0xff, 0xfe, 0x01, 0x02} // has + and / in standard base64
	cases := []struct {
		in          string
		strictOK    bool
		lenientOdds bool
	}{
		{base64.RawURLEncoding.EncodeToString(raw), true, false},
		{base64.URLEncoding.EncodeToString(raw), true, false},
		{base64.StdEncoding.EncodeToString(raw), false, true},
		{base64.RawStdEncoding.EncodeToString(raw), false, true},
		{strings.ReplaceAll(base64.StdEncoding.EncodeToString(raw), "+", " "), false, true},
		{base64.StdEncoding.EncodeToString(raw)[:4] + "\r\n" + base64.StdEncoding.EncodeToString(raw)[4:], false, true},
	}
	for _, c := range cases {
		d, err := decodeSecret(c.in, true)
		if (err == nil) != c.strictOK || (err == nil && string(d.Bytes) != string(raw)) {
			t.Errorf("strict %q: %v", c.in, err)
		}
		d, err = decodeSecret(c.in, false)
		if err != nil || string(d.Bytes) != string(raw) {
			t.Errorf("lenient %q: %v %x", c.in, err, d.Bytes)
			continue
		}
		if (len(d.Oddities) > 0) != c.lenientOdds {
			t.Errorf("lenient %q: oddities %q", c.in, d.Oddities)
		}
	}
	for _, bad := range []string{"", "!!!", "ab+c-d", strings.Repeat("A", maxSecretLen+4)} {
		if _, err := decodeSecret(bad, false); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

// FuzzTimestamp: the parser never panics, and what it accepts is a valid time whose
// canonical spelling parses strictly to the same instant.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"2013.01.25 14:36:11 +0400", "2013.01.25 14:36:11  0400", "2013.01.25 14:36:11 +04:00",
		"2013.01.25T14:36:11 +0400", "", " ", "2013.01.25 14:36:11 0400", "9999.12.31 23:59:59 -2359"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, strict := range []bool{true, false} {
			p, err := ParseTimestamp(s, strict)
			if err != nil {
				continue
			}
			canon := p.Time.Format(TimestampLayout)
			q, err := ParseTimestamp(canon, true)
			if err != nil || !q.Time.Equal(p.Time) {
				t.Fatalf("%q → %q does not round-trip: %v", s, canon, err)
			}
			if len(p.Signed) == 0 || p.Signed[0] != s {
				t.Fatalf("%q: first signed spelling %q", s, p.Signed)
			}
			if strict && len(p.Oddities) > 0 {
				t.Fatalf("strict parse reported oddities for %q", s)
			}
		}
	})
}

// FuzzClientSecret: decoding and CMS parsing of any client_secret never panic, and strict
// decoding accepts only what lenient decoding accepts, with the same bytes.
func FuzzClientSecret(f *testing.F) {
	f.Add("MIIB")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0, 0}))
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 64)))
	f.Fuzz(func(t *testing.T, s string) {
		strict, errS := decodeSecret(s, true)
		lenient, errL := decodeSecret(s, false)
		if errS == nil && (errL != nil || string(strict.Bytes) != string(lenient.Bytes)) {
			t.Fatalf("strict accepted %q but lenient gave %v", s, errL)
		}
		if errL == nil {
			_, _ = parseSignedData(lenient.Bytes)
		}
		if utf8.ValidString(s) {
			_, _ = parseSignedData([]byte(s))
		}
	})
}
