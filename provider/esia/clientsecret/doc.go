// Package clientsecret checks how an ESIA relying party authenticates itself: the signed
// client_secret (and client_certificate_hash on v2/v3) against the certificate registered
// for the client (esia-protocol.md §2.2, §2.3), and keeps what the checks found.
//
// A Checker is made per client from its secret_check mode and certificate (NewChecker) and
// runs in one of three modes: off, lenient and strict. Lenient accepts what real clients get
// wrong and reports it as oddities: standard base64, a timestamp whose '+' arrived as a
// space (ParseTimestamp keeps every spelling the client may have signed), attached or BER
// CMS, other digests, the v1 message order on v2, CryptoPro's byte order, a SHA-256
// certificate hash. Strict takes only what the MR prescribes.
//
//   - check.go: Input, Result, Checker.Check; the candidate messages and the hash check.
//   - params.go: ParseTimestamp and the base64 decoding of client_secret.
//   - cms.go: a small reader of CMS / PKCS#7 SignedData over encoding/asn1 (v1).
//   - verify.go, gost.go: the signatureVerifier of the registered key — RSA with the standard
//     library, GOST R 34.10-2012-256 with provider/esia/gost.
//   - diagnostics.go: Diagnostics, the last checks per client with their oddities.
//
// A refusal carries a Reason (NoCertificate → ESIA-007002, SecretWrong → ESIA-007053); the
// caller turns it into ESIA's error shape.
//
// Routes (Diagnostics.Mount): GET|POST /esia/diagnostics[?client_id=…] (an HTML page) and
// GET /admin/api/esia/diagnostics[?client_id=…] (JSON). Both need the admin token (the page
// takes it as Bearer or asks for it in a form) and answer 404 when none is configured.
//
// Callers: provider/esia, whose authorization and token endpoints run the check and report
// it to Diagnostics. Its tests sign with provider/esia/clientsecret/secrettest.
package clientsecret
