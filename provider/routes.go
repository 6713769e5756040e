package provider

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/flow/methods"
	"github.com/esia-emulator/esia-emulator/provider/metrics"
)

// routes mounts every room on one mux. The OIDC engine's catch-all "/" goes last.
func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	p.mux = mux
	p.site.Mount(mux)
	p.flow.Mount(mux)
	(&methods.SPA{Flow: p.flow, Issuer: p.cfg.Issuer}).Mount(mux)                                            // ESIA's SPA login API: the flow's second face
	(&methods.DSLogin{Flow: p.flow, Roots: p.confirmer.Roots, Docs: p.store, Guard: p.api.Guard}).Mount(mux) // «Войти другим способом», e-signature login
	(&methods.QRLogin{Flow: p.flow, Docs: p.store, Guard: p.api.Guard}).Mount(mux)                           // the Gosuslugi app's QR code
	p.account.Mount(mux)
	p.outboxPage.Mount(mux)
	p.admin.Mount(mux)
	p.testmode.Mount(mux)
	p.metrics.Mount(mux, p.api.Guard) // /metrics and /debug/pprof/, behind the admin token
	p.oidc.Mount(mux)
	return metrics.Routes(mux)
}
