package clientsecret

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
)

// ErrNoSignerCertificate: the CMS does not carry the certificate its signer names.
var ErrNoSignerCertificate = errors.New("clientsecret: the CMS does not carry the signer's certificate")

// VerifyDetached checks a CMS SignedData (DER or BER; detached, or attached with message as
// its content) over message with the certificate it carries, RSA, ECDSA or GOST R 34.10-2012-256. It
// returns the signer's certificate and the others the CMS carries (a chain to build); whether
// to trust them is the caller's decision. Used by the e-signature login (provider/flow).
func VerifyDetached(cms, message []byte) (*x509.Certificate, []*x509.Certificate, error) {
	sd, err := parseSignedData(cms)
	if err != nil {
		return nil, nil, fmt.Errorf("clientsecret: read CMS: %w", err)
	}
	if !sd.ContentType.Equal(oidData) {
		return nil, nil, fmt.Errorf("clientsecret: the CMS content type is %s, not id-data", sd.ContentType)
	}
	var signer *x509.Certificate
	var others []*x509.Certificate
	for _, der := range sd.Certificates {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, fmt.Errorf("clientsecret: a certificate in the CMS: %w", err)
		}
		if signer == nil && signerMatches(sd.Signer, c) {
			signer = c
			continue
		}
		others = append(others, c)
	}
	if signer == nil {
		return nil, nil, ErrNoSignerCertificate
	}
	var v signatureVerifier
	if pub, ok := signer.PublicKey.(*ecdsa.PublicKey); ok { // citizens' test certificates (the README's recipe)
		v = ecdsaVerifier{pub: pub}
	} else {
		v, err = newVerifier(signer)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("clientsecret: %w", err)
	}
	if err := checkCMS(sd, v, message); err != nil {
		return nil, nil, fmt.Errorf("clientsecret: CMS signature: %w", err)
	}
	return signer, others, nil
}

// ecdsaVerifier checks CMS signatures of an ECDSA key (the e-signature login only: ESIA's
// client secrets are RSA or GOST).
type ecdsaVerifier struct{ pub *ecdsa.PublicKey }

func (ecdsaVerifier) Algorithm() string { return "ECDSA" }

func (ecdsaVerifier) Sum(oid asn1.ObjectIdentifier, msg []byte) ([]byte, bool) {
	return rsaVerifier{}.Sum(oid, msg)
}

func (v ecdsaVerifier) VerifyDigest(_ asn1.ObjectIdentifier, digest, sig []byte) error {
	if !ecdsa.VerifyASN1(v.pub, digest, sig) {
		return errBadSignature
	}
	return nil
}

func (ecdsaVerifier) VerifyRaw([]byte, []byte, bool) (string, bool, error) {
	return "", false, errors.New("raw signatures are not checked for ECDSA keys")
}
