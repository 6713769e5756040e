package limits

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestAuthorizeParams(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name  string
		q     url.Values
		param string // "" for no error
	}{
		{"small", url.Values{"state": {"s"}, "claims": {"{}"}}, ""},
		{"state at cap", url.Values{"state": {a(MaxState)}}, ""},
		{"state over", url.Values{"state": {a(MaxState + 1)}}, "state"},
		{"nonce over", url.Values{"nonce": {a(MaxState + 1)}}, "nonce"},
		{"second state over", url.Values{"state": {"s", a(MaxState + 1)}}, "state"},
		{"login_hint at cap", url.Values{"login_hint": {a(MaxLoginHint)}}, ""},
		{"login_hint over", url.Values{"login_hint": {a(MaxLoginHint + 1)}}, "login_hint"},
		{"claims at cap", url.Values{"claims": {a(MaxClaims)}}, ""},
		{"claims over", url.Values{"claims": {a(MaxClaims + 1)}}, "claims"},
		{"other over", url.Values{"scope": {a(MaxOtherParam + 1)}}, "scope"},
		{"client_secret large", url.Values{"client_secret": {a(40 << 10)}}, ""},
		{"request over", url.Values{"client_secret": {a(MaxAuthorizeRequest)}}, "request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/authorize?"+tt.q.Encode(), nil)
			if err := r.ParseForm(); err != nil {
				t.Fatal(err)
			}
			err := AuthorizeParams(r)
			var pe *ParamError
			switch {
			case tt.param == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tt.param != "" && (!errors.As(err, &pe) || pe.Param != tt.param):
				t.Fatalf("got %v, want a ParamError for %s", err, tt.param)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	for path, want := range map[string]int64{"/login": FormBody, "/authorize": FormBody, "/admin/api/personas": JSONBody,
		"/oauth/token": JSONBody, "/aas/oauth2/te": JSONBody, "/aas/oauth2/v3/te": JSONBody, "/register": FormBody} {
		if got := BodyLimit(path); got != want {
			t.Errorf("BodyLimit(%s) = %d, want %d", path, got, want)
		}
	}
}
