// Package memory provides an in-process kv.Engine: a map guarded by a mutex, with the keys also
// kept in a B-tree (github.com/google/btree) so that Scan of a prefix costs O(log n + matches)
// however many values the engine holds. It owns nothing beyond the process lifetime, so it
// suits tests and a throw-away emulator. cmd/esia-emulator selects it with --store memory
// (memory.New with WithSweeper), and tests of other packages use it as a real storage.Store.
//
// Expired values are dropped lazily when read and in bulk by Sweep; WithSweeper runs Sweep on
// a ticker by the wall clock (a goroutine stopped by Close). Without that option the engine
// starts no goroutines of its own.
package memory
