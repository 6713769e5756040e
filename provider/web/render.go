package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/esia-emulator/esia-emulator/requestid"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/password"
)

//go:embed templates/*.html
var templateFS embed.FS

// stylesheet is every page's look, served at StylePath: one cached file instead of the same
// 4.7 KB in each page, and a content security policy without inline styles.
//
//go:embed static/esia.css
var stylesheet []byte

// Renderer writes the emulator's pages: one parsed template set per page (each page defines
// "content" for the "base" layout), the message catalog, and the pages' security headers.
type Renderer struct {
	catalog   *Catalog
	sets      map[string]*template.Template
	testMode  bool
	log       *slog.Logger
	stylePath string
	bufs      sync.Pool // *bytes.Buffer: pages are rendered into a buffer first
}

// putBuf keeps a page buffer for the next page, unless an unusual page made it large.
func (r *Renderer) putBuf(b *bytes.Buffer) {
	if b.Cap() > 64<<10 {
		return
	}
	b.Reset()
	r.bufs.Put(b)
}

// New parses every page template. testMode shows the test-mode banner on every page.
func New(testMode bool, log *slog.Logger) (*Renderer, error) {
	cat, err := NewCatalog()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	sum := sha256.Sum256(stylesheet)
	r := &Renderer{catalog: cat, sets: map[string]*template.Template{}, testMode: testMode, log: log,
		stylePath: "/static/esia." + hex.EncodeToString(sum[:6]) + ".css"}
	for _, name := range []string{"login", "consent", "message", "home", "debug", "account", "code", "outbox", "register", "recover", "formpost", "logout", "permissions", "agreements", "loginmethods", "qrlogin", "role"} {
		t, err := template.ParseFS(templateFS, "templates/base.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		r.sets[name] = t
	}
	return r, nil
}

// StylePath is the address of the pages' stylesheet. It changes with the stylesheet's content,
// so browsers may keep it forever.
func (r *Renderer) StylePath() string { return r.stylePath }

// ServeStyle answers GET and HEAD of StylePath with the stylesheet, cacheable for a year.
func (r *Renderer) ServeStyle(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(stylesheet)))
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(stylesheet)
}

// Catalog is the renderer's message catalog.
func (r *Renderer) Catalog() *Catalog { return r.catalog }

// T returns the message for key in lang.
func (r *Renderer) T(lang, key string) string { return r.catalog.T(lang, key) }

// Render writes page v with status. Rendering goes to a buffer first so a template error never
// leaves half a page.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, v View) {
	f := v.frame()
	f.TestMode, f.catalog, f.Style = r.testMode, r.catalog, r.stylePath
	f.LangURL = switchURL(req, f.Lang)
	if l, ok := v.(*LoginPage); ok {
		f.labelPersonas(l.Personas)
	}
	if m, ok := v.(*MessagePage); ok && !m.NextActions() {
		m.Links = append(m.Links, Link{Href: "/account", Label: "action.account"})
	}
	if m, ok := v.(*MessagePage); ok && status >= 400 && m.RequestID == "" {
		m.RequestID = requestid.From(req.Context())
	}
	buf, _ := r.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = bytes.NewBuffer(make([]byte, 0, 8<<10))
	}
	defer r.putBuf(buf)
	if err := r.sets[v.template()].ExecuteTemplate(buf, "base", v); err != nil {
		r.log.ErrorContext(req.Context(), "render page", "page", v.template(), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	SecurityHeaders(w.Header())
	if s, ok := v.(interface{ Script() template.JS }); ok {
		w.Header().Set("Content-Security-Policy", scriptCSP(string(s.Script())))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// SecurityHeaders are the headers of every page the emulator renders: no caching, no framing,
// a strict content security policy.
func SecurityHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
}

// scriptCSP is SecurityHeaders' policy plus a page's one script, by its hash (the form_post
// page's submit, the code page's countdown).
func scriptCSP(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "default-src 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'"
}

// InlineStyleHeaders are SecurityHeaders for a page of its own with one inline <style>
// element, style, allowed by its hash (the ESIA diagnostics page).
func InlineStyleHeaders(h http.Header, style string) {
	SecurityHeaders(h)
	sum := sha256.Sum256([]byte(style))
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'; img-src 'self' data:; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'")
}

// Message renders the generic message page (errors, notices) with translated paragraphs.
func (r *Renderer) Message(w http.ResponseWriter, req *http.Request, status int, lang, title string, paragraphs ...string) {
	r.Render(w, req, status, r.MessagePage(lang, title, paragraphs...))
}

// MessagePage is the message page with translated paragraphs, for a caller to add actions to.
func (r *Renderer) MessagePage(lang, title string, paragraphs ...string) *MessagePage {
	d := &MessagePage{Frame: Frame{Lang: lang, Title: title}}
	for _, k := range paragraphs {
		d.Paragraphs = append(d.Paragraphs, r.T(lang, k))
	}
	return d
}

// Expired renders the page of a login that took too long (its request is gone, so the site it
// came from is unknown): «Войти снова» starts a new login into the citizen's account.
func (r *Renderer) Expired(w http.ResponseWriter, req *http.Request, lang string) {
	d := r.MessagePage(lang, "error.expired.title", "error.expired")
	d.Links = []Link{{Href: "/account", Label: "action.relogin"}, {Href: "/", Label: "action.home", Secondary: true}}
	r.Render(w, req, http.StatusBadRequest, d)
}

// NotFound renders the 404 page.
func (r *Renderer) NotFound(w http.ResponseWriter, req *http.Request) {
	d := r.MessagePage(Lang(req, nil), "error.notfound.title", "error.notfound.text")
	d.Links = []Link{{Href: "/", Label: "action.home"}, {Href: "/account", Label: "action.account", Secondary: true}}
	r.Render(w, req, http.StatusNotFound, d)
}

// Forbidden renders the 403 page of a form that was not made for this browser and step.
func (r *Renderer) Forbidden(w http.ResponseWriter, req *http.Request) {
	r.Message(w, req, http.StatusForbidden, Lang(req, nil), "error.csrf.title", "error.csrf")
}

// ServerError logs err and renders the "something went wrong" page: 503 when the store is
// unavailable, 500 otherwise; password.ErrBusy gets its own 503 page ("overloaded, try again").
func (r *Renderer) ServerError(w http.ResponseWriter, req *http.Request, err error) {
	if errors.Is(err, password.ErrBusy) { // too many password checks at once: try again shortly
		r.log.WarnContext(req.Context(), "password hashing saturated", "path", req.URL.Path)
		w.Header().Set("Retry-After", "5")
		r.Message(w, req, http.StatusServiceUnavailable, Lang(req, nil), "error.busy.title", "error.busy")
		return
	}
	status := http.StatusInternalServerError
	if errors.Is(err, storage.ErrUnavailable) {
		status = http.StatusServiceUnavailable
	}
	r.log.ErrorContext(req.Context(), "request failed", "path", req.URL.Path, "err", err)
	r.Message(w, req, status, Lang(req, nil), "error.title", "error.server")
}

// JSON writes v as an uncached JSON answer (the admin API, the engine's error rewrites).
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
