package admin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/web"
)

// adminAudit queries the audit log: ?user=&client=&session=&type=login,logout&from=&to=
// (RFC 3339) &limit=100&order=asc|desc (default newest first).
func (h *Handler) adminAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{UserID: q.Get("user"), ClientID: q.Get("client"), SessionID: q.Get("session"), Ascending: q.Get("order") == "asc"}
	for _, t := range strings.Split(q.Get("type"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			f.Types = append(f.Types, audit.Type(t))
		}
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: name + ": an RFC 3339 time such as 2026-11-22T10:00:00+03:00"})
				return
			}
			*dst = t
		}
	}
	f.Limit = 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "limit: 1 to 10000"})
			return
		}
		f.Limit = n
	}
	events, err := h.Audit.Log.Query(r.Context(), f)
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	if events == nil {
		events = []audit.Event{}
	}
	web.JSON(w, http.StatusOK, events)
}
