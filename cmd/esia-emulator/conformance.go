package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3"
	"go.yaml.in/yaml/v3"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/conformance"
)

// conformanceFile is the optional --config file (YAML or JSON) of the conformance command.
type conformanceFile struct {
	Issuer                string             `yaml:"issuer"`
	Client                conformance.Client `yaml:"client"`
	PostClient            conformance.Client `yaml:"post_client"`
	PostLogoutRedirectURI string             `yaml:"post_logout_redirect_uri"`
	Login                 string             `yaml:"login"`
	Password              string             `yaml:"password"`
	SecondLogin           string             `yaml:"second_login"`
	SecondPassword        string             `yaml:"second_password"`
	LoginHint             string             `yaml:"login_hint"`
	Form                  conformance.Form   `yaml:"form"`
	Modules               conformanceModules `yaml:"modules"`
	JSON                  string             `yaml:"json"`
	CAFile                string             `yaml:"ca_file"`
	InsecureSkipVerify    bool               `yaml:"insecure_skip_verify"`
	Timeout               string             `yaml:"timeout"` // Go duration, e.g. 30s
}

// conformanceModules accepts a YAML list or one comma-separated string.
type conformanceModules string

func (m *conformanceModules) UnmarshalYAML(n *yaml.Node) error {
	var list []string
	if n.Kind == yaml.SequenceNode {
		if err := n.Decode(&list); err != nil {
			return err
		}
		*m = conformanceModules(strings.Join(list, ","))
		return nil
	}
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*m = conformanceModules(s)
	return nil
}

const conformanceUsage = `usage: esia-emulator conformance [flags]

Runs the OpenID Foundation Config OP, Basic OP and RP-initiated logout OP modules (re-implemented
in Go, under their official names) against an issuer and prints one line per module:
MODULE  VERDICT  reason, then "N passed, N failed, N skipped". Exits non-zero when a module FAILED.
The defaults fit "make run"; run the emulator with --tls-self-signed for the Config OP module
(it fails any non-https endpoint) and pass --ca-file .esia-emulator/tls/cert.pem.

Every flag has an ESIA_CONFORMANCE_* variable (--client-id: ESIA_CONFORMANCE_CLIENT_ID); a flag
wins over its variable, a variable over the --config file, the file over the default. The value
"-" clears a default. Secrets (client secrets, passwords) are never shown here.

flags:`

// conformanceSettings are the conformance command's settings after flags, environment and file.
type conformanceSettings struct {
	issuer, clientID, clientSecret, redirectURI, postID, postSecret, postRedirect, logoutURI string
	login, password, secondLogin, secondPassword, loginHint                                  string
	loginField, passwordField, consentField, consentAllow, loginAction, consentAction        string
	logoutField                                                                              string
	modules, jsonPath, caFile, timeout, configPath                                           string
	insecure, list, verbose                                                                  bool
}

const conformanceEnvPrefix = "ESIA_CONFORMANCE"

// parseConformanceFlags reads the flags, then ESIA_CONFORMANCE_* variables for the flags not
// given, then the --config file for the ones still unset. -h prints the built-in defaults only,
// secrets as "(set)".
func parseConformanceFlags(args []string, stderr io.Writer) (conformanceSettings, error) {
	var s conformanceSettings
	fl := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, conformanceUsage)
		fl.PrintDefaults()
	}
	opts := []struct {
		name, def, usage string
		dst              *string
		secret           bool
	}{
		{"issuer", config.DefaultIssuer, "issuer URL", &s.issuer, false},
		{"client-id", "demo-cabinet", "client_secret_basic client", &s.clientID, false},
		{"client-secret", "demo-secret", "its `secret`; default: demo-cabinet's", &s.clientSecret, true},
		{"redirect-uri", "http://127.0.0.1:9000/callback", "its registered redirect URI (never served: the suite reads the redirect)", &s.redirectURI, false},
		{"post-client-id", "", "client_secret_post client (default: the basic client)", &s.postID, false},
		{"post-client-secret", "", "its `secret`; default: the basic client's", &s.postSecret, true},
		{"post-redirect-uri", "", "its redirect URI (default: the basic client's)", &s.postRedirect, false},
		{"post-logout-redirect-uri", "http://127.0.0.1:9000/", "post-logout redirect URI registered for the basic client (\"\" skips the logout modules that need it)", &s.logoutURI, false},
		{"login", "+79990000003", "test citizen's login", &s.login, false},
		{"password", config.DefaultPassword, "test citizen's `password`; default: the built-in personas'", &s.password, true},
		{"second-login", "+79990000002", "a second citizen for the id_token_hint check (\"\" skips it)", &s.secondLogin, false},
		{"second-password", config.DefaultPassword, "the second citizen's `password`; default: the built-in personas'", &s.secondPassword, true},
		{"login-hint", "", "login_hint sent by oidcc-login-hint (default: --login)", &s.loginHint, false},
		{"login-field", "login", "name of the login form's login field", &s.loginField, false},
		{"password-field", "password", "name of the login form's password field", &s.passwordField, false},
		{"consent-field", "decision", "name of the consent form's control", &s.consentField, false},
		{"consent-allow", "allow", "value of the consent control that grants", &s.consentAllow, false},
		{"logout-field", "logout", "name of the logout confirmation page's button (clicked as a person would)", &s.logoutField, false},
		{"login-action", "", "login form action override (path or URL)", &s.loginAction, false},
		{"consent-action", "", "consent form action override (path or URL)", &s.consentAction, false},
		{"modules", "", "modules to run: comma-separated names or name prefixes (default: all)", &s.modules, false},
		{"json", "", "also write the JSON report, every check included, to this file", &s.jsonPath, false},
		{"ca-file", "", "PEM certificates to trust besides the system pool (e.g. .esia-emulator/tls/cert.pem)", &s.caFile, false},
		{"timeout", "30s", "timeout of each HTTP request", &s.timeout, false},
		{"config", "", "YAML or JSON file with these settings", &s.configPath, false},
	}
	for _, o := range opts {
		usage := o.usage + " (" + envVar(conformanceEnvPrefix, o.name) + ")"
		if o.secret {
			fl.Var((*secret)(o.dst), o.name, usage)
			*o.dst = o.def // after Var, so that help shows no default
			continue
		}
		fl.StringVar(o.dst, o.name, o.def, usage)
	}
	fl.BoolVar(&s.insecure, "insecure-skip-verify", false, "do not verify the provider's TLS certificate ("+envVar(conformanceEnvPrefix, "insecure-skip-verify")+")")
	fl.BoolVar(&s.list, "list", false, "list the modules and exit")
	fl.BoolVar(&s.verbose, "v", false, "print every non-passing check to stderr")
	err := ff.Parse(fl, args,
		ff.WithEnvVarPrefix(conformanceEnvPrefix),
		ff.WithConfigFileFlag("config"),
		ff.WithConfigFileParser(parseConformanceFile),
	)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return s, err
		}
		return s, fmt.Errorf("conformance: %w", err)
	}
	if fl.NArg() > 0 {
		return s, fmt.Errorf("conformance: unexpected arguments %q", fl.Args())
	}
	for _, o := range opts {
		if *o.dst == "-" {
			*o.dst = ""
		}
	}
	return s, nil
}

// parseConformanceFile is ff's parser of the --config file: YAML (or JSON), unknown fields are
// errors, and every non-empty field sets its flag unless a flag or variable already did.
func parseConformanceFile(r io.Reader, set func(name, value string) error) error {
	var file conformanceFile
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file: %w", err)
	}
	insecure := ""
	if file.InsecureSkipVerify {
		insecure = "true"
	}
	for _, kv := range [][2]string{
		{"issuer", file.Issuer},
		{"client-id", file.Client.ID}, {"client-secret", file.Client.Secret}, {"redirect-uri", file.Client.RedirectURI},
		{"post-client-id", file.PostClient.ID}, {"post-client-secret", file.PostClient.Secret}, {"post-redirect-uri", file.PostClient.RedirectURI},
		{"post-logout-redirect-uri", file.PostLogoutRedirectURI},
		{"login", file.Login}, {"password", file.Password},
		{"second-login", file.SecondLogin}, {"second-password", file.SecondPassword},
		{"login-hint", file.LoginHint},
		{"login-field", file.Form.LoginField}, {"password-field", file.Form.PasswordField},
		{"consent-field", file.Form.ConsentField}, {"consent-allow", file.Form.ConsentAllow}, {"logout-field", file.Form.LogoutField},
		{"login-action", file.Form.LoginAction}, {"consent-action", file.Form.ConsentAction},
		{"modules", string(file.Modules)}, {"json", file.JSON}, {"ca-file", file.CAFile},
		{"timeout", file.Timeout}, {"insecure-skip-verify", insecure},
	} {
		if kv[1] == "" {
			continue
		}
		if err := set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// conformanceCommand is "esia-emulator conformance".
func conformanceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := parseConformanceFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.list {
		for _, m := range conformance.Modules() {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", m.Name, m.Plan, m.Summary)
		}
		return nil
	}
	to, err := time.ParseDuration(s.timeout)
	if err != nil {
		return fmt.Errorf("conformance: --timeout: %w", err)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.insecure}
	if s.caFile != "" {
		pem, err := os.ReadFile(s.caFile)
		if err != nil {
			return fmt.Errorf("conformance: --ca-file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("conformance: --ca-file %s: no PEM certificates", s.caFile)
		}
		tlsConf.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConf

	var mods []string
	for _, m := range strings.Split(s.modules, ",") {
		if m = strings.TrimSpace(m); m != "" {
			mods = append(mods, m)
		}
	}
	o := conformance.Options{
		Issuer:                strings.TrimSpace(s.issuer),
		Client:                conformance.Client{ID: s.clientID, Secret: s.clientSecret, RedirectURI: s.redirectURI},
		PostClient:            conformance.Client{ID: orStr(s.postID, s.clientID), Secret: orStr(s.postSecret, s.clientSecret), RedirectURI: orStr(s.postRedirect, s.redirectURI)},
		PostLogoutRedirectURI: s.logoutURI,
		Login:                 s.login, Password: s.password,
		SecondLogin: s.secondLogin, SecondPassword: s.secondPassword,
		LoginHint: s.loginHint,
		Form: conformance.Form{LoginField: s.loginField, PasswordField: s.passwordField, ConsentField: s.consentField,
			ConsentAllow: s.consentAllow, LoginAction: s.loginAction, ConsentAction: s.consentAction, LogoutField: s.logoutField},
		HTTPClient: &http.Client{Transport: transport, Timeout: to},
		Modules:    mods,
		Progress: func(m conformance.ModuleResult) {
			fmt.Fprintf(stderr, "%-8s %s (%s)\n", m.Verdict, m.Name, m.Duration.Round(time.Millisecond))
			if s.verbose {
				for _, c := range m.Checks {
					if c.Outcome != conformance.OutcomePass {
						fmt.Fprintf(stderr, "         %s %s: %s\n", c.Outcome, c.Name, oneLineDetail(c.Detail))
					}
				}
			}
		},
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if strings.HasPrefix(o.Issuer, "http://") {
		fmt.Fprintln(stderr, "note: the issuer is http; oidcc-discovery-endpoint-verification fails any non-https endpoint (serve with --tls-self-signed)")
	}
	rep := conformance.Run(ctx, o)
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if s.jsonPath != "" {
		f, err := os.Create(s.jsonPath)
		if err != nil {
			return fmt.Errorf("conformance: --json: %w", err)
		}
		werr := rep.WriteJSON(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("conformance: --json: %w", werr)
		}
	}
	if _, failed, _ := rep.Counts(); failed > 0 {
		return fmt.Errorf("conformance: %d of %d s.modules failed", failed, len(rep.Modules))
	}
	return nil
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func oneLineDetail(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
