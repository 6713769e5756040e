package browser_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
)

const rpCallback = "https://rp.example/cb"

// op is a tiny provider: a login form that sets a session cookie, a consent form with two
// buttons, and a redirect to the relying party; each request is recorded.
type op struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []string // "METHOD PATH?QUERY body"
	hdr  []http.Header
}

func newOP(t *testing.T) *op {
	o := &op{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?authRequestID=r1", http.StatusFound)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><body><h1>Вход</h1><form method="post" action="/login">
<input type="hidden" name="authRequestID" value="%s"><input type="hidden" name="csrf" value="c&amp;1">
<input name="login"><input type="password" name="password"><button type="submit">Войти</button></form>
<form method="post" action="/login"><button type="submit" name="persona" value="p1">Persona</button></form></body></html>`, r.URL.Query().Get("authRequestID"))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("password") != "pw" && r.PostFormValue("persona") == "" {
			http.Error(w, "bad password", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/"})
		http.Redirect(w, r, "/consent", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /consent", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err != nil || c.Value != "s1" {
			http.Error(w, "no session", http.StatusForbidden)
			return
		}
		fmt.Fprint(w, `<form method=post action=consent><input type=checkbox name=scope value=email checked>
<input type=checkbox name=scope value=snils><button name=decision value=allow>Да</button><button name=decision value=deny>Нет</button></form>`)
	})
	mux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		http.Redirect(w, r, rpCallback+"?code=c1&state=s&"+url.Values{"got": {r.PostForm.Encode()}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("/echo307", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "<p id=m>%s</p><p id=b>%s</p>", r.Method, b)
	})
	mux.HandleFunc("GET /loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 100)) })
	mux.HandleFunc("GET /formpost", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><body onload="javascript:document.forms[0].submit()"><form method="post" action="%s">
<input type="hidden" name="state" value="s1"/><input type="hidden" name="code" value="c1" /></form></body></html>`, r.URL.Query().Get("to"))
	})
	mux.HandleFunc("GET /refresh", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<meta http-equiv="Refresh" content="0; URL='/echo'">`)
	})
	mux.HandleFunc("GET /hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		o.mu.Lock()
		o.reqs = append(o.reqs, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(body)))
		o.hdr = append(o.hdr, r.Header.Clone())
		o.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *op) last() (string, http.Header) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.reqs[len(o.reqs)-1], o.hdr[len(o.hdr)-1]
}

func TestLoginRoundTrip(t *testing.T) {
	o := newOP(t)
	b := browser.New(browser.Options{Stop: []browser.StopRule{browser.Prefix(rpCallback)},
		Header: http.Header{"Accept-Language": {"ru"}}})
	ctx := t.Context()

	pg, err := b.Get(ctx, o.srv.URL+"/authorize")
	if err != nil {
		t.Fatal(err)
	}
	if pg.URL.String() != o.srv.URL+"/login?authRequestID=r1" || pg.Status != 200 || pg.TextOf("h1") != "Вход" || len(pg.Hops) != 2 {
		t.Fatalf("login page: %s %v", pg.Summary(), pg.Hops)
	}
	f, err := pg.Form(browser.WithField("password"))
	if err != nil {
		t.Fatal(err)
	}
	f.Set("login", "u").Set("password", "pw")
	pg, err = b.Submit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	req, hdr := newOPLast(o)
	if want := "GET /consent"; req != want {
		t.Fatalf("after the login: %q, want %q", req, want)
	}
	if hdr.Get("Accept-Language") != "ru" || hdr.Get("User-Agent") != browser.DefaultUserAgent || hdr.Get("Referer") != o.srv.URL+"/login?authRequestID=r1" {
		t.Fatalf("headers carried across the redirect: %v", hdr)
	}
	if c, ok := b.Cookie(o.srv.URL, "sid"); !ok || c.Value != "s1" {
		t.Fatal("the session cookie is not in the jar")
	}

	consent, err := pg.Form(browser.ByAction("/consent"))
	if err != nil {
		t.Fatal(err)
	}
	pg, err = b.Submit(ctx, consent.Check("scope", "snils").Uncheck("scope", "email"), browser.Button("decision", "allow"))
	if err != nil {
		t.Fatal(err)
	}
	if !pg.RedirectedTo(rpCallback) || pg.Params().Get("code") != "c1" {
		t.Fatalf("want a stop at the callback: %s", pg.Summary())
	}
	if got := pg.Params().Get("got"); got != "decision=allow&scope=snils" {
		t.Fatalf("consent posted %q: want the checked box and only the clicked button", got)
	}
	_, hdr = o.last()
	if hdr.Get("Origin") != o.srv.URL || hdr.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("form POST headers %v", hdr)
	}
}

func newOPLast(o *op) (string, http.Header) { return o.last() }

func TestSubmitErrors(t *testing.T) {
	o := newOP(t)
	b := browser.New(browser.Options{})
	pg, err := b.Get(t.Context(), o.srv.URL+"/login?authRequestID=r1")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := pg.Form()
	if _, err := b.Submit(t.Context(), f.Set("nope", "1")); err == nil || !strings.Contains(err.Error(), `no text field or select named "nope"`) {
		t.Fatalf("a missing field: %v", err)
	}
	f, _ = pg.Form()
	if _, err := b.Submit(t.Context(), f, browser.Button("decision", "allow")); err == nil {
		t.Fatal("a missing button was clicked")
	}
	persona, _ := pg.Form(browser.WithField("persona"))
	pg, err = b.Submit(t.Context(), persona, browser.ButtonText("Persona"))
	if err != nil || pg.Status != 200 {
		t.Fatalf("persona button: %v %s", err, pg.Summary())
	}
	if req, _ := o.last(); req != "GET /consent" {
		t.Fatalf("last request %q", req)
	}
}

func TestNavigation(t *testing.T) {
	o := newOP(t)
	for _, tc := range []struct {
		name  string
		opts  browser.Options
		do    func(b *browser.Browser) (*browser.Page, error)
		check func(t *testing.T, p *browser.Page, err error)
	}{
		{"307 replays the POST body", browser.Options{},
			func(b *browser.Browser) (*browser.Page, error) {
				return b.Post(t.Context(), o.srv.URL+"/echo307", url.Values{"a": {"1", "2"}})
			},
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || p.TextOf("#m") != "POST" || p.TextOf("#b") != "a=1&a=2" {
					t.Fatalf("%v %s", err, p.Summary())
				}
			}},
		{"Outside stops off the provider", browser.Options{Stop: []browser.StopRule{browser.Outside(o.srv.URL)}},
			func(b *browser.Browser) (*browser.Page, error) {
				return b.Post(t.Context(), o.srv.URL+"/consent", url.Values{"decision": {"allow"}})
			},
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || p.Redirect == nil || p.Redirect.Host != "rp.example" || p.Status != http.StatusFound {
					t.Fatalf("%v %s", err, p.Summary())
				}
			}},
		{"too many redirects", browser.Options{MaxRedirects: 3},
			func(b *browser.Browser) (*browser.Page, error) { return b.Get(t.Context(), o.srv.URL+"/loop") },
			func(t *testing.T, p *browser.Page, err error) {
				if !errors.Is(err, browser.ErrTooManyRedirects) {
					t.Fatalf("%v", err)
				}
			}},
		{"the body is bounded", browser.Options{MaxBody: 10},
			func(b *browser.Browser) (*browser.Page, error) { return b.Get(t.Context(), o.srv.URL+"/big") },
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || len(p.Body) != 10 || !p.Truncated {
					t.Fatalf("%v %d %v", err, len(p.Body), p.Truncated)
				}
			}},
		{"a timeout ends a hung request", browser.Options{Timeout: 50_000_000},
			func(b *browser.Browser) (*browser.Page, error) { return b.Get(t.Context(), o.srv.URL+"/hang") },
			func(t *testing.T, p *browser.Page, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("%v", err)
				}
			}},
		{"a cancelled context", browser.Options{},
			func(b *browser.Browser) (*browser.Page, error) {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return b.Get(ctx, o.srv.URL+"/echo")
			},
			func(t *testing.T, p *browser.Page, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("%v", err)
				}
			}},
		{"form_post stops at the callback with the posted values", browser.Options{AutoSubmit: true, Stop: []browser.StopRule{browser.Prefix(rpCallback)}},
			func(b *browser.Browser) (*browser.Page, error) {
				return b.Get(t.Context(), o.srv.URL+"/formpost?to="+url.QueryEscape(rpCallback))
			},
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || !p.RedirectedTo(rpCallback) || p.Params().Get("code") != "c1" || p.Params().Get("state") != "s1" {
					t.Fatalf("%v %s %v", err, p.Summary(), p.Params())
				}
			}},
		{"form_post is submitted when not stopped", browser.Options{AutoSubmit: true},
			func(b *browser.Browser) (*browser.Page, error) {
				return b.Get(t.Context(), o.srv.URL+"/formpost?to=/echo")
			},
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || p.TextOf("#m") != "POST" || p.TextOf("#b") != "state=s1&code=c1" {
					t.Fatalf("%v %s", err, p.Summary())
				}
			}},
		{"without AutoSubmit the form_post page is the page", browser.Options{},
			func(b *browser.Browser) (*browser.Page, error) {
				return b.Get(t.Context(), o.srv.URL+"/formpost?to=/echo")
			},
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || p.Redirect != nil || len(p.Forms()) != 1 {
					t.Fatalf("%v %s", err, p.Summary())
				}
			}},
		{"a zero-delay meta refresh is followed", browser.Options{AutoSubmit: true},
			func(b *browser.Browser) (*browser.Page, error) { return b.Get(t.Context(), o.srv.URL+"/refresh") },
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || p.TextOf("#m") != "GET" || p.URL.Path != "/echo" {
					t.Fatalf("%v %s", err, p.Summary())
				}
			}},
		{"a custom scheme always stops", browser.Options{},
			func(b *browser.Browser) (*browser.Page, error) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, "ru.app:/cb?code=1", http.StatusFound)
				}))
				defer srv.Close()
				return b.Get(t.Context(), srv.URL)
			},
			func(t *testing.T, p *browser.Page, err error) {
				if err != nil || p.Redirect == nil || p.Params().Get("code") != "1" {
					t.Fatalf("%v %s", err, p.Summary())
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.do(browser.New(tc.opts))
			tc.check(t, p, err)
		})
	}
}

func TestStopAtAndFollow(t *testing.T) {
	o := newOP(t)
	b := browser.New(browser.Options{})
	b.StopAt(o.srv.URL + "/login")
	pg, err := b.Get(t.Context(), o.srv.URL+"/authorize")
	if err != nil || !pg.RedirectedTo(o.srv.URL+"/login") || pg.Params().Get("authRequestID") != "r1" {
		t.Fatalf("%v %s", err, pg.Summary())
	}
	page := browser.NewPage(pg.URL, 200, `<a href="/echo">дальше</a>`)
	tb := browser.ForTest(t, b)
	next := tb.Follow(page, "дальше")
	if next.TextOf("#m") != "GET" {
		t.Fatal(next.Summary())
	}
	if _, hdr := o.last(); hdr.Get("Referer") != o.srv.URL+"/authorize" {
		t.Fatalf("Referer %q", hdr.Get("Referer"))
	}
}

func TestForTest(t *testing.T) {
	o := newOP(t)
	b := browser.ForTest(t, browser.New(browser.Options{Stop: []browser.StopRule{browser.Prefix(rpCallback)}}))
	pg := b.Get(o.srv.URL + "/authorize")
	pg = b.Submit(b.Form(pg, browser.WithField("login")).Set("login", "u").Set("password", "pw"))
	pg = b.Submit(b.Form(pg), browser.Button("decision", "deny"))
	if got := pg.Params().Get("got"); got != "decision=deny&scope=email" {
		t.Fatalf("posted %q", got)
	}
	if pg = b.Post(o.srv.URL+"/echo", url.Values{"x": {"y"}}); pg.TextOf("#b") != "x=y" {
		t.Fatal(pg.Summary())
	}
}

// fatalRecorder is a TB that records Fatalf instead of stopping the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, a ...any) { f.msg = fmt.Sprintf(format, a...) }

func TestForTestFails(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	b := browser.ForTest(rec, browser.New(browser.Options{}))
	_ = b.Form(browser.NewPage(nil, 200, "<p>no form</p>"), browser.ByID("x"))
	if !strings.Contains(rec.msg, "no such form") {
		t.Fatalf("Fatalf got %q", rec.msg)
	}
}
