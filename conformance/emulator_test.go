package conformance_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/conformance"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// suiteClock lets the suite's Sleep move the provider's frozen clock instead of waiting.
type suiteClock struct{ *provider.TravelClock }

func (c suiteClock) Sleep(_ context.Context, d time.Duration) error {
	c.Advance(d)
	return nil
}

const (
	basicRedirect = "https://rp.example/cb"
	postRedirect  = "https://rp-post.example/cb"
	loggedOut     = "https://rp.example/logged-out"
)

// emulator serves the provider over TLS with the two conformance clients and returns the
// suite's options.
func emulator(t *testing.T) conformance.Options {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "https://" + srv.Listener.Addr().String()
	cfg := config.Default()
	cfg.Issuer = issuer
	cfg.Password.Preset = "test"
	cfg.Clients = append(cfg.Clients,
		config.Client{ID: "conformance-basic", Secret: "basic-secret", RedirectURIs: []string{basicRedirect}, PostLogoutRedirectURIs: []string{loggedOut}},
		config.Client{ID: "conformance-post", Secret: "post-secret", RedirectURIs: []string{postRedirect}},
	)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	clock := suiteClock{provider.NewTravelClock(func() time.Time { return start })}
	clock.Freeze()
	p, err := provider.New(context.Background(), provider.Options{Config: cfg, Store: memory.New(), Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p.Handler()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	if srv.URL != issuer {
		t.Fatalf("server URL %s, issuer %s", srv.URL, issuer)
	}
	return conformance.Options{
		Issuer:                issuer,
		Client:                conformance.Client{ID: "conformance-basic", Secret: "basic-secret", RedirectURI: basicRedirect},
		PostClient:            conformance.Client{ID: "conformance-post", Secret: "post-secret", RedirectURI: postRedirect},
		PostLogoutRedirectURI: loggedOut,
		Login:                 "+79990000003",
		Password:              "Test1234!",
		SecondLogin:           "+79990000002",
		SecondPassword:        "Test1234!",
		HTTPClient:            srv.Client(),
		Now:                   clock.Now,
		Sleep:                 clock.Sleep,
	}
}

// expectedSkips are the modules the emulator legitimately skips, with why.
var expectedSkips = map[string]string{
	"oidcc-idtoken-unsigned": "the emulator does not offer alg none (not in id_token_signing_alg_values_supported)",
}

func TestEmulatorPassesEveryModule(t *testing.T) {
	opts := emulator(t)
	start := time.Now()
	rep := conformance.Run(t.Context(), opts)
	t.Logf("suite: %s\n%s", time.Since(start).Round(time.Millisecond), rep.Text())
	if path := os.Getenv("CONFORMANCE_JSON"); path != "" { // the whole report, every check, for a look
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJSON(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if len(rep.Modules) != len(conformance.Modules()) {
		t.Fatalf("ran %d modules of %d", len(rep.Modules), len(conformance.Modules()))
	}
	for _, m := range rep.Modules {
		t.Run(m.Name, func(t *testing.T) {
			if why, ok := expectedSkips[m.Name]; ok {
				if m.Verdict != conformance.Skipped {
					t.Errorf("want SKIPPED (%s), got %s: %s", why, m.Verdict, m.Reason)
				}
				return
			}
			if m.Verdict == conformance.Passed {
				return
			}
			var problems strings.Builder
			for _, c := range m.Checks {
				if c.Outcome == conformance.OutcomeFail || c.Outcome == conformance.OutcomeWarn {
					problems.WriteString("\n  " + string(c.Outcome) + " " + c.Name + ": " + c.Detail)
				}
			}
			t.Errorf("%s: %s%s", m.Verdict, m.Reason, problems.String())
		})
	}
}
