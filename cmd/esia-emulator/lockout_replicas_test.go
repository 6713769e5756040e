package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
		br *browser
		e  *emulator
		pg page
	}
	attempts := make([]attempt, n)
	for i := range attempts {
		e := a
		if i%2 == 1 {
			e = b
		}
		br := newBrowser(t)
		attempts[i] = attempt{br, e, br.get(e.issuer + "/authorize?" + authorizeQuery(fmt.Sprintf("s%d", i)))}
	}
	results := make([]page, n)
	var wg sync.WaitGroup
	for i, at := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = at.br.post(at.e.issuer+"/login", url.Values{"authRequestID": {at.pg.field("authRequestID")}, "csrf": {at.pg.field("csrf")},
				"login": {"+79990000002"}, "password": {fmt.Sprintf("Wrong%04d!", i)}})
		}()
	}
	wg.Wait()
	counted := 0
	for _, r := range results {
		if strings.Contains(r.body, "Осталось попыток") {
			counted++
		}
	}
	if counted != 2 {
		t.Fatalf("%d attempts were answered before the lock, want exactly 2 (the third locks)", counted)
	}
	for _, e := range []*emulator{a, b} {
		br := newBrowser(t)
		pg := br.get(e.issuer + "/authorize?" + authorizeQuery("right"))
		pg = br.post(e.issuer+"/login", url.Values{"authRequestID": {pg.field("authRequestID")}, "csrf": {pg.field("csrf")},
			"login": {"+79990000002"}, "password": {rpPassword}})
		if pg.location != "" || !strings.Contains(pg.body, "временно заблокирован") {
			t.Fatalf("%s: the right password while locked: %d %q", e.name, pg.status, pg.location)
		}
	}
}
