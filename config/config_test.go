package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
)

func TestDefaultIsValidAndHasTheBuiltins(t *testing.T) {
	c := config.Default()
	if c.Issuer != "http://127.0.0.1:8080" {
		t.Fatalf("issuer %q", c.Issuer)
	}
	keys := map[string]bool{}
	for _, p := range c.Personas {
		keys[p.Key] = true
		if p.Password != config.DefaultPassword || p.Status == "" {
			t.Fatalf("persona %s: password %q status %q", p.Key, p.Password, p.Status)
		}
	}
	for _, k := range []string{"simplified", "standard", "confirmed", "confirmed-totp", "confirmed-sms", "suspended"} {
		if !keys[k] {
			t.Fatalf("persona %s missing", k)
		}
	}
	for _, id := range []string{"demo-cabinet", "demo-spa", "DEMOCAB01"} {
		if _, ok := c.Client(id); !ok {
			t.Fatalf("client %s missing", id)
		}
	}
}

func TestExampleFileParsesAndMerges(t *testing.T) {
	c, err := config.Load("../testdata/example-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminToken != "change-me" || c.Lifetimes.SessionIdle.Or(0) != 15*time.Minute || c.Lifetimes.Code.Or(0) != time.Minute {
		t.Fatalf("scalars: %+v", c.Lifetimes)
	}
	if len(c.Clients) != len(config.BuiltinClients())+3 || len(c.Personas) != len(config.BuiltinPersonas())+1 {
		t.Fatalf("merge: %d clients %d personas", len(c.Clients), len(c.Personas))
	}
	fri, _ := c.Client("fri-cabinet")
	if fri.MinLevel != "confirmed" {
		t.Fatal("fri-cabinet min_level")
	}
	sfr, _ := c.Client("sfr-cabinet")
	if sfr.BackchannelLogoutURI != "http://127.0.0.1:3000/auth/backchannel-logout" || !sfr.BackchannelLogoutSessionRequired {
		t.Fatalf("sfr-cabinet back-channel logout: %q %v", sfr.BackchannelLogoutURI, sfr.BackchannelLogoutSessionRequired)
	}
	last := c.Personas[len(c.Personas)-1]
	if last.Key != "pensioner" || last.Passport == nil || last.Passport.UnitCode != "622-001" {
		t.Fatalf("pensioner: %+v", last)
	}
}

func TestFileReplacesAndDropsBuiltins(t *testing.T) {
	c, err := config.Parse([]byte(`
builtin_clients: false
clients:
  - {id: only, secret: s, redirect_uris: ["http://127.0.0.1:1/cb"]}
personas:
  - {key: confirmed, oid: "1000000003", level: standard, last_name: Иванова, first_name: Мария, phone: "+79990000003"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clients) != 1 || c.Clients[0].ID != "only" {
		t.Fatalf("clients %+v", c.Clients)
	}
	for _, p := range c.Personas {
		if p.Key == "confirmed" && p.Level != "standard" {
			t.Fatal("a file persona did not replace the built-in one")
		}
	}
	if len(c.Personas) != 6 {
		t.Fatalf("%d personas", len(c.Personas))
	}
}

func TestValidationErrors(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown field":        {"issuer_url: x", "field issuer_url not found"},
		"code of one digit":    {"second_factor: {code_length: 1}", "second_factor.code_length 1: want 4 to 10 digits"},
		"code of 11 digits":    {"second_factor: {code_length: 11}", "second_factor.code_length 11: want 4 to 10 digits"},
		"negative code length": {"second_factor: {code_length: -6}", "second_factor.code_length -6"},
		"bad issuer":           {"issuer: ftp://x", "issuer"},
		"issuer with query":    {"issuer: http://x/?a=1", "issuer"},
		"bad duration":         {"lifetimes: {code: soon}", "invalid duration"},
		"public with secret":   {"clients: [{id: c, public: true, secret: s, redirect_uris: [http://a/cb]}]", "public client has no secret"},
		"no secret":            {"clients: [{id: c, redirect_uris: [http://a/cb]}]", "secret required"},
		"no redirect":          {"clients: [{id: c, secret: s}]", "redirect_uri"},
		"relative redirect":    {"clients: [{id: c, secret: s, redirect_uris: [/cb]}]", "absolute"},
		"bad grant":            {"clients: [{id: c, secret: s, redirect_uris: [http://a/cb], grant_types: [implicit]}]", "grant type"},
		"bad alg":              {"clients: [{id: c, secret: s, redirect_uris: [http://a/cb], signing_alg: HS256}]", "signing_alg"},
		"bad level":            {"clients: [{id: c, secret: s, redirect_uris: [http://a/cb], min_level: gold}]", "min_level"},
		"relative backchannel": {"clients: [{id: c, secret: s, redirect_uris: [http://a/cb], backchannel_logout_uri: /logout}]", "backchannel_logout_uri"},
		"ftp backchannel":      {"clients: [{id: c, secret: s, redirect_uris: [http://a/cb], backchannel_logout_uri: \"ftp://a/logout\"}]", "backchannel_logout_uri"},
		"duplicate oid":        {"personas: [{key: x, oid: '1000000001', level: simplified, last_name: A, first_name: B, phone: '+79990000101'}]", "defined twice"},
		"oid not digits":       {"personas: [{key: x, oid: 'abc', level: simplified, last_name: A, first_name: B, phone: '+79990000101'}]", "decimal digits"},
		"no login":             {"personas: [{key: x, oid: '7', level: simplified, last_name: A, first_name: B}]", "phone, e-mail or SNILS"},
		"bad preset":           {"password: {preset: fast}", "preset"},
	} {
		_, err := config.Parse([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, tc.want)
		}
	}
}
