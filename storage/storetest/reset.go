package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func testReset(t *testing.T, newStore factory) {
	s := newStore(t)
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateUser(ctx, storage.User{ID: "1", Phone: "+79990000001", Level: storage.LevelSimplified}))
	must(s.CreateSession(ctx, storage.Session{ID: "s1", UserID: "1", ExpiresAt: now.Add(time.Hour), LastSeen: now}))
	must(s.CreateTokens(ctx, storage.Token{ID: "t1", Kind: storage.TokenAccess, FamilyID: "f1", Subject: "1", ClientID: "c", ExpiresAt: now.Add(time.Hour)}))
	must(s.AddKey(ctx, storage.SigningKey{ID: "k1", Algorithm: "RS256", CreatedAt: now}))
	must(storage.PutDoc(ctx, s, "outbox", "m1", map[string]string{"to": "x"}, time.Time{}))
	if _, err := s.Incr(ctx, "c1", 1, time.Time{}, now); err != nil {
		t.Fatal(err)
	}
	for i := range 600 { // more than one reset batch
		must(storage.PutDoc(ctx, s, "bulk", string(rune('a'+i%26))+time.Duration(i).String(), i, time.Time{}))
	}
	must(s.Reset(ctx))
	if _, err := s.GetUser(ctx, "1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("user after reset: %v", err)
	}
	if _, err := s.UserByLogin(ctx, storage.LoginPhone, "+79990000001"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("login index after reset: %v", err)
	}
	if _, err := s.GetSession(ctx, "s1", now); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("session after reset: %v", err)
	}
	if _, err := s.GetToken(ctx, "t1", now); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("token after reset: %v", err)
	}
	if n, _ := s.Counter(ctx, "c1", now); n != 0 {
		t.Fatalf("counter after reset: %d", n)
	}
	if docs, _ := s.ListDocsRaw(ctx, "bulk", "", now); len(docs) != 0 {
		t.Fatalf("%d docs after reset", len(docs))
	}
	if keys, _ := s.ListKeys(ctx); len(keys) != 1 {
		t.Fatalf("signing keys must survive a reset: %d", len(keys))
	}
	// The store works normally afterwards.
	must(s.CreateUser(ctx, storage.User{ID: "1", Phone: "+79990000001", Level: storage.LevelSimplified}))
}
