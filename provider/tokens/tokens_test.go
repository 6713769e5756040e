package tokens_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/tokens"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

var ctx = context.Background()

// fixture is a Service over the memory store with a clock that moves only when told.
type fixture struct {
	t     *testing.T
	store storage.Store
	now   time.Time
	svc   *tokens.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, store: memory.New(), now: time.Date(2025, 9, 2, 10, 0, 0, 0, time.UTC)}
	t.Cleanup(func() { _ = f.store.Close() })
	f.svc = &tokens.Service{Store: f.store, Now: func() time.Time { return f.now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return f
}

// request stores a finished authorization request with a code; the code's hash is "code-"+id.
func (f *fixture) request(id, sessionID string) storage.AuthRequest {
	f.t.Helper()
	ar := storage.AuthRequest{ID: id, ClientID: "client-1", RedirectURI: "https://rp.example/cb", Scopes: []string{"openid"},
		UserID: "1000000003", Done: true, SessionID: sessionID, CreatedAt: f.now, ExpiresAt: f.now.Add(30 * time.Minute)}
	if err := f.store.CreateAuthRequest(ctx, ar); err != nil {
		f.t.Fatal(err)
	}
	if err := f.svc.SaveCode(ctx, id, "code-"+id, f.now.Add(time.Minute)); err != nil {
		f.t.Fatal(err)
	}
	return ar
}

// issue builds an access and a refresh token of family fam, ids prefixed with name.
func (f *fixture) issue(name, fam, sessionID string) []storage.Token {
	base := storage.Token{FamilyID: fam, ClientID: "client-1", Subject: "1000000003", Scopes: []string{"openid"},
		SessionID: sessionID, CreatedAt: f.now}
	at, rt := base, base
	at.ID, at.Kind, at.ExpiresAt, at.RefreshID = name+"-access", storage.TokenAccess, f.now.Add(time.Hour), name+"-refresh"
	rt.ID, rt.Kind, rt.ExpiresAt = name+"-refresh", storage.TokenRefresh, f.now.Add(24*time.Hour)
	return []storage.Token{at, rt}
}

// live reports whether the token with id can still be used.
func (f *fixture) live(id string) bool {
	f.t.Helper()
	_, err := f.svc.Get(ctx, id)
	if err != nil && !errors.Is(err, tokens.ErrInvalid) {
		f.t.Fatalf("Get(%s): %v", id, err)
	}
	return err == nil
}

func (f *fixture) wantLive(want bool, ids ...string) {
	f.t.Helper()
	for _, id := range ids {
		if got := f.live(id); got != want {
			f.t.Errorf("token %s live = %v, want %v", id, got, want)
		}
	}
}

func TestCodeLifecycle(t *testing.T) {
	otherClient := errors.New("issued to another client")
	cases := []struct {
		name string
		// before runs before the code is presented; redeemed reports whether it redeemed it.
		before    func(f *fixture) (redeemed bool)
		check     func(storage.AuthRequest) error
		wantErr   error
		wantLive  bool // the tokens of the first redemption, if any
		wantFound bool // Code returns the request
	}{
		{name: "fresh code", before: func(*fixture) bool { return false }, wantFound: true},
		{name: "replayed code revokes its tokens", before: func(f *fixture) bool {
			if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
				f.t.Fatal(err)
			}
			return true
		}, wantErr: tokens.ErrReplayed, wantFound: true},
		{name: "check refuses before the replay rule", before: func(f *fixture) bool {
			if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
				f.t.Fatal(err)
			}
			return true
		}, check: func(storage.AuthRequest) error { return otherClient }, wantErr: otherClient, wantLive: true, wantFound: true},
		{name: "expired code", before: func(f *fixture) bool { f.now = f.now.Add(61 * time.Second); return false }, wantErr: tokens.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.request("ar1", "")
			redeemed := tc.before(f)
			ar, err := f.svc.Code(ctx, "code-ar1", tc.check)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Code: %v, want %v", err, tc.wantErr)
			}
			if found := ar.ID == "ar1"; found != tc.wantFound {
				t.Fatalf("Code returned request %q", ar.ID)
			}
			if redeemed {
				f.wantLive(tc.wantLive, "t1-access", "t1-refresh")
			}
		})
	}
}

func TestRedeem(t *testing.T) {
	t.Run("once, then a replay revokes the family", func(t *testing.T) {
		f := newFixture(t)
		f.request("ar1", "")
		if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
			t.Fatal(err)
		}
		f.wantLive(true, "t1-access", "t1-refresh")
		if err := f.svc.Redeem(ctx, "ar1", f.issue("t2", "ar1", "")...); !errors.Is(err, tokens.ErrReplayed) {
			t.Fatalf("second Redeem: %v", err)
		}
		f.wantLive(false, "t1-access", "t1-refresh", "t2-access", "t2-refresh")
	})
	t.Run("unknown request", func(t *testing.T) {
		f := newFixture(t)
		if err := f.svc.Redeem(ctx, "nope", f.issue("t1", "nope", "")...); !errors.Is(err, tokens.ErrInvalid) {
			t.Fatalf("Redeem: %v", err)
		}
	})
	t.Run("no new code after redemption", func(t *testing.T) {
		f := newFixture(t)
		f.request("ar1", "")
		if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SaveCode(ctx, "ar1", "code-again", f.now.Add(time.Minute)); !errors.Is(err, tokens.ErrReplayed) {
			t.Fatalf("SaveCode after redemption: %v", err)
		}
		f.wantLive(true, "t1-access")
	})
}

// TestConcurrentRedeem: 20 exchanges of one code at once; exactly one wins, the others are
// replays, and the replays revoke what the winner got.
func TestConcurrentRedeem(t *testing.T) {
	f := newFixture(t)
	f.request("ar1", "")
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f.svc.Redeem(ctx, "ar1", f.issue(string(rune('a'+i)), "ar1", "")...)
		}()
	}
	close(start)
	wg.Wait()
	ok, replays := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, tokens.ErrReplayed):
			replays++
		default:
			t.Errorf("Redeem: %v", err)
		}
	}
	if ok != 1 || replays != n-1 {
		t.Fatalf("%d succeeded, %d replays; want 1 and %d", ok, replays, n-1)
	}
	for i := range n {
		f.wantLive(false, string(rune('a'+i))+"-access")
	}
}

func TestRefreshLifecycle(t *testing.T) {
	cases := []struct {
		name    string
		present string // id of the refresh token presented
		prepare func(f *fixture)
		check   func(storage.Token) error
		wantErr error
		dead    []string // tokens revoked afterwards
		alive   []string
	}{
		{name: "live refresh token", present: "t1-refresh", alive: []string{"t1-access", "t1-refresh"}},
		{name: "unknown", present: "nope", wantErr: tokens.ErrInvalid},
		{name: "an access token is not a refresh token", present: "t1-access", wantErr: tokens.ErrInvalid, alive: []string{"t1-access"}},
		{name: "spent refresh token replayed revokes its family", present: "t1-refresh",
			prepare: func(f *fixture) {
				if err := f.svc.Rotate(ctx, f.get("t1-refresh"), f.issue("t2", "ar1", "")...); err != nil {
					f.t.Fatal(err)
				}
			}, wantErr: tokens.ErrReplayed, dead: []string{"t1-access", "t2-access", "t2-refresh"}},
		{name: "check runs before the replay rule", present: "t1-refresh",
			prepare: func(f *fixture) {
				if err := f.svc.Rotate(ctx, f.get("t1-refresh"), f.issue("t2", "ar1", "")...); err != nil {
					f.t.Fatal(err)
				}
			}, check: func(storage.Token) error { return errOther }, wantErr: errOther, alive: []string{"t2-access", "t2-refresh"}},
		{name: "expired", present: "t1-refresh", prepare: func(f *fixture) { f.now = f.now.Add(25 * time.Hour) }, wantErr: tokens.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.request("ar1", "")
			if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
				t.Fatal(err)
			}
			if tc.prepare != nil {
				tc.prepare(f)
			}
			_, err := f.svc.Refresh(ctx, tc.present, tc.check)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Refresh: %v, want %v", err, tc.wantErr)
			}
			f.wantLive(false, tc.dead...)
			f.wantLive(true, tc.alive...)
		})
	}
}

var errOther = errors.New("another client's token")

func (f *fixture) get(id string) storage.Token {
	f.t.Helper()
	tok, err := f.svc.Get(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func TestRotate(t *testing.T) {
	f := newFixture(t)
	f.request("ar1", "")
	if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
		t.Fatal(err)
	}
	old := f.get("t1-refresh")
	if err := f.svc.Rotate(ctx, old, f.issue("t2", "ar1", "")...); err != nil {
		t.Fatal(err)
	}
	f.wantLive(true, "t2-access", "t2-refresh")
	// The same refresh token again: the family goes.
	if err := f.svc.Rotate(ctx, old, f.issue("t3", "ar1", "")...); !errors.Is(err, tokens.ErrReplayed) {
		t.Fatalf("replayed Rotate: %v", err)
	}
	f.wantLive(false, "t1-access", "t2-access", "t2-refresh", "t3-access", "t3-refresh")
	// A revoked refresh token is invalid, not a replay.
	if err := f.svc.Rotate(ctx, f.issue("t2", "ar1", "")[1], f.issue("t4", "ar1", "")...); !errors.Is(err, tokens.ErrInvalid) {
		t.Fatalf("Rotate of a revoked token: %v", err)
	}
}

func TestConcurrentRotate(t *testing.T) {
	f := newFixture(t)
	f.request("ar1", "")
	if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
		t.Fatal(err)
	}
	old := f.get("t1-refresh")
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.svc.Rotate(ctx, old, f.issue("r"+string(rune('a'+i)), "ar1", "")...)
		}()
	}
	wg.Wait()
	// The losers are replays; once the first replay has revoked the family, the later ones
	// find the token revoked.
	ok, replays := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, tokens.ErrReplayed):
			replays++
		case !errors.Is(err, tokens.ErrInvalid):
			t.Errorf("Rotate: %v", err)
		}
	}
	if ok != 1 || replays == 0 {
		t.Fatalf("%d rotations succeeded and %d were replays; want 1 and at least 1", ok, replays)
	}
	f.wantLive(false, "t1-access")
}

func TestRevoke(t *testing.T) {
	f := newFixture(t)
	f.request("ar1", "")
	if err := f.svc.Redeem(ctx, "ar1", f.issue("t1", "ar1", "")...); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Rotate(ctx, f.get("t1-refresh"), f.issue("t2", "ar1", "")...); err != nil {
		t.Fatal(err)
	}
	// An access token goes alone.
	if err := f.svc.Revoke(ctx, f.get("t2-access")); err != nil {
		t.Fatal(err)
	}
	f.wantLive(false, "t2-access")
	f.wantLive(true, "t1-access", "t2-refresh")
	// A refresh token takes its family with it.
	if err := f.svc.Revoke(ctx, f.get("t2-refresh")); err != nil {
		t.Fatal(err)
	}
	f.wantLive(false, "t1-access", "t2-refresh")
}

func TestRevokeFamily(t *testing.T) {
	f := newFixture(t)
	f.request("ar1", "")
	f.request("ar2", "")
	if err := f.svc.Redeem(ctx, "ar1", f.issue("a", "ar1", "")...); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Redeem(ctx, "ar2", f.issue("b", "ar2", "")...); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeFamily(ctx, "ar1"); err != nil {
		t.Fatal(err)
	}
	f.wantLive(false, "a-access", "a-refresh")
	f.wantLive(true, "b-access", "b-refresh")
}

// TestSessionLinks: ending a session revokes the families issued in it and no others.
func TestSessionLinks(t *testing.T) {
	f := newFixture(t)
	for _, x := range []struct{ ar, sid string }{{"ar1", "s1"}, {"ar2", "s1"}, {"ar3", "s2"}} {
		f.request(x.ar, x.sid)
		issued := f.issue(x.ar, x.ar, x.sid)
		if err := f.svc.Redeem(ctx, x.ar, issued...); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Link(ctx, x.sid, issued...); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Link(ctx, "", f.issue("x", "x", "")...); err != nil {
		t.Fatalf("no session: %v", err)
	}
	n, err := f.svc.RevokeSession(ctx, "s1")
	if err != nil || n != 2 {
		t.Fatalf("RevokeSession: %d %v", n, err)
	}
	f.wantLive(false, "ar1-access", "ar1-refresh", "ar2-access", "ar2-refresh")
	f.wantLive(true, "ar3-access", "ar3-refresh")
	if n, err := f.svc.RevokeSession(ctx, "s1"); err != nil || n != 0 {
		t.Fatalf("the links are forgotten: %d %v", n, err)
	}
	// A link ends with the family's last token.
	f.now = f.now.Add(25 * time.Hour)
	if n, err := f.svc.RevokeSession(ctx, "s2"); err != nil || n != 0 {
		t.Fatalf("expired link: %d %v", n, err)
	}
}
