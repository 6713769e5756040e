package provider

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
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
func (p *Provider) adminOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := otp.Filter{To: accounts.Recipient(q.Get("to")), Channel: q.Get("channel"), Kind: q.Get("kind")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			web.JSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "limit: a positive number"})
			return
		}
		f.Limit = n
	}
	ctx := r.Context()
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 2*time.Minute {
			web.JSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "wait: a duration up to 2m, e.g. 30s"})
			return
		}
		after := q.Get("after")
		if after == "" { // the next message from now on: skip what is already there
			last, err := p.outbox.List(ctx, otp.Filter{To: f.To, Channel: f.Channel, Kind: f.Kind, Limit: 1})
			if err != nil {
				p.adminError(w, r, err)
				return
			}
			if len(last) == 1 {
				after = last[0].ID
			}
		}
		wctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		m, err := p.outbox.Wait(wctx, otp.Filter{To: f.To, Channel: f.Channel, Kind: f.Kind}, after)
		if errors.Is(err, context.DeadlineExceeded) {
			web.JSON(w, http.StatusRequestTimeout, apiError{Error: "timeout", Message: "no matching message arrived in time"})
			return
		}
		if err != nil {
			p.adminError(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, m)
		return
	}
	msgs, err := p.outbox.List(ctx, f)
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	if msgs == nil {
		msgs = []otp.Message{}
	}
	web.JSON(w, http.StatusOK, msgs)
}

func (p *Provider) adminClearOutbox(w http.ResponseWriter, r *http.Request) {
	if err := p.outbox.Clear(r.Context()); err != nil {
		p.adminError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// adminLockout shows a citizen's lockout counters: password and code.
func (p *Provider) adminLockout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := p.accounts.Find(ctx, r.PathValue("id"))
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	out := map[string]lockout.Status{}
	for name, key := range map[string]string{"password": lockout.PasswordKey(u.ID), "code": lockout.CodeKey(u.ID)} {
		st, err := p.limiter.Status(ctx, key)
		if err != nil {
			p.adminError(w, r, err)
			return
		}
		out[name] = st
	}
	web.JSON(w, http.StatusOK, out)
}

// adminUnlock lifts a citizen's password and code locks and resets the counters.
func (p *Provider) adminUnlock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := p.accounts.Find(ctx, r.PathValue("id"))
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	for _, key := range []string{lockout.PasswordKey(u.ID), lockout.CodeKey(u.ID)} {
		if err := p.limiter.Unlock(ctx, key); err != nil {
			p.adminError(w, r, err)
			return
		}
	}
	p.audit.Record(ctx, r, audit.Event{Type: audit.Unlock, UserID: u.ID, Details: map[string]string{"by": "admin"}})
	p.adminLockout(w, r)
}

// adminLocked lists every active lock (accounts, codes, addresses).
func (p *Provider) adminLocked(w http.ResponseWriter, r *http.Request) {
	list, err := p.limiter.Locked(r.Context())
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	if list == nil {
		list = []lockout.Status{}
	}
	web.JSON(w, http.StatusOK, list)
}
