package oidc

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/storage"
)

// opClient is a registered client as the op engine sees it.
type opClient struct{ *clients.Client }

func (c opClient) GetID() string                    { return c.Config.ID }
func (c opClient) RedirectURIs() []string           { return c.Config.RedirectURIs }
func (c opClient) PostLogoutRedirectURIs() []string { return c.Config.PostLogoutRedirectURIs }
func (c opClient) ApplicationType() op.ApplicationType {
	if c.Config.Public {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}
func (c opClient) AuthMethod() oidc.AuthMethod {
	if c.Config.Public {
		return oidc.AuthMethodNone
	}
	// Basic is advertised; the engine accepts client_secret_post as well (AuthMethodPost).
	return oidc.AuthMethodBasic
}
func (c opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c opClient) GrantTypes() []oidc.GrantType {
	if c.Refresh {
		return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	}
	return []oidc.GrantType{oidc.GrantTypeCode}
}
func (c opClient) LoginURL(id string) string { return "/login?authRequestID=" + id }
func (c opClient) AccessTokenType() op.AccessTokenType {
	if c.Config.AccessTokenFormat == "jwt" {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}
func (c opClient) IDTokenLifetime() time.Duration { return c.IDTTL }

// DevMode lets a registered http:// redirect URI serve public clients too: registration is
// the developer's decision, and matching stays exact.
func (c opClient) DevMode() bool { return true }
func (c opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed keeps the catalog's scopes (the engine would drop all but the standard
// ones); unknown scopes never get here — the authorization endpoint refuses them first.
func (c opClient) IsScopeAllowed(scope string) bool {
	_, err := consent.Validate([]string{scope}, c.Config.Scopes)
	return err == nil
}

// IDTokenUserinfoClaimsAssertion puts the scope claims into the ID token as well as userinfo:
// many cabinet libraries read the profile from the ID token only.
func (c opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c opClient) ClockSkew() time.Duration             { return 0 }

var _ op.Client = opClient{}

// scopesSupported lists the catalog's person scopes for discovery (organisation scopes are
// requested in their URL form and left out).
func scopesSupported() []string {
	var out []string
	for _, s := range consent.All() {
		if s.Kind != consent.KindOrg {
			out = append(out, s.Name)
		}
	}
	return out
}

// authRequest adapts a stored authorization request to the op engine.
type authRequest struct{ r storage.AuthRequest }

func (a *authRequest) GetID() string          { return a.r.ID }
func (a *authRequest) GetACR() string         { return a.r.ACR }
func (a *authRequest) GetAMR() []string       { return a.r.AMR }
func (a *authRequest) GetAudience() []string  { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a *authRequest) GetClientID() string    { return a.r.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }

// GetResponseMode is always query for the engine: package respond sends the answer again in
// the mode the relying party asked for (a.r.ResponseMode), with iss.
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseModeQuery }
func (a *authRequest) GetScopes() []string                { return a.r.Scopes }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string                 { return a.r.UserID }
func (a *authRequest) Done() bool                         { return a.r.Done }

// refreshRequest adapts a stored refresh token to the op engine.
type refreshRequest struct {
	t      storage.Token
	scopes []string
	user   storage.User // the account, as the grant has just checked it exists
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return r.t.Audience }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.t.Subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

var (
	_ op.AuthRequest         = (*authRequest)(nil)
	_ op.RefreshTokenRequest = (*refreshRequest)(nil)
)

// oidcDialect is how the login flow answers an OpenID Connect relying party: the engine
// issues the code and answers the redirect_uri in the request's response mode right away,
// as its callback (/authorize/callback) would one redirect later; errors go to the
// redirect_uri with iss (flow.Dialect).
type oidcDialect struct{ h *Handler }

func (d oidcDialect) Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	r = r.WithContext(op.ContextWithIssuer(r.Context(), d.h.Issuer))
	op.AuthResponse(&authRequest{ar}, d.h.op, d.h.respond.Writer(w, r, ar.ResponseMode), r)
}

func (d oidcDialect) Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string) {
	op.AuthRequestError(d.h.respond.Writer(w, r, ar.ResponseMode), r, &authRequest{ar}, oauthError(code, desc), d.h.op)
}

// oauthError builds an engine error with any OAuth error code (the engine's error type is
// unexported and lacks some codes, such as consent_required).
func oauthError(code, desc string) *oidc.Error {
	var e oidc.Error
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	_ = json.Unmarshal(b, &e)
	return &e
}

// publicCORS lets browser apps read a public document from any origin.
func publicCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			next.ServeHTTP(w, r)
		case http.MethodOptions:
			w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type")
			w.Header().Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
