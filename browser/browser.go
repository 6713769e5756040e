package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxRedirects = 20
	DefaultMaxBody      = 10 << 20 // 10 MiB
	DefaultUserAgent    = "esia-emulator-browser/1"
	defaultAccept       = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
)

// ErrTooManyRedirects is returned when a navigation follows more than Options.MaxRedirects
// redirects.
var ErrTooManyRedirects = errors.New("browser: too many redirects")

// Options configure a Browser. The zero value is usable.
type Options struct {
	// Client supplies the transport (TLS settings) and the timeout of each HTTP request; nil
	// means http.DefaultTransport and no timeout. Its Jar and CheckRedirect are not used: the
	// browser keeps its own jar and follows redirects itself.
	Client *http.Client
	// Jar keeps the cookies; nil means a new in-memory jar.
	Jar http.CookieJar
	// Header is sent with every request (Accept-Language, say). User-Agent defaults to
	// DefaultUserAgent and Accept to what browsers send for pages.
	Header http.Header
	// Stop lists where navigation stops: a redirect to a URL any rule matches is not
	// followed; the page comes back with Redirect set to it. Redirects to schemes other than
	// http and https always stop.
	Stop []StopRule
	// MaxRedirects bounds the redirects one navigation follows; 0 means DefaultMaxRedirects.
	MaxRedirects int
	// MaxBody bounds the bytes read of each response body; 0 means DefaultMaxBody. A longer
	// body is cut there (Page.Truncated).
	MaxBody int64
	// Timeout bounds one navigation (every redirect and body included); 0 means no bound
	// beyond the context and Client's timeout.
	Timeout time.Duration
	// AutoSubmit makes the browser do what a browser with scripts would on pages that need
	// no person: submit a form the page submits on load (response_mode=form_post) and follow
	// a zero-delay <meta http-equiv="refresh">. A stop rule applies to them as to redirects:
	// a stopped form_post comes back with Redirect set to the form's action and Posted to
	// the values it would have posted.
	AutoSubmit bool
}

// StopRule reports whether navigation must stop at (not follow) a redirect to u.
type StopRule func(u *url.URL) bool

// Prefix stops at URLs under any of the prefixes: same scheme and host (case-insensitive)
// and a path that starts with the prefix's path. Query and fragment are ignored, so a
// relying party's redirect URI stops every authorization response sent to it.
func Prefix(prefixes ...string) StopRule {
	var ps []*url.URL
	for _, p := range prefixes {
		if u, err := url.Parse(p); err == nil && u.Host != "" {
			ps = append(ps, u)
		}
	}
	return func(u *url.URL) bool {
		for _, p := range ps {
			if origin(p) == origin(u) && strings.HasPrefix(u.Path, p.Path) {
				return true
			}
		}
		return false
	}
}

// Outside stops at URLs whose origin (scheme://host:port) is none of the given URLs'
// origins: a browser that stays on one provider.
func Outside(urls ...string) StopRule {
	in := map[string]bool{}
	for _, s := range urls {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			in[origin(u)] = true
		}
	}
	return func(u *url.URL) bool { return !in[origin(u)] }
}

func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// Browser is a cookie-keeping user agent without scripts. It is safe for concurrent use,
// though a person's browser would load one page at a time.
type Browser struct {
	o      Options
	client *http.Client

	mu    sync.Mutex
	stops []StopRule
}

// New returns a browser with its own cookie jar (unless Options.Jar is set).
func New(o Options) *Browser {
	if o.Jar == nil {
		o.Jar, _ = cookiejar.New(nil) // never fails without options
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	c := &http.Client{Jar: o.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if o.Client != nil {
		c.Transport, c.Timeout = o.Client.Transport, o.Client.Timeout
	}
	return &Browser{o: o, client: c, stops: append([]StopRule(nil), o.Stop...)}
}

// StopAt adds a Prefix stop rule: later navigations stop at redirects under these URLs.
func (b *Browser) StopAt(prefixes ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stops = append(b.stops, Prefix(prefixes...))
}

// Jar returns the browser's cookie jar.
func (b *Browser) Jar() http.CookieJar { return b.o.Jar }

// Cookie returns the cookie the browser would send to rawURL under name.
func (b *Browser) Cookie(rawURL, name string) (*http.Cookie, bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, false
	}
	for _, c := range b.o.Jar.Cookies(u) {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

func (b *Browser) stopped(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.stops {
		if s(u) {
			return true
		}
	}
	return false
}

// Get navigates to rawURL.
func (b *Browser) Get(ctx context.Context, rawURL string) (*Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("browser: GET %s: %w", rawURL, err)
	}
	return b.Do(req)
}

// Post sends form to rawURL as application/x-www-form-urlencoded, as a form would.
func (b *Browser) Post(ctx context.Context, rawURL string, form url.Values) (*Page, error) {
	req, err := newPost(ctx, rawURL, form)
	if err != nil {
		return nil, err
	}
	return b.Do(req)
}

func newPost(ctx context.Context, rawURL string, form url.Values) (*http.Request, error) {
	return newPostEncoded(ctx, rawURL, form.Encode())
}

func newPostEncoded(ctx context.Context, rawURL, enc string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(enc))
	if err != nil {
		return nil, fmt.Errorf("browser: POST %s: %w", rawURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// Do navigates with a request built by the caller (a verbatim query, an unusual method):
// the browser adds its cookies and headers (keeping those already set) and follows
// redirects. A request with a body needs GetBody to be replayed on a 307 or 308 redirect
// (http.NewRequest sets it for strings, bytes and readers of those).
func (b *Browser) Do(req *http.Request) (*Page, error) {
	if b.o.Timeout > 0 {
		ctx, cancel := context.WithTimeout(req.Context(), b.o.Timeout)
		defer cancel()
		req = req.WithContext(ctx)
	}
	b.setHeaders(req)
	return b.navigate(req)
}

func (b *Browser) setHeaders(req *http.Request) {
	for k, vs := range b.o.Header {
		if req.Header.Get(k) == "" {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", DefaultUserAgent)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", defaultAccept)
	}
}

// carried are the headers a browser keeps across a redirect.
var carried = []string{"Accept", "Accept-Language", "User-Agent", "Referer"}

// navigate performs req and follows redirects (and, with AutoSubmit, meta refreshes and
// auto-posting forms) until a page or a stop.
func (b *Browser) navigate(req *http.Request) (*Page, error) {
	var hops []string
	for range b.o.MaxRedirects + 1 {
		p, err := b.fetch(req)
		if p != nil {
			hops = append(hops, fmt.Sprintf("%s %s -> %d", req.Method, req.URL, p.Status))
			p.Hops = hops
		}
		if err != nil {
			return p, err
		}
		next, err := b.next(req, p)
		if err != nil || next == nil {
			return p, err
		}
		req = next
	}
	return nil, fmt.Errorf("%w (%d)", ErrTooManyRedirects, b.o.MaxRedirects)
}

// fetch sends one request and reads the page.
func (b *Browser) fetch(req *http.Request) (*Page, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("browser: %s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, b.o.MaxBody+1))
	p := &Page{URL: req.URL, Status: resp.StatusCode, Header: resp.Header}
	if int64(len(body)) > b.o.MaxBody {
		body, p.Truncated = body[:b.o.MaxBody], true
	}
	p.Body = string(body)
	if err != nil {
		return p, fmt.Errorf("browser: %s %s: reading the body: %w", req.Method, req.URL, err)
	}
	return p, nil
}

// next returns the request that continues the navigation from p, or nil when p is where it
// ends (setting p.Redirect when it ends at a stopped redirect or form_post).
func (b *Browser) next(req *http.Request, p *Page) (*http.Request, error) {
	ctx := req.Context()
	loc := p.Header.Get("Location")
	if p.Status >= 300 && p.Status <= 399 && loc != "" {
		target, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("browser: bad Location %q: %w", loc, err)
		}
		target.Fragment, target.RawFragment = keepFragment(target, req.URL)
		if b.stopped(target) {
			p.Redirect = target
			return nil, nil
		}
		var nreq *http.Request
		if (p.Status == http.StatusTemporaryRedirect || p.Status == http.StatusPermanentRedirect) && req.Method != http.MethodGet {
			var body io.ReadCloser
			if req.GetBody != nil {
				if body, err = req.GetBody(); err != nil {
					return nil, fmt.Errorf("browser: replaying the body: %w", err)
				}
			}
			if nreq, err = http.NewRequestWithContext(ctx, req.Method, target.String(), body); err != nil {
				return nil, fmt.Errorf("browser: redirect to %s: %w", target, err)
			}
			nreq.GetBody = req.GetBody
			nreq.Header.Set("Content-Type", req.Header.Get("Content-Type"))
		} else if nreq, err = http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil); err != nil {
			return nil, fmt.Errorf("browser: redirect to %s: %w", target, err)
		}
		for _, h := range carried {
			if v := req.Header.Get(h); v != "" {
				nreq.Header.Set(h, v)
			}
		}
		b.setHeaders(nreq)
		return nreq, nil
	}
	if !b.o.AutoSubmit || p.Status < 200 || p.Status > 299 {
		return nil, nil
	}
	if f := p.autoForm(); f != nil {
		if b.stopped(f.Action) {
			p.Redirect, p.Posted = f.Action, f.Values()
			return nil, nil
		}
		nreq, err := b.submitRequest(ctx, p, f, nil)
		if err != nil {
			return nil, err
		}
		b.setHeaders(nreq)
		return nreq, nil
	}
	if target := p.metaRefresh(); target != nil {
		if b.stopped(target) {
			p.Redirect = target
			return nil, nil
		}
		nreq, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("browser: meta refresh to %s: %w", target, err)
		}
		for _, h := range carried {
			if v := req.Header.Get(h); v != "" {
				nreq.Header.Set(h, v)
			}
		}
		b.setHeaders(nreq)
		return nreq, nil
	}
	return nil, nil
}

// keepFragment: a Location without a fragment inherits the request's (RFC 9110 §10.2.2).
func keepFragment(target, from *url.URL) (string, string) {
	if target.Fragment == "" && from.Fragment != "" {
		return from.Fragment, from.RawFragment
	}
	return target.Fragment, target.RawFragment
}

// Submit sends the form the way a browser does: the values of its successful controls, plus
// the name and value of the clicked button (see Button and ButtonText; without one, no
// button is sent, as when a script calls form.submit()), with the form's method to its
// action. An error recorded by Set, Check or Uncheck is returned here.
func (b *Browser) Submit(ctx context.Context, f *Form, click ...Click) (*Page, error) {
	if f.err != nil {
		return nil, f.err
	}
	var btn *control
	for _, c := range click {
		var err error
		if btn, err = c.pick(f); err != nil {
			return nil, err
		}
	}
	req, err := b.submitRequest(ctx, f.page, f, btn)
	if err != nil {
		return nil, err
	}
	return b.Do(req)
}

// submitRequest builds the request a form submission sends.
func (b *Browser) submitRequest(ctx context.Context, from *Page, f *Form, btn *control) (*http.Request, error) {
	if f.Enctype != "" && f.Enctype != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("browser: form %s: enctype %q is not supported", f.Action, f.Enctype)
	}
	enc := encode(f.pairs(btn))
	action := *f.Action
	var req *http.Request
	var err error
	if f.Method == http.MethodPost {
		req, err = newPostEncoded(ctx, action.String(), enc)
	} else {
		action.RawQuery, action.Fragment, action.RawFragment = enc, "", ""
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
	}
	if err != nil {
		return nil, fmt.Errorf("browser: submitting the form: %w", err)
	}
	if from != nil && from.URL != nil {
		if ref := referrer(from.URL, &action); ref != "" {
			req.Header.Set("Referer", ref)
		}
		if f.Method == http.MethodPost {
			req.Header.Set("Origin", origin(from.URL))
		}
	}
	return req, nil
}

// referrer is the Referer a browser sends under the default strict-origin-when-cross-origin
// policy.
func referrer(from, to *url.URL) string {
	if from.Scheme == "https" && to.Scheme != "https" {
		return ""
	}
	if origin(from) != origin(to) {
		return origin(from) + "/"
	}
	r := *from
	r.Fragment, r.RawFragment, r.User = "", "", nil
	return r.String()
}

// Follow navigates to the first link whose text contains text.
func (b *Browser) Follow(ctx context.Context, p *Page, text string) (*Page, error) {
	u, ok := p.Link(text)
	if !ok {
		return nil, fmt.Errorf("browser: no link %q on %s", text, p.Summary())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("browser: GET %s: %w", u, err)
	}
	if ref := referrer(p.URL, u); ref != "" {
		req.Header.Set("Referer", ref)
	}
	return b.Do(req)
}
