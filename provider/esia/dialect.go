package esia

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/esia/dprofile"
	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
	"github.com/esia-emulator/esia-emulator/provider/esia/rs"
	"github.com/esia-emulator/esia-emulator/provider/esia/signing"
	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/tokens"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Name is the dialect's name in storage.AuthRequest.Dialect and the login flow's registry.
const Name = "esia"

// Store is what the dialect reads of the storage itself: the account of a login and, for
// /rs, the record of an access token. Codes and tokens go through Options.Tokens.
type Store interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
	// The Digital Profile part (permissions.go): the authorization request the consent step
	// finishes, the consents (Docs), the consent tokens and the families a withdrawal revokes.
	GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error)
	UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error)
	DeleteAuthRequest(ctx context.Context, id string) error
	CreateTokens(ctx context.Context, tokens ...storage.Token) error
	RevokeFamily(ctx context.Context, familyID string) error
	storage.Docs
	orgs.Docs // run-time organisations (package orgs)
}

// LoginStarter sends the browser into the provider's login flow with a new authorization
// request (*flow.Handler).
type LoginStarter interface {
	StartLogin(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) error
}

// Options are the dialect's dependencies; all are required except Rand (crypto/rand) and
// Logger (slog.Default()).
type Options struct {
	// Config is the provider's configuration: its esia block, issuer, admin token and
	// lifetimes.
	Config *config.Config
	Store  Store
	// Clients is the one client registry; the dialect serves the clients with an esia block
	// and answers the others with ESIA-007005.
	Clients *clients.Registry
	// Keys signs the RS256 tokens; the GOST key is derived from its RS256 key.
	Keys *keys.Ring
	// Tokens is the token lifecycle: codes once, refresh rotation, replays, session links.
	Tokens *tokens.Service
	// Sessions gives the browser's SSO session at /idp/ext/Logout and ends it.
	Sessions *session.Manager
	Login    LoginStarter
	// Admin is the admin API's token check; the diagnostics page and JSON follow its rule.
	Admin clientsecret.AdminGate
	// Pages renders the error page a citizen sees when the browser cannot go back to the
	// relying party.
	Pages *web.Renderer
	// Audit records the Digital Profile consents given and withdrawn (optional).
	Audit  *audit.Recorder
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// Dialect serves ESIA's endpoints through the provider's login flow. It implements
// flow.Dialect (Complete, Fail).
type Dialect struct {
	store    Store
	tokens   *tokens.Service
	sessions *session.Manager
	login    LoginStarter
	signer   ringSigner
	now      func() time.Time
	rand     io.Reader
	log      *slog.Logger
	pages    *web.Renderer
	registry *clients.Registry
	clients  map[string]*esiaClient
	diag     *clientsecret.Diagnostics // client_secret checks, shown at /esia/diagnostics
	rs       *rs.API                   // /rs/prns
	audit    *audit.Recorder           // nil: no audit events
	dprofile *dprofile.Handler         // the agreements page and the Digital Profile data
	orgs     *orgs.Registry            // organisations and roles
	admin    clientsecret.AdminGate    // the admin API's token check
	rep      config.ESIARepresentation // acting for another person (roles.go; extension)

	issuer     string
	window     time.Duration
	codeTTL    time.Duration
	accessTTL  time.Duration
	idTTL      time.Duration
	refreshTTL time.Duration

	keys *signing.Keys   // the derived GOST key and the published certificates
	jwt  *esiajwt.Tokens // ESIA's JWTs: signing and checking
}

// esiaClient is a registered client with an esia block, prepared.
type esiaClient struct {
	*clients.Client
	esia     config.ESIAClient
	mode     string
	alg      string
	minLevel storage.Level
	allowed  map[string]bool
	secret   *clientsecret.Checker
}

// New prepares the dialect.
func New(o Options) (*Dialect, error) {
	cfg := o.Config
	if cfg == nil || o.Store == nil || o.Clients == nil || o.Keys == nil || o.Tokens == nil || o.Sessions == nil || o.Login == nil || o.Admin == nil || o.Now == nil {
		return nil, errors.New("esia: Config, Store, Clients, Keys, Tokens, Sessions, Login, Admin and Now are required")
	}
	if err := cfg.ESIA.Validate(cfg.Clients); err != nil {
		return nil, err
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	e := cfg.ESIA
	d := &Dialect{
		store: o.Store, tokens: o.Tokens, audit: o.Audit, sessions: o.Sessions, login: o.Login, now: o.Now, rand: o.Rand, log: o.Logger, pages: o.Pages, admin: o.Admin, rep: cfg.ESIA.Representation,
		signer:   ringSigner{ring: o.Keys, now: o.Now, log: o.Logger},
		registry: o.Clients, clients: map[string]*esiaClient{},
		diag:       clientsecret.NewDiagnostics(e.DiagnosticsOrDefault(), o.Admin),
		issuer:     e.IssuerOrDefault(),
		window:     e.TimestampWindow.Or(config.DefaultESIATimestampWindow),
		codeTTL:    e.CodeLifetime.Or(config.DefaultESIACodeLifetime),
		accessTTL:  e.AccessTokenLifetime.Or(config.DefaultESIAAccessLifetime),
		idTTL:      e.IDTokenLifetime.Or(config.DefaultESIAIDLifetime),
		refreshTTL: e.RefreshTokenLifetime.Or(cfg.Lifetimes.RefreshToken.Or(720 * time.Hour)),
	}
	d.keys = &signing.Keys{Signers: d.signer, Rand: d.rand, Now: d.now, Fail: func(w http.ResponseWriter, r *http.Request, status int, err error) {
		d.page(w, r, status, errServer().with("%v", err))
	}}
	d.jwt = &esiajwt.Tokens{Keys: d.keys, Signers: d.signer, Rand: d.rand, Now: d.now}
	persons := rs.BuiltinPersons()
	maps.Copy(persons, e.Persons)
	d.orgs = orgs.NewRegistry(o.Store, e.Organizations, o.Now)
	d.rs = &rs.API{Store: o.Store, Tokens: accessTokens{d}, Now: o.Now, Log: d.log,
		PublicURL: e.PublicURLOrDefault(cfg.Issuer), Scopes: KnownScopes(), Persons: persons, Orgs: d.orgs}
	d.dprofile = &dprofile.Handler{Store: o.Store, Tokens: accessTokens{d}, Sessions: o.Sessions, Pages: o.Pages, Login: o.Login,
		ClientName: o.Clients.Name, Audit: o.Audit, Now: o.Now, Log: d.log}
	var errs []error
	for _, c := range o.Clients.All() {
		if !c.ESIA() {
			continue
		}
		ec, err := newESIAClient(c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.clients[c.ID()] = ec
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if _, err := d.keys.GOST(context.Background()); err != nil {
		d.log.Warn("esia: no GOST token key; GOST3410_2012_256 clients cannot get tokens", "err", err)
	}
	return d, nil
}

// other returns a registered client without an esia block (it gets ESIA-007005), or nil.
func (d *Dialect) other(id string) *clients.Client {
	if c := d.registry.Get(id); c != nil && !c.ESIA() {
		return c
	}
	return nil
}

func newESIAClient(c *clients.Client) (*esiaClient, error) {
	e := *c.Config.ESIA
	ec := &esiaClient{Client: c, esia: e, mode: e.SecretCheckOrDefault(), alg: e.SigningAlgOrDefault(),
		minLevel: storage.Level(e.MinLevel), allowed: map[string]bool{}}
	scopes := e.Scopes
	if len(scopes) == 0 {
		scopes = c.Config.Scopes
	}
	if len(scopes) == 0 {
		scopes = append(KnownScopes(), OrgScopeNames()...)
	}
	for _, s := range scopes {
		if !KnownScope(s) && !isOrgScopeName(s) {
			return nil, fmt.Errorf("config: client %q: esia: unknown scope %q", c.ID(), s)
		}
		ec.allowed[s] = true
	}
	der, err := e.CertificateDER()
	if err != nil {
		return nil, fmt.Errorf("config: client %q: esia: %w", c.ID(), err)
	}
	if ec.secret, err = clientsecret.NewChecker(ec.mode, der); err != nil {
		return nil, fmt.Errorf("config: client %q: esia: %w", c.ID(), err)
	}
	return ec, nil
}

// ringSigner is the keyring as the dialect and package signing sign with it: the RS256 key
// that signs now, after picking up a rotation made through another replica.
type ringSigner struct {
	ring *keys.Ring
	now  func() time.Time
	log  *slog.Logger
}

func (s ringSigner) Signer(ctx context.Context, alg jose.SignatureAlgorithm) (crypto.Signer, string, error) {
	if err := s.ring.Refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "could not reload signing keys", "err", err)
	}
	k, err := s.ring.Signer(alg, s.now())
	if err != nil {
		return nil, "", fmt.Errorf("esia: signing key: %w", err)
	}
	return k.Private, k.ID, nil
}

func (s ringSigner) Kept(ctx context.Context) ([]signing.KeptKey, error) {
	if err := s.ring.Refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "could not reload signing keys", "err", err)
	}
	var out []signing.KeptKey
	for _, k := range s.ring.Keys() {
		if k.Alg == jose.RS256 {
			out = append(out, signing.KeptKey{ID: k.ID, Private: k.Private, NotBefore: k.NotBefore})
		}
	}
	return out, nil
}

// Mount adds the dialect's routes.
func (d *Dialect) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /aas/oauth2/ac", d.authorize(false))
	mux.HandleFunc("POST /aas/oauth2/ac", d.authorize(false))
	mux.HandleFunc("GET /aas/oauth2/v2/ac", d.authorize(true))
	mux.HandleFunc("POST /aas/oauth2/v2/ac", d.authorize(true))
	mux.HandleFunc("POST /aas/oauth2/te", d.token(false))
	mux.HandleFunc("POST /aas/oauth2/v3/te", d.token(true))
	mux.HandleFunc("GET /idp/ext/Logout", d.logout)
	mux.HandleFunc("POST /idp/ext/Logout", d.logoutAnswer)       // the citizen's answer to the logout question
	d.rs.Mount(mux)                                              // GET /rs/prns/{oid}[/{coll}[/{id}]], /rs/prns/{oid}/kids/{kid}/docs[/{id}]
	d.keys.Mount(mux)                                            // GET /esia/esia.cer, /esia/esia.pem, /esia/esia-gost.cer, /public/esia.zip
	d.diag.Mount(mux)                                            // GET /esia/diagnostics, GET /admin/api/esia/diagnostics
	mux.HandleFunc("POST "+PermissionsPath, d.permissionsAnswer) // the Digital Profile consent step's answer
	(&orgs.Admin{Registry: d.orgs, Gate: d.admin}).Mount(mux)    // GET, POST /admin/api/esia/organizations, GET …/{oid}
	d.dprofile.Mount(mux)                                        // GET /account/agreements, POST /account/agreements/withdraw, /esia-emulator/dprofile/…
}

// Complete issues the code (a signed JWT) for a finished login and redirects the browser to
// the relying party with code and state.
func (d *Dialect) Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	_ = d.complete(w, r, ar, nil)
}

// CompleteFinishing is Complete for a request the flow has yet to finish
// (flow.FinishingDialect): the code is saved by the commit that finishes the request. The
// Digital Profile consent step, when it comes first, finds the request finished.
func (d *Dialect) CompleteFinishing(w http.ResponseWriter, r *http.Request, want storage.AuthRequest, finish func(codeHash string, codeExpiresAt time.Time) error) error {
	if permissionsPending(want) {
		if err := finish("", time.Time{}); err != nil {
			return err
		}
		d.Complete(w, r, want)
		return nil
	}
	return d.complete(w, r, want, finish)
}

// complete is Complete; with finish, the code is saved by finish instead of on its own, and
// finish's error is returned with nothing written.
func (d *Dialect) complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, finish func(codeHash string, codeExpiresAt time.Time) error) error {
	ctx := r.Context()
	cl := d.clients[ar.ClientID]
	if cl == nil {
		d.page(w, r, http.StatusBadRequest, errNotAuthorized().with("client %q has no esia block", ar.ClientID))
		return nil
	}
	if permissionsPending(ar) { // the Digital Profile consent step comes first
		d.permissionsPage(w, r, ar)
		return nil
	}
	user, err := d.store.GetUser(ctx, ar.UserID)
	if err != nil {
		d.serverError(w, r, ar, fmt.Errorf("user of the request: %w", err))
		return nil
	}
	if oid, err := d.notEmployedAt(ctx, user.ID, ar.Scopes); err != nil {
		d.serverError(w, r, ar, err)
		return nil
	} else if oid != "" {
		d.log.InfoContext(ctx, "esia: organisation scope refused", "client_id", ar.ClientID, "user", ar.UserID, "org", oid)
		redirectError(w, r, ar.RedirectURI, ar.State, errNotEmployed(oid))
		return nil
	}
	choice, refusal, err := d.acting(ctx, ar, user)
	if err != nil {
		d.serverError(w, r, ar, err)
		return nil
	} else if refusal != nil {
		redirectError(w, r, ar.RedirectURI, ar.State, refusal)
		return nil
	}
	sbj := withChoice(esiajwt.SubjectOf(user, true), choice)
	now := d.now()
	sid, err := d.newSID()
	if err != nil {
		d.serverError(w, r, ar, err)
		return nil
	}
	code, err := d.jwt.Sign(ctx, cl.alg, esiajwt.SbtCode, esiajwt.Code{
		NBF: now.Unix(), Scope: esiajwt.GrantedScope(ar.Scopes, user.ID), AuthTime: ar.AuthTime.Unix(), Iss: d.issuer,
		SID: sid, State: ar.State, AuthMthd: esiajwt.AMR(ar.AMR), Sbj: sbj,
		Exp: now.Add(d.codeTTL).Unix(), Params: esiajwt.CodeParams{RemoteIP: d.sessions.ClientIP(r), UserAgent: r.UserAgent()},
		Iat: now.Unix(), ClientID: ar.ClientID,
	})
	if err != nil {
		d.serverError(w, r, ar, err)
		return nil
	}
	if finish != nil {
		if err := finish(hashHex(code), now.Add(d.codeTTL)); err != nil {
			return err
		}
	} else if err := d.tokens.SaveCode(ctx, ar.ID, hashHex(code), now.Add(d.codeTTL)); err != nil {
		if errors.Is(err, tokens.ErrReplayed) {
			redirectError(w, r, ar.RedirectURI, ar.State, errInvalidGrant().with("the code of this request was redeemed already"))
			return nil
		}
		d.serverError(w, r, ar, err)
		return nil
	}
	u, err := url.Parse(ar.RedirectURI)
	if err != nil {
		d.serverError(w, r, ar, err)
		return nil
	}
	q := u.Query()
	q.Set("code", code)
	q.Set("state", ar.State)
	u.RawQuery = q.Encode()
	d.log.InfoContext(ctx, "esia: code issued", "client_id", ar.ClientID, "user", ar.UserID)
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}

// Fail answers the relying party with ESIA's error shape. The flow's "the account level is
// below …" becomes ESIA-007055; other refusals ESIA-007004.
func (d *Dialect) Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string) {
	var e *Error
	switch {
	case code == "access_denied" && strings.HasPrefix(desc, "the account level is below"):
		e = errUnconfirmed()
	case code == "invalid_request":
		e = esiaErr("ESIA-007003", "invalid_request", desc)
	case code == "server_error", code == "temporarily_unavailable":
		e = errServer()
		e.OAuth = code
	default:
		e = errRefused()
		e.OAuth = code
	}
	d.log.InfoContext(r.Context(), "esia: login refused", "client_id", ar.ClientID, "error", code, "desc", desc, "esia", e.Code)
	redirectError(w, r, ar.RedirectURI, ar.State, e.with("%s", desc))
}

func (d *Dialect) serverError(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, err error) {
	d.log.ErrorContext(r.Context(), "esia: request failed", "path", r.URL.Path, "client_id", ar.ClientID, "err", err)
	if ar.RedirectURI != "" {
		redirectError(w, r, ar.RedirectURI, ar.State, errServer())
		return
	}
	d.page(w, r, http.StatusInternalServerError, errServer())
}

// redirectAllowed reports whether u is one of the client's registered redirect URIs.
func redirectAllowed(c config.Client, u string) bool { return slices.Contains(c.RedirectURIs, u) }

// accessTokens lets the /rs API check the dialect's access tokens.
type accessTokens struct{ d *Dialect }

func (a accessTokens) VerifyAccessToken(ctx context.Context, token string) ([]byte, error) {
	_, claims, err := a.d.jwt.Verify(ctx, token, esiajwt.SbtAccess)
	return claims, err
}

// Organizations is the dialect's organisation registry (the persona generator makes
// organisations through it).
func (d *Dialect) Organizations() *orgs.Registry { return d.orgs }
