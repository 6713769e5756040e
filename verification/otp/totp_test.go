package otp

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func newTOTP(t *testing.T) (*TOTP, *clock) {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	c := newClock()
	c.Advance(7 * time.Second) // not on a step boundary
	return &TOTP{Docs: st, Now: c.Now, Rand: seeded(3)}, c
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := GenerateTOTP(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPEnrollment(t *testing.T) {
	tp, c := newTOTP(t)
	e, err := tp.NewSecret("+79990000001")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(e.Secret) {
		t.Fatalf("secret %q: want 160 bits of base32", e.Secret)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("url %q: %v", e.URL, err)
	}
	q := u.Query()
	if q.Get("secret") != e.Secret || q.Get("issuer") != DefaultIssuer || q.Get("digits") != "6" ||
		q.Get("period") != "30" || q.Get("algorithm") != "SHA1" || u.Path != "/"+DefaultIssuer+":+79990000001" {
		t.Fatalf("url %q", e.URL)
	}
	img, err := png.Decode(bytes.NewReader(e.PNG))
	if err != nil || img.Bounds().Dx() != DefaultQRSize {
		t.Fatalf("png: %v %v", img, err)
	}
	// Confirmation by the first code.
	if err := tp.Verify(context.Background(), "u1", e.Secret, code(t, e.Secret, c.Now())); err != nil {
		t.Fatalf("first code: %v", err)
	}

	tp.Issuer, tp.QRSize = "Тестовый стенд", 128
	e2, err := tp.NewSecret("ivanov@mail.ru")
	if err != nil || e2.Secret == e.Secret {
		t.Fatal(err, "or the same secret twice")
	}
	if u, _ := url.Parse(e2.URL); u.Query().Get("issuer") != "Тестовый стенд" {
		t.Fatalf("issuer in %q", e2.URL)
	}
	if img, _ := png.Decode(bytes.NewReader(e2.PNG)); img.Bounds().Dx() != 128 {
		t.Fatalf("qr size %v", img.Bounds())
	}
}

func TestTOTPSkew(t *testing.T) {
	for _, tc := range []struct {
		steps int
		want  error
	}{
		{-2, ErrInvalidCode},
		{-1, nil},
		{0, nil},
		{1, nil},
		{2, ErrInvalidCode},
	} {
		tp, c := newTOTP(t)
		e, _ := tp.NewSecret("x")
		at := c.Now().Add(time.Duration(tc.steps) * TOTPPeriod)
		err := tp.Verify(context.Background(), "u1", e.Secret, code(t, e.Secret, at))
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("code from %+d steps: %v, want %v", tc.steps, err, tc.want)
		}
	}
}

func TestTOTPReplayGuard(t *testing.T) {
	tp, c := newTOTP(t)
	ctx := context.Background()
	e, _ := tp.NewSecret("x")
	now := c.Now()
	if err := tp.Verify(ctx, "u1", e.Secret, code(t, e.Secret, now)); err != nil {
		t.Fatal(err)
	}
	if err := tp.Verify(ctx, "u1", e.Secret, code(t, e.Secret, now)); !errors.Is(err, ErrCodeReused) {
		t.Fatalf("same step twice: %v", err)
	}
	// An older step (still within the skew) is refused once a later one was accepted.
	if err := tp.Verify(ctx, "u1", e.Secret, code(t, e.Secret, now.Add(-TOTPPeriod))); !errors.Is(err, ErrCodeReused) {
		t.Fatalf("older step: %v", err)
	}
	// Another user's guard is separate.
	if err := tp.Verify(ctx, "u2", e.Secret, code(t, e.Secret, now)); err != nil {
		t.Fatalf("other user: %v", err)
	}
	// The next step is accepted, then refused again within its window.
	c.Advance(TOTPPeriod)
	next := code(t, e.Secret, c.Now())
	if err := tp.Verify(ctx, "u1", e.Secret, next); err != nil {
		t.Fatalf("next step: %v", err)
	}
	c.Advance(TOTPPeriod) // next is now the previous step: still within skew, still refused
	if err := tp.Verify(ctx, "u1", e.Secret, next); !errors.Is(err, ErrCodeReused) {
		t.Fatalf("replayed next step one period later: %v", err)
	}
	// Long after, the replay record has expired and fresh codes work.
	c.Advance(10 * TOTPPeriod)
	if _, err := tp.Docs.GetDocRaw(ctx, TOTPCollection, "u1", c.Now()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("replay record still live: %v", err)
	}
	if err := tp.Verify(ctx, "u1", e.Secret, code(t, e.Secret, c.Now())); err != nil {
		t.Fatalf("after the guard expired: %v", err)
	}
}

func TestTOTPConcurrentSameCode(t *testing.T) {
	tp, c := newTOTP(t)
	e, _ := tp.NewSecret("x")
	cd := code(t, e.Secret, c.Now())
	results := run(50, func() error { return tp.Verify(context.Background(), "u1", e.Secret, cd) })
	if results[nil] != 1 || results[ErrCodeReused] != 49 {
		t.Fatalf("results = %v", results)
	}
}

func TestTOTPMalformed(t *testing.T) {
	tp, _ := newTOTP(t)
	e, _ := tp.NewSecret("x")
	for _, in := range []string{"", "12345", "1234567", "abcdef", "12345６"} {
		if err := tp.Verify(context.Background(), "u1", e.Secret, in); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("%q: %v", in, err)
		}
	}
	if err := tp.Verify(context.Background(), "u1", "not base32!", "123456"); err == nil || errors.Is(err, ErrInvalidCode) {
		t.Errorf("bad secret: %v", err)
	}
}
