package flow

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/iprestrict"
)

// IPCheck applies the citizen's address ranges (set on the account's security page) to the
// client address behind trusted_proxies. Every way to log in calls it once the citizen is
// identified (after a right password, a valid signature, a scan), so the refusal tells nothing
// to someone who does not hold the account. A refusal is audited as login_failed.
func (h *Handler) IPCheck(r *http.Request, ar storage.AuthRequest, u storage.User) (string, bool) {
	addr := h.Sessions.ClientIP(r)
	if iprestrict.Allowed(u.AllowedNets, addr) {
		return addr, true
	}
	h.Audit.Record(r.Context(), r, audit.Event{Type: audit.LoginFailed, UserID: u.ID, ClientID: ar.ClientID, Details: map[string]string{"reason": "ip_restricted"}})
	return addr, false
}

// IPRefusal is the refusal's text: why, and what to do.
func (h *Handler) IPRefusal(lang, addr string) []string {
	return []string{fmt.Sprintf(h.Pages.T(lang, "ip.refused"), addr), h.Pages.T(lang, "ip.refused.how")}
}

// IPRefusedPage tells the citizen the login from this address is refused and why.
func (h *Handler) IPRefusedPage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, addr string) {
	lang := web.Lang(r, ar.UILocales)
	h.Pages.Render(w, r, http.StatusForbidden, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "ip.refused.title"},
		Paragraphs: h.IPRefusal(lang, addr),
		Links:      []web.Link{{Href: "/login?authRequestID=" + url.QueryEscape(ar.ID), Label: "methods.password", Secondary: true}}})
}
