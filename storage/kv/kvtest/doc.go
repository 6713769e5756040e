// Package kvtest is the conformance suite every kv.Engine must pass. Engine packages (memory,
// bolt, redis) call RunEngine from their tests; it checks the Engine contract that kv.Store
// relies on, so a passing engine can be wrapped with kv.New and run through storetest.Run.
package kvtest
