package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "esia-emulator:", err)
		os.Exit(1)
	}
}

const usage = `usage: esia-emulator <command> [flags]

commands:
  serve        run the provider (default listen 127.0.0.1:8080)
  conformance  run the OpenID conformance modules against an issuer

Run "esia-emulator serve -h" for the flags.`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "conformance":
		return conformanceCommand(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// serveFlags are the serve command's settings after flags and environment.
type serveFlags struct {
	addr, issuer, configPath, store, dataDir, adminToken string
	redisPrefix, mode                                    string
	tlsCert, tlsKey                                      string
	tlsSelfSigned                                        bool
	logLevel                                             string
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveFlags, *flag.FlagSet, error) {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&f.addr, "addr", env("ESIA_ADDR", "127.0.0.1:8080"), "listen address (ESIA_ADDR)")
	fs.StringVar(&f.issuer, "issuer", env("ESIA_ISSUER", ""), "issuer URL; default from the config file, else http(s)://<addr> (ESIA_ISSUER)")
	fs.StringVar(&f.configPath, "config", env("ESIA_CONFIG", ""), "YAML config file (ESIA_CONFIG)")
	fs.StringVar(&f.store, "store", env("ESIA_STORE", "bolt"), "store backend: bolt (durable, <data-dir>/esia.db), memory (lost on exit), or a redis:// / rediss:// URL shared by replicas (ESIA_STORE)")
	fs.StringVar(&f.redisPrefix, "redis-prefix", env("ESIA_REDIS_PREFIX", ""), "key prefix in Redis, kept inside a Cluster hash tag; default {esia}: (ESIA_REDIS_PREFIX)")
	fs.StringVar(&f.dataDir, "data-dir", env("ESIA_DATA_DIR", ".esia-emulator"), "directory for keys, certificates and the durable store (ESIA_DATA_DIR)")
	fs.StringVar(&f.adminToken, "admin-token", env("ESIA_ADMIN_TOKEN", ""), "enables /admin/api/ with this Bearer token (ESIA_ADMIN_TOKEN)")
	fs.StringVar(&f.tlsCert, "tls-cert", env("ESIA_TLS_CERT", ""), "TLS certificate PEM file (ESIA_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", env("ESIA_TLS_KEY", ""), "TLS private key PEM file (ESIA_TLS_KEY)")
	fs.BoolVar(&f.tlsSelfSigned, "tls-self-signed", env("ESIA_TLS_SELF_SIGNED", "") == "true" || env("ESIA_TLS_SELF_SIGNED", "") == "1", "serve https with a self-signed certificate kept in the data dir (ESIA_TLS_SELF_SIGNED)")
	fs.StringVar(&f.mode, "mode", env("ESIA_MODE", ""), "test: turn on the test conveniences (time travel, reset, faults, persona picker, …); default from the config file (ESIA_MODE)")
	fs.StringVar(&f.logLevel, "log-level", env("ESIA_LOG_LEVEL", "info"), "debug, info, warn or error (ESIA_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return f, fs, err
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return f, fs, errors.New("--tls-cert and --tls-key go together")
	}
	return f, fs, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	start := time.Now()
	f, _, err := parseServeFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	cfg := config.Default()
	if f.configPath != "" {
		if cfg, err = config.Load(f.configPath); err != nil {
			return err
		}
	}
	useTLS := f.tlsSelfSigned || f.tlsCert != ""
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	switch {
	case f.issuer != "":
		cfg.Issuer = f.issuer
	case f.configPath == "" || cfg.Issuer == config.DefaultIssuer:
		cfg.Issuer = issuerFromAddr(ln.Addr().String(), useTLS)
	}
	if f.adminToken != "" {
		cfg.AdminToken = f.adminToken
	}
	if f.mode != "" {
		cfg.Mode = f.mode
	}
	if err := cfg.Validate(); err != nil {
		return err
	}

	store, keys, err := openStore(f.store, f.dataDir, f.redisPrefix, log)
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
	if err := registerESIA(p, cfg); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           p.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
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
	// Back-channel logout deliveries still in flight finish (or are cancelled) before exit.
	if perr := p.Shutdown(shutdownCtx); err == nil {
		err = perr
	}
	return err
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
