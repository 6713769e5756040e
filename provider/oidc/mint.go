package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/storage"
)

// MintRequest asks for tokens without a login (test mode's token minting), as if the account
// had just logged in to the client.
type MintRequest struct {
	ClientID string
	User     storage.User
	Scopes   []string
	ACR      string
	AMR      []string
	Nonce    string
	Offline  bool // also a refresh token
}

// Mint issues real tokens — stored, signed by the provider's keys, revocable — and returns the
// token response as JSON (with the test clock's times in the ID token). The client must exist,
// and have the refresh_token grant for Offline.
func (h *Handler) Mint(ctx context.Context, req MintRequest) ([]byte, error) {
	cl, ok := h.Clients.Lookup(req.ClientID)
	if !ok {
		return nil, fmt.Errorf("oidc: mint: no client %q", req.ClientID)
	}
	if req.Offline && !cl.Refresh {
		return nil, fmt.Errorf("oidc: mint: client %q has no refresh_token grant", req.ClientID)
	}
	now := h.Now()
	family := h.NewID()
	ar := &authRequest{storage.AuthRequest{ID: family, ClientID: cl.Config.ID, UserID: req.User.ID, Scopes: req.Scopes,
		ACR: req.ACR, AMR: req.AMR, Nonce: req.Nonce, AuthTime: now, ResponseType: "code"}}
	st := &opStorage{h}
	access, rt, rtValue, err := st.newTokens(ar, family, req.Offline)
	if err != nil {
		return nil, err
	}
	toStore := []storage.Token{access}
	if rt != nil {
		toStore = append(toStore, *rt)
	}
	if err := h.Store.CreateTokens(ctx, toStore...); err != nil {
		return nil, fmt.Errorf("oidc: mint: %w", err)
	}
	h.Tokens.Issued("test_mint", "oidc")
	ctx = op.ContextWithIssuer(context.WithValue(ctx, ctxClientID, cl.Config.ID), h.Issuer)
	var accessToken string
	if (opClient{cl}).AccessTokenType() == op.AccessTokenTypeJWT {
		accessToken, err = op.CreateJWT(ctx, h.Issuer, ar, access.ExpiresAt, access.ID, opClient{cl}, st)
	} else {
		accessToken, err = op.CreateBearerToken(access.ID, req.User.ID, h.op.Crypto())
	}
	if err != nil {
		return nil, fmt.Errorf("oidc: mint: %w", err)
	}
	idToken, err := op.CreateIDToken(ctx, h.Issuer, ar, cl.IDTTL, accessToken, "", st, opClient{cl})
	if err != nil {
		return nil, fmt.Errorf("oidc: mint: %w", err)
	}
	resp := map[string]any{
		"access_token": accessToken, "id_token": idToken, "token_type": "Bearer",
		"expires_in": int64(access.ExpiresAt.Sub(now) / time.Second), "scope": req.Scopes,
	}
	if rtValue != "" {
		resp["refresh_token"] = rtValue
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	if h.Clock != nil {
		b = h.shiftIDTokenTimes(b, cl.IDTTL)
	}
	return b, nil
}
