package provider

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// initVerification builds the outbox, the code and TOTP managers and the lockout limiter.
func (p *Provider) initVerification() {
	p.outbox = &otp.Outbox{Docs: p.store, Now: p.now, Rand: p.rand}
	var sender otp.Sender = p.outbox
	sf := p.cfg.SecondFactor
	if sf.WebhookURL != "" {
		sender = multiSender{p.outbox, &otp.WebhookSender{URL: sf.WebhookURL, Client: &http.Client{Timeout: 5 * time.Second}}}
	}
	p.sender = sender
	c := otp.DefaultConfig()
	if sf.CodeLength > 0 {
		c.Length = sf.CodeLength
	}
	c.TTL = sf.CodeTTL.Or(c.TTL)
	c.ResendAfter = sf.ResendAfter.Or(c.ResendAfter)
	if sf.MaxTries > 0 {
		c.MaxTries = sf.MaxTries
	}
	if sf.MaxPerHour != 0 {
		c.MaxPerHour = sf.MaxPerHour
	}
	c.Pepper = []byte(sf.Pepper)
	quota := &otp.Quota{Docs: p.store, PerOrigin: sf.NewAddressPerIP, Total: sf.NewAddressTotal} // SMS pumping
	p.sms = &otp.SMS{Docs: p.store, Sender: sender, Config: c, Quota: quota, Now: p.now, Rand: p.rand}
	ec := c
	ec.Channel = otp.ChannelEmail
	p.emailCodes = &otp.SMS{Docs: p.store, Sender: sender, Config: ec, Quota: quota, Now: p.now, Rand: p.rand}
	p.totp = &otp.TOTP{Docs: p.store, Issuer: sf.TOTPIssuer, Now: p.now, Rand: p.rand}
	p.limiter = &lockout.Limiter{Counters: p.store, Docs: p.store, Reads: p.store, Policy: p.cfg.Lockout.WithDefaults(), Now: p.now}
}

// multiSender delivers a message to every sender (the outbox, and a webhook when configured).
type multiSender []otp.Sender

func (m multiSender) Send(ctx context.Context, msg otp.Message) error {
	var errs []error
	for _, s := range m {
		errs = append(errs, s.Send(ctx, msg))
	}
	return errors.Join(errs...)
}
