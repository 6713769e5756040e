package provider

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

// client is a relying party from the configuration, as the op engine sees it. The secret is
// kept only as its SHA-256 and compared in constant time.
type client struct {
	cfg          config.Client
	secretHash   [32]byte
	grantTypes   []oidc.GrantType
	accessTTL    time.Duration
	idTTL        time.Duration
	refreshTTL   time.Duration
	signingAlg   jose.SignatureAlgorithm
	minLevel     storage.Level
	loginURLBase string
}

func newClient(c config.Client, lt config.Lifetimes) *client {
	cl := &client{
		cfg:        c,
		accessTTL:  c.AccessTokenLifetime.Or(lt.AccessToken.Or(time.Hour)),
		idTTL:      c.IDTokenLifetime.Or(lt.IDToken.Or(time.Hour)),
		refreshTTL: c.RefreshTokenLifetime.Or(lt.RefreshToken.Or(720 * time.Hour)),
		signingAlg: jose.RS256,
		minLevel:   storage.Level(c.MinLevel),
	}
	if c.Secret != "" {
		cl.secretHash = sha256.Sum256([]byte(c.Secret))
	}
	if c.SigningAlg != "" {
		cl.signingAlg = jose.SignatureAlgorithm(c.SigningAlg)
	}
	grants := c.GrantTypes
	if len(grants) == 0 {
		grants = []string{"authorization_code", "refresh_token"}
	}
	cl.grantTypes = []oidc.GrantType{oidc.GrantTypeCode}
	if slices.Contains(grants, "refresh_token") {
		cl.grantTypes = append(cl.grantTypes, oidc.GrantTypeRefreshToken)
	}
	return cl
}

// secretMatches compares in constant time.
func (c *client) secretMatches(secret string) bool {
	if c.cfg.Public {
		return false
	}
	h := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(h[:], c.secretHash[:]) == 1
}

func (c *client) displayName() string {
	if c.cfg.Name != "" {
		return c.cfg.Name
	}
	return c.cfg.ID
}

func (c *client) requiresPKCE() bool { return c.cfg.Public || c.cfg.RequirePKCE }

func (c *client) GetID() string                    { return c.cfg.ID }
func (c *client) RedirectURIs() []string           { return c.cfg.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.cfg.PostLogoutRedirectURIs }
func (c *client) ApplicationType() op.ApplicationType {
	if c.cfg.Public {
		return op.ApplicationTypeUserAgent
	}
	return op.ApplicationTypeWeb
}
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.cfg.Public {
		return oidc.AuthMethodNone
	}
	// Basic is advertised; the engine accepts client_secret_post as well (AuthMethodPost).
	return oidc.AuthMethodBasic
}
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return c.grantTypes }
func (c *client) LoginURL(id string) string    { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType {
	if c.cfg.AccessTokenFormat == "jwt" {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}
func (c *client) IDTokenLifetime() time.Duration { return c.idTTL }

// DevMode lets a registered http:// redirect URI serve public clients too: registration is
// the developer's decision, and matching stays exact.
func (c *client) DevMode() bool { return true }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed keeps the catalog's scopes (the engine would drop all but the standard
// ones); unknown scopes never get here — the authorization endpoint refuses them first.
func (c *client) IsScopeAllowed(scope string) bool {
	_, err := consent.Validate([]string{scope}, c.cfg.Scopes)
	return err == nil
}

// IDTokenUserinfoClaimsAssertion puts the scope claims into the ID token as well as userinfo:
// many cabinet libraries read the profile from the ID token only.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }

var _ op.Client = (*client)(nil)

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
