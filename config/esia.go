package config

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Defaults of the ESIA dialect.
const (
	// DefaultESIAIssuer is production ESIA's iss: http, not https, with a trailing slash. The
	// test stand's is "http://esia-portal1.test.gosuslugi.ru/".
	DefaultESIAIssuer = "http://esia.gosuslugi.ru/"
	// DefaultESIATimestampWindow: how far the timestamp parameter may lie before or after now.
	DefaultESIATimestampWindow = 10 * time.Minute
	DefaultESIACodeLifetime    = 240 * time.Second
	DefaultESIAAccessLifetime  = time.Hour
	DefaultESIAIDLifetime      = 3 * time.Hour
	DefaultESIADiagnostics     = 50
)

// Values of ESIAClient.SecretCheck and ESIAClient.SigningAlg.
const (
	SecretCheckOff     = "off"
	SecretCheckLenient = "lenient"
	SecretCheckStrict  = "strict"

	ESIAAlgRS256 = "RS256"
	ESIAAlgGOST  = "GOST3410_2012_256"
)

// ESIA configures the ESIA dialect (/aas/oauth2/…, /rs/prns/…, /idp/ext/Logout). Zero values
// take the defaults; the *OrDefault methods apply them.
type ESIA struct {
	// Issuer of ESIA-format tokens; ESIA's own is "http://esia.gosuslugi.ru/" (http, trailing
	// slash), independent of the emulator's URL.
	Issuer string `yaml:"issuer" json:"issuer,omitempty"`
	// PublicURL is the base of the absolute element links in /rs answers (default: the
	// emulator's issuer). Set it when the emulator is reached through a proxy.
	PublicURL string `yaml:"public_url" json:"public_url,omitempty"`
	// TimestampWindow: the timestamp parameter may be this much before or after the
	// emulator's clock (default 10m); outside it the request fails with ESIA-007015.
	TimestampWindow Duration `yaml:"timestamp_window" json:"timestamp_window,omitempty"`
	// Lifetimes of the authorization code (a JWT, default 240s), the access token (1h), the
	// id_token (3h) and the refresh token (default: lifetimes.refresh_token, else 720h).
	CodeLifetime         Duration `yaml:"code_lifetime" json:"code_lifetime,omitempty"`
	AccessTokenLifetime  Duration `yaml:"access_token_lifetime" json:"access_token_lifetime,omitempty"`
	IDTokenLifetime      Duration `yaml:"id_token_lifetime" json:"id_token_lifetime,omitempty"`
	RefreshTokenLifetime Duration `yaml:"refresh_token_lifetime" json:"refresh_token_lifetime,omitempty"`
	// Diagnostics is how many client_secret checks per client the diagnostics page keeps
	// (default 50).
	Diagnostics int `yaml:"diagnostics" json:"diagnostics,omitempty"`
	// Persons adds ESIA person data that personas do not carry (children, vehicles, more
	// contacts and documents), by persona key. An entry replaces the built-in data of that
	// persona.
	Persons map[string]ESIAPerson `yaml:"persons" json:"persons,omitempty"`
	// Organizations adds organisations (esia_orgs.go); one with a built-in's oid replaces it.
	Organizations []ESIAOrganization `yaml:"organizations" json:"organizations,omitempty"`
	// Representation: acting for another person (esia_orgs.go; an extension, off by default).
	Representation ESIARepresentation `yaml:"representation" json:"representation,omitempty"`
}

// ESIAPerson is extra /rs data of one persona.
type ESIAPerson struct {
	Kids      []ESIAKid      `yaml:"kids" json:"kids,omitempty"`
	Vehicles  []ESIAVehicle  `yaml:"vehicles" json:"vehicles,omitempty"`
	Contacts  []ESIAContact  `yaml:"contacts" json:"contacts,omitempty"`
	Documents []ESIADocument `yaml:"documents" json:"documents,omitempty"`
}

// ESIAKid is a child in /rs/prns/{oid}/kids.
type ESIAKid struct {
	OID        string         `yaml:"oid" json:"oid,omitempty"`
	LastName   string         `yaml:"last_name" json:"last_name,omitempty"`
	FirstName  string         `yaml:"first_name" json:"first_name,omitempty"`
	MiddleName string         `yaml:"middle_name" json:"middle_name,omitempty"`
	BirthDate  string         `yaml:"birth_date" json:"birth_date,omitempty"` // YYYY-MM-DD
	Gender     string         `yaml:"gender" json:"gender,omitempty"`         // M or F
	SNILS      string         `yaml:"snils" json:"snils,omitempty"`
	INN        string         `yaml:"inn" json:"inn,omitempty"`
	Documents  []ESIADocument `yaml:"documents" json:"documents,omitempty"`
}

// ESIAVehicle is an element of /rs/prns/{oid}/vhls.
type ESIAVehicle struct {
	Name        string `yaml:"name" json:"name,omitempty"`
	NumberPlate string `yaml:"number_plate" json:"number_plate,omitempty"`
	RegSeries   string `yaml:"reg_series" json:"reg_series,omitempty"` // registration certificate
	RegNumber   string `yaml:"reg_number" json:"reg_number,omitempty"`
}

// ESIAContact is an extra element of /ctts: PHN (home phone) or CEM (work e-mail); MBT and
// EML come from the persona's phone and e-mail.
type ESIAContact struct {
	Type   string `yaml:"type" json:"type,omitempty"`
	Value  string `yaml:"value" json:"value,omitempty"`
	VrfStu string `yaml:"vrf_stu" json:"vrf_stu,omitempty"` // default NOT_VERIFIED
}

// ESIADocument is an extra element of /docs (the passport comes from the persona).
type ESIADocument struct {
	Type       string `yaml:"type" json:"type,omitempty"` // RF_DRIVING_LICENSE, FRGN_PASS, MDCL_PLCY, RF_BRTH_CERT, …
	Series     string `yaml:"series" json:"series,omitempty"`
	Number     string `yaml:"number" json:"number,omitempty"`
	IssueDate  string `yaml:"issue_date" json:"issue_date,omitempty"` // YYYY-MM-DD
	IssueID    string `yaml:"issue_id" json:"issue_id,omitempty"`
	IssuedBy   string `yaml:"issued_by" json:"issued_by,omitempty"`
	ExpiryDate string `yaml:"expiry_date" json:"expiry_date,omitempty"` // YYYY-MM-DD
	LastName   string `yaml:"last_name" json:"last_name,omitempty"`     // foreign passport (Latin)
	FirstName  string `yaml:"first_name" json:"first_name,omitempty"`   // foreign passport (Latin)
	ActNo      string `yaml:"act_no" json:"act_no,omitempty"`           // birth certificates
	ActDate    string `yaml:"act_date" json:"act_date,omitempty"`       // YYYY-MM-DD
	VrfStu     string `yaml:"vrf_stu" json:"vrf_stu,omitempty"`         // default VERIFIED
}

// IssuerOrDefault is the iss of ESIA-format tokens.
func (e ESIA) IssuerOrDefault() string {
	if e.Issuer == "" {
		return DefaultESIAIssuer
	}
	return e.Issuer
}

// PublicURLOrDefault is the base of /rs links without a trailing slash (issuer: the
// emulator's issuer).
func (e ESIA) PublicURLOrDefault(issuer string) string {
	if e.PublicURL != "" {
		return strings.TrimRight(e.PublicURL, "/")
	}
	return strings.TrimRight(issuer, "/")
}

// DiagnosticsOrDefault is the size of the per-client diagnostics ring.
func (e ESIA) DiagnosticsOrDefault() int {
	if e.Diagnostics <= 0 {
		return DefaultESIADiagnostics
	}
	return e.Diagnostics
}

// ESIAClient configures a client for ESIA's endpoints.
type ESIAClient struct {
	// Certificate is the client's registered certificate (PEM, inline), used to check
	// client_secret signatures and client_certificate_hash. RSA or GOST R 34.10-2012.
	Certificate string `yaml:"certificate" json:"certificate,omitempty"`
	// SecretCheck: off (client_secret and client_certificate_hash must be present, their
	// content is not checked), lenient (default: every variation real clients produce is
	// accepted and reported on the diagnostics page) or strict (only what the MR describes).
	SecretCheck string `yaml:"secret_check" json:"secret_check,omitempty"`
	// Scopes the client may request (empty: the client's scopes, else every known scope);
	// others fail with ESIA-007019.
	Scopes []string `yaml:"scopes" json:"scopes,omitempty"`
	// SigningAlg of the code, id_token and access token: RS256 (default) or GOST3410_2012_256.
	SigningAlg string `yaml:"signing_alg" json:"signing_alg,omitempty"`
	// MinLevel refuses citizens below it on ESIA's endpoints with ESIA-007055: simplified,
	// standard or confirmed.
	MinLevel string `yaml:"min_level" json:"min_level,omitempty"`
}

// SecretCheckOrDefault is the effective secret_check mode.
func (e ESIAClient) SecretCheckOrDefault() string {
	if e.SecretCheck == "" {
		return SecretCheckLenient
	}
	return e.SecretCheck
}

// SigningAlgOrDefault is the effective token signing algorithm.
func (e ESIAClient) SigningAlgOrDefault() string {
	if e.SigningAlg == "" {
		return ESIAAlgRS256
	}
	return e.SigningAlg
}

// CertificateDER decodes the registered certificate; nil without one.
func (e ESIAClient) CertificateDER() ([]byte, error) {
	if strings.TrimSpace(e.Certificate) == "" {
		return nil, nil
	}
	block, _ := pem.Decode([]byte(e.Certificate))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("certificate: want a PEM CERTIFICATE block")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return block.Bytes, nil
}

// Validate checks the ESIA section and the esia blocks of clients. Config.Validate calls it.
func (e ESIA) Validate(clients []Client) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: esia: "+format, a...)) }
	if e.Issuer != "" {
		if u, err := url.Parse(e.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("issuer %q must be an absolute http(s) URL", e.Issuer)
		}
	}
	if e.PublicURL != "" {
		if u, err := url.Parse(e.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("public_url %q must be an absolute http(s) URL without query or fragment", e.PublicURL)
		}
	}
	for name, d := range map[string]Duration{"timestamp_window": e.TimestampWindow, "code_lifetime": e.CodeLifetime,
		"access_token_lifetime": e.AccessTokenLifetime, "id_token_lifetime": e.IDTokenLifetime, "refresh_token_lifetime": e.RefreshTokenLifetime} {
		if d < 0 {
			bad("%s must not be negative", name)
		}
	}
	if e.Diagnostics < 0 {
		bad("diagnostics must not be negative")
	}
	for i, o := range e.Organizations {
		errs = append(errs, o.Validate(fmt.Sprintf("config: esia: organizations[%d]", i))...)
	}
	errs = append(errs, e.Representation.validate()...)
	for key, p := range e.Persons {
		for _, c := range p.Contacts {
			switch c.Type {
			case "MBT", "EML", "PHN", "CEM":
			default:
				bad("persons.%s: contact type %q: want MBT, EML, PHN or CEM", key, c.Type)
			}
		}
		for _, k := range p.Kids {
			if k.OID == "" || strings.Trim(k.OID, "0123456789") != "" {
				bad("persons.%s: kid oid %q must be decimal digits", key, k.OID)
			}
		}
	}
	for _, cl := range clients {
		if cl.ESIA != nil {
			errs = append(errs, cl.ESIA.Validate(cl.ID))
		}
	}
	return errors.Join(errs...)
}

// Validate checks one client's esia block.
func (e ESIAClient) Validate(clientID string) error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("config: client %q: esia: "+format, append([]any{clientID}, a...)...))
	}
	_, err := e.CertificateDER()
	if err != nil {
		bad("%v", err)
	}
	switch e.SecretCheckOrDefault() {
	case SecretCheckOff:
	case SecretCheckLenient, SecretCheckStrict:
		// No certificate is allowed: like a system whose certificate is not registered yet,
		// every signed request is then refused with ESIA-007002.
	default:
		bad("secret_check %q: want off, lenient or strict", e.SecretCheck)
	}
	switch e.SigningAlgOrDefault() {
	case ESIAAlgRS256, ESIAAlgGOST:
	default:
		bad("signing_alg %q: want RS256 or GOST3410_2012_256", e.SigningAlg)
	}
	if e.MinLevel != "" && !validLevel(e.MinLevel) {
		bad("min_level %q: want simplified, standard or confirmed", e.MinLevel)
	}
	for _, s := range e.Scopes {
		if s == "" || strings.ContainsAny(s, " \t") {
			bad("scope %q: one scope name per entry", s)
		}
	}
	return errors.Join(errs...)
}
