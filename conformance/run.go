package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Validate reports what is missing from the options.
func (o Options) Validate() error {
	_, err := o.withDefaults()
	return err
}

// Run executes the selected modules against the issuer, one after the other, and returns the
// report. It never returns early: a module that cannot run is FAILED (or SKIPPED) with the
// reason, and configuration errors fail every selected module.
func Run(ctx context.Context, opts Options) Report {
	start := time.Now()
	rep := Report{Issuer: opts.Issuer, Started: start, Modules: []ModuleResult{}}
	o, err := opts.withDefaults()
	mods := allModules()
	if err != nil {
		for _, m := range mods {
			if selected(m.Name, opts.Modules) {
				rep.Modules = append(rep.Modules, ModuleResult{Name: m.Name, Plan: m.Plan, Verdict: Failed, Reason: err.Error(),
					Checks: []Check{{Name: "options", Outcome: OutcomeFail, Detail: err.Error()}}})
			}
		}
		rep.Duration = time.Since(start)
		return rep
	}
	s := newSuite(o)
	s.load(ctx)
	for _, m := range mods {
		if !selected(m.Name, o.Modules) {
			continue
		}
		res := s.runModule(ctx, m)
		rep.Modules = append(rep.Modules, res)
		if o.Progress != nil {
			o.Progress(res)
		}
	}
	rep.Duration = time.Since(start)
	return rep
}

// suite is what modules share: options, the provider's metadata and keys, clients.
type suite struct {
	o     *Options
	basic rp
	post  rp

	discURL    string
	discStatus int
	discType   string
	discRaw    map[string]any
	disc       discovery
	discErr    error

	jwksRaw map[string]any
	jwks    jose.JSONWebKeySet
	jwksErr error
}

// rp is a client with its token endpoint authentication method.
type rp struct {
	Client
	post bool // client_secret_post; otherwise client_secret_basic
}

func (c rp) method() string {
	if c.post {
		return "client_secret_post"
	}
	return "client_secret_basic"
}

func newSuite(o *Options) *suite {
	return &suite{
		o:       o,
		basic:   rp{Client: o.Client},
		post:    rp{Client: o.PostClient, post: true},
		discURL: strings.TrimSuffix(o.Issuer, "/") + "/.well-known/openid-configuration",
	}
}

// discovery is the part of the provider metadata the modules use.
type discovery struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	UserinfoEndpoint                           string   `json:"userinfo_endpoint"`
	JWKSURI                                    string   `json:"jwks_uri"`
	EndSessionEndpoint                         string   `json:"end_session_endpoint"`
	ScopesSupported                            []string `json:"scopes_supported"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported"`
	RequestObjectSigningAlgValuesSupported     []string `json:"request_object_signing_alg_values_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	RequestParameterSupported                  *bool    `json:"request_parameter_supported"`
	RequestURIParameterSupported               *bool    `json:"request_uri_parameter_supported"`
	ClaimsParameterSupported                   *bool    `json:"claims_parameter_supported"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	BackchannelLogoutSupported                 bool     `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported          bool     `json:"backchannel_logout_session_supported"`
}

// load fetches discovery and the JWKS once; modules report the errors.
func (s *suite) load(ctx context.Context) {
	status, header, body, err := s.get(ctx, s.discURL)
	if err != nil {
		s.discErr = fmt.Errorf("GET %s: %w", s.discURL, err)
		return
	}
	s.discStatus, s.discType = status, header.Get("Content-Type")
	if status != http.StatusOK {
		s.discErr = fmt.Errorf("GET %s: HTTP %d", s.discURL, status)
		return
	}
	if err := json.Unmarshal(body, &s.discRaw); err != nil {
		s.discErr = fmt.Errorf("discovery document is not a JSON object: %w", err)
		return
	}
	if err := json.Unmarshal(body, &s.disc); err != nil {
		s.discErr = fmt.Errorf("discovery document has a member of the wrong type: %w", err)
		return
	}
	if s.disc.JWKSURI == "" {
		s.jwksErr = fmt.Errorf("discovery has no jwks_uri")
		return
	}
	status, _, body, err = s.get(ctx, s.disc.JWKSURI)
	switch {
	case err != nil:
		s.jwksErr = fmt.Errorf("GET %s: %w", s.disc.JWKSURI, err)
	case status != http.StatusOK:
		s.jwksErr = fmt.Errorf("GET %s: HTTP %d", s.disc.JWKSURI, status)
	default:
		if err := json.Unmarshal(body, &s.jwksRaw); err != nil {
			s.jwksErr = fmt.Errorf("JWKS is not a JSON object: %w", err)
		} else if err := json.Unmarshal(body, &s.jwks); err != nil {
			s.jwksErr = fmt.Errorf("JWKS: %w", err)
		}
	}
}

// needDiscovery stops a module when discovery or the JWKS could not be read.
func (t *T) needDiscovery() *discovery {
	if t.s.discErr != nil {
		t.Fatal("discovery", "%v", t.s.discErr)
	}
	if t.s.jwksErr != nil {
		t.Fatal("jwks", "%v", t.s.jwksErr)
	}
	return &t.s.disc
}

// backchannel is the client for direct calls (discovery, JWKS, token, userinfo): no cookies,
// no redirects followed.
func (s *suite) backchannel() *http.Client {
	return &http.Client{Transport: s.o.HTTPClient.Transport, Timeout: s.o.HTTPClient.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

const maxBody = 2 << 20

func (s *suite) do(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := s.backchannel().Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, resp.Header, b, err
}

func (s *suite) get(ctx context.Context, u string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	return s.do(req)
}

// isJSON reports whether a Content-Type is application/json (parameters allowed).
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// origin is scheme://host of a URL.
func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }
