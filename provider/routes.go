package provider

import (
	"net/http"
)

// routes mounts every room on one mux. The OIDC engine's catch-all "/" goes last.
func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	p.mux = mux
	p.site.Mount(mux)
	p.flow.Mount(mux)
	p.account.Mount(mux)
	p.outboxPage.Mount(mux)
	p.admin.Mount(mux)
	p.testmode.Mount(mux)
	p.oidc.Mount(mux)
	return mux
}
