package esiatest_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/esiatest"
)

// These two tests are the package's examples: a cabinet's test suite would look like this.
// The citizen's browser is the repository's test browser (any HTTP client with a cookie jar
// that submits the login form would do).

const callback = "http://127.0.0.1:9000/callback" // the cabinet's redirect URI; never fetched

// A cabinet on OpenID Connect logs a citizen in with go-oidc and x/oauth2.
func TestExampleGoOIDC(t *testing.T) {
	srv := esiatest.New(t, esiatest.WithClient(esiatest.Client{
		ID: "my-cabinet", Secret: "my-secret", RedirectURIs: []string{callback},
	}))
	ctx := oidc.ClientContext(context.Background(), srv.HTTPClient())
	provider, err := oidc.NewProvider(ctx, srv.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "my-cabinet", ClientSecret: "my-secret", RedirectURL: callback,
		Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}}

	// The citizen: logs in with the standard persona's phone and password, allows the scopes.
	citizen := srv.Persona(esiatest.PersonaStandard)
	b := browser.ForTest(t, browser.New(browser.Options{Client: srv.HTTPClient(), Stop: []browser.StopRule{browser.Prefix(callback)}}))
	verifier := oauth2.GenerateVerifier()
	page := b.Get(conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)))
	page = b.Submit(b.Form(page, browser.WithField("login", "password")).
		Set("login", citizen.Login()).Set("password", esiatest.DefaultPassword))
	page = b.Submit(b.Form(page, browser.ByAction("/login/consent")), browser.Button("decision", "allow"))
	if !page.RedirectedTo(callback) || page.Params().Get("state") != "state-1" {
		t.Fatalf("want a redirect to the callback, got %s", page.Summary())
	}

	// The cabinet: trades the code and checks the ID token.
	tok, err := conf.Exchange(ctx, page.Params().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: "my-cabinet", Now: srv.Clock().Now}).Verify(ctx, rawID)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		FamilyName string `json:"family_name"`
	}
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idToken.Subject != citizen.OID || claims.FamilyName != citizen.LastName {
		t.Errorf("sub %q family_name %q, want %q %q", idToken.Subject, claims.FamilyName, citizen.OID, citizen.LastName)
	}
}

// A cabinet on ESIA's own dialect: a signed client_secret on /aas/oauth2/v2/ac, then the
// token exchange at /aas/oauth2/v3/te and a call to /rs/prns.
func TestExampleESIADialect(t *testing.T) {
	srv := esiatest.New(t, esiatest.WithESIAClient(esiatest.ESIAClientConfig{ID: "MYCABINET", RedirectURIs: []string{callback}}))
	rp := srv.ESIAClient("MYCABINET")
	scope := "openid fullname"

	// The authorization request: client_secret signs client_id+scope+timestamp+state+redirect_uri.
	ts, state := srv.Clock().Now().Format(esiatest.ESIATimestampLayout), uuid(t)
	q := url.Values{"client_id": {rp.ID}, "scope": {scope}, "response_type": {"code"}, "redirect_uri": {callback},
		"state": {state}, "timestamp": {ts}, "access_type": {"online"},
		"client_secret":           {rp.ClientSecret(rp.ID, scope, ts, state, callback)},
		"client_certificate_hash": {rp.CertificateHash}}
	b := browser.ForTest(t, browser.New(browser.Options{Client: srv.HTTPClient(), Stop: []browser.StopRule{browser.Prefix(callback)}}))
	page := b.Get(srv.Issuer() + "/aas/oauth2/v2/ac?" + q.Encode())
	citizen := srv.Persona(esiatest.PersonaConfirmed)
	page = b.Submit(b.Form(page, browser.WithField("login", "password")).
		Set("login", citizen.Login()).Set("password", esiatest.DefaultPassword))
	page = b.Submit(b.Form(page, browser.ByAction("/login/consent")), browser.Button("decision", "allow"))
	if !page.RedirectedTo(callback) || page.Params().Get("state") != state {
		t.Fatalf("want a redirect to the callback, got %s", page.Summary())
	}
	code := page.Params().Get("code")

	// The token request: a new state and timestamp; client_secret also signs the code.
	ts, state = srv.Clock().Now().Format(esiatest.ESIATimestampLayout), uuid(t)
	form := url.Values{"client_id": {rp.ID}, "grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {callback}, "scope": {scope}, "state": {state}, "timestamp": {ts}, "token_type": {"Bearer"},
		"client_secret":           {rp.ClientSecret(rp.ID, scope, ts, state, callback, code)},
		"client_certificate_hash": {rp.CertificateHash}}
	resp, err := srv.HTTPClient().PostForm(srv.Issuer()+"/aas/oauth2/v3/te", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		State       string `json:"state"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	if tok.State != state || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("token answer: %+v", tok)
	}

	// The person's data, with the access token.
	req, _ := http.NewRequest(http.MethodGet, srv.Issuer()+"/rs/prns/"+citizen.OID, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	pr, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Body.Close()
	var person struct {
		LastName string `json:"lastName"`
	}
	if err := json.NewDecoder(pr.Body).Decode(&person); err != nil || pr.StatusCode != http.StatusOK {
		t.Fatalf("/rs/prns: %d %v", pr.StatusCode, err)
	}
	if person.LastName != citizen.LastName {
		t.Errorf("lastName %q, want %q", person.LastName, citizen.LastName)
	}
}

// uuid is a random UUID, ESIA's state format.
func uuid(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	s := fmt.Sprintf("%x", b)
	return strings.Join([]string{s[:8], s[8:12], s[12:16], s[16:20], s[20:]}, "-")
}
