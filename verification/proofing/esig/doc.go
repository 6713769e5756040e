// Package esig checks qualified electronic signatures (КЭП) as identity confirmation needs
// them: ParseCertificates reads a PEM or DER chain, VerifySignature checks a signature
// (RSA, ECDSA or Ed25519) over a challenge by a certificate that chains to the configured
// test CA (LoadRoots) and is valid now, and Signer.Matches checks that the certificate
// names the account's citizen — by the SNILS attribute of Russian qualified certificates
// (OIDSNILS), else by surname and given names. SubjectWithSNILS builds such a subject for
// tests and tools that issue citizens' certificates.
//
// Errors wrap the package's sentinels; proofing.Message has a Russian text for each. It
// is pure (no storage, no state) and mounts no routes.
//
// Callers: proofing/confirm (ConfirmSignature); the provider loads the test CA with
// LoadRoots, and its tests issue certificates with SubjectWithSNILS.
package esig
