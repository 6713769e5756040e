package clientsecret

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TimestampLayout is ESIA's timestamp format yyyy.MM.dd HH:mm:ss Z in Go's notation.
const TimestampLayout = "2006.01.02 15:04:05 -0700"

// Timestamp is a timestamp parameter as received and as the client most likely wrote it.
type Timestamp struct {
	Time time.Time
	// Signed are the spellings the client may have signed, the received one first: a '+'
	// that form decoding turned into a space is restored in the second.
	Signed []string
	// Oddities describe deviations from the exact layout (empty for a canonical value).
	Oddities []string
}

var errTimestampFormat = errors.New("timestamp must look like 2025.01.25 14:36:11 +0300")

// ParseTimestamp reads the timestamp parameter. strict accepts the exact layout only;
// otherwise a lost '+' of the offset (an unencoded '+' decoded as a space), an offset with a
// colon, surrounding spaces and a 'T' between date and time are accepted and reported.
func ParseTimestamp(s string, strict bool) (Timestamp, error) {
	if len(s) > 64 {
		return Timestamp{}, errTimestampFormat
	}
	if t, err := time.Parse(TimestampLayout, s); err == nil && len(s) == len(TimestampLayout) {
		return Timestamp{Time: t, Signed: []string{s}}, nil
	}
	if strict {
		return Timestamp{}, errTimestampFormat
	}
	var odd []string
	v := strings.TrimSpace(s)
	if v != s {
		odd = append(odd, "timestamp has surrounding spaces")
	}
	repaired := ""
	// "2025.09.02 13:00:29  0300": the '+' was sent unencoded and decoded as a space.
	if n := len(v); n >= 6 && v[n-5] == ' ' && v[n-6] == ' ' && isDigits(v[n-4:]) {
		v = v[:n-5] + "+" + v[n-4:]
		repaired = v
		odd = append(odd, "the '+' of the timestamp's offset arrived as a space (not URL-encoded)")
	} else if n >= 5 && v[n-5] == ' ' && isDigits(v[n-4:]) && strings.Count(v, " ") == 2 && !strings.ContainsAny(v[n-5:], "+-") {
		// "2025.09.02 13:00:29 0300" after TrimSpace removed one of the two spaces.
		v = v[:n-4] + "+" + v[n-4:]
		repaired = v
		odd = append(odd, "the timestamp's offset has no sign")
	}
	if len(v) >= 11 && v[10] == 'T' {
		v = v[:10] + " " + v[11:]
		odd = append(odd, "timestamp has a 'T' between date and time")
	}
	if n := len(v); n >= 6 && v[n-3] == ':' && (v[n-6] == '+' || v[n-6] == '-') {
		v = v[:n-3] + v[n-2:]
		odd = append(odd, "timestamp offset has a colon (+03:00)")
	}
	t, err := time.Parse(TimestampLayout, v)
	if err != nil || len(v) != len(TimestampLayout) {
		return Timestamp{}, errTimestampFormat
	}
	p := Timestamp{Time: t, Signed: []string{s}, Oddities: odd}
	if repaired != "" && repaired != s {
		p.Signed = append(p.Signed, repaired)
	}
	if v != s && v != repaired {
		p.Signed = append(p.Signed, v)
	}
	return p, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodedSecret is client_secret after base64 decoding.
type decodedSecret struct {
	Bytes    []byte
	Encoding string // "base64url", "base64url, padded", "base64", "base64, unpadded"
	Oddities []string
}

// maxSecretLen bounds the client_secret parameter (a CMS with a certificate chain is a few KiB).
const maxSecretLen = 64 << 10

// decodeSecret decodes client_secret. strict accepts the URL-safe alphabet with or without
// padding (both work with the live ESIA); otherwise the standard alphabet, line breaks (S/MIME
// output) and '+' turned into spaces by form decoding are accepted too and reported.
func decodeSecret(s string, strict bool) (decodedSecret, error) {
	if s == "" {
		return decodedSecret{}, errors.New("client_secret is empty")
	}
	if len(s) > maxSecretLen {
		return decodedSecret{}, fmt.Errorf("client_secret is longer than %d bytes", maxSecretLen)
	}
	var odd []string
	v := s
	if !strict {
		if strings.ContainsAny(v, "\r\n\t") {
			v = strings.NewReplacer("\r", "", "\n", "", "\t", "").Replace(v)
			odd = append(odd, "client_secret contains line breaks")
		}
		if strings.Contains(v, " ") {
			v = strings.ReplaceAll(v, " ", "+")
			odd = append(odd, "client_secret has spaces where '+' was meant (standard base64 sent without URL encoding)")
		}
	}
	padded := strings.HasSuffix(v, "=")
	switch {
	case !strings.ContainsAny(v, "+/"):
		enc, name := base64.RawURLEncoding, "base64url"
		if padded {
			enc, name = base64.URLEncoding, "base64url, padded"
		}
		if b, err := enc.DecodeString(v); err == nil {
			return decodedSecret{Bytes: b, Encoding: name, Oddities: odd}, nil
		}
		if !strict {
			// Padding of the wrong length, or none where the decoder wanted some.
			if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "=")); err == nil {
				return decodedSecret{Bytes: b, Encoding: "base64url, bad padding", Oddities: append(odd, "client_secret has wrong base64 padding")}, nil
			}
		}
	case strict:
		return decodedSecret{}, errors.New("client_secret uses the standard base64 alphabet ('+' or '/'); ESIA wants base64url")
	case strings.ContainsAny(v, "-_"):
		return decodedSecret{}, errors.New("client_secret mixes the standard and URL-safe base64 alphabets")
	default:
		odd = append(odd, "client_secret uses the standard base64 alphabet instead of base64url")
		enc, name := base64.StdEncoding, "base64"
		if !padded {
			enc, name = base64.RawStdEncoding, "base64, unpadded"
		}
		if b, err := enc.DecodeString(v); err == nil {
			return decodedSecret{Bytes: b, Encoding: name, Oddities: odd}, nil
		}
		if b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "=")); err == nil {
			return decodedSecret{Bytes: b, Encoding: "base64, bad padding", Oddities: append(odd, "client_secret has wrong base64 padding")}, nil
		}
	}
	return decodedSecret{}, errors.New("client_secret is not base64")
}
