package realclients_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// chromiumPath is Debian's chromium; test tools may not download their own browsers here.
const chromiumPath = "/usr/bin/chromium"

// The persona every journey logs in as (README: the "confirmed" persona).
const (
	personaLogin    = "+79990000003"
	personaPassword = "Test1234!"
	personaName     = "Иванова Мария Ивановна"
	personaOID      = "1000000003"
)

// required reports whether missing tools must fail the test instead of skipping it.
func required() bool {
	ci := os.Getenv("CI")
	return os.Getenv("ESIA_REQUIRE_BROWSER") == "1" || (ci != "" && ci != "0" && ci != "false")
}

// nodeDir is the folder holding the scripts, package.json and the lock file.
func nodeDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("node")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// needTools skips (or, when required, fails) the test unless node, the npm packages and, with
// browser, chromium are installed.
func needTools(t *testing.T, browser bool) {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node (not on PATH)")
	}
	mods := filepath.Join(nodeDir(t), "node_modules")
	for _, pkg := range []string{"openid-client", "playwright-core"} {
		if _, err := os.Stat(filepath.Join(mods, pkg, "package.json")); err != nil {
			missing = append(missing, "npm package "+pkg+" (no "+filepath.Join(mods, pkg)+")")
		}
	}
	if browser {
		if _, err := os.Stat(chromiumPath); err != nil {
			missing = append(missing, "chromium ("+chromiumPath+")")
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "missing " + strings.Join(missing, ", ") + "; run `bash .ci/install-deps` (make test does)"
	if required() {
		t.Fatal(msg + " — ESIA_REQUIRE_BROWSER=1 or CI is set, so this is a failure, not a skip")
	}
	t.Skip(msg)
}

// artifactsDir is test-artifacts/ at the repository root (gitignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "test-artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// syncBuffer collects the provider's log lines for failure reports.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hit is one request the emulator answered.
type hit struct {
	Method, Path string
	Status       int
	BasicAuth    bool // an Authorization: Basic header was sent
}

// emulator is the provider served on a loopback httptest server; the issuer is the server URL.
type emulator struct {
	issuer string
	srv    *httptest.Server
	logs   *syncBuffer
	mu     sync.Mutex
	hits   []hit
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (Flush for the QR page's event
// stream, deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// startEmulator serves the provider with the built-in clients and personas, the cheap password
// preset and the config changes in mutate.
func startEmulator(t *testing.T, mutate ...func(*config.Config)) *emulator {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	e := &emulator{issuer: "http://" + srv.Listener.Addr().String(), srv: srv, logs: &syncBuffer{}}
	cfg := config.Default()
	cfg.Issuer = e.issuer
	cfg.Password.Preset = "test"
	// The journeys read codes from the outbox page in a second tab, as a developer does on a
	// laptop (where the page is public on loopback).
	cfg.Outbox = config.OutboxPublic
	for _, m := range mutate {
		m(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := provider.New(ctx, provider.Options{Config: cfg, Store: memory.New(),
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Handler()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		e.mu.Lock()
		e.hits = append(e.hits, hit{Method: r.Method, Path: r.URL.Path, Status: rec.status,
			BasicAuth: strings.HasPrefix(r.Header.Get("Authorization"), "Basic ")})
		e.mu.Unlock()
	})
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emulator requests:\n%s\nemulator log:\n%s", e.requestLog(), e.logs.String())
		}
	})
	return e
}

// requested returns the requests made to path.
func (e *emulator) requested(path string) []hit {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []hit
	for _, h := range e.hits {
		if h.Path == path {
			out = append(out, h)
		}
	}
	return out
}

func (e *emulator) requestLog() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, h := range e.hits {
		fmt.Fprintf(&b, "  %s %s -> %d basic=%v\n", h.Method, h.Path, h.Status, h.BasicAuth)
	}
	return b.String()
}

// runNode runs `node script args…` in the node folder with a deadline and returns its stdout
// parsed as JSON into out. The whole process group is signalled when the deadline passes or the
// test ends, so no browser outlives the test.
func runNode(t *testing.T, timeout time.Duration, out any, script string, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = nodeDir(t)
	cmd.Env = append(os.Environ(), "NODE_NO_WARNINGS=1", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ownProcessGroup(cmd)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	t.Logf("node %s: %v in %s", script, exitText(err), time.Since(start).Round(time.Millisecond))
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (deadline %s)", err, timeout)
		}
		return fmt.Errorf("node %s: %w\nstderr:\n%s\nstdout:\n%s", script, err, stderr.String(), stdout.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Logf("node %s stderr:\n%s", script, s)
	}
	if err := json.Unmarshal(lastLine(stdout.Bytes()), out); err != nil {
		return fmt.Errorf("node %s: output is not JSON: %v\n%s", script, err, stdout.String())
	}
	return nil
}

func exitText(err error) string {
	if err == nil {
		return "ok"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.String()
	}
	return err.Error()
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
