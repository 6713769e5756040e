// Package storetest is the conformance suite every storage.Store backend must pass. Backend
// packages call Run from their tests; it checks the contract documented in package storage:
// sentinel errors, value semantics, expiry by the caller's clock, login uniqueness, and the
// operations that must be exact under concurrency.
package storetest
