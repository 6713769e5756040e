// Package expiry owns how the storage engines keep a value's expiry and collect expired
// values: the envelope (envelope.go: an 8-byte expiry header before the data, the layout
// storage/bolt and storage/redis store values in) and the background sweeper (sweeper.go)
// that storage/bolt and storage/memory run.
//
// Expiry is always decided by the now a caller passes (Nanos of the injected clock), never by
// an engine's own wall clock, so every engine agrees under a moved clock; the sweeper collects
// by the wall clock minus a grace period, so a clock that runs ahead never loses values early.
//
// It mounts no routes and holds no state; the engines are its only callers.
package expiry
