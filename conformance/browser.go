package conformance

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// browser is a browser-less user agent: a cookie jar, redirects followed while they stay on
// the provider, forms filled in by field name. It stops when the provider redirects anywhere
// else (to a relying party): the suite reads the Location instead of serving the callback.
type browser struct {
	s       *suite
	c       *http.Client
	origins map[string]bool // the provider's origins: redirects there are followed
	stops   []*url.URL      // redirects to these (prefix match, query ignored) always stop
}

func (t *T) newBrowser() *browser {
	s := t.s
	jar, _ := cookiejar.New(nil)
	b := &browser{s: s, origins: map[string]bool{},
		c: &http.Client{Transport: s.o.HTTPClient.Transport, Timeout: s.o.HTTPClient.Timeout, Jar: jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, u := range []string{s.o.Issuer, s.disc.AuthorizationEndpoint, s.disc.EndSessionEndpoint} {
		if p, err := url.Parse(u); err == nil && p.Host != "" {
			b.origins[origin(p)] = true
		}
	}
	for _, u := range []string{s.basic.RedirectURI, s.post.RedirectURI, s.o.PostLogoutRedirectURI} {
		b.stopAt(u)
	}
	return b
}

// stopAt makes navigation stop at redirects to u (and below it).
func (b *browser) stopAt(u string) {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		p.RawQuery, p.Fragment = "", ""
		b.stops = append(b.stops, p)
	}
}

func (b *browser) leavesProvider(u *url.URL) bool {
	if !b.origins[origin(u)] {
		return true
	}
	for _, s := range b.stops {
		if origin(s) == origin(u) && strings.HasPrefix(u.Path, s.Path) {
			return true
		}
	}
	return false
}

// page is where a navigation ended.
type page struct {
	URL      *url.URL // the last URL requested
	Status   int
	Header   http.Header
	Body     string
	Redirect *url.URL // set when the provider redirected away from itself
	Hops     []string // every request made, "METHOD URL -> STATUS"
}

// params returns the authorization response parameters of a redirect (query, else fragment).
func (p *page) params() url.Values {
	if p.Redirect == nil {
		return nil
	}
	if q := p.Redirect.Query(); len(q) > 0 {
		return q
	}
	v, _ := url.ParseQuery(p.Redirect.Fragment)
	return v
}

// redirectedTo reports whether the page is a redirect to target (query ignored).
func (p *page) redirectedTo(target string) bool {
	if p.Redirect == nil {
		return false
	}
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	r := *p.Redirect
	r.RawQuery, r.Fragment = "", ""
	u.RawQuery, u.Fragment = "", ""
	return r.String() == u.String()
}

// summary describes the page for check details.
func (p *page) summary() string {
	if p == nil {
		return "no response"
	}
	if p.Redirect != nil {
		return fmt.Sprintf("HTTP %d redirect to %s", p.Status, p.Redirect)
	}
	body := strings.Join(strings.Fields(stripTags(p.Body)), " ")
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("HTTP %d at %s: %q", p.Status, p.URL, body)
}

var tagRE = regexp.MustCompile(`(?s)<style.*?</style>|<script.*?</script>|<[^>]*>`)

func stripTags(s string) string { return html.UnescapeString(tagRE.ReplaceAllString(s, " ")) }

const maxHops = 20

// navigate performs req and follows redirects while they stay on the provider.
func (b *browser) navigate(req *http.Request) (*page, error) {
	p := &page{}
	for range maxHops {
		resp, err := b.c.Do(req)
		if err != nil {
			return p, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			return p, err
		}
		p.URL, p.Status, p.Header, p.Body = req.URL, resp.StatusCode, resp.Header, string(body)
		p.Hops = append(p.Hops, fmt.Sprintf("%s %s -> %d", req.Method, req.URL, resp.StatusCode))
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return p, nil
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return p, fmt.Errorf("bad Location %q: %w", loc, err)
		}
		if b.leavesProvider(next) {
			p.Redirect = next
			return p, nil
		}
		method, bodyFn := http.MethodGet, func() (io.ReadCloser, error) { return nil, nil }
		if (resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusPermanentRedirect) && req.GetBody != nil {
			method, bodyFn = req.Method, req.GetBody
		}
		rc, err := bodyFn()
		if err != nil {
			return p, err
		}
		nreq, err := http.NewRequestWithContext(req.Context(), method, next.String(), rc)
		if err != nil {
			return p, err
		}
		if rc != nil {
			nreq.GetBody = req.GetBody
			nreq.Header.Set("Content-Type", req.Header.Get("Content-Type"))
		}
		copyBrowserHeaders(nreq, req)
		req = nreq
	}
	return p, errors.New("too many redirects")
}

func copyBrowserHeaders(dst, src *http.Request) {
	for _, h := range []string{"Accept-Language", "User-Agent"} {
		if v := src.Header.Get(h); v != "" {
			dst.Header.Set(h, v)
		}
	}
}

func (b *browser) get(ctx context.Context, u string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	browserHeaders(req)
	return b.navigate(req)
}

func (b *browser) postForm(ctx context.Context, u string, form url.Values) (*page, error) {
	enc := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(enc))
	if err != nil {
		return nil, err
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(enc)), nil }
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	browserHeaders(req)
	return b.navigate(req)
}

func browserHeaders(req *http.Request) {
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("User-Agent", "esia-emulator-conformance/1 (browser-less)")
}

// htmlForm is a form found on a page.
type htmlForm struct {
	Action string
	Method string
	Fields []formField // inputs that are submitted as found
	Names  map[string]bool
	Submit []formField // named submit buttons
}

type formField struct{ Name, Value, Type string }

var (
	formRE   = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	inputRE  = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	buttonRE = regexp.MustCompile(`(?is)<button\b([^>]*)>`)
	attrRE   = regexp.MustCompile("(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'=<>`]+)))?")
)

func parseAttrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(a[1])
		if _, dup := m[name]; dup {
			continue
		}
		m[name] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// parseForms finds the forms of an HTML page with their inputs and named buttons.
func parseForms(body string) []htmlForm {
	var forms []htmlForm
	for _, fm := range formRE.FindAllStringSubmatch(body, -1) {
		attrs := parseAttrs(fm[1])
		f := htmlForm{Action: attrs["action"], Method: strings.ToUpper(attrs["method"]), Names: map[string]bool{}}
		if f.Method == "" {
			f.Method = http.MethodGet
		}
		for _, in := range inputRE.FindAllStringSubmatch(fm[2], -1) {
			a := parseAttrs(in[1])
			name, typ := a["name"], strings.ToLower(a["type"])
			if name == "" {
				continue
			}
			f.Names[name] = true
			switch typ {
			case "submit", "image":
				f.Submit = append(f.Submit, formField{Name: name, Value: a["value"], Type: typ})
			case "button", "reset", "file":
			case "checkbox", "radio":
				if _, checked := a["checked"]; checked {
					f.Fields = append(f.Fields, formField{Name: name, Value: orDefault(a["value"], "on"), Type: typ})
				}
			default:
				f.Fields = append(f.Fields, formField{Name: name, Value: a["value"], Type: typ})
			}
		}
		for _, bt := range buttonRE.FindAllStringSubmatch(fm[2], -1) {
			a := parseAttrs(bt[1])
			if a["name"] == "" || (a["type"] != "" && strings.ToLower(a["type"]) != "submit") {
				continue
			}
			f.Names[a["name"]] = true
			f.Submit = append(f.Submit, formField{Name: a["name"], Value: a["value"], Type: "submit"})
		}
		forms = append(forms, f)
	}
	return forms
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// values returns the form's fields with overrides applied.
func (f htmlForm) values(set map[string]string) url.Values {
	v := url.Values{}
	for _, fl := range f.Fields {
		if _, over := set[fl.Name]; !over {
			v.Add(fl.Name, fl.Value)
		}
	}
	for k, val := range set {
		v.Set(k, val)
	}
	return v
}

func (p *page) forms() []htmlForm {
	if p == nil || p.Redirect != nil {
		return nil
	}
	return parseForms(p.Body)
}

// loginForm returns the page's login form: the one with both the login and password fields.
func (b *browser) loginForm(p *page) (htmlForm, bool) {
	for _, f := range p.forms() {
		if f.Names[b.s.o.Form.LoginField] && f.Names[b.s.o.Form.PasswordField] {
			return f, true
		}
	}
	return htmlForm{}, false
}

// consentForm returns the page's consent form: the one with the consent control.
func (b *browser) consentForm(p *page) (htmlForm, bool) {
	for _, f := range p.forms() {
		if f.Names[b.s.o.Form.ConsentField] && !f.Names[b.s.o.Form.PasswordField] {
			return f, true
		}
	}
	return htmlForm{}, false
}

// fieldValue returns the value a form shows in a field.
func (f htmlForm) fieldValue(name string) string {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return fl.Value
		}
	}
	return ""
}

// submit sends a form the way a browser would.
func (b *browser) submit(ctx context.Context, p *page, f htmlForm, action string, v url.Values) (*page, error) {
	if action == "" {
		action = f.Action
	}
	target, err := p.URL.Parse(action) // an empty action is the page itself
	if err != nil {
		return nil, fmt.Errorf("form action %q: %w", action, err)
	}
	if f.Method == http.MethodPost {
		return b.postForm(ctx, target.String(), v)
	}
	target.RawQuery = v.Encode()
	return b.get(ctx, target.String())
}

// credentials of a citizen to log in with.
type credentials struct{ login, password string }

// authOutcome is how an authorization request ended.
type authOutcome struct {
	Page          *page
	LoginShown    bool   // a login form was shown
	LoginRejected bool   // the login form came back after the credentials were submitted
	LoginPrefill  string // the login field's value when the form was first shown
	ConsentShown  bool
}

// interact drives the provider's pages from p on: it logs in (when creds is non-nil) and
// grants consent, until the provider redirects away or shows a page it cannot handle.
func (b *browser) interact(ctx context.Context, p *page, creds *credentials) (*authOutcome, error) {
	out := &authOutcome{Page: p}
	logins, consents := 0, 0
	for range 8 {
		if p.Redirect != nil {
			return out, nil
		}
		if f, ok := b.loginForm(p); ok {
			if !out.LoginShown {
				out.LoginShown, out.LoginPrefill = true, f.fieldValue(b.s.o.Form.LoginField)
			}
			if logins > 0 {
				out.LoginRejected = true
			}
			if creds == nil || logins > 0 {
				return out, nil
			}
			logins++
			next, err := b.submit(ctx, p, f, b.s.o.Form.LoginAction, f.values(map[string]string{
				b.s.o.Form.LoginField: creds.login, b.s.o.Form.PasswordField: creds.password}))
			if err != nil {
				return out, err
			}
			p, out.Page = next, next
			continue
		}
		if f, ok := b.consentForm(p); ok {
			out.ConsentShown = true
			if consents > 0 {
				return out, nil
			}
			consents++
			next, err := b.submit(ctx, p, f, b.s.o.Form.ConsentAction, f.values(map[string]string{
				b.s.o.Form.ConsentField: b.s.o.Form.ConsentAllow}))
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
