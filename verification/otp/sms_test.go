package otp

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

const phone = "+79990000001"

func TestSMSStartSendsCodeThroughSender(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	ch, err := f.sms.Start(ctx, "login:u1", phone, KindLoginCode)
	if err != nil {
		t.Fatal(err)
	}
	want := Challenge{Key: "login:u1", Channel: ChannelSMS, Kind: KindLoginCode, Masked: "+7 (999) ***-**-01",
		Length: 6, TTL: 300 * time.Second, ExpiresAt: t0.Add(300 * time.Second), ResendAt: t0.Add(60 * time.Second), TriesLeft: 3}
	if ch != want {
		t.Fatalf("challenge = %+v, want %+v", ch, want)
	}
	msgs, err := f.outbox.List(ctx, Filter{To: phone})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	m := msgs[0]
	if !regexp.MustCompile(`^\d{6}$`).MatchString(m.Code) || !strings.Contains(m.Body, m.Code) ||
		m.Channel != ChannelSMS || m.Kind != KindLoginCode || !m.CreatedAt.Equal(t0) {
		t.Fatalf("message = %+v", m)
	}
	if r := m.Redacted(); strings.Contains(r.Body, m.Code) || r.Code != "" {
		t.Fatalf("redacted = %+v", r)
	}
	if err := f.sms.Verify(ctx, "login:u1", m.Code); err != nil {
		t.Fatalf("right code: %v", err)
	}
	if err := f.sms.Verify(ctx, "login:u1", m.Code); !errors.Is(err, ErrCodeUsed) {
		t.Fatalf("reuse: %v, want ErrCodeUsed", err)
	}
	// A verified code does not hold back the next one.
	if _, err := f.sms.Start(ctx, "login:u1", phone, KindLoginCode); err != nil {
		t.Fatalf("start after verify: %v", err)
	}
}

func TestSMSCodeFormatTolerance(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	code := f.lastCode(t, phone)
	if err := f.sms.Verify(ctx, "k", " "+code[:3]+" "+code[3:]+"\n"); err != nil {
		t.Fatalf("spaced code: %v", err)
	}
}

func TestSMSExpiry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration
		want  error
	}{
		{"fresh", 0, nil},
		{"299s", 299 * time.Second, nil},
		{"300s-1ns", 300*time.Second - 1, nil},
		{"300s", 300 * time.Second, ErrCodeExpired},
		{"301s", 301 * time.Second, ErrCodeExpired},
		{"forgotten", 601 * time.Second, ErrNoChallenge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			ctx := context.Background()
			if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
				t.Fatal(err)
			}
			code := f.lastCode(t, phone)
			f.clock.Advance(tc.after)
			err := f.sms.Verify(ctx, "k", code)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify after %v = %v, want %v", tc.after, err, tc.want)
			}
			if tc.want != nil && !errors.Is(err, ErrCodeExpired) {
				t.Fatalf("%v does not wrap ErrCodeExpired", err)
			}
		})
	}
}

func TestSMSThreeTriesThenDead(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	code := f.lastCode(t, phone)
	for _, want := range []int{2, 1, 0} {
		var we *WrongCodeError
		if err := f.sms.Verify(ctx, "k", wrongCode(code)); !errors.As(err, &we) || we.TriesLeft != want {
			t.Fatalf("wrong code: %v, want %d tries left", err, want)
		}
		if ch, _ := f.sms.Status(ctx, "k"); ch.TriesLeft != want {
			t.Fatalf("status tries = %d, want %d", ch.TriesLeft, want)
		}
	}
	if err := f.sms.Verify(ctx, "k", code); !errors.Is(err, ErrNoTriesLeft) {
		t.Fatalf("right code after 3 wrong: %v, want ErrNoTriesLeft", err)
	}
	// Malformed entries count as wrong tries too.
	f.clock.Advance(60 * time.Second)
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	var we *WrongCodeError
	if err := f.sms.Verify(ctx, "k", "abc"); !errors.As(err, &we) || we.TriesLeft != 2 {
		t.Fatalf("malformed: %v", err)
	}
}

func TestSMSResendCooldown(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	first := f.lastCode(t, phone)
	f.clock.Advance(59 * time.Second)
	var rs *ResendTooSoonError
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); !errors.As(err, &rs) || !rs.RetryAt.Equal(t0.Add(60*time.Second)) {
		t.Fatalf("resend at 59s: %v", err)
	}
	if n, _ := f.outbox.List(ctx, Filter{To: phone}); len(n) != 1 {
		t.Fatalf("refused resend sent a message: %d", len(n))
	}
	f.clock.Advance(time.Second)
	ch, err := f.sms.Start(ctx, "k", phone, KindLoginCode)
	if err != nil {
		t.Fatalf("resend at 60s: %v", err)
	}
	if ch.TriesLeft != 3 || !ch.ExpiresAt.Equal(t0.Add(360*time.Second)) {
		t.Fatalf("new challenge = %+v", ch)
	}
	second := f.lastCode(t, phone)
	if first != second {
		var we *WrongCodeError
		if err := f.sms.Verify(ctx, "k", first); !errors.As(err, &we) {
			t.Fatalf("replaced code still valid: %v", err)
		}
	}
	if err := f.sms.Verify(ctx, "k", second); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

func TestSMSConcurrentStartSendsOnce(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, soon := 0, 0
	for range 30 {
		wg.Go(func() {
			_, err := f.sms.Start(ctx, "k", phone, KindLoginCode)
			var rs *ResendTooSoonError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.As(err, &rs):
				soon++
			default:
				t.Errorf("start: %v", err)
			}
		})
	}
	wg.Wait()
	msgs, _ := f.outbox.List(ctx, Filter{})
	if ok != 1 || soon != 29 || len(msgs) != 1 {
		t.Fatalf("ok=%d soon=%d sent=%d, want 1, 29, 1", ok, soon, len(msgs))
	}
}

func TestSMSHourlyLimitPerPhone(t *testing.T) {
	f := newFixture(t, Config{MaxPerHour: 3})
	ctx := context.Background()
	// Different keys (purposes, or unknown logins) share the phone's hourly budget.
	for i, key := range []string{"a", "b", "c"} {
		if _, err := f.sms.Start(ctx, key, phone, KindLoginCode); err != nil {
			t.Fatalf("code %d: %v", i+1, err)
		}
		f.clock.Advance(10 * time.Minute)
	}
	var rl *RateLimitedError
	if _, err := f.sms.Start(ctx, "d", phone, KindLoginCode); !errors.As(err, &rl) || !rl.RetryAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("4th code within the hour: %v", err)
	}
	if _, err := f.sms.Start(ctx, "d", "+79990000002", KindLoginCode); err != nil {
		t.Fatalf("other phone: %v", err)
	}
	f.clock.Advance(30*time.Minute - time.Second) // t0+59:59
	if _, err := f.sms.Start(ctx, "d", phone, KindLoginCode); !errors.As(err, &rl) {
		t.Fatalf("at 59:59: %v", err)
	}
	f.clock.Advance(time.Second) // the first code is an hour old
	if _, err := f.sms.Start(ctx, "d", phone, KindLoginCode); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
	if _, err := f.sms.Start(ctx, "e", phone, KindLoginCode); !errors.As(err, &rl) || !rl.RetryAt.Equal(t0.Add(70*time.Minute)) {
		t.Fatalf("sliding window: %v", err)
	}
}

func TestSMSCodeHashedAtRest(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	if _, err := f.sms.Start(ctx, "login:u1", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	code := f.lastCode(t, phone)
	raw, err := f.store.GetDocRaw(ctx, ChallengeCollection, "login:u1", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), code) || strings.Contains(string(raw), `"code"`) {
		t.Fatalf("stored challenge holds the code: %s", raw)
	}
	// The hash is bound to the key and, when configured, to the pepper.
	var rec challengeRecord
	rec, _ = storage.GetDoc[challengeRecord](ctx, f.store, ChallengeCollection, "login:u1", f.clock.Now())
	if string(codeMAC(nil, rec.Salt, "login:u2", code)) == string(rec.MAC) ||
		string(codeMAC([]byte("pepper"), rec.Salt, "login:u1", code)) == string(rec.MAC) ||
		string(codeMAC(nil, rec.Salt, "login:u1", code)) != string(rec.MAC) {
		t.Fatal("MAC is not bound to key and pepper")
	}
}

func TestSMSPepper(t *testing.T) {
	f := newFixture(t, Config{Pepper: []byte("secret-1")})
	ctx := context.Background()
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	code := f.lastCode(t, phone)
	other := *f.sms
	other.Config.Pepper = []byte("secret-2")
	var we *WrongCodeError
	if err := other.Verify(ctx, "k", code); !errors.As(err, &we) {
		t.Fatalf("other pepper: %v", err)
	}
	if err := f.sms.Verify(ctx, "k", code); err != nil {
		t.Fatalf("same pepper: %v", err)
	}
}

func TestSMSConcurrentVerifyIsExact(t *testing.T) {
	t.Run("right code verifies once", func(t *testing.T) {
		f := newFixture(t, Config{})
		ctx := context.Background()
		if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode(t, phone)
		results := run(50, func() error { return f.sms.Verify(ctx, "k", code) })
		if results[nil] != 1 || results[ErrCodeUsed] != 49 {
			t.Fatalf("results = %v", results)
		}
	})
	t.Run("wrong codes use exactly MaxTries", func(t *testing.T) {
		f := newFixture(t, Config{})
		ctx := context.Background()
		if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
			t.Fatal(err)
		}
		wrong := wrongCode(f.lastCode(t, phone))
		results := run(50, func() error {
			err := f.sms.Verify(ctx, "k", wrong)
			var we *WrongCodeError
			if errors.As(err, &we) {
				return errWrong
			}
			return err
		})
		if results[errWrong] != 3 || results[ErrNoTriesLeft] != 47 {
			t.Fatalf("results = %v", results)
		}
	})
}

var errWrong = errors.New("wrong")

func run(n int, fn func() error) map[error]int {
	var mu sync.Mutex
	out := map[error]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			err := fn()
			mu.Lock()
			out[err]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return out
}

type failingSender struct{}

func (failingSender) Send(context.Context, Message) error { return errors.New("gateway down") }

func TestSMSSendFailure(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	f.sms.Sender = failingSender{}
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err == nil {
		t.Fatal("Start succeeded with a failing sender")
	}
	if _, err := f.sms.Status(ctx, "k"); !errors.Is(err, ErrNoChallenge) {
		t.Fatalf("challenge kept after send failure: %v", err)
	}
	f.sms.Sender = f.outbox
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatalf("retry after failure: %v", err)
	}
}

func TestSMSEmailChannelAndText(t *testing.T) {
	f := newFixture(t, Config{Channel: ChannelEmail})
	ctx := context.Background()
	ch, err := f.sms.Start(ctx, "reg:ivanov@mail.ru", "ivanov@mail.ru", KindRegistrationCode)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Masked != "i*****@mail.ru" || ch.Channel != ChannelEmail {
		t.Fatalf("challenge = %+v", ch)
	}
	msgs, _ := f.outbox.List(ctx, Filter{Channel: ChannelEmail, Kind: KindRegistrationCode})
	if len(msgs) != 1 || msgs[0].Subject == "" || !strings.Contains(msgs[0].Body, "регистрации") {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestRandomDigitsUniformAndUnbiased(t *testing.T) {
	// Bytes 250..255 would bias "% 10"; they must be skipped.
	src := strings.NewReader(string([]byte{255, 250, 9, 251, 19, 249, 0, 252, 123, 45, 67, 89, 200, 201}))
	got, err := randomDigits(src, 6)
	if err != nil {
		t.Fatal(err)
	}
	if got != "999035" {
		t.Fatalf("digits = %q", got)
	}
	var counts [10]int
	r := seeded(9)
	for range 2000 {
		s, _ := randomDigits(r, 6)
		for _, c := range s {
			counts[c-'0']++
		}
	}
	for d, n := range counts {
		if n < 1000 || n > 1400 { // expectation 1200
			t.Fatalf("digit %d appeared %d times of 12000", d, n)
		}
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ channel, to, want string }{
		{ChannelSMS, "+79990000001", "+7 (999) ***-**-01"},
		{ChannelEmail, "ivanov@mail.ru", "i*****@mail.ru"},
		{ChannelEmail, "a@b.ru", "a***@b.ru"},
		{ChannelPost, "ул. Ленина, 1", "*********** 1"},
		{ChannelSMS, "1", "*"},
	} {
		if got := Mask(tc.channel, tc.to); got != tc.want {
			t.Errorf("Mask(%q, %q) = %q, want %q", tc.channel, tc.to, got, tc.want)
		}
	}
}

func TestSMSRateLimitedStartKeepsEarlierCode(t *testing.T) {
	f := newFixture(t, Config{MaxPerHour: 1})
	ctx := context.Background()
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatal(err)
	}
	code := f.lastCode(t, phone)
	f.clock.Advance(61 * time.Second)
	var rl *RateLimitedError
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); !errors.As(err, &rl) {
		t.Fatalf("second start within the hour: %v", err)
	}
	if err := f.sms.Verify(ctx, "k", code); err != nil {
		t.Fatalf("the earlier code after a refused start: %v", err)
	}
}

func TestSMSConcurrentStartsSpendOneSlot(t *testing.T) {
	f := newFixture(t, Config{MaxPerHour: 2})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() { _, _ = f.sms.Start(ctx, "k", phone, KindLoginCode) })
	}
	wg.Wait()
	f.clock.Advance(61 * time.Second)
	if _, err := f.sms.Start(ctx, "k", phone, KindLoginCode); err != nil {
		t.Fatalf("resend after the pause: %v (the burst spent more than one slot)", err)
	}
}
