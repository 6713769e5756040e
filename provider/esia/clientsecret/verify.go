package clientsecret

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SHA-1 CMS digests are recognised only to be reported in lenient mode
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
)

// signatureVerifier checks signatures made with the key of one registered certificate. RSA
// is built in; GOST R 34.10-2012 comes from the gost package (gost.go).
type signatureVerifier interface {
	// Algorithm names the key algorithm ("RSA", "GOST R 34.10-2012-256").
	Algorithm() string
	// Sum hashes msg with a CMS digestAlgorithm; ok is false for a digest the key cannot use.
	Sum(digestAlg asn1.ObjectIdentifier, msg []byte) (digest []byte, ok bool)
	// VerifyDigest checks a CMS signature value over the digest (made with digestAlg).
	VerifyDigest(digestAlg asn1.ObjectIdentifier, digest, sig []byte) error
	// VerifyRaw checks a raw v2/v3 signature over message. strict allows only the layout ESIA
	// documents; the matched layout is named, and canonical says whether it is that one.
	VerifyRaw(message, sig []byte, strict bool) (layout string, canonical bool, err error)
}

var errBadSignature = errors.New("signature does not verify with the registered certificate")

// Digest algorithm identifiers.
var (
	oidSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	// Public key algorithms of GOST R 34.10-2012 (256 and 512 bit) and 2001.
	oidGOST2012_256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	oidGOST2012_512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidGOST2001     = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
)

// newVerifier returns the verifier for the registered certificate's key.
func newVerifier(cert *x509.Certificate) (signatureVerifier, error) {
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok {
		return rsaVerifier{pub: pub}, nil
	}
	spki, err := spkiAlgorithm(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	switch {
	case spki.Equal(oidGOST2012_256):
		return newGOSTVerifier(cert.Raw)
	case spki.Equal(oidGOST2012_512), spki.Equal(oidGOST2001):
		return nil, fmt.Errorf("certificate key %s is not supported (GOST R 34.10-2012 with 256-bit keys and RSA are)", spki)
	}
	return nil, fmt.Errorf("certificate key algorithm %s is not supported (RSA and GOST R 34.10-2012-256 are)", spki)
}

func spkiAlgorithm(raw []byte) (asn1.ObjectIdentifier, error) {
	var spki struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if err := unmarshalAll(raw, &spki); err != nil {
		return nil, fmt.Errorf("certificate public key: %w", err)
	}
	return algorithmOID(spki.Algorithm)
}

// rsaVerifier: RSA PKCS#1 v1.5. SHA-256 is what the MR names; SHA-1, SHA-384 and SHA-512 CMS
// digests are recognised as well (the secret check reports anything but SHA-256).
type rsaVerifier struct{ pub *rsa.PublicKey }

func (rsaVerifier) Algorithm() string { return "RSA" }

func rsaHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA1):
		return crypto.SHA1, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

func (rsaVerifier) Sum(oid asn1.ObjectIdentifier, msg []byte) ([]byte, bool) {
	h, ok := rsaHash(oid)
	if !ok {
		return nil, false
	}
	switch h {
	case crypto.SHA1:
		s := sha1.Sum(msg) //nolint:gosec // see the import
		return s[:], true
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		return s[:], true
	case crypto.SHA512:
		s := sha512.Sum512(msg)
		return s[:], true
	}
	s := sha256.Sum256(msg)
	return s[:], true
}

func (v rsaVerifier) VerifyDigest(oid asn1.ObjectIdentifier, digest, sig []byte) error {
	h, ok := rsaHash(oid)
	if !ok {
		return fmt.Errorf("digest algorithm %s cannot be used with RSA", oid)
	}
	if rsa.VerifyPKCS1v15(v.pub, h, digest, sig) != nil {
		return errBadSignature
	}
	return nil
}

// VerifyRaw: an RSA PKCS#1 v1.5 signature with SHA-256 of the message. (Real v2/v3 wants a
// GOST key; the emulator takes RSA keys too so that clients can be tested without one.)
func (v rsaVerifier) VerifyRaw(message, sig []byte, _ bool) (string, bool, error) {
	d := sha256.Sum256(message)
	if rsa.VerifyPKCS1v15(v.pub, crypto.SHA256, d[:], sig) != nil {
		return "", false, errBadSignature
	}
	return "RSA PKCS#1 v1.5 SHA-256", true, nil
}

// checkCMS verifies a parsed SignedData over message with v. It returns the digest algorithm
// used (for diagnostics).
func checkCMS(sd *signedData, v signatureVerifier, message []byte) error {
	if sd.Attached && !bytes.Equal(sd.Content, message) {
		return errors.New("the attached content is not the signed message")
	}
	si := sd.Signer
	digest, ok := v.Sum(si.DigestAlg, message)
	if !ok {
		return fmt.Errorf("digest algorithm %s is not supported with a %s key", si.DigestAlg, v.Algorithm())
	}
	if si.SignedAttrs == nil {
		return v.VerifyDigest(si.DigestAlg, digest, si.Signature)
	}
	if !bytes.Equal(si.MessageDigest, digest) {
		return errors.New("messageDigest attribute does not match the message")
	}
	attrDigest, _ := v.Sum(si.DigestAlg, si.SignedAttrs)
	return v.VerifyDigest(si.DigestAlg, attrDigest, si.Signature)
}

// digestName names a digest algorithm for reports.
func digestName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(oidSHA256):
		return "SHA-256"
	case oid.Equal(oidSHA1):
		return "SHA-1"
	case oid.Equal(oidSHA384):
		return "SHA-384"
	case oid.Equal(oidSHA512):
		return "SHA-512"
	case oid.Equal(oidStreebog256):
		return "Streebog-256"
	}
	return oid.String()
}
