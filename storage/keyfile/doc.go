// Package keyfile keeps signing keys and secrets in one JSON file (mode 0600) in the data
// dir, implementing storage.Keys. cmd/esia-emulator uses it with the memory store, so keys
// and therefore issued tokens and cookies survive a restart even when nothing else does.
// Durable stores (bolt, redis) keep keys themselves and do not need it.
package keyfile
