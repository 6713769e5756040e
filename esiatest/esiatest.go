package esiatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// Values every Server shares with the emulator's built-ins.
const (
	// DefaultPassword is the password of the built-in personas and of personas created
	// without one.
	DefaultPassword = "Test1234!"
	// TOTPSecret is the base32 authenticator secret of personas with SecondFactorTOTP.
	TOTPSecret = "ESIAEMULATORTOTP"
	// ESIATimestampLayout is the layout of the timestamp parameter of ESIA's requests
	// (time.Time.Format), e.g. "2026.12.04 10:00:00 +0300".
	ESIATimestampLayout = "2006.01.02 15:04:05 -0700"
)

// Server is a running emulator for one test: the whole provider (OpenID Connect, ESIA's own
// endpoints, the login pages, the admin API) on a loopback port, in test mode, over an
// in-memory store. New starts it; the test's Cleanup stops it.
//
// Its methods fail the test (t.Fatal) instead of returning errors, so call them from the
// test's own goroutine.
type Server struct {
	t          testing.TB
	srv        *httptest.Server
	p          *provider.Provider
	clock      *Clock
	adminToken string
	cfg        *config.Config
	esia       map[string]*ESIAClient

	mu      sync.Mutex
	cursors map[string]string // recipient → id of the last message WaitForCode returned
}

// Option configures a Server at New.
type Option struct{ apply func(*settings) }

type settings struct {
	clients     []Client
	esiaClients []ESIAClientConfig
	personas    []Persona
	logger      *slog.Logger
	noBuiltins  bool
}

// WithClient registers a relying party of the OpenID Connect dialect, next to the demo
// clients. Clients are fixed for the Server's life: register them here.
func WithClient(c Client) Option {
	return Option{func(s *settings) { s.clients = append(s.clients, c) }}
}

// WithESIAClient registers a relying party of ESIA's own endpoints (/aas/oauth2/…) with a
// freshly generated RSA key and self-signed certificate; Server.ESIAClient gives them back to
// sign client_secret with.
func WithESIAClient(c ESIAClientConfig) Option {
	return Option{func(s *settings) { s.esiaClients = append(s.esiaClients, c) }}
}

// WithPersona adds a citizen to the ones seeded at start (and again at every Reset).
func WithPersona(p Persona) Option {
	return Option{func(s *settings) { s.personas = append(s.personas, p) }}
}

// WithLogger sends the emulator's log there (default: discarded).
func WithLogger(l *slog.Logger) Option { return Option{func(s *settings) { s.logger = l }} }

// WithoutBuiltins leaves out the demo clients and the built-in personas: only what the
// options register exists.
func WithoutBuiltins() Option { return Option{func(s *settings) { s.noBuiltins = true }} }

// New starts an emulator for t on a free loopback port and stops it when t ends. It runs in
// test mode (clock, faults, reset, token minting) with the cheap password hashing preset and
// an admin token it keeps to itself; the clock follows the wall clock until the test moves it.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var set settings
	for _, o := range opts {
		o.apply(&set)
	}
	srv := httptest.NewUnstartedServer(nil)
	s := &Server{t: t, srv: srv, esia: map[string]*ESIAClient{}, cursors: map[string]string{}}
	s.adminToken = randomToken(t)

	c := config.Default() // the built-ins
	c.Issuer, c.Mode, c.AdminToken = "http://"+srv.Listener.Addr().String(), "test", s.adminToken
	c.Password.Preset = "test"
	if set.noBuiltins {
		c.Clients, c.Personas = nil, nil
	}
	for _, cl := range set.clients {
		c.Clients = append(c.Clients, cl.config())
	}
	for _, ec := range set.esiaClients {
		client, err := newESIAClient(t, ec)
		if err != nil {
			srv.Close()
			t.Fatalf("esiatest: ESIA client %q: %v", ec.ID, err)
		}
		s.esia[ec.ID] = client
		c.Clients = append(c.Clients, ec.config(client.CertificatePEM))
	}
	for _, p := range set.personas {
		c.Personas = append(c.Personas, p.config())
	}
	if err := c.Validate(); err != nil {
		srv.Close()
		t.Fatalf("esiatest: %v", err)
	}
	s.cfg = c

	log := set.logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tc := provider.NewTravelClock(time.Now)
	s.clock = &Clock{c: tc}
	p, err := provider.New(context.Background(), provider.Options{Config: c, Store: memory.New(), Clock: tc, Logger: log})
	if err != nil {
		srv.Close()
		t.Fatalf("esiatest: %v", err)
	}
	s.p = p
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	// Runs before srv.Close: back-channel logout deliveries end with the test.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("esiatest: shutdown: %v", err)
		}
	})
	return s
}

func randomToken(t testing.TB) string {
	t.Helper()
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("esiatest: %v", err)
	}
	return hex.EncodeToString(b[:])
}

// Issuer is the emulator's issuer URL, "http://127.0.0.1:<port>": discovery is at
// Issuer()+"/.well-known/openid-configuration", ESIA's endpoints under Issuer()+"/aas/oauth2/".
func (s *Server) Issuer() string { return s.cfg.Issuer }

// URL is the base URL of the emulator (the issuer).
func (s *Server) URL() string { return s.srv.URL }

// HTTPClient is an HTTP client for the emulator (no cookie jar: bring one for a browser).
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Close stops the emulator now; the test's Cleanup would do it otherwise.
func (s *Server) Close() { s.srv.Close() }

// Clients are the relying parties the emulator knows: the demo clients (unless
// WithoutBuiltins) and those of WithClient and WithESIAClient.
func (s *Server) Clients() []Client {
	out := make([]Client, 0, len(s.cfg.Clients))
	for _, c := range s.cfg.Clients {
		out = append(out, clientOf(c))
	}
	return out
}

// Client returns the registered client with the id; it fails the test when there is none.
func (s *Server) Client(id string) Client {
	s.t.Helper()
	i := slices.IndexFunc(s.cfg.Clients, func(c config.Client) bool { return c.ID == id })
	if i < 0 {
		s.t.Fatalf("esiatest: no client %q", id)
	}
	return clientOf(s.cfg.Clients[i])
}

// ESIAClient returns a client registered with WithESIAClient, with its key and certificate;
// it fails the test when there is none.
func (s *Server) ESIAClient(id string) *ESIAClient {
	s.t.Helper()
	c, ok := s.esia[id]
	if !ok {
		s.t.Fatalf("esiatest: no ESIA client %q (register it with WithESIAClient)", id)
	}
	return c
}

// Clock is the emulator's clock: every lifetime, lock and timestamp check follows it.
func (s *Server) Clock() *Clock { return s.clock }
