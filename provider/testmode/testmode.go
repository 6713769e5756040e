package testmode

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/admin"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Mount adds test mode's endpoints: the admin API's clock, reset, faults, maintenance, token
// minting and persona generator, and the /debug login debugger. The admin endpoints sit behind
// the admin token like the rest of the admin API and answer 404 outside test mode; /debug
// exists only in test mode.
func (h *Handler) Mount(mux *http.ServeMux) {
	h.mountGenerate(mux)
	h.mountDebug(mux)
	g := h.guard
	mux.Handle("GET /admin/api/clock", g(h.adminGetClock))
	mux.Handle("POST /admin/api/clock", g(h.adminSetClock))
	mux.Handle("POST /admin/api/reset", g(h.adminReset))
	mux.Handle("GET /admin/api/faults", g(h.adminListFaults))
	mux.Handle("POST /admin/api/faults", g(h.adminAddFault))
	mux.Handle("DELETE /admin/api/faults", g(h.adminClearFaults))
	mux.Handle("POST /admin/api/maintenance", g(h.adminMaintenance))
	mux.Handle("POST /admin/api/tokens", g(h.adminMintTokens))
}

// guard puts a test-mode endpoint behind the admin token and answers 404 outside test mode.
func (h *Handler) guard(f http.HandlerFunc) http.Handler {
	return h.API.Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.Enabled {
			web.JSON(w, http.StatusNotFound, admin.Problem{Error: "not_found", Message: "test-mode endpoint; start the emulator with --mode test or mode: test in its config"})
			return
		}
		f(w, r)
	}))
}

type clockView struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
	Frozen bool      `json:"frozen"`
}

func (h *Handler) clockView() clockView {
	now, off, frozen := h.Clock.State()
	return clockView{Now: now, Offset: off.Round(time.Millisecond).String(), Frozen: frozen}
}

func (h *Handler) adminGetClock(w http.ResponseWriter, _ *http.Request) {
	web.JSON(w, http.StatusOK, h.clockView())
}

// adminSetClock moves the clock. Body (every field optional, applied in this order):
// {"reset":true, "set":"2026-12-01T10:00:00+03:00", "advance":"15m", "freeze":true|false}.
func (h *Handler) adminSetClock(w http.ResponseWriter, r *http.Request) {
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
	if msg := h.clockMoveRefused(req.Reset, req.Set, adv); msg != "" {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: msg})
		return
	}
	if req.Reset {
		h.Clock.Reset()
	}
	if req.Set != nil {
		h.Clock.Set(*req.Set)
	}
	if adv != 0 {
		h.Clock.Advance(adv)
	}
	if req.Freeze != nil {
		if *req.Freeze {
			h.Clock.Freeze()
		} else {
			h.Clock.Resume()
		}
	}
	v := h.clockView()
	h.Logger.InfoContext(r.Context(), "clock moved", "now", v.Now, "offset", v.Offset, "frozen", v.Frozen)
	web.JSON(w, http.StatusOK, v)
}

// maxClockOffset is how far the test clock may move from the real clock either way. Its
// offset is a time.Duration (±292 years, beyond which time arithmetic clamps silently); at
// most 100 years each way, two offsets added never overflow.
const maxClockOffset = 100 * 365 * 24 * time.Hour

// clockMoveRefused says why a move (reset, then set, then advance, as adminSetClock applies
// them) would take the clock more than maxClockOffset from the real clock, or "".
func (h *Handler) clockMoveRefused(reset bool, set *time.Time, adv time.Duration) string {
	now, off, _ := h.Clock.State()
	base := now.Add(-off)
	if reset {
		off = 0
	}
	const limit = "the test clock moves at most 100 years either way from the real clock"
	if set != nil {
		off = set.Sub(base) // saturates at ±292 years: beyond the limit either way
		if off > maxClockOffset || off < -maxClockOffset {
			return fmt.Sprintf("set %s: %s (now %s)", set.Format(time.RFC3339), limit, base.Format(time.RFC3339))
		}
	}
	if adv > maxClockOffset || adv < -maxClockOffset {
		return fmt.Sprintf("advance %s: %s", adv, limit)
	}
	if off += adv; off > maxClockOffset || off < -maxClockOffset { // |off|, |adv| ≤ 100 years: no overflow
		return fmt.Sprintf("advance %s: %s (the clock is already %s away)", adv, limit, (off - adv).Round(time.Second))
	}
	return ""
}

// adminReset restores the state of the configuration: every session, token, consent,
// counter and message is dropped and the personas are seeded again. Signing keys stay.
func (h *Handler) adminReset(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := h.Store.Reset(r.Context()); err != nil {
		h.API.Error(w, r, err)
		return
	}
	if err := h.Accounts.Seed(r.Context()); err != nil {
		h.API.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"reset": true, "took_ms": float64(time.Since(start).Microseconds()) / 1000})
}
