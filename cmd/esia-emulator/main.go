package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/requestid"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "esia-emulator:", err)
		os.Exit(1)
	}
}

const usage = `usage: esia-emulator <command> [flags]

commands:
  serve        run the provider (default listen 127.0.0.1:8080)
  conformance  run the OpenID conformance modules against an issuer
  demo         run the emulator with three demo cabinets next to it (test mode, memory store)

Run "esia-emulator serve -h" for the flags.`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "conformance":
		return conformanceCommand(ctx, args[1:], stdout, stderr)
	case "demo":
		return demoCommand(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	f, err := parseServeFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := newLogger(stderr, f.logFormat, f.logLevel)
	// The OIDC engine (zitadel/oidc) logs through slog's default logger only.
	defer useAsDefault(log)()

	cfg := f.cfg
	useTLS := f.tlsSelfSigned || f.tlsCert != ""
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if f.issuer != "" {
		cfg.Issuer = f.issuer
	} else {
		cfg.Issuer = issuerFromAddr(ln.Addr().String(), useTLS)
	}
	if f.adminToken != "" {
		cfg.AdminToken = string(f.adminToken)
	}
	if f.mode != "" {
		cfg.Mode = f.mode
	}
	if cfg.Outbox == "" {
		cfg.Outbox = outboxFor(ln.Addr())
	}
	if err := cfg.Validate(); err != nil {
		return err
	}

	store, keys, err := openStore(string(f.store), f.dataDir, f.redisPrefix, log)
	if err != nil {
		return err
	}
	defer store.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := provider.New(ctx, provider.Options{Config: cfg, Store: store, Keys: keys, Logger: log})
	if err != nil {
		return err
	}
	srv := newServer(p.Handler(), defaultTimeouts(), log)
	var metricsSrv *http.Server
	if f.metricsAddr != "" {
		mln, err := net.Listen("tcp", f.metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		defer mln.Close()
		f.metricsAddr = mln.Addr().String()
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", p.MetricsHandler())
		metricsSrv = newServer(mux, defaultTimeouts(), log)
		go func() {
			if err := metricsSrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "err", err)
			}
		}()
	}
	if useTLS {
		cert, key := f.tlsCert, f.tlsKey
		if f.tlsSelfSigned {
			if cert, key, err = selfSignedCert(f.dataDir, time.Now()); err != nil {
				return err
			}
		}
		if srv.TLSConfig, err = loadTLS(cert, key); err != nil {
			return err
		}
	}
	printBanner(stdout, cfg, f, time.Since(start))

	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shutdownCtx)
	}
	// Back-channel logout deliveries still in flight finish (or are cancelled) before exit.
	if perr := p.Shutdown(shutdownCtx); err == nil {
		err = perr
	}
	return err
}

// serverTimeouts bound how long one connection may hold the server: a visitor trickling
// headers or a body, or never reading the answer, is cut off. Handlers that wait on purpose
// (the admin outbox's long poll, test-mode delays) move their own deadlines
// (limits.HoldConnection).
type serverTimeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// defaultTimeouts: headers within 10 s, the whole request (a form is at most 64 KiB) within
// 20 s, the answer within 60 s, an idle keep-alive connection for 2 minutes.
func defaultTimeouts() serverTimeouts {
	return serverTimeouts{ReadHeader: 10 * time.Second, Read: 20 * time.Second, Write: 60 * time.Second, Idle: 2 * time.Minute}
}

// newServer is the emulator's HTTP server around h.
func newServer(h http.Handler, t serverTimeouts, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    256 << 10, // an authorization request is capped at 64 KiB anyway
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// newLogger is serve's logger: logfmt or JSON lines on w, with the request id (package
// requestid) on every line logged in a request's context — the provider's and the engine's.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(requestid.LogHandler(h))
}

// useAsDefault makes log slog's default logger (and so the standard log package's output) and
// returns the function that puts the previous ones back.
func useAsDefault(log *slog.Logger) (restore func()) {
	prev, prevOut, prevFlags := slog.Default(), stdlog.Writer(), stdlog.Flags()
	slog.SetDefault(log)
	return func() {
		slog.SetDefault(prev)
		stdlog.SetOutput(prevOut)
		stdlog.SetFlags(prevFlags)
	}
}

// outboxFor is the /outbox exposure when the config leaves it unset: public while the
// emulator listens on loopback only (a laptop: make run stays convenient), admin when others
// can reach it.
func outboxFor(addr net.Addr) string {
	if a, ok := addr.(*net.TCPAddr); ok && a.IP.IsLoopback() {
		return config.OutboxPublic
	}
	return config.OutboxAdmin
}

// issuerFromAddr turns a listen address into the issuer URL; 0.0.0.0 and [::] become 127.0.0.1.
func issuerFromAddr(addr string, tls bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	scheme := "http"
	if tls {
		scheme = "https"
	}
	if port == "" {
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
