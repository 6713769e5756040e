// Package storage owns the emulator's persistent records and the contract every backend
// honours. It declares the record types (User, AuthRequest, Session, Token, SigningKey), the
// sentinel errors callers match with errors.Is, and small interfaces — one per record family —
// that consumers take one at a time (the provider takes Sessions and Tokens, the lockout package
// will take Counters, and so on).
//
// Contract, shared by every backend (see storetest for the suite that checks it):
//   - records go in and come out as values; a returned record never aliases the store's copy;
//   - Update* functions run their callback inside the backend's transaction and may call it more
//     than once, so the callback must be a pure function of the record it is given;
//   - operations that must be exact under concurrency (redeeming a code, rotating a refresh
//     token, counters) are single atomic operations of the backend, not read-modify-write;
//   - expiry is data: callers pass now (from the injected clock) and an expired record reads as
//     ErrNotFound on every backend alike;
//   - a backend that cannot be reached answers ErrUnavailable, so pages can answer 503.
//
// Backends live in subpackages: kv implements this contract once over a small transactional
// key-value Engine, and memory/, bolt/ and redis/ provide engines. cmd/esia-emulator selects one.
package storage
