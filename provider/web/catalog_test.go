package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode"
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
		name, target, accept, cookie string
		locales                      []string
		want                         string
	}{
		{"default", "/", "", "", nil, "ru"},
		{"ui_locales passed", "/", "ru", "", []string{"en-US"}, "en"},
		{"ui_locales first known wins", "/", "", "", []string{"de", "ru", "en"}, "ru"},
		{"ui_locales query", "/?ui_locales=fr+en", "", "", nil, "en"},
		{"unknown ui_locales query is Russian", "/?ui_locales=fr", "en", "", nil, "ru"},
		{"an English browser still gets Russian", "/", "en-US,en;q=0.9", "", nil, "ru"},
		{"accept-language russian", "/", "ru-RU,en;q=0.5", "", nil, "ru"},
		{"the language link's choice", "/", "", "en", nil, "en"},
		{"the choice beats ui_locales", "/", "", "ru", []string{"en"}, "ru"},
		{"a strange cookie is ignored", "/", "", "de", nil, "ru"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.target, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: LangCookie, Value: tc.cookie})
			}
			if got := Lang(r, tc.locales); got != tc.want {
				t.Errorf("Lang = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSwitchLangRemembersAndGoesBackHome(t *testing.T) {
	for _, tc := range []struct{ target, cookie, location string }{
		{"/lang?to=en&back=%2Flogin%3FauthRequestID%3Dx", "en", "/login?authRequestID=x"},
		{"/lang?to=ru&back=https%3A%2F%2Fevil.example%2F", "ru", "/"},
		{"/lang?to=en&back=%2F%2Fevil.example", "en", "/"},
		{"/lang?to=xx", "ru", "/"},
	} {
		w := httptest.NewRecorder()
		SwitchLang(w, httptest.NewRequest("GET", tc.target, nil))
		res := w.Result()
		if got := res.Header.Get("Location"); got != tc.location {
			t.Errorf("%s: Location %q, want %q", tc.target, got, tc.location)
		}
		if c := res.Cookies(); len(c) != 1 || c[0].Name != LangCookie || c[0].Value != tc.cookie {
			t.Errorf("%s: cookies %v", tc.target, c)
		}
	}
}

// TestEnglishHasNoRussian: an English page has no Russian left in it (the consent page said
// «Доступ к данным»).
func TestEnglishHasNoRussian(t *testing.T) {
	c, err := NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.m["en"] {
		for _, r := range v {
			if unicode.Is(unicode.Cyrillic, r) {
				t.Errorf("en %s: %q", k, v)
				break
			}
		}
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]string{"31.01.1985": "1985-01-31", "1985-01-31": "1985-01-31", " 01.02.2003 ": "2003-02-01", "": ""} {
		if got, ok := DateIn(in); !ok || got != want {
			t.Errorf("DateIn(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"31/01/1985", "32.01.1985", "1985"} {
		if _, ok := DateIn(bad); ok {
			t.Errorf("DateIn(%q) accepted", bad)
		}
	}
	if got := DateOut("1985-01-31"); got != "31.01.1985" {
		t.Errorf("DateOut = %q", got)
	}
}
