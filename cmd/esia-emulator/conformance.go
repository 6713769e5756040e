package main

import (
	"bytes"
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
wins over its variable, a variable over the --config file.

flags:`

// conformanceCommand is "esia-emulator conformance".
func conformanceCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, conformanceUsage)
		fs.PrintDefaults()
	}
	var file conformanceFile
	type opt struct {
		name, def, usage string
		dst              *string
		fromFile         func() string
	}
	var (
		issuer, clientID, clientSecret, redirectURI, postID, postSecret, postRedirect, logoutURI string
		login, password, secondLogin, secondPassword, loginHint                                  string
		loginField, passwordField, consentField, consentAllow, loginAction, consentAction        string
		modules, jsonPath, caFile, timeout, configPath                                           string
		insecure, list, verbose                                                                  bool
	)
	opts := []opt{
		{"issuer", config.DefaultIssuer, "issuer URL", &issuer, func() string { return file.Issuer }},
		{"client-id", "demo-cabinet", "client_secret_basic client", &clientID, func() string { return file.Client.ID }},
		{"client-secret", "demo-secret", "its secret", &clientSecret, func() string { return file.Client.Secret }},
		{"redirect-uri", "http://127.0.0.1:9000/callback", "its registered redirect URI (never served: the suite reads the redirect)", &redirectURI, func() string { return file.Client.RedirectURI }},
		{"post-client-id", "", "client_secret_post client (default: the basic client)", &postID, func() string { return file.PostClient.ID }},
		{"post-client-secret", "", "its secret (default: the basic client's)", &postSecret, func() string { return file.PostClient.Secret }},
		{"post-redirect-uri", "", "its redirect URI (default: the basic client's)", &postRedirect, func() string { return file.PostClient.RedirectURI }},
		{"post-logout-redirect-uri", "http://127.0.0.1:9000/", "post-logout redirect URI registered for the basic client (\"\" skips the logout modules that need it)", &logoutURI, func() string { return file.PostLogoutRedirectURI }},
		{"login", "+79990000003", "test citizen's login", &login, func() string { return file.Login }},
		{"password", "Test1234!", "test citizen's password", &password, func() string { return file.Password }},
		{"second-login", "+79990000002", "a second citizen for the id_token_hint check (\"\" skips it)", &secondLogin, func() string { return file.SecondLogin }},
		{"second-password", "Test1234!", "the second citizen's password", &secondPassword, func() string { return file.SecondPassword }},
		{"login-hint", "", "login_hint sent by oidcc-login-hint (default: --login)", &loginHint, func() string { return file.LoginHint }},
		{"login-field", "login", "name of the login form's login field", &loginField, func() string { return file.Form.LoginField }},
		{"password-field", "password", "name of the login form's password field", &passwordField, func() string { return file.Form.PasswordField }},
		{"consent-field", "decision", "name of the consent form's control", &consentField, func() string { return file.Form.ConsentField }},
		{"consent-allow", "allow", "value of the consent control that grants", &consentAllow, func() string { return file.Form.ConsentAllow }},
		{"login-action", "", "login form action override (path or URL)", &loginAction, func() string { return file.Form.LoginAction }},
		{"consent-action", "", "consent form action override (path or URL)", &consentAction, func() string { return file.Form.ConsentAction }},
		{"modules", "", "modules to run: comma-separated names or name prefixes (default: all)", &modules, func() string { return string(file.Modules) }},
		{"json", "", "also write the JSON report, every check included, to this file", &jsonPath, func() string { return file.JSON }},
		{"ca-file", "", "PEM certificates to trust besides the system pool (e.g. .esia-emulator/tls/cert.pem)", &caFile, func() string { return file.CAFile }},
		{"timeout", "30s", "timeout of each HTTP request", &timeout, func() string { return string(file.Timeout) }},
	}
	for _, o := range opts {
		fs.StringVar(o.dst, o.name, o.def, o.usage+" ("+envName(o.name)+")")
	}
	fs.StringVar(&configPath, "config", "", "YAML or JSON file with these settings ("+envName("config")+")")
	fs.BoolVar(&insecure, "insecure-skip-verify", false, "do not verify the provider's TLS certificate ("+envName("insecure-skip-verify")+")")
	fs.BoolVar(&list, "list", false, "list the modules and exit")
	fs.BoolVar(&verbose, "v", false, "print every non-passing check to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("conformance: unexpected arguments %q", fs.Args())
	}
	if list {
		for _, m := range conformance.Modules() {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", m.Name, m.Plan, m.Summary)
		}
		return nil
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["config"] {
		configPath = getenv(envName("config"))
	}
	if configPath != "" {
		b, err := os.ReadFile(configPath)
		if err != nil {
			return fmt.Errorf("conformance: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("conformance: %s: %w", configPath, err)
		}
	}
	// A flag wins over its variable, a variable over the file, the file over the default.
	for _, o := range opts {
		if set[o.name] {
			continue
		}
		if v, ok := lookupEnv(getenv, envName(o.name)); ok {
			*o.dst = v
		} else if v := o.fromFile(); v != "" {
			*o.dst = v
		}
	}
	if !set["insecure-skip-verify"] {
		switch getenv(envName("insecure-skip-verify")) {
		case "1", "true":
			insecure = true
		case "":
			insecure = insecure || file.InsecureSkipVerify
		}
	}

	to, err := time.ParseDuration(timeout)
	if err != nil {
		return fmt.Errorf("conformance: --timeout: %w", err)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return fmt.Errorf("conformance: --ca-file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("conformance: --ca-file %s: no PEM certificates", caFile)
		}
		tlsConf.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConf

	var mods []string
	for _, m := range strings.Split(modules, ",") {
		if m = strings.TrimSpace(m); m != "" {
			mods = append(mods, m)
		}
	}
	o := conformance.Options{
		Issuer:                strings.TrimSpace(issuer),
		Client:                conformance.Client{ID: clientID, Secret: clientSecret, RedirectURI: redirectURI},
		PostClient:            conformance.Client{ID: orStr(postID, clientID), Secret: orStr(postSecret, clientSecret), RedirectURI: orStr(postRedirect, redirectURI)},
		PostLogoutRedirectURI: logoutURI,
		Login:                 login, Password: password,
		SecondLogin: secondLogin, SecondPassword: secondPassword,
		LoginHint: loginHint,
		Form: conformance.Form{LoginField: loginField, PasswordField: passwordField, ConsentField: consentField,
			ConsentAllow: consentAllow, LoginAction: loginAction, ConsentAction: consentAction},
		HTTPClient: &http.Client{Transport: transport, Timeout: to},
		Modules:    mods,
		Progress: func(m conformance.ModuleResult) {
			fmt.Fprintf(stderr, "%-8s %s (%s)\n", m.Verdict, m.Name, m.Duration.Round(time.Millisecond))
			if verbose {
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
	if jsonPath != "" {
		f, err := os.Create(jsonPath)
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
		return fmt.Errorf("conformance: %d of %d modules failed", failed, len(rep.Modules))
	}
	return nil
}

// envName is the variable of a conformance flag: --client-id → ESIA_CONFORMANCE_CLIENT_ID.
func envName(flagName string) string {
	return "ESIA_CONFORMANCE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// lookupEnv treats an empty variable as unset, except that it may clear a default on purpose
// via the value "-".
func lookupEnv(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	switch v {
	case "":
		return "", false
	case "-":
		return "", true
	}
	return v, true
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
