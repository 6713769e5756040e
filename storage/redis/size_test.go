package redis_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/redis"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
)

// TestRecordSize logs how much Redis memory a user (persona) and an SSO session take, keys,
// indexes and Redis's per-key overhead included (MEMORY USAGE), next to the raw key+value bytes.
// The records are those of storage/memory's TestRecordSize, so the numbers compare.
func TestRecordSize(t *testing.T) {
	ctx, now := context.Background(), time.Now().UTC()
	srv := redistest.Start(t)
	e := openEngine(t, srv.URL(), "") // the default prefix, as deployed; the server is this test's own
	s := kv.New(e)
	const n = 200
	for i := range n {
		id := fmt.Sprint(1000000 + i)
		must(t, s.CreateUser(ctx, sizedUser(id, now)))
		must(t, s.CreateSession(ctx, sizedSession(i, id, now)))
	}
	c, p := e.Client(), e.KeyPrefix()
	// The key index's share: its sets' memory spread evenly over their members.
	share := func(set string) float64 {
		u, err := c.MemoryUsage(ctx, p+set, 0).Result()
		must(t, err)
		m, err := c.ZCard(ctx, p+set).Result()
		must(t, err)
		return float64(u) / float64(max(m, 1))
	}
	keyShare, expShare := share(redis.IdxKeysName), share(redis.IdxExpName)
	size := func(prefixes ...string) (usage, raw int64) {
		var idx float64
		for _, pre := range prefixes {
			must(t, e.Scan(ctx, pre, now, func(k string, v []byte) error {
				u, err := c.MemoryUsage(ctx, p+k, 0).Result()
				usage += u
				raw += int64(len(p) + len(k) + 8 + len(v))
				idx += keyShare
				if ttl, err := c.PTTL(ctx, p+k).Result(); err == nil && ttl > 0 {
					idx += expShare
				}
				return err
			}))
		}
		return (usage + int64(idx)) / n, raw / n
	}
	uu, ur := size("user/", "login/")
	su, sr := size("session/", "usersessions/")
	t.Logf("redis bytes per record (MEMORY USAGE, keys and indexes included): user %d (raw key+value %d), session %d (raw %d); prefix %q; key index %.0f bytes per key, +%.0f with a TTL",
		uu, ur, su, sr, p, keyShare, expShare)
}

// sizedUser and sizedSession are the records of storage/memory's TestRecordSize.
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
