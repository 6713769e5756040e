package suite

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/conformance/report"
)

// Client is a statically registered relying party the suite plays.
type Client struct {
	ID          string `json:"id" yaml:"id"`
	Secret      string `json:"secret" yaml:"secret"`
	RedirectURI string `json:"redirect_uri" yaml:"redirect_uri"`
}

// Form describes the provider's login and consent pages to the browser-less user agent.
// A page is a login page when one of its forms has both LoginField and PasswordField; it is
// a consent page when a form has a control named ConsentField (the control whose value is
// ConsentAllow is submitted). A page is a logout confirmation when a form has a button named
// LogoutField: the logout modules click it, as a person would. Hidden inputs (CSRF tokens,
// request ids) are sent back as found. The defaults match the emulator.
type Form struct {
	LoginField    string `json:"login_field" yaml:"login_field"`       // default "login"
	PasswordField string `json:"password_field" yaml:"password_field"` // default "password"
	ConsentField  string `json:"consent_field" yaml:"consent_field"`   // default "decision"
	ConsentAllow  string `json:"consent_allow" yaml:"consent_allow"`   // default "allow"
	LogoutField   string `json:"logout_field" yaml:"logout_field"`     // default "logout"
	// LoginAction and ConsentAction override the forms' action attributes (a path on the
	// provider or an absolute URL) for pages whose forms are built by JavaScript.
	LoginAction   string `json:"login_action" yaml:"login_action"`
	ConsentAction string `json:"consent_action" yaml:"consent_action"`
}

// Options configure a run. Issuer, Client, PostClient, Login and Password are required.
type Options struct {
	// Issuer is the OpenID issuer; discovery is read from Issuer + "/.well-known/openid-configuration".
	Issuer string
	// Client authenticates with client_secret_basic, PostClient with client_secret_post. They
	// may be the same registration. Their redirect URIs are never served: the suite stops at
	// the provider's redirect and reads the Location header.
	Client, PostClient Client
	// PostLogoutRedirectURI is registered for Client; without it the RP-initiated logout
	// modules that need it are skipped.
	PostLogoutRedirectURI string
	// Login and Password of the test citizen.
	Login, Password string
	// SecondLogin and SecondPassword, when set, name another citizen for the extra
	// id_token_hint check (a hint for citizen A while B is logged in must not log B in silently).
	SecondLogin, SecondPassword string
	// LoginHint is sent by oidcc-login-hint; default Login.
	LoginHint string
	// Form describes the login and consent pages; zero fields take the defaults.
	Form Form
	// HTTPClient supplies the transport (TLS settings, proxies) and timeout; nil means
	// http.DefaultClient. Its Jar and CheckRedirect are not used: every module runs its own
	// browser with a fresh cookie jar and follows redirects itself.
	HTTPClient *http.Client
	// Now is the suite's clock for token validation; nil means time.Now.
	Now func() time.Time
	// Sleep waits; modules that must let time pass (oidcc-codereuse-30seconds,
	// oidcc-max-age-1, oidcc-prompt-login) call it. Tests pass a function that moves an
	// injected clock. nil means a real, context-aware sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Modules selects modules by exact name or name prefix; empty runs all.
	Modules []string
	// ClockSkew tolerated on exp, iat and auth_time; default 5 minutes.
	ClockSkew time.Duration
	// Progress, when set, is called after each module.
	Progress func(report.ModuleResult)
}

// Validate reports what is missing from the options.
func (o Options) Validate() error {
	_, err := o.WithDefaults()
	return err
}

// WithDefaults checks the required options and fills in the defaults.
func (o *Options) WithDefaults() (*Options, error) {
	c := *o
	if c.Issuer == "" {
		return nil, errors.New("conformance: Issuer is required")
	}
	if c.Client.ID == "" || c.Client.RedirectURI == "" {
		return nil, errors.New("conformance: Client needs an id and a redirect URI")
	}
	if c.PostClient.ID == "" {
		c.PostClient = c.Client
	}
	if c.PostClient.RedirectURI == "" {
		c.PostClient.RedirectURI = c.Client.RedirectURI
	}
	if c.Login == "" || c.Password == "" {
		return nil, errors.New("conformance: Login and Password of the test citizen are required")
	}
	if c.LoginHint == "" {
		c.LoginHint = c.Login
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Form.LoginField, "login")
	def(&c.Form.PasswordField, "password")
	def(&c.Form.ConsentField, "decision")
	def(&c.Form.ConsentAllow, "allow")
	def(&c.Form.LogoutField, "logout")
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = realSleep
	}
	if c.ClockSkew == 0 {
		c.ClockSkew = 5 * time.Minute
	}
	return &c, nil
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
