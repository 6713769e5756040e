package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

// TestDurability kills the server with SIGKILL while clients keep creating personas through
// the admin API, restarts it, and finds every persona whose creation was acknowledged (201).
// With Redis, redis-server (appendonly yes, appendfsync always) is killed at the same moment
// and restarted from its AOF.
func TestDurability(t *testing.T) {
	t.Run("bolt", func(t *testing.T) {
		dir := t.TempDir()
		flags := []string{"--store", "bolt", "--data-dir", dir}
		testDurability(t, flags, nil, nil)
		if _, err := os.Stat(filepath.Join(dir, "esia.db")); err != nil {
			t.Fatalf("the bolt file is not where the README says: %v", err)
		}
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
		flags := []string{"--store", srv.URL(), "--redis-prefix", redistest.Prefix(t), "--data-dir", t.TempDir()}
		testDurability(t, flags, srv.Kill, func() { srv.Restart(t) })
	})
}

func testDurability(t *testing.T, flags []string, crashStore, restartStore func()) {
	type persona struct {
		OID       string `json:"oid"`
		Phone     string `json:"phone"`
		LastName  string `json:"last_name"`
		FirstName string `json:"first_name"`
	}
	a := startEmulator(t, "server", flags...)

	const writers = 4
	var (
		mu    sync.Mutex
		acked []persona
		seq   atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for range writers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := seq.Add(1)
				want := persona{LastName: "Тестов", FirstName: fmt.Sprint("Тест", n), Phone: fmt.Sprintf("+7999555%04d", n)}
				var got persona
				status, err := a.admin(http.MethodPost, "/admin/api/personas",
					map[string]string{"level": "simplified", "last_name": want.LastName, "first_name": want.FirstName, "phone": want.Phone}, &got)
				if err != nil {
					return // the server died under this request: not acknowledged
				}
				if status != http.StatusCreated || got.OID == "" {
					continue // refused (a random oid may collide): not acknowledged
				}
				want.OID = got.OID
				mu.Lock()
				acked = append(acked, want)
				mu.Unlock()
			}
		})
	}
	// Kill while the writers are busy: after some writes have been acknowledged.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 40 {
			break
		}
		if time.Now().After(deadline) || !a.alive() {
			t.Fatalf("only %d personas created in time; server log:\n%s", n, a.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	a.kill()
	if crashStore != nil {
		crashStore()
	}
	close(stop)
	wg.Wait()
	if restartStore != nil {
		restartStore()
	}

	b := startEmulator(t, "restarted server", flags...)
	missing := 0
	for _, want := range acked {
		var got persona
		status, err := b.admin(http.MethodGet, "/admin/api/personas/"+want.OID, nil, &got)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusOK || got != want {
			missing++
			t.Errorf("acknowledged persona %s: status %d, got %+v, want %+v", want.OID, status, got, want)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged personas lost", missing, len(acked))
	}
	t.Logf("%d acknowledged personas (of %d attempted) all survived SIGKILL", len(acked), seq.Load())
}
