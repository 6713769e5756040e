// Package memory provides an in-process kv.Engine: a map guarded by a mutex. It owns nothing
// beyond the process lifetime, so it suits tests and a throw-away emulator. cmd/esia-emulator
// selects it when no persistent backend is configured (memory.New), and tests of other
// packages use it as a real storage.Store.
//
// Expired values are dropped lazily when read and in bulk by Sweep, which the caller may run
// on a ticker with its clock; the engine starts no goroutines of its own.
package memory
