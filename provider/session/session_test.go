package session_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

type recorder struct {
	mu    sync.Mutex
	ended []string
}

func (r *recorder) SessionsEnded(_ context.Context, ss []storage.Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range ss {
		r.ended = append(r.ended, s.ID)
	}
}

func newManager(t *testing.T) (*session.Manager, *recorder, *time.Time) {
	t.Helper()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	n := 0
	rec := &recorder{}
	return &session.Manager{
		Store: memory.New(), Cookies: securecookie.New([]byte("0123456789abcdef0123456789abcdef"), []byte("0123456789abcdef")),
		FormKey: []byte("form-key"), Now: func() time.Time { return now },
		NewID:       func() string { n++; return fmt.Sprintf("id-%d", n) },
		IdleTimeout: 15 * time.Minute, Lifetime: 3 * time.Hour, Notifier: rec,
	}, rec, &now
}

// carry copies the cookies a response set onto a new request, as a browser would.
func carry(w *httptest.ResponseRecorder, r *http.Request) {
	for _, c := range w.Result().Cookies() {
		if c.MaxAge >= 0 {
			r.AddCookie(c)
		}
	}
}

func TestFormTokenIsBoundToBrowserRequestAndStep(t *testing.T) {
	m, _, _ := newManager(t)
	w := httptest.NewRecorder()
	bid, err := m.BrowserID(w, httptest.NewRequest("GET", "/login", nil))
	if err != nil {
		t.Fatal(err)
	}
	tok := m.FormToken(bid, "req-1", "login")
	for _, tc := range []struct {
		name, token, request, step string
		cookie                     bool
		want                       bool
	}{
		{"same browser, request and step", tok, "req-1", "login", true, true},
		{"another step", tok, "req-1", "consent", true, false},
		{"another request", tok, "req-2", "login", true, false},
		{"no flow cookie", tok, "req-1", "login", false, false},
		{"empty token", "", "req-1", "login", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {tc.token}}.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.cookie {
				carry(w, r)
			}
			if got := m.CheckForm(r, tc.request, tc.step); got != tc.want {
				t.Errorf("CheckForm = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStartReplacesTheBrowsersSessionAndNotifies(t *testing.T) {
	m, rec, _ := newManager(t)
	ctx := context.Background()
	w1 := httptest.NewRecorder()
	first, err := m.Start(ctx, w1, httptest.NewRequest("POST", "/login", nil), "u1", []string{"pwd"}, "urn:esia:acr:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range w1.Result().Cookies() {
		if c.Name == session.SSOCookie && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge != int((3*time.Hour)/time.Second)) {
			t.Errorf("SSO cookie attributes: %+v", c)
		}
	}
	r2 := httptest.NewRequest("POST", "/login", nil)
	carry(w1, r2)
	second, err := m.Start(ctx, httptest.NewRecorder(), r2, "u1", []string{"pwd"}, "urn:esia:acr:1")
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Fatal("session id carried across a login")
	}
	if _, err := m.Store.GetSession(ctx, first.ID, m.Now()); err == nil {
		t.Error("the previous session still lives")
	}
	if len(rec.ended) != 1 || rec.ended[0] != first.ID {
		t.Errorf("notified %v, want [%s]", rec.ended, first.ID)
	}
}

func TestCurrentSlidesIdleTimeoutAndExpires(t *testing.T) {
	m, _, now := newManager(t)
	ctx := context.Background()
	w := httptest.NewRecorder()
	if _, err := m.Start(ctx, w, httptest.NewRequest("POST", "/login", nil), "u1", nil, ""); err != nil {
		t.Fatal(err)
	}
	req := func() *http.Request { r := httptest.NewRequest("GET", "/account", nil); carry(w, r); return r }
	for i := 0; i < 3; i++ { // 3 × 10 minutes: each page slides the 15-minute idle timeout
		*now = now.Add(10 * time.Minute)
		if _, ok, err := m.Current(ctx, req()); err != nil || !ok {
			t.Fatalf("after %d×10 min: ok=%v err=%v", i+1, ok, err)
		}
	}
	*now = now.Add(16 * time.Minute)
	if _, ok, err := m.Current(ctx, req()); err != nil || ok {
		t.Fatalf("idle 16 min: ok=%v err=%v, want no session", ok, err)
	}
}

func TestEndUserKeepsOneAndNotifiesTheRest(t *testing.T) {
	m, rec, _ := newManager(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 3; i++ {
		s, err := m.Start(ctx, httptest.NewRecorder(), httptest.NewRequest("POST", "/login", nil), "u1", nil, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if err := m.EndUser(ctx, "u1", ids[1]); err != nil {
		t.Fatal(err)
	}
	left, err := m.Store.ListUserSessions(ctx, "u1", m.Now())
	if err != nil || len(left) != 1 || left[0].ID != ids[1] {
		t.Fatalf("left %v, %v", left, err)
	}
	if len(rec.ended) != 2 {
		t.Errorf("notified %v, want the two ended", rec.ended)
	}
	if err := m.End(ctx, "no-such-session"); err != nil {
		t.Errorf("ending a missing session: %v", err)
	}
	if len(rec.ended) != 2 {
		t.Errorf("a missing session notified: %v", rec.ended)
	}
}
