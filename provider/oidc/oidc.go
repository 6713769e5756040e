package oidc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// Store is what the OIDC adapter needs of the storage.
type Store interface {
	CreateAuthRequest(ctx context.Context, ar storage.AuthRequest) error
	GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (storage.AuthRequest, error)
	SaveAuthCode(ctx context.Context, id, codeHash string, expiresAt, now time.Time) error
	RedeemAuthCode(ctx context.Context, id string, now time.Time, tokens ...storage.Token) error
	CreateTokens(ctx context.Context, tokens ...storage.Token) error
	GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
	RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...storage.Token) error
	RevokeToken(ctx context.Context, id string) error
	RevokeFamily(ctx context.Context, familyID string) error
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error)
	Health(ctx context.Context) error
}

// Clock is test mode's clock: where it stands, how far it is from the wall clock, whether it
// is frozen. Nil outside test mode.
type Clock interface {
	State() (now time.Time, offset time.Duration, frozen bool)
}

// Handler is the OpenID Connect side of the emulator: the zitadel/oidc engine over our store,
// clients and keys, with the wrappers listed in doc.go. Build it with New.
type Handler struct {
	Issuer   string
	Store    Store
	Clients  *clients.Registry
	Keys     *keys.Ring
	Sessions *session.Manager
	Pages    *web.Renderer
	Audit    *audit.Recorder
	Clock    Clock // nil outside test mode
	Now      func() time.Time
	NewID    func() string
	Logger   *slog.Logger
	// CodeTTL and RequestTTL are how long an authorization code and request live.
	CodeTTL, RequestTTL time.Duration

	op     *op.Provider
	secure bool
}

// New builds the engine. h's exported fields must be set.
func New(h *Handler) (*Handler, error) {
	issuer, err := url.Parse(h.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: issuer: %w", err)
	}
	h.secure = issuer.Scheme == "https"
	if h.op, err = h.newOP(); err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	return h, nil
}

// Dialect is how the login flow answers an OpenID Connect relying party (flow.Dialect).
func (h *Handler) Dialect() oidcDialect { return oidcDialect{h} }

// Mount adds the engine's endpoints with their wrappers: discovery, /authorize and its
// callback, /end_session, /oauth/token, /userinfo, and everything else the engine serves
// (/keys, /oauth/introspect, /revoke) as the catch-all "/".
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle(PathDiscovery, publicCORS(http.HandlerFunc(h.discovery)))
	engine := http.Handler(h.op)
	mux.Handle(PathAuthorize, h.issParam(h.htmlErrors(h.authorizeExtras(engine))))
	mux.Handle(PathCallback, h.issParam(h.htmlErrors(h.bindCallback(engine))))
	mux.Handle(PathEndSession, h.htmlErrors(h.logoutCookie(engine)))
	mux.Handle(PathToken, h.jsonOutage(h.tokenClient(engine)))
	mux.Handle("/userinfo", h.jsonOutage(bearerErrors(engine)))
	mux.Handle("/", h.jsonOutage(engine))
}
func (h *Handler) newOP() (*op.Provider, error) {
	var key [32]byte
	copy(key[:], h.Keys.Secret(keys.SecretTokenCrypto))
	conf := &op.Config{
		CryptoKey:                key,
		CryptoKeyId:              "k1",
		DefaultLogoutRedirectURI: h.Issuer + "/logged-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.Russian, language.English},
		SupportedClaims:          consent.SupportedClaims(),
		SupportedScopes:          scopesSupported,
		// Back-Channel Logout 1.0: logout tokens (with sid) are sent by notifyLogout.
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}
	opts := []op.Option{}
	if !h.secure {
		opts = append(opts, op.WithAllowInsecure())
	}
	return op.NewProvider(conf, &opStorage{h}, op.StaticIssuer(h.Issuer), opts...)
}

// Context values set by the routes' interceptors for the op storage adapter.
type ctxKey int

const (
	ctxClientID ctxKey = iota
	ctxAuthorizeExtras
	ctxLogout
)

// authorizeExtras are authorization request parameters the engine does not parse.
type authorizeExtras struct{ claims string }

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
)

// discovery serves the engine's document, corrected to what the emulator really supports.
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), h.Issuer)
	d := op.CreateDiscoveryConfig(ctx, h.op, h.op.Storage())
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
func (h *Handler) issParam(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(h.issWriter(w), r)
	})
}

// issWriter adds iss to an OpenID authorization response redirect written through it.
func (h *Handler) issWriter(w http.ResponseWriter) http.ResponseWriter {
	return &hookWriter{ResponseWriter: w, before: func(w http.ResponseWriter) {
		loc := w.Header().Get("Location")
		if loc == "" || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, h.Issuer+"/") {
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
		q.Set("iss", h.Issuer)
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
	}}
}

// tokenClient tells the storage adapter which client a token request is for, so ID tokens
// are signed with that client's algorithm.
func (h *Handler) tokenClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// RFC 6749 §5.1: token responses must not be cached.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		id := tokenClientID(r)
		ctx := context.WithValue(r.Context(), ctxClientID, id)
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
		ctx := context.WithValue(r.Context(), ctxAuthorizeExtras, authorizeExtras{claims: r.Form.Get("claims")})
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
	if st := r.Form.Get("state"); st != "" {
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
// session cookie when it did.
func (h *Handler) logoutCookie(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ls := &logoutState{sessionID: h.Sessions.ReadCookie(r, session.SSOCookie)}
		ctx := context.WithValue(r.Context(), ctxLogout, ls)
		hw := &hookWriter{ResponseWriter: w, before: func(http.ResponseWriter) {
			if ls.ended {
				h.Sessions.ClearCookie(w, session.SSOCookie)
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
		web.JSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
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
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
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

// opStorage is the op.Storage adapter: the engine's view of our store, clients and keys.
type opStorage struct{ h *Handler }

var (
	_ op.Storage                        = (*opStorage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*opStorage)(nil)
	_ op.CanTerminateSessionFromRequest = (*opStorage)(nil)
)

// hashSecret is the storage form of a code or refresh token: they are never stored in clear.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// errNotFound makes the engine answer "not found" style errors (StorageNotFoundError).
type notFoundError struct{ error }

func (notFoundError) IsNotFound() {}

func (s *opStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	h := s.h
	now := h.Now()
	r := storage.AuthRequest{
		ID:                  h.NewID(),
		ClientID:            req.ClientID,
		RedirectURI:         req.RedirectURI,
		Scopes:              slices.Clone(req.Scopes),
		ResponseType:        string(req.ResponseType),
		ResponseMode:        string(req.ResponseMode),
		State:               req.State,
		Nonce:               req.Nonce,
		CodeChallenge:       req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod),
		Prompt:              slices.Clone(req.Prompt),
		LoginHint:           req.LoginHint,
		ACRValues:           slices.Clone(req.ACRValues),
		HintSubject:         userID,
		Claims:              authorizeExtrasFrom(ctx).claims,
		CreatedAt:           now,
		ExpiresAt:           now.Add(h.RequestTTL),
	}
	// Claims asked for by name need the scopes that cover them: the consent page asks for
	// those, and only what is granted is released.
	if cr, err := consent.ParseClaimsRequest(r.Claims); err == nil && cr != nil {
		r.MinLevel = requestedLevel(cr)
		for _, sc := range consent.ScopesFor(cr.Names()) {
			if !slices.Contains(r.Scopes, sc) {
				r.ClaimScopes = append(r.ClaimScopes, sc)
			}
		}
	}
	if req.CodeChallenge != "" && r.CodeChallengeMethod == "" {
		r.CodeChallengeMethod = string(oidc.CodeChallengeMethodPlain)
	}
	if req.MaxAge != nil {
		v := int64(*req.MaxAge)
		r.MaxAge = &v
	}
	for _, t := range req.UILocales {
		r.UILocales = append(r.UILocales, t.String())
	}
	if err := h.Store.CreateAuthRequest(ctx, r); err != nil {
		if errors.Is(err, storage.ErrUnavailable) {
			// The relying party gets the standard "try again later" answer.
			return nil, oauthError("temporarily_unavailable", "the identity provider's store is unavailable; try again shortly")
		}
		return nil, fmt.Errorf("create auth request: %w", err)
	}
	return &authRequest{r}, nil
}

func (s *opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.h.Store.GetAuthRequest(ctx, id, s.h.Now())
	if err != nil {
		return nil, notFoundError{fmt.Errorf("auth request: %w", err)}
	}
	return &authRequest{r}, nil
}

// AuthRequestByCode finds the request a code was issued for. A code that was redeemed before
// is a replay: every token issued from it is revoked (RFC 6749 §4.1.2).
func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	h := s.h
	r, err := h.Store.AuthRequestByCode(ctx, hashSecret(code), h.Now())
	if err != nil {
		return nil, fmt.Errorf("code: %w", err)
	}
	if r.Redeemed {
		if err := h.Store.RevokeFamily(ctx, r.ID); err != nil {
			return nil, fmt.Errorf("revoke tokens of a replayed code: %w", err)
		}
		h.Logger.WarnContext(ctx, "authorization code replayed; its tokens are revoked", "client_id", r.ClientID, "auth_request", r.ID)
		return nil, errors.New("code already used")
	}
	return &authRequest{r}, nil
}

func (s *opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	now := s.h.Now()
	return s.h.Store.SaveAuthCode(ctx, id, hashSecret(code), now.Add(s.h.CodeTTL), now)
}

func (s *opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.h.Store.DeleteAuthRequest(ctx, id)
}

// newTokens builds the access token (and, with refresh, a refresh token) for a grant.
func (s *opStorage) newTokens(req op.TokenRequest, family string, refresh bool) (access storage.Token, refreshTok *storage.Token, refreshValue string, err error) {
	h := s.h
	now := h.Now()
	var base storage.Token
	switch r := req.(type) {
	case *authRequest:
		base = storage.Token{ClientID: r.r.ClientID, Subject: r.r.UserID, Audience: []string{r.r.ClientID}, Scopes: r.r.Scopes,
			AMR: r.r.AMR, ACR: r.r.ACR, AuthTime: r.r.AuthTime, SessionID: r.r.SessionID, Claims: r.r.Claims, ClaimScopes: r.r.ClaimScopes}
	case *refreshRequest:
		base = r.t
		base.Scopes = r.scopes
		base.Used = false
	default:
		return access, nil, "", fmt.Errorf("unsupported token request %T", req)
	}
	cl, ok := h.Clients.Lookup(base.ClientID)
	if !ok {
		return access, nil, "", fmt.Errorf("unknown client %q", base.ClientID)
	}
	base.FamilyID, base.CreatedAt = family, now
	access = base
	access.ID, access.Kind, access.ExpiresAt = h.NewID(), storage.TokenAccess, now.Add(cl.AccessTTL)
	if refresh {
		refreshValue = h.NewID()
		rt := base
		rt.ID, rt.Kind, rt.ExpiresAt = hashSecret(refreshValue), storage.TokenRefresh, now.Add(cl.RefreshTTL)
		access.RefreshID = rt.ID
		refreshTok = &rt
	}
	return access, refreshTok, refreshValue, nil
}

// CreateAccessToken issues the access token of a code exchange. Redemption is atomic: of
// concurrent exchanges of one code exactly one succeeds; the others revoke its tokens.
func (s *opStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	ar, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	access, _, _, err := s.newTokens(req, ar.r.ID, false)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.redeem(ctx, ar.r.ID, access); err != nil {
		return "", time.Time{}, err
	}
	return access.ID, access.ExpiresAt, nil
}

func (s *opStorage) redeem(ctx context.Context, id string, tokens ...storage.Token) error {
	err := s.h.Store.RedeemAuthCode(ctx, id, s.h.Now(), tokens...)
	if errors.Is(err, storage.ErrAlreadyUsed) || errors.Is(err, storage.ErrNotFound) {
		if errors.Is(err, storage.ErrAlreadyUsed) {
			if rerr := s.h.Store.RevokeFamily(ctx, id); rerr != nil {
				return fmt.Errorf("revoke tokens of a replayed code: %w", rerr)
			}
		}
		return oidc.ErrInvalidGrant().WithDescription("invalid code").WithParent(err)
	}
	return err
}

func (s *opStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	h := s.h
	family := ""
	switch r := req.(type) {
	case *authRequest:
		family = r.r.ID
	case *refreshRequest:
		family = r.t.FamilyID
	}
	access, rt, rtValue, err := s.newTokens(req, family, true)
	if err != nil {
		return "", "", time.Time{}, err
	}
	if currentRefreshToken == "" {
		ar, ok := req.(*authRequest)
		if !ok {
			return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
		}
		if err := s.redeem(ctx, ar.r.ID, access, *rt); err != nil {
			return "", "", time.Time{}, err
		}
		return access.ID, rtValue, access.ExpiresAt, nil
	}
	err = h.Store.RotateRefreshToken(ctx, hashSecret(currentRefreshToken), h.Now(), access, *rt)
	if errors.Is(err, storage.ErrAlreadyUsed) {
		if rerr := h.Store.RevokeFamily(ctx, family); rerr != nil {
			return "", "", time.Time{}, rerr
		}
		h.Logger.WarnContext(ctx, "refresh token replayed; its family is revoked", "client_id", access.ClientID)
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if errors.Is(err, storage.ErrNotFound) {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	return access.ID, rtValue, access.ExpiresAt, nil
}

func (s *opStorage) TokenRequestByRefreshToken(ctx context.Context, refreshToken string) (op.RefreshTokenRequest, error) {
	h := s.h
	t, err := h.Store.GetToken(ctx, hashSecret(refreshToken), h.Now())
	if err != nil || t.Kind != storage.TokenRefresh {
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	}
	if t.Used {
		if err := h.Store.RevokeFamily(ctx, t.FamilyID); err != nil {
			return nil, err
		}
		h.Logger.WarnContext(ctx, "refresh token replayed; its family is revoked", "client_id", t.ClientID)
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if _, err := h.Store.GetUser(ctx, t.Subject); err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the account no longer exists")
	}
	return &refreshRequest{t: t, scopes: t.Scopes}, nil
}

// TerminateSession is used only when TerminateSessionFromRequest is not; it ends every session
// of the user.
func (s *opStorage) TerminateSession(ctx context.Context, userID, _ string) error {
	return s.h.Sessions.EndUser(ctx, userID, "")
}

// TerminateSessionFromRequest ends the browser's SSO session (from its cookie, or the sid of
// the id_token_hint) and returns where to send the browser.
func (s *opStorage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	return s.h.endSession(ctx, req)
}

func (s *opStorage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	h := s.h
	now := h.Now()
	// With userID set the engine passes a stored token id (from GetRefreshTokenInfo or a
	// decrypted access token); without, an unrecognised value, looked up as a refresh token.
	id := tokenOrID
	if userID == "" {
		id = hashSecret(tokenOrID)
	}
	t, err := h.Store.GetToken(ctx, id, now)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // RFC 7009: an invalid token is not an error
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was issued to another client")
	}
	if t.Kind == storage.TokenRefresh {
		// Revoking a refresh token revokes the whole grant (RFC 7009 §2.1).
		err = h.Store.RevokeFamily(ctx, t.FamilyID)
	} else {
		err = h.Store.RevokeToken(ctx, t.ID)
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.h.Store.GetToken(ctx, hashSecret(token), s.h.Now())
	if err != nil || t.Kind != storage.TokenRefresh {
		return "", "", op.ErrInvalidRefreshToken
	}
	// RevokeToken checks that the token belongs to clientID.
	return t.Subject, t.ID, nil
}

func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	s.refreshKeys(ctx)
	alg := jose.RS256
	if cl, ok := s.h.Clients.Lookup(clientIDFrom(ctx)); ok {
		alg = cl.SigningAlg
	}
	k, err := s.h.Keys.Signer(alg, s.h.Now())
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return s.h.Keys.Algorithms(), nil
}

func (s *opStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	s.refreshKeys(ctx)
	ks := s.h.Keys.Keys()
	out := make([]op.Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, publicKey{k})
	}
	return out, nil
}

// signingKey is the key that signs now (op.SigningKey).
type signingKey struct{ k keys.Key }

func (s signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return s.k.Alg }
func (s signingKey) Key() any                                    { return s.k.Private }
func (s signingKey) ID() string                                  { return s.k.ID }

// publicKey is a published key (op.Key).
type publicKey struct{ k keys.Key }

func (p publicKey) ID() string                         { return p.k.ID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.Alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.Private.Public() }

var (
	_ op.SigningKey = signingKey{}
	_ op.Key        = publicKey{}
)

// refreshKeys picks up keys rotated by another replica; on a store error the loaded keys
// keep working.
func (s *opStorage) refreshKeys(ctx context.Context) {
	if err := s.h.Keys.Refresh(ctx); err != nil {
		s.h.Logger.WarnContext(ctx, "could not reload signing keys", "err", err)
	}
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	cl, ok := s.h.Clients.Lookup(id)
	if !ok {
		return nil, notFoundError{fmt.Errorf("client %q: %w", id, storage.ErrNotFound)}
	}
	return opClient{cl}, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	cl, ok := s.h.Clients.Lookup(id)
	if !ok || !cl.SecretMatches(secret) {
		return oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the engine; SetUserinfoFromRequest does the work.
func (s *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u, err := s.h.Store.GetUser(ctx, req.GetSubject())
	if err != nil {
		return err
	}
	var claimsParam string
	var claimScopes []string
	switch r := req.(type) {
	case *refreshRequest:
		claimsParam, claimScopes = r.t.Claims, r.t.ClaimScopes
	case *authRequest:
		claimsParam, claimScopes = r.r.Claims, r.r.ClaimScopes
	}
	if ar, ok := req.(*authRequest); ok {
		if ar.r.SessionID != "" {
			// sid: the SSO session. Safe to show: the session cookie is signed, so the id
			// alone does not let anyone forge it.
			ui.AppendClaims("sid", ar.r.SessionID)
		}
	}
	setUserinfo(ui, u, released(scopes, claimScopes, claimsParam, consent.TargetIDToken))
	setLevelClaims(ui, u)
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *opStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.h.Store.GetToken(ctx, tokenID, s.h.Now())
	if err != nil || t.Kind != storage.TokenAccess || t.Subject != subject {
		return oidc.ErrAccessDenied().WithDescription("invalid or expired access token")
	}
	u, err := s.h.Store.GetUser(ctx, t.Subject)
	if err != nil {
		return oidc.ErrAccessDenied().WithDescription("the account no longer exists")
	}
	setUserinfo(ui, u, released(t.Scopes, t.ClaimScopes, t.Claims, consent.TargetUserInfo))
	setLevelClaims(ui, u)
	return nil
}

func (s *opStorage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.h.Store.GetToken(ctx, tokenID, s.h.Now())
	if err != nil || t.Kind != storage.TokenAccess || t.Subject != subject {
		return errors.New("token is not active")
	}
	u, err := s.h.Store.GetUser(ctx, t.Subject)
	if err != nil {
		return errors.New("token is not active")
	}
	ui := new(oidc.UserInfo)
	setUserinfo(ui, u, released(t.Scopes, t.ClaimScopes, t.Claims, consent.TargetIntrospection))
	resp.SetUserInfo(ui)
	resp.Active = true
	resp.Scope = t.Scopes
	resp.ClientID = t.ClientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	resp.AuthTime = oidc.FromTime(t.AuthTime)
	resp.NotBefore = oidc.FromTime(t.CreatedAt)
	resp.Audience = t.Audience
	resp.Issuer = s.h.Issuer
	resp.JWTID = t.ID
	_ = clientID
	return nil
}

// GetPrivateClaimsFromScopes adds claims to JWT access tokens.
func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt client authentication is not supported")
}

func (s *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not supported")
}

func (s *opStorage) Health(ctx context.Context) error { return s.h.Store.Health(ctx) }

// released returns the claims to release: every claim of the granted scopes, plus the claims
// the claims request parameter names for this target when a granted scope or claim scope
// covers them (never beyond the grant).
func released(scopes, claimScopes []string, claimsParam string, target consent.Target) map[string]bool {
	out := consent.ScopeClaims(scopes)
	cr, _ := consent.ParseClaimsRequest(claimsParam) // malformed: refused before any token exists
	if cr == nil {
		return out
	}
	within, _ := consent.Release(append(slices.Clone(scopes), claimScopes...), cr, target)
	for name := range cr.For(target) {
		if within[name] {
			out[name] = true
		}
	}
	return out
}

// setUserinfo writes the released claims of u into ui (README "Claims").
func setUserinfo(ui *oidc.UserInfo, u storage.User, claims map[string]bool) {
	ui.Subject = u.ID
	if claims["name"] {
		ui.Name = u.FullName()
	}
	if claims["family_name"] {
		ui.FamilyName = u.LastName
	}
	if claims["given_name"] {
		ui.GivenName = u.FirstName
	}
	if claims["middle_name"] {
		ui.MiddleName = u.MiddleName
	}
	if claims["birthdate"] {
		ui.Birthdate = u.BirthDate
	}
	if claims["gender"] {
		switch u.Gender {
		case "M":
			ui.Gender = "male"
		case "F":
			ui.Gender = "female"
		}
	}
	if claims["locale"] {
		ui.Locale = oidc.NewLocale(language.Russian)
	}
	if claims["updated_at"] {
		ui.UpdatedAt = oidc.FromTime(u.UpdatedAt)
	}
	if claims["email"] && u.Email != "" {
		ui.Email = u.Email
		ui.EmailVerified = oidc.Bool(u.EmailVerified)
	}
	if claims["phone_number"] && u.Phone != "" {
		ui.PhoneNumber = u.Phone
		ui.PhoneNumberVerified = oidc.Bool(u.PhoneVerified)
	}
	setESIAClaims(ui, u, claims)
	if claims["address"] {
		if i := slices.IndexFunc(u.Addresses, func(a storage.Address) bool { return a.Type == "PRG" }); i >= 0 || len(u.Addresses) > 0 {
			a := u.Addresses[max(i, 0)]
			ui.Address = &oidc.UserInfoAddress{
				Formatted:     a.AddressStr,
				StreetAddress: joinNonEmpty(", ", a.Street, a.House, a.Flat),
				Locality:      a.City,
				Region:        a.Region,
				PostalCode:    a.ZipCode,
				Country:       a.Country,
			}
		}
	}
}

// setESIAClaims adds the claims of ESIA person scopes.
func setESIAClaims(ui *oidc.UserInfo, u storage.User, claims map[string]bool) {
	if claims["birthplace"] && u.BirthPlace != "" {
		ui.AppendClaims("birthplace", u.BirthPlace)
	}
	if claims["snils"] && u.SNILS != "" {
		ui.AppendClaims("snils", proofing.FormatSNILS(u.SNILS))
	}
	if claims["inn"] && u.INN != "" {
		ui.AppendClaims("inn", u.INN)
	}
	if claims["citizenship"] && u.Citizenship != "" {
		ui.AppendClaims("citizenship", u.Citizenship)
	}
	if claims["contacts"] {
		var cs []map[string]string
		if u.Phone != "" {
			cs = append(cs, map[string]string{"type": "MBT", "value": proofing.FormatPhoneESIA(u.Phone), "vrfStu": storage.VerifyState(u.PhoneVerified)})
		}
		if u.Email != "" {
			cs = append(cs, map[string]string{"type": "EML", "value": u.Email, "vrfStu": storage.VerifyState(u.EmailVerified)})
		}
		ui.AppendClaims("contacts", cs)
	}
	if claims["addresses"] {
		as := make([]map[string]string, 0, len(u.Addresses))
		for _, a := range u.Addresses {
			as = append(as, map[string]string{"type": a.Type, "addressStr": a.AddressStr, "zipCode": a.ZipCode,
				"region": a.Region, "city": a.City, "street": a.Street, "house": a.House, "flat": a.Flat, "countryId": a.Country})
		}
		ui.AppendClaims("addresses", as)
	}
	for name := range claims {
		sc, ok := consent.Lookup(name)
		if !ok || sc.Kind != consent.KindDocument {
			continue
		}
		types := consent.DocTypes([]string{name})
		var docs []map[string]string
		for _, d := range u.Documents {
			if types[d.Type] {
				docs = append(docs, map[string]string{"type": d.Type, "series": d.Series, "number": d.Number,
					"issueDate": esiaDate(d.IssueDate), "issueId": d.IssueID, "issuedBy": d.IssuedBy, "vrfStu": d.VrfStu})
			}
		}
		ui.AppendClaims(name, docs)
	}
}

// esiaDate turns YYYY-MM-DD into ESIA's dd.MM.yyyy.
func esiaDate(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "." + iso[5:7] + "." + iso[0:4]
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}

// setLevelClaims releases the account level (simplified, standard, confirmed) and ESIA's
// trusted flag (confirmed accounts) with every token and userinfo answer: they describe the
// account's standing, which relying parties decide access by, as acr describes the login.
func setLevelClaims(ui *oidc.UserInfo, u storage.User) {
	if u.Level != "" {
		ui.AppendClaims("level", string(u.Level))
	}
	ui.AppendClaims("trusted", proofing.Trusted(u.Level))
}

// requestedLevel reads a minimum account level asked for with the claims parameter:
// {"id_token":{"level":{"essential":true,"value":"confirmed"}}} (or "values": the lowest).
func requestedLevel(cr *consent.ClaimsRequest) storage.Level {
	var min storage.Level
	for _, t := range []consent.Target{consent.TargetIDToken, consent.TargetUserInfo} {
		spec := cr.For(t)["level"]
		if spec == nil || !spec.Essential {
			continue
		}
		vals := spec.Values
		if spec.Value != nil {
			vals = append(vals, spec.Value)
		}
		var lowest storage.Level
		for _, raw := range vals {
			var s string
			if json.Unmarshal(raw, &s) != nil || storage.Level(s).Rank() == 0 {
				continue
			}
			if lowest == "" || storage.Level(s).Rank() < lowest.Rank() {
				lowest = storage.Level(s)
			}
		}
		if lowest.Rank() > min.Rank() {
			min = lowest
		}
	}
	return min
}

// opClient is a registered client as the op engine sees it.
type opClient struct{ *clients.Client }

func (c opClient) GetID() string                    { return c.Config.ID }
func (c opClient) RedirectURIs() []string           { return c.Config.RedirectURIs }
func (c opClient) PostLogoutRedirectURIs() []string { return c.Config.PostLogoutRedirectURIs }
func (c opClient) ApplicationType() op.ApplicationType {
	if c.Config.Public {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}
func (c opClient) AuthMethod() oidc.AuthMethod {
	if c.Config.Public {
		return oidc.AuthMethodNone
	}
	// Basic is advertised; the engine accepts client_secret_post as well (AuthMethodPost).
	return oidc.AuthMethodBasic
}
func (c opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c opClient) GrantTypes() []oidc.GrantType {
	if c.Refresh {
		return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	}
	return []oidc.GrantType{oidc.GrantTypeCode}
}
func (c opClient) LoginURL(id string) string { return "/login?authRequestID=" + id }
func (c opClient) AccessTokenType() op.AccessTokenType {
	if c.Config.AccessTokenFormat == "jwt" {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}
func (c opClient) IDTokenLifetime() time.Duration { return c.IDTTL }

// DevMode lets a registered http:// redirect URI serve public clients too: registration is
// the developer's decision, and matching stays exact.
func (c opClient) DevMode() bool { return true }
func (c opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed keeps the catalog's scopes (the engine would drop all but the standard
// ones); unknown scopes never get here — the authorization endpoint refuses them first.
func (c opClient) IsScopeAllowed(scope string) bool {
	_, err := consent.Validate([]string{scope}, c.Config.Scopes)
	return err == nil
}

// IDTokenUserinfoClaimsAssertion puts the scope claims into the ID token as well as userinfo:
// many cabinet libraries read the profile from the ID token only.
func (c opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c opClient) ClockSkew() time.Duration             { return 0 }

var _ op.Client = opClient{}

// scopesSupported lists the catalog's person scopes for discovery (organisation scopes are
// requested in their URL form and left out).
var scopesSupported = func() []string {
	var out []string
	for _, s := range consent.All() {
		if s.Kind != consent.KindOrg {
			out = append(out, s.Name)
		}
	}
	return out
}()

// authRequest adapts a stored authorization request to the op engine.
type authRequest struct{ r storage.AuthRequest }

func (a *authRequest) GetID() string          { return a.r.ID }
func (a *authRequest) GetACR() string         { return a.r.ACR }
func (a *authRequest) GetAMR() []string       { return a.r.AMR }
func (a *authRequest) GetAudience() []string  { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a *authRequest) GetClientID() string    { return a.r.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return a.r.Scopes }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string                 { return a.r.UserID }
func (a *authRequest) Done() bool                         { return a.r.Done }

// refreshRequest adapts a stored refresh token to the op engine.
type refreshRequest struct {
	t      storage.Token
	scopes []string
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return r.t.Audience }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.t.Subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

var (
	_ op.AuthRequest         = (*authRequest)(nil)
	_ op.RefreshTokenRequest = (*refreshRequest)(nil)
)

// oidcDialect is how the login flow answers an OpenID Connect relying party: the engine's
// callback issues the code; errors go to the redirect_uri with iss (flow.Dialect).
type oidcDialect struct{ h *Handler }

func (d oidcDialect) Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	http.Redirect(w, r, d.h.callbackURL(r.Context(), ar.ID), http.StatusSeeOther)
}

func (d oidcDialect) Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string) {
	op.AuthRequestError(d.h.issWriter(w), r, &authRequest{ar}, oauthError(code, desc), d.h.op)
}

func (h *Handler) callbackURL(ctx context.Context, id string) string {
	return op.AuthCallbackURL(h.op)(op.ContextWithIssuer(ctx, h.Issuer), id)
}

// oauthError builds an engine error with any OAuth error code (the engine's error type is
// unexported and lacks some codes, such as consent_required).
func oauthError(code, desc string) *oidc.Error {
	var e oidc.Error
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	_ = json.Unmarshal(b, &e)
	return &e
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
