package browser

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// selector is a descendant chain of compound selectors.
type selector []compound

type compound struct {
	tag     string // lower case; "" matches any
	id      string
	classes []string
	attrs   []attrSel
}

type attrSel struct {
	name, value string
	hasValue    bool
}

// parseSelector reads the subset Element.Find documents.
func parseSelector(s string) (selector, error) {
	var sel selector
	for _, part := range strings.Fields(s) {
		c, err := parseCompound(part)
		if err != nil {
			return nil, fmt.Errorf("selector %q: %w", s, err)
		}
		sel = append(sel, c)
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("selector %q is empty", s)
	}
	return sel, nil
}

func mustParseSelector(s string) selector {
	sel, err := parseSelector(s)
	if err != nil {
		panic("browser: " + err.Error())
	}
	return sel
}

func isNameChar(r byte) bool {
	return r == '-' || r == '_' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80
}

func parseCompound(s string) (compound, error) {
	var c compound
	name := func(i int) (string, int) {
		j := i
		for j < len(s) && isNameChar(s[j]) {
			j++
		}
		return s[i:j], j
	}
	i := 0
	if i < len(s) && (isNameChar(s[i]) || s[i] == '*') {
		if s[i] == '*' {
			i++
		} else {
			c.tag, i = name(i)
			c.tag = strings.ToLower(c.tag)
		}
	}
	for i < len(s) {
		switch s[i] {
		case '#', '.':
			kind := s[i]
			n, j := name(i + 1)
			if n == "" {
				return c, fmt.Errorf("empty name after %q", kind)
			}
			if kind == '#' {
				c.id = n
			} else {
				c.classes = append(c.classes, n)
			}
			i = j
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return c, fmt.Errorf("unclosed [")
			}
			body := s[i+1 : i+end]
			i += end + 1
			k, v, hasValue := strings.Cut(body, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "" {
				return c, fmt.Errorf("empty attribute name")
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
				v = v[1 : len(v)-1]
			}
			c.attrs = append(c.attrs, attrSel{name: k, value: v, hasValue: hasValue})
		default:
			return c, fmt.Errorf("unexpected %q (supported: tag, #id, .class, [attr], [attr=value], descendant space)", s[i])
		}
	}
	return c, nil
}

func (c compound) match(n *html.Node) bool {
	if n.Type != html.ElementNode || c.tag != "" && n.Data != c.tag {
		return false
	}
	if c.id != "" {
		if v, _ := attr(n, "id"); v != c.id {
			return false
		}
	}
	if len(c.classes) > 0 {
		v, _ := attr(n, "class")
		have := strings.Fields(v)
		for _, want := range c.classes {
			if !slices.Contains(have, want) {
				return false
			}
		}
	}
	for _, a := range c.attrs {
		v, ok := attr(n, a.name)
		if !ok || a.hasValue && v != a.value {
			return false
		}
	}
	return true
}

// match reports whether n matches the whole chain, its ancestors searched up to (not
// including) scope.
func (s selector) match(n, scope *html.Node) bool {
	last := len(s) - 1
	if !s[last].match(n) {
		return false
	}
	i := last - 1
	for a := n.Parent; a != nil && a != scope && i >= 0; a = a.Parent {
		if s[i].match(a) {
			i--
		}
	}
	return i < 0
}
