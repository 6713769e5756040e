package provider_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/keyfile"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func (e *env) admin(method, path, token, body string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.issuer+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminAPIIsOffWithoutAToken(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.AdminToken = "" })
	if status, _ := e.admin("GET", "/admin/api/personas", "anything", ""); status != http.StatusNotFound {
		t.Fatalf("admin API without a configured token: %d", status)
	}
}

func TestAdminAPIPersonas(t *testing.T) {
	e := newEnv(t)
	for _, tok := range []string{"", "wrong"} {
		if status, _ := e.admin("GET", "/admin/api/personas", tok, ""); status != http.StatusUnauthorized {
			t.Fatalf("token %q: %d", tok, status)
		}
	}
	status, body := e.admin("GET", "/admin/api/personas", adminToken, "")
	if status != http.StatusOK || strings.Contains(body, "argon2") || strings.Contains(body, "password") {
		t.Fatalf("list: %d %s", status, body)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list) != 6 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	if status, body = e.admin("GET", "/admin/api/personas/1000000003", adminToken, ""); status != http.StatusOK || !strings.Contains(body, "Иванова") {
		t.Fatalf("get: %d %s", status, body)
	}
	if status, _ = e.admin("GET", "/admin/api/personas/999", adminToken, ""); status != http.StatusNotFound {
		t.Fatalf("get missing: %d", status)
	}
	// Create a persona and log in as it.
	status, body = e.admin("POST", "/admin/api/personas", adminToken,
		`{"level":"confirmed","last_name":"Орлов","first_name":"Павел","phone":"8 (912) 345-67-89","password":"Orlov2024!","snils":"112-233-445 95"}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var created map[string]any
	_ = json.Unmarshal([]byte(body), &created)
	// A confirmed account without passport and birth date cannot exist in ESIA: said loudly.
	if w, _ := created["warnings"].([]any); len(w) != 1 || !strings.Contains(w[0].(string), "passport, birth_date") {
		t.Fatalf("no warning for a confirmed persona without passport and birth date: %s", body)
	}
	if created["phone"] != "+79123456789" || created["snils"] != "11223344595" || created["oid"] == "" {
		t.Fatalf("created: %v", created)
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), "+79123456789", "Orlov2024!")
	if _, idt := cab.mustExchange(cab.codeFrom(pg)); idt.Subject != created["oid"] {
		t.Fatalf("logged in as %s", idt.Subject)
	}
	// The same phone again: conflict, without naming the other account.
	status, body = e.admin("POST", "/admin/api/personas", adminToken, `{"level":"simplified","last_name":"А","first_name":"Б","phone":"+79123456789"}`)
	if status != http.StatusConflict {
		t.Fatalf("duplicate phone: %d %s", status, body)
	}
	for name, bad := range map[string]string{
		"not json":      `{`,
		"unknown field": `{"lvl":"x"}`,
		"bad level":     `{"level":"gold","last_name":"А","first_name":"Б","phone":"+79123450000"}`,
		"bad snils":     `{"level":"standard","last_name":"А","first_name":"Б","snils":"112-233-445 00"}`,
		"bad phone":     `{"level":"simplified","last_name":"А","first_name":"Б","phone":"12"}`,
	} {
		if status, body := e.admin("POST", "/admin/api/personas", adminToken, bad); status != http.StatusBadRequest || !strings.Contains(body, "invalid_request") {
			t.Fatalf("%s: %d %s", name, status, body)
		}
	}
}

func TestAdminAPIClients(t *testing.T) {
	e := newEnv(t)
	status, body := e.admin("GET", "/admin/api/clients", adminToken, "")
	if status != http.StatusOK || !strings.Contains(body, `"demo-spa"`) || strings.Contains(body, "demo-secret") {
		t.Fatalf("clients: %d %s", status, body)
	}
}

func TestExampleConfigBoots(t *testing.T) {
	cfg, err := config.Load("../testdata/example-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *config.Config) {
		issuer := c.Issuer
		*c = *cfg
		c.Issuer, c.Password.Preset = issuer, "test"
	})
	sfr := e.rp("sfr-cabinet", "sfr-secret", "http://127.0.0.1:3000/auth/callback", nil)
	pg := e.submitLogin(sfr.browser, sfr.authorize(), "+79990000101", "Pensia2024!")
	if _, idt := sfr.mustExchange(sfr.codeFrom(pg)); idt.Subject != "1000000101" {
		t.Fatalf("logged in as %s", idt.Subject)
	}
}

func TestSigningKeysSurviveARestart(t *testing.T) {
	keys := keyfile.Open(filepath.Join(t.TempDir(), "keys.json"))
	kid := func() string {
		cfg := config.Default()
		cfg.Password.Preset = "test"
		p, err := provider.New(context.Background(), provider.Options{Config: cfg, Store: memory.New(), Keys: keys,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		p.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/keys", nil))
		var jwks struct {
			Keys []struct {
				Kid, Alg string
				D        string `json:"d"`
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &jwks); err != nil {
			t.Fatal(err)
		}
		if len(jwks.Keys) != 2 {
			t.Fatalf("want one RS256 and one ES256 key, got %+v", jwks.Keys)
		}
		ids := ""
		for _, k := range jwks.Keys {
			if k.D != "" {
				t.Fatal("private key material in the JWKS")
			}
			ids += k.Alg + ":" + k.Kid + " "
		}
		return ids
	}
	if a, b := kid(), kid(); a != b {
		t.Fatalf("keys changed across a restart: %s vs %s", a, b)
	}
}

func TestHomePageListsPersonasAndClients(t *testing.T) {
	e := newEnv(t)
	pg := get(t, e.browser(), e.issuer+"/")
	if pg.status != http.StatusOK || !strings.Contains(pg.body, "Иванова Мария Ивановна") || !strings.Contains(pg.body, "demo-spa") {
		t.Fatalf("home: %d", pg.status)
	}
	if pg := get(t, e.browser(), e.issuer+"/readyz"); pg.status != http.StatusOK {
		t.Fatalf("readyz: %d", pg.status)
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	before, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	oldKid := kidOf(t, before)

	status, body := e.admin("POST", "/admin/api/keys/rotate", adminToken, `{"alg":"RS256"}`)
	if status != http.StatusCreated {
		t.Fatalf("rotate: %d %s", status, body)
	}
	var keys []struct {
		KID, Alg string
		Signing  bool
	}
	_ = json.Unmarshal([]byte(body), &keys)
	if len(keys) != 3 {
		t.Fatalf("after rotation: %s", body)
	}
	// New tokens are signed by the new key; the JWKS still verifies the old one.
	after, _ := cab.mustExchange(cab.codeFrom(cab.authorize()))
	newKid := kidOf(t, after)
	if newKid == oldKid {
		t.Fatal("the new key does not sign")
	}
	raw := get(t, e.browser(), e.issuer+"/keys").body
	if !strings.Contains(raw, oldKid) || !strings.Contains(raw, newKid) {
		t.Fatalf("JWKS lacks a key: %s", raw)
	}
	// The signing key cannot be deleted; the old one can, and is then unpublished.
	if status, _ := e.admin("DELETE", "/admin/api/keys/"+newKid, adminToken, ""); status != http.StatusConflict {
		t.Fatalf("delete the signing key: %d", status)
	}
	if status, _ := e.admin("DELETE", "/admin/api/keys/"+oldKid, adminToken, ""); status != http.StatusNoContent {
		t.Fatalf("delete the old key: %d", status)
	}
	if raw := get(t, e.browser(), e.issuer+"/keys").body; strings.Contains(raw, oldKid) {
		t.Fatal("deleted key still published")
	}
	// A delayed key is published at once but signs only later.
	status, body = e.admin("POST", "/admin/api/keys/rotate", adminToken, `{"alg":"RS256","publish_delay":"10m"}`)
	if status != http.StatusCreated {
		t.Fatalf("delayed rotate: %d %s", status, body)
	}
	still, _ := cab.mustExchange(cab.codeFrom(cab.authorize()))
	if kidOf(t, still) != newKid {
		t.Fatal("a delayed key signed before its time")
	}
	e.clock.Advance(11 * time.Minute)
	later, _ := cab.mustExchange(cab.codeFrom(cab.authorize()))
	if k := kidOf(t, later); k == newKid || k == oldKid {
		t.Fatal("the delayed key did not take over")
	}
	if status, _ := e.admin("POST", "/admin/api/keys/rotate", adminToken, `{"alg":"HS256"}`); status != http.StatusBadRequest {
		t.Fatalf("bad alg: %d", status)
	}
}

// kidOf returns the kid in the header of the token response's ID token.
func kidOf(t *testing.T, tok *oauth2.Token) string {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	head, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(b, &h); err != nil || h.Kid == "" {
		t.Fatalf("header %s: %v", b, err)
	}
	return h.Kid
}
