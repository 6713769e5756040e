package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestJSONLogsAndMetricsAddr: --log-format json writes one JSON object a line, each line of a
// request carrying its request id (the X-Request-Id answered); --metrics-addr serves /metrics
// without the admin token, while the main address wants it.
func TestJSONLogsAndMetricsAddr(t *testing.T) {
	clearEnv(t)
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--store", "memory", "--data-dir", t.TempDir(),
			"--log-format", "json", "--metrics-addr", "127.0.0.1:0", "--admin-token", "tok"}, pw, &stderr)
		pw.Close()
	}()
	issuer, metricsURL := "", ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() && (issuer == "" || metricsURL == "") {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "issuer"); ok {
			issuer = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "metrics"); ok {
			metricsURL = strings.TrimSpace(v)
		}
	}
	go io.Copy(io.Discard, pr)
	if issuer == "" || metricsURL == "" {
		t.Fatalf("banner without issuer or metrics (%q, %q); stderr:\n%s", issuer, metricsURL, stderr.String())
	}
	resp, err := http.PostForm(issuer+"/oauth/token", url.Values{"grant_type": {"bogus"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusBadRequest || id == "" {
		t.Fatalf("token: %s, X-Request-Id %q", resp.Status, id)
	}
	for _, c := range []struct {
		url  string
		want int
	}{{issuer + "/metrics", http.StatusUnauthorized}, {metricsURL, http.StatusOK}} {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Fatalf("GET %s: %s, want %d", c.url, resp.Status, c.want)
		}
		if c.want == http.StatusOK && !strings.Contains(string(b), `esia_http_request_duration_seconds_count{code="400",method="POST",route="/oauth/token"} 1`) {
			t.Errorf("metrics without the token request:\n%s", b)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if rec["request_id"] == id {
			lines++
		}
	}
	// The engine's "request error" and the request's own line.
	if lines < 2 {
		t.Errorf("%d lines of request %s, want the engine's and the request's; stderr:\n%s", lines, id, stderr.String())
	}
}
