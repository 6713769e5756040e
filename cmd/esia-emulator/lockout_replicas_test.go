package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

// TestLockoutAcrossReplicas sends 200 concurrent wrong passwords for one account to two
// emulators sharing one Redis: exactly the configured 3 failures are counted before the lock,
// and afterwards the right password is refused on both.
func TestLockoutAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	cfg := filepath.Join(t.TempDir(), "lockout.yaml")
	if err := os.WriteFile(cfg, []byte("password:\n  preset: test\nlockout:\n  ip_max_failures: -1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--store", srv.URL(), "--redis-prefix", redistest.Prefix(t), "--config", cfg}
	a := launch(t, "replica A", append(flags, "--data-dir", t.TempDir())...)
	b := launch(t, "replica B", append(flags, "--data-dir", t.TempDir())...)
	a.await()
	b.await()

	const n = 200
	type attempt struct {
		br   *browser.Test
		form *browser.Form
	}
	loginForm := func(br *browser.Test, e *emulator, state, password string) *browser.Form {
		pg := br.Get(e.issuer + "/authorize?" + authorizeQuery(state))
		return br.Form(pg, browser.WithField("login", "password")).Set("login", "+79990000002").Set("password", password)
	}
	attempts := make([]attempt, n)
	for i := range attempts {
		e := a
		if i%2 == 1 {
			e = b
		}
		br := newBrowser(t)
		attempts[i] = attempt{br, loginForm(br, e, fmt.Sprintf("s%d", i), fmt.Sprintf("Wrong%04d!", i))}
	}
	results := make([]*browser.Page, n)
	var wg sync.WaitGroup
	for i, at := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pg, err := at.br.Browser.Submit(t.Context(), at.form) // not Test.Submit: no Fatal off the test goroutine
			if err != nil {
				t.Errorf("attempt %d: %v", i, err)
				return
			}
			results[i] = pg
		}()
	}
	wg.Wait()
	counted := 0
	for _, r := range results {
		if r != nil && strings.Contains(r.Text(), "Осталось попыток") {
			counted++
		}
	}
	if counted != 2 {
		t.Fatalf("%d attempts were answered before the lock, want exactly 2 (the third locks)", counted)
	}
	for _, e := range []*emulator{a, b} {
		br := newBrowser(t)
		pg := br.Submit(loginForm(br, e, "right", rpPassword))
		if pg.Redirect != nil || !strings.Contains(pg.Text(), "временно заблокирован") {
			t.Fatalf("%s: the right password while locked: %s", e.name, pg.Summary())
		}
	}
}
