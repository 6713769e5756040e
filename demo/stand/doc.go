// Package stand runs the demo: the emulator (test mode, memory store, built-in personas and
// demo clients) and, on their own listeners, the three demo cabinets of package demo —
// sfr, fri and socprot — registered as its clients here and nowhere else (the default
// `serve` configuration has none of them). For the social-protection cabinet it generates an
// RSA key and a self-signed certificate and registers the certificate as an ESIA client.
//
// It mounts no routes of its own. Callers: `esia-emulator demo` (cmd/esia-emulator/demo.go)
// and the demo's end-to-end tests.
package stand
