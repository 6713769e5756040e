package flow

import (
	"context"
	"net/http"
	"slices"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// The role choice: a person with organisation roles chooses whom they log in as (the private
// person, or an employee of an organisation). The dialect says which choices a request
// offers (RoleChooser); the flow shows the page when there are two or more and no choice is
// made yet (nextStep: after the level check, before consent), and stores the choice in the
// request's Extra[ExtraRole] for the dialect to read when it completes.

// ExtraRole is the key of the chosen RoleOption.Value in storage.AuthRequest.Extra.
const ExtraRole = "flow.role"

// formRole is the role page's form step.
const formRole = "role"

// RoleChooser is implemented by a dialect whose relying parties may receive an
// organisation's employee (the ESIA dialect).
type RoleChooser interface {
	// RoleOptions returns the choices request ar offers user (none: the request does not
	// ask, or the person has no roles that fit).
	RoleOptions(ctx context.Context, ar storage.AuthRequest, user storage.User) ([]web.RoleOption, error)
}

// roleOptions returns the choices of the request's dialect, or nil.
func (h *Handler) roleOptions(ctx context.Context, ar storage.AuthRequest, user storage.User) ([]web.RoleOption, error) {
	rc, ok := h.dialect(ar.Dialect).(RoleChooser)
	if !ok {
		return nil, nil
	}
	return rc.RoleOptions(ctx, ar, user)
}

// rolePending: the page is due (two or more choices and none made).
func rolePending(ar storage.AuthRequest, opts []web.RoleOption) bool {
	return len(opts) > 1 && ar.Extra[ExtraRole] == ""
}

func (h *Handler) rolePage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, bid, lang string, opts []web.RoleOption, problem string) {
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	}
	h.Pages.Render(w, r, status, &web.RolePage{Frame: web.Frame{Lang: lang, Title: "role.title"},
		CSRF: h.Sessions.FormToken(bid, ar.ID, formRole), AuthRequestID: ar.ID, ClientName: h.Clients.Name(ar.ClientID),
		Options: opts, Error: problem})
}

// postRole takes the choice (POST /login/role).
func (h *Handler) postRole(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := h.FlowForm(w, r, formRole)
	if !ok {
		return
	}
	ctx := r.Context()
	userID, _, _, err := h.FlowUser(ctx, r, ar)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if userID == "" {
		h.dispatch(w, r, ar, bid, "")
		return
	}
	user, err := h.Users.GetUser(ctx, userID)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	opts, err := h.roleOptions(ctx, ar, user)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	choice := r.PostFormValue("role")
	if !slices.ContainsFunc(opts, func(o web.RoleOption) bool { return o.Value == choice }) {
		h.rolePage(w, r, ar, bid, web.Lang(r, ar.UILocales), opts, "role.missing")
		return
	}
	ar, err = h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, h.Now(), func(a storage.AuthRequest) (storage.AuthRequest, error) {
		if a.Extra == nil {
			a.Extra = map[string]string{}
		}
		a.Extra[ExtraRole] = choice
		return a, nil
	})
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	h.dispatch(w, r, ar, bid, "")
}
