// Package streebog implements the GOST R 34.11-2012 "Streebog" hash, 256- and
// 512-bit (RFC 6986), in pure Go with the standard library only: New256,
// New512 (hash.Hash), Sum256, Sum512.
//
// # Byte order
//
// A byte string is the little-endian encoding of the standard's 512-bit
// vector, for input and output alike: the first byte of a message block is
// its least significant byte, and the digest is emitted least significant
// byte first. That is what OpenSSL gost-engine, CryptoPro CSP and
// BouncyCastle do. RFC 6986 §10 prints its messages and hash codes as
// numbers, i.e. byte-reversed; the tests reverse them. Sum256 of M1 is
// 9d151eef…5500, which RFC 6986 prints as 00557be5…159d.
//
// # Test vectors
//
// RFC 6986 §10.1 and §10.2 (M1, M2), 256 and 512 bits, plus the empty message
// and "The quick brown fox…", one-shot and written in chunks.
//
// # Callers
//
// Package gost hashes with it (GOST R 34.10-2012 signatures sign a
// Streebog-256 digest; client_certificate_hash is Streebog-256 of the DER
// certificate), and so does provider/esia/clientsecret for the GOST
// client_secret and provider/esia's GOST3410_2012_256 tokens. It mounts no
// routes.
package streebog
