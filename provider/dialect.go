package provider

import (
	"context"
	"crypto"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
)

// A Dialect serves relying parties that speak another protocol than OpenID Connect (ESIA's
// /aas/oauth2 endpoints) through the same login flow, sessions, consent, levels and lockout.
// The dialect creates an authorization request with its name in Dialect and sends the
// browser to the login flow with StartLogin; the flow hands the finished or failed request
// back to the dialect.
type Dialect interface {
	// Complete issues the dialect's code for a finished request and redirects the browser.
	Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest)
	// Fail answers the relying party with the dialect's form of an OAuth error (code is the
	// OAuth error: login_required, access_denied, consent_required, invalid_request, …).
	Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string)
}

// Register adds a dialect and mounts its routes. Call it before serving.
func (p *Provider) Register(name string, d Dialect, mount func(mux *http.ServeMux)) {
	if p.dialects == nil {
		p.dialects = map[string]Dialect{}
	}
	p.dialects[name] = d
	if mount != nil {
		mount(p.mux)
	}
}

// StartLogin stores a dialect's authorization request (ID, CreatedAt and ExpiresAt are set
// here) and sends the browser into the login flow.
func (p *Provider) StartLogin(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) error {
	now := p.now()
	ar.ID, ar.CreatedAt, ar.ExpiresAt = p.randomID(), now, now.Add(p.cfg.Lifetimes.AuthRequest.Or(30*time.Minute))
	ar.Schema = storage.SchemaVersion
	if err := p.store.CreateAuthRequest(r.Context(), ar); err != nil {
		return err
	}
	http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusFound)
	return nil
}

// EndBrowserSession ends the browser's SSO session (if any) and clears its cookie.
func (p *Provider) EndBrowserSession(w http.ResponseWriter, r *http.Request) error {
	return p.sessions.EndBrowser(w, r)
}

// Host accessors for dialects and other extensions.

func (p *Provider) Store() storage.Store   { return p.store }
func (p *Provider) Now() time.Time         { return p.now() }
func (p *Provider) Rand() io.Reader        { return p.rand }
func (p *Provider) Logger() *slog.Logger   { return p.log }
func (p *Provider) Config() *config.Config { return p.cfg }
func (p *Provider) RandomID() string       { return p.randomID() }

// Signer returns the key that signs now for alg (RS256 or ES256) and its kid.
func (p *Provider) Signer(ctx context.Context, alg jose.SignatureAlgorithm) (crypto.Signer, string, error) {
	if err := p.keys.Refresh(ctx); err != nil {
		p.log.WarnContext(ctx, "could not reload signing keys", "err", err)
	}
	k, err := p.keys.Signer(alg, p.now())
	if err != nil {
		return nil, "", err
	}
	return k.Private, k.ID, nil
}
