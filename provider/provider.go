package provider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
)

// Options are the provider's dependencies. Store and Config are required.
type Options struct {
	Config *config.Config
	Store  storage.Store
	// Keys holds signing keys and secrets; nil means Store. cmd/esia-emulator passes a file in
	// the data dir when the store itself does not outlive the process.
	Keys storage.Keys
	// Hasher hashes passwords; nil means the preset and parameters of Config.Password.
	Hasher *password.Hasher
	Now    func() time.Time // nil: time.Now
	// Clock is the test-mode clock; nil in test mode means a new one over Now. Outside test
	// mode it is ignored.
	Clock  *TravelClock
	Rand   io.Reader    // nil: crypto/rand
	Logger *slog.Logger // nil: slog.Default()
	// HTTPClient sends back-channel logout tokens to relying parties; nil: a client with a
	// 5 s timeout. Each delivery is bounded by 5 s in any case.
	HTTPClient *http.Client
}

// Provider is the emulator's OpenID provider: the op engine plus login UI and admin API.
type Provider struct {
	cfg        *config.Config
	store      storage.Store
	hasher     *password.Hasher
	now        func() time.Time
	rand       io.Reader
	log        *slog.Logger
	keys       *keyring
	clients    map[string]*client
	op         *op.Provider
	cookies    *securecookie.SecureCookie
	secure     bool         // issuer is https: cookies get Secure
	clock      *TravelClock // test mode only
	faults     faultTable   // test mode only
	audit      *audit.Log
	outbox     *otp.Outbox
	sender     otp.Sender // the outbox, plus a webhook when configured
	sms        *otp.SMS
	emailCodes *otp.SMS // the same rules, by e-mail
	totp       *otp.TOTP
	limiter    *lockout.Limiter
	registries *registry.Registries
	confirmer  *confirm.Confirmer
	pages      *pages
	mux        *http.ServeMux
	handler    http.Handler
	dialects   map[string]Dialect

	httpClient *http.Client       // back-channel logout deliveries
	bgCtx      context.Context    // parent of background deliveries; cancelled by Shutdown on timeout
	bgCancel   context.CancelFunc //
	bgWG       sync.WaitGroup     // deliveries in flight
}

// New builds the provider: loads or creates keys, seeds the personas, assembles the routes.
func New(ctx context.Context, o Options) (*Provider, error) {
	if o.Config == nil || o.Store == nil {
		return nil, errors.New("provider: Config and Store are required")
	}
	p := &Provider{cfg: o.Config, store: o.Store, hasher: o.Hasher, now: o.Now, rand: o.Rand, log: o.Logger, httpClient: o.HTTPClient}
	if p.httpClient == nil {
		p.httpClient = &http.Client{Timeout: backchannelTimeout}
	}
	p.bgCtx, p.bgCancel = context.WithCancel(context.Background())
	if p.now == nil {
		p.now = time.Now
	}
	if o.Config.TestMode() {
		p.clock = o.Clock
		if p.clock == nil {
			p.clock = NewTravelClock(p.now)
		}
		p.now = p.clock.Now
	}
	if p.rand == nil {
		p.rand = rand.Reader
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.hasher == nil {
		h, err := hasherFromConfig(o.Config.Password, p.rand)
		if err != nil {
			return nil, err
		}
		p.hasher = h
	}
	keyStore := o.Keys
	if keyStore == nil {
		keyStore = o.Store
	}
	var err error
	if p.keys, err = ensureKeys(ctx, keyStore, p.now(), p.rand); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.clients = make(map[string]*client, len(o.Config.Clients))
	for _, c := range o.Config.Clients {
		for _, list := range [][]string{c.Scopes, c.RequiredScopes} {
			if _, err := consent.Validate(list, nil); err != nil {
				return nil, fmt.Errorf("provider: client %s: %w", c.ID, err)
			}
		}
		cl := newClient(c, o.Config.Lifetimes)
		if o.Config.TestMode() { // the login debugger's callback
			cl.cfg.RedirectURIs = append(slices.Clone(cl.cfg.RedirectURIs), o.Config.Issuer+pathDebugCB)
		}
		p.clients[c.ID] = cl
	}
	issuer, err := url.Parse(o.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("provider: issuer: %w", err)
	}
	if issuer.Path != "" && issuer.Path != "/" {
		return nil, fmt.Errorf("provider: issuer %q: a path in the issuer is not supported", o.Config.Issuer)
	}
	p.secure = issuer.Scheme == "https"
	p.cookies = securecookie.New(p.keys.secret(secretCookieHash), p.keys.secret(secretCookieBlock))
	p.cookies.MaxAge(0) // lifetimes are enforced by the session records
	if p.pages, err = newPages(); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	if p.op, err = p.newOP(); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	if err := p.seedPersonas(ctx); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.audit = &audit.Log{Docs: o.Store, Now: p.now, Rand: p.rand}
	p.initVerification()
	if err := p.initProofing(); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.handler = p.routes()
	if o.Config.TestMode() {
		p.handler = p.withFaults(p.handler)
	}
	return p, nil
}

func hasherFromConfig(c config.Password, rnd io.Reader) (*password.Hasher, error) {
	params := password.DefaultParams
	if c.Preset == "test" {
		params = password.TestParams
	}
	if c.MemoryKiB != 0 {
		params.Memory = c.MemoryKiB
	}
	if c.Iterations != 0 {
		params.Iterations = c.Iterations
	}
	if c.Parallelism != 0 {
		params.Parallelism = c.Parallelism
	}
	h, err := password.New(params, rnd)
	if err != nil {
		return nil, fmt.Errorf("provider: password parameters: %w", err)
	}
	return h, nil
}

func (p *Provider) newOP() (*op.Provider, error) {
	var key [32]byte
	copy(key[:], p.keys.secret(secretTokenCrypto))
	conf := &op.Config{
		CryptoKey:                key,
		CryptoKeyId:              "k1",
		DefaultLogoutRedirectURI: p.cfg.Issuer + "/logged-out",
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
	if !p.secure {
		opts = append(opts, op.WithAllowInsecure())
	}
	return op.NewProvider(conf, &opStorage{p}, op.StaticIssuer(p.cfg.Issuer), opts...)
}

// Handler serves everything: OpenID endpoints, login pages, admin API.
func (p *Provider) Handler() http.Handler { return p.handler }

// Issuer is the configured issuer.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// randomID returns 32 random bytes, base64url: ids of requests, sessions and tokens.
func (p *Provider) randomID() string {
	b := make([]byte, 32)
	if _, err := io.ReadFull(p.rand, b); err != nil {
		panic(fmt.Sprintf("provider: random source failed: %v", err)) // crypto/rand does not fail
	}
	return base64.RawURLEncoding.EncodeToString(b)
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

func (p *Provider) endSession(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	ls, _ := ctx.Value(ctxLogout).(*logoutState)
	ids := []string{}
	if ls != nil && ls.sessionID != "" {
		ids = append(ids, ls.sessionID)
	}
	if req.IDTokenHintClaims != nil {
		if sid, ok := req.IDTokenHintClaims.Claims["sid"].(string); ok && sid != "" {
			// End the session the token was issued in only if it belongs to the token's subject.
			if s, err := p.store.GetSession(ctx, sid, p.now()); err == nil && s.UserID == req.IDTokenHintClaims.Subject {
				ids = append(ids, sid)
			}
		}
	}
	for _, id := range ids {
		s, err := p.store.GetSession(ctx, id, p.now())
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err := p.store.DeleteSession(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return "", fmt.Errorf("end session: %w", err)
		}
		if err == nil {
			p.notifyLogout(ctx, []storage.Session{s})
		}
		p.recordAudit(ctx, nil, audit.Event{Type: audit.Logout, UserID: s.UserID, ClientID: req.ClientID, SessionID: s.ID})
		p.log.InfoContext(ctx, "session ended by logout", "client_id", req.ClientID)
	}
	if ls != nil {
		ls.ended = true
	}
	return req.RedirectURI, nil
}

// requestLang picks the page language: ui_locales of the request, then Accept-Language; ru by default.
func requestLang(r *http.Request, uiLocales []string) string {
	for _, l := range uiLocales {
		if strings.HasPrefix(strings.ToLower(l), "en") {
			return "en"
		}
		if strings.HasPrefix(strings.ToLower(l), "ru") {
			return "ru"
		}
	}
	if q := r.URL.Query().Get("ui_locales"); q != "" {
		return requestLang(&http.Request{Header: http.Header{}, URL: &url.URL{}}, strings.Fields(q))
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err == nil {
		for _, t := range tags {
			b, _ := t.Base()
			switch b.String() {
			case "ru":
				return "ru"
			case "en":
				return "en"
			}
		}
	}
	return "ru"
}
