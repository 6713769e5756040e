package account

import (
	"errors"
	"net/http"
	"strings"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/iprestrict"
)

// The security section's "Вход только с указанных адресов": the citizen limits logins to
// address ranges (verification/iprestrict); every way to log in checks them (provider/flow).

func (h *Handler) mountIPRestrict(mux *http.ServeMux) {
	mux.HandleFunc("POST /account/security/ip", h.ipRestrictPost)
}

// ipRestrictPost saves the ranges typed in the form (an empty list lifts the restriction).
// The citizen's current address must be inside the new list, so nobody locks themselves out
// by a typo.
func (h *Handler) ipRestrictPost(w http.ResponseWriter, r *http.Request) {
	u, sess, bid, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	lang := web.Lang(r, nil)
	fail := func(key string) {
		h.renderSecurity(w, r, u, sess.ID, bid, &web.SecurityView{Error: h.Pages.T(lang, key)})
	}
	nets, err := iprestrict.Parse(r.PostFormValue("nets"))
	switch {
	case errors.Is(err, iprestrict.ErrTooLong), errors.Is(err, iprestrict.ErrTooMany):
		fail("ip.toomany")
		return
	case errors.Is(err, iprestrict.ErrTooBroad):
		fail("ip.broad")
		return
	case err != nil:
		fail("ip.bad")
		return
	}
	if !iprestrict.Allowed(nets, h.Sessions.ClientIP(r)) {
		fail("ip.self")
		return
	}
	ctx := r.Context()
	if _, err := h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		cur.AllowedNets, cur.UpdatedAt = nets, h.Now()
		return cur, nil
	}); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.Audit.Record(ctx, r, audit.Event{Type: audit.IPRestrictionChanged, UserID: u.ID, Details: map[string]string{"allowed_nets": strings.Join(nets, " ")}})
	http.Redirect(w, r, "/account/security?notice=security.saved", http.StatusSeeOther)
}
