package accounts

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"unicode"

	"github.com/esia-emulator/esia-emulator/storage"
)

// maxAddressLine bounds what AddressOf reads (a configured or typed address line).
const maxAddressLine = 512

// AddressOf splits a Russian one-line address — "150003, Ярославская обл., г. Ярославль,
// ул. Советская, д. 12, кв. 45" — into the parts ESIA's /addrs carries: zip code, region, city,
// street, house and flat (a federal city is its own region), plus a FIAS code: the real one is
// a GUID from the federal address register, so the emulator derives a stable GUID from the
// line. Parts it cannot find stay empty; the line itself is always kept.
func AddressOf(typ, line string) storage.Address {
	a := storage.Address{Type: typ, AddressStr: line, Country: "RU"}
	if len(line) > maxAddressLine {
		return a
	}
	for _, raw := range strings.Split(line, ",") {
		p := strings.TrimSpace(raw)
		switch low := strings.ToLower(p); {
		case p == "":
		case a.ZipCode == "" && len(p) == 6 && strings.IndexFunc(p, func(r rune) bool { return !unicode.IsDigit(r) }) < 0:
			a.ZipCode = p
		case strings.HasPrefix(low, "г. ") || strings.HasPrefix(low, "г "):
			a.City = strings.TrimSpace(p[strings.IndexByte(p, ' ')+1:])
		case strings.HasPrefix(low, "д. ") || strings.HasPrefix(low, "д "):
			a.House = strings.TrimSpace(p[strings.IndexByte(p, ' ')+1:])
		case strings.HasPrefix(low, "кв. ") || strings.HasPrefix(low, "кв "):
			a.Flat = strings.TrimSpace(p[strings.IndexByte(p, ' ')+1:])
		case strings.Contains(low, "обл") || strings.Contains(low, "республика") || strings.Contains(low, "край") ||
			strings.Contains(low, "округ"):
			a.Region = p
		case a.City != "" && a.Street == "":
			a.Street = p
		}
	}
	if a.Region == "" && (a.City == "Москва" || a.City == "Санкт-Петербург" || a.City == "Севастополь") {
		a.Region = a.City
	}
	a.FIASCode = FIASCodeOf(line)
	return a
}

// FIASCodeOf is the emulator's stand-in for a FIAS code: a GUID derived from the address line,
// the same on every run.
func FIASCodeOf(line string) string {
	s := sha256.Sum256([]byte("fias:" + line))
	s[6], s[8] = s[6]&0x0f|0x50, s[8]&0x3f|0x80 // a name-based (version 5 style) GUID
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}
