package keys_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func TestEnsureIsSharedByReplicas(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	a, err := keys.Ensure(ctx, store, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.Ensure(ctx, store, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256} {
		ka, err := a.Signer(alg, now)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := b.Signer(alg, now)
		if ka.ID != kb.ID || len(ka.ID) != 22 {
			t.Errorf("%s: kids %q and %q", alg, ka.ID, kb.ID)
		}
	}
	for _, id := range []string{keys.SecretCookieHash, keys.SecretCookieBlock, keys.SecretTokenCrypto, keys.SecretForms} {
		if s := a.Secret(id); len(s) != 32 || string(s) != string(b.Secret(id)) {
			t.Errorf("secret %s: %d bytes, shared=%v", id, len(s), string(s) == string(b.Secret(id)))
		}
	}
}

func TestRotateSignsFromNotBeforeAndKeepsTheOldKeyPublished(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	r, err := keys.Ensure(ctx, store, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := r.Signer(jose.ES256, now)
	if _, err := r.Rotate(ctx, jose.ES256, now, now.Add(10*time.Minute), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if k, _ := r.Signer(jose.ES256, now.Add(5*time.Minute)); k.ID != old.ID {
		t.Errorf("before not_before the new key signs")
	}
	next, _ := r.Signer(jose.ES256, now.Add(10*time.Minute))
	if next.ID == old.ID {
		t.Fatal("after not_before the old key still signs")
	}
	if _, ok := r.ByID(old.ID); !ok {
		t.Error("the old key is no longer published")
	}
	signing := 0
	for _, s := range r.Statuses(now.Add(time.Hour)) {
		if s.Alg == "ES256" && s.Signing {
			signing++
			if s.KID != next.ID {
				t.Errorf("status names %s as signing, want %s", s.KID, next.ID)
			}
		}
	}
	if signing != 1 {
		t.Errorf("%d ES256 keys sign", signing)
	}
	if err := r.Delete(ctx, old.Record); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.ByID(old.ID); ok {
		t.Error("deleted key still published")
	}
	if err := r.Delete(ctx, "no-such-record"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("deleting a missing key: %v", err)
	}
}
