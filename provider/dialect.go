package provider

import (
	"context"
	"crypto"
	"io"
	"log/slog"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/storage"
)

// EndBrowserSession ends the browser's SSO session (if any) and clears its cookie.
func (p *Provider) EndBrowserSession(w http.ResponseWriter, r *http.Request) error {
	return p.sessions.EndBrowser(w, r)
}

// Register adds a dialect to the login flow and mounts its routes. Call it before serving.
func (p *Provider) Register(name string, d flow.Dialect, mount func(mux *http.ServeMux)) {
	p.flow.Register(name, d)
	if mount != nil {
		mount(p.mux)
	}
}

// StartLogin stores a dialect's authorization request and sends the browser into the login
// flow.
func (p *Provider) StartLogin(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) error {
	return p.flow.StartLogin(w, r, ar)
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
