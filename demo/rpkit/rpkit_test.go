package rpkit

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A session lives for its ttl on the injected clock; a full store makes room from expired
// sessions only and refuses a new one while every session is live.
func TestSessionsExpireAndStayBounded(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	ss := NewSessions[string]("c", time.Hour, 2, func() time.Time { return now })
	start := func(v string) (*http.Cookie, bool) {
		w := httptest.NewRecorder()
		ok := ss.Start(w, httptest.NewRequest("GET", "/", nil), &v)
		if !ok {
			return nil, false
		}
		return w.Result().Cookies()[0], true
	}
	get := func(ck *http.Cookie) *string {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(ck)
		s, _ := ss.Get(r)
		return s
	}
	a, _ := start("a")
	if !a.HttpOnly || a.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Lax", a)
	}
	if _, ok := start("b"); !ok {
		t.Fatal("second session refused")
	}
	if _, ok := start("c"); ok {
		t.Fatal("third session kept in a store of two live sessions")
	}
	if s := get(a); s == nil || *s != "a" {
		t.Fatalf("session a = %v", s)
	}
	now = now.Add(61 * time.Minute)
	if s := get(a); s != nil {
		t.Fatalf("expired session still served: %v", *s)
	}
	if _, ok := start("d"); !ok {
		t.Fatal("a full store of expired sessions refused a new one")
	}
	if n := ss.EndWhere(func(s *string) bool { return *s == "d" }); n != 1 {
		t.Fatalf("EndWhere ended %d sessions, want 1", n)
	}
}

func TestTakeLoginChecksStateOnce(t *testing.T) {
	w := httptest.NewRecorder()
	SetLogin(w, httptest.NewRequest("GET", "/login", nil), "l", "/callback", "st", "nonce", "ver")
	ck := w.Result().Cookies()[0]
	for _, tc := range []struct {
		state string
		n     int
		ok    bool
	}{{"st", 3, true}, {"other", 3, false}, {"", 3, false}, {"st", 2, false}} {
		r := httptest.NewRequest("GET", "/callback", nil)
		r.AddCookie(ck)
		rec := httptest.NewRecorder()
		got, ok := TakeLogin(rec, r, "l", "/callback", tc.n, tc.state)
		if ok != tc.ok || ok && got[2] != "ver" {
			t.Errorf("state %q n %d: %v %v", tc.state, tc.n, got, ok)
		}
		if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
			t.Errorf("state %q: the login cookie was not cleared: %v", tc.state, c)
		}
	}
}
