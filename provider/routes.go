package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/session"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/consent"
)

// Paths of the engine's endpoints (its defaults).
const (
	pathAuthorize  = "/authorize"
	pathCallback   = "/authorize/callback"
	pathToken      = "/oauth/token"
	pathEndSession = "/end_session"
	pathDiscovery  = "/.well-known/openid-configuration"
)

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	p.mux = mux
	p.flow.Mount(mux)
	mux.HandleFunc("GET /outbox", p.outboxPage)
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) {
		p.web.Message(w, r, http.StatusOK, web.Lang(r, nil), "loggedout.title", "loggedout.text")
	})
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", p.ready)
	mux.Handle(pathDiscovery, publicCORS(http.HandlerFunc(p.discovery)))
	p.mountAdmin(mux)
	p.mountTestMode(mux)
	p.mountDebug(mux)
	p.mountAccount(mux)
	p.mountGenerate(mux)

	engine := http.Handler(p.op)
	mux.Handle(pathAuthorize, p.issParam(p.htmlErrors(p.authorizeExtras(engine))))
	mux.Handle(pathCallback, p.issParam(p.htmlErrors(p.bindCallback(engine))))
	mux.Handle(pathEndSession, p.htmlErrors(p.logoutCookie(engine)))
	mux.Handle(pathToken, p.jsonOutage(p.tokenClient(engine)))
	mux.Handle("/userinfo", p.jsonOutage(bearerErrors(engine)))
	mux.Handle("/", p.jsonOutage(engine))
	return mux
}

// discovery serves the engine's document, corrected to what the emulator really supports.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.cfg.Issuer)
	d := op.CreateDiscoveryConfig(ctx, p.op, p.op.Storage())
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{"query", "form_post"}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodNone}
	d.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost}
	d.RevocationEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodNone}
	d.DeviceAuthorizationEndpoint = ""
	d.CheckSessionIframe = ""
	d.ACRValuesSupported = []string{session.ACROneFactor, session.ACRTwoFactor}
	d.ScopesSupported = scopesSupported
	d.ClaimsSupported = consent.SupportedClaims()
	d.ClaimsLocalesSupported = nil
	d.RequestURIParameterSupported = false
	d.RequestParameterSupported = false
	d.ClaimsParameterSupported = true
	// Fields the engine's type lacks.
	b, err := json.Marshal(d)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	doc["authorization_response_iss_parameter_supported"] = true // RFC 9207
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(doc)
}

// issParam adds the issuer (RFC 9207) to every authorization response redirect: a redirect
// leaving the provider that carries a code or an error.
func (p *Provider) issParam(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(p.issWriter(w), r)
	})
}

// issWriter adds iss to an OpenID authorization response redirect written through it.
func (p *Provider) issWriter(w http.ResponseWriter) http.ResponseWriter {
	return &hookWriter{ResponseWriter: w, before: func(w http.ResponseWriter) {
		loc := w.Header().Get("Location")
		if loc == "" || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, p.cfg.Issuer+"/") {
			return
		}
		u, err := url.Parse(loc)
		if err != nil {
			return
		}
		q := u.Query()
		if q.Get("code") == "" && q.Get("error") == "" || q.Has("iss") {
			return
		}
		q.Set("iss", p.cfg.Issuer)
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
	}}
}

func (p *Provider) ready(w http.ResponseWriter, r *http.Request) {
	if err := p.store.Health(r.Context()); err != nil {
		p.log.WarnContext(r.Context(), "store not ready", "err", err)
		http.Error(w, "store unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (p *Provider) home(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r, nil)
	d := &web.HomePage{Frame: web.Frame{Lang: lang, Title: "home.title", MainClass: "wide"}, Issuer: p.cfg.Issuer}
	for _, pc := range p.cfg.Personas {
		login := pc.Phone
		if login == "" {
			login = pc.Email
		}
		d.Personas = append(d.Personas, web.PersonaRow{Key: pc.Key, Name: pc.LastName + " " + pc.FirstName + " " + pc.MiddleName, Level: pc.Level, Login: login})
	}
	for _, c := range p.cfg.Clients {
		d.Clients = append(d.Clients, web.ClientRow{ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs})
	}
	p.web.Render(w, r, http.StatusOK, d)
}

// publicCORS lets browser apps read a public document from any origin.
func publicCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			next.ServeHTTP(w, r)
		case http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type")
			w.Header().Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// tokenClient tells the storage adapter which client a token request is for, so ID tokens
// are signed with that client's algorithm.
func (p *Provider) tokenClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RFC 6749 §5.1: token responses must not be cached.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		id := tokenClientID(r)
		ctx := context.WithValue(r.Context(), ctxClientID, id)
		cl, ok := p.clients.Lookup(id)
		if p.clock == nil || !ok {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if _, off, frozen := p.clock.State(); off.Abs() < time.Second && !frozen {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		// Test mode with a moved clock: tokens carry the shifted times.
		rec := &bufferWriter{header: http.Header{}}
		next.ServeHTTP(rec, r.WithContext(ctx))
		body := rec.body.Bytes()
		if rec.status == 0 || rec.status == http.StatusOK {
			body = p.shiftIDTokenTimes(body, cl.IDTTL)
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		if rec.status != 0 {
			w.WriteHeader(rec.status)
		}
		_, _ = w.Write(body)
	})
}

// bufferWriter keeps a whole response to rewrite it.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) WriteHeader(code int)        { b.status = code }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

// authorizeExtras passes the parameters the engine does not parse on to CreateAuthRequest.
func (p *Provider) authorizeExtras(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			p.web.Message(w, r, http.StatusBadRequest, web.Lang(r, nil), "error.title", "error.badrequest")
			return
		}
		if r.Form.Get("request_uri") != "" {
			p.authorizeError(w, r, "request_uri_not_supported", "the request_uri parameter is not supported")
			return
		}
		if cl, ok := p.clients.Lookup(r.Form.Get("client_id")); ok && r.Form.Get("scope") != "" {
			if _, err := consent.Validate(strings.Fields(r.Form.Get("scope")), cl.Config.Scopes); err != nil {
				p.authorizeError(w, r, "invalid_scope", err.Error())
				return
			}
		}
		ctx := context.WithValue(r.Context(), ctxAuthorizeExtras, authorizeExtras{claims: r.Form.Get("claims")})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authorizeError refuses an authorization request before the engine sees it: with the OAuth
// error at a registered redirect_uri, or an error page when the client or redirect_uri
// cannot be trusted.
func (p *Provider) authorizeError(w http.ResponseWriter, r *http.Request, code, desc string) {
	cl, ok := p.clients.Lookup(r.Form.Get("client_id"))
	redirect := r.Form.Get("redirect_uri")
	if !ok || !slices.Contains(cl.Config.RedirectURIs, redirect) {
		lang := web.Lang(r, nil)
		p.web.Render(w, r, http.StatusBadRequest, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "error.title"},
			Paragraphs: []string{p.web.T(lang, "error.badrequest")}, Details: code + ": " + desc + " (and the client or redirect_uri is unknown)"})
		return
	}
	u, err := url.Parse(redirect)
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if st := r.Form.Get("state"); st != "" {
		q.Set("state", st)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// bindCallback lets only the browser that logged in collect the code.
func (p *Provider) bindCallback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar, err := p.store.GetAuthRequest(r.Context(), r.URL.Query().Get("id"), p.now())
		if err == nil && ar.BrowserID != "" && ar.BrowserID != p.sessions.ReadCookie(r, session.FlowCookie) {
			p.web.Message(w, r, http.StatusForbidden, web.Lang(r, ar.UILocales), "error.csrf.title", "error.otherbrowser")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// logoutCookie lets the end_session handler end the browser's session and clears the
// session cookie when it did.
func (p *Provider) logoutCookie(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls := &logoutState{sessionID: p.sessions.ReadCookie(r, session.SSOCookie)}
		ctx := context.WithValue(r.Context(), ctxLogout, ls)
		hw := &hookWriter{ResponseWriter: w, before: func(http.ResponseWriter) {
			if ls.ended {
				p.sessions.ClearCookie(w, session.SSOCookie)
			}
		}}
		next.ServeHTTP(hw, r.WithContext(ctx))
	})
}

// hookWriter runs before once, just before the status line is written.
type hookWriter struct {
	http.ResponseWriter
	before func(http.ResponseWriter)
	done   bool
}

func (h *hookWriter) WriteHeader(code int) {
	if !h.done {
		h.done = true
		h.before(h.ResponseWriter)
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *hookWriter) Write(b []byte) (int, error) {
	if !h.done {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// htmlErrors turns the engine's plain-text and JSON error answers on browser-facing
// endpoints into a page a citizen understands; the original text stays as developer details.
func (p *Provider) htmlErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &errorWriter{ResponseWriter: w}
		next.ServeHTTP(ew, r)
		if !ew.failed {
			return
		}
		details := strings.TrimSpace(ew.body.String())
		var je struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(ew.body.Bytes(), &je) == nil && je.Error != "" {
			details = je.Error
			if je.Description != "" {
				details += ": " + je.Description
			}
		}
		lang := web.Lang(r, nil)
		d := &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "error.title"}, Paragraphs: []string{p.web.T(lang, "error.badrequest")}, Details: details}
		if ew.status >= 500 || p.store.Health(r.Context()) != nil {
			ew.status, d.Details = http.StatusServiceUnavailable, ""
			d.Paragraphs = []string{p.web.T(lang, "error.server")}
			w.Header().Set("Retry-After", "5")
		}
		for k := range w.Header() {
			if k != "Set-Cookie" {
				w.Header().Del(k)
			}
		}
		p.web.Render(w, r, ew.status, d)
	})
}

// jsonOutage answers 503 with the standard temporarily_unavailable error when an engine
// endpoint failed because the store cannot be reached (the engine itself would report a
// misleading invalid_grant or server_error). Other errors pass through unchanged.
func (p *Provider) jsonOutage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &errorWriter{ResponseWriter: w}
		next.ServeHTTP(ew, r)
		if !ew.failed {
			return
		}
		if p.store.Health(r.Context()) != nil {
			w.Header().Set("Retry-After", "5")
			w.Header().Del("WWW-Authenticate")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{
				"error": "temporarily_unavailable", "error_description": "the identity provider's store is unavailable; try again shortly"})
			return
		}
		w.WriteHeader(ew.status)
		_, _ = w.Write(ew.body.Bytes())
	})
}

// bearerErrors answers a refused access token the RFC 6750 way: 401 with
// WWW-Authenticate: Bearer error="invalid_token" (the engine answers 403 for a revoked or
// expired token and a bare 401 for an unreadable one).
func bearerErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &errorWriter{ResponseWriter: w}
		next.ServeHTTP(ew, r)
		if !ew.failed {
			return
		}
		if ew.status != http.StatusUnauthorized && ew.status != http.StatusForbidden {
			w.WriteHeader(ew.status)
			_, _ = w.Write(ew.body.Bytes())
			return
		}
		desc := "the access token is invalid, expired or revoked"
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+desc+`"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
	})
}

// errorWriter buffers a response whose status is 400 or more instead of sending it.
type errorWriter struct {
	http.ResponseWriter
	status      int
	failed      bool
	wroteHeader bool
	body        bytes.Buffer
}

func (e *errorWriter) WriteHeader(code int) {
	if e.wroteHeader {
		return
	}
	e.wroteHeader, e.status = true, code
	if code >= 400 {
		e.failed = true
		return
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *errorWriter) Write(b []byte) (int, error) {
	if !e.wroteHeader {
		e.WriteHeader(http.StatusOK)
	}
	if e.failed {
		return e.body.Write(b)
	}
	return e.ResponseWriter.Write(b)
}
