package provider

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/admin"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Test-mode admin endpoints. They exist only when the emulator runs in test mode; otherwise
// they answer 404 like any unknown path. They sit behind the admin token like the rest of
// the admin API.
func (p *Provider) mountTestMode(mux *http.ServeMux) {
	h := func(f http.HandlerFunc) http.Handler {
		return p.api.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !p.cfg.TestMode() {
				web.JSON(w, http.StatusNotFound, admin.Problem{Error: "not_found", Message: "test-mode endpoint; start the emulator with --mode test or mode: test in its config"})
				return
			}
			f(w, r)
		}))
	}
	mux.Handle("GET /admin/api/clock", h(p.adminGetClock))
	mux.Handle("POST /admin/api/clock", h(p.adminSetClock))
	mux.Handle("POST /admin/api/reset", h(p.adminReset))
	mux.Handle("GET /admin/api/faults", h(p.adminListFaults))
	mux.Handle("POST /admin/api/faults", h(p.adminAddFault))
	mux.Handle("DELETE /admin/api/faults", h(p.adminClearFaults))
	mux.Handle("POST /admin/api/maintenance", h(p.adminMaintenance))
	mux.Handle("POST /admin/api/tokens", h(p.adminMintTokens))
}

type clockView struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
	Frozen bool      `json:"frozen"`
}

func (p *Provider) clockView() clockView {
	now, off, frozen := p.clock.State()
	return clockView{Now: now, Offset: off.Round(time.Millisecond).String(), Frozen: frozen}
}

func (p *Provider) adminGetClock(w http.ResponseWriter, _ *http.Request) {
	web.JSON(w, http.StatusOK, p.clockView())
}

// adminSetClock moves the clock. Body (every field optional, applied in this order):
// {"reset":true, "set":"2026-12-01T10:00:00+03:00", "advance":"15m", "freeze":true|false}.
func (p *Provider) adminSetClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reset   bool       `json:"reset"`
		Set     *time.Time `json:"set"`
		Advance string     `json:"advance"`
		Freeze  *bool      `json:"freeze"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: `body: {"advance":"15m"}, {"set":"2026-12-01T10:00:00Z"}, {"freeze":true} or {"reset":true}: ` + err.Error()})
		return
	}
	var adv time.Duration
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: "advance: a Go duration such as 15m or 3h30m"})
			return
		}
		adv = d
	}
	if req.Reset {
		p.clock.Reset()
	}
	if req.Set != nil {
		p.clock.Set(*req.Set)
	}
	if adv != 0 {
		p.clock.Advance(adv)
	}
	if req.Freeze != nil {
		if *req.Freeze {
			p.clock.Freeze()
		} else {
			p.clock.Resume()
		}
	}
	v := p.clockView()
	p.log.InfoContext(r.Context(), "clock moved", "now", v.Now, "offset", v.Offset, "frozen", v.Frozen)
	web.JSON(w, http.StatusOK, v)
}

// adminReset restores the state of the configuration: every session, token, consent,
// counter and message is dropped and the personas are seeded again. Signing keys stay.
func (p *Provider) adminReset(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := p.store.Reset(r.Context()); err != nil {
		p.api.Error(w, r, err)
		return
	}
	if err := p.accounts.Seed(r.Context()); err != nil {
		p.api.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"reset": true, "took_ms": float64(time.Since(start).Microseconds()) / 1000})
}
