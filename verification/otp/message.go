package otp

import (
	"context"
	"strings"
	"time"
)

// Channels a message travels by.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
	ChannelPost  = "post" // a registered letter with a confirmation code
	ChannelPush  = "push"
)

// Kinds of message, so the outbox and its readers can tell them apart.
const (
	KindLoginCode        = "login_code"
	KindRegistrationCode = "registration_code"
	KindRecoveryCode     = "recovery_code"
	KindLockNotice       = "lock_notice"
	KindLoginNotice      = "login_notice"
	KindLetterCode       = "letter_code"
)

// Message is one message to a citizen.
type Message struct {
	// ID is assigned by the outbox: ids sort by creation time.
	ID      string `json:"id"`
	Channel string `json:"channel"`
	// To is the normalised address: +7XXXXXXXXXX for SMS, a lower-case e-mail address.
	To      string `json:"to"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
	Kind    string `json:"kind,omitempty"`
	// Code is the one-time code in clear, for the convenience of developers and tests reading
	// the outbox. Never log it (use Redacted).
	Code      string    `json:"code,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Redacted returns a copy fit for logs: without the code, and with the code masked in
// the subject and body.
func (m Message) Redacted() Message {
	if m.Code != "" {
		mask := strings.Repeat("*", len(m.Code))
		m.Body = strings.ReplaceAll(m.Body, m.Code, mask)
		m.Subject = strings.ReplaceAll(m.Subject, m.Code, mask)
		m.Code = ""
	}
	return m
}

// Sender delivers messages: the Outbox by default, a WebhookSender for a real gateway.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// moscow is the time zone of the emulator's messages (Gosuslugi quotes Moscow time).
var moscow = time.FixedZone("МСК", 3*60*60)

// LockNotice is the message telling a citizen that their account was locked after wrong
// passwords or codes, and until when (Moscow time). Send it to the account's confirmed
// contact when lockout reports a newly engaged lock.
func LockNotice(channel, to string, until time.Time, permanent bool) Message {
	body := "Вход в вашу учётную запись Госуслуг заблокирован после нескольких неверных попыток. "
	if permanent {
		body += "Чтобы разблокировать её, восстановите пароль или обратитесь в поддержку."
	} else {
		body += "Блокировка снимется автоматически " + until.In(moscow).Format("02.01.2006 в 15:04") +
			" (МСК). Если это были не вы, смените пароль."
	}
	m := Message{Channel: channel, To: to, Body: body, Kind: KindLockNotice}
	if channel == ChannelEmail {
		m.Subject = "Учётная запись заблокирована"
	}
	return m
}
