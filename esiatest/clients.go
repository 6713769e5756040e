package esiatest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
)

// The demo clients every Server registers (unless WithoutBuiltins). Their redirect URIs are
// http://127.0.0.1:9000/callback and http://localhost:9000/callback (demo-spa: port 9001).
const (
	// DemoCabinet is a confidential OpenID Connect client (secret DemoCabinetSecret).
	DemoCabinet       = "demo-cabinet"
	DemoCabinetSecret = "demo-secret"
	// DemoSPA is a public client (no secret, PKCE S256 required).
	DemoSPA = "demo-spa"
	// DemoESIACabinet uses ESIA's own endpoints without a registered certificate:
	// client_secret and client_certificate_hash must be present, their content is not checked.
	DemoESIACabinet = "DEMOCAB01"
)

// Client is a relying party as the emulator registers it.
type Client struct {
	ID string
	// Name is shown to the citizen on the consent page (default: the ID).
	Name string
	// Secret is the client secret (client_secret_basic or _post); empty for a public client.
	Secret string
	// Public clients have no secret and must use PKCE (S256).
	Public bool
	// RequirePKCE makes a confidential client use PKCE too.
	RequirePKCE            bool
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// BackchannelLogoutURI receives back-channel logout tokens when a session ends.
	BackchannelLogoutURI string
	// Scopes the client may request (empty: every scope the emulator knows).
	Scopes []string
	// MinLevel refuses citizens below this account level (empty: any level).
	MinLevel Level
	// FirstParty clients skip the consent page.
	FirstParty bool
	// SigningAlg of ID tokens: "RS256" (default) or "ES256".
	SigningAlg string
	// JWTAccessTokens makes access tokens JWTs instead of opaque strings.
	JWTAccessTokens bool
	// ESIA reports a client of ESIA's own endpoints (/aas/oauth2/…); read-only.
	ESIA bool
}

func (c Client) config() config.Client {
	out := config.Client{ID: c.ID, Name: c.Name, Secret: c.Secret, Public: c.Public, RequirePKCE: c.RequirePKCE,
		RedirectURIs: slices.Clone(c.RedirectURIs), PostLogoutRedirectURIs: slices.Clone(c.PostLogoutRedirectURIs),
		BackchannelLogoutURI: c.BackchannelLogoutURI, Scopes: slices.Clone(c.Scopes), MinLevel: string(c.MinLevel),
		FirstParty: c.FirstParty, SigningAlg: c.SigningAlg}
	if out.Name == "" {
		out.Name = c.ID
	}
	if c.JWTAccessTokens {
		out.AccessTokenFormat = "jwt"
	}
	return out
}

func clientOf(c config.Client) Client {
	return Client{ID: c.ID, Name: c.Name, Secret: c.Secret, Public: c.Public, RequirePKCE: c.RequirePKCE,
		RedirectURIs: slices.Clone(c.RedirectURIs), PostLogoutRedirectURIs: slices.Clone(c.PostLogoutRedirectURIs),
		BackchannelLogoutURI: c.BackchannelLogoutURI, Scopes: slices.Clone(c.Scopes), MinLevel: Level(c.MinLevel),
		FirstParty: c.FirstParty, SigningAlg: c.SigningAlg, JWTAccessTokens: c.AccessTokenFormat == "jwt", ESIA: c.ESIA != nil}
}

// ESIAClientConfig registers a relying party of ESIA's own endpoints (WithESIAClient).
type ESIAClientConfig struct {
	// ID is the system's mnemonic (client_id), e.g. "MYCABINET".
	ID   string
	Name string // shown to the citizen (default: the ID)
	// RedirectURIs the client may use (at least one).
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// Scopes the system is approved for (empty: every scope); others fail with ESIA-007019.
	Scopes []string
	// MinLevel refuses citizens below it with ESIA-007055.
	MinLevel Level
	// Strict checks client_secret exactly as the methodological recommendations describe;
	// by default every variation real clients produce is accepted.
	Strict bool
}

func (c ESIAClientConfig) config(certPEM string) config.Client {
	e := &config.ESIAClient{Certificate: certPEM, Scopes: slices.Clone(c.Scopes), MinLevel: string(c.MinLevel)}
	if c.Strict {
		e.SecretCheck = config.SecretCheckStrict
	}
	name := c.Name
	if name == "" {
		name = c.ID
	}
	return config.Client{ID: c.ID, Name: name, RedirectURIs: slices.Clone(c.RedirectURIs),
		PostLogoutRedirectURIs: slices.Clone(c.PostLogoutRedirectURIs), ESIA: e}
}

// ESIAClient is an ESIA relying party registered with WithESIAClient: its id and the RSA key
// and certificate the emulator knows it by. The v2/v3 endpoints (/aas/oauth2/v2/ac,
// /aas/oauth2/v3/te) take client_secret = base64url(RSA-SHA256 signature over
// client_id+scope+timestamp+state+redirect_uri, +code at the token endpoint)
// and client_certificate_hash = CertificateHash.
type ESIAClient struct {
	ID           string
	RedirectURIs []string
	// Key signs client_secret (RSA-2048).
	Key *rsa.PrivateKey
	// Certificate is the self-signed certificate registered with the emulator;
	// CertificatePEM is the same in PEM.
	Certificate    *x509.Certificate
	CertificatePEM string
	// CertificateHash is the client_certificate_hash parameter: the certificate's
	// GOST R 34.11-2012 (Streebog-256) hash in upper-case hex.
	CertificateHash string

	t testing.TB
}

func newESIAClient(t testing.TB, c ESIAClientConfig) (*ESIAClient, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: c.ID, Organization: []string{"esiatest"}},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(365 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &ESIAClient{ID: c.ID, RedirectURIs: slices.Clone(c.RedirectURIs), Key: key, Certificate: cert,
		CertificatePEM:  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		CertificateHash: gost.CertificateHash(der), t: t}, nil
}

// Sign is the raw RSA PKCS#1 v1.5 signature over SHA-256 of message, as v2/v3 client_secret
// carries it (before base64url).
func (c *ESIAClient) Sign(message []byte) ([]byte, error) {
	d := sha256.Sum256(message)
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.Key, crypto.SHA256, d[:])
	if err != nil {
		return nil, fmt.Errorf("esiatest: sign: %w", err)
	}
	return sig, nil
}

// ClientSecret is a v2/v3 client_secret: the base64url (unpadded) signature over the
// concatenated parts — client_id, scope, timestamp, state, redirect_uri and, at the token
// endpoint, the code. It fails the test if signing fails.
func (c *ESIAClient) ClientSecret(parts ...string) string {
	c.t.Helper()
	sig, err := c.Sign([]byte(strings.Join(parts, "")))
	if err != nil {
		c.t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(sig)
}
