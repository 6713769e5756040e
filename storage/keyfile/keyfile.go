package keyfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/esia-emulator/esia-emulator/storage"
)

// File is a storage.Keys over a JSON file. Safe for concurrent use within one process.
type File struct {
	path string
	mu   sync.Mutex
}

var _ storage.Keys = (*File)(nil)

// Open returns the key file at path (created on first write).
func Open(path string) *File { return &File{path: path} }

func (f *File) read() ([]storage.SigningKey, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	var keys []storage.SigningKey
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("keyfile %s: %w", f.path, err)
	}
	return keys, nil
}

// write replaces the file atomically (temporary file, fsync, rename).
func (f *File) write(keys []storage.SigningKey) error {
	b, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".keys-*")
	if err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keyfile: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("keyfile: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keyfile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	return nil
}

// AddKey stores k; storage.ErrAlreadyExists if its id exists.
func (f *File) AddKey(_ context.Context, k storage.SigningKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys, err := f.read()
	if err != nil {
		return err
	}
	if slices.ContainsFunc(keys, func(x storage.SigningKey) bool { return x.ID == k.ID }) {
		return fmt.Errorf("key %s: %w", k.ID, storage.ErrAlreadyExists)
	}
	return f.write(append(keys, k))
}

// ListKeys returns the keys ordered by CreatedAt.
func (f *File) ListKeys(context.Context) ([]storage.SigningKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys, err := f.read()
	slices.SortStableFunc(keys, func(a, b storage.SigningKey) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return keys, err
}

// DeleteKey removes the key; storage.ErrNotFound if absent.
func (f *File) DeleteKey(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys, err := f.read()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(keys, func(x storage.SigningKey) bool { return x.ID == id })
	if i < 0 {
		return fmt.Errorf("key %s: %w", id, storage.ErrNotFound)
	}
	return f.write(slices.Delete(keys, i, i+1))
}
