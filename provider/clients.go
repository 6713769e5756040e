package provider

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/clients"
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
var scopesSupported = func() []string {
	var out []string
	for _, s := range consent.All() {
		if s.Kind != consent.KindOrg {
			out = append(out, s.Name)
		}
	}
	return out
}()
