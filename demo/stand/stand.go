package stand

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/demo/fri"
	"github.com/esia-emulator/esia-emulator/demo/sfr"
	"github.com/esia-emulator/esia-emulator/demo/socprot"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// The cabinets' client ids.
const (
	SFRClient     = "sfr-cabinet"
	FRIClient     = "fri-cabinet"
	SocprotClient = "SOCPROT01"
)

// Options are the listeners of the emulator and of the three cabinets.
type Options struct {
	Emulator, SFR, FRI, Socprot net.Listener
	Logger                      *slog.Logger // nil: discard
	// Configure, when set, changes the emulator's configuration before it starts (tests).
	Configure func(*config.Config)
	// Wrap, when set, wraps each cabinet's handler ("sfr", "fri", "socprot"); tests use it
	// to see back-channel logout deliveries arrive.
	Wrap func(cabinet string, h http.Handler) http.Handler
}

// Stand is the running emulator and cabinets.
type Stand struct {
	Issuer, SFR, FRI, Socprot string // base URLs

	provider *provider.Provider
	servers  []*http.Server
}

// Start registers the three cabinets as clients of an emulator in test mode over a memory
// store (with the built-in personas and demo clients), starts it, then starts the cabinets.
func Start(ctx context.Context, o Options) (*Stand, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	url := func(l net.Listener) string { return "http://" + l.Addr().String() }
	s := &Stand{Issuer: url(o.Emulator), SFR: url(o.SFR), FRI: url(o.FRI), Socprot: url(o.Socprot)}

	cfg := config.Default()
	cfg.Issuer, cfg.Mode, cfg.Outbox, cfg.AdminToken = s.Issuer, "test", config.OutboxPublic, secret()
	cfg.Password.Preset = "test"
	sfrSecret, friSecret := secret(), secret()
	oidcClient := func(id, name, secret, base string) config.Client {
		return config.Client{ID: id, Name: name, Secret: secret, RequirePKCE: true,
			RedirectURIs: []string{base + "/callback"}, PostLogoutRedirectURIs: []string{base + "/?notice=logged-out"},
			BackchannelLogoutURI: base + "/backchannel-logout"}
	}
	key, certPEM, certHash, err := esiaKey()
	if err != nil {
		return nil, err
	}
	cfg.Clients = append(cfg.Clients,
		oidcClient(SFRClient, "Социальный фонд России", sfrSecret, s.SFR),
		oidcClient(FRIClient, "Федеральный реестр инвалидов", friSecret, s.FRI),
		config.Client{ID: SocprotClient, Name: "Органы социальной защиты",
			RedirectURIs: []string{s.Socprot + "/callback"}, PostLogoutRedirectURIs: []string{s.Socprot + "/?notice=logged-out"},
			BackchannelLogoutURI: s.Socprot + "/backchannel-logout",
			ESIA:                 &config.ESIAClient{Certificate: certPEM, SecretCheck: config.SecretCheckStrict}})
	if o.Configure != nil {
		o.Configure(cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := provider.New(ctx, provider.Options{Config: cfg, Store: memory.New(), Logger: log})
	if err != nil {
		return nil, err
	}
	s.provider = p
	s.serve(o.Emulator, p.Handler(), log)
	wrap := o.Wrap
	if wrap == nil {
		wrap = func(_ string, h http.Handler) http.Handler { return h }
	}

	sc, err := sfr.New(ctx, sfr.Config{Issuer: s.Issuer, ClientID: SFRClient, ClientSecret: sfrSecret, BaseURL: s.SFR})
	if err == nil {
		s.serve(o.SFR, wrap("sfr", sc), log)
		var fc *fri.Cabinet
		if fc, err = fri.New(ctx, fri.Config{Issuer: s.Issuer, ClientID: FRIClient, ClientSecret: friSecret, BaseURL: s.FRI}); err == nil {
			s.serve(o.FRI, wrap("fri", fc), log)
			var pc *socprot.Cabinet
			if pc, err = socprot.New(ctx, socprot.Config{ESIAURL: s.Issuer, ClientID: SocprotClient, Key: key,
				CertificateHash: certHash, BaseURL: s.Socprot}); err == nil {
				s.serve(o.Socprot, wrap("socprot", pc), log)
			}
		}
	}
	if err != nil {
		_ = s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

func (s *Stand) serve(l net.Listener, h http.Handler, log *slog.Logger) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 20 * time.Second,
		WriteTimeout: 60 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("demo: serve", "addr", l.Addr().String(), "err", err)
		}
	}()
}

// Close stops the cabinets and the emulator.
func (s *Stand) Close(ctx context.Context) error {
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	if s.provider != nil {
		errs = append(errs, s.provider.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// esiaKey is the social-protection system's RSA key and self-signed certificate (PEM), and
// the certificate's GOST R 34.11-2012 hash (client_certificate_hash).
func esiaKey() (*rsa.PrivateKey, string, string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", "", fmt.Errorf("demo: ESIA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: SocprotClient, Organization: []string{"Демо: органы социальной защиты"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, "", "", fmt.Errorf("demo: ESIA certificate: %w", err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), gost.CertificateHash(der), nil
}

func secret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
