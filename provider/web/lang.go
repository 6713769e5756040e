package web

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// Lang picks the page language: the request's ui_locales (passed, or from the query), then
// Accept-Language; Russian by default.
func Lang(r *http.Request, uiLocales []string) string {
	if l := fromLocales(uiLocales); l != "" {
		return l
	}
	if q := r.URL.Query().Get("ui_locales"); q != "" {
		if l := fromLocales(strings.Fields(q)); l != "" {
			return l
		}
		return "ru"
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err == nil {
		for _, t := range tags {
			b, _ := t.Base()
			switch b.String() {
			case "ru":
				return "ru"
			case "en":
				return "en"
			}
		}
	}
	return "ru"
}

func fromLocales(locales []string) string {
	for _, l := range locales {
		switch l = strings.ToLower(l); {
		case strings.HasPrefix(l, "en"):
			return "en"
		case strings.HasPrefix(l, "ru"):
			return "ru"
		}
	}
	return ""
}
