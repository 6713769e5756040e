package clients

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Client is a relying party from the configuration, prepared once. The secret is kept only as
// its SHA-256 and compared in constant time. Fields are read-only.
type Client struct {
	Config     config.Client
	AccessTTL  time.Duration
	IDTTL      time.Duration
	RefreshTTL time.Duration
	SigningAlg jose.SignatureAlgorithm // of its ID tokens: RS256 unless configured
	MinLevel   storage.Level
	Refresh    bool // may use the refresh_token grant
	secretHash [32]byte
}

// New prepares a client with the configuration's default lifetimes.
func New(c config.Client, lt config.Lifetimes) *Client {
	cl := &Client{
		Config:     c,
		AccessTTL:  c.AccessTokenLifetime.Or(lt.AccessToken.Or(time.Hour)),
		IDTTL:      c.IDTokenLifetime.Or(lt.IDToken.Or(time.Hour)),
		RefreshTTL: c.RefreshTokenLifetime.Or(lt.RefreshToken.Or(720 * time.Hour)),
		SigningAlg: jose.RS256,
		MinLevel:   storage.Level(c.MinLevel),
		Refresh:    len(c.GrantTypes) == 0 || slices.Contains(c.GrantTypes, "refresh_token"),
	}
	if c.Secret != "" {
		cl.secretHash = sha256.Sum256([]byte(c.Secret))
	}
	if c.SigningAlg != "" {
		cl.SigningAlg = jose.SignatureAlgorithm(c.SigningAlg)
	}
	return cl
}

// ID is the client_id.
func (c *Client) ID() string { return c.Config.ID }

// SecretMatches compares a presented secret in constant time; a public client has none.
func (c *Client) SecretMatches(secret string) bool {
	if c.Config.Public {
		return false
	}
	h := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(h[:], c.secretHash[:]) == 1
}

// DisplayName is the name a citizen sees (the client_id when the configuration has none).
func (c *Client) DisplayName() string {
	if c.Config.Name != "" {
		return c.Config.Name
	}
	return c.Config.ID
}

// RequiresPKCE: public clients and those configured so must send an S256 code challenge.
func (c *Client) RequiresPKCE() bool { return c.Config.Public || c.Config.RequirePKCE }

// ESIA reports whether the client speaks ESIA's dialect (it has an esia block).
func (c *Client) ESIA() bool { return c.Config.ESIA != nil }

// Registry is every configured relying party, OIDC and ESIA alike, in configuration order.
type Registry struct {
	byID map[string]*Client
	all  []*Client
}

// NewRegistry prepares the configured clients. extraRedirect, when set, is allowed as a
// redirect URI of the clients extraFor admits (nil: every client) — the login debugger's
// callback: every client in test mode, the built-in demo clients otherwise («Попробовать
// вход» on the home page). A client whose scopes are not in the catalog is an error.
func NewRegistry(cfg *config.Config, extraRedirect string, extraFor func(config.Client) bool) (*Registry, error) {
	r := &Registry{byID: make(map[string]*Client, len(cfg.Clients))}
	for _, c := range cfg.Clients {
		for _, list := range [][]string{c.Scopes, c.RequiredScopes} {
			if _, err := consent.Validate(list, nil); err != nil {
				return nil, fmt.Errorf("client %s: %w", c.ID, err)
			}
		}
		if extraRedirect != "" && (extraFor == nil || extraFor(c)) {
			c.RedirectURIs = append(slices.Clone(c.RedirectURIs), extraRedirect)
		}
		cl := New(c, cfg.Lifetimes)
		r.byID[c.ID] = cl
		r.all = append(r.all, cl)
	}
	return r, nil
}

// Get returns the client with id, or nil.
func (r *Registry) Get(id string) *Client { return r.byID[id] }

// Lookup returns the client with id and whether it exists.
func (r *Registry) Lookup(id string) (*Client, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// All lists the clients in configuration order.
func (r *Registry) All() []*Client { return slices.Clone(r.all) }

// Name is the display name of the client with id, "" when unknown.
func (r *Registry) Name(id string) string {
	if c := r.byID[id]; c != nil {
		return c.DisplayName()
	}
	return ""
}
