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
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"

	"github.com/esia-emulator/esia-emulator/provider/account"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/admin"
	"github.com/esia-emulator/esia-emulator/provider/backchannel"
	"github.com/esia-emulator/esia-emulator/provider/esia"
	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/provider/metrics"
	"github.com/esia-emulator/esia-emulator/provider/oidc"
	"github.com/esia-emulator/esia-emulator/provider/outbox"
	"github.com/esia-emulator/esia-emulator/provider/site"
	"github.com/esia-emulator/esia-emulator/provider/testmode"
	"github.com/esia-emulator/esia-emulator/provider/tokens"

	"github.com/esia-emulator/esia-emulator/provider/clients"

	"github.com/esia-emulator/esia-emulator/provider/keys"

	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/gorilla/securecookie"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/requestid"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
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
	keys       *keys.Ring
	clients    *clients.Registry
	oidc       *oidc.Handler
	sessions   *session.Manager
	clock      *TravelClock // test mode only
	testmode   *testmode.Handler
	site       *site.Handler
	audit      *audit.Recorder
	accounts   *accounts.Service
	outbox     *otp.Outbox
	sender     otp.Sender // the outbox, plus a webhook when configured
	sms        *otp.SMS
	emailCodes *otp.SMS // the same rules, by e-mail
	totp       *otp.TOTP
	limiter    *lockout.Limiter
	registries *registry.Registries
	confirmer  *confirm.Confirmer
	web        *web.Renderer
	mux        *http.ServeMux
	handler    http.Handler
	flow       *flow.Handler
	tokens     *tokens.Service
	esia       *esia.Dialect
	account    *account.Handler
	outboxPage *outbox.Handler
	api        *admin.API
	admin      *admin.Handler

	backchannel *backchannel.Notifier
	metrics     *metrics.Metrics
}

// New builds the provider: loads or creates keys, seeds the personas, assembles the routes.
func New(ctx context.Context, o Options) (*Provider, error) {
	if o.Config == nil || o.Store == nil {
		return nil, errors.New("provider: Config and Store are required")
	}
	m := metrics.New()
	o.Store = m.Store(o.Store) // every store operation timed
	p := &Provider{cfg: o.Config, store: o.Store, hasher: o.Hasher, now: o.Now, rand: o.Rand, log: o.Logger, metrics: m}
	p.backchannel = backchannel.New()
	if o.HTTPClient != nil {
		p.backchannel.HTTPClient = o.HTTPClient
	}
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
	p.log = slog.New(requestid.LogHandler(p.log.Handler())) // request_id on every line of a request
	if p.hasher == nil {
		h, err := hasherFromConfig(o.Config.Password, p.rand)
		if err != nil {
			return nil, err
		}
		p.hasher = h
		m.Gate(h.Gate) // only a gate of our own: a Hasher passed in may be shared
	}
	keyStore := o.Keys
	if keyStore == nil {
		keyStore = o.Store
	}
	var err error
	if p.keys, err = keys.Ensure(ctx, keyStore, p.now(), p.rand); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	// The login debugger's callback: every client in test mode, the demo clients otherwise.
	debugFor := config.IsDemoClient
	if o.Config.TestMode() {
		debugFor = nil
	}
	if p.clients, err = clients.NewRegistry(o.Config, o.Config.Issuer+testmode.DebugCallback, debugFor); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	issuer, err := url.Parse(o.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("provider: issuer: %w", err)
	}
	if issuer.Path != "" && issuer.Path != "/" {
		return nil, fmt.Errorf("provider: issuer %q: a path in the issuer is not supported", o.Config.Issuer)
	}
	cookies := securecookie.New(p.keys.Secret(keys.SecretCookieHash), p.keys.Secret(keys.SecretCookieBlock))
	cookies.MaxAge(0) // lifetimes are enforced by the session records
	p.sessions = &session.Manager{
		Store: o.Store, Cookies: cookies, Secure: issuer.Scheme == "https", FormKey: p.keys.Secret(keys.SecretForms),
		Now: p.now, NewID: p.randomID, Notifier: p.backchannel, Logger: p.log,
		IdleTimeout: o.Config.Lifetimes.SessionIdle.Or(15 * time.Minute),
		Lifetime:    o.Config.Lifetimes.SessionAbsolute.Or(3 * time.Hour),
	}
	trusted, err := o.Config.TrustedProxyPrefixes()
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.sessions.Proxies = session.Proxies{Trusted: trusted, Header: o.Config.ForwardedHeader}
	if p.web, err = web.New(o.Config.TestMode(), p.log); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.audit = &audit.Recorder{Log: &audit.Log{Docs: o.Store, Now: p.now, Rand: p.rand, Retention: o.Config.Lifetimes.AuditEvents.Or(audit.DefaultRetention)},
		Logger: p.log, ClientIP: p.sessions.ClientIP, Observe: m.AuditEvent}
	if err := p.audit.Log.Migrate(ctx); err != nil { // events from before the per-citizen index and the retention
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.initVerification()
	if err := p.initProofing(); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	bc := p.backchannel
	bc.Issuer, bc.Clients, bc.Keys, bc.Audit, bc.Now, bc.NewID, bc.Logger = o.Config.Issuer, p.clients, p.keys, p.audit, p.now, p.randomID, p.log
	p.accounts = &accounts.Service{Store: o.Store, Registries: p.registries, Sender: p.sender, Audit: p.audit, Hasher: p.hasher,
		Now: p.now, Rand: p.rand, Personas: o.Config.Personas, Logger: p.log, SMS: p.sms, TOTP: p.totp}
	if err := p.accounts.Seed(ctx); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.sessions.Notifier = session.EndNotifiers{p.backchannel, p.accounts} // back-channel logout, then the citizen's logout notice
	p.flow = &flow.Handler{
		AuthRequests: o.Store, Users: o.Store, SessionStore: o.Store, Grants: consent.Grants{Docs: o.Store},
		Sessions: p.sessions, Pages: p.web, Clients: p.clients, Accounts: p.accounts, Audit: p.audit,
		Hasher: p.hasher, Limiter: p.limiter, SMS: p.sms, Sender: p.sender,
		Now: p.now, NewID: p.randomID, Logger: p.log, RequestTTL: o.Config.Lifetimes.AuthRequest.Or(30 * time.Minute),
	}
	p.tokens = &tokens.Service{Store: o.Store, Now: p.now, Logger: p.log, Counter: m}
	oh := &oidc.Handler{Issuer: o.Config.Issuer, Store: o.Store, Tokens: p.tokens, Clients: p.clients, Keys: p.keys, Sessions: p.sessions, Pages: p.web,
		Audit: p.audit, Now: p.now, NewID: p.randomID, Logger: p.log,
		CodeTTL: o.Config.Lifetimes.Code.Or(time.Minute), RequestTTL: o.Config.Lifetimes.AuthRequest.Or(30 * time.Minute)}
	if p.clock != nil {
		oh.Clock = p.clock
	}
	if p.oidc, err = oidc.New(oh); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	p.flow.Register("", p.oidc.Dialect())
	p.account = &account.Handler{Store: o.Store, Flow: p.flow, Sessions: p.sessions, Pages: p.web, Clients: p.clients, Accounts: p.accounts,
		Audit: p.audit, Hasher: p.hasher, Limiter: p.limiter, SMS: p.sms, EmailCodes: p.emailCodes, TOTP: p.totp,
		Registries: p.registries, Confirmer: p.confirmer, Now: p.now, Rand: p.rand, Logger: p.log}
	p.flow.Register(account.DialectName, p.account.Dialect())
	p.api = &admin.API{Token: o.Config.AdminToken, Logger: p.log, SecureCookie: strings.HasPrefix(o.Config.Issuer, "https://")}
	p.esia, err = esia.New(esia.Options{Admin: p.api, Pages: p.web, Config: o.Config, Store: o.Store, Clients: p.clients, Keys: p.keys, Tokens: p.tokens,
		Sessions: p.sessions, Login: p.flow, Audit: p.audit, Now: p.now, Rand: p.rand, Logger: p.log})
	if err != nil {
		return nil, fmt.Errorf("provider: esia dialect: %w", err)
	}
	p.flow.Register(esia.Name, p.esia)
	p.outboxPage = &outbox.Handler{Outbox: p.outbox, Exposure: o.Config.Outbox, Admin: p.api, Sessions: p.sessions, Pages: p.web}
	p.admin = &admin.Handler{API: p.api, Store: o.Store, Clients: p.clients, ClientConfigs: o.Config.Clients, Keys: p.keys,
		Sessions: p.sessions, Accounts: p.accounts, Audit: p.audit, Limiter: p.limiter, Outbox: p.outbox,
		Now: p.now, Rand: p.rand, Logger: p.log}
	p.testmode = &testmode.Handler{Enabled: o.Config.TestMode(), API: p.api, Clock: p.clock, Store: o.Store, Accounts: p.accounts,
		Sessions: p.sessions, Clients: p.clients, ClientConfigs: o.Config.Clients, Keys: p.keys, Pages: p.web, Hasher: p.hasher,
		Minter: p.oidc, Organizations: p.esia.Organizations(), Issuer: o.Config.Issuer, Now: p.now, NewID: p.randomID, Rand: p.rand, Logger: p.log}
	if o.Config.TestMode() {
		p.flow.Picker = p.testmode
	}
	p.site = &site.Handler{Issuer: o.Config.Issuer, Personas: o.Config.Personas, Clients: o.Config.Clients, Store: o.Store, Pages: p.web, Logger: p.log,
		Try: p.testmode}
	p.handler = p.routes()
	p.esia.Mount(p.mux) // ESIA's own front door: /aas/oauth2/…, /idp/ext/Logout, /rs/prns/…, certificates
	p.testmode.Site = p.handler
	if o.Config.TestMode() {
		p.handler = p.testmode.WithFaults(p.handler)
	}
	p.handler = (&limits.Body{Pages: p.web}).Wrap(p.handler) // every body bounded, multipart refused
	p.handler = &requestid.Middleware{Next: m.HTTP(p.handler, p.log), Rand: p.rand}
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
	switch n := c.MaxConcurrent; {
	case n == 0:
		h.Gate = password.NewGate(password.DefaultGateSize(), c.Wait.Or(password.DefaultGateWait))
	case n > 0:
		h.Gate = password.NewGate(n, c.Wait.Or(password.DefaultGateWait))
	}
	return h, nil
}

// Handler serves everything: OpenID endpoints, login pages, admin API.
func (p *Provider) Handler() http.Handler { return p.handler }

// MetricsHandler serves the provider's Prometheus metrics without any access check, for a
// separate listener (--metrics-addr); the main handler serves them at /metrics behind the
// admin token.
func (p *Provider) MetricsHandler() http.Handler { return p.metrics.Handler() }

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

// Shutdown waits for background work (back-channel logout deliveries) to finish. When ctx ends
// first, the deliveries still running are cancelled and waited for, and ctx's error returned.
// Call it after the HTTP server has stopped serving.
func (p *Provider) Shutdown(ctx context.Context) error { return p.backchannel.Shutdown(ctx) }

// TravelClock is test mode's clock (see testmode.TravelClock).
type TravelClock = testmode.TravelClock

// NewTravelClock returns a test-mode clock over base (see testmode.NewTravelClock).
func NewTravelClock(base func() time.Time) *TravelClock { return testmode.NewTravelClock(base) }
