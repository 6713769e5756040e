package respond

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Response modes (OAuth 2.0 Multiple Response Type Encoding Practices, Form Post Response
// Mode): what discovery advertises and what /authorize accepts. "" is the default, query.
const (
	Query    = "query"
	Fragment = "fragment"
	FormPost = "form_post"
)

// Modes are the response modes the emulator supports and advertises.
func Modes() []string { return []string{Query, Fragment, FormPost} }

// responseKeys are the parameters of an authorization response (RFC 6749 §4.1.2, §4.1.2.1,
// OIDC session management, RFC 9207); anything else in a redirect's query belongs to the
// registered redirect_uri.
func responseKeys() []string {
	return []string{"code", "state", "session_state", "error", "error_description", "error_uri", "iss"}
}

// Responder sends authorization responses in the mode the relying party asked for.
type Responder struct {
	Issuer string
	Pages  *web.Renderer
}

// Wrap makes every authorization response written through next — a redirect leaving
// the provider with a code or an error, from the engine or from a wrapper — arrive in the
// response mode the relying party asked for (modeOf), always with iss (RFC 9207). The engine
// itself only ever answers in query (authRequest.GetResponseMode) or, for its own early
// errors, the mode it parsed; either way the answer is taken apart and sent again here.
func (h *Responder) Wrap(modeOf func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(h.Writer(w, r, modeOf(r)), r)
	})
}

// RequestedMode is the response_mode of an /authorize request when it is one the emulator
// supports, else "" (query; authorizeExtras refuses an unsupported one).
func RequestedMode(r *http.Request) string {
	if err := r.ParseForm(); err != nil {
		return ""
	}
	if m := r.Form.Get("response_mode"); slices.Contains(Modes(), m) {
		return m
	}
	return ""
}

// Writer returns a writer that turns an authorization response redirect written
// through it into the response in mode.
func (h *Responder) Writer(w http.ResponseWriter, r *http.Request, mode string) http.ResponseWriter {
	return &modeWriter{ResponseWriter: w, h: h, r: r, mode: mode}
}

type modeWriter struct {
	http.ResponseWriter
	h        *Responder
	r        *http.Request
	mode     string
	wrote    bool
	replaced bool // the response was sent again in its mode; the engine's body is dropped
}

func (m *modeWriter) WriteHeader(code int) {
	if m.wrote {
		return
	}
	m.wrote = true
	if code >= 300 && code < 400 {
		if target, params, ok := m.h.authResponseIn(m.Header().Get("Location")); ok {
			m.replaced = true
			m.Header().Del("Location")
			m.Header().Del("Content-Type")
			m.h.sendAuthResponse(m.ResponseWriter, m.r, code, target, m.mode, params)
			return
		}
	}
	m.ResponseWriter.WriteHeader(code)
}

func (m *modeWriter) Write(b []byte) (int, error) {
	if !m.wrote {
		m.WriteHeader(http.StatusOK)
	}
	if m.replaced {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}

// authResponseIn takes an authorization response apart: the relying party's address (the
// registered redirect_uri) and the response's parameters, found in the query or the
// fragment. ok is false for any other redirect (one staying on the provider, or carrying
// neither a code nor an error).
func (h *Responder) authResponseIn(loc string) (target *url.URL, params url.Values, ok bool) {
	if loc == "" || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, h.Issuer+"/") {
		return nil, nil, false
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil, nil, false
	}
	params = url.Values{}
	if frag, err := url.ParseQuery(u.Fragment); err == nil && u.Fragment != "" && (frag.Has("code") || frag.Has("error")) {
		params = frag
		u.Fragment, u.RawFragment = "", ""
	} else {
		q := u.Query()
		for _, k := range responseKeys() {
			if q.Has(k) {
				params[k] = q[k]
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	if !params.Has("code") && !params.Has("error") {
		return nil, nil, false
	}
	return u, params, true
}

// sendAuthResponse sends an authorization response to the relying party at target in mode:
// a redirect with the parameters in the query (status, the engine's) or in the fragment, or
// a page posting them (form_post). iss is always among them (RFC 9207).
func (h *Responder) sendAuthResponse(w http.ResponseWriter, r *http.Request, status int, target *url.URL, mode string, params url.Values) {
	params.Set("iss", h.Issuer)
	switch mode {
	case FormPost:
		page := &web.FormPostPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "formpost.title"}, Action: target.String()}
		for _, k := range responseKeys() {
			for _, v := range params[k] {
				page.Params = append(page.Params, web.Hidden{Name: k, Value: v})
			}
		}
		h.Pages.Render(w, r, http.StatusOK, page)
	case Fragment:
		u := *target
		u.Fragment, u.RawFragment = "", ""
		http.Redirect(w, r, u.String()+"#"+params.Encode(), status)
	default:
		u := *target
		q := u.Query()
		for k, vs := range params {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), status)
	}
}
