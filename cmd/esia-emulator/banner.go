package main

import (
	"fmt"
	"io"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
)

// printBanner tells a developer where everything is and how to log in.
func printBanner(w io.Writer, cfg *config.Config, f serveFlags, startup time.Duration) {
	fmt.Fprintf(w, "ESIA emulator ready in %s — not affiliated with Gosuslugi\n", startup.Round(time.Millisecond))
	fmt.Fprintf(w, "  issuer     %s\n", cfg.Issuer)
	fmt.Fprintf(w, "  discovery  %s/.well-known/openid-configuration\n", cfg.Issuer)
	fmt.Fprintf(w, "  store      %s (data dir %s)\n", f.store, f.dataDir)
	fmt.Fprintf(w, "  outbox     %s/outbox (SMS and e-mail codes; outbox: %s)\n", cfg.Issuer, cfg.Outbox)
	fmt.Fprintf(w, "  account    %s/account\n", cfg.Issuer)
	if cfg.TestMode() {
		fmt.Fprintf(w, "  test mode  on: /debug, /admin/api/clock, /reset, /tokens, /faults, /personas/generate\n")
	}
	if cfg.AdminToken != "" {
		fmt.Fprintf(w, "  admin API  %s/admin/api/ (Bearer token set); /metrics, /debug/pprof/ with the token\n", cfg.Issuer)
	}
	if f.metricsAddr != "" {
		fmt.Fprintf(w, "  metrics    http://%s/metrics\n", f.metricsAddr)
	}
	fmt.Fprintln(w, "clients:")
	for _, c := range cfg.Clients {
		secret := "public, PKCE"
		switch {
		case c.ESIA != nil && c.Secret == "":
			secret = "ESIA /aas/oauth2, client_secret " + c.ESIA.SecretCheckOrDefault()
		case !c.Public && demoSecret(c):
			secret = "secret " + c.Secret
		case !c.Public:
			secret = "secret set (not shown)"
		}
		fmt.Fprintf(w, "  %-14s %s  redirect %v\n", c.ID, secret, c.RedirectURIs)
	}
	fmt.Fprintln(w, "personas (password "+config.DefaultPassword+" unless configured):")
	for _, p := range cfg.Personas {
		login := p.Phone
		if login == "" {
			login = p.Email
		}
		fmt.Fprintf(w, "  %-15s %-11s %-13s %s %s\n", p.Key, p.Level, login, p.LastName, p.FirstName)
	}
}

// demoSecret reports whether c is a built-in demo client with its published secret: only
// those secrets are printed; a configured client's secret never is.
func demoSecret(c config.Client) bool {
	for _, b := range config.BuiltinClients() {
		if b.ID == c.ID && b.Secret != "" && b.Secret == c.Secret {
			return true
		}
	}
	return false
}
