package web

import (
	"html/template"
	"sort"
	"strings"
)

// FieldErrors are a form's problems by the id of the field they are about: each is shown next
// to its field (Msg) and tied to it for assistive technology (Attrs: aria-invalid and
// aria-describedby pointing at the message).
type FieldErrors map[string]string

// Add records a problem for a field; a second problem for the same field is appended.
func (f FieldErrors) Add(id, msg string) {
	if old := f[id]; old != "" {
		msg = old + " " + msg
	}
	f[id] = msg
}

// Attrs are the field's ARIA attributes: aria-describedby lists the ids in also (hints such
// as the password rules) and, when the field has a problem, its message; aria-invalid marks
// the field.
func (f FieldErrors) Attrs(id string, also ...string) template.HTMLAttr {
	ids := append([]string(nil), also...)
	var b strings.Builder
	if f[id] != "" {
		ids = append(ids, id+"-error")
		b.WriteString(`aria-invalid="true" `)
	}
	if len(ids) > 0 {
		b.WriteString(`aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`)
	}
	return template.HTMLAttr(b.String())
}

// Msg is the message shown under the field ("" when it has none).
func (f FieldErrors) Msg(id string) template.HTML {
	msg := f[id]
	if msg == "" {
		return ""
	}
	return template.HTML(`<p class="field-error" id="` + template.HTMLEscapeString(id) + `-error">` + template.HTMLEscapeString(msg) + `</p>`)
}

// FieldProblem is one entry of a form's error summary: the message and the field it links to.
type FieldProblem struct{ Field, Msg string }

// Summary lists the problems for the box above the form, each linking to its field, in the
// order of order (the form's field order), then any others by id.
func (f FieldErrors) Summary(order ...string) []FieldProblem {
	var out []FieldProblem
	seen := map[string]bool{}
	for _, id := range order {
		if f[id] != "" && !seen[id] {
			out, seen[id] = append(out, FieldProblem{id, f[id]}), true
		}
	}
	rest := make([]string, 0, len(f))
	for id := range f {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	for _, id := range rest {
		out = append(out, FieldProblem{id, f[id]})
	}
	return out
}

// copyScript shows the «Скопировать» button of the recovery codes and copies them; without
// scripts the button stays hidden and the codes are plain selectable text.
const copyScript = `(function(){var b=document.getElementById("copy-codes"),c=document.getElementById("recovery-codes"),s=document.getElementById("copy-status");` +
	`if(!b||!c||!navigator.clipboard)return;b.hidden=false;b.addEventListener("click",function(){` +
	`navigator.clipboard.writeText(c.innerText.trim()).then(function(){if(s)s.textContent=b.dataset.done})})})()`
