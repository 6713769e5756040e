package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// serveProvider serves an in-memory provider with the timeouts t on a loopback port.
func serveProvider(t *testing.T, to serverTimeouts) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Issuer = "http://" + ln.Addr().String()
	cfg.Password.Preset = "test"
	cfg.AdminToken = testAdminToken
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := provider.New(context.Background(), provider.Options{Config: cfg, Store: memory.New(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(p.Handler(), to, log)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return cfg.Issuer
}

// TestTricklingBodyCutOff: a POST whose body stops arriving is cut off by the read timeout
// (injected small here): the server answers or closes the connection instead of holding it
// for as long as the visitor likes.
func TestTricklingBodyCutOff(t *testing.T) {
	to := defaultTimeouts()
	to.Read = 300 * time.Millisecond
	issuer := serveProvider(t, to)
	conn, err := net.Dial("tcp", strings.TrimPrefix(issuer, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The headers and the first bytes of a 60 KiB form, then nothing more.
	_, err = io.WriteString(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 61440\r\n\r\nauthRequestID=abc&login=")
	if err != nil {
		t.Fatal(err)
	}
	// The test's own bound: far above the injected timeout, far below "as long as the visitor likes".
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("status %d for a body that never arrived", resp.StatusCode)
		}
		// After the answer the server closes the connection.
		_, err = conn.Read(make([]byte, 1))
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was still open after %v", time.Since(start))
	}
}

// TestLongPollOutlivesTimeouts: the admin outbox's wait answers after its own duration even
// when that is longer than the server's read and write timeouts.
func TestLongPollOutlivesTimeouts(t *testing.T) {
	to := defaultTimeouts()
	to.Read, to.Write = 200*time.Millisecond, 200*time.Millisecond
	issuer := serveProvider(t, to)
	req, _ := http.NewRequest(http.MethodGet, issuer+"/admin/api/outbox?wait=1s&to=%2B79990009999", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("long poll: %v", err)
	}
	defer resp.Body.Close()
	var p struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&p)
	if resp.StatusCode != http.StatusRequestTimeout || p.Error != "timeout" {
		t.Fatalf("status %d, error %q; want 408 timeout", resp.StatusCode, p.Error)
	}
}

func TestDefaultTimeoutsSet(t *testing.T) {
	srv := newServer(http.NotFoundHandler(), defaultTimeouts(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("timeouts %v %v %v %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}
