package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clearEnv unsets every ESIA_* variable of the test process (but the ESIA_REQUIRE_* switches of
// the test suite) for the duration of the test, so a developer's shell cannot leak into it.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ESIA_") && !strings.HasPrefix(name, "ESIA_REQUIRE_") {
			t.Setenv(name, "")
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServePrecedence: a flag wins over its ESIA_* variable, the variable over the --config
// file, the file over the default.
func TestServePrecedence(t *testing.T) {
	const file = "issuer: https://file.example\nadmin_token: file-token\nmode: test\n"
	type want struct {
		addr, issuer, adminToken, mode, store, dataDir string
		selfSigned                                     bool
		level                                          slog.Level
	}
	defaults := want{addr: "127.0.0.1:8080", store: "bolt", dataDir: ".esia-emulator", level: slog.LevelInfo}
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		file     string // written and passed as --config (or ESIA_CONFIG with configEnv)
		fileEnv  bool
		want     want
		override func(*want)
	}{
		{name: "defaults", want: defaults},
		{name: "empty variables count as unset", env: map[string]string{"ESIA_ADDR": "", "ESIA_STORE": "", "ESIA_LOG_LEVEL": ""}, want: defaults},
		{name: "file over default", file: file, override: func(w *want) {
			w.issuer, w.adminToken, w.mode = "https://file.example", "file-token", "test"
		}},
		{name: "file named by its variable", file: file, fileEnv: true, override: func(w *want) {
			w.issuer, w.adminToken, w.mode = "https://file.example", "file-token", "test"
		}},
		{name: "file's issuer equal to the built-in default follows --addr", file: "issuer: http://127.0.0.1:8080\n", want: defaults},
		{name: "variable over file", file: file,
			env:      map[string]string{"ESIA_ISSUER": "https://env.example", "ESIA_ADMIN_TOKEN": "env-token", "ESIA_MODE": "normal"},
			override: func(w *want) { w.issuer, w.adminToken, w.mode = "https://env.example", "env-token", "normal" }},
		{name: "variable over default",
			env: map[string]string{"ESIA_ADDR": "127.0.0.1:9999", "ESIA_STORE": "memory", "ESIA_DATA_DIR": "/tmp/d", "ESIA_TLS_SELF_SIGNED": "1", "ESIA_LOG_LEVEL": "debug"},
			override: func(w *want) {
				w.addr, w.store, w.dataDir, w.selfSigned, w.level = "127.0.0.1:9999", "memory", "/tmp/d", true, slog.LevelDebug
			}},
		{name: "flag over variable over file", file: file,
			args: []string{"--issuer", "https://flag.example", "--admin-token", "flag-token", "--mode", "test", "--addr", "127.0.0.1:7777", "--tls-self-signed=false", "--log-level", "warn"},
			env:  map[string]string{"ESIA_ISSUER": "https://env.example", "ESIA_ADMIN_TOKEN": "env-token", "ESIA_MODE": "normal", "ESIA_ADDR": "127.0.0.1:9999", "ESIA_TLS_SELF_SIGNED": "true", "ESIA_LOG_LEVEL": "debug"},
			override: func(w *want) {
				w.issuer, w.adminToken, w.mode, w.addr, w.level = "https://flag.example", "flag-token", "test", "127.0.0.1:7777", slog.LevelWarn
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := tc.args
			if tc.file != "" {
				path := writeFile(t, "esia.yaml", tc.file)
				if tc.fileEnv {
					t.Setenv("ESIA_CONFIG", path)
				} else {
					args = append([]string{"--config", path}, args...)
				}
			}
			w := tc.want
			if tc.override != nil {
				w = defaults
				tc.override(&w)
			}
			f, err := parseServeFlags(args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			got := want{addr: f.addr, issuer: f.issuer, adminToken: string(f.adminToken), mode: f.mode,
				store: string(f.store), dataDir: f.dataDir, selfSigned: f.tlsSelfSigned, level: f.logLevel}
			if got != w {
				t.Fatalf("got  %+v\nwant %+v", got, w)
			}
			if tc.file != "" && len(f.cfg.Clients) == 0 {
				t.Fatal("the config file's model was not kept")
			}
		})
	}
}

func TestServeFlagErrors(t *testing.T) {
	clearEnv(t)
	for name, args := range map[string][]string{
		"cert without key":  {"--tls-cert", "c.pem"},
		"missing config":    {"--config", filepath.Join(t.TempDir(), "nope.yaml")},
		"bad log level":     {"--log-level", "loud"},
		"bad log format":    {"--log-format", "xml"},
		"stray argument":    {"extra"},
		"invalid file mode": {"--config", writeFile(t, "bad.yaml", "mode: fast\n")},
	} {
		if _, err := parseServeFlags(args, io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	t.Setenv("ESIA_TLS_SELF_SIGNED", "maybe")
	if _, err := parseServeFlags(nil, io.Discard); err == nil {
		t.Error("ESIA_TLS_SELF_SIGNED=maybe accepted")
	}
}

// TestConformancePrecedence: the same order for the conformance command and its
// ESIA_CONFORMANCE_* variables; "-" clears a default.
func TestConformancePrecedence(t *testing.T) {
	const file = `issuer: https://file.example
client: {id: file-client, secret: file-secret, redirect_uri: https://rp.example/cb}
password: file-password
insecure_skip_verify: true
modules: [oidcc-server, oidcc-rp-initiated-logout]
timeout: 5s
`
	type want struct {
		issuer, clientID, clientSecret, redirectURI, password, secondLogin, modules, timeout string
		insecure                                                                             bool
	}
	defaults := want{issuer: "http://127.0.0.1:8080", clientID: "demo-cabinet", clientSecret: "demo-secret",
		redirectURI: "http://127.0.0.1:9000/callback", password: "Test1234!", secondLogin: "+79990000002", timeout: "30s"}
	fromFile := want{issuer: "https://file.example", clientID: "file-client", clientSecret: "file-secret",
		redirectURI: "https://rp.example/cb", password: "file-password", secondLogin: "+79990000002",
		modules: "oidcc-server,oidcc-rp-initiated-logout", timeout: "5s", insecure: true}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		file    bool
		fileEnv bool
		want    want
	}{
		{name: "defaults", want: defaults},
		{name: "file over default", file: true, want: fromFile},
		{name: "file named by its variable", file: true, fileEnv: true, want: fromFile},
		{name: "variable over file", file: true,
			env: map[string]string{"ESIA_CONFORMANCE_ISSUER": "https://env.example", "ESIA_CONFORMANCE_CLIENT_SECRET": "env-secret",
				"ESIA_CONFORMANCE_INSECURE_SKIP_VERIFY": "false", "ESIA_CONFORMANCE_MODULES": "oidcc-server"},
			want: func() want {
				w := fromFile
				w.issuer, w.clientSecret, w.insecure, w.modules = "https://env.example", "env-secret", false, "oidcc-server"
				return w
			}()},
		{name: "variable clears a default with -", env: map[string]string{"ESIA_CONFORMANCE_SECOND_LOGIN": "-", "ESIA_CONFORMANCE_PASSWORD": ""},
			want: func() want { w := defaults; w.secondLogin = ""; return w }()},
		{name: "flag over variable over file", file: true,
			args: []string{"--issuer", "https://flag.example", "--client-secret", "flag-secret", "--insecure-skip-verify=false", "--password", "flag-password"},
			env:  map[string]string{"ESIA_CONFORMANCE_ISSUER": "https://env.example", "ESIA_CONFORMANCE_CLIENT_SECRET": "env-secret", "ESIA_CONFORMANCE_INSECURE_SKIP_VERIFY": "1"},
			want: func() want {
				w := fromFile
				w.issuer, w.clientSecret, w.insecure, w.password = "https://flag.example", "flag-secret", false, "flag-password"
				return w
			}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := tc.args
			if tc.file {
				path := writeFile(t, "conformance.yaml", file)
				if tc.fileEnv {
					t.Setenv("ESIA_CONFORMANCE_CONFIG", path)
				} else {
					args = append([]string{"--config", path}, args...)
				}
			}
			s, err := parseConformanceFlags(args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			got := want{issuer: s.issuer, clientID: s.clientID, clientSecret: s.clientSecret, redirectURI: s.redirectURI,
				password: s.password, secondLogin: s.secondLogin, modules: s.modules, timeout: s.timeout, insecure: s.insecure}
			if got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestConformanceFileUnknownField(t *testing.T) {
	clearEnv(t)
	path := writeFile(t, "c.yaml", "issuer: https://op.example\nclient_id: oops\n")
	if _, err := parseConformanceFlags([]string{"--config", path}, io.Discard); err == nil {
		t.Fatal("unknown field accepted")
	}
}

// TestHelpHidesSecrets: -h of both commands never shows a secret, whether it comes from the
// environment or is a built-in default.
func TestHelpHidesSecrets(t *testing.T) {
	clearEnv(t)
	secrets := map[string]string{
		"ESIA_ADMIN_TOKEN":                      "secret-value",
		"ESIA_STORE":                            "redis://user:redis-password@127.0.0.1:6379/0",
		"ESIA_REDIS_PREFIX":                     "{esia}:",
		"ESIA_CONFORMANCE_CLIENT_SECRET":        "conformance-client-secret",
		"ESIA_CONFORMANCE_POST_CLIENT_SECRET":   "conformance-post-secret",
		"ESIA_CONFORMANCE_PASSWORD":             "conformance-password",
		"ESIA_CONFORMANCE_SECOND_PASSWORD":      "conformance-second-password",
		"ESIA_CONFIG":                           writeFile(t, "esia.yaml", "admin_token: file-admin-token\n"),
		"ESIA_CONFORMANCE_INSECURE_SKIP_VERIFY": "true",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	for _, cmd := range []string{"serve", "conformance"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{cmd, "-h"}, &out, &out); err != nil {
			t.Fatalf("%s -h: %v", cmd, err)
		}
		help := out.String()
		if !strings.Contains(help, "-admin-token") && !strings.Contains(help, "-client-secret") {
			t.Fatalf("%s -h printed no flags:\n%s", cmd, help)
		}
		for _, leak := range []string{"secret-value", "redis-password", "file-admin-token", "conformance-client-secret",
			"conformance-post-secret", "conformance-password", "conformance-second-password", "demo-secret", "Test1234!"} {
			if strings.Contains(help, leak) {
				t.Errorf("%s -h shows %q:\n%s", cmd, leak, help)
			}
		}
	}
}

// TestStoreErrorsHideRedisPasswords: error messages (printed and logged) mask a Redis password,
// also in a URL too malformed to parse.
func TestStoreErrorsHideRedisPasswords(t *testing.T) {
	clearEnv(t)
	for _, store := range []string{"redis:/user:redis-password@127.0.0.1:6379", "redis://user:redis-password@127.0.0.1:notaport"} {
		t.Setenv("ESIA_STORE", store)
		var out bytes.Buffer
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}, &out, &out)
		if err == nil {
			t.Fatalf("%s accepted", store)
		}
		if strings.Contains(err.Error()+out.String(), "redis-password") {
			t.Errorf("password shown: %v\n%s", err, out.String())
		}
	}
}

// TestEngineLogsGoThroughServeLogger: the OIDC engine's own lines (zitadel/oidc logs a refused
// token request at WARN through slog's default logger) come out in serve's format and obey
// --log-level.
func TestEngineLogsGoThroughServeLogger(t *testing.T) {
	clearEnv(t)
	for _, tc := range []struct {
		level string
		shown bool
	}{{"warn", true}, {"error", false}} {
		t.Run(tc.level, func(t *testing.T) {
			var stderr lockedBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store", "memory", "--data-dir", t.TempDir(),
					"--log-level", tc.level}, pw, &stderr)
				pw.Close()
			}()
			issuer := ""
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "issuer"); ok {
					issuer = strings.TrimSpace(v)
					break
				}
			}
			go io.Copy(io.Discard, pr)
			if issuer == "" {
				t.Fatalf("no issuer in the banner; stderr:\n%s", stderr.String())
			}
			resp, err := http.PostForm(issuer+"/oauth/token", url.Values{"grant_type": {"bogus"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("token: %s", resp.Status)
			}
			// serve returns after Shutdown, that is after every handler (and its log line) finished.
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			const line = `level=WARN msg="request error" oidc_error.description="bogus not supported"`
			if got := strings.Contains(stderr.String(), line); got != tc.shown {
				t.Fatalf("--log-level %s: engine line shown %v, want %v; stderr:\n%s", tc.level, got, tc.shown, stderr.String())
			}
		})
	}
}
