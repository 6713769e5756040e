// Package secrettest plays an ESIA relying party for tests: it makes client keys and
// self-signed certificates (RSA and GOST R 34.10-2012-256) and signs client_secret values
// the ways real clients do — CMS SignedData for v1 in the variants PHP, Java, node-forge and
// OpenSSL produce (CMS, CMSOptions), and raw signatures for v2/v3 in every byte order
// (Key.RawSign).
//
// Its CMS writer is written from RFC 5652, independently of the reader in package
// clientsecret, so that the two check each other.
//
// Callers: the tests of provider/esia/clientsecret and the end-to-end tests of
// provider/esia. It mounts no routes and is not linked into the emulator.
package secrettest
