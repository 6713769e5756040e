package testmode

import (
	"net/http"

	"github.com/esia-emulator/esia-emulator/provider/admin"

	"github.com/esia-emulator/esia-emulator/provider/oidc"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
)

// mintRequest asks for tokens without a login (test mode), for API tests of resource servers.
type mintRequest struct {
	Persona  string   `json:"persona"` // persona key or oid
	ClientID string   `json:"client_id"`
	Scopes   []string `json:"scopes"` // default openid
	ACR      string   `json:"acr"`    // default urn:esia:acr:1
	AMR      []string `json:"amr"`    // default [pwd]
	Nonce    string   `json:"nonce"`
	Offline  bool     `json:"offline"` // also a refresh token (client must have the refresh_token grant)
}

// adminMintTokens issues real tokens — stored, signed by the provider's keys, revocable —
// for a persona and client, as if the persona had just logged in.
func (h *Handler) adminMintTokens(w http.ResponseWriter, r *http.Request) {
	var req mintRequest
	if !admin.DecodeJSON(w, r, &req, 1<<16) {
		return
	}
	ctx := r.Context()
	cl, ok := h.Clients.Lookup(req.ClientID)
	if !ok {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: "client_id: no such client"})
		return
	}
	u, err := h.Accounts.Find(ctx, req.Persona)
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	if len(req.Scopes) == 0 {
		req.Scopes = []string{"openid"}
	}
	if req.ACR == "" {
		req.ACR = session.ACROneFactor
	}
	if len(req.AMR) == 0 {
		req.AMR = []string{session.AMRPassword}
	}
	offline := req.Offline && cl.Refresh
	if req.Offline && !offline {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: "offline: the client has no refresh_token grant"})
		return
	}
	b, err := h.Minter.Mint(ctx, oidc.MintRequest{ClientID: cl.Config.ID, User: u, Scopes: req.Scopes, ACR: req.ACR, AMR: req.AMR,
		Nonce: req.Nonce, Offline: offline})
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}
