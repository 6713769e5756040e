package redistest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long Start waits for the server to answer PING.
const startTimeout = 15 * time.Second

// Server is a running (or stopped) redis-server.
type Server struct {
	Addr string // 127.0.0.1:port
	Dir  string // working directory: AOF and RDB files

	bin  string
	args []string

	mu     sync.Mutex
	proc   *os.Process // nil while stopped
	exited chan struct{}
	out    *syncBuffer
}

// Binary returns the path of redis-server, skipping the test when it is missing (failing it
// when ESIA_REQUIRE_REDIS=1).
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("ESIA_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis-server not found on PATH and ESIA_REQUIRE_REDIS=1: run `bash .ci/install-deps` (or `make test`)")
		}
		t.Skip("redis-server not found on PATH; install it (bash .ci/install-deps) or set ESIA_REQUIRE_REDIS=1 to fail instead of skipping")
	}
	return bin
}

// Start runs redis-server without persistence (--save "", --appendonly no) plus the extra
// configuration arguments, for example "--appendonly", "yes", "--appendfsync", "always". It
// waits until the server answers PING and stops it when the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	return launch(t, func(s *Server, port string) []string {
		return append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", s.Dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""}, extra...)
	})
}

// launch starts redis-server with the arguments args gives for a free port, retrying with
// another port if it fails, and stops it when the test ends.
func launch(t testing.TB, args func(s *Server, port string) []string) *Server {
	t.Helper()
	s := &Server{bin: Binary(t), Dir: t.TempDir()}
	var err error
	for range 3 { // the free port may be taken by someone else in between
		var port int
		if port, err = freePort(); err != nil {
			break
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		s.args = args(s, strconv.Itoa(port))
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartCluster runs a one-node Redis Cluster that owns all 16384 slots; its store URL is
// redis://Addr?cluster=true. Redis refuses multi-key commands across slots even on one node
// (CROSSSLOT), so it checks that a store keeps its keys in one hash slot.
func StartCluster(t testing.TB) *Server {
	t.Helper()
	s := Start(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	if _, err := Command(s.Addr, "CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil {
		// Redis before 7.0: every slot by name.
		args := []string{"CLUSTER", "ADDSLOTS"}
		for i := range 16384 {
			args = append(args, strconv.Itoa(i))
		}
		if _, err := Command(s.Addr, args...); err != nil {
			t.Fatalf("redistest: assign cluster slots: %v", err)
		}
	}
	deadline := time.Now().Add(startTimeout)
	for {
		info, err := Command(s.Addr, "CLUSTER", "INFO")
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: cluster not ok within %s: %v %s", startTimeout, err, info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SentinelMaster is the master name StartSentinel monitors.
const SentinelMaster = "mymaster"

// StartSentinel runs a Sentinel monitoring master as SentinelMaster; the store URL is
// redis://<sentinel Addr>?master_name=mymaster.
func StartSentinel(t testing.TB, master *Server) *Server {
	t.Helper()
	return launch(t, func(s *Server, port string) []string {
		conf := filepath.Join(s.Dir, "sentinel.conf")
		host, mport, _ := net.SplitHostPort(master.Addr)
		text := fmt.Sprintf("port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor %s %s %s 1\n",
			port, s.Dir, SentinelMaster, host, mport)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return []string{conf, "--sentinel"}
	})
}

// Command sends one command over a fresh connection and returns the reply as text (an error
// reply as an error).
func Command(addr string, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write(b.Bytes()); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case line == "":
		return "", fmt.Errorf("empty reply")
	case line[0] == '-':
		return "", fmt.Errorf("%s", line[1:])
	case line[0] == '$' || line[0] == '=' || line[0] == '!':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return line[1:], nil
}

// URL is redis://Addr, optionally with a db number.
func (s *Server) URL(db ...int) string {
	if len(db) > 0 {
		return fmt.Sprintf("redis://%s/%d", s.Addr, db[0])
	}
	return "redis://" + s.Addr
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return nil
	}
	s.out = &syncBuffer{}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = s.Dir, s.out, s.out
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	deadline := time.Now().Add(startTimeout)
	for Ping(s.Addr) != nil {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited (%v) before answering PING:\n%s", waitErr, s.out.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("redis-server did not answer PING within %s:\n%s", startTimeout, s.out.String())
		}
	}
	s.proc, s.exited = cmd.Process, exited
	return nil
}

// Stop shuts the server down (SIGTERM, then SIGKILL after 5 s) and waits for it to exit.
// Stopping a stopped server does nothing.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill ends the server with SIGKILL, as a crash would, and waits for it to exit.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	_ = s.proc.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = s.proc.Kill()
		<-s.exited
	}
	s.proc = nil
}

// Restart starts a stopped server again on the same port and directory (an AOF file there is
// loaded) and waits until it answers PING.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("redistest: restart: %v", err)
	}
}

// Log is what the server printed so far (since its last start).
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// Ping sends PING over a fresh connection and wants PONG (not, say, LOADING).
func Ping(addr string) error {
	reply, err := Command(addr, "PING")
	if err == nil && reply != "PONG" {
		err = fmt.Errorf("PING: %q", reply)
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var prefixes atomic.Int64

// Prefix returns a key prefix (with a Cluster hash tag) unique in this process, so tests
// sharing a server do not see each other's keys.
func Prefix(t testing.TB) string {
	name := strings.NewReplacer("/", "-", " ", "_", "{", "", "}", "").Replace(t.Name())
	return fmt.Sprintf("{test-%d-%s}:", prefixes.Add(1), name)
}

// syncBuffer is a bytes.Buffer safe for the process's writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
