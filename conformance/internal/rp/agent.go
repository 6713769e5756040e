package rp

import (
	"context"
	"fmt"
	"net/http"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

// userAgent names the suite's browser to the provider.
const userAgent = "esia-emulator-conformance/1 (browser-less)"

// NewBrowser is a fresh browser for one module (a new cookie jar): it follows redirects
// while they stay on the provider and stops at the clients' redirect URIs and the
// post-logout redirect URI, so the suite reads the Location instead of serving them.
func NewBrowser(t *suite.T) *browser.Browser {
	s := t.S
	var provider []string
	for _, u := range []string{s.O.Issuer, s.Disc.AuthorizationEndpoint, s.Disc.EndSessionEndpoint} {
		if u != "" {
			provider = append(provider, u)
		}
	}
	return browser.New(browser.Options{
		Client: s.O.HTTPClient,
		Header: http.Header{"User-Agent": {userAgent}},
		Stop: []browser.StopRule{
			browser.Outside(provider...),
			browser.Prefix(s.Basic.RedirectURI, s.Post.RedirectURI, s.O.PostLogoutRedirectURI),
		},
	})
}

// Credentials of a citizen to log in with.
type Credentials struct{ Login, Password string }

// Creds are the test citizen's credentials.
func Creds(t *suite.T) *Credentials { return &Credentials{t.S.O.Login, t.S.O.Password} }

// AuthOutcome is how an authorization request ended.
type AuthOutcome struct {
	Page          *browser.Page
	LoginShown    bool   // a login form was shown
	LoginRejected bool   // the login form came back after the credentials were submitted
	LoginPrefill  string // the login field's value when the form was first shown
	ConsentShown  bool
}

// interact drives the provider's pages from p on: it logs in (when creds is non-nil) and
// grants consent, until the provider redirects away or shows a page it cannot handle.
func interact(ctx context.Context, b *browser.Browser, form suite.Form, p *browser.Page, creds *Credentials) (*AuthOutcome, error) {
	out := &AuthOutcome{Page: p}
	logins, consents := 0, 0
	for range 8 {
		if p.Redirect != nil {
			return out, nil
		}
		if f, err := p.Form(browser.WithField(form.LoginField, form.PasswordField)); err == nil {
			if !out.LoginShown {
				out.LoginShown, out.LoginPrefill = true, f.Get(form.LoginField)
			}
			if logins > 0 {
				out.LoginRejected = true
			}
			if creds == nil || logins > 0 {
				return out, nil
			}
			logins++
			put(f, form.LoginField, creds.Login)
			put(f, form.PasswordField, creds.Password)
			next, err := submit(ctx, b, p, f, form.LoginAction)
			if err != nil {
				return out, err
			}
			p, out.Page = next, next
			continue
		}
		if f, err := p.Form(browser.WithField(form.ConsentField), browser.WithoutField(form.PasswordField)); err == nil {
			out.ConsentShown = true
			if consents > 0 {
				return out, nil
			}
			consents++
			var click []browser.Click
			if f.HasButton(form.ConsentField, form.ConsentAllow) {
				click = append(click, browser.Button(form.ConsentField, form.ConsentAllow))
			} else {
				put(f, form.ConsentField, form.ConsentAllow)
			}
			next, err := submit(ctx, b, p, f, form.ConsentAction, click...)
			if err != nil {
				return out, err
			}
			p, out.Page = next, next
			continue
		}
		return out, nil
	}
	return out, nil
}

// put gives a control a value: typed into a text field, or the option or box with that
// value chosen; a page whose control is none of those (a script-built form) gets the value
// as a hidden field in its place.
func put(f *browser.Form, name, value string) {
	for _, edit := range []func(*browser.Form) *browser.Form{
		func(f *browser.Form) *browser.Form { return f.Set(name, value) },
		func(f *browser.Form) *browser.Form { return f.Check(name, value) },
	} {
		if edit(f.Clone()).Err() == nil {
			edit(f)
			return
		}
	}
	f.Del(name).Add(name, value)
}

// submit sends a form, to action instead of the form's own when set (pages whose forms
// scripts build).
func submit(ctx context.Context, b *browser.Browser, p *browser.Page, f *browser.Form, action string, click ...browser.Click) (*browser.Page, error) {
	if action != "" {
		u, err := p.URL.Parse(action)
		if err != nil {
			return nil, fmt.Errorf("form action %q: %w", action, err)
		}
		f.Action = u
	}
	return b.Submit(ctx, f, click...)
}

// ConfirmLogout answers a logout confirmation page (a form with a submit button named
// Form.LogoutField) as a person would, by clicking that button, and returns where that led
// with true; any other page is returned as it is, with false.
func ConfirmLogout(t *suite.T, b *browser.Browser, p *browser.Page) (*browser.Page, bool, error) {
	name := t.S.O.Form.LogoutField
	if p.Redirect != nil || name == "" {
		return p, false, nil
	}
	f, err := p.Form(browser.WithField(name))
	if err != nil {
		return p, false, nil
	}
	next, err := b.Submit(t.Ctx, f, browser.ButtonNamed(name))
	return next, true, err
}
