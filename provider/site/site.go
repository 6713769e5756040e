package site

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Health reports whether the store can be reached.
type Health interface {
	Health(ctx context.Context) error
}

// Handler serves the emulator's own pages. All fields are required.
type Handler struct {
	Issuer   string
	Personas []config.Persona // listed on the home page
	Clients  []config.Client  // listed on the home page
	Store    Health
	Pages    *web.Renderer
	Logger   *slog.Logger
	Try      TryLogin // the «Попробовать вход» buttons
}

// TryLogin gives the home page its «Попробовать вход» forms (testmode.Handler: the login
// debugger, which serves the built-in demo clients in every mode).
type TryLogin interface {
	TryButtons(w http.ResponseWriter, r *http.Request) ([]web.TryButton, error)
}

// Mount adds / (home), /logged-out, /lang (the language link), /healthz, /readyz and the
// pages' stylesheet (web.Renderer.StylePath).
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+h.Pages.StylePath(), h.Pages.ServeStyle)
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) {
		d := h.Pages.MessagePage(web.Lang(r, nil), "loggedout.title", "loggedout.text", "loggedout.again")
		d.Links = []web.Link{{Href: "/account", Label: "action.relogin"}, {Href: "/", Label: "action.home", Secondary: true}}
		h.Pages.Render(w, r, http.StatusOK, d)
	})
	mux.HandleFunc("GET /lang", web.SwitchLang)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", h.ready)
}

// ready answers 200 while the store is reachable, 503 otherwise (process alive: /healthz).
func (h *Handler) ready(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.Health(r.Context()); err != nil {
		h.Logger.WarnContext(r.Context(), "store not ready", "err", err)
		http.Error(w, "store unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// home lists the personas and clients a developer can try.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r, nil)
	d := &web.HomePage{Frame: web.Frame{Lang: lang, Title: "home.title", MainClass: "wide"}, Issuer: h.Issuer}
	for _, pc := range h.Personas {
		login := pc.Phone
		if login == "" {
			login = pc.Email
		}
		d.Personas = append(d.Personas, web.PersonaRow{Key: pc.Key, Name: pc.LastName + " " + pc.FirstName + " " + pc.MiddleName, Level: pc.Level, Login: login})
	}
	for _, c := range h.Clients {
		d.Clients = append(d.Clients, web.ClientRow{ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs})
	}
	try, err := h.Try.TryButtons(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	d.Try = try
	h.Pages.Render(w, r, http.StatusOK, d)
}
