package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/peterbourgon/ff/v3"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage/redis"
)

// serveFlags are the serve command's settings after flags, environment and config file.
type serveFlags struct {
	addr, issuer, configPath, dataDir string
	redisPrefix, mode                 string
	tlsCert, tlsKey                   string
	tlsSelfSigned                     bool
	store                             storeURL
	adminToken                        secret
	logLevel                          slog.Level
	logFormat, metricsAddr            string
	// cfg is the --config file merged with the built-ins, or config.Default() without one.
	// Its issuer, admin_token and mode were fed to ff as the lowest-priority layer above the
	// defaults; serve writes the winners back into it.
	cfg *config.Config
}

const serveUsage = `usage: esia-emulator serve [flags]

Runs the provider. Every flag has an ESIA_* variable (--data-dir: ESIA_DATA_DIR); a flag wins
over its variable, a variable over the --config file, the file over the default. Secret values
(the admin token, a Redis password) are never shown here.

flags:`

// parseServeFlags reads the serve command's flags, then ESIA_* variables for the flags not
// given, then the --config file (issuer, admin_token and mode) for the ones still unset. -h
// prints the built-in defaults only, never a value from the environment or the file.
func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	f := serveFlags{store: "bolt", logLevel: slog.LevelInfo, logFormat: "text"}
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, serveUsage)
		fl.PrintDefaults()
	}
	env := func(name string) string { return " (" + envVar(serveEnvPrefix, name) + ")" }
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address"+env("addr"))
	fl.StringVar(&f.issuer, "issuer", "", "issuer URL; default from the config file, else http(s)://<addr>"+env("issuer"))
	fl.StringVar(&f.configPath, "config", "", "YAML config file"+env("config"))
	fl.Var(&f.store, "store", "store `backend`: bolt (durable, <data-dir>/esia.db), memory (lost on exit), or a redis:// / rediss:// URL shared by replicas"+env("store"))
	fl.StringVar(&f.redisPrefix, "redis-prefix", "", "key prefix in Redis, kept inside a Cluster hash tag; default {esia}:"+env("redis-prefix"))
	fl.StringVar(&f.dataDir, "data-dir", ".esia-emulator", "directory for keys, certificates and the durable store"+env("data-dir"))
	fl.Var(&f.adminToken, "admin-token", "enables /admin/api/ with this Bearer `token`"+env("admin-token"))
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate PEM file"+env("tls-cert"))
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key PEM file"+env("tls-key"))
	fl.BoolVar(&f.tlsSelfSigned, "tls-self-signed", false, "serve https with a self-signed certificate kept in the data dir"+env("tls-self-signed"))
	fl.StringVar(&f.mode, "mode", "", "test: turn on the test conveniences (time travel, reset, faults, persona picker, …); default from the config file"+env("mode"))
	fl.TextVar(&f.logLevel, "log-level", slog.LevelInfo, "log `level`: debug, info, warn or error"+env("log-level"))
	fl.StringVar(&f.logFormat, "log-format", "text", "log `format`: text (logfmt) or json (one object a line, for a log shipper)"+env("log-format"))
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "also serve Prometheus /metrics on this `address`, without the admin token (the main address serves it behind the token)"+env("metrics-addr"))

	f.cfg = config.Default()
	err := ff.Parse(fl, args,
		ff.WithEnvVarPrefix(serveEnvPrefix),
		ff.WithConfigFileFlag("config"),
		ff.WithConfigFileParser(serveConfigFile(&f.cfg)),
	)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = fmt.Errorf("config: %w", err)
		}
		return f, err
	}
	if fl.NArg() > 0 {
		return f, fmt.Errorf("serve: unexpected arguments %q", fl.Args())
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return f, fmt.Errorf("--log-format %q: want text or json", f.logFormat)
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return f, errors.New("--tls-cert and --tls-key go together")
	}
	return f, nil
}

const serveEnvPrefix = "ESIA"

// serveConfigFile parses the provider's YAML config file once: it keeps the whole model in *cfg
// and hands ff the three settings that also have flags, so ff applies "flag > variable > file".
// An issuer equal to the built-in default counts as unset (the issuer then follows --addr).
func serveConfigFile(cfg **config.Config) ff.ConfigFileParser {
	return func(r io.Reader, set func(name, value string) error) error {
		b, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		c, err := config.Parse(b)
		if err != nil {
			return err
		}
		*cfg = c
		issuer := c.Issuer
		if issuer == config.DefaultIssuer {
			issuer = ""
		}
		for _, kv := range [][2]string{{"issuer", issuer}, {"admin-token", c.AdminToken}, {"mode", c.Mode}} {
			if kv[1] == "" {
				continue
			}
			if err := set(kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	}
}

// envVar is the variable ff reads for a flag: ("ESIA", "data-dir") → ESIA_DATA_DIR.
func envVar(prefix, flagName string) string {
	return prefix + "_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// secret is a string flag that never shows its value: help and anything printing the flag
// see "(set)" or nothing.
type secret string

func (s *secret) Set(v string) error { *s = secret(v); return nil }

func (s secret) String() string {
	if s == "" {
		return ""
	}
	return "(set)"
}

// storeURL is the --store flag; it shows a Redis URL with its password masked, and masks
// everything before an "@" that a malformed URL leaves.
type storeURL string

func (s *storeURL) Set(v string) error { *s = storeURL(v); return nil }

func (s storeURL) String() string {
	r := redis.Redact(string(s))
	if i := strings.LastIndex(r, "@"); i >= 0 && !strings.Contains(r[:i], "xxxxx") {
		r = "xxxxx" + r[i:]
	}
	return r
}
