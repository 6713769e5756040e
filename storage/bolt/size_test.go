package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
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
	batch(func(_ int, id string) error { return s.CreateUser(ctx, sizedUser(id, now)) })
	users := inUse()
	batch(func(i int, id string) error { return s.CreateSession(ctx, sizedSession(i, id, now)) })
	sessions, sessionsFile := inUse(), fileSize()
	t.Logf("bolt bytes per record (B+tree pages in use, keys and indexes included): user %d, session %d; file %d KiB for %d users and sessions (it grows in doubling steps)",
		(users-base)/n, (sessions-users)/n, sessionsFile/1024, n)
}

func sizedUser(id string, now time.Time) storage.User {
	return storage.User{
		ID: id, Phone: "+7999" + id, PhoneVerified: true, Email: "user" + id + "@example.ru",
		SNILS: "123" + id + "9", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$" + strings.Repeat("x", 66),
		LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", BirthDate: "1980-01-02",
		BirthPlace: "г. Москва", Gender: "M", Citizenship: "RUS", INN: "770000000000",
		Level: storage.LevelConfirmed, Status: storage.StatusActive, StatusSince: now,
		Documents: []storage.Document{{ID: "1", Type: "RF_PASSPORT", Series: "4500", Number: "123456",
			IssueDate: "2000-01-01", IssueID: "770-001", IssuedBy: "ОВД Тверской", VrfStu: storage.VerifyVerified}},
		Addresses: []storage.Address{{Type: "PRG", AddressStr: "г. Москва, ул. Тверская, д. 1, кв. 1", ZipCode: "125009"}},
		CreatedAt: now, UpdatedAt: now,
	}
}

func sizedSession(i int, userID string, now time.Time) storage.Session {
	return storage.Session{
		ID: strings.Repeat("s", 43) + fmt.Sprint(i), UserID: userID, AuthTime: now, AMR: []string{"PWD", "SMS"},
		ACR: "urn:esia:loa:2", CreatedAt: now, LastSeen: now, IdleTimeout: 30 * time.Minute,
		ExpiresAt: now.Add(8 * time.Hour), IP: "192.0.2.1",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", Clients: []string{"client-1"},
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
