package outbox

import (
	"context"
	"net/http"
	"net/url"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// The /outbox page shows every code the emulator sent, so who may read it is a setting
// (config outbox): public, admin (the admin token as a Bearer header, or typed once into the
// page's form, which sets the admin cookie) or off (404).

const formOutbox = "outbox"

// Messages lists sent messages (otp.Outbox).
type Messages interface {
	List(ctx context.Context, f otp.Filter) ([]otp.Message, error)
}

// Handler serves the outbox page. All fields are required.
type Handler struct {
	Outbox Messages
	// Exposure is config outbox: public, admin ("" too) or off; Admin checks the token.
	Exposure string
	Admin    AdminGate
	Sessions *session.Manager
	Pages    *web.Renderer
}

// Mount adds GET /outbox and POST /outbox/login (the admin token form).
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /outbox", h.outboxPage)
	mux.HandleFunc("POST /outbox/login", h.outboxLogIn)
}

// AdminGate checks the admin token for the outbox page (admin.API).
type AdminGate interface {
	// Authorized: the request carries the admin token (Bearer header or admin cookie).
	Authorized(r *http.Request) bool
	// LogIn sets the admin cookie when token is the admin token.
	LogIn(w http.ResponseWriter, token string) bool
}

// outboxMode is the configured exposure; "" is admin.
func (h *Handler) outboxMode() string {
	switch h.Exposure {
	case config.OutboxPublic, config.OutboxOff:
		return h.Exposure
	}
	return config.OutboxAdmin
}

func (h *Handler) outboxPage(w http.ResponseWriter, r *http.Request) {
	switch h.outboxMode() {
	case config.OutboxOff:
		http.NotFound(w, r)
		return
	case config.OutboxAdmin:
		if !h.Admin.Authorized(r) {
			h.outboxTokenForm(w, r, false)
			return
		}
	}
	to := accounts.Recipient(r.URL.Query().Get("to"))
	msgs, err := h.Outbox.List(r.Context(), otp.Filter{To: to, Limit: 200})
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	rows := make([]web.OutboxRow, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- { // newest first
		m := msgs[i]
		rows = append(rows, web.OutboxRow{Time: web.DateTime(m.CreatedAt), Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, Code: m.Code})
	}
	h.Pages.Render(w, r, http.StatusOK, &web.OutboxPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "outbox.title", MainClass: "wide"}, Outbox: rows, Login: to})
}

// outboxTokenForm answers 401 with the form that asks for the admin token.
func (h *Handler) outboxTokenForm(w http.ResponseWriter, r *http.Request, wrong bool) {
	if h.Exposure == config.OutboxOff || h.outboxMode() != config.OutboxAdmin {
		http.NotFound(w, r)
		return
	}
	bid, err := h.Sessions.BrowserID(w, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	to := r.URL.Query().Get("to")
	if r.Method == http.MethodPost {
		to = r.PostFormValue("to")
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="esia-emulator admin"`)
	h.Pages.Render(w, r, http.StatusUnauthorized, &web.OutboxPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "outbox.title"},
		Login: to, NeedToken: true, WrongToken: wrong, CSRF: h.Sessions.FormToken(bid, "", formOutbox)})
}

// outboxLogIn takes the admin token from the page's form and sets the admin cookie.
func (h *Handler) outboxLogIn(w http.ResponseWriter, r *http.Request) {
	if h.outboxMode() != config.OutboxAdmin {
		http.NotFound(w, r)
		return
	}
	if !h.Sessions.RequireForm(w, r, "", formOutbox, h.Pages.Forbidden) {
		return
	}
	if !h.Admin.LogIn(w, r.PostFormValue("token")) {
		h.outboxTokenForm(w, r, true)
		return
	}
	target := "/outbox"
	if to := r.PostFormValue("to"); to != "" {
		target += "?to=" + url.QueryEscape(to)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
