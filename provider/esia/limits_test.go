package esia_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAuthorizeSizeCaps: ESIA's authorization endpoints refuse oversized requests and
// parameters with invalid_request (ESIA-007003) at the registered redirect_uri, without
// echoing an oversized state, and on a page when the redirect_uri is not trusted.
func TestAuthorizeSizeCaps(t *testing.T) {
	e := newEnv(t)
	big := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		mutate func(q url.Values)
		param  string // named in error_description; "" for a page
		page   bool
	}{
		{"state over 2 KiB", func(q url.Values) { q.Set("state", big(2<<10+1)) }, "state", false},
		{"login_hint over 256 B", func(q url.Values) { q.Set("login_hint", big(257)) }, "login_hint", false},
		{"unknown parameter over 4 KiB", func(q url.Values) { q.Set("x", big(4<<10+1)) }, "x", false},
		{"request over 64 KiB", func(q url.Values) {
			for i := range 20 {
				q.Set("p"+string(rune('a'+i)), big(4<<10))
			}
		}, "request", false},
		{"untrusted redirect_uri", func(q url.Values) { q.Set("state", big(3<<10)); q.Set("redirect_uri", "https://evil.example/cb") }, "", true},
	}
	for _, v2 := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(authPath(v2)+" "+tt.name, func(t *testing.T) {
				c := e.rp(rpOff, nil)
				q := c.authParams(v2, "openid fullname", "online", newState())
				tt.mutate(q)
				pg := c.authorize(v2, q)
				if tt.page {
					if pg.Status != http.StatusBadRequest || pg.Redirect != nil {
						t.Fatalf("want a 400 page, got %s", pg.Summary())
					}
					return
				}
				if !pg.RedirectedTo(rpRedir) {
					t.Fatalf("want a redirect to %s, got %s", rpRedir, pg.Summary())
				}
				p := pg.Params()
				if p.Get("error") != "invalid_request" || !strings.HasPrefix(p.Get("error_description"), "ESIA-007003") ||
					!strings.Contains(p.Get("error_description"), "["+tt.param+"]") {
					t.Fatalf("error %q: %q", p.Get("error"), p.Get("error_description"))
				}
				if len(p.Get("state")) > 2<<10 {
					t.Fatalf("an oversized state (%d bytes) was echoed", len(p.Get("state")))
				}
			})
		}
	}
	t.Run("a 2 KiB state is accepted", func(t *testing.T) {
		c := e.rp(rpOff, nil)
		q := c.authParams(true, "openid fullname", "online", newState())
		q.Set("login_hint", big(256))
		pg := c.authorize(true, q)
		if !isLoginForm(pg) {
			t.Fatalf("want the login form, got %s", pg.Summary())
		}
	})
}
