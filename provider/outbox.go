package provider

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// The outbox is where the emulator "sends" SMS, e-mail and postal messages: developers read
// it at /outbox, tests through /admin/api/outbox (with a wait for the next message, so no
// polling loop is needed).

type outboxRow struct{ Time, Channel, To, Subject, Body, Code string }

// recipient normalises a ?to= filter the way logins are: any phone spelling (and a "+" that
// arrived as a space) becomes +7XXXXXXXXXX, an e-mail lower-case; anything else is kept.
func recipient(to string) string {
	to = strings.TrimSpace(to)
	if c := ident.LoginCandidates(to); len(c) > 0 && c[0].Kind != ident.KindSNILS {
		return c[0].Value
	}
	return to
}

func (p *Provider) outboxPage(w http.ResponseWriter, r *http.Request) {
	to := recipient(r.URL.Query().Get("to"))
	msgs, err := p.outbox.List(r.Context(), otp.Filter{To: to, Limit: 200})
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	rows := make([]outboxRow, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- { // newest first
		m := msgs[i]
		rows = append(rows, outboxRow{Time: localTime(m.CreatedAt), Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, Code: m.Code})
	}
	p.render(w, r, http.StatusOK, "outbox", pageData{Lang: requestLang(r, nil), Title: "outbox.title", MainClass: "wide", Outbox: rows, Login: to})
}

// adminOutbox lists messages: ?to=+79990000003&channel=sms&kind=login_code&limit=10. With
// &wait=30s it waits (up to 2 minutes) for the first matching message after &after=<id>
// (or, without after, for the next message sent from now on) and returns it alone.
func (p *Provider) adminOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := otp.Filter{To: recipient(q.Get("to")), Channel: q.Get("channel"), Kind: q.Get("kind")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "limit: a positive number"})
			return
		}
		f.Limit = n
	}
	ctx := r.Context()
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 2*time.Minute {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "wait: a duration up to 2m, e.g. 30s"})
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
			writeJSON(w, http.StatusRequestTimeout, apiError{Error: "timeout", Message: "no matching message arrived in time"})
			return
		}
		if err != nil {
			p.adminError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, m)
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
	writeJSON(w, http.StatusOK, msgs)
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
	u, err := p.findPersona(ctx, r.PathValue("id"))
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
	writeJSON(w, http.StatusOK, out)
}

// adminUnlock lifts a citizen's password and code locks and resets the counters.
func (p *Provider) adminUnlock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, err := p.findPersona(ctx, r.PathValue("id"))
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
	p.recordAudit(ctx, r, auditUnlock(u.ID, "admin"))
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
	writeJSON(w, http.StatusOK, list)
}
