package proofing

import "time"

// Notice is a message to the citizen in Russian. The package only writes it; the provider
// sends it to the outbox (fields as in otp.Message: Channel, Subject, Body, Kind, Code).
type Notice struct {
	// Channel is "" (the provider picks the citizen's usual channels: e-mail, push) or
	// ChannelPost for a registered letter.
	Channel string `json:"channel,omitempty"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Kind    string `json:"kind"`
	// Code is a confirmation code carried by the message, in clear for developers reading
	// the outbox (as otp.Message.Code); never log it.
	Code string `json:"code,omitempty"`
}

// ChannelPost is the outbox channel of registered letters (Почта России), as otp.ChannelPost.
const ChannelPost = "post"

// Kinds of Notice (KindLetterCode equals otp.KindLetterCode).
const (
	KindLetterCode    = "letter_code"
	KindRegistryCheck = "registry_check"
	KindLevelChange   = "level_change"
	KindStatusChange  = "status_change"
)

// msk is Moscow time, in which dates are shown to the citizen.
var msk = time.FixedZone("MSK", 3*60*60)

// InMoscow returns t in Moscow time.
func InMoscow(t time.Time) time.Time { return t.In(msk) }

// DateRU writes t's date in Moscow time as ESIA shows dates: 02.01.2006.
func DateRU(t time.Time) string { return t.In(msk).Format("02.01.2006") }

// DateTimeRU writes t in Moscow time: 02.01.2006 15:04 (МСК).
func DateTimeRU(t time.Time) string { return t.In(msk).Format("02.01.2006 15:04") + " (МСК)" }
