package limits

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Body sizes per route (BodyLimit).
const (
	// FormBody bounds the citizen's forms, the authorization and logout endpoints and
	// everything not listed below.
	FormBody = 64 << 10
	// JSONBody bounds the admin API (personas, clients, keys) and the token endpoints, whose
	// ESIA client_secret carries a CMS signature with its certificate.
	JSONBody = 1 << 20
)

// BodyLimit is the largest body accepted on path.
func BodyLimit(path string) int64 {
	switch {
	case strings.HasPrefix(path, "/admin/api/"),
		path == "/oauth/token", path == "/aas/oauth2/te", path == "/aas/oauth2/v3/te":
		return JSONBody
	}
	return FormBody
}

// UploadPath reports whether path is the one form that uploads a file (the e-signature
// login's detached CMS). Its multipart body is bounded like any form and read in memory by
// its handler (never through Go's spooling multipart parser).
func UploadPath(path string) bool { return path == "/login/ds" }

// jsonPath reports whether path answers machines (JSON errors) rather than browsers (pages).
func jsonPath(path string) bool {
	for _, p := range []string{"/admin/api/", "/oauth/", "/aas/oauth2/te", "/aas/oauth2/v3/te", "/rs/", "/userinfo", "/revoke"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Body is the middleware described in the package comment. Pages renders the refusals a
// browser sees; machine endpoints get {"error": "invalid_request", …}.
type Body struct {
	Pages *web.Renderer
}

// Wrap bounds every request body before next reads it.
func (b *Body) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := BodyLimit(r.URL.Path)
		if r.ContentLength > limit {
			b.refuse(w, r, http.StatusRequestEntityTooLarge, "error.toolarge", fmt.Sprintf("the request body is larger than %d bytes", limit))
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") && !UploadPath(r.URL.Path) {
			b.refuse(w, r, http.StatusUnsupportedMediaType, "error.multipart", "multipart bodies are not accepted; send application/x-www-form-urlencoded")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
			if err := r.ParseForm(); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					b.refuse(w, r, http.StatusRequestEntityTooLarge, "error.toolarge", fmt.Sprintf("the request body is larger than %d bytes", limit))
					return
				}
				b.refuse(w, r, http.StatusBadRequest, "error.unreadable", "the request body could not be read: "+err.Error())
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (b *Body) refuse(w http.ResponseWriter, r *http.Request, status int, key, detail string) {
	w.Header().Set("Connection", "close") // the rest of the body is not read
	if jsonPath(r.URL.Path) {
		web.JSON(w, status, map[string]string{"error": "invalid_request", "error_description": detail})
		return
	}
	lang := web.Lang(r, nil)
	b.Pages.Render(w, r, status, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "error.title"},
		Paragraphs: []string{b.Pages.T(lang, key)}, Details: detail})
}

// Caps of an authorization request (AuthorizeParams).
const (
	MaxAuthorizeRequest = 64 << 10 // the query and the body together
	MaxState            = 2 << 10  // state and nonce
	MaxLoginHint        = 256
	MaxClaims           = 16 << 10
	MaxOtherParam       = 4 << 10 // any other single parameter (scope, redirect_uri, client_secret's CMS …)
)

// ParamError names the parameter (or "request") that is too large.
type ParamError struct {
	Param string
	Max   int
}

func (e *ParamError) Error() string {
	if e.Param == "request" {
		return fmt.Sprintf("the authorization request is larger than %d bytes", e.Max)
	}
	return fmt.Sprintf("%s is longer than %d bytes", e.Param, e.Max)
}

// AuthorizeParams checks an authorization request's size: r's query and parsed form (call
// r.ParseForm first). It returns a *ParamError for the first cap exceeded, nil otherwise.
// ESIA's client_secret (a detached CMS signature with its certificate) may use the whole
// request's budget.
func AuthorizeParams(r *http.Request) error {
	total := len(r.URL.RawQuery)
	for k, vs := range r.PostForm {
		for _, v := range vs {
			total += len(k) + len(v) + 2
		}
	}
	if total > MaxAuthorizeRequest {
		return &ParamError{Param: "request", Max: MaxAuthorizeRequest}
	}
	return checkParams(r.Form)
}

func checkParams(form url.Values) error {
	for k, vs := range form {
		max := MaxOtherParam
		switch k {
		case "state", "nonce":
			max = MaxState
		case "login_hint":
			max = MaxLoginHint
		case "claims":
			max = MaxClaims
		case "client_secret", "client_certificate_hash":
			max = MaxAuthorizeRequest
		}
		for _, v := range vs {
			if len(v) > max {
				return &ParamError{Param: k, Max: max}
			}
		}
	}
	return nil
}

// HoldConnection lets a handler that waits on purpose (the admin outbox's long poll, a
// test-mode delay) outlive the server's ReadTimeout and WriteTimeout: the connection's
// deadlines move to d plus a margin from now. Without it the server would cancel the
// request's context when its read deadline passes and cut the answer at the write deadline.
// The deadlines are the wall clock's (the network's), not the provider's injected clock.
func HoldConnection(w http.ResponseWriter, d time.Duration) {
	rc := http.NewResponseController(w)
	until := time.Now().Add(d + 15*time.Second)
	_ = rc.SetReadDeadline(until) // unsupported writers (recorders in tests) have no deadline to move
	_ = rc.SetWriteDeadline(until)
}
