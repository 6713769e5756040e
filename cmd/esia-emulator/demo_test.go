package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestDemoCommand: `esia-emulator demo` starts the emulator and the three cabinets, prints
// their URLs, serves them, and stops when its context ends.
func TestDemoCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-addr", "127.0.0.1:0", "-sfr-addr", "127.0.0.1:0", "-fri-addr", "127.0.0.1:0",
			"-socprot-addr", "127.0.0.1:0"}, w, io.Discard)
		w.Close()
	}()
	var banner strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "Ctrl+C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	urls := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindAllString(banner.String(), -1)
	if len(urls) < 5 {
		t.Fatalf("banner without the four URLs:\n%s", banner.String())
	}
	for name, u := range map[string]string{"Социальный фонд России": urls[len(urls)-3], "Федеральный реестр инвалидов": urls[len(urls)-2], "Органы социальной защиты": urls[len(urls)-1]} {
		if !strings.Contains(banner.String(), name) {
			t.Errorf("banner lacks %s", name)
		}
		resp, err := http.Get(u + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Войти через Госуслуги") {
			t.Errorf("%s (%s): %d %.200s", name, u, resp.StatusCode, body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
