package clientsecret

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // only to recognise a SHA-1 thumbprint sent as client_certificate_hash
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
)

// Input is what a request offers to the check. V2 marks the raw-signature endpoints
// (/v2/ac, /v3/te).
type Input struct {
	Endpoint    string
	V2          bool
	ClientID    string
	Scope       string
	ScopeOrg    string
	Timestamp   Timestamp
	State       string
	RedirectURI string
	Code        string // /v3/te with grant_type=authorization_code
	Secret      string
	CertHash    string // client_certificate_hash
}

// Result is the outcome of a check, for the relying party, the log and diagnostics.
type Result struct {
	Mode     string
	Method   string   // how the signature matched
	Oddities []string // what deviated from the MR but was accepted (lenient mode)
	Refusal  *Refusal // nil: accepted
}

// Reason names the ESIA error a refusal is answered with.
type Reason int

const (
	// NoCertificate is ESIA-007002: no usable certificate is registered for the client.
	NoCertificate Reason = iota + 1
	// SecretWrong is ESIA-007053 (clientSecretWrong): the signature or the certificate hash
	// does not match.
	SecretWrong
)

// Refusal says why a check failed. Detail is for the log and the diagnostics page, not for
// the relying party.
type Refusal struct {
	Reason Reason
	Detail string
}

func (r *Refusal) Error() string { return r.Detail }

func (r *Result) odd(format string, a ...any) {
	r.Oddities = append(r.Oddities, fmt.Sprintf(format, a...))
}

func (r *Result) fail(reason Reason, detail string, a ...any) {
	r.Refusal = &Refusal{Reason: reason, Detail: fmt.Sprintf(detail, a...)}
}

// Checker checks the client_secret of one client against its registered certificate.
type Checker struct {
	mode     string
	cert     *x509.Certificate // nil without one
	certHash string            // Streebog-256, upper-case hex
	certErr  string            // why there is no verifier
	verifier signatureVerifier
}

// NewChecker prepares the check for a client in mode (config.SecretCheckOff, …Lenient,
// …Strict) with its registered certificate (DER; nil for none). A certificate whose key
// cannot be checked is an error unless the mode is off.
func NewChecker(mode string, certDER []byte) (*Checker, error) {
	cl := &Checker{mode: mode, certErr: errNoCert.Error()}
	if certDER == nil {
		return cl, nil
	}
	var err error
	if cl.cert, err = x509.ParseCertificate(certDER); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	cl.certHash = gost.CertificateHash(certDER)
	if cl.verifier, err = newVerifier(cl.cert); err != nil {
		if mode != config.SecretCheckOff {
			return nil, err
		}
		cl.certErr = err.Error()
	}
	return cl, nil
}

// candidate is one message the client may have signed; note is "" for the one the MR
// prescribes and otherwise says how it differs.
type candidate struct {
	msg  []byte
	note string
}

// candidates lists the messages to try, the prescribed one first. strict keeps only the
// prescribed order (with every spelling of the timestamp the client may have signed).
func (in Input) candidates(strict bool) []candidate {
	var out []candidate
	for i, ts := range in.Timestamp.Signed {
		note := ""
		if i > 0 {
			note = "signed timestamp differs from the one received"
		}
		if !in.V2 {
			out = append(out, candidate{[]byte(in.Scope + ts + in.ClientID + in.State), note})
			continue
		}
		scope := in.Scope + in.ScopeOrg
		out = append(out, candidate{[]byte(in.ClientID + scope + ts + in.State + in.RedirectURI + in.Code), note})
		if strict {
			continue
		}
		if in.ScopeOrg != "" {
			out = append(out, candidate{[]byte(in.ClientID + in.Scope + ts + in.State + in.RedirectURI + in.Code), "scope_org left out of the signed message"})
		}
		// fr05t1k 3.x signs the v1 order on v2/v3.
		out = append(out, candidate{[]byte(in.Scope + ts + in.ClientID + in.State), "v1 message order (scope+timestamp+client_id+state) on a v2/v3 endpoint"})
	}
	return out
}

// expected describes the prescribed message for reports, with the code (a credential) left out.
func (in Input) expected() string {
	ts := ""
	if len(in.Timestamp.Signed) > 0 {
		ts = in.Timestamp.Signed[0]
	}
	if !in.V2 {
		return fmt.Sprintf("scope+timestamp+client_id+state = %q", in.Scope+ts+in.ClientID+in.State)
	}
	s := fmt.Sprintf("client_id+scope+timestamp+state+redirect_uri = %q", in.ClientID+in.Scope+in.ScopeOrg+ts+in.State+in.RedirectURI)
	if in.Code != "" {
		s += " + code"
	}
	return s
}

// Check verifies client_secret (and client_certificate_hash on v2/v3). Presence of the
// parameters is checked by the caller before.
func (cl *Checker) Check(in Input, now time.Time) Result {
	res := Result{Mode: cl.mode}
	if cl.mode == config.SecretCheckOff {
		res.Method = "not checked (secret_check: off)"
		return res
	}
	strict := cl.mode == config.SecretCheckStrict
	if cl.cert == nil || cl.verifier == nil {
		res.fail(NoCertificate, "%s", cl.certErr)
		return res
	}
	if now.Before(cl.cert.NotBefore) || now.After(cl.cert.NotAfter) {
		if strict {
			res.fail(SecretWrong, "the registered certificate is not valid at %s (valid %s – %s)",
				now.Format(time.RFC3339), cl.cert.NotBefore.Format(time.RFC3339), cl.cert.NotAfter.Format(time.RFC3339))
			return res
		}
		res.odd("the registered certificate is outside its validity period")
	}
	if in.V2 && !checkCertHash(cl, in.CertHash, strict, &res) {
		return res
	}
	if !strict {
		res.Oddities = append(res.Oddities, in.Timestamp.Oddities...)
	}
	sec, err := decodeSecret(in.Secret, strict)
	if err != nil {
		res.fail(SecretWrong, "%v", err)
		return res
	}
	res.Oddities = append(res.Oddities, sec.Oddities...)
	cands := in.candidates(strict)
	sd, cmsErr := parseSignedData(sec.Bytes)
	switch {
	case !in.V2 && cmsErr != nil:
		res.fail(SecretWrong, "v1 client_secret must be a PKCS#7/CMS SignedData: %v", cmsErr)
		return res
	case in.V2 && cmsErr == nil:
		if strict {
			res.fail(SecretWrong, "a PKCS#7/CMS container on %s: ESIA wants the raw signature here", in.Endpoint)
			return res
		}
		res.odd("a PKCS#7/CMS container on %s (real ESIA rejects it; send the raw signature)", in.Endpoint)
	}
	if sd != nil {
		checkSignedData(cl, sd, cands, in.expected(), strict, &res)
	} else {
		checkRaw(cl, sec.Bytes, cands, in.expected(), strict, &res)
	}
	if res.Refusal == nil {
		res.Method += "; " + sec.Encoding
		if cl.verifier.Algorithm() == "RSA" && !strict {
			res.odd("note: an RSA key; production ESIA accepts only GOST R 34.10-2012 signatures")
		}
	}
	return res
}

// checkCertHash compares client_certificate_hash with the registered certificate.
func checkCertHash(cl *Checker, got string, strict bool, res *Result) bool {
	want := cl.certHash
	switch {
	case got == want:
		return true
	case strings.EqualFold(got, want):
		if !strict {
			res.odd("client_certificate_hash in lower case")
		}
		return true
	}
	sum256 := sha256.Sum256(cl.cert.Raw)
	sum1 := sha1.Sum(cl.cert.Raw) //nolint:gosec // see the import
	switch {
	case strings.EqualFold(got, hex.EncodeToString(sum256[:])) && !strict:
		res.odd("client_certificate_hash is the SHA-256 fingerprint; ESIA wants Streebog-256 (GOST R 34.11-2012) of the DER certificate")
		return true
	case strings.EqualFold(got, hex.EncodeToString(sum1[:])):
		res.fail(SecretWrong, "client_certificate_hash is the SHA-1 thumbprint; ESIA wants Streebog-256 of the DER certificate (%s)", want)
	default:
		res.fail(SecretWrong, "client_certificate_hash %q is not the registered certificate's (%s)", got, want)
	}
	return false
}

func checkSignedData(cl *Checker, sd *signedData, cands []candidate, expected string, strict bool, res *Result) {
	v := cl.verifier
	if sd.BER && !strict {
		res.odd("the CMS uses BER (indefinite lengths); DER is usual")
	}
	if !sd.ContentType.Equal(oidData) {
		res.fail(SecretWrong, "the CMS content type is %s, not id-data", sd.ContentType)
		return
	}
	if sd.Attached {
		if strict {
			res.fail(SecretWrong, "the CMS carries the content (attached); the MR prescribes a detached signature")
			return
		}
		res.odd("the CMS carries the signed content (attached signature); the MR prescribes detached")
	}
	// A CMS signed with another certificate than the system's is ESIA-007002 ("the
	// certificate does not match the system"): at once in strict mode, in lenient mode when
	// the registered key does not verify it either.
	foreign := ""
	if len(sd.Certificates) > 0 {
		same := false
		for _, c := range sd.Certificates {
			same = same || bytes.Equal(c, cl.cert.Raw)
		}
		if !same {
			foreign = "the certificate in the CMS is not the registered one"
			if strict {
				res.fail(NoCertificate, "%s", foreign)
				return
			}
			res.odd("%s (the registered one is used)", foreign)
		}
	}
	si := sd.Signer
	if !signerMatches(si, cl.cert) {
		if foreign == "" {
			foreign = "the CMS signer identifier does not name the registered certificate"
		}
		if strict {
			res.fail(NoCertificate, "the CMS signer identifier does not name the registered certificate")
			return
		}
		res.odd("the CMS signer identifier does not name the registered certificate")
	}
	wantDigest := oidSHA256
	if v.Algorithm() != "RSA" {
		wantDigest = oidStreebog256
	}
	if !si.DigestAlg.Equal(wantDigest) {
		if strict {
			res.fail(SecretWrong, "CMS digest %s; want %s", digestName(si.DigestAlg), digestName(wantDigest))
			return
		}
		res.odd("CMS digest %s instead of %s", digestName(si.DigestAlg), digestName(wantDigest))
	}
	if si.SignedAttrs != nil && si.ContentTypeAttr != nil && !si.ContentTypeAttr.Equal(oidData) {
		res.fail(SecretWrong, "the contentType attribute is %s, not id-data", si.ContentTypeAttr)
		return
	}
	if si.SignedAttrs != nil && si.ContentTypeAttr == nil {
		if strict {
			res.fail(SecretWrong, "signed attributes without the contentType attribute")
			return
		}
		res.odd("signed attributes without the contentType attribute")
	}
	var lastErr error
	for _, c := range cands {
		if err := checkCMS(sd, v, c.msg); err != nil {
			lastErr = err
			continue
		}
		if c.note != "" {
			res.odd("%s", c.note)
		}
		form := "detached"
		if sd.Attached {
			form = "attached"
		}
		attrs := "no signed attributes"
		if si.SignedAttrs != nil {
			attrs = "signed attributes"
		}
		res.Method = fmt.Sprintf("CMS %s, %s, %s, %s", form, attrs, digestName(si.DigestAlg), v.Algorithm())
		return
	}
	if foreign != "" {
		res.fail(NoCertificate, "%s, and the registered key does not verify the signature: %v", foreign, lastErr)
		return
	}
	res.fail(SecretWrong, "CMS signature: %v; the signed message should be %s", lastErr, expected)
}

func checkRaw(cl *Checker, sig []byte, cands []candidate, expected string, strict bool, res *Result) {
	var lastErr error
	for _, c := range cands {
		layout, canonical, err := cl.verifier.VerifyRaw(c.msg, sig, strict)
		if err != nil {
			lastErr = err
			continue
		}
		if c.note != "" {
			res.odd("%s", c.note)
		}
		if !canonical {
			res.odd("raw signature byte order: %s (ESIA expects s||r big-endian, as OpenSSL writes it)", layout)
		}
		res.Method = "raw signature, " + layout + ", " + cl.verifier.Algorithm()
		return
	}
	if lastErr == nil {
		lastErr = errBadSignature
	}
	res.fail(SecretWrong, "raw signature: %v; the signed message should be %s", lastErr, expected)
}

// signerMatches reports whether the SignerInfo names cert.
func signerMatches(si signerInfo, cert *x509.Certificate) bool {
	if si.SubjectKeyID != nil {
		return len(cert.SubjectKeyId) > 0 && bytes.Equal(si.SubjectKeyID, cert.SubjectKeyId)
	}
	return bytes.Equal(si.IssuerRaw, cert.RawIssuer) && si.Serial != nil && si.Serial.Cmp(cert.SerialNumber) == 0
}

var errNoCert = errors.New("no certificate registered")
