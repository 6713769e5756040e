// Package gost implements the Russian GOST algorithms an ESIA relying party
// uses to authenticate itself, written from the public standards in pure Go
// (standard library only, no GPL code):
//
//   - the GOST R 34.11-2012 "Streebog" hash lives in the subpackage
//     streebog (New256, New512, Sum256, Sum512); this package hashes with it;
//   - GOST R 34.10-2012 signatures over the 256-bit curves (RFC 7091):
//     Sign, Verify, GenerateKey, with the parameter sets
//     id-tc26-gost-3410-2012-256-paramSetA…D and
//     id-GostR3410-2001-CryptoPro-A/B/C/XchA/XchB (RFC 4357, RFC 7836),
//     looked up with CurveByOID;
//   - the 64-byte raw signature of the ESIA v2/v3 client_secret in its
//     several byte layouts (ParseRawSignature, VerifyRaw, VerifyRawAny);
//   - the GOST parts of X.509 that crypto/x509 does not understand: the
//     SubjectPublicKeyInfo of GOST keys (ParsePublicKeyFromCertificate,
//     ParseSubjectPublicKeyInfo), a certificate's GOST signature
//     (Certificate.CheckSignatureFrom), making a self-signed GOST
//     certificate (CreateSelfSignedCertificate), and ESIA's
//     client_certificate_hash (CertificateHash).
//
// # Callers
//
// provider/esia/clientsecret uses it to check a client's client_secret (a raw
// GOST signature of client_id+scope+timestamp+state+redirect_uri[+code], or
// a CMS signature on v1, see /work/shared/docs/esia-protocol.md §2.2) against
// the certificate registered for the client, and to compare
// client_certificate_hash (§2.3) with the registered certificate.
// provider/esia/signing derives the dialect's GOST3410_2012_256 token key and
// makes its self-signed certificate with it. Tests and end-to-end clients
// (provider/esia/clientsecret/secrettest) use the signing half and
// CreateSelfSignedCertificate to play a real GOST relying party. It mounts no
// routes.
//
// Out of scope: 512-bit keys, GOST R 34.11-94 (so signatures of GOST
// R 34.10-2001 certificates, made with that hash, cannot be checked, though
// their keys parse), CMS/PKCS#7 containers of the v1 client_secret, and
// constant-time arithmetic (math/big; fine for verifying and for test keys,
// not a hardened signer). Verify takes 1–2 ms.
//
// # Byte order
//
// The GOST standards write vectors as numbers, most significant digit first;
// implementations serialise them least significant byte first. This package
// follows the implementations (OpenSSL gost-engine, CryptoPro CSP,
// BouncyCastle), and the tests pin each convention with a published vector:
//
//   - Streebog input and output: a byte string is the little-endian encoding
//     of the standard's vector (see package streebog).
//   - Hash to integer (GOST R 34.10-2012 §6.1 step 2): α is the digest read
//     as a little-endian integer; e = α mod q, or 1 if zero. RFC 7091 gives α
//     as a number, so it alone does not pin this; the RFC 9215 example
//     certificates (signed by another implementation over real Streebog
//     hashes) do.
//   - Public key in a certificate: subjectPublicKey is a BIT STRING wrapping
//     an OCTET STRING of X‖Y, each coordinate 32 bytes little-endian
//     (RFC 4491 §2.3.2, RFC 9215). PublicKey.Bytes and ParsePublicKey use the
//     same form.
//   - Signature: the standard's vector is ζ = r‖s. X.509 and CMS carry it as
//     s‖r, each half big-endian (RFC 4491 §2.2.2, RFC 9215) — layout SR, which
//     is also what OpenSSL gost-engine and BouncyCastle output and what ESIA
//     expects in client_secret. CryptoPro CSP outputs the 64 bytes of SR
//     reversed (SRReversed); clients are supposed to reverse it before
//     sending. RS and RSReversed cover the two remaining plausible mistakes.
//     VerifyRawAny tries all four and reports which one matched, for a
//     lenient mode.
//   - client_certificate_hash: Streebog-256 of the DER certificate, the
//     digest bytes in the order above, as upper-case hex (what
//     `cpverify -mk -alg GR3411_2012_256` prints).
//
// # Test vectors
//
//   - RFC 7091 §7.1 (GOST R 34.10-2012 appendix A.1): Q = d·P, C = k·P and
//     (r, s) reproduced with the fixed k, and verified, on the test curve
//     id-GostR3410-2001-TestParamSet (available to tests only);
//   - RFC 9215 appendix example certificates: the 256-bit key on the test
//     parameter set (its signatureValue reproduced byte for byte with
//     RFC 7091's d and k) and the one on paramSetA (verified; its
//     SubjectPublicKeyInfo re-encoded byte for byte);
//   - for every curve: p and q prime, G on the curve, q·G = O, the Hasse
//     bound, and sign/verify round trips.
package gost
