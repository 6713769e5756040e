package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/keyfile"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// openStore opens the named backend. With the memory store, keys and secrets live in a file
// in the data dir so tokens and cookies survive restarts.
func openStore(name, dataDir string) (storage.Store, storage.Keys, error) {
	switch {
	case name == "memory":
		return memory.New(), keyfile.Open(filepath.Join(dataDir, "keys.json")), nil
	case strings.HasPrefix(name, "redis://"), strings.HasPrefix(name, "rediss://"), name == "bolt":
		return nil, nil, fmt.Errorf("--store %s: not available in this build yet (use memory)", name)
	}
	return nil, nil, fmt.Errorf("--store %q: want memory", name)
}
