package keyfile_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/keyfile"
)

func TestKeyFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "keys.json")
	f := keyfile.Open(path)
	if keys, err := f.ListKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("empty: %v %v", keys, err)
	}
	now := time.Now()
	for i, id := range []string{"b", "a"} {
		if err := f.AddKey(ctx, storage.SigningKey{ID: id, Algorithm: "RS256", PrivatePEM: "pem-" + id, CreatedAt: now.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.AddKey(ctx, storage.SigningKey{ID: "a"}); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Fatalf("duplicate: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", info.Mode(), err)
	}
	// Another handle on the same file (a restart) sees the keys, ordered by CreatedAt.
	keys, err := keyfile.Open(path).ListKeys(ctx)
	if err != nil || len(keys) != 2 || keys[0].ID != "b" || keys[1].PrivatePEM != "pem-a" {
		t.Fatalf("reopened: %+v %v", keys, err)
	}
	if err := f.DeleteKey(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteKey(ctx, "b"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	if keys, _ := f.ListKeys(ctx); len(keys) != 1 || keys[0].ID != "a" {
		t.Fatalf("after delete: %+v", keys)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ListKeys(ctx); err == nil {
		t.Fatal("a corrupt key file was accepted")
	}
}
