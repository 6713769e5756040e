package provider

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Register adds a dialect to the login flow and mounts its routes. Call it before serving.
// The emulator's own dialects (OIDC, ESIA, the citizen's account) are registered by New.
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
