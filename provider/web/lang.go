package web

import (
	"net/http"
	"net/url"
	"strings"
)

// LangCookie remembers the language the citizen chose with the language link on a page.
const LangCookie = "esia_lang"

// Lang picks the page language. Russian always, like Gosuslugi, whatever the browser's
// Accept-Language; English only when asked: the language link's choice (its cookie), else the
// request's ui_locales (passed, or from the query).
func Lang(r *http.Request, uiLocales []string) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		if l := fromLocales([]string{c.Value}); l != "" {
			return l
		}
	}
	if l := fromLocales(uiLocales); l != "" {
		return l
	}
	if q := r.URL.Query().Get("ui_locales"); q != "" {
		if l := fromLocales(strings.Fields(q)); l != "" {
			return l
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

// SwitchLang serves the language link (GET /lang?to=en&back=/path): it remembers the choice
// in LangCookie for a year and sends the browser back to the page it came from (a local path
// only; "/" otherwise).
func SwitchLang(w http.ResponseWriter, r *http.Request) {
	to := fromLocales([]string{r.URL.Query().Get("to")})
	if to == "" {
		to = "ru"
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: to, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// localPath is back when it is a path on this site, "/" otherwise (no open redirect).
func localPath(back string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		return "/"
	}
	u, err := url.Parse(back)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return back
}

// switchURL is the language link of the page req shows: the other language, and the page to
// come back to (the same address for a GET; for a form's answer, the login flow's step when
// the form carried its request, else the form's path).
func switchURL(req *http.Request, lang string) string {
	to := "en"
	if lang == "en" {
		to = "ru"
	}
	back := req.URL.RequestURI()
	if req.Method == http.MethodGet && req.URL.Path == "/lang" {
		back = "/"
	}
	if req.Method != http.MethodGet {
		back = req.URL.Path
		if id := req.PostForm.Get("authRequestID"); id != "" {
			back = "/login?authRequestID=" + url.QueryEscape(id)
		}
	}
	return "/lang?" + url.Values{"to": {to}, "back": {back}}.Encode()
}
