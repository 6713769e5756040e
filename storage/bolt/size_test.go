package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/storetest"
)

// TestRecordSize logs how many bytes of the file a user (persona) and an SSO session take:
// B+tree pages in use (keys, envelopes, indexes and page overhead) per record, and the file
// size. The records are those of storage/memory's TestRecordSize, so the numbers
// compare.
func TestRecordSize(t *testing.T) {
	ctx, now := context.Background(), time.Now().UTC()
	path := filepath.Join(t.TempDir(), "esia.db")
	e, err := OpenEngine(path, WithSweepInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := kv.New(e)
	const n = 1000
	inUse := func() int64 {
		var b int64
		must(t, e.db.View(func(tx *bbolt.Tx) error {
			st := tx.Bucket(bucket).Stats()
			b = int64(st.LeafInuse + st.BranchInuse)
			return nil
		}))
		return b
	}
	fileSize := func() int64 {
		fi, err := os.Stat(path)
		must(t, err)
		return fi.Size()
	}
	// 32 concurrent writers share commits, which keeps the test fast; the layout is the same
	// as with one commit per record.
	batch := func(fn func(i int, id string) error) {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for w := range 32 {
			wg.Go(func() {
				for i := w; i < n; i += 32 {
					errs[i] = fn(i, fmt.Sprint(1000000+i))
				}
			})
		}
		wg.Wait()
		must(t, errors.Join(errs...))
	}
	base := inUse()
	batch(func(_ int, id string) error { return s.CreateUser(ctx, storetest.SizedUser(id, now)) })
	users := inUse()
	batch(func(i int, id string) error { return s.CreateSession(ctx, storetest.SizedSession(i, id, now)) })
	sessions, sessionsFile := inUse(), fileSize()
	t.Logf("bolt bytes per record (B+tree pages in use, keys and indexes included): user %d, session %d; file %d KiB for %d users and sessions (it grows in doubling steps)",
		(users-base)/n, (sessions-users)/n, sessionsFile/1024, n)
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
