package admin

import (
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
)

// adminConfirm confirms a citizen's identity as a service-centre operator or a bank would:
// {"method":"service_centre","operator":"Иванов И.И.","centre":"МФЦ …","series":"4521","number":"634215"}
// (the passport must be the account's verified one) or {"method":"bank","bank":"…"}.
func (h *Handler) adminConfirm(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string `json:"method"`
		Bank   string `json:"bank"`
		confirm.OperatorCheck
	}
	if !DecodeJSON(w, r, &req, 1<<16) {
		return
	}
	ctx := r.Context()
	u, err := h.Accounts.Find(ctx, r.PathValue("id"))
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	now := h.Now()
	pr := accounts.ProofsOf(u)
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
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "method: service_centre or bank"})
		return
	}
	if err != nil {
		web.JSON(w, http.StatusUnprocessableEntity, Problem{Error: "not_confirmed", Message: proofing.Message(err)})
		return
	}
	if err := h.Accounts.SetConfirmation(ctx, r, u.ID, conf); err != nil {
		h.API.Error(w, r, err)
		return
	}
	h.adminGetPersona(w, r.WithContext(ctx))
}

// adminStatus sets the account status: {"status":"suspended","reason":"…"} or
// {"status":"needs_confirmation","reason":"…","deadline":"2026-12-31T00:00:00+03:00"} or
// {"status":"active"}.
func (h *Handler) adminStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status   storage.Status `json:"status"`
		Reason   string         `json:"reason"`
		Deadline time.Time      `json:"deadline"`
	}
	if !DecodeJSON(w, r, &req, 1<<16) {
		return
	}
	ctx := r.Context()
	u, err := h.Accounts.Find(ctx, r.PathValue("id"))
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	now := h.Now()
	var st proofing.AccountStatus
	u, err = h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		pr := accounts.ProofsOf(cur)
		next, err := proofing.SetStatus(proofing.StatusOf(cur, pr), req.Status, req.Reason, req.Deadline, now)
		if err != nil {
			return cur, err
		}
		st = next
		cur, pr = next.ApplyTo(cur, pr)
		return accounts.WithProofs(cur, pr), nil
	})
	if err != nil {
		if e := proofing.Message(err); e != "" && !isStoreError(err) {
			web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: e})
			return
		}
		h.API.Error(w, r, err)
		return
	}
	if st.Status == storage.StatusSuspended {
		if err := h.Sessions.EndUser(ctx, u.ID, ""); err != nil {
			h.API.Error(w, r, err)
			return
		}
	}
	h.Accounts.Notify(ctx, u, proofing.StatusNotice(st))
	h.Audit.Record(ctx, r, audit.Event{Type: audit.StatusChanged, UserID: u.ID, Details: map[string]string{"status": string(st.Status), "reason": st.Reason}})
	h.adminGetPersona(w, r)
}
