package testmode

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"

	"github.com/esia-emulator/esia-emulator/provider/admin"
	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/storage"

	"github.com/esia-emulator/esia-emulator/provider/oidc"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

// A fault makes the next Count calls of an endpoint fail on purpose (test mode). Faults live
// in this process: with replicas, set them on the one the test talks to.
type fault struct {
	Endpoint         string `json:"endpoint"`
	Count            int    `json:"count"`
	Status           int    `json:"status"`
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
	ESIACode         string `json:"esia_code,omitempty"` // e.g. ESIA-007008, put before the description
	Delay            string `json:"delay,omitempty"`     // wait this long first (then fail, or pass with status 0)
	// Outcome is a registry fault's refusal reason (registry:* endpoints), e.g.
	// PERSON_NOT_FOUND, PASSPORT_INVALID, INN_NOT_FOUND.
	Outcome string `json:"outcome,omitempty"`
	delay   time.Duration
}

// faultEndpoints names the endpoints faults can target, by path.
func faultEndpoints() []struct{ name, prefix string } {
	return []struct{ name, prefix string }{
		{"token", oidc.PathToken}, {"token", "/aas/oauth2/te"}, {"token", "/aas/oauth2/v3/te"},
		{"authorize", oidc.PathAuthorize}, {"authorize", "/aas/oauth2/ac"}, {"authorize", "/aas/oauth2/v2/ac"},
		{"userinfo", "/userinfo"}, {"jwks", "/keys"}, {"person", "/rs/"},
		{"introspect", "/oauth/introspect"}, {"revoke", "/revoke"}, {"discovery", oidc.PathDiscovery},
	}
}

// registryFaults are the registry fault targets and their default refusal reasons.
func registryFaults() map[string]string {
	return map[string]string{
		"registry:snils": "PERSON_NOT_FOUND", "registry:passport": "PASSPORT_INVALID", "registry:inn": "INN_NOT_FOUND",
	}
}

func endpointOf(path string) string {
	for _, e := range faultEndpoints() {
		if path == e.prefix || (strings.HasSuffix(e.prefix, "/") && strings.HasPrefix(path, e.prefix)) {
			return e.name
		}
	}
	return ""
}

// faultTable holds the pending faults and the maintenance switch.
type faultTable struct {
	mu          sync.Mutex
	pending     []*fault
	maintenance bool
}

// take consumes one pending fault for the endpoint, if any.
func (ft *faultTable) take(endpoint string) *fault {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	for i, f := range ft.pending {
		if f.Endpoint != endpoint {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			ft.pending = append(ft.pending[:i], ft.pending[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// WithFaults applies maintenance and pending faults in front of every route (test mode).
// The admin API and health endpoints stay reachable so the switch can be turned off.
func (h *Handler) WithFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if strings.HasPrefix(path, "/admin/") || path == "/healthz" || path == "/readyz" {
			next.ServeHTTP(w, r)
			return
		}
		endpoint := endpointOf(path)
		h.faults.mu.Lock()
		maintenance := h.faults.maintenance
		h.faults.mu.Unlock()
		if maintenance {
			w.Header().Set("Retry-After", "60")
			if h.esiaAnswer(w, r, endpoint, http.StatusServiceUnavailable, "temporarily_unavailable", esiaMaintenance, "") {
				return
			}
			if endpoint != "" && endpoint != "authorize" {
				web.JSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable", "error_description": "технические работы / maintenance"})
				return
			}
			h.Pages.Message(w, r, http.StatusServiceUnavailable, web.Lang(r, nil), "maintenance.title", "maintenance.text")
			return
		}
		f := h.faults.take(endpoint)
		if f == nil || endpoint == "" {
			next.ServeHTTP(w, r)
			return
		}
		if f.delay > 0 {
			limits.HoldConnection(w, f.delay)
			t := time.NewTimer(f.delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if f.Status == 0 {
			next.ServeHTTP(w, r) // a pure delay
			return
		}
		desc := f.ErrorDescription
		if f.ESIACode != "" {
			desc = strings.TrimSpace(f.ESIACode + ": " + desc)
		}
		if h.esiaAnswer(w, r, endpoint, f.Status, f.Error, desc, f.ESIACode) {
			return
		}
		if endpoint == "authorize" {
			lang := web.Lang(r, nil)
			h.Pages.Render(w, r, f.Status, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "error.title"},
				Paragraphs: []string{h.Pages.T(lang, "error.server")}, Details: strings.TrimSpace(f.Error + " " + desc)})
			return
		}
		body := map[string]string{}
		if f.Error != "" {
			body["error"] = f.Error
		}
		if desc != "" {
			body["error_description"] = desc
		}
		if f.ESIACode != "" && endpoint == "person" {
			body = map[string]string{"code": f.ESIACode, "message": f.ErrorDescription}
		}
		web.JSON(w, f.Status, body)
	})
}

// adminAddFault queues a fault: {"endpoint":"token","count":2,"status":503,"error":"temporarily_unavailable"}.
func (h *Handler) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var f fault
	if !admin.DecodeJSON(w, r, &f, 1<<16) {
		return
	}
	known := registryFaults()[f.Endpoint] != ""
	for _, e := range faultEndpoints() {
		known = known || e.name == f.Endpoint
	}
	if !known {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: "endpoint: one of token, authorize, userinfo, jwks, person, introspect, revoke, discovery, registry:snils, registry:passport, registry:inn"})
		return
	}
	if def := registryFaults()[f.Endpoint]; def != "" && f.Outcome == "" {
		f.Outcome = def
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: "status: 400–599, or 0 for a delay only"})
		return
	}
	if f.Delay != "" {
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 || d > 5*time.Minute {
			web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: "delay: a duration up to 5m"})
			return
		}
		f.delay = d
	}
	if f.Status == 0 && f.delay == 0 {
		f.Status = http.StatusServiceUnavailable
	}
	h.faults.mu.Lock()
	h.faults.pending = append(h.faults.pending, &f)
	h.faults.mu.Unlock()
	web.JSON(w, http.StatusCreated, h.faultsView())
}

func (h *Handler) faultsView() map[string]any {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	list := make([]fault, 0, len(h.faults.pending))
	for _, f := range h.faults.pending {
		list = append(list, *f)
	}
	return map[string]any{"faults": list, "maintenance": h.faults.maintenance}
}

func (h *Handler) adminListFaults(w http.ResponseWriter, _ *http.Request) {
	web.JSON(w, http.StatusOK, h.faultsView())
}

func (h *Handler) adminClearFaults(w http.ResponseWriter, _ *http.Request) {
	h.faults.mu.Lock()
	h.faults.pending = nil
	h.faults.mu.Unlock()
	web.JSON(w, http.StatusOK, h.faultsView())
}

// adminMaintenance switches the "технические работы" mode: {"on":true}.
func (h *Handler) adminMaintenance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		On *bool `json:"on"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil || req.On == nil {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: `body: {"on":true} or {"on":false}`})
		return
	}
	h.faults.mu.Lock()
	h.faults.maintenance = *req.On
	h.faults.mu.Unlock()
	h.Logger.InfoContext(r.Context(), fmt.Sprintf("maintenance mode %v", *req.On))
	web.JSON(w, http.StatusOK, h.faultsView())
}

// RegistryFault consumes a pending registry fault for kind (POST /admin/api/faults
// {"endpoint":"registry:snils"}) and gives its refusal reason; ok is false when none is
// pending (registry.Registries.Override).
func (h *Handler) RegistryFault(kind registry.CheckKind) (state, reason string, ok bool) {
	if f := h.faults.take("registry:" + string(kind)); f != nil {
		return storage.VerifyFailed, f.Outcome, true
	}
	return "", "", false
}

// esiaMaintenance is ESIA's answer while it is down (ESIA-007008: overload or maintenance).
const esiaMaintenance = "ESIA-007008: The service is temporarily unavailable (maintenance or overload)"

// esiaAnswer answers maintenance and injected faults on ESIA's own endpoints in ESIA's format
// and reports whether it did: on /aas/oauth2/ac and /v2/ac the redirect to the system's
// registered redirect_uri with error, error_description and state (a page only when client_id
// or redirect_uri is not known-good, as ESIA does); on /te and /v3/te 4xx/5xx JSON with the
// token request's state; on /rs ESIA's {code, message}.
func (h *Handler) esiaAnswer(w http.ResponseWriter, r *http.Request, endpoint string, status int, oauthErr, desc, code string) bool {
	path := r.URL.Path
	esia := strings.HasPrefix(path, "/aas/oauth2/") || strings.HasPrefix(path, "/rs/")
	if !esia || endpoint == "" {
		return false
	}
	if oauthErr == "" {
		oauthErr = "server_error"
	}
	if desc == "" {
		desc = esiaMaintenance
	}
	switch endpoint {
	case "authorize":
		if err := r.ParseForm(); err != nil {
			return false
		}
		cl, ok := h.Clients.Lookup(r.Form.Get("client_id"))
		redirect := r.Form.Get("redirect_uri")
		if !ok || cl.Config.ESIA == nil || !slices.Contains(cl.Config.RedirectURIs, redirect) {
			return false // not known-good: the page, as for any request ESIA cannot answer back
		}
		u, err := url.Parse(redirect)
		if err != nil {
			return false
		}
		q := u.Query()
		q.Set("error", oauthErr)
		q.Set("error_description", desc)
		if st := r.Form.Get("state"); st != "" {
			q.Set("state", st)
		}
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	case "token":
		if err := r.ParseForm(); err != nil {
			return false
		}
		body := map[string]string{"error": oauthErr, "error_description": desc}
		if st := r.PostForm.Get("state"); st != "" {
			body["state"] = st
		}
		web.JSON(w, status, body)
	case "person":
		if code == "" {
			code = "ESIA-007008"
		}
		msg := strings.TrimSpace(strings.TrimPrefix(desc, code+":"))
		web.JSON(w, status, map[string]string{"code": code, "message": msg})
	default:
		return false
	}
	return true
}
