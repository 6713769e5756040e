package provider

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	p.mux = mux
	p.flow.Mount(mux)
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) {
		p.web.Message(w, r, http.StatusOK, web.Lang(r, nil), "loggedout.title", "loggedout.text")
	})
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", p.ready)
	p.admin.Mount(mux)
	p.testmode.Mount(mux)
	p.account.Mount(mux)

	p.oidc.Mount(mux)
	return mux
}

func (p *Provider) ready(w http.ResponseWriter, r *http.Request) {
	if err := p.store.Health(r.Context()); err != nil {
		p.log.WarnContext(r.Context(), "store not ready", "err", err)
		http.Error(w, "store unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (p *Provider) home(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r, nil)
	d := &web.HomePage{Frame: web.Frame{Lang: lang, Title: "home.title", MainClass: "wide"}, Issuer: p.cfg.Issuer}
	for _, pc := range p.cfg.Personas {
		login := pc.Phone
		if login == "" {
			login = pc.Email
		}
		d.Personas = append(d.Personas, web.PersonaRow{Key: pc.Key, Name: pc.LastName + " " + pc.FirstName + " " + pc.MiddleName, Level: pc.Level, Login: login})
	}
	for _, c := range p.cfg.Clients {
		d.Clients = append(d.Clients, web.ClientRow{ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs})
	}
	p.web.Render(w, r, http.StatusOK, d)
}
