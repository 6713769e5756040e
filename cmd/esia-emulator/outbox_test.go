package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveFor runs the serve command with args and returns its issuer; it stops with the test.
func serveFor(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--data-dir", t.TempDir(), "--store", "memory"}, args...), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	sc := bufio.NewScanner(pr)
	var issuer string
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
	return issuer
}

// Issue 13 item 6: without an outbox setting the page is public on loopback only; listening
// on every interface it needs the admin token. The setting wins either way.
func TestOutboxDefaultFollowsTheListenAddress(t *testing.T) {
	clearEnv(t)
	t.Setenv("ESIA_LOG_LEVEL", "error")
	t.Setenv("ESIA_ADMIN_TOKEN", "cmd-admin-token")
	client := &http.Client{Timeout: 5 * time.Second}
	status := func(issuer string) int {
		t.Helper()
		resp, err := client.Get(issuer + "/outbox")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(serveFor(t, "--addr", "127.0.0.1:0")); got != http.StatusOK {
		t.Errorf("loopback: /outbox %d, want 200", got)
	}
	if got := status(serveFor(t, "--addr", "0.0.0.0:0")); got != http.StatusUnauthorized {
		t.Errorf("every interface: /outbox %d, want 401", got)
	}
	cfg := writeFile(t, "outbox.yaml", "outbox: public\n")
	if got := status(serveFor(t, "--addr", "0.0.0.0:0", "--config", cfg)); got != http.StatusOK {
		t.Errorf("every interface with outbox: public: /outbox %d, want 200", got)
	}
}
