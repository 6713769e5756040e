package provider

import (
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
)

// adminConfirm confirms a citizen's identity as a service-centre operator or a bank would:
// {"method":"service_centre","operator":"Иванов И.И.","centre":"МФЦ …","series":"4521","number":"634215"}
// (the passport must be the account's verified one) or {"method":"bank","bank":"…"}.
func (p *Provider) adminConfirm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string `json:"method"`
		Bank   string `json:"bank"`
		confirm.OperatorCheck
	}
	if !decodeJSON(w, r, &req, 1<<16) {
		return
	}
	ctx := r.Context()
	u, err := p.findPersona(ctx, r.PathValue("id"))
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	now := p.now()
	pr := proofsOf(u)
	var conf proofing.Confirmation
	switch req.Method {
	case "service_centre":
		conf, err = confirm.ConfirmAtServiceCentre(u, pr, req.OperatorCheck, now)
	case "bank":
		if err = proofing.CanConfirm(u, pr); err == nil {
			by := req.Bank
			if by == "" {
				by = "bank"
			}
			conf = proofing.Confirmation{Method: proofing.ConfirmMethod("bank"), At: now, By: by}
		}
	default:
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "method: service_centre or bank"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "not_confirmed", Message: proofing.Message(err)})
		return
	}
	if err := p.setConfirmation(ctx, r, u.ID, conf); err != nil {
		p.adminError(w, r, err)
		return
	}
	p.adminGetPersona(w, r.WithContext(ctx))
}

// adminStatus sets the account status: {"status":"suspended","reason":"…"} or
// {"status":"needs_confirmation","reason":"…","deadline":"2026-12-31T00:00:00+03:00"} or
// {"status":"active"}.
func (p *Provider) adminStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status   storage.Status `json:"status"`
		Reason   string         `json:"reason"`
		Deadline time.Time      `json:"deadline"`
	}
	if !decodeJSON(w, r, &req, 1<<16) {
		return
	}
	ctx := r.Context()
	u, err := p.findPersona(ctx, r.PathValue("id"))
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	now := p.now()
	var st proofing.AccountStatus
	u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		pr := proofsOf(cur)
		next, err := proofing.SetStatus(proofing.StatusOf(cur, pr), req.Status, req.Reason, req.Deadline, now)
		if err != nil {
			return cur, err
		}
		st = next
		cur, pr = next.ApplyTo(cur, pr)
		return withProofs(cur, pr), nil
	})
	if err != nil {
		if e := proofing.Message(err); e != "" && !isStoreError(err) {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: e})
			return
		}
		p.adminError(w, r, err)
		return
	}
	if st.Status == storage.StatusSuspended {
		if err := p.deleteUserSessions(ctx, u.ID, ""); err != nil {
			p.adminError(w, r, err)
			return
		}
	}
	p.notify(ctx, u, proofing.StatusNotice(st))
	p.recordAudit(ctx, r, audit.Event{Type: audit.StatusChanged, UserID: u.ID, Details: map[string]string{"status": string(st.Status), "reason": st.Reason}})
	p.adminGetPersona(w, r)
}
