package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
)

// Config is the whole configuration file.
type Config struct {
	// Issuer is the OpenID issuer, identical in discovery, tokens and every iss.
	Issuer string `yaml:"issuer" json:"issuer,omitempty"`
	// Mode "test" turns on the test conveniences (time travel, reset, persona picker, …) and
	// shows a "тестовый режим" banner; "" or "normal" leaves them off.
	Mode string `yaml:"mode" json:"mode,omitempty"`
	// AdminToken enables /admin/api/ when non-empty (Bearer token).
	AdminToken string `yaml:"admin_token" json:"admin_token,omitempty"`
	// Outbox says who may read the /outbox page, which shows every code sent: public
	// (anyone), admin (the admin token: a Bearer header or the page's token form) or off
	// (404). "" lets the command decide: public when it listens on loopback only, else admin;
	// the provider alone treats "" as admin. The admin API's outbox always needs the token.
	Outbox string `yaml:"outbox" json:"outbox,omitempty"`
	// TrustedProxies are the addresses (CIDRs or single IPs) of reverse proxies whose
	// forwarding header (ForwardedHeader) names the client: the rightmost address in it that
	// is not a trusted proxy is the client's, for lockout, the audit log and sessions. Empty:
	// the peer address is the client's and forwarding headers are ignored.
	TrustedProxies []string `yaml:"trusted_proxies" json:"trusted_proxies,omitempty"`
	// ForwardedHeader is the header the trusted proxies set: x-forwarded-for (default) or
	// forwarded (RFC 7239). Only one is read, so a client cannot slip in the other.
	ForwardedHeader string `yaml:"forwarded_header" json:"forwarded_header,omitempty"`

	Lifetimes Lifetimes `yaml:"lifetimes" json:"lifetimes,omitempty"`
	// Lockout after failed passwords and codes (Keycloak-style knobs; README "Lockout").
	Lockout lockout.Policy `yaml:"lockout" json:"lockout,omitempty"`
	// SecondFactor configures one-time codes, TOTP and message delivery.
	SecondFactor SecondFactor `yaml:"second_factor" json:"second_factor,omitempty"`
	// Proofing configures the emulated registries and identity confirmation.
	Proofing Proofing `yaml:"proofing" json:"proofing,omitempty"`
	// ESIA configures the ESIA dialect (issuer of ESIA-format tokens, time windows, …).
	ESIA     ESIA     `yaml:"esia" json:"esia,omitempty"`
	Password Password `yaml:"password" json:"password,omitempty"`

	// BuiltinClients and BuiltinPersonas (default true) keep the demo clients and personas.
	BuiltinClients  *bool     `yaml:"builtin_clients" json:"builtin_clients,omitempty"`
	BuiltinPersonas *bool     `yaml:"builtin_personas" json:"builtin_personas,omitempty"`
	Clients         []Client  `yaml:"clients" json:"clients,omitempty"`
	Personas        []Persona `yaml:"personas" json:"personas,omitempty"`
}

// Lifetimes of the provider's artefacts. Zero values take the defaults.
type Lifetimes struct {
	AuthRequest     Duration `yaml:"auth_request" json:"auth_request,omitempty"`         // login must finish within (default 30m)
	Code            Duration `yaml:"code" json:"code,omitempty"`                         // authorization code (default 60s)
	AccessToken     Duration `yaml:"access_token" json:"access_token,omitempty"`         // default 1h
	IDToken         Duration `yaml:"id_token" json:"id_token,omitempty"`                 // default 1h
	RefreshToken    Duration `yaml:"refresh_token" json:"refresh_token,omitempty"`       // default 720h
	SessionIdle     Duration `yaml:"session_idle" json:"session_idle,omitempty"`         // SSO idle timeout (default 15m)
	SessionAbsolute Duration `yaml:"session_absolute" json:"session_absolute,omitempty"` // SSO absolute lifetime (default 3h)
	AuditEvents     Duration `yaml:"audit_events" json:"audit_events,omitempty"`         // audit log retention (default 2160h = 90 days)
}

// Password hashing (argon2id). Preset "default" (OWASP: 19 MiB, t=2, p=1) or "test" (cheap,
// for test suites); explicit numbers override the preset.
type Password struct {
	Preset      string `yaml:"preset" json:"preset,omitempty"`
	MemoryKiB   uint32 `yaml:"memory_kib" json:"memory_kib,omitempty"`
	Iterations  uint32 `yaml:"iterations" json:"iterations,omitempty"`
	Parallelism uint8  `yaml:"parallelism" json:"parallelism,omitempty"`
	// MaxConcurrent bounds the hashes running at once (login, registration, recovery,
	// switching the second factor off); 0: 2×GOMAXPROCS; negative: no bound. Each takes the
	// memory above (19 MiB by default), so this bounds hashing's memory.
	MaxConcurrent int `yaml:"max_concurrent" json:"max_concurrent,omitempty"`
	// Wait is how long a hash waits for a slot before the citizen gets "overloaded, try
	// again" (503); 0: 2s.
	Wait Duration `yaml:"wait" json:"wait,omitempty"`
}

// SecondFactor configures one-time codes (SMS and e-mail), TOTP and message delivery.
// Zero values take ESIA's rules: 6 digits, valid 300 s, 3 tries, "send again" after 60 s,
// at most 10 codes an hour per phone.
type SecondFactor struct {
	CodeLength  int      `yaml:"code_length" json:"code_length,omitempty"`
	CodeTTL     Duration `yaml:"code_ttl" json:"code_ttl,omitempty"`
	MaxTries    int      `yaml:"max_tries" json:"max_tries,omitempty"`
	ResendAfter Duration `yaml:"resend_after" json:"resend_after,omitempty"`
	MaxPerHour  int      `yaml:"max_per_hour" json:"max_per_hour,omitempty"`
	// Codes to addresses not yet trusted (registration, a new phone or e-mail, recovery) in any
	// 60 minutes, on top of max_per_hour per address: from one client address (default 40)
	// and from everyone (default 500); negative: no cap.
	NewAddressPerIP int `yaml:"new_address_codes_per_ip" json:"new_address_codes_per_ip,omitempty"`
	NewAddressTotal int `yaml:"new_address_codes_total" json:"new_address_codes_total,omitempty"`
	// Pepper is a secret mixed into stored code hashes (replicas must share it).
	Pepper string `yaml:"pepper" json:"-"`
	// WebhookURL also delivers every message (SMS, e-mail, letters) as JSON to this HTTP
	// endpoint, e.g. a real SMS gateway adapter; the outbox keeps its copy.
	WebhookURL string `yaml:"webhook_url" json:"webhook_url,omitempty"`
	// TOTPIssuer names the service in authenticator apps.
	TOTPIssuer string `yaml:"totp_issuer" json:"totp_issuer,omitempty"`
}

// Proofing configures the emulated state registries that check SNILS, passports and INNs,
// and the identity confirmation methods.
type Proofing struct {
	// Delay before a registry answers (0: at the next page view; real ESIA: up to 15 min).
	Delay Duration `yaml:"delay" json:"delay,omitempty"`
	// Fixtures say what each registry "knows"; without a match the default rules apply
	// (README "Levels and proofing").
	Fixtures registry.Fixtures `yaml:"fixtures" json:"fixtures,omitempty"`
	// LetterTTL is how long a registered-letter confirmation code is valid (default 30 days).
	LetterTTL Duration `yaml:"letter_ttl" json:"letter_ttl,omitempty"`
	// ESignatureCA is a PEM file of the test CA(s) whose certificates may confirm an
	// identity with an e-signature; empty: e-signature confirmation is off.
	ESignatureCA string `yaml:"esignature_ca" json:"esignature_ca,omitempty"`
}

// Client is a relying party.
type Client struct {
	ID   string `yaml:"id" json:"id,omitempty"`
	Name string `yaml:"name" json:"name,omitempty"` // shown to the citizen
	// Secret is the client secret; empty with Public: true.
	Secret                 string   `yaml:"secret" json:"secret,omitempty"`
	Public                 bool     `yaml:"public" json:"public,omitempty"`
	RedirectURIs           []string `yaml:"redirect_uris" json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris" json:"post_logout_redirect_uris,omitempty"`
	// BackchannelLogoutURI receives OpenID Connect Back-Channel Logout 1.0 logout tokens
	// (POST, logout_token=…) when an SSO session in which the client got tokens ends; empty:
	// no back-channel logout. An absolute http(s) URI without fragment.
	BackchannelLogoutURI string `yaml:"backchannel_logout_uri" json:"backchannel_logout_uri,omitempty"`
	// BackchannelLogoutSessionRequired: the client needs sid in logout tokens. The emulator
	// always sends sid, so this only documents the client's expectation.
	BackchannelLogoutSessionRequired bool `yaml:"backchannel_logout_session_required" json:"backchannel_logout_session_required,omitempty"`
	// GrantTypes: authorization_code (always), refresh_token. Default: both.
	GrantTypes []string `yaml:"grant_types" json:"grant_types,omitempty"`
	// RequirePKCE forces S256 PKCE; always on for public clients.
	RequirePKCE bool `yaml:"require_pkce" json:"require_pkce,omitempty"`
	// SigningAlg of ID tokens: RS256 (default) or ES256.
	SigningAlg string `yaml:"signing_alg" json:"signing_alg,omitempty"`
	// AccessTokenFormat: opaque (default) or jwt.
	AccessTokenFormat    string   `yaml:"access_token_format" json:"access_token_format,omitempty"`
	AccessTokenLifetime  Duration `yaml:"access_token_lifetime" json:"access_token_lifetime,omitempty"`
	IDTokenLifetime      Duration `yaml:"id_token_lifetime" json:"id_token_lifetime,omitempty"`
	RefreshTokenLifetime Duration `yaml:"refresh_token_lifetime" json:"refresh_token_lifetime,omitempty"`
	// MinLevel refuses citizens below it: simplified, standard or confirmed.
	MinLevel string `yaml:"min_level" json:"min_level,omitempty"`
	// Scopes the client may request (empty: every scope of the catalog); RequiredScopes
	// cannot be unticked on the consent page.
	Scopes         []string `yaml:"scopes" json:"scopes,omitempty"`
	RequiredScopes []string `yaml:"required_scopes" json:"required_scopes,omitempty"`
	// FirstParty clients skip the consent page.
	FirstParty bool `yaml:"first_party" json:"first_party,omitempty"`
	// ConsentLifetime limits remembered consent (0: until withdrawn).
	ConsentLifetime Duration `yaml:"consent_lifetime" json:"consent_lifetime,omitempty"`
	// ESIA configures the client for ESIA's own endpoints (/aas/oauth2/…).
	ESIA *ESIAClient `yaml:"esia" json:"esia,omitempty"`
}

// Persona is a test citizen seeded into the store at start.
type Persona struct {
	Key        string    `yaml:"key" json:"key,omitempty"`
	OID        string    `yaml:"oid" json:"oid,omitempty"`
	Password   string    `yaml:"password" json:"password,omitempty"` // default Test1234!
	Level      string    `yaml:"level" json:"level,omitempty"`       // simplified, standard, confirmed
	Status     string    `yaml:"status" json:"status,omitempty"`     // active (default), suspended, needs_confirmation
	Reason     string    `yaml:"status_reason" json:"status_reason,omitempty"`
	LastName   string    `yaml:"last_name" json:"last_name,omitempty"`
	FirstName  string    `yaml:"first_name" json:"first_name,omitempty"`
	MiddleName string    `yaml:"middle_name" json:"middle_name,omitempty"`
	BirthDate  string    `yaml:"birth_date" json:"birth_date,omitempty"` // YYYY-MM-DD
	BirthPlace string    `yaml:"birth_place" json:"birth_place,omitempty"`
	Gender     string    `yaml:"gender" json:"gender,omitempty"` // M or F
	Phone      string    `yaml:"phone" json:"phone,omitempty"`
	Email      string    `yaml:"email" json:"email,omitempty"`
	SNILS      string    `yaml:"snils" json:"snils,omitempty"`
	INN        string    `yaml:"inn" json:"inn,omitempty"`
	Passport   *Passport `yaml:"passport" json:"passport,omitempty"`
	Address    string    `yaml:"address" json:"address,omitempty"` // registration address, one line
	// SecondFactor is "", "sms" or "totp": a code is asked at every login.
	SecondFactor string `yaml:"second_factor" json:"second_factor,omitempty"`
	// TOTPSecret is the base32 secret of a "totp" persona (default DefaultTOTPSecret).
	TOTPSecret string `yaml:"totp_secret" json:"totp_secret,omitempty"`
}

// Passport RF.
type Passport struct {
	Series    string `yaml:"series" json:"series,omitempty"`
	Number    string `yaml:"number" json:"number,omitempty"`
	IssueDate string `yaml:"issue_date" json:"issue_date,omitempty"` // YYYY-MM-DD
	IssuedBy  string `yaml:"issued_by" json:"issued_by,omitempty"`
	UnitCode  string `yaml:"unit_code" json:"unit_code,omitempty"` // ddd-ddd
}

// Duration is a time.Duration written as "15m", "3h", "60s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes Go duration syntax.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Or returns d, or def when d is zero.
func (d Duration) Or(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

// Outbox exposures (Config.Outbox).
const (
	OutboxPublic = "public"
	OutboxAdmin  = "admin"
	OutboxOff    = "off"
)

// DefaultIssuer and DefaultPassword of the built-ins.
const (
	DefaultIssuer   = "http://127.0.0.1:8080"
	DefaultPassword = "Test1234!"
	// DefaultTOTPSecret is the authenticator secret of TOTP personas, published so tests can
	// compute codes (e.g. oathtool --totp -b ESIAEMULATORTOTP).
	DefaultTOTPSecret = "ESIAEMULATORTOTP"
)

// Default returns the configuration used without a file: the built-ins and defaults.
func Default() *Config {
	c := &Config{}
	if err := c.finish(); err != nil {
		panic(err) // the built-ins are valid by construction; a test checks it
	}
	return c
}

// Load reads a YAML file, merges it with the built-ins and validates it.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(b)
}

// Parse parses YAML bytes (unknown fields are errors), merges and validates.
func Parse(b []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// finish applies defaults, merges built-ins and validates.
func (c *Config) finish() error {
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	if c.BuiltinClients == nil || *c.BuiltinClients {
		c.Clients = mergeByKey(BuiltinClients(), c.Clients, func(x Client) string { return x.ID })
	}
	if c.BuiltinPersonas == nil || *c.BuiltinPersonas {
		c.Personas = mergeByKey(BuiltinPersonas(), c.Personas, func(x Persona) string { return x.Key })
	}
	for i := range c.Personas {
		if c.Personas[i].Password == "" {
			c.Personas[i].Password = DefaultPassword
		}
		if c.Personas[i].Status == "" {
			c.Personas[i].Status = "active"
		}
	}
	return c.Validate()
}

// mergeByKey returns base with items of over replacing those of the same key, then the
// remaining items of over in their order.
func mergeByKey[T any](base, over []T, key func(T) string) []T {
	out := slices.Clone(base)
	for _, o := range over {
		if i := slices.IndexFunc(out, func(b T) bool { return key(b) == key(o) }); i >= 0 {
			out[i] = o
		} else {
			out = append(out, o)
		}
	}
	return out
}

// Validate checks the configuration and returns every problem found, joined.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("config: issuer %q must be an absolute http(s) URL without query or fragment", c.Issuer))
	}
	switch c.Password.Preset {
	case "", "default", "test":
	default:
		errs = append(errs, fmt.Errorf("config: password.preset %q: want default or test", c.Password.Preset))
	}
	switch c.Mode {
	case "", "normal", "test":
	default:
		errs = append(errs, fmt.Errorf("config: mode %q: want normal or test", c.Mode))
	}
	switch c.Outbox {
	case "", OutboxPublic, OutboxAdmin, OutboxOff:
	default:
		errs = append(errs, fmt.Errorf("config: outbox %q: want public, admin or off", c.Outbox))
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		errs = append(errs, err)
	}
	switch c.ForwardedHeader {
	case "", "x-forwarded-for", "forwarded":
	default:
		errs = append(errs, fmt.Errorf("config: forwarded_header %q: want x-forwarded-for or forwarded", c.ForwardedHeader))
	}
	errs = append(errs, c.Proofing.Fixtures.Validate(), c.ESIA.Validate(c.Clients), c.SecondFactor.Validate())
	seen := map[string]bool{}
	for _, cl := range c.Clients {
		if seen["c:"+cl.ID] {
			errs = append(errs, fmt.Errorf("config: client %q defined twice", cl.ID))
		}
		seen["c:"+cl.ID] = true
		errs = append(errs, cl.Validate())
	}
	for _, p := range c.Personas {
		if seen["p:"+p.Key] || seen["o:"+p.OID] {
			errs = append(errs, fmt.Errorf("config: persona %q (oid %s) defined twice", p.Key, p.OID))
		}
		seen["p:"+p.Key], seen["o:"+p.OID] = true, true
		errs = append(errs, p.Validate())
	}
	return errors.Join(errs...)
}

// Code lengths second_factor.code_length accepts (0 takes ESIA's 6): fewer digits are
// guessed within the tries, more are not what any SMS gateway or citizen expects.
const (
	MinCodeLength = 4
	MaxCodeLength = 10
)

// Validate checks the one-time code settings.
func (sf SecondFactor) Validate() error {
	if sf.CodeLength != 0 && (sf.CodeLength < MinCodeLength || sf.CodeLength > MaxCodeLength) {
		return fmt.Errorf("config: second_factor.code_length %d: want %d to %d digits (or leave it out for ESIA's 6)", sf.CodeLength, MinCodeLength, MaxCodeLength)
	}
	return nil
}

// Validate checks one client.
func (cl Client) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("config: client %q: "+format, append([]any{cl.ID}, a...)...))
	}
	if cl.ID == "" {
		bad("id is required")
	}
	if cl.Public && cl.Secret != "" {
		bad("a public client has no secret")
	}
	if !cl.Public && cl.Secret == "" && cl.ESIA == nil {
		bad("secret required (or public: true, or an esia block for ESIA's own endpoints)")
	}
	if len(cl.RedirectURIs) == 0 {
		bad("at least one redirect_uri")
	}
	for _, u := range append(slices.Clone(cl.RedirectURIs), cl.PostLogoutRedirectURIs...) {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || p.Fragment != "" {
			bad("%q must be an absolute URI without fragment", u)
		}
	}
	if u := cl.BackchannelLogoutURI; u != "" {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.Fragment != "" {
			bad("backchannel_logout_uri %q must be an absolute http(s) URI without fragment", u)
		}
	}
	for _, g := range cl.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			bad("grant type %q: want authorization_code or refresh_token", g)
		}
	}
	switch cl.SigningAlg {
	case "", "RS256", "ES256":
	default:
		bad("signing_alg %q: want RS256 or ES256", cl.SigningAlg)
	}
	switch cl.AccessTokenFormat {
	case "", "opaque", "jwt":
	default:
		bad("access_token_format %q: want opaque or jwt", cl.AccessTokenFormat)
	}
	if cl.MinLevel != "" && !validLevel(cl.MinLevel) {
		bad("min_level %q: want simplified, standard or confirmed", cl.MinLevel)
	}
	return errors.Join(errs...)
}

// Validate checks one persona's own fields (formats of phone, SNILS, … are checked when the
// persona is turned into an account).
func (p Persona) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("config: persona %q: "+format, append([]any{p.Key}, a...)...))
	}
	if p.Key == "" || p.OID == "" {
		bad("key and oid are required")
	}
	for _, ch := range p.OID {
		if ch < '0' || ch > '9' {
			bad("oid %q must be decimal digits", p.OID)
			break
		}
	}
	if !validLevel(p.Level) {
		bad("level %q: want simplified, standard or confirmed", p.Level)
	}
	switch p.Status {
	case "active", "suspended", "needs_confirmation":
	default:
		bad("status %q: want active, suspended or needs_confirmation", p.Status)
	}
	if p.Phone == "" && p.Email == "" && p.SNILS == "" {
		bad("needs a phone, e-mail or SNILS to log in with")
	}
	if p.LastName == "" || p.FirstName == "" {
		bad("last_name and first_name are required")
	}
	switch p.SecondFactor {
	case "", "sms", "totp":
	default:
		bad("second_factor %q: want sms or totp", p.SecondFactor)
	}
	return errors.Join(errs...)
}

func validLevel(s string) bool {
	return s == "simplified" || s == "standard" || s == "confirmed"
}

// TrustedProxyPrefixes parses TrustedProxies: CIDRs, or single addresses (a /32 or /128).
func (c *Config) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("config: trusted_proxies %q: want a CIDR (10.0.0.0/8) or an address", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// TestMode reports whether the test conveniences are on.
func (c *Config) TestMode() bool { return c.Mode == "test" }

// Client returns the client with the id.
func (c *Config) Client(id string) (Client, bool) {
	i := slices.IndexFunc(c.Clients, func(x Client) bool { return x.ID == id })
	if i < 0 {
		return Client{}, false
	}
	return c.Clients[i], true
}
