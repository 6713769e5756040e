// Package password owns how the emulator stores and checks citizens' passwords, and the
// password rules a citizen must follow.
//
// Hashing is argon2id (golang.org/x/crypto/argon2) encoded as a PHC string,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 raw std>$<key, base64 raw std>
//
// so each stored hash carries its own parameters: hashes made with older or cheaper
// parameters still verify, and NeedsRehash tells the caller when to replace one after a
// successful login. DefaultParams follows OWASP's argon2id recommendation; TestParams is a
// cheap preset for unit tests and the conformance suite. A Hasher takes an injected random
// source (nil means crypto/rand).
//
// Hasher.VerifyAbsent does the work of one verification against a fixed dummy hash, so a
// login for an unknown account takes as long as one for a known account and timing does not
// reveal which logins exist.
//
// CheckPolicy applies the Gosuslugi password rules (length, letter cases and digits, no
// repeated or sequential characters, no personal data, matching confirmation) and returns
// typed Violations with the Russian message a citizen sees.
//
// Callers: the provider's login handler (Verify, VerifyAbsent, NeedsRehash) and its
// registration and password-recovery handlers (CheckPolicy, Hash); persona seeding uses Hash.
// The package mounts no routes and knows nothing of OIDC or storage.
package password
