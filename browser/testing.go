package browser

import (
	"context"
	"net/url"
)

// TB is the part of testing.TB the test wrapper uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Context() context.Context
}

// Test is a Browser for tests: each method fails the test on an error instead of
// returning it, and uses the test's context.
type Test struct {
	*Browser
	t TB
}

// ForTest wraps b for the test t.
func ForTest(t TB, b *Browser) *Test { return &Test{Browser: b, t: t} }

// Get navigates to rawURL.
func (t *Test) Get(rawURL string) *Page {
	t.t.Helper()
	p, err := t.Browser.Get(t.t.Context(), rawURL)
	if err != nil {
		t.t.Fatalf("%v", err)
	}
	return p
}

// Post sends form to rawURL.
func (t *Test) Post(rawURL string, form url.Values) *Page {
	t.t.Helper()
	p, err := t.Browser.Post(t.t.Context(), rawURL, form)
	if err != nil {
		t.t.Fatalf("%v", err)
	}
	return p
}

// Form returns the page's form that every matcher accepts.
func (t *Test) Form(p *Page, match ...FormMatcher) *Form {
	t.t.Helper()
	f, err := p.Form(match...)
	if err != nil {
		t.t.Fatalf("%v", err)
	}
	return f
}

// Submit sends the form, clicking the button given.
func (t *Test) Submit(f *Form, click ...Click) *Page {
	t.t.Helper()
	p, err := t.Browser.Submit(t.t.Context(), f, click...)
	if err != nil {
		t.t.Fatalf("%v", err)
	}
	return p
}

// Follow navigates to the first link whose text contains text.
func (t *Test) Follow(p *Page, text string) *Page {
	t.t.Helper()
	next, err := t.Browser.Follow(t.t.Context(), p, text)
	if err != nil {
		t.t.Fatalf("%v", err)
	}
	return next
}
