package oidc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/oidc/respond"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/tokens"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Store is what the OIDC adapter needs of the storage beside the token lifecycle (Tokens).
type Store interface {
	CreateAuthRequest(ctx context.Context, ar storage.AuthRequest) error
	GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	CreateTokens(ctx context.Context, tokens ...storage.Token) error
	GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
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
	Tokens   *tokens.Service // the token lifecycle (codes, refresh rotation, replays, revocation)
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

	op      *op.Provider
	respond *respond.Responder
	secure  bool
}

// New builds the engine. h's exported fields must be set.
func New(h *Handler) (*Handler, error) {
	issuer, err := url.Parse(h.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: issuer: %w", err)
	}
	h.secure = issuer.Scheme == "https"
	h.respond = &respond.Responder{Issuer: h.Issuer, Pages: h.Pages}
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
	mux.Handle(PathAuthorize, h.respond.Wrap(respond.RequestedMode, h.htmlErrors(h.authorizeExtras(engine))))
	mux.Handle(PathCallback, h.respond.Wrap(h.storedMode, h.htmlErrors(h.bindCallback(engine))))
	mux.Handle(PathEndSession, h.htmlErrors(h.logoutCookie(engine)))
	mux.Handle(PathToken, h.jsonOutage(h.clientFirst(h.tokenClient(engine))))
	mux.Handle("/userinfo", h.jsonOutage(h.bearerErrors(engine)))
	// Introspection and revocation authenticate the client like the token endpoint: a 401
	// carries the Basic challenge (RFC 6749 §5.2, RFC 7662 §2.1, RFC 7009 §2.1).
	mux.Handle(PathIntrospect, h.jsonOutage(h.basicChallenge(engine)))
	mux.Handle(PathRevoke, h.jsonOutage(h.basicChallenge(engine)))
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
		SupportedScopes:          scopesSupported(),
		// Back-Channel Logout 1.0: logout tokens (with sid) are sent by package backchannel.
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}
	opts := []op.Option{}
	if !h.secure {
		opts = append(opts, op.WithAllowInsecure())
	}
	return op.NewProvider(conf, &opStorage{h}, op.StaticIssuer(h.Issuer), opts...)
}
