package esig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// Object identifiers of the subject attributes of Russian qualified certificates.
var (
	OIDSNILS     = asn1.ObjectIdentifier{1, 2, 643, 100, 3}       // СНИЛС, NumericString of 11 digits
	OIDINN       = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1} // ИНН, NumericString of 12 digits
	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}              // SN: Фамилия
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}             // GN: Имя Отчество
)

// Errors of VerifySignature and Signer.Matches.
var (
	ErrNoTrustedCA          = errors.New("proofing: no test CA is configured for e-signatures")
	ErrBadCertificate       = errors.New("proofing: the certificate cannot be read or is not a signing certificate")
	ErrCertUntrusted        = errors.New("proofing: the certificate does not chain to a trusted CA")
	ErrCertExpired          = errors.New("proofing: the certificate has expired or is not yet valid")
	ErrBadSignatureEncoding = errors.New("proofing: the signature is not base64")
	ErrBadSignature         = errors.New("proofing: the signature does not match the challenge")
	ErrUnsupportedKey       = errors.New("proofing: the certificate's key type is not supported (use RSA, ECDSA or Ed25519)")
	ErrSignerMismatch       = errors.New("proofing: the certificate names someone else")
)

// Signer describes the certificate that made a valid signature.
type Signer struct {
	Subject      string    `json:"subject"`
	CommonName   string    `json:"common_name,omitempty"`
	Surname      string    `json:"surname,omitempty"`
	GivenName    string    `json:"given_name,omitempty"` // "Имя Отчество"
	SNILS        string    `json:"snils,omitempty"`      // 11 digits when it parses
	INN          string    `json:"inn,omitempty"`
	IssuerName   string    `json:"issuer,omitempty"`
	Serial       string    `json:"serial"` // hex
	NotAfter     time.Time `json:"not_after"`
	KeyAlgorithm string    `json:"key_algorithm"`
}

// Matches reports whether the certificate names the account's citizen: when it carries a
// SNILS, that SNILS must be the account's; otherwise the surname (SN) and given names (GN,
// "Имя Отчество") or the common name ("Фамилия Имя Отчество") must equal the account's,
// ignoring case, ё/е and spacing. Else ErrSignerMismatch.
func (s Signer) Matches(u storage.User) error {
	if s.SNILS != "" {
		cs, err1 := ident.NormalizeSNILS(s.SNILS)
		us, err2 := ident.NormalizeSNILS(u.SNILS)
		if err1 == nil && err2 == nil && cs == us {
			return nil
		}
		return fmt.Errorf("%w: the certificate's SNILS %s is not the account's", ErrSignerMismatch, s.SNILS)
	}
	given := strings.TrimSpace(u.FirstName + " " + u.MiddleName)
	if s.Surname != "" && s.GivenName != "" && ident.SameName(s.Surname, u.LastName) && ident.SameName(s.GivenName, given) {
		return nil
	}
	if s.CommonName != "" && ident.SameName(s.CommonName, u.FullName()) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrSignerMismatch, s.Subject)
}

// VerifySignature checks a signature over challenge made by the first certificate of
// certs, and returns who signed:
//
//   - certs is PEM (the citizen's certificate first, then any intermediates), base64 DER or
//     raw DER (ParseCertificates); the first must not be a CA and, if it states key usage,
//     allow digitalSignature or nonRepudiation;
//   - it must chain to roots at now (x509 verification, any extended key usage);
//   - signature is base64 (standard or URL alphabet, padded or not, line breaks allowed) of
//     a signature over the challenge's bytes: RSA PKCS #1 v1.5 with SHA-256, ECDSA with
//     SHA-256 (ASN.1 DER as openssl writes it, or r‖s), or Ed25519 over the bytes. A
//     signature over the challenge followed by one newline (echo instead of printf) is
//     accepted too.
func VerifySignature(challenge, signature, certs string, roots *x509.CertPool, now time.Time) (Signer, error) {
	if roots == nil {
		return Signer{}, ErrNoTrustedCA
	}
	chain, err := ParseCertificates(certs)
	if err != nil {
		return Signer{}, err
	}
	leaf := chain[0]
	if leaf.IsCA {
		return Signer{}, fmt.Errorf("%w: it is a CA certificate, not a citizen's", ErrBadCertificate)
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return Signer{}, fmt.Errorf("%w: its key usage does not allow signing", ErrBadCertificate)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			return Signer{}, fmt.Errorf("%w: %w", ErrCertExpired, err)
		}
		return Signer{}, fmt.Errorf("%w: %w", ErrCertUntrusted, err)
	}
	sig, err := DecodeSignature(signature)
	if err != nil {
		return Signer{}, err
	}
	alg, err := verifyWith(leaf.PublicKey, sig, []byte(challenge), []byte(challenge+"\n"))
	if err != nil {
		return Signer{}, err
	}
	s := signerOf(leaf)
	s.KeyAlgorithm = alg
	return s, nil
}

// verifyWith checks sig against each candidate message with the key; it returns the key
// algorithm's name.
func verifyWith(pub any, sig []byte, msgs ...[]byte) (string, error) {
	for _, msg := range msgs {
		h := sha256.Sum256(msg)
		switch k := pub.(type) {
		case *rsa.PublicKey:
			if rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil {
				return "RSA", nil
			}
		case *ecdsa.PublicKey:
			if ecdsa.VerifyASN1(k, h[:], sig) {
				return "ECDSA " + k.Curve.Params().Name, nil
			}
			if size := (k.Curve.Params().BitSize + 7) / 8; len(sig) == 2*size {
				r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
				if ecdsa.Verify(k, h[:], r, s) {
					return "ECDSA " + k.Curve.Params().Name, nil
				}
			}
		case ed25519.PublicKey:
			if ed25519.Verify(k, msg, sig) {
				return "Ed25519", nil
			}
		default:
			return "", ErrUnsupportedKey
		}
	}
	return "", ErrBadSignature
}

func signerOf(c *x509.Certificate) Signer {
	s := Signer{Subject: c.Subject.String(), CommonName: c.Subject.CommonName,
		Serial: hex.EncodeToString(c.SerialNumber.Bytes()), NotAfter: c.NotAfter}
	s.IssuerName = c.Issuer.CommonName
	if s.IssuerName == "" && len(c.Issuer.Organization) > 0 {
		s.IssuerName = c.Issuer.Organization[0]
	}
	for _, atv := range c.Subject.Names {
		v, ok := atv.Value.(string)
		if !ok {
			continue
		}
		switch {
		case atv.Type.Equal(OIDSNILS):
			s.SNILS = v
			if n, err := ident.NormalizeSNILS(v); err == nil {
				s.SNILS = n
			}
		case atv.Type.Equal(OIDINN):
			s.INN = v
		case atv.Type.Equal(oidSurname):
			s.Surname = v
		case atv.Type.Equal(oidGivenName):
			s.GivenName = v
		}
	}
	return s
}

// Limits on the size of e-signature input.
const (
	maxCertInput = 64 << 10
	maxCerts     = 10
	maxSigInput  = 4096
	maxSigBytes  = 1024
)

// ParseCertificates reads one or more certificates: PEM blocks of type CERTIFICATE (other
// blocks are skipped, but a private key is refused so the citizen learns not to paste it),
// or a single certificate as base64 DER or raw DER. Errors wrap ErrBadCertificate.
func ParseCertificates(s string) ([]*x509.Certificate, error) {
	if len(s) > maxCertInput {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadCertificate, maxCertInput)
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("%w: empty", ErrBadCertificate)
	}
	if !strings.Contains(t, "-----BEGIN") {
		der, err := decodeBase64(t)
		if err != nil {
			der = []byte(s)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadCertificate, err)
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	rest := []byte(t)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case b.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBadCertificate, err)
			}
			if out = append(out, c); len(out) > maxCerts {
				return nil, fmt.Errorf("%w: more than %d certificates", ErrBadCertificate, maxCerts)
			}
		case strings.Contains(b.Type, "PRIVATE KEY"):
			return nil, fmt.Errorf("%w: a private key was given; send only the certificate and keep the key secret", ErrBadCertificate)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no CERTIFICATE block", ErrBadCertificate)
	}
	return out, nil
}

// DecodeSignature reads a base64 signature (standard or URL alphabet, with or without
// padding, whitespace and line breaks ignored) of 1 to 1024 bytes. Errors wrap
// ErrBadSignatureEncoding.
func DecodeSignature(s string) ([]byte, error) {
	if len(s) > maxSigInput {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrBadSignatureEncoding, maxSigInput)
	}
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSignatureEncoding, err)
	}
	if len(b) == 0 || len(b) > maxSigBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadSignatureEncoding, len(b))
	}
	return b, nil
}

func decodeBase64(s string) ([]byte, error) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if t == "" {
		return nil, errors.New("empty")
	}
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		var b []byte
		if b, err = enc.Strict().DecodeString(t); err == nil {
			return b, nil
		}
	}
	return nil, err
}

// LoadRoots reads the test CA certificates (PEM) that citizens' certificates must chain to.
func LoadRoots(pemBytes []byte) (*x509.CertPool, error) {
	certs, err := ParseCertificates(string(pemBytes))
	if err != nil {
		return nil, fmt.Errorf("proofing: e-signature CA: %w", err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// SubjectWithSNILS builds a certificate subject as Russian qualified certificates carry it:
// CN "Фамилия Имя Отчество", SN, GN "Имя Отчество", C RU and the SNILS (and INN when given)
// as NumericStrings. For tests and tools that issue citizens' certificates.
func SubjectWithSNILS(lastName, firstName, middleName, snils, inn string) pkix.Name {
	given := strings.TrimSpace(firstName + " " + middleName)
	n := pkix.Name{Country: []string{"RU"}, CommonName: strings.TrimSpace(lastName + " " + given)}
	n.ExtraNames = append(n.ExtraNames,
		pkix.AttributeTypeAndValue{Type: oidSurname, Value: lastName},
		pkix.AttributeTypeAndValue{Type: oidGivenName, Value: given})
	if snils != "" {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: OIDSNILS, Value: numericString(snils)})
	}
	if inn != "" {
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: OIDINN, Value: numericString(inn)})
	}
	return n
}

// numericString wraps digits as an ASN.1 NumericString for pkix.Name.ExtraNames.
func numericString(s string) asn1.RawValue {
	b, _ := asn1.MarshalWithParams(digitsOf(s), "numeric")
	var rv asn1.RawValue
	_, _ = asn1.Unmarshal(b, &rv)
	return rv
}

// digitsOf returns s without spaces and dashes, or "" when anything else but digits remains.
func digitsOf(s string) string {
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			d = append(d, c)
		case c == ' ' || c == '-':
		default:
			return ""
		}
	}
	return string(d)
}

// SignerOf is what a certificate says about its holder (SNILS, names, serial, …); it checks
// nothing. The e-signature login (provider/flow) finds the account by its SNILS.
func SignerOf(c *x509.Certificate) Signer { return signerOf(c) }
