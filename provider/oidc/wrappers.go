package oidc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/oidc/respond"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Context values set by the routes' interceptors for the op storage adapter.
type ctxKey int

const (
	ctxClientID ctxKey = iota
	ctxAuthorizeExtras
	ctxLogout
	ctxExchange
)

// exchange is what a token request has done so far, for the steps of the engine after it:
// the engine deletes the auth request whose code it has just redeemed, and a redeemed request
// is kept (a replayed code must still be recognised), so that delete needs no store read.
type exchange struct{ redeemed string }

func exchangeFrom(ctx context.Context) *exchange {
	v, _ := ctx.Value(ctxExchange).(*exchange)
	return v
}

// authorizeExtras are authorization request parameters the engine does not parse, and the
// browser the request is bound to from its start.
type authorizeExtras struct{ claims, browserID string }

func authorizeExtrasFrom(ctx context.Context) authorizeExtras {
	v, _ := ctx.Value(ctxAuthorizeExtras).(authorizeExtras)
	return v
}

func clientIDFrom(ctx context.Context) string {
	v, _ := ctx.Value(ctxClientID).(string)
	return v
}

// tokenClientID reads the client id of a token request from Basic auth or the form.
func tokenClientID(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		if v, err := url.QueryUnescape(id); err == nil {
			return v
		}
		return id
	}
	if err := r.ParseForm(); err == nil {
		return r.PostForm.Get("client_id")
	}
	return ""
}

// logoutState carries, through the engine's end_session handler, the browser's session and
// whether it was ended, so the response can clear the cookie.
type logoutState struct {
	sessionID string
	ended     bool
}

func (h *Handler) endSession(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	ls, _ := ctx.Value(ctxLogout).(*logoutState)
	ids := []string{}
	if ls != nil && ls.sessionID != "" {
		ids = append(ids, ls.sessionID)
	}
	if req.IDTokenHintClaims != nil {
		if sid, ok := req.IDTokenHintClaims.Claims["sid"].(string); ok && sid != "" {
			// End the session the token was issued in only if it belongs to the token's subject.
			if s, err := h.Store.GetSession(ctx, sid, h.Now()); err == nil && s.UserID == req.IDTokenHintClaims.Subject {
				ids = append(ids, sid)
			}
		}
	}
	for _, id := range ids {
		s, err := h.Store.GetSession(ctx, id, h.Now())
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("end session: %w", err)
		}
		if err := h.Sessions.End(ctx, id); err != nil {
			return "", fmt.Errorf("end session: %w", err)
		}
		h.Audit.Record(ctx, nil, audit.Event{Type: audit.Logout, UserID: s.UserID, ClientID: req.ClientID, SessionID: s.ID})
		h.Logger.InfoContext(ctx, "session ended by logout", "client_id", req.ClientID)
	}
	if ls != nil {
		ls.ended = true
	}
	return req.RedirectURI, nil
}

// Paths of the engine's endpoints (its defaults).
const (
	PathAuthorize  = "/authorize"
	PathCallback   = "/authorize/callback"
	PathToken      = "/oauth/token"
	PathEndSession = "/end_session"
	PathDiscovery  = "/.well-known/openid-configuration"
	PathIntrospect = "/oauth/introspect"
	PathRevoke     = "/revoke"
)

// discovery serves the engine's document, corrected to what the emulator really supports.
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), h.Issuer)
	d := op.CreateDiscoveryConfig(ctx, h.op, h.op.Storage())
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = respond.Modes()
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodNone}
	d.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost}
	d.RevocationEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodNone}
	d.DeviceAuthorizationEndpoint = ""
	d.CheckSessionIframe = ""
	d.ACRValuesSupported = []string{session.ACROneFactor, session.ACRTwoFactor}
	d.ScopesSupported = scopesSupported()
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

// tokenClient tells the storage adapter which client a token request is for, so ID tokens
// are signed with that client's algorithm.
func (h *Handler) tokenClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RFC 6749 §5.1: token responses must not be cached.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		id := tokenClientID(r)
		ctx := context.WithValue(context.WithValue(r.Context(), ctxClientID, id), ctxExchange, &exchange{})
		cl, ok := h.Clients.Lookup(id)
		if h.Clock == nil || !ok {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if _, off, frozen := h.Clock.State(); off.Abs() < time.Second && !frozen {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		// Test mode with a moved clock: tokens carry the shifted times.
		rec := &bufferWriter{header: http.Header{}}
		next.ServeHTTP(rec, r.WithContext(ctx))
		body := rec.body.Bytes()
		if rec.status == 0 || rec.status == http.StatusOK {
			body = h.shiftIDTokenTimes(body, cl.IDTTL)
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
func (h *Handler) authorizeExtras(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			h.Pages.Message(w, r, http.StatusBadRequest, web.Lang(r, nil), "error.title", "error.badrequest")
			return
		}
		if err := limits.AuthorizeParams(r); err != nil {
			h.authorizeError(w, r, "invalid_request", err.Error())
			return
		}
		if m := r.Form.Get("response_mode"); m != "" && !slices.Contains(respond.Modes(), m) {
			h.authorizeError(w, r, "invalid_request", "response_mode "+m+" is not supported (supported: "+strings.Join(respond.Modes(), ", ")+")")
			return
		}
		if r.Form.Get("request_uri") != "" {
			h.authorizeError(w, r, "request_uri_not_supported", "the request_uri parameter is not supported")
			return
		}
		if cl, ok := h.Clients.Lookup(r.Form.Get("client_id")); ok && r.Form.Get("scope") != "" {
			if _, err := consent.Validate(strings.Fields(r.Form.Get("scope")), cl.Config.Scopes); err != nil {
				h.authorizeError(w, r, "invalid_scope", err.Error())
				return
			}
		}
		// The request is bound to this browser as it is made (flow.LoadRequest checks it), so
		// that the login page only reads it.
		bid, err := h.Sessions.BrowserID(w, r)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), ctxAuthorizeExtras, authorizeExtras{claims: r.Form.Get("claims"), browserID: bid})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authorizeError refuses an authorization request before the engine sees it: with the OAuth
// error at a registered redirect_uri, or an error page when the client or redirect_uri
// cannot be trusted.
func (h *Handler) authorizeError(w http.ResponseWriter, r *http.Request, code, desc string) {
	cl, ok := h.Clients.Lookup(r.Form.Get("client_id"))
	redirect := r.Form.Get("redirect_uri")
	if !ok || !slices.Contains(cl.Config.RedirectURIs, redirect) {
		lang := web.Lang(r, nil)
		h.Pages.Render(w, r, http.StatusBadRequest, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "error.title"},
			Paragraphs: []string{h.Pages.T(lang, "error.badrequest")}, Details: code + ": " + desc + " (and the client or redirect_uri is unknown)"})
		return
	}
	u, err := url.Parse(redirect)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if st := r.Form.Get("state"); st != "" && len(st) <= limits.MaxState { // an oversized state is not echoed
		q.Set("state", st)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// bindCallback lets only the browser that logged in collect the code.
func (h *Handler) bindCallback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ar, err := h.Store.GetAuthRequest(r.Context(), r.URL.Query().Get("id"), h.Now())
		if err == nil && ar.BrowserID != "" && ar.BrowserID != h.Sessions.ReadCookie(r, session.FlowCookie) {
			h.Pages.Message(w, r, http.StatusForbidden, web.Lang(r, ar.UILocales), "error.csrf.title", "error.otherbrowser")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// logoutCookie lets the end_session handler end the browser's session and clears the
// session cookie when it did. A request that does not prove it comes from the relying party
// (no id_token_hint) while the browser has a session is first put to the citizen
// (RP-Initiated Logout 1.0 §2): a page with one button posting the request back with the
// session's form token; only that answer goes on to the engine.
func (h *Handler) logoutCookie(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			h.Pages.Message(w, r, http.StatusBadRequest, web.Lang(r, nil), "error.title", "error.badrequest")
			return
		}
		sid := h.Sessions.ReadCookie(r, session.SSOCookie)
		switch {
		case r.Method == http.MethodPost && r.PostForm.Has("csrf"): // the citizen's answer
			if sid != "" && !h.Sessions.CheckForm(r, sid, formLogout) {
				h.Pages.Forbidden(w, r)
				return
			}
			r = answeredLogout(r)
		case sid != "" && r.Form.Get("id_token_hint") == "":
			h.askLogout(w, r, sid)
			return
		}
		ls := &logoutState{sessionID: sid}
		ctx := context.WithValue(r.Context(), ctxLogout, ls)
		hw := &hookWriter{ResponseWriter: w, before: func(http.ResponseWriter) {
			if ls.ended {
				h.Sessions.ClearCookie(w, session.SSOCookie)
			}
		}}
		next.ServeHTTP(hw, r.WithContext(ctx))
	})
}

// formLogout is the form-token step of the logout question (bound to the browser and its
// SSO session).
const formLogout = "oidc-logout"

// logoutParams are the end_session parameters the question carries to its answer.
func logoutParams() []string {
	return []string{"client_id", "post_logout_redirect_uri", "state", "ui_locales", "logout_hint"}
}

// askLogout shows the logout question.
func (h *Handler) askLogout(w http.ResponseWriter, r *http.Request, sid string) {
	bid, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	page := &web.LogoutPage{Frame: web.Frame{Lang: web.Lang(r, strings.Fields(r.Form.Get("ui_locales"))), Title: "logout.confirm.title"},
		Action: PathEndSession, CSRF: h.Sessions.FormToken(bid, sid, formLogout), ClientName: h.Clients.Name(r.Form.Get("client_id"))}
	for _, k := range logoutParams() {
		if v := r.Form.Get(k); v != "" {
			page.Params = append(page.Params, web.Hidden{Name: k, Value: v})
		}
	}
	h.Pages.Render(w, r, http.StatusOK, page)
}

// answeredLogout is the confirmed logout as the engine's end_session request: a GET with the
// parameters the question carried.
func answeredLogout(r *http.Request) *http.Request {
	q := url.Values{}
	for _, k := range logoutParams() {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	r2 := r.Clone(r.Context())
	r2.Method, r2.Body, r2.ContentLength = http.MethodGet, http.NoBody, 0
	r2.Header.Del("Content-Type")
	r2.URL.RawQuery = q.Encode()
	r2.Form, r2.PostForm = nil, nil
	return r2
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
func (h *Handler) htmlErrors(next http.Handler) http.Handler {
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
		d := &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "error.title"}, Paragraphs: []string{h.Pages.T(lang, "error.badrequest")}, Details: details}
		if ew.status >= 500 || h.Store.Health(r.Context()) != nil {
			ew.status, d.Details = http.StatusServiceUnavailable, ""
			d.Paragraphs = []string{h.Pages.T(lang, "error.server")}
			w.Header().Set("Retry-After", "5")
		}
		for k := range w.Header() {
			if k != "Set-Cookie" {
				w.Header().Del(k)
			}
		}
		h.Pages.Render(w, r, ew.status, d)
	})
}

// jsonOutage answers 503 with the standard temporarily_unavailable error when an engine
// endpoint failed because the store cannot be reached (the engine itself would report a
// misleading invalid_grant or server_error). Other errors pass through unchanged.
func (h *Handler) jsonOutage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &errorWriter{ResponseWriter: w}
		next.ServeHTTP(ew, r)
		if !ew.failed {
			return
		}
		if h.Store.Health(r.Context()) != nil {
			w.Header().Set("Retry-After", "5")
			w.Header().Del("WWW-Authenticate")
			web.JSON(w, http.StatusServiceUnavailable, map[string]string{
				"error": "temporarily_unavailable", "error_description": "the identity provider's store is unavailable; try again shortly"})
			return
		}
		if ew.status == http.StatusNotFound && !strings.Contains(w.Header().Get("Content-Type"), "json") {
			h.Pages.NotFound(w, r) // an unknown address: the emulator's page, not the router's plain text
			return
		}
		w.WriteHeader(ew.status)
		_, _ = w.Write(ew.body.Bytes())
	})
}

// bearerErrors answers a refused access token the RFC 6750 way: 401 with
// WWW-Authenticate: Bearer realm=…, error="invalid_token" (the engine answers 403 for a
// revoked or expired token and a bare 401 for an unreadable one). A request that carries no
// access token at all gets the bare challenge with no error code (RFC 6750 §3.1).
func (h *Handler) bearerErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		realm := `Bearer realm="` + h.Issuer + `"`
		_ = r.ParseForm() // the engine reads access_token from the same form
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") && r.Form.Get("access_token") == "" {
			w.Header().Set("WWW-Authenticate", realm)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
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
		w.Header().Set("WWW-Authenticate", realm+`, error="invalid_token", error_description="`+desc+`"`)
		web.JSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
	})
}

// basicChallenge gives every 401 of a client-authenticated endpoint the Basic challenge.
func (h *Handler) basicChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&challengeWriter{ResponseWriter: w, challenge: `Basic realm="` + h.Issuer + `"`}, r)
	})
}

// clientFirst authenticates the client of a token request before the engine looks at the
// grant (the engine checks the code first, so an unknown client got invalid_grant), and
// gives every 401 the Basic challenge RFC 6749 §5.2 requires.
func (h *Handler) clientFirst(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = &challengeWriter{ResponseWriter: w, challenge: `Basic realm="` + h.Issuer + `"`}
		if r.Method == http.MethodPost {
			if desc := h.clientAuthFailure(r); desc != "" {
				web.JSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": desc})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// clientAuthFailure says why the token request's client is not authenticated, or "" when it
// is (or is a public client, which proves itself with PKCE instead).
func (h *Handler) clientAuthFailure(r *http.Request) string {
	if err := r.ParseForm(); err != nil {
		return "" // the engine answers the malformed request
	}
	switch oidc.GrantType(r.PostForm.Get("grant_type")) {
	case oidc.GrantTypeCode, oidc.GrantTypeRefreshToken:
	default:
		return "" // the engine answers unsupported_grant_type
	}
	id, secret, basic := r.BasicAuth()
	if basic { // RFC 6749 §2.3.1: both are form-urlencoded inside the header
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if r.PostForm.Get("client_assertion") != "" {
		return "client authentication failed: private_key_jwt is not supported"
	}
	if id == "" {
		return "client authentication required (client_secret_basic, client_secret_post, or client_id with PKCE for a public client)"
	}
	cl, ok := h.Clients.Lookup(id)
	switch {
	case !ok:
		return fmt.Sprintf("client authentication failed: unknown client %q", id)
	case cl.Config.Public:
		return ""
	case !cl.SecretMatches(secret):
		return "client authentication failed: the client_secret does not match"
	}
	return ""
}

// challengeWriter adds a WWW-Authenticate challenge to a 401 that has none.
type challengeWriter struct {
	http.ResponseWriter
	challenge string
}

func (c *challengeWriter) WriteHeader(code int) {
	if code == http.StatusUnauthorized && c.Header().Get("WWW-Authenticate") == "" {
		c.Header().Set("WWW-Authenticate", c.challenge)
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *challengeWriter) Write(b []byte) (int, error) { return c.ResponseWriter.Write(b) }

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

// shiftIDTokenTimes rewrites iat and exp of the ID token in a token response to the
// provider's clock (the engine stamps them with the wall clock) and signs it again with the
// same key. Used in test mode when the clock has been moved.
func (h *Handler) shiftIDTokenTimes(body []byte, lifetime time.Duration) []byte {
	var resp map[string]any
	if json.Unmarshal(body, &resp) != nil {
		return body
	}
	raw, ok := resp["id_token"].(string)
	if !ok {
		return body
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(jws.Signatures) != 1 {
		return body
	}
	kid := jws.Signatures[0].Header.KeyID
	key, ok := h.Keys.ByID(kid)
	if !ok {
		return body
	}
	signer, alg := key.Private, key.Alg
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return body
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return body
	}
	now := h.Now()
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(lifetime).Unix()
	newPayload, err := json.Marshal(claims)
	if err != nil {
		return body
	}
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: signer}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return body
	}
	signed, err := js.Sign(newPayload)
	if err != nil {
		return body
	}
	compact, err := signed.CompactSerialize()
	if err != nil {
		return body
	}
	resp["id_token"] = compact
	out, err := json.Marshal(resp)
	if err != nil {
		return body
	}
	return out
}

// storedMode is the response_mode of the authorization request the callback completes.
func (h *Handler) storedMode(r *http.Request) string {
	ar, err := h.Store.GetAuthRequest(r.Context(), r.URL.Query().Get("id"), h.Now())
	if err != nil {
		return ""
	}
	return ar.ResponseMode
}
