package browser

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is where a navigation ended: a page, or a redirect (or form_post) the browser was
// told to stop at.
type Page struct {
	URL       *url.URL    // the last URL requested
	Status    int         // its HTTP status
	Header    http.Header // its response headers
	Body      string      // its body, at most Options.MaxBody bytes
	Truncated bool        // the body was longer than Options.MaxBody
	// Redirect is where the page sent the browser when a stop rule kept it from going
	// there: a Location, or the action of an auto-posting form (then Posted holds its
	// values). Nil when navigation ended on a page.
	Redirect *url.URL
	Posted   url.Values
	Hops     []string // every request of the navigation, "METHOD URL -> STATUS"

	once sync.Once
	doc  *html.Node
}

// NewPage wraps an HTML document fetched some other way (for parsing it with the same
// helpers); u resolves its relative links and form actions and may be nil.
func NewPage(u *url.URL, status int, body string) *Page {
	if u == nil {
		u = &url.URL{}
	}
	return &Page{URL: u, Status: status, Header: http.Header{}, Body: body}
}

// root parses the body once. html.Parse accepts any input, so it never fails on a
// string reader.
func (p *Page) root() *html.Node {
	p.once.Do(func() {
		doc, err := html.Parse(strings.NewReader(p.Body))
		if err != nil {
			doc = &html.Node{Type: html.DocumentNode}
		}
		p.doc = doc
	})
	return p.doc
}

// Params returns the parameters the stopped redirect carried: the posted values of a
// form_post, else the query, else the fragment (an implicit-flow style response).
func (p *Page) Params() url.Values {
	switch {
	case p.Redirect == nil:
		return url.Values{}
	case p.Posted != nil:
		return p.Posted
	case p.Redirect.RawQuery != "":
		return p.Redirect.Query()
	}
	v, _ := url.ParseQuery(p.Redirect.Fragment)
	return v
}

// RedirectedTo reports whether navigation stopped at a redirect to target, query and
// fragment ignored.
func (p *Page) RedirectedTo(target string) bool {
	if p.Redirect == nil {
		return false
	}
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	r := *p.Redirect
	r.RawQuery, r.Fragment, r.RawFragment = "", "", ""
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return r.String() == u.String()
}

// Summary describes the page in one line for error messages: the redirect, or the status,
// URL and the start of the visible text.
func (p *Page) Summary() string {
	if p == nil {
		return "no page"
	}
	if p.Redirect != nil {
		return fmt.Sprintf("HTTP %d redirect to %s", p.Status, p.Redirect)
	}
	text := p.Text()
	if r := []rune(text); len(r) > 200 {
		text = string(r[:200]) + "…"
	}
	return fmt.Sprintf("HTTP %d at %s: %q", p.Status, p.URL, text)
}

// Text is the page's visible text (the body's, without scripts and styles), whitespace
// collapsed, blocks separated by a space.
func (p *Page) Text() string { return p.Root().Find("body").Text() }

// Title is the text of the page's <title>.
func (p *Page) Title() string { return p.Root().Find("title").Text() }

// Root is the document as an Element.
func (p *Page) Root() *Element { return &Element{Node: p.root()} }

// Find returns the first element matching the selector, or nil (see Element.Find).
func (p *Page) Find(selector string) *Element { return p.Root().Find(selector) }

// FindAll returns every element matching the selector in document order.
func (p *Page) FindAll(selector string) []*Element { return p.Root().FindAll(selector) }

// TextOf is the visible text of the first element matching the selector ("" when none).
func (p *Page) TextOf(selector string) string { return p.Find(selector).Text() }

// Link returns the href, resolved against the page, of the first <a> whose visible text
// contains text.
func (p *Page) Link(text string) (*url.URL, bool) {
	for _, a := range p.FindAll("a[href]") {
		if strings.Contains(a.Text(), text) {
			u, err := p.base().Parse(a.Attr("href"))
			return u, err == nil
		}
	}
	return nil, false
}

// base is the URL relative references resolve against: <base href> or the page URL.
func (p *Page) base() *url.URL {
	u := p.URL
	if u == nil {
		u = &url.URL{}
	}
	if b := p.Find("base[href]"); b != nil {
		if bu, err := u.Parse(b.Attr("href")); err == nil {
			return bu
		}
	}
	return u
}

// metaRefresh is the target of a zero-delay <meta http-equiv="refresh">, or nil.
func (p *Page) metaRefresh() *url.URL {
	for _, m := range p.FindAll("meta[content]") {
		if !strings.EqualFold(m.Attr("http-equiv"), "refresh") {
			continue
		}
		delay, target, _ := strings.Cut(m.Attr("content"), ";")
		if d, err := strconv.ParseFloat(strings.TrimSpace(delay), 64); err != nil || d > 0 {
			continue
		}
		target = strings.TrimSpace(target)
		if k, v, ok := strings.Cut(target, "="); ok && strings.EqualFold(strings.TrimSpace(k), "url") {
			target = strings.Trim(strings.TrimSpace(v), `"'`)
		}
		if target == "" {
			continue
		}
		if u, err := p.base().Parse(target); err == nil {
			return u
		}
	}
	return nil
}

// autoForm is the form a page submits as soon as it loads (form_post responses:
// <body onload="document.forms[0].submit()">, or a script calling .submit() on a page
// with a single form), or nil.
func (p *Page) autoForm() *Form {
	forms := p.Forms()
	if len(forms) == 0 {
		return nil
	}
	if body := p.Find("body"); body != nil && strings.Contains(body.Attr("onload"), "submit()") {
		return forms[0]
	}
	if len(forms) == 1 {
		for _, s := range p.FindAll("script") {
			if strings.Contains(s.rawText(), ".submit()") {
				return forms[0]
			}
		}
	}
	return nil
}

// Element is an element of a parsed page. Its methods accept a nil Element (a Find that
// matched nothing) and then return zero values.
type Element struct {
	Node *html.Node
}

// Tag is the element's lower-case tag name.
func (e *Element) Tag() string {
	if e == nil {
		return ""
	}
	return e.Node.Data
}

// Attr returns an attribute's value ("" when absent).
func (e *Element) Attr(name string) string {
	v, _ := e.Lookup(name)
	return v
}

// Lookup returns an attribute's value and whether it is present.
func (e *Element) Lookup(name string) (string, bool) {
	if e == nil {
		return "", false
	}
	return attr(e.Node, name)
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// invisible elements contribute no text.
var invisible = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Template: true, atom.Head: true}

// inline elements do not separate words; every other element does.
var inline = map[atom.Atom]bool{atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true, atom.Cite: true,
	atom.Code: true, atom.Data: true, atom.Dfn: true, atom.Em: true, atom.I: true, atom.Kbd: true, atom.Mark: true,
	atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true, atom.Span: true, atom.Strong: true, atom.Sub: true,
	atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true, atom.Label: true}

// Text is the element's visible text, whitespace collapsed.
func (e *Element) Text() string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if invisible[n.DataAtom] && n != e.Node {
				return
			}
			if !inline[n.DataAtom] {
				b.WriteByte(' ')
				defer b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(e.Node)
	return strings.Join(strings.Fields(b.String()), " ")
}

// rawText is the concatenated text of the element's children (a script's source).
func (e *Element) rawText() string {
	var b strings.Builder
	for c := e.Node.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// Find returns the first descendant matching the selector, or nil. Selectors are a small
// CSS subset: compound selectors of a tag, #id, .class and [attr] or [attr=value] (value
// bare or quoted), joined by spaces (descendant). "form#login input[type=hidden]",
// "td.amount", "[data-oid]". It panics on a selector it cannot parse, as regexp.MustCompile
// does: selectors are literals in code.
func (e *Element) Find(selector string) *Element {
	if all := e.find(selector, true); len(all) > 0 {
		return all[0]
	}
	return nil
}

// FindAll returns every descendant matching the selector, in document order.
func (e *Element) FindAll(selector string) []*Element { return e.find(selector, false) }

// Texts is the visible text of every element matching the selector.
func (e *Element) Texts(selector string) []string {
	var out []string
	for _, m := range e.FindAll(selector) {
		out = append(out, m.Text())
	}
	return out
}

func (e *Element) find(selector string, first bool) []*Element {
	if e == nil {
		return nil
	}
	sel := mustParseSelector(selector)
	var out []*Element
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && sel.match(c, e.Node) {
				out = append(out, &Element{Node: c})
				if first {
					return true
				}
			}
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(e.Node)
	return out
}
