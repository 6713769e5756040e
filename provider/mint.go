package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/session"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/storage"
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
func (p *Provider) adminMintTokens(w http.ResponseWriter, r *http.Request) {
	var req mintRequest
	if !decodeJSON(w, r, &req, 1<<16) {
		return
	}
	ctx := r.Context()
	cl, ok := p.clients.Lookup(req.ClientID)
	if !ok {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "client_id: no such client"})
		return
	}
	u, err := p.accounts.Find(ctx, req.Persona)
	if err != nil {
		p.adminError(w, r, err)
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
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "offline: the client has no refresh_token grant"})
		return
	}
	now := p.now()
	family := p.randomID()
	ar := &authRequest{storage.AuthRequest{ID: family, ClientID: cl.Config.ID, UserID: u.ID, Scopes: req.Scopes,
		ACR: req.ACR, AMR: req.AMR, Nonce: req.Nonce, AuthTime: now, ResponseType: "code"}}
	st := &opStorage{p}
	access, rt, rtValue, err := st.newTokens(ar, family, offline)
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	toStore := []storage.Token{access}
	if rt != nil {
		toStore = append(toStore, *rt)
	}
	if err := p.store.CreateTokens(ctx, toStore...); err != nil {
		p.adminError(w, r, err)
		return
	}
	ctx = op.ContextWithIssuer(context.WithValue(ctx, ctxClientID, cl.Config.ID), p.cfg.Issuer)
	var accessToken string
	if (opClient{cl}).AccessTokenType() == op.AccessTokenTypeJWT {
		accessToken, err = op.CreateJWT(ctx, p.cfg.Issuer, ar, access.ExpiresAt, access.ID, opClient{cl}, st)
	} else {
		accessToken, err = op.CreateBearerToken(access.ID, u.ID, p.op.Crypto())
	}
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	idToken, err := op.CreateIDToken(ctx, p.cfg.Issuer, ar, cl.IDTTL, accessToken, "", st, opClient{cl})
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	resp := map[string]any{
		"access_token": accessToken, "id_token": idToken, "token_type": "Bearer",
		"expires_in": int64(access.ExpiresAt.Sub(now) / time.Second), "scope": req.Scopes,
	}
	if rtValue != "" {
		resp["refresh_token"] = rtValue
	}
	b, _ := json.Marshal(resp)
	if p.clock != nil {
		b = p.shiftIDTokenTimes(b, cl.IDTTL)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}
