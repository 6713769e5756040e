package web

import (
	"net/http/httptest"
	"testing"
)

// TestEveryMessageHasBothLanguages guards against a key added to one language only.
func TestEveryMessageHasBothLanguages(t *testing.T) {
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for key := range c.m["ru"] {
		if !c.Has("en", key) {
			t.Errorf("%q has no English text", key)
		}
	}
	for key := range c.m["en"] {
		if !c.Has("ru", key) {
			t.Errorf("%q has no Russian text", key)
		}
	}
	if got := c.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
}

func TestLang(t *testing.T) {
	for _, tc := range []struct {
		name, target, accept string
		locales              []string
		want                 string
	}{
		{"default", "/", "", nil, "ru"},
		{"ui_locales passed", "/", "ru", []string{"en-US"}, "en"},
		{"ui_locales first known wins", "/", "", []string{"de", "ru", "en"}, "ru"},
		{"ui_locales query", "/?ui_locales=fr+en", "", nil, "en"},
		{"unknown ui_locales query is Russian", "/?ui_locales=fr", "en", nil, "ru"},
		{"accept-language", "/", "de-DE,en;q=0.8", nil, "en"},
		{"accept-language russian", "/", "ru-RU,en;q=0.5", nil, "ru"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.target, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			if got := Lang(r, tc.locales); got != tc.want {
				t.Errorf("Lang = %q, want %q", got, tc.want)
			}
		})
	}
}
