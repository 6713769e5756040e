package otp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"image/png"
	"io"
	"time"

	potp "github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/esia-emulator/esia-emulator/storage"
)

// TOTPCollection holds, per user, the last time step accepted (the replay guard).
const TOTPCollection = "totp"

// TOTP parameters: what every authenticator app understands.
const (
	TOTPDigits = 6
	TOTPPeriod = 30 * time.Second
	// TOTPSkew is how many steps before and after the current one are accepted.
	TOTPSkew = 1
	// DefaultIssuer names the emulator in authenticator apps.
	DefaultIssuer = "Госуслуги (эмулятор)"
	// DefaultQRSize is the side of the QR image in pixels.
	DefaultQRSize = 256
)

var totpOpts = totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: potp.DigitsSix, Algorithm: potp.AlgorithmSHA1}

// Errors of TOTP.Verify.
var (
	// ErrInvalidCode: the code matches none of the accepted time steps.
	ErrInvalidCode = errors.New("otp: invalid authenticator code")
	// ErrCodeReused: the code's time step (or a later one) was already accepted for this
	// user; the citizen waits for the next code.
	ErrCodeReused = errors.New("otp: authenticator code already used")
)

// TOTP enrols authenticator apps and checks their codes (RFC 6238: SHA-1, 6 digits, 30 s
// steps, ±1 step of clock skew) with a replay guard: per user, only time steps later than
// the last accepted one are accepted, so each step — each code — is good once.
type TOTP struct {
	Docs storage.Docs
	// Issuer is the name shown in the app (empty: DefaultIssuer).
	Issuer string
	// QRSize is the QR image's side in pixels (0: DefaultQRSize).
	QRSize int
	// Now is the clock (nil: time.Now); Rand makes secrets (nil: crypto/rand). Rand must be
	// safe for concurrent use: enrolments run from many goroutines at once.
	Now  func() time.Time
	Rand io.Reader
}

// NewTOTP returns a TOTP with the default issuer, the real clock and crypto/rand.
func NewTOTP(d storage.Docs) *TOTP { return &TOTP{Docs: d} }

// Enrollment is a new authenticator secret to show the citizen: the QR code to scan, and the
// secret as text to type in. The caller keeps Secret pending until Verify accepts a first
// code, then stores it with the account.
type Enrollment struct {
	// Secret is base32 without padding.
	Secret string
	// URL is the otpauth://totp/… key URI the QR code encodes.
	URL string
	// PNG is the QR code image.
	PNG []byte
}

func (t *TOTP) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// NewSecret makes a 160-bit secret for accountName (the login shown in the app, e.g. the
// phone) and its QR code.
func (t *TOTP) NewSecret(accountName string) (Enrollment, error) {
	issuer := t.Issuer
	if issuer == "" {
		issuer = DefaultIssuer
	}
	r := t.Rand
	if r == nil {
		r = rand.Reader
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: accountName,
		Period: totpOpts.Period, SecretSize: 20, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm, Rand: r})
	if err != nil {
		return Enrollment{}, fmt.Errorf("otp: totp secret: %w", err)
	}
	size := t.QRSize
	if size <= 0 {
		size = DefaultQRSize
	}
	img, err := key.Image(size, size)
	if err != nil {
		return Enrollment{}, fmt.Errorf("otp: totp qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrollment{}, fmt.Errorf("otp: totp qr: %w", err)
	}
	return Enrollment{Secret: key.Secret(), URL: key.URL(), PNG: buf.Bytes()}, nil
}

// GenerateTOTP returns the code an authenticator app shows at time at, for tests and
// scripted logins.
func GenerateTOTP(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totpOpts)
}

type totpRecord struct {
	LastStep int64 `json:"last_step"`
}

// Verify checks code against secret for userID at the clock's time: it must match the
// current step or the one before or after, and that step must be later than the last step
// accepted for the user (ErrCodeReused otherwise). The acceptance is one atomic update of
// the user's replay record, so of two concurrent submissions of one code exactly one
// succeeds. Use it both to confirm an enrolment (the first code) and at login.
func (t *TOTP) Verify(ctx context.Context, userID, secret, code string) error {
	if userID == "" || secret == "" {
		return errors.New("otp: totp verify: empty user or secret")
	}
	code, ok := NormalizeCode(code, TOTPDigits)
	if !ok {
		return ErrInvalidCode
	}
	now := t.now()
	period := int64(TOTPPeriod / time.Second)
	cur := floorDiv(now.Unix(), period)
	matched, found := int64(0), false
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		step := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0), totpOpts)
		if err != nil {
			return fmt.Errorf("otp: totp verify: %w", err)
		}
		// Every candidate is compared, in constant time, whatever matched before.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !found {
			matched, found = step, true
		}
	}
	if !found {
		return ErrInvalidCode
	}
	// The record must outlive every step that Verify could still match against it.
	keep := time.Unix((matched+TOTPSkew+2)*period, 0)
	var reused error
	_, err := upsert(ctx, t.Docs, TOTPCollection, userID, now, func(old totpRecord, exists bool) (totpRecord, time.Time, error) {
		reused = nil
		if exists && matched <= old.LastStep {
			reused = ErrCodeReused
			return old, keep, reused
		}
		return totpRecord{LastStep: matched}, keep, nil
	})
	if err != nil {
		if reused != nil && errors.Is(err, reused) {
			return ErrCodeReused
		}
		return fmt.Errorf("otp: totp verify: %w", err)
	}
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
