package main

// Helpers of the tests that run the real binary as separate processes (replicas, durability,
// outage): build it once, start it on a free port, read its issuer from the banner, kill it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

const (
	testAdminToken = "test-admin-token"
	startupTimeout = 60 * time.Second
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// emulatorBinary builds ./cmd/esia-emulator once per test process.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "esia-emulator-bin-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "esia-emulator")
		goCmd, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("the go command is needed to build the binary: %w", err)
			return
		}
		args := []string{"build", "-buildvcs=false", "-o", binPath}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command(goCmd, append(args, ".")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// testConfig writes a config file with the cheap password preset, so starts are fast.
func testConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("password:\n  preset: test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// emulator is one running esia-emulator process.
type emulator struct {
	t       *testing.T
	name    string
	issuer  string
	issuerc chan string
	cmd     *exec.Cmd
	exited  chan struct{}
	stderr  *lockedBuffer
}

// startEmulator runs `esia-emulator serve` on a free loopback port with the admin token, the
// test config and the given extra flags (--store, --data-dir, --redis-prefix), and waits for
// its banner. The process is killed when the test ends.
func startEmulator(t *testing.T, name string, flags ...string) *emulator {
	t.Helper()
	e := launch(t, name, flags...)
	e.await()
	return e
}

// launch starts the process without waiting for it; await waits for its banner. Launching
// several before awaiting any starts them together.
func launch(t *testing.T, name string, flags ...string) *emulator {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--admin-token", testAdminToken,
		"--config", testConfig(t), "--log-level", "warn"}, flags...)
	cmd := exec.Command(emulatorBinary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ESIA_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	setPdeathsig(cmd)
	e := &emulator{t: t, name: name, cmd: cmd, exited: make(chan struct{}), stderr: &lockedBuffer{}}
	cmd.Stderr = e.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.issuerc = make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "issuer"); ok {
				select {
				case e.issuerc <- strings.TrimSpace(v):
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		cmd.Wait()
		close(e.exited)
	}()
	t.Cleanup(e.stop)
	return e
}

func (e *emulator) await() {
	e.t.Helper()
	select {
	case e.issuer = <-e.issuerc:
	case <-e.exited:
		e.t.Fatalf("%s exited before its banner:\n%s", e.name, e.stderr)
	case <-time.After(startupTimeout):
		e.kill()
		e.t.Fatalf("%s printed no banner within %s:\n%s", e.name, startupTimeout, e.stderr)
	}
}

// stop kills the process at the end of the test and fails the test if the race detector
// reported anything in it.
func (e *emulator) stop() {
	e.kill()
	if log := e.stderr.String(); strings.Contains(log, "WARNING: DATA RACE") {
		e.t.Errorf("%s: data race:\n%s", e.name, log)
	}
}

// kill ends the process with SIGKILL, as a crash or an OOM kill would, and waits for it.
func (e *emulator) kill() {
	if e.cmd.Process == nil {
		return
	}
	select {
	case <-e.exited:
		return
	default:
	}
	_ = e.cmd.Process.Signal(syscall.SIGKILL)
	<-e.exited
}

// alive reports whether the process is still running.
func (e *emulator) alive() bool {
	select {
	case <-e.exited:
		return false
	default:
		return true
	}
}

// httpClient has a timeout so that a hung server fails the test instead of hanging it.
var httpClient = &http.Client{Timeout: 15 * time.Second}

// admin sends an admin API request and decodes the JSON answer into out (when not nil).
func (e *emulator) admin(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.issuer+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	return resp.StatusCode, nil
}

// get fetches a URL of the emulator and returns the status and body.
func (e *emulator) get(path string) (int, string) {
	e.t.Helper()
	resp, err := httpClient.Get(e.issuer + path)
	if err != nil {
		e.t.Fatalf("GET %s%s: %v", e.issuer, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// lockedBuffer collects a process's stderr for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
