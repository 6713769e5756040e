package clientsecret

import (
	"encoding/asn1"
	"fmt"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// GOST R 34.10-2012-256 keys, over provider/esia/gost (our own permissively licensed
// Streebog and GOST R 34.10-2012 code): v1 CMS and v2/v3 raw signatures.

// gostVerifier checks signatures of a GOST R 34.10-2012-256 certificate's key.
type gostVerifier struct{ pub *gost.PublicKey }

func newGOSTVerifier(certDER []byte) (signatureVerifier, error) {
	pub, err := gost.ParsePublicKeyFromCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("GOST certificate: %w", err)
	}
	return gostVerifier{pub: pub}, nil
}

func (gostVerifier) Algorithm() string { return "GOST R 34.10-2012-256" }

func (gostVerifier) Sum(oid asn1.ObjectIdentifier, msg []byte) ([]byte, bool) {
	if !oid.Equal(oidStreebog256) {
		return nil, false
	}
	h := streebog.Sum256(msg)
	return h[:], true
}

// VerifyDigest: the CMS signature value is s‖r big-endian (RFC 4490, RFC 9215).
func (v gostVerifier) VerifyDigest(_ asn1.ObjectIdentifier, digest, sig []byte) error {
	if !gost.VerifyRaw(v.pub, digest, sig, gost.SR) {
		return errBadSignature
	}
	return nil
}

// VerifyRaw checks a raw signature of Streebog-256(message). strict takes s‖r big-endian only
// (the OpenSSL/BouncyCastle order ESIA expects); otherwise every layout clients produce.
func (v gostVerifier) VerifyRaw(message, sig []byte, strict bool) (string, bool, error) {
	d := streebog.Sum256(message)
	if strict {
		if gost.VerifyRaw(v.pub, d[:], sig, gost.SR) {
			return gost.SR.String(), true, nil
		}
		return "", false, errBadSignature
	}
	order, ok := gost.VerifyRawAny(v.pub, d[:], sig)
	if !ok {
		return "", false, errBadSignature
	}
	return order.String(), order == gost.SR, nil
}
