package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIssuerFromAddr(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:8080":   "http://127.0.0.1:8080",
		"[::]:9000":      "http://127.0.0.1:9000",
		"localhost:80":   "http://localhost:80",
	} {
		if got := issuerFromAddr(addr, false); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
	if got := issuerFromAddr("127.0.0.1:8443", true); got != "https://127.0.0.1:8443" {
		t.Errorf("tls: %s", got)
	}
}

func TestUnknownCommandAndStore(t *testing.T) {
	if err := run(context.Background(), []string{"frobnicate"}, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
	clearEnv(t)
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--store", "nosuch", "--data-dir", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("unknown store: %v", err)
	}
}

// TestServeStartsAndStops runs the real command: it prints the banner with the issuer, serves
// discovery with that issuer, and shuts down when its context ends.
func TestServeStartsAndStops(t *testing.T) {
	clearEnv(t)
	t.Setenv("ESIA_LOG_LEVEL", "error")
	for _, tls := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()}
		if tls {
			args = append(args, "--tls-self-signed")
		}
		go func() {
			done <- run(ctx, args, pw, io.Discard)
			pw.Close()
		}()
		var issuer string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "issuer"); ok {
				issuer = strings.TrimSpace(v)
				break
			}
		}
		go io.Copy(io.Discard, pr)
		if issuer == "" {
			t.Fatal("no issuer in the banner")
		}
		if tls != strings.HasPrefix(issuer, "https://") {
			t.Fatalf("tls=%v issuer %s", tls, issuer)
		}
		client := &http.Client{Timeout: 5 * time.Second}
		if tls {
			client.Transport = insecureTransport()
		}
		resp, err := client.Get(issuer + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Issuer string }
		_ = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if d.Issuer != issuer {
			t.Fatalf("discovery issuer %q, banner %q", d.Issuer, issuer)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve returned %v", err)
		}
	}
}

// TestBannerShowsOnlyDemoSecrets (issue 13 item 15): serve's banner prints the secrets of the
// built-in demo clients (which the README publishes) and never a configured client's secret,
// nor a built-in id given a secret of its own.
func TestBannerShowsOnlyDemoSecrets(t *testing.T) {
	clearEnv(t)
	t.Setenv("ESIA_LOG_LEVEL", "error")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "esia.yaml")
	if err := os.WriteFile(cfgPath, []byte(`
clients:
  - {id: real-cabinet, secret: real-cabinet-s3cret, redirect_uris: ["http://127.0.0.1:9100/cb"]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	banner := func(args ...string) string {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--store", "memory", "--data-dir", dir}, args...), pw, io.Discard)
			pw.Close()
		}()
		var out strings.Builder
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "personas") {
				break
			}
		}
		go io.Copy(io.Discard, pr)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve: %v", err)
		}
		return out.String()
	}
	got := banner("--config", cfgPath)
	if strings.Contains(got, "real-cabinet-s3cret") || !strings.Contains(got, "real-cabinet") {
		t.Fatalf("banner shows a configured secret:\n%s", got)
	}
	if !strings.Contains(got, "secret demo-secret") {
		t.Fatalf("banner lost the demo client's secret:\n%s", got)
	}
	if err := os.WriteFile(cfgPath, []byte(`
builtin_clients: false
clients:
  - {id: demo-cabinet, secret: changed-s3cret, redirect_uris: ["http://127.0.0.1:9000/callback"]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := banner("--config", cfgPath); strings.Contains(got, "changed-s3cret") {
		t.Fatalf("banner shows the secret given to a built-in id:\n%s", got)
	}
}

// TestServeRefusesAOneDigitCode (issue 13 item 16): serve does not start with a code length a
// visitor guesses within the tries, and says why.
func TestServeRefusesAOneDigitCode(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "esia.yaml")
	if err := os.WriteFile(cfgPath, []byte("second_factor: {code_length: 1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A serve that starts anyway is stopped after a while, so the test fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store", "memory", "--data-dir", dir, "--config", cfgPath}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "second_factor.code_length 1: want 4 to 10 digits") {
		t.Fatalf("serve with code_length 1: %v", err)
	}
}
