package suite

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Suite is what modules share: options, the provider's metadata and keys, clients. Load
// fills it once per run; modules only read it.
type Suite struct {
	O     *Options
	Basic RP // the client that authenticates with client_secret_basic
	Post  RP // the client that authenticates with client_secret_post

	DiscURL    string         // where discovery was read
	DiscStatus int            // its HTTP status (0: not reached)
	DiscType   string         // its Content-Type
	DiscRaw    map[string]any // the document as JSON
	Disc       Discovery      // the members the modules use
	DiscErr    error          // why discovery is unusable

	JWKSRaw map[string]any
	JWKS    jose.JSONWebKeySet
	JWKSErr error
}

// RP is a client with its token endpoint authentication method.
type RP struct {
	Client
	Post bool // client_secret_post; otherwise client_secret_basic
}

// Method is the token endpoint authentication method's name.
func (c RP) Method() string {
	if c.Post {
		return "client_secret_post"
	}
	return "client_secret_basic"
}

// New returns the suite for options completed by WithDefaults.
func New(o *Options) *Suite {
	return &Suite{
		O:       o,
		Basic:   RP{Client: o.Client},
		Post:    RP{Client: o.PostClient, Post: true},
		DiscURL: strings.TrimSuffix(o.Issuer, "/") + "/.well-known/openid-configuration",
	}
}

// Discovery is the part of the provider metadata the modules use.
type Discovery struct {
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

// Load fetches discovery and the JWKS once; modules report the errors.
func (s *Suite) Load(ctx context.Context) {
	status, header, body, err := s.Get(ctx, s.DiscURL)
	if err != nil {
		s.DiscErr = fmt.Errorf("GET %s: %w", s.DiscURL, err)
		return
	}
	s.DiscStatus, s.DiscType = status, header.Get("Content-Type")
	if status != http.StatusOK {
		s.DiscErr = fmt.Errorf("GET %s: HTTP %d", s.DiscURL, status)
		return
	}
	if err := json.Unmarshal(body, &s.DiscRaw); err != nil {
		s.DiscErr = fmt.Errorf("discovery document is not a JSON object: %w", err)
		return
	}
	if err := json.Unmarshal(body, &s.Disc); err != nil {
		s.DiscErr = fmt.Errorf("discovery document has a member of the wrong type: %w", err)
		return
	}
	if s.Disc.JWKSURI == "" {
		s.JWKSErr = fmt.Errorf("discovery has no jwks_uri")
		return
	}
	status, _, body, err = s.Get(ctx, s.Disc.JWKSURI)
	switch {
	case err != nil:
		s.JWKSErr = fmt.Errorf("GET %s: %w", s.Disc.JWKSURI, err)
	case status != http.StatusOK:
		s.JWKSErr = fmt.Errorf("GET %s: HTTP %d", s.Disc.JWKSURI, status)
	default:
		if err := json.Unmarshal(body, &s.JWKSRaw); err != nil {
			s.JWKSErr = fmt.Errorf("JWKS is not a JSON object: %w", err)
		} else if err := json.Unmarshal(body, &s.JWKS); err != nil {
			s.JWKSErr = fmt.Errorf("JWKS: %w", err)
		}
	}
}

// NeedDiscovery stops a module when discovery or the JWKS could not be read.
func (t *T) NeedDiscovery() *Discovery {
	if t.S.DiscErr != nil {
		t.Fatal("discovery", "%v", t.S.DiscErr)
	}
	if t.S.JWKSErr != nil {
		t.Fatal("jwks", "%v", t.S.JWKSErr)
	}
	return &t.S.Disc
}

// backchannel is the client for direct calls (discovery, JWKS, token, userinfo): no cookies,
// no redirects followed.
func (s *Suite) backchannel() *http.Client {
	return &http.Client{Transport: s.O.HTTPClient.Transport, Timeout: s.O.HTTPClient.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// MaxBody bounds what Do reads of a response.
const MaxBody = 2 << 20

// Do sends a direct request (no cookies, no redirects followed) and reads the answer.
func (s *Suite) Do(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := s.backchannel().Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	return resp.StatusCode, resp.Header, b, err
}

// Get is Do for a GET asking for JSON.
func (s *Suite) Get(ctx context.Context, u string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	return s.Do(req)
}

// IsJSON reports whether a Content-Type is application/json (parameters allowed).
func IsJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
