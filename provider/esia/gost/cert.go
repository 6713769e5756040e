package gost

import (
	cryptorand "crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// Object identifiers of the GOST algorithms in X.509 (RFC 4357, RFC 4491,
// RFC 9215).
var (
	// OIDPublicKeyGost2012256 is id-tc26-gost3410-12-256, a GOST R
	// 34.10-2012 256-bit public key.
	OIDPublicKeyGost2012256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	// OIDPublicKeyGost2001 is id-GostR3410-2001, a GOST R 34.10-2001 key
	// (same curves and math; its certificates are signed with GOST R
	// 34.11-94, which this package does not implement).
	OIDPublicKeyGost2001 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	// OIDSignatureGost2012256 is id-tc26-signwithdigest-gost3410-12-256:
	// Streebog-256 then GOST R 34.10-2012 256-bit.
	OIDSignatureGost2012256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	// OIDDigestStreebog256 is id-tc26-gost3411-12-256.
	OIDDigestStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}

	oidPublicKeyGost2012512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	oidTC26ParamSetArc      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1}
	oidExtBasicConstraints  = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 15}
)

// Errors of the certificate functions.
var (
	ErrMalformedCertificate = errors.New("gost: malformed certificate")
	ErrUnsupportedAlgorithm = errors.New("gost: unsupported algorithm")
)

// Certificate is the part of an X.509 certificate this package reads. Use
// crypto/x509 for anything else: it parses GOST certificates too, it just
// cannot interpret their keys (PublicKeyAlgorithm Unknown, PublicKey nil).
type Certificate struct {
	Raw                     []byte
	RawTBSCertificate       []byte
	RawSubjectPublicKeyInfo []byte
	SignatureAlgorithm      asn1.ObjectIdentifier
	Signature               []byte // the signatureValue BIT STRING's bytes
	PublicKeyAlgorithm      asn1.ObjectIdentifier
	DigestParamSet          asn1.ObjectIdentifier // nil when absent
	PublicKey               *PublicKey
}

type certificateASN1 struct {
	TBSCertificate     asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	SignatureValue     asn1.BitString
}

// tbsCertificateASN1 reads the fields up to subjectPublicKeyInfo; the
// optional unique IDs and extensions that follow are ignored.
type tbsCertificateASN1 struct {
	Version              int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber         asn1.RawValue
	Signature            pkix.AlgorithmIdentifier
	Issuer               asn1.RawValue
	Validity             asn1.RawValue
	Subject              asn1.RawValue
	SubjectPublicKeyInfo asn1.RawValue
}

type subjectPublicKeyInfoASN1 struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// publicKeyParametersASN1 is GostR3410-2012-PublicKeyParameters (RFC 9215
// §4.1), which is also a superset of GostR3410-2001-PublicKeyParameters.
type publicKeyParametersASN1 struct {
	PublicKeyParamSet  asn1.ObjectIdentifier
	DigestParamSet     asn1.ObjectIdentifier `asn1:"optional"`
	EncryptionParamSet asn1.ObjectIdentifier `asn1:"optional"`
}

type curveLookup func(asn1.ObjectIdentifier) (*Curve, bool)

// ParseCertificate parses a DER certificate with a GOST R 34.10 256-bit key.
func ParseCertificate(der []byte) (*Certificate, error) {
	return parseCertificate(der, CurveByOID)
}

func parseCertificate(der []byte, lookup curveLookup) (*Certificate, error) {
	var c certificateASN1
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedCertificate, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data", ErrMalformedCertificate)
	}
	var tbs tbsCertificateASN1
	rest, err = asn1.Unmarshal(c.TBSCertificate.FullBytes, &tbs)
	if err != nil {
		return nil, fmt.Errorf("%w: tbsCertificate: %v", ErrMalformedCertificate, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: tbsCertificate: trailing data", ErrMalformedCertificate)
	}
	if c.SignatureValue.BitLength%8 != 0 {
		return nil, fmt.Errorf("%w: signatureValue is not a whole number of bytes", ErrMalformedCertificate)
	}
	alg, digestParams, pub, err := parseSPKI(tbs.SubjectPublicKeyInfo.FullBytes, lookup)
	if err != nil {
		return nil, err
	}
	return &Certificate{
		Raw:                     der,
		RawTBSCertificate:       c.TBSCertificate.FullBytes,
		RawSubjectPublicKeyInfo: tbs.SubjectPublicKeyInfo.FullBytes,
		SignatureAlgorithm:      c.SignatureAlgorithm.Algorithm,
		Signature:               c.SignatureValue.Bytes,
		PublicKeyAlgorithm:      alg,
		DigestParamSet:          digestParams,
		PublicKey:               pub,
	}, nil
}

// ParsePublicKeyFromCertificate returns the GOST R 34.10 256-bit public key
// of a DER certificate: it walks tbsCertificate to subjectPublicKeyInfo and
// calls ParseSubjectPublicKeyInfo's logic on it. The certificate's own
// signature is not checked (see Certificate.CheckSignatureFrom).
func ParsePublicKeyFromCertificate(der []byte) (*PublicKey, error) {
	c, err := ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return c.PublicKey, nil
}

// ParseSubjectPublicKeyInfo parses a DER SubjectPublicKeyInfo carrying a
// GOST key: algorithm 1.2.643.7.1.1.1.1 (GOST R 34.10-2012 256-bit) or
// 1.2.643.2.2.19 (GOST R 34.10-2001); parameters SEQUENCE { publicKeyParamSet
// OID, digestParamSet OID OPTIONAL, … } (a bare OID is tolerated); the
// subjectPublicKey BIT STRING wraps an OCTET STRING of 64 bytes, X‖Y, each
// little-endian. The point is validated.
func ParseSubjectPublicKeyInfo(der []byte) (*PublicKey, error) {
	_, _, pub, err := parseSPKI(der, CurveByOID)
	return pub, err
}

func parseSPKI(der []byte, lookup curveLookup) (alg, digestParams asn1.ObjectIdentifier, pub *PublicKey, err error) {
	var spki subjectPublicKeyInfoASN1
	rest, err := asn1.Unmarshal(der, &spki)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: subjectPublicKeyInfo: %v", ErrMalformedCertificate, err)
	}
	if len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: subjectPublicKeyInfo: trailing data", ErrMalformedCertificate)
	}
	alg = spki.Algorithm.Algorithm
	switch {
	case alg.Equal(OIDPublicKeyGost2012256), alg.Equal(OIDPublicKeyGost2001):
	case alg.Equal(oidPublicKeyGost2012512):
		return nil, nil, nil, fmt.Errorf("%w: GOST R 34.10-2012 512-bit keys", ErrUnsupportedAlgorithm)
	default:
		return nil, nil, nil, fmt.Errorf("%w: public key algorithm %v", ErrUnsupportedAlgorithm, alg)
	}

	params := spki.Algorithm.Parameters
	var kp publicKeyParametersASN1
	switch {
	case len(params.FullBytes) == 0:
		return nil, nil, nil, fmt.Errorf("%w: GOST key without parameters", ErrMalformedCertificate)
	case params.Class == asn1.ClassUniversal && params.Tag == asn1.TagOID:
		// Not what the RFCs say, but unambiguous: the paramset alone.
		rest, err = asn1.Unmarshal(params.FullBytes, &kp.PublicKeyParamSet)
	default:
		rest, err = asn1.Unmarshal(params.FullBytes, &kp)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: key parameters: %v", ErrMalformedCertificate, err)
	}
	if len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: key parameters: trailing data", ErrMalformedCertificate)
	}
	curve, ok := lookup(kp.PublicKeyParamSet)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: public key parameter set %v", ErrUnsupportedAlgorithm, kp.PublicKeyParamSet)
	}

	if spki.PublicKey.BitLength%8 != 0 {
		return nil, nil, nil, fmt.Errorf("%w: subjectPublicKey is not a whole number of bytes", ErrMalformedCertificate)
	}
	var raw []byte
	rest, err = asn1.Unmarshal(spki.PublicKey.Bytes, &raw)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: subjectPublicKey is not an OCTET STRING: %v", ErrMalformedCertificate, err)
	}
	if len(rest) != 0 {
		return nil, nil, nil, fmt.Errorf("%w: subjectPublicKey: trailing data", ErrMalformedCertificate)
	}
	pub, err = ParsePublicKey(curve, raw)
	if err != nil {
		return nil, nil, nil, err
	}
	return alg, kp.DigestParamSet, pub, nil
}

// CheckSignatureFrom verifies the certificate's signature with the issuer's
// key (the certificate's own key when self-signed). Only
// id-tc26-signwithdigest-gost3410-12-256 is supported; its signatureValue is
// the SR layout (RFC 9215 §3) over Streebog-256 of tbsCertificate.
func (c *Certificate) CheckSignatureFrom(issuer *PublicKey) error {
	if !c.SignatureAlgorithm.Equal(OIDSignatureGost2012256) {
		return fmt.Errorf("%w: signature algorithm %v", ErrUnsupportedAlgorithm, c.SignatureAlgorithm)
	}
	r, s, err := ParseRawSignature(c.Signature)
	if err != nil {
		return err
	}
	digest := streebog.Sum256(c.RawTBSCertificate)
	if !Verify(issuer, digest[:], r, s) {
		return errors.New("gost: certificate signature does not verify")
	}
	return nil
}

// CertificateHash returns what ESIA calls client_certificate_hash: the
// Streebog-256 hash code of the DER certificate, as 64 upper-case hex digits
// in the usual byte order (the order `cpverify -mk -alg GR3411_2012_256` and
// `openssl dgst -md_gost12_256` print).
func CertificateHash(der []byte) string {
	h := streebog.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// CertificateTemplate is the input of CreateSelfSignedCertificate.
type CertificateTemplate struct {
	SerialNumber        *big.Int // nil: a random 127-bit serial
	Subject             pkix.Name
	NotBefore, NotAfter time.Time
	IsCA                bool // basicConstraints cA=TRUE and keyCertSign usage
}

type tbsCertificateOut struct {
	Version              int `asn1:"explicit,tag:0"`
	SerialNumber         *big.Int
	Signature            pkix.AlgorithmIdentifier
	Issuer               asn1.RawValue
	Validity             validityOut
	Subject              asn1.RawValue
	SubjectPublicKeyInfo subjectPublicKeyInfoASN1
	Extensions           []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type validityOut struct {
	NotBefore, NotAfter asn1.RawValue
}

type basicConstraintsOut struct {
	IsCA bool `asn1:"optional"`
}

// MarshalSubjectPublicKeyInfo returns the DER SubjectPublicKeyInfo of a
// GOST R 34.10-2012 256-bit key. digestParamSet is included except for the
// TC26 parameter sets, following RFC 9215 §4.
func MarshalSubjectPublicKeyInfo(pub *PublicKey) ([]byte, error) {
	spki, err := spkiFor(pub)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(spki)
}

func spkiFor(pub *PublicKey) (subjectPublicKeyInfoASN1, error) {
	if err := pub.Validate(); err != nil {
		return subjectPublicKeyInfoASN1{}, err
	}
	kp := publicKeyParametersASN1{PublicKeyParamSet: pub.Curve.OID}
	if !hasPrefix(pub.Curve.OID, oidTC26ParamSetArc) {
		kp.DigestParamSet = OIDDigestStreebog256
	}
	params, err := asn1.Marshal(kp)
	if err != nil {
		return subjectPublicKeyInfoASN1{}, err
	}
	key, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		return subjectPublicKeyInfoASN1{}, err
	}
	return subjectPublicKeyInfoASN1{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: OIDPublicKeyGost2012256, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: key, BitLength: 8 * len(key)},
	}, nil
}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) >= len(prefix) && oid[:len(prefix)].Equal(prefix)
}

// marshalTime encodes a validity time as RFC 5280 §4.1.2.5 requires: UTCTime
// through 2049, GeneralizedTime from 2050.
func marshalTime(t time.Time) (asn1.RawValue, error) {
	t = t.UTC().Truncate(time.Second)
	params := "utc"
	if t.Year() < 1950 || t.Year() >= 2050 {
		params = "generalized"
	}
	b, err := asn1.MarshalWithParams(t, params)
	if err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{FullBytes: b}, nil
}

// CreateSelfSignedCertificate builds and signs (Streebog-256 + GOST R
// 34.10-2012, OID 1.2.643.7.1.1.3.2) a self-signed X.509 v3 certificate for
// priv and returns its DER. It is meant for tests and for the emulator's own
// keys; the result is checked against its own key before it is returned. A
// nil rand means crypto/rand.
func CreateSelfSignedCertificate(rand io.Reader, tmpl *CertificateTemplate, priv *PrivateKey) ([]byte, error) {
	if tmpl == nil || priv == nil {
		return nil, errors.New("gost: nil template or key")
	}
	if !tmpl.NotAfter.After(tmpl.NotBefore) {
		return nil, errors.New("gost: NotAfter must be after NotBefore")
	}
	serial := tmpl.SerialNumber
	if serial == nil {
		var b [16]byte
		if err := readRand(rand, b[:]); err != nil {
			return nil, err
		}
		b[0] &= 0x7f
		serial = new(big.Int).SetBytes(b[:])
	}
	if serial.Sign() < 0 {
		return nil, errors.New("gost: negative serial number")
	}
	name, err := asn1.Marshal(tmpl.Subject.ToRDNSequence())
	if err != nil {
		return nil, err
	}
	spki, err := spkiFor(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	notBefore, err := marshalTime(tmpl.NotBefore)
	if err != nil {
		return nil, err
	}
	notAfter, err := marshalTime(tmpl.NotAfter)
	if err != nil {
		return nil, err
	}
	// keyUsage: digitalSignature(0), plus keyCertSign(5) and cRLSign(6) for
	// a CA. DER names the bits from the most significant end.
	usage := byte(0x80)
	bitLen := 1
	if tmpl.IsCA {
		usage |= 0x04 | 0x02
		bitLen = 7
	}
	ku, err := asn1.Marshal(asn1.BitString{Bytes: []byte{usage}, BitLength: bitLen})
	if err != nil {
		return nil, err
	}
	bc, err := asn1.Marshal(basicConstraintsOut{IsCA: tmpl.IsCA})
	if err != nil {
		return nil, err
	}
	sigAlg := pkix.AlgorithmIdentifier{Algorithm: OIDSignatureGost2012256}
	tbs := tbsCertificateOut{
		Version:              2,
		SerialNumber:         serial,
		Signature:            sigAlg,
		Issuer:               asn1.RawValue{FullBytes: name},
		Validity:             validityOut{notBefore, notAfter},
		Subject:              asn1.RawValue{FullBytes: name},
		SubjectPublicKeyInfo: spki,
		Extensions:           []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: ku}},
	}
	if tmpl.IsCA {
		tbs.Extensions = append(tbs.Extensions, pkix.Extension{Id: oidExtBasicConstraints, Critical: true, Value: bc})
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	digest := streebog.Sum256(tbsDER)
	sig, err := SignRaw(rand, priv, digest[:], SR)
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}{asn1.RawValue{FullBytes: tbsDER}, sigAlg, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		return nil, err
	}
	cert, err := parseCertificate(der, func(oid asn1.ObjectIdentifier) (*Curve, bool) {
		if oid.Equal(priv.Curve.OID) {
			return priv.Curve, true
		}
		return nil, false
	})
	if err != nil {
		return nil, fmt.Errorf("gost: created certificate does not parse: %w", err)
	}
	if err := cert.CheckSignatureFrom(&priv.PublicKey); err != nil {
		return nil, fmt.Errorf("gost: created certificate does not verify: %w", err)
	}
	return der, nil
}

func readRand(rand io.Reader, b []byte) error {
	if rand == nil {
		rand = cryptorand.Reader
	}
	_, err := io.ReadFull(rand, b)
	return err
}
