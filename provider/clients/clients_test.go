package clients_test

import (
	"slices"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/clients"
)

func TestClientRules(t *testing.T) {
	lt := config.Lifetimes{}
	for _, tc := range []struct {
		name                string
		cfg                 config.Client
		secret              string
		wantMatch, wantPKCE bool
		wantRefresh         bool
		wantName, wantAlg   string
		wantAccess, wantID  time.Duration
	}{
		{"confidential defaults", config.Client{ID: "a", Secret: "s3cret"}, "s3cret", true, false, true, "a", "RS256", time.Hour, time.Hour},
		{"wrong secret", config.Client{ID: "a", Secret: "s3cret"}, "s3creT", false, false, true, "a", "RS256", time.Hour, time.Hour},
		{"public never matches", config.Client{ID: "spa", Public: true, Name: "SPA"}, "", false, true, true, "SPA", "RS256", time.Hour, time.Hour},
		{"pkce by config, no refresh grant", config.Client{ID: "b", Secret: "x", RequirePKCE: true, GrantTypes: []string{"authorization_code"}, SigningAlg: "ES256"}, "x", true, true, false, "b", "ES256", time.Hour, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clients.New(tc.cfg, lt)
			if got := c.SecretMatches(tc.secret); got != tc.wantMatch {
				t.Errorf("SecretMatches = %v", got)
			}
			if c.RequiresPKCE() != tc.wantPKCE || c.Refresh != tc.wantRefresh || c.DisplayName() != tc.wantName || string(c.SigningAlg) != tc.wantAlg {
				t.Errorf("pkce=%v refresh=%v name=%q alg=%s", c.RequiresPKCE(), c.Refresh, c.DisplayName(), c.SigningAlg)
			}
			if c.AccessTTL != tc.wantAccess || c.IDTTL != tc.wantID || c.RefreshTTL != 720*time.Hour {
				t.Errorf("lifetimes %v %v %v", c.AccessTTL, c.IDTTL, c.RefreshTTL)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	cfg := config.Default()
	r, err := clients.NewRegistry(cfg, "http://127.0.0.1:8080/debug/callback", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.All()) != len(cfg.Clients) {
		t.Fatalf("%d clients, want %d", len(r.All()), len(cfg.Clients))
	}
	for _, c := range r.All() {
		if !slices.Contains(c.Config.RedirectURIs, "http://127.0.0.1:8080/debug/callback") {
			t.Errorf("%s lacks the extra redirect", c.ID())
		}
	}
	if slices.Contains(cfg.Clients[0].RedirectURIs, "http://127.0.0.1:8080/debug/callback") {
		t.Error("the configuration itself was changed")
	}
	if _, ok := r.Lookup("no-such-client"); ok || r.Get("no-such-client") != nil || r.Name("no-such-client") != "" {
		t.Error("an unknown client was found")
	}
	cfg.Clients = append(cfg.Clients, config.Client{ID: "bad", Scopes: []string{"no_such_scope"}})
	if _, err := clients.NewRegistry(cfg, "", nil); err == nil {
		t.Error("a client with an unknown scope was accepted")
	}
}
