package account

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

func (h *Handler) outboxPage(w http.ResponseWriter, r *http.Request) {
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
