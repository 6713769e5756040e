package account

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/storage"
)

// accountForm checks an account page's form and returns the session's citizen; it answers
// itself (403 page, or the way to the login) when ok is false.
func (h *Handler) accountForm(w http.ResponseWriter, r *http.Request) (storage.User, storage.Session, string, bool) {
	if !h.Sessions.RequireForm(w, r, "", formAccount, h.Pages.Forbidden) {
		return storage.User{}, storage.Session{}, "", false
	}
	return h.accountUser(w, r)
}
