package esia

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
)

// secretInput is what a request offers to the client_secret check. v2 marks the raw-signature
// endpoints (/v2/ac, /v3/te).
type secretInput struct {
	Endpoint    string
	V2          bool
	ClientID    string
	Scope       string
	ScopeOrg    string
	Timestamp   parsedTimestamp
	State       string
	RedirectURI string
	Code        string // /v3/te with grant_type=authorization_code
	Secret      string
	CertHash    string // client_certificate_hash
}

// secretResult is the outcome of a check, for the relying party, the log and diagnostics.
type secretResult struct {
	Mode     string
	Method   string   // how the signature matched
	Oddities []string // what deviated from the MR but was accepted (lenient mode)
	Err      *Error   // nil: accepted
}

func (r *secretResult) odd(format string, a ...any) {
	r.Oddities = append(r.Oddities, fmt.Sprintf(format, a...))
}

func (r *secretResult) fail(e *Error, detail string, a ...any) {
	r.Err = e.with(detail, a...)
}

// candidate is one message the client may have signed; note is "" for the one the MR
// prescribes and otherwise says how it differs.
type candidate struct {
	msg  []byte
	note string
}

// candidates lists the messages to try, the prescribed one first. strict keeps only the
// prescribed order (with every spelling of the timestamp the client may have signed).
func (in secretInput) candidates(strict bool) []candidate {
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
func (in secretInput) expected() string {
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

// checkSecret verifies client_secret (and client_certificate_hash on v2/v3) for cl. Presence of
// the parameters is checked by the caller before.
func checkSecret(cl *esiaClient, in secretInput, now time.Time) secretResult {
	res := secretResult{Mode: cl.mode}
	if cl.mode == config.SecretCheckOff {
		res.Method = "not checked (secret_check: off)"
		return res
	}
	strict := cl.mode == config.SecretCheckStrict
	if cl.cert == nil || cl.verifier == nil {
		res.fail(errNoCertificate(), "%s", cl.certErr)
		return res
	}
	if now.Before(cl.cert.NotBefore) || now.After(cl.cert.NotAfter) {
		if strict {
			res.fail(errSecretWrong(), "the registered certificate is not valid at %s (valid %s – %s)",
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
		res.fail(errSecretWrong(), "%v", err)
		return res
	}
	res.Oddities = append(res.Oddities, sec.Oddities...)
	cands := in.candidates(strict)
	sd, cmsErr := parseSignedData(sec.Bytes)
	switch {
	case !in.V2 && cmsErr != nil:
		res.fail(errSecretWrong(), "v1 client_secret must be a PKCS#7/CMS SignedData: %v", cmsErr)
		return res
	case in.V2 && cmsErr == nil:
		if strict {
			res.fail(errSecretWrong(), "a PKCS#7/CMS container on %s: ESIA wants the raw signature here", in.Endpoint)
			return res
		}
		res.odd("a PKCS#7/CMS container on %s (real ESIA rejects it; send the raw signature)", in.Endpoint)
	}
	if sd != nil {
		checkSignedData(cl, sd, cands, in.expected(), strict, &res)
	} else {
		checkRaw(cl, sec.Bytes, cands, in.expected(), strict, &res)
	}
	if res.Err == nil {
		res.Method += "; " + sec.Encoding
		if cl.verifier.Algorithm() == "RSA" && !strict {
			res.odd("note: an RSA key; production ESIA accepts only GOST R 34.10-2012 signatures")
		}
	}
	return res
}

// checkCertHash compares client_certificate_hash with the registered certificate.
func checkCertHash(cl *esiaClient, got string, strict bool, res *secretResult) bool {
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
		res.fail(errSecretWrong(), "client_certificate_hash is the SHA-1 thumbprint; ESIA wants Streebog-256 of the DER certificate (%s)", want)
	default:
		res.fail(errSecretWrong(), "client_certificate_hash %q is not the registered certificate's (%s)", got, want)
	}
	return false
}

func checkSignedData(cl *esiaClient, sd *signedData, cands []candidate, expected string, strict bool, res *secretResult) {
	v := cl.verifier
	if sd.BER && !strict {
		res.odd("the CMS uses BER (indefinite lengths); DER is usual")
	}
	if !sd.ContentType.Equal(oidData) {
		res.fail(errSecretWrong(), "the CMS content type is %s, not id-data", sd.ContentType)
		return
	}
	if sd.Attached {
		if strict {
			res.fail(errSecretWrong(), "the CMS carries the content (attached); the MR prescribes a detached signature")
			return
		}
		res.odd("the CMS carries the signed content (attached signature); the MR prescribes detached")
	}
	if len(sd.Certificates) > 0 {
		same := false
		for _, c := range sd.Certificates {
			same = same || bytes.Equal(c, cl.cert.Raw)
		}
		if !same {
			if strict {
				res.fail(errSecretWrong(), "the certificate in the CMS is not the registered one")
				return
			}
			res.odd("the certificate in the CMS is not the registered one (the registered one is used)")
		}
	}
	si := sd.Signer
	if !signerMatches(si, cl.cert) {
		if strict {
			res.fail(errSecretWrong(), "the CMS signer identifier does not name the registered certificate")
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
			res.fail(errSecretWrong(), "CMS digest %s; want %s", digestName(si.DigestAlg), digestName(wantDigest))
			return
		}
		res.odd("CMS digest %s instead of %s", digestName(si.DigestAlg), digestName(wantDigest))
	}
	if si.SignedAttrs != nil && si.ContentTypeAttr != nil && !si.ContentTypeAttr.Equal(oidData) {
		res.fail(errSecretWrong(), "the contentType attribute is %s, not id-data", si.ContentTypeAttr)
		return
	}
	if si.SignedAttrs != nil && si.ContentTypeAttr == nil {
		if strict {
			res.fail(errSecretWrong(), "signed attributes without the contentType attribute")
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
	res.fail(errSecretWrong(), "CMS signature: %v; the signed message should be %s", lastErr, expected)
}

func checkRaw(cl *esiaClient, sig []byte, cands []candidate, expected string, strict bool, res *secretResult) {
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
	res.fail(errSecretWrong(), "raw signature: %v; the signed message should be %s", lastErr, expected)
}

// signerMatches reports whether the SignerInfo names cert.
func signerMatches(si signerInfo, cert *x509.Certificate) bool {
	if si.SubjectKeyID != nil {
		return len(cert.SubjectKeyId) > 0 && bytes.Equal(si.SubjectKeyID, cert.SubjectKeyId)
	}
	return bytes.Equal(si.IssuerRaw, cert.RawIssuer) && si.Serial != nil && si.Serial.Cmp(cert.SerialNumber) == 0
}

var errNoCert = errors.New("no certificate registered")
