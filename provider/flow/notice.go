package flow

import (
	"fmt"
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// noticePage tells a needs-confirmation citizen, right after the login, what to confirm and
// by when (ДД.ММ.ГГГГ), with the way to the profile; «Продолжить» goes on with the login.
func (h *Handler) noticePage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid, lang string, user storage.User) {
	text := h.Pages.T(lang, "notice.text.nodeadline")
	if !user.StatusDeadline.IsZero() {
		text = fmt.Sprintf(h.Pages.T(lang, "notice.text"), proofing.DateRU(user.StatusDeadline))
	}
	pd := &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "notice.title"}, Paragraphs: []string{text},
		CSRF: h.Sessions.FormToken(bid, ar.ID, formNotice), AuthRequestID: ar.ID,
		FormAction: "/login/notice", FormButton: "notice.continue",
		Links: []web.Link{{Href: "/account", Label: "action.profile", Secondary: true}}}
	if user.StatusReason != "" {
		pd.Paragraphs = append(pd.Paragraphs, h.Pages.T(lang, "notice.reason")+": "+user.StatusReason)
	}
	pd.Paragraphs = append(pd.Paragraphs, h.Pages.T(lang, "notice.how"))
	h.Pages.Render(w, r, http.StatusOK, pd)
}

// postNotice records that the citizen went on past the needs-confirmation notice and
// continues the flow.
func (h *Handler) postNotice(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := h.FlowForm(w, r, formNotice)
	if !ok {
		return
	}
	ar, err := h.AuthRequests.UpdateAuthRequest(r.Context(), ar.ID, h.Now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.NoticeSeen = true
		return a, nil
	})
	if err != nil {
		h.Pages.ServerError(w, r, fmt.Errorf("flow: notice seen: %w", err))
		return
	}
	h.dispatch(w, r, ar, bid, "")
}
