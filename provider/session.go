package provider

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// requireCSRF answers the 403 page and returns false unless the posted token is right.
func (p *Provider) requireCSRF(w http.ResponseWriter, r *http.Request, authReqID, step string) bool {
	if p.sessions.CheckForm(r, authReqID, step) {
		return true
	}
	p.web.Message(w, r, http.StatusForbidden, web.Lang(r, nil), "error.csrf.title", "error.csrf")
	return false
}

// accountForm checks an account page's form and returns the session's citizen; it answers
// itself (403 page, or the way to the login) when ok is false.
func (p *Provider) accountForm(w http.ResponseWriter, r *http.Request) (storage.User, storage.Session, string, bool) {
	if !p.requireCSRF(w, r, "", formAccount) {
		return storage.User{}, storage.Session{}, "", false
	}
	return p.accountUser(w, r)
}
