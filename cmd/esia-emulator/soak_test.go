//go:build soak

package main

// The soak driver (make soak): it starts the built binary (or $ESIA_SOAK_BIN, e.g. an older
// build to compare) with the default argon2id parameters and a bolt store, drives the
// resource cases of a hostile visitor against it and prints, per phase, the process's peak
// RSS, open file descriptors, temp-dir bytes and store size. Every loop is bounded; it stops
// by itself. Sizes can be reduced with $SOAK_PASSWORD_POSTS and $SOAK_AUDIT_EVENTS.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
)

type soakSample struct {
	rssKiB, hwmKiB int64
	fds            int
	tmpBytes       int64
	storeBytes     int64
}

type soakProcess struct {
	pid        int
	tmp, store string
	mu         sync.Mutex
	peak       soakSample
	stop, done chan struct{}
}

func procStatusKiB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func soakDirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func (p *soakProcess) sample() soakSample {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.pid))
	var store int64
	if fi, err := os.Stat(p.store); err == nil {
		store = fi.Size()
	}
	return soakSample{rssKiB: procStatusKiB(p.pid, "VmRSS"), hwmKiB: procStatusKiB(p.pid, "VmHWM"), fds: len(ents),
		tmpBytes: soakDirBytes(p.tmp), storeBytes: store}
}

// sampler records the peaks every 50 ms (a measurement, not a synchronisation).
func (p *soakProcess) sampler() {
	defer close(p.done)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		s := p.sample()
		p.mu.Lock()
		p.peak.rssKiB = max(p.peak.rssKiB, s.rssKiB)
		p.peak.hwmKiB = max(p.peak.hwmKiB, s.hwmKiB)
		p.peak.fds = max(p.peak.fds, s.fds)
		p.peak.tmpBytes = max(p.peak.tmpBytes, s.tmpBytes)
		p.peak.storeBytes = max(p.peak.storeBytes, s.storeBytes)
		p.mu.Unlock()
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// phasePeak returns the peaks since the last call and starts new ones.
func (p *soakProcess) phasePeak() soakSample {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.peak
	p.peak = soakSample{}
	return s
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// slowReader is a lazily generated multipart body of size bytes.
type lazyBody struct {
	head       string
	size, sent int64
}

func (l *lazyBody) Read(b []byte) (int, error) {
	if l.sent >= l.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(b) && l.sent < l.size {
		if l.sent < int64(len(l.head)) {
			b[n] = l.head[l.sent]
		} else {
			b[n] = 'x'
		}
		n++
		l.sent++
	}
	return n, nil
}

func TestSoak(t *testing.T) {
	bin := os.Getenv("ESIA_SOAK_BIN")
	if bin == "" {
		bin = emulatorBinary(t)
	}
	dir := t.TempDir()
	tmp, data := filepath.Join(dir, "tmp"), filepath.Join(dir, "data")
	for _, d := range []string{tmp, data} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte("password:\n  preset: default\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--admin-token", testAdminToken, "--config", cfgPath,
		"--store", "bolt", "--data-dir", data, "--log-level", "error")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ESIA_") && !strings.HasPrefix(kv, "TMPDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	setPdeathsig(cmd)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	issuerc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "issuer"); ok {
				select {
				case issuerc <- strings.TrimSpace(v):
				default:
				}
			}
		}
	}()
	var issuer string
	select {
	case issuer = <-issuerc:
	case <-time.After(startupTimeout):
		t.Fatal("no banner")
	}
	p := &soakProcess{pid: cmd.Process.Pid, tmp: tmp, store: filepath.Join(data, "esia.db"), stop: make(chan struct{}), done: make(chan struct{})}
	go p.sampler()
	defer func() { close(p.stop); <-p.done }()
	base := p.sample()
	report := []string{fmt.Sprintf("%-34s %10s %10s %6s %12s %12s  %s", "phase", "peak RSS", "VmHWM", "fds", "temp bytes", "store bytes", "outcome"),
		fmt.Sprintf("%-34s %9dM %9dM %6d %12d %12d", "started", base.rssKiB>>10, base.hwmKiB>>10, base.fds, base.tmpBytes, base.storeBytes)}
	line := func(name, outcome string) {
		s := p.phasePeak()
		cur := p.sample() // a phase shorter than one sampling period still counts
		s.rssKiB, s.hwmKiB, s.fds = max(s.rssKiB, cur.rssKiB), max(s.hwmKiB, cur.hwmKiB), max(s.fds, cur.fds)
		s.tmpBytes, s.storeBytes = max(s.tmpBytes, cur.tmpBytes), max(s.storeBytes, cur.storeBytes)
		report = append(report, fmt.Sprintf("%-34s %9dM %9dM %6d %12d %12d  %s (now: %dM RSS, %d fds)", name, s.rssKiB>>10, s.hwmKiB>>10, s.fds, s.tmpBytes, s.storeBytes, outcome, cur.rssKiB>>10, cur.fds))
	}
	client := &http.Client{Timeout: 120 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cab := config.BuiltinClients()[0]
	statuses := func(m *sync.Map) string {
		var parts []string
		m.Range(func(k, v any) bool {
			parts = append(parts, fmt.Sprintf("%v×%d", k, v.(*atomic.Int64).Load()))
			return true
		})
		sort.Strings(parts)
		return strings.Join(parts, " ")
	}
	count := func(m *sync.Map, k any) { v, _ := m.LoadOrStore(k, new(atomic.Int64)); v.(*atomic.Int64).Add(1) }
	parallel := func(n, workers int, fn func(i int)) {
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					fn(i)
				}
			}()
		}
		wg.Wait()
	}

	// 1. /authorize with a 9 MB state, 60 times.
	{
		var st sync.Map
		state := strings.Repeat("s", 9<<20)
		parallel(60, 4, func(int) {
			form := url.Values{"client_id": {cab.ID}, "redirect_uri": {cab.RedirectURIs[0]}, "response_type": {"code"}, "scope": {"openid"}, "state": {state}}
			resp, err := client.PostForm(issuer+"/authorize", form)
			if err != nil {
				count(&st, "error")
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			count(&st, resp.StatusCode)
		})
		line("60 × /authorize with 9 MB state", statuses(&st))
	}

	// 2. Two 300 MB multipart POSTs to /login at once.
	{
		var st sync.Map
		parallel(2, 2, func(int) {
			body := &lazyBody{head: "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n", size: 300 << 20}
			req, _ := http.NewRequest(http.MethodPost, issuer+"/login", body)
			req.ContentLength = -1
			req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
			resp, err := client.Do(req)
			if err != nil {
				count(&st, "error")
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			count(&st, resp.StatusCode)
		})
		line("2 × 300 MB multipart POST /login", statuses(&st))
	}

	// 3. 300 trickling bodies: headers and 10 bytes of a 60 KiB form, then nothing. How many
	// has the server cut off within 25 s?
	{
		var closed atomic.Int64
		var conns []net.Conn
		host := strings.TrimPrefix(issuer, "http://")
		for range 300 {
			c, err := net.Dial("tcp", host)
			if err != nil {
				break
			}
			conns = append(conns, c)
			_, _ = io.WriteString(c, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 61440\r\n\r\nlogin=abcd")
		}
		deadline := time.Now().Add(25 * time.Second)
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = c.SetReadDeadline(deadline)
				_, err := io.Copy(io.Discard, c)
				if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
					closed.Add(1)
				}
			}()
		}
		wg.Wait()
		line("300 trickling bodies, 25 s", fmt.Sprintf("%d of %d cut off by the server", closed.Load(), len(conns)))
		for _, c := range conns {
			c.Close()
		}
	}

	// 4. Concurrent password POSTs (right password: each one hashes).
	{
		n := envInt("SOAK_PASSWORD_POSTS", 400)
		type prepared struct {
			br *browser.Browser
			f  *browser.Form
		}
		forms := make([]prepared, n)
		parallel(n, 8, func(i int) {
			jar, _ := cookiejar.New(nil)
			br := browser.New(browser.Options{Client: &http.Client{Timeout: 60 * time.Second, Jar: jar}, Stop: []browser.StopRule{browser.Prefix(cab.RedirectURIs[0])}})
			q := url.Values{"client_id": {cab.ID}, "redirect_uri": {cab.RedirectURIs[0]}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s" + strconv.Itoa(i)}, "prompt": {"login"}}
			pg, err := br.Get(context.Background(), issuer+"/authorize?"+q.Encode())
			if err != nil {
				return
			}
			f, err := pg.Form(browser.WithField("login", "password"))
			if err != nil {
				return
			}
			forms[i] = prepared{br, f.Set("login", "+79990000003").Set("password", config.DefaultPassword)}
		})
		p.phasePeak()
		var st sync.Map
		start := time.Now()
		parallel(n, n, func(i int) {
			if forms[i].f == nil {
				count(&st, "unprepared")
				return
			}
			pg, err := forms[i].br.Submit(context.Background(), forms[i].f)
			switch {
			case err != nil:
				count(&st, "error")
			case pg.Redirect != nil:
				count(&st, "logged in")
			default:
				count(&st, pg.Status)
			}
		})
		line(fmt.Sprintf("%d concurrent password POSTs", n), fmt.Sprintf("%s in %v", statuses(&st), time.Since(start).Round(time.Millisecond)))
	}

	// 5. Audit flood: admin unlocks of two personas, then one citizen's history.
	{
		history := func() time.Duration {
			start := time.Now()
			for range 20 {
				var out any
				if status, err := (&emulator{issuer: issuer}).admin(http.MethodGet, "/admin/api/audit?user=1000000003&limit=100", nil, &out); err != nil || status != http.StatusOK {
					t.Fatalf("audit query: %d %v", status, err)
				}
			}
			return time.Since(start) / 20
		}
		before := history()
		n := envInt("SOAK_AUDIT_EVENTS", 20000)
		var failed atomic.Int64
		parallel(n, 8, func(i int) {
			oid := []string{"1000000001", "1000000002"}[i%2]
			if status, err := (&emulator{issuer: issuer}).admin(http.MethodPost, "/admin/api/personas/"+oid+"/unlock", nil, nil); err != nil || status != http.StatusOK {
				failed.Add(1)
			}
		})
		after := history()
		line(fmt.Sprintf("audit flood: %d events of others", n), fmt.Sprintf("history query %v → %v (%d calls failed)", before.Round(time.Microsecond), after.Round(time.Microsecond), failed.Load()))
	}
	fmt.Println("soak against", bin)
	for _, l := range report {
		fmt.Println(l)
	}
}
