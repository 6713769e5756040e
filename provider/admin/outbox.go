package admin

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// The outbox is where the emulator "sends" SMS, e-mail and postal messages: developers read
// it at /outbox, tests through /admin/api/outbox (with a wait for the next message, so no
// polling loop is needed).

// adminOutbox lists messages: ?to=+79990000003&channel=sms&kind=login_code&limit=10. With
// &wait=30s it waits (up to 2 minutes) for the first matching message after &after=<id>
// (or, without after, for the next message sent from now on) and returns it alone.
func (h *Handler) adminOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := otp.Filter{To: accounts.Recipient(q.Get("to")), Channel: q.Get("channel"), Kind: q.Get("kind")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "limit: a positive number"})
			return
		}
		f.Limit = n
	}
	ctx := r.Context()
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 2*time.Minute {
			web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "wait: a duration up to 2m, e.g. 30s"})
			return
		}
		after := q.Get("after")
		if after == "" { // the next message from now on: skip what is already there
			last, err := h.Outbox.List(ctx, otp.Filter{To: f.To, Channel: f.Channel, Kind: f.Kind, Limit: 1})
			if err != nil {
				h.API.Error(w, r, err)
				return
			}
			if len(last) == 1 {
				after = last[0].ID
			}
		}
		limits.HoldConnection(w, d) // the long poll outlives the server's read and write timeouts
		wctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		m, err := h.Outbox.Wait(wctx, otp.Filter{To: f.To, Channel: f.Channel, Kind: f.Kind}, after)
		if errors.Is(err, context.DeadlineExceeded) {
			web.JSON(w, http.StatusRequestTimeout, Problem{Error: "timeout", Message: "no matching message arrived in time"})
			return
		}
		if err != nil {
			h.API.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, m)
		return
	}
	msgs, err := h.Outbox.List(ctx, f)
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	if msgs == nil {
		msgs = []otp.Message{}
	}
	web.JSON(w, http.StatusOK, msgs)
}

func (h *Handler) adminClearOutbox(w http.ResponseWriter, r *http.Request) {
	if err := h.Outbox.Clear(r.Context()); err != nil {
		h.API.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminLockout shows a citizen's lockout counters: the account's password and code keys and
// each login's own counter (login:phone, login:email, login:snils).
func (h *Handler) adminLockout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := h.Accounts.Find(ctx, r.PathValue("id"))
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	out := map[string]lockout.Status{}
	for name, key := range accounts.LockoutKeys(u) {
		st, err := h.Limiter.Status(ctx, key)
		if err != nil {
			h.API.Error(w, r, err)
			return
		}
		out[name] = st
	}
	web.JSON(w, http.StatusOK, out)
}

// adminUnlock lifts a citizen's locks (account, codes, each login) and resets the counters.
func (h *Handler) adminUnlock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := h.Accounts.Find(ctx, r.PathValue("id"))
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	for _, key := range accounts.LockoutKeys(u) {
		if err := h.Limiter.Unlock(ctx, key); err != nil {
			h.API.Error(w, r, err)
			return
		}
	}
	h.Audit.Record(ctx, r, audit.Event{Type: audit.Unlock, UserID: u.ID, Details: map[string]string{"by": "admin"}})
	h.adminLockout(w, r)
}

// adminIPLockout shows an address's lockout counter (IPv6 addresses count per /64).
func (h *Handler) adminIPLockout(w http.ResponseWriter, r *http.Request) {
	key, ok := ipKey(w, r)
	if !ok {
		return
	}
	st, err := h.Limiter.Status(r.Context(), key)
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, st)
}

// adminIPUnlock lifts an address's lock: behind a proxy without trusted_proxies, or on a
// shared NAT, one person's failures lock everyone at that address.
func (h *Handler) adminIPUnlock(w http.ResponseWriter, r *http.Request) {
	key, ok := ipKey(w, r)
	if !ok {
		return
	}
	if err := h.Limiter.Unlock(r.Context(), key); err != nil {
		h.API.Error(w, r, err)
		return
	}
	h.Audit.Record(r.Context(), r, audit.Event{Type: audit.Unlock, Details: map[string]string{"by": "admin", "ip": r.PathValue("ip")}})
	h.adminIPLockout(w, r)
}

func ipKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	a, err := netip.ParseAddr(r.PathValue("ip"))
	if err != nil {
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "ip: an IPv4 or IPv6 address"})
		return "", false
	}
	return lockout.IPKey(a.String()), true
}

// adminLocked lists every active lock (accounts, codes, addresses).
func (h *Handler) adminLocked(w http.ResponseWriter, r *http.Request) {
	list, err := h.Limiter.Locked(r.Context())
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	if list == nil {
		list = []lockout.Status{}
	}
	web.JSON(w, http.StatusOK, list)
}
