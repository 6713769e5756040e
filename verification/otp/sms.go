package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Collections of storage.Docs used by SMS.
const (
	// ChallengeCollection holds one challenge per key.
	ChallengeCollection = "otp"
	// RateCollection holds the send times of the last hour per channel and address.
	RateCollection = "otp-rate"
)

// Config sets the rules of one-time codes. Zero fields take the defaults (ESIA's numbers:
// 6 digits, valid 300 s, 3 tries, "send again" after 60 s), see DefaultConfig.
type Config struct {
	Length      int           `json:"length" yaml:"length"`
	TTL         time.Duration `json:"ttl" yaml:"ttl"`
	MaxTries    int           `json:"max_tries" yaml:"max_tries"`
	ResendAfter time.Duration `json:"resend_after" yaml:"resend_after"`
	// MaxPerHour caps the codes sent to one address in any 60 minutes (negative: no cap).
	MaxPerHour int `json:"max_per_hour" yaml:"max_per_hour"`
	// Channel the codes travel by (ChannelSMS; ChannelEmail works with the same rules).
	Channel string `json:"channel" yaml:"channel"`
	// Pepper, when set, is a server secret mixed into every code hash, so that reading the
	// store is not enough to brute-force a stored code offline. Replicas sharing a store must
	// share it.
	Pepper []byte `json:"-" yaml:"-"`
	// Text builds the message for a kind of code (nil: DefaultText).
	Text func(channel, kind, code string) (subject, body string) `json:"-" yaml:"-"`
}

// DefaultConfig returns ESIA's rules: 6 digits, 300 s, 3 tries, resend after 60 s, at most
// 10 codes an hour per address, by SMS.
func DefaultConfig() Config {
	return Config{Length: 6, TTL: 300 * time.Second, MaxTries: 3, ResendAfter: 60 * time.Second,
		MaxPerHour: 10, Channel: ChannelSMS}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Length <= 0 {
		c.Length = d.Length
	}
	if c.TTL <= 0 {
		c.TTL = d.TTL
	}
	if c.MaxTries <= 0 {
		c.MaxTries = d.MaxTries
	}
	if c.ResendAfter <= 0 {
		c.ResendAfter = d.ResendAfter
	}
	if c.MaxPerHour == 0 {
		c.MaxPerHour = d.MaxPerHour
	}
	if c.Channel == "" {
		c.Channel = d.Channel
	}
	if c.Text == nil {
		c.Text = DefaultText
	}
	return c
}

// DefaultText is the Russian wording of code messages.
func DefaultText(channel, kind, code string) (subject, body string) {
	var what string
	switch kind {
	case KindLoginCode:
		what = "Код для входа на Госуслуги"
	case KindRegistrationCode:
		what = "Код подтверждения регистрации на Госуслугах"
	case KindRecoveryCode:
		what = "Код для восстановления доступа к Госуслугам"
	default:
		what = "Код подтверждения Госуслуг"
	}
	if channel == ChannelEmail {
		subject = what
	}
	return subject, what + ": " + code + ". Никому не сообщайте код."
}

// Errors of SMS.Verify that need no details. Wrong codes are *WrongCodeError.
var (
	// ErrCodeExpired: the code's lifetime is over; a new one must be requested.
	ErrCodeExpired = errors.New("otp: code expired")
	// ErrNoChallenge: no code was requested for the key (or it was forgotten long after it
	// expired). It wraps ErrCodeExpired, since the citizen's remedy is the same.
	ErrNoChallenge = fmt.Errorf("otp: no code requested: %w", ErrCodeExpired)
	// ErrNoTriesLeft: the code got MaxTries wrong entries and is dead; a new one must be
	// requested.
	ErrNoTriesLeft = errors.New("otp: no tries left for this code")
	// ErrCodeUsed: the code was verified before; a code is good for one verification.
	ErrCodeUsed = errors.New("otp: code already used")
)

// WrongCodeError: the code does not match; TriesLeft more entries are allowed (0: the code
// is now dead).
type WrongCodeError struct{ TriesLeft int }

func (e *WrongCodeError) Error() string {
	return fmt.Sprintf("otp: wrong code, %d tries left", e.TriesLeft)
}

// ResendTooSoonError: a new code may be requested at RetryAt.
type ResendTooSoonError struct{ RetryAt time.Time }

func (e *ResendTooSoonError) Error() string {
	return "otp: a new code can be sent at " + e.RetryAt.UTC().Format(time.RFC3339)
}

// RateLimitedError: the address got MaxPerHour codes in the last hour; the next can be sent
// at RetryAt.
type RateLimitedError struct{ RetryAt time.Time }

func (e *RateLimitedError) Error() string {
	return "otp: too many codes for this address, next at " + e.RetryAt.UTC().Format(time.RFC3339)
}

// Challenge is what the code-entry page shows: ESIA's otp_details.
type Challenge struct {
	Key     string `json:"-"`
	Channel string `json:"channel"`
	Kind    string `json:"kind"`
	// Masked is the address for display ("+7 (999) ***-**-01").
	Masked string `json:"masked"`
	// Length is the number of digits (code_length).
	Length int `json:"code_length"`
	// TTL is the code's lifetime (verify_timeout_secs).
	TTL       time.Duration `json:"-"`
	ExpiresAt time.Time     `json:"expires_at"`
	// ResendAt is when "send again" becomes available.
	ResendAt time.Time `json:"resend_at"`
	// TriesLeft is verify_attempts_left.
	TriesLeft int  `json:"verify_attempts_left"`
	Verified  bool `json:"verified,omitempty"`
}

// challengeRecord is the stored challenge: the code only as an HMAC.
type challengeRecord struct {
	Salt      []byte    `json:"salt"`
	MAC       []byte    `json:"mac"`
	To        string    `json:"to"`
	Channel   string    `json:"channel"`
	Kind      string    `json:"kind"`
	Length    int       `json:"length"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	ResendAt  time.Time `json:"resend_at"`
	TriesLeft int       `json:"tries_left"`
	Verified  bool      `json:"verified,omitempty"`
	// Keep is the document's own expiry: past ExpiresAt, so that Verify can still answer
	// ErrCodeExpired rather than ErrNoChallenge, and past ResendAt.
	Keep time.Time `json:"keep"`
}

func (r challengeRecord) challenge(key string) Challenge {
	return Challenge{Key: key, Channel: r.Channel, Kind: r.Kind, Masked: Mask(r.Channel, r.To),
		Length: r.Length, TTL: r.ExpiresAt.Sub(r.CreatedAt), ExpiresAt: r.ExpiresAt,
		ResendAt: r.ResendAt, TriesLeft: r.TriesLeft, Verified: r.Verified}
}

type rateRecord struct {
	Sent []time.Time `json:"sent"`
}

// SMS issues and checks one-time codes sent to a phone (or, with Config.Channel, an e-mail
// address). A challenge is identified by a key the caller chooses — the account (or the
// typed login) and the purpose, e.g. "login:<user id>" — and holds one live code at a time.
type SMS struct {
	Docs   storage.Docs
	Sender Sender
	Config Config
	// Quota caps StartFrom's codes to new addresses per client address and in total; nil:
	// no such cap.
	Quota *Quota
	// Now is the clock (nil: time.Now); Rand makes codes and salts (nil: crypto/rand). Start
	// and Verify run from many goroutines at once, so Rand must be safe for concurrent use
	// (a seeded *rand.ChaCha8 is not: wrap it in a mutex).
	Now  func() time.Time
	Rand io.Reader
}

// NewSMS returns an SMS with the real clock and crypto/rand.
func NewSMS(d storage.Docs, s Sender, c Config) *SMS { return &SMS{Docs: d, Sender: s, Config: c} }

func (s *SMS) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *SMS) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// Start sends a new code for key to the address to (normalised: +7XXXXXXXXXX) and replaces
// any earlier code of the key. It refuses with *ResendTooSoonError while the previous code's
// "send again" pause lasts (unless that code was verified), and with *RateLimitedError when
// the address had MaxPerHour codes in the last hour. The code is stored only as an HMAC and
// can be verified as soon as it is sent. If the Sender fails, the new challenge is removed
// and the error returned. Of concurrent starts for one key exactly one sends (and spends a
// rate slot); the others get *ResendTooSoonError. A rate-limited start leaves the key's
// earlier code as it was.
func (s *SMS) Start(ctx context.Context, key, to, kind string) (Challenge, error) {
	return s.StartFrom(ctx, key, to, kind, "")
}

// StartFrom is Start for a code to an address the emulator does not yet trust (registration,
// a new contact, recovery), asked for from the client address origin: it also spends a slot
// of the Quota (when set), per origin and in total, and answers *QuotaError when either is
// spent, leaving the key's earlier code as it was. No message is sent then.
func (s *SMS) StartFrom(ctx context.Context, key, to, kind, origin string) (Challenge, error) {
	if key == "" || to == "" {
		return Challenge{}, errors.New("otp: start: empty key or address")
	}
	cfg := s.Config.withDefaults()
	now := s.now()

	// Fast path: refuse a resend during the pause before spending a rate slot.
	if old, err := storage.GetDoc[challengeRecord](ctx, s.Docs, ChallengeCollection, key, now); err == nil {
		if !old.Verified && now.Before(old.ResendAt) {
			return Challenge{}, &ResendTooSoonError{RetryAt: old.ResendAt}
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return Challenge{}, fmt.Errorf("otp: start: %w", err)
	}

	code, err := randomDigits(s.rand(), cfg.Length)
	if err != nil {
		return Challenge{}, fmt.Errorf("otp: start: %w", err)
	}
	salt := make([]byte, 16)
	if _, err := io.ReadFull(s.rand(), salt); err != nil {
		return Challenge{}, fmt.Errorf("otp: start: %w", err)
	}
	rec := challengeRecord{
		Salt: salt, To: to, Channel: cfg.Channel, Kind: kind, Length: cfg.Length,
		CreatedAt: now, ExpiresAt: now.Add(cfg.TTL), ResendAt: now.Add(cfg.ResendAfter),
		TriesLeft: cfg.MaxTries,
	}
	rec.MAC = codeMAC(cfg.Pepper, salt, key, code)
	rec.Keep = maxTime(rec.ExpiresAt.Add(cfg.TTL), rec.ResendAt)

	// Claim the key first, then take a rate slot: of concurrent starts for one key only the
	// one that stored its challenge spends a slot; the others get *ResendTooSoonError.
	var (
		refused error
		prev    challengeRecord
		hadPrev bool
	)
	_, err = upsert(ctx, s.Docs, ChallengeCollection, key, now, func(old challengeRecord, exists bool) (challengeRecord, time.Time, error) {
		refused = nil
		if exists && !old.Verified && now.Before(old.ResendAt) {
			refused = &ResendTooSoonError{RetryAt: old.ResendAt}
			return old, old.Keep, refused
		}
		prev, hadPrev = old, exists
		return rec, rec.Keep, nil
	})
	if err != nil {
		if refused != nil && errors.Is(err, refused) {
			return Challenge{}, refused
		}
		return Challenge{}, fmt.Errorf("otp: start: %w", err)
	}
	putBack := func() { // a refused start leaves the key's earlier code usable
		if hadPrev {
			_ = storage.PutDoc(ctx, s.Docs, ChallengeCollection, key, prev, prev.Keep)
		} else {
			_ = s.Docs.DeleteDoc(ctx, ChallengeCollection, key)
		}
	}
	if cfg.MaxPerHour > 0 {
		if err := s.reserve(ctx, cfg, to, now); err != nil {
			putBack()
			return Challenge{}, err
		}
	}
	if origin != "" {
		if err := s.Quota.take(ctx, origin, now); err != nil {
			putBack()
			return Challenge{}, err
		}
	}

	subject, body := cfg.Text(cfg.Channel, kind, code)
	msg := Message{Channel: cfg.Channel, To: to, Subject: subject, Body: body, Kind: kind, Code: code, CreatedAt: now}
	if err := s.Sender.Send(ctx, msg); err != nil {
		_ = s.Docs.DeleteDoc(ctx, ChallengeCollection, key)
		return Challenge{}, fmt.Errorf("otp: send code: %w", err)
	}
	return rec.challenge(key), nil
}

// reserve takes one of the address's hourly slots: a sliding window of the send times of
// the last hour, updated atomically.
func (s *SMS) reserve(ctx context.Context, cfg Config, to string, now time.Time) error {
	return slot(ctx, s.Docs, RateCollection, cfg.Channel+":"+to, cfg.MaxPerHour, now)
}

// Verify checks code against the key's challenge. nil means the code is right; the
// challenge is then spent (ErrCodeUsed afterwards). A wrong code costs one try and answers
// *WrongCodeError; after MaxTries wrong codes the challenge is dead (ErrNoTriesLeft).
// ErrCodeExpired from the TTL on (valid at TTL-1ns), ErrNoChallenge when nothing was
// requested. The decision and the try count are one atomic update of the stored challenge,
// so concurrent entries are counted exactly and a code verifies once. The comparison is
// hmac.Equal (constant time) of the HMACs.
func (s *SMS) Verify(ctx context.Context, key, code string) error {
	cfg := s.Config.withDefaults()
	now := s.now()
	var outcome error
	_, err := storage.UpdateDoc(ctx, s.Docs, ChallengeCollection, key, now, func(r challengeRecord) (challengeRecord, time.Time, error) {
		outcome = nil
		switch {
		case r.Verified:
			outcome = ErrCodeUsed
		case !now.Before(r.ExpiresAt):
			outcome = ErrCodeExpired
		case r.TriesLeft <= 0:
			outcome = ErrNoTriesLeft
		}
		if outcome != nil {
			return r, r.Keep, outcome // abort: nothing changes
		}
		norm, _ := NormalizeCode(code, r.Length)
		if hmac.Equal(codeMAC(cfg.Pepper, r.Salt, key, norm), r.MAC) {
			r.Verified = true
			return r, r.Keep, nil
		}
		r.TriesLeft--
		outcome = &WrongCodeError{TriesLeft: r.TriesLeft}
		return r, r.Keep, nil
	})
	switch {
	case err == nil:
		return outcome // nil or the *WrongCodeError that was stored
	case outcome != nil && errors.Is(err, outcome):
		return outcome // aborted: used, expired or dead
	case errors.Is(err, storage.ErrNotFound):
		return ErrNoChallenge
	default:
		return fmt.Errorf("otp: verify: %w", err)
	}
}

// Status returns the key's challenge for display, or ErrNoChallenge.
func (s *SMS) Status(ctx context.Context, key string) (Challenge, error) {
	r, err := storage.GetDoc[challengeRecord](ctx, s.Docs, ChallengeCollection, key, s.now())
	if errors.Is(err, storage.ErrNotFound) {
		return Challenge{}, ErrNoChallenge
	}
	if err != nil {
		return Challenge{}, fmt.Errorf("otp: status: %w", err)
	}
	return r.challenge(key), nil
}

// Cancel forgets the key's challenge (for example when the login is abandoned).
func (s *SMS) Cancel(ctx context.Context, key string) error {
	if err := s.Docs.DeleteDoc(ctx, ChallengeCollection, key); err != nil {
		return fmt.Errorf("otp: cancel: %w", err)
	}
	return nil
}

// codeMAC is HMAC-SHA256 keyed by the challenge's random salt over the pepper, the key and
// the code, each length-prefixed: a code hash is bound to its challenge and cannot be
// checked without the salt (and the pepper, when configured).
func codeMAC(pepper, salt []byte, key, code string) []byte {
	m := hmac.New(sha256.New, salt)
	var n [8]byte
	for _, part := range [][]byte{[]byte("esia-emulator/otp/v1"), pepper, []byte(key), []byte(code)} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write(part)
	}
	return m.Sum(nil)
}

// randomDigits returns n decimal digits, each uniform: bytes ≥ 250 are rejected so that
// byte % 10 has no bias.
func randomDigits(r io.Reader, n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n+4)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if b < 250 && len(out) < n {
				out = append(out, '0'+b%10)
			}
		}
	}
	return string(out), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
