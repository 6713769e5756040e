package browser

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Form is a form of a page with the state of its controls, changed by Set, Check and the
// like before Browser.Submit sends it.
type Form struct {
	Action  *url.URL // resolved against the page (an empty action is the page itself)
	Method  string   // "GET" or "POST"
	Enctype string   // lower case; "" is application/x-www-form-urlencoded
	ID      string
	Name    string

	page     *Page
	controls []*control
	err      error
}

// control is one form control in document order.
type control struct {
	tag      string // input, button, select, textarea
	typ      string // lower-case input/button type; "" for select and textarea
	name     string
	value    string // inputs, buttons and textareas
	checked  bool   // checkboxes and radios
	disabled bool
	text     string   // a button's visible text
	options  []option // select
	multiple bool     // select
}

type option struct {
	value    string
	selected bool
	disabled bool
}

// Forms returns the page's forms in document order (none for a stopped redirect).
func (p *Page) Forms() []*Form {
	if p.Redirect != nil {
		return nil
	}
	root := p.root()
	base := p.base()
	var forms []*Form
	byID := map[string]*Form{}
	var walk func(n *html.Node, f *Form, disabled bool)
	walk = func(n *html.Node, f *Form, disabled bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			cf, cd := f, disabled
			switch c.DataAtom {
			case atom.Form:
				cf = newForm(p, base, c)
				forms = append(forms, cf)
				if cf.ID != "" {
					byID[cf.ID] = cf
				}
			case atom.Fieldset:
				if _, off := attr(c, "disabled"); off {
					cd = true
				}
			case atom.Legend:
				// The first legend of a disabled fieldset is not disabled.
				if disabled && isFirstLegend(c) {
					if _, off := attr(c.Parent, "disabled"); off {
						cd = false
					}
				}
			case atom.Input, atom.Button, atom.Select, atom.Textarea:
				owner := f
				if id, ok := attr(c, "form"); ok {
					owner = byID[id] // a later form: not supported, like a control of no form
				}
				if owner != nil {
					owner.controls = append(owner.controls, newControl(c, cd))
				}
			}
			walk(c, cf, cd)
		}
	}
	walk(root, nil, false)
	return forms
}

func isFirstLegend(n *html.Node) bool {
	for s := n.PrevSibling; s != nil; s = s.PrevSibling {
		if s.Type == html.ElementNode && s.DataAtom == atom.Legend {
			return false
		}
	}
	return n.Parent != nil && n.Parent.DataAtom == atom.Fieldset
}

func newForm(p *Page, base *url.URL, n *html.Node) *Form {
	f := &Form{page: p, Method: http.MethodGet}
	f.ID, _ = attr(n, "id")
	f.Name, _ = attr(n, "name")
	if m, _ := attr(n, "method"); strings.EqualFold(strings.TrimSpace(m), "post") {
		f.Method = http.MethodPost
	}
	if e, _ := attr(n, "enctype"); f.Method == http.MethodPost {
		f.Enctype = strings.ToLower(strings.TrimSpace(e))
	}
	action, _ := attr(n, "action")
	u, err := base.Parse(strings.TrimSpace(action))
	if err != nil {
		u = base
		f.err = fmt.Errorf("browser: form action %q: %w", action, err)
	}
	f.Action = u
	return f
}

func newControl(n *html.Node, fieldsetDisabled bool) *control {
	c := &control{tag: n.Data}
	c.name, _ = attr(n, "name")
	_, c.disabled = attr(n, "disabled")
	c.disabled = c.disabled || fieldsetDisabled
	switch n.DataAtom {
	case atom.Input:
		t, _ := attr(n, "type")
		c.typ = strings.ToLower(strings.TrimSpace(t))
		if c.typ == "" {
			c.typ = "text"
		}
		c.value, _ = attr(n, "value")
		_, c.checked = attr(n, "checked")
		if (c.typ == "checkbox" || c.typ == "radio") && !hasAttr(n, "value") {
			c.value = "on"
		}
	case atom.Button:
		t, _ := attr(n, "type")
		c.typ = strings.ToLower(strings.TrimSpace(t))
		if c.typ != "reset" && c.typ != "button" {
			c.typ = "submit"
		}
		c.value, _ = attr(n, "value")
		c.text = (&Element{Node: n}).Text()
	case atom.Textarea:
		c.value = (&Element{Node: n}).rawTextAll()
	case atom.Select:
		_, c.multiple = attr(n, "multiple")
		var walk func(*html.Node, bool)
		walk = func(p *html.Node, groupOff bool) {
			for o := p.FirstChild; o != nil; o = o.NextSibling {
				if o.Type != html.ElementNode {
					continue
				}
				switch o.DataAtom {
				case atom.Optgroup:
					walk(o, groupOff || hasAttr(o, "disabled"))
				case atom.Option:
					v, ok := attr(o, "value")
					if !ok {
						v = (&Element{Node: o}).Text()
					}
					c.options = append(c.options, option{value: v, selected: hasAttr(o, "selected"), disabled: groupOff || hasAttr(o, "disabled")})
				}
			}
		}
		walk(n, false)
		c.normalizeSelect()
	}
	return c
}

func hasAttr(n *html.Node, name string) bool { _, ok := attr(n, name); return ok }

// rawTextAll is the element's text content as written (a textarea's value).
func (e *Element) rawTextAll() string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
			walk(c)
		}
	}
	walk(e.Node)
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

// normalizeSelect applies a browser's selectedness rules to a single select: the last
// selected option wins; with none selected, the first enabled option is.
func (c *control) normalizeSelect() {
	if c.multiple {
		return
	}
	last := -1
	for i, o := range c.options {
		if o.selected {
			last = i
		}
		c.options[i].selected = false
	}
	if last < 0 {
		last = slices.IndexFunc(c.options, func(o option) bool { return !o.disabled })
	}
	if last >= 0 {
		c.options[last].selected = true
	}
}

// button reports whether the control is a button (never submitted unless clicked).
func (c *control) button() bool {
	switch c.typ {
	case "submit", "image", "reset", "button":
		return true
	}
	return false
}

// textual reports whether the control's value is what a person types.
func (c *control) textual() bool {
	if c.tag == "textarea" {
		return true
	}
	if c.tag != "input" {
		return false
	}
	switch c.typ {
	case "checkbox", "radio", "submit", "image", "reset", "button", "file":
		return false
	}
	return true
}

// Values are what the form submits without a clicked button: the successful controls'
// names and values, repeated names kept.
func (f *Form) Values() url.Values {
	v := url.Values{}
	for _, p := range f.pairs(nil) {
		v.Add(p[0], p[1])
	}
	return v
}

// pairs is the form data set in document order, with the clicked button (when not nil) at
// its place.
func (f *Form) pairs(clicked *control) [][2]string {
	var out [][2]string
	for _, c := range f.controls {
		if c.name == "" || c.disabled || c.button() && c != clicked {
			continue
		}
		switch {
		case c.tag == "select":
			for _, o := range c.options {
				if o.selected && !o.disabled {
					out = append(out, [2]string{c.name, o.value})
				}
			}
		case c.typ == "checkbox" || c.typ == "radio":
			if c.checked {
				out = append(out, [2]string{c.name, c.value})
			}
		case c.typ == "file":
			out = append(out, [2]string{c.name, ""})
		default:
			out = append(out, [2]string{c.name, c.value})
		}
	}
	return out
}

// encode is application/x-www-form-urlencoded in the given order (url.Values sorts keys).
func encode(pairs [][2]string) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p[1]))
	}
	return b.String()
}

// Get is the first value the form would submit under name ("" when none).
func (f *Form) Get(name string) string { return f.Values().Get(name) }

// Has reports whether the form has a control (buttons included) named name.
func (f *Form) Has(name string) bool {
	return slices.ContainsFunc(f.controls, func(c *control) bool { return c.name == name })
}

// HasButton reports whether the form has an enabled submit button named name with that
// value (see Button).
func (f *Form) HasButton(name, value string) bool {
	_, err := Button(name, value).pick(f)
	return err == nil
}

// Names lists the names of the form's controls, buttons included, each once.
func (f *Form) Names() []string {
	var out []string
	for _, c := range f.controls {
		if c.name != "" && !slices.Contains(out, c.name) {
			out = append(out, c.name)
		}
	}
	return out
}

// Clone is an independent copy of the form: edits of one do not change the other (to
// submit one page's form twice, or try an edit).
func (f *Form) Clone() *Form {
	c := *f
	u := *f.Action
	c.Action = &u
	c.controls = make([]*control, len(f.controls))
	for i, ctl := range f.controls {
		cc := *ctl
		cc.options = slices.Clone(ctl.options)
		c.controls[i] = &cc
	}
	return &c
}

// Err is the first error Set, Check or Uncheck recorded (Submit returns it too).
func (f *Form) Err() error { return f.err }

func (f *Form) fail(format string, a ...any) *Form {
	if f.err == nil {
		f.err = fmt.Errorf("browser: form %s: "+format, append([]any{f.Action}, a...)...)
	}
	return f
}

// Set types value into the first enabled text-like control named name (input or
// textarea), or selects the option with that value of a select named name (the only one,
// unless the select is multiple). Without such a control the form records an error.
func (f *Form) Set(name, value string) *Form {
	for _, c := range f.controls {
		if c.name != name || c.disabled {
			continue
		}
		if c.textual() {
			c.value = value
			return f
		}
		if c.tag == "select" {
			i := slices.IndexFunc(c.options, func(o option) bool { return o.value == value && !o.disabled })
			if i < 0 {
				return f.fail("select %q has no option %q", name, value)
			}
			if !c.multiple {
				for j := range c.options {
					c.options[j].selected = false
				}
			}
			c.options[i].selected = true
			return f
		}
	}
	return f.fail("no text field or select named %q (have %v)", name, f.Names())
}

// Check ticks the checkbox or radio named name with that value (a radio unticks the
// others of its name); for a multiple select, it selects the option.
func (f *Form) Check(name, value string) *Form { return f.tick(name, value, true) }

// Uncheck unticks the checkbox named name with that value (or deselects a multiple
// select's option).
func (f *Form) Uncheck(name, value string) *Form { return f.tick(name, value, false) }

func (f *Form) tick(name, value string, on bool) *Form {
	for _, c := range f.controls {
		if c.name != name || c.disabled {
			continue
		}
		switch {
		case (c.typ == "checkbox" || c.typ == "radio") && c.value == value:
			if on && c.typ == "radio" {
				for _, o := range f.controls {
					if o.typ == "radio" && o.name == name {
						o.checked = false
					}
				}
			}
			c.checked = on
			return f
		case c.tag == "select" && c.multiple:
			if i := slices.IndexFunc(c.options, func(o option) bool { return o.value == value }); i >= 0 {
				c.options[i].selected = on
				return f
			}
		}
	}
	return f.fail("no checkbox or radio %s=%q", name, value)
}

// Checked lists the values of the ticked checkboxes and radios named name.
func (f *Form) Checked(name string) []string {
	var out []string
	for _, c := range f.controls {
		if c.name == name && c.checked && (c.typ == "checkbox" || c.typ == "radio") {
			out = append(out, c.value)
		}
	}
	return out
}

// Add appends a hidden field — what a page's script would add, or a tampered request.
func (f *Form) Add(name, value string) *Form {
	f.controls = append(f.controls, &control{tag: "input", typ: "hidden", name: name, value: value})
	return f
}

// Del removes every control named name: the form no longer submits it.
func (f *Form) Del(name string) *Form {
	f.controls = slices.DeleteFunc(f.controls, func(c *control) bool { return c.name == name })
	return f
}

// Click chooses the button a submission is made with (Button, ButtonText).
type Click struct {
	pick func(f *Form) (*control, error)
}

// Button clicks the enabled submit button (button or input type submit/image) named name
// with that value.
func Button(name, value string) Click {
	return Click{func(f *Form) (*control, error) {
		for _, c := range f.controls {
			if (c.typ == "submit" || c.typ == "image") && !c.disabled && c.name == name && c.value == value {
				return c, nil
			}
		}
		return nil, fmt.Errorf("browser: form %s has no submit button %s=%q", f.Action, name, value)
	}}
}

// ButtonNamed clicks the first enabled submit button (button or input type submit/image)
// named name, whatever its value.
func ButtonNamed(name string) Click {
	return Click{func(f *Form) (*control, error) {
		for _, c := range f.controls {
			if (c.typ == "submit" || c.typ == "image") && !c.disabled && c.name == name {
				return c, nil
			}
		}
		return nil, fmt.Errorf("browser: form %s has no submit button named %s", f.Action, name)
	}}
}

// ButtonText clicks the first enabled submit button whose visible text (or, for an input,
// value) contains text.
func ButtonText(text string) Click {
	return Click{func(f *Form) (*control, error) {
		for _, c := range f.controls {
			if c.typ != "submit" || c.disabled {
				continue
			}
			label := c.text
			if c.tag == "input" {
				label = c.value
			}
			if strings.Contains(label, text) {
				return c, nil
			}
		}
		return nil, fmt.Errorf("browser: form %s has no submit button %q", f.Action, text)
	}}
}

// A FormMatcher chooses a form of a page.
type FormMatcher func(f *Form) bool

// ByAction matches forms whose action is action resolved against the page (a path such
// as "/login" or an absolute URL), query ignored unless action has one.
func ByAction(action string) FormMatcher {
	return func(f *Form) bool {
		want, err := f.page.base().Parse(action)
		if err != nil {
			return false
		}
		got := *f.Action
		got.Fragment, got.RawFragment = "", ""
		if want.RawQuery == "" {
			got.RawQuery = ""
		}
		want.Fragment, want.RawFragment = "", ""
		return got.String() == want.String()
	}
}

// ByID matches the form with that id attribute.
func ByID(id string) FormMatcher { return func(f *Form) bool { return f.ID == id } }

// ByName matches the form with that name attribute.
func ByName(name string) FormMatcher { return func(f *Form) bool { return f.Name == name } }

// WithField matches forms with controls (buttons included) of all these names.
func WithField(names ...string) FormMatcher {
	return func(f *Form) bool {
		for _, n := range names {
			if !f.Has(n) {
				return false
			}
		}
		return true
	}
}

// WithoutField matches forms with no control of any of these names.
func WithoutField(names ...string) FormMatcher {
	return func(f *Form) bool { return !slices.ContainsFunc(names, f.Has) }
}

// Form returns the first form every matcher accepts (the first form when none are given),
// or an error describing the page and its forms.
func (p *Page) Form(match ...FormMatcher) (*Form, error) {
	forms := p.Forms()
	for _, f := range forms {
		if !slices.ContainsFunc(match, func(m FormMatcher) bool { return !m(f) }) {
			return f, nil
		}
	}
	var have []string
	for _, f := range forms {
		have = append(have, fmt.Sprintf("%s %s %v", f.Method, f.Action, f.Names()))
	}
	return nil, fmt.Errorf("browser: no such form on %s; forms: %v", p.Summary(), have)
}
