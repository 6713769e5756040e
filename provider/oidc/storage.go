package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/oidc/claims"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/tokens"
	"github.com/esia-emulator/esia-emulator/storage"
)

// opStorage is the op.Storage adapter: the engine's view of our store, clients and keys.
type opStorage struct{ h *Handler }

var (
	_ op.Storage                        = (*opStorage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*opStorage)(nil)
	_ op.CanTerminateSessionFromRequest = (*opStorage)(nil)
)

// hashSecret is the storage form of a code or refresh token: they are never stored in clear.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// errNotFound makes the engine answer "not found" style errors (StorageNotFoundError).
type notFoundError struct{ error }

func (notFoundError) IsNotFound() {}

func (s *opStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	h := s.h
	now := h.Now()
	r := storage.AuthRequest{
		ID:                  h.NewID(),
		ClientID:            req.ClientID,
		RedirectURI:         req.RedirectURI,
		Scopes:              slices.Clone(req.Scopes),
		ResponseType:        string(req.ResponseType),
		ResponseMode:        string(req.ResponseMode),
		State:               req.State,
		Nonce:               req.Nonce,
		CodeChallenge:       req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod),
		Prompt:              slices.Clone(req.Prompt),
		LoginHint:           req.LoginHint,
		ACRValues:           slices.Clone(req.ACRValues),
		HintSubject:         userID,
		Claims:              authorizeExtrasFrom(ctx).claims,
		BrowserID:           authorizeExtrasFrom(ctx).browserID,
		CreatedAt:           now,
		ExpiresAt:           now.Add(h.RequestTTL),
	}
	// Claims asked for by name need the scopes that cover them: the consent page asks for
	// those, and only what is granted is released.
	if cr, err := consent.ParseClaimsRequest(r.Claims); err == nil && cr != nil {
		r.MinLevel = claims.RequestedLevel(cr)
		for _, sc := range consent.ScopesFor(cr.Names()) {
			if !slices.Contains(r.Scopes, sc) {
				r.ClaimScopes = append(r.ClaimScopes, sc)
			}
		}
	}
	if req.CodeChallenge != "" && r.CodeChallengeMethod == "" {
		r.CodeChallengeMethod = string(oidc.CodeChallengeMethodPlain)
	}
	if req.MaxAge != nil {
		v := int64(*req.MaxAge)
		r.MaxAge = &v
	}
	for _, t := range req.UILocales {
		r.UILocales = append(r.UILocales, t.String())
	}
	if err := h.Store.CreateAuthRequest(ctx, r); err != nil {
		if errors.Is(err, storage.ErrUnavailable) {
			// The relying party gets the standard "try again later" answer.
			return nil, oauthError("temporarily_unavailable", "the identity provider's store is unavailable; try again shortly")
		}
		return nil, fmt.Errorf("create auth request: %w", err)
	}
	return &authRequest{r}, nil
}

func (s *opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.h.Store.GetAuthRequest(ctx, id, s.h.Now())
	if err != nil {
		return nil, notFoundError{fmt.Errorf("auth request: %w", err)}
	}
	return &authRequest{r}, nil
}

// AuthRequestByCode finds the request a code was issued for. A code that was redeemed before
// is a replay: every token issued from it is revoked (RFC 6749 §4.1.2, package tokens).
func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.h.Tokens.Code(ctx, hashSecret(code), nil)
	if errors.Is(err, tokens.ErrReplayed) {
		return nil, errors.New("code already used")
	}
	if err != nil {
		return nil, fmt.Errorf("code: %w", err)
	}
	return &authRequest{r}, nil
}

func (s *opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	hash, exp := hashSecret(code), s.h.Now().Add(s.h.CodeTTL)
	if ok, err := saveCodeFinishing(ctx, id, hash, exp); ok {
		return err
	}
	return s.h.Tokens.SaveCode(ctx, id, hash, exp)
}

func (s *opStorage) DeleteAuthRequest(ctx context.Context, id string) error {
	if ex := exchangeFrom(ctx); ex != nil && ex.redeemed == id {
		return nil // redeemed by this token request: the store keeps it (DeleteAuthRequest would too)
	}
	return s.h.Store.DeleteAuthRequest(ctx, id)
}

// newTokens builds the access token (and, with refresh, a refresh token) for a grant.
func (s *opStorage) newTokens(req op.TokenRequest, family string, refresh bool) (access storage.Token, refreshTok *storage.Token, refreshValue string, err error) {
	h := s.h
	now := h.Now()
	var base storage.Token
	switch r := req.(type) {
	case *authRequest:
		base = storage.Token{ClientID: r.r.ClientID, Subject: r.r.UserID, Audience: []string{r.r.ClientID}, Scopes: r.r.Scopes,
			AMR: r.r.AMR, ACR: r.r.ACR, AuthTime: r.r.AuthTime, SessionID: r.r.SessionID, Claims: r.r.Claims, ClaimScopes: r.r.ClaimScopes}
	case *refreshRequest:
		base = r.t
		base.Scopes = r.scopes
		base.Used = false
	default:
		return access, nil, "", fmt.Errorf("unsupported token request %T", req)
	}
	cl, ok := h.Clients.Lookup(base.ClientID)
	if !ok {
		return access, nil, "", fmt.Errorf("unknown client %q", base.ClientID)
	}
	base.FamilyID, base.CreatedAt = family, now
	access = base
	access.ID, access.Kind, access.ExpiresAt = h.NewID(), storage.TokenAccess, now.Add(cl.AccessTTL)
	if refresh {
		refreshValue = h.NewID()
		rt := base
		rt.ID, rt.Kind, rt.ExpiresAt = hashSecret(refreshValue), storage.TokenRefresh, now.Add(cl.RefreshTTL)
		access.RefreshID = rt.ID
		refreshTok = &rt
	}
	return access, refreshTok, refreshValue, nil
}

// CreateAccessToken issues the access token of a code exchange. Redemption is atomic: of
// concurrent exchanges of one code exactly one succeeds; the others revoke its tokens.
func (s *opStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	ar, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	access, _, _, err := s.newTokens(req, ar.r.ID, false)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.redeem(ctx, ar.r.ID, access); err != nil {
		return "", time.Time{}, err
	}
	return access.ID, access.ExpiresAt, nil
}

func (s *opStorage) redeem(ctx context.Context, id string, issued ...storage.Token) error {
	err := s.h.Tokens.Redeem(ctx, id, issued...)
	if errors.Is(err, tokens.ErrReplayed) || errors.Is(err, tokens.ErrInvalid) {
		return oidc.ErrInvalidGrant().WithDescription("invalid code").WithParent(err)
	}
	if err == nil {
		s.h.Tokens.Issued("authorization_code", "oidc")
		if ex := exchangeFrom(ctx); ex != nil {
			ex.redeemed = id
		}
	}
	return err
}

func (s *opStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	h := s.h
	family := ""
	switch r := req.(type) {
	case *authRequest:
		family = r.r.ID
	case *refreshRequest:
		family = r.t.FamilyID
	}
	access, rt, rtValue, err := s.newTokens(req, family, true)
	if err != nil {
		return "", "", time.Time{}, err
	}
	if currentRefreshToken == "" {
		ar, ok := req.(*authRequest)
		if !ok {
			return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
		}
		if err := s.redeem(ctx, ar.r.ID, access, *rt); err != nil {
			return "", "", time.Time{}, err
		}
		return access.ID, rtValue, access.ExpiresAt, nil
	}
	old := storage.Token{ID: hashSecret(currentRefreshToken), FamilyID: family, ClientID: access.ClientID}
	err = h.Tokens.Rotate(ctx, old, access, *rt)
	if err == nil {
		h.Tokens.Issued("refresh_token", "oidc")
	}
	if errors.Is(err, tokens.ErrReplayed) {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if errors.Is(err, tokens.ErrInvalid) {
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	return access.ID, rtValue, access.ExpiresAt, nil
}

func (s *opStorage) TokenRequestByRefreshToken(ctx context.Context, refreshToken string) (op.RefreshTokenRequest, error) {
	h := s.h
	t, err := h.Tokens.Refresh(ctx, hashSecret(refreshToken), nil)
	switch {
	case errors.Is(err, tokens.ErrReplayed):
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	case errors.Is(err, tokens.ErrInvalid):
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid refresh token")
	case err != nil:
		return nil, err
	}
	u, err := h.Store.GetUser(ctx, t.Subject)
	if err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the account no longer exists")
	}
	return &refreshRequest{t: t, scopes: t.Scopes, user: u}, nil
}

// TerminateSession is used only when TerminateSessionFromRequest is not; it ends every session
// of the user.
func (s *opStorage) TerminateSession(ctx context.Context, userID, _ string) error {
	return s.h.Sessions.EndUser(ctx, userID, "")
}

// TerminateSessionFromRequest ends the browser's SSO session (from its cookie, or the sid of
// the id_token_hint) and returns where to send the browser.
func (s *opStorage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	return s.h.endSession(ctx, req)
}

func (s *opStorage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	h := s.h
	// With userID set the engine passes a stored token id (from GetRefreshTokenInfo or a
	// decrypted access token); without, an unrecognised value, looked up as a refresh token.
	id := tokenOrID
	if userID == "" {
		id = hashSecret(tokenOrID)
	}
	t, err := h.Tokens.Get(ctx, id)
	if errors.Is(err, tokens.ErrInvalid) {
		return nil // RFC 7009: an invalid token is not an error
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was issued to another client")
	}
	// Revoking a refresh token revokes the whole grant (RFC 7009 §2.1).
	if err := h.Tokens.Revoke(ctx, t); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.h.Store.GetToken(ctx, hashSecret(token), s.h.Now())
	if err != nil || t.Kind != storage.TokenRefresh {
		return "", "", op.ErrInvalidRefreshToken
	}
	// RevokeToken checks that the token belongs to clientID.
	return t.Subject, t.ID, nil
}

func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	s.refreshKeys(ctx)
	alg := jose.RS256
	if cl, ok := s.h.Clients.Lookup(clientIDFrom(ctx)); ok {
		alg = cl.SigningAlg
	}
	k, err := s.h.Keys.Signer(alg, s.h.Now())
	if err != nil {
		return nil, err
	}
	return signingKey{k}, nil
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return s.h.Keys.Algorithms(), nil
}

func (s *opStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	s.refreshKeys(ctx)
	ks := s.h.Keys.Keys()
	out := make([]op.Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, publicKey{k})
	}
	return out, nil
}

// signingKey is the key that signs now (op.SigningKey).
type signingKey struct{ k keys.Key }

func (s signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return s.k.Alg }
func (s signingKey) Key() any                                    { return s.k.Private }
func (s signingKey) ID() string                                  { return s.k.ID }

// publicKey is a published key (op.Key).
type publicKey struct{ k keys.Key }

func (p publicKey) ID() string                         { return p.k.ID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.Alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.Private.Public() }

var (
	_ op.SigningKey = signingKey{}
	_ op.Key        = publicKey{}
)

// refreshKeys picks up keys rotated by another replica; on a store error the loaded keys
// keep working.
func (s *opStorage) refreshKeys(ctx context.Context) {
	if err := s.h.Keys.Refresh(ctx); err != nil {
		s.h.Logger.WarnContext(ctx, "could not reload signing keys", "err", err)
	}
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	cl, ok := s.h.Clients.Lookup(id)
	if !ok {
		return nil, notFoundError{fmt.Errorf("client %q: %w", id, storage.ErrNotFound)}
	}
	return opClient{cl}, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	cl, ok := s.h.Clients.Lookup(id)
	if !ok || !cl.SecretMatches(secret) {
		return oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the engine; SetUserinfoFromRequest does the work.
func (s *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	var u storage.User
	if rr, ok := req.(*refreshRequest); ok && rr.user.ID == req.GetSubject() {
		u = rr.user // read by this grant a moment ago
	} else {
		var err error
		if u, err = s.h.Store.GetUser(ctx, req.GetSubject()); err != nil {
			return err
		}
	}
	var claimsParam string
	var claimScopes []string
	switch r := req.(type) {
	case *refreshRequest:
		claimsParam, claimScopes = r.t.Claims, r.t.ClaimScopes
	case *authRequest:
		claimsParam, claimScopes = r.r.Claims, r.r.ClaimScopes
	}
	if ar, ok := req.(*authRequest); ok {
		if ar.r.SessionID != "" {
			// sid: the SSO session. Safe to show: the session cookie is signed, so the id
			// alone does not let anyone forge it.
			ui.AppendClaims("sid", ar.r.SessionID)
		}
	}
	claims.SetUserinfo(ui, u, claims.Released(scopes, claimScopes, claimsParam, consent.TargetIDToken))
	claims.SetLevelClaims(ui, u)
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *opStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.h.Store.GetToken(ctx, tokenID, s.h.Now())
	if err != nil || t.Kind != storage.TokenAccess || t.Subject != subject {
		return oidc.ErrAccessDenied().WithDescription("invalid or expired access token")
	}
	u, err := s.h.Store.GetUser(ctx, t.Subject)
	if err != nil {
		return oidc.ErrAccessDenied().WithDescription("the account no longer exists")
	}
	claims.SetUserinfo(ui, u, claims.Released(t.Scopes, t.ClaimScopes, t.Claims, consent.TargetUserInfo))
	claims.SetLevelClaims(ui, u)
	return nil
}

// SetIntrospectionFromToken answers the introspection endpoint. Only the token's audience
// (the client it was issued to) learns that it is active and whose it is; any other
// authenticated client gets {"active":false}, as for an unknown token.
func (s *opStorage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.h.Store.GetToken(ctx, tokenID, s.h.Now())
	if err != nil || t.Kind != storage.TokenAccess || t.Subject != subject {
		return errors.New("token is not active")
	}
	if clientID == "" || clientID != t.ClientID && !slices.Contains(t.Audience, clientID) {
		return errors.New("token is not active")
	}
	u, err := s.h.Store.GetUser(ctx, t.Subject)
	if err != nil {
		return errors.New("token is not active")
	}
	ui := new(oidc.UserInfo)
	claims.SetUserinfo(ui, u, claims.Released(t.Scopes, t.ClaimScopes, t.Claims, consent.TargetIntrospection))
	resp.SetUserInfo(ui)
	resp.Active = true
	resp.Scope = t.Scopes
	resp.ClientID = t.ClientID
	resp.TokenType = oidc.BearerToken
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	resp.AuthTime = oidc.FromTime(t.AuthTime)
	resp.NotBefore = oidc.FromTime(t.CreatedAt)
	resp.Audience = t.Audience
	resp.Issuer = s.h.Issuer
	resp.JWTID = t.ID
	return nil
}

// GetPrivateClaimsFromScopes adds claims to JWT access tokens.
func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt client authentication is not supported")
}

func (s *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not supported")
}

func (s *opStorage) Health(ctx context.Context) error { return s.h.Store.Health(ctx) }
