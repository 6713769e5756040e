package web

import "time"

// moscow is the time zone every page and notice shows times in (ESIA shows Moscow time).
func moscow() *time.Location { return time.FixedZone("MSK", 3*60*60) }

// DateTime formats t as "02.01.2006 15:04 МСК" ("" for the zero time).
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(moscow()).Format("02.01.2006 15:04") + " МСК"
}

// Clock formats t as a time of day with its date, "15:04 02.01.2006 МСК" ("" for the zero time).
func Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(moscow()).Format("15:04 02.01.2006") + " МСК"
}
