package clientsecret

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// A small reader of CMS / PKCS#7 SignedData (RFC 5652), enough for ESIA's v1 client_secret:
// one signer, detached or attached id-data content, with or without signed attributes.
// Nothing here trusts the embedded certificates: the signature is checked with the client's
// registered certificate, and an embedded one is only compared with it.

var (
	oidData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
)

// signedData is the part of a SignedData that the check needs.
type signedData struct {
	// Content is the encapsulated content (attached signature); nil when detached.
	Content      []byte
	Attached     bool
	ContentType  asn1.ObjectIdentifier
	Certificates [][]byte
	Signer       signerInfo
	// BER: the input was BER (indefinite lengths, chunked strings) and was normalised.
	BER bool
}

type signerInfo struct {
	Version int
	// Exactly one of IssuerRaw+Serial and SubjectKeyID identifies the signer's certificate.
	IssuerRaw    []byte
	Serial       *big.Int
	SubjectKeyID []byte
	DigestAlg    asn1.ObjectIdentifier
	// SignedAttrs is the DER of the signed attributes as a SET OF (tag 0x31), the bytes the
	// signature covers; nil when there are none.
	SignedAttrs     []byte
	ContentTypeAttr asn1.ObjectIdentifier
	MessageDigest   []byte
	SignatureAlg    asn1.ObjectIdentifier
	Signature       []byte
}

// Limits that keep a hostile input cheap.
const (
	maxASN1Depth    = 32
	maxASN1Children = 256
)

var errCMS = errors.New("not a CMS SignedData")

// parseSignedData reads a ContentInfo holding a SignedData.
func parseSignedData(b []byte) (*signedData, error) {
	if len(b) > maxSecretLen {
		return nil, fmt.Errorf("%w: too long", errCMS)
	}
	der, changed, err := berToDER(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCMS, err)
	}
	sd := &signedData{BER: changed}
	ci, err := sequence(der)
	if err != nil {
		return nil, err
	}
	if len(ci) < 2 {
		return nil, fmt.Errorf("%w: ContentInfo has %d fields", errCMS, len(ci))
	}
	var ct asn1.ObjectIdentifier
	if err := unmarshalAll(ci[0].FullBytes, &ct); err != nil || !ct.Equal(oidSignedData) {
		return nil, fmt.Errorf("%w: content type is not signedData", errCMS)
	}
	if !isContext(ci[1], 0, true) {
		return nil, fmt.Errorf("%w: ContentInfo content is not [0] EXPLICIT", errCMS)
	}
	sdFields, err := sequence(ci[1].Bytes)
	if err != nil {
		return nil, err
	}
	// version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos
	if len(sdFields) < 4 {
		return nil, fmt.Errorf("%w: SignedData has %d fields", errCMS, len(sdFields))
	}
	var version int
	if err := unmarshalAll(sdFields[0].FullBytes, &version); err != nil {
		return nil, fmt.Errorf("%w: version: %v", errCMS, err)
	}
	if !isUniversal(sdFields[1], asn1.TagSet, true) {
		return nil, fmt.Errorf("%w: digestAlgorithms is not a SET", errCMS)
	}
	if err := sd.parseEncap(sdFields[2]); err != nil {
		return nil, err
	}
	rest := sdFields[3:]
	if len(rest) > 0 && isContext(rest[0], 0, true) {
		certs, err := children(rest[0].Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: certificates: %v", errCMS, err)
		}
		for _, c := range certs {
			if isUniversal(c, asn1.TagSequence, true) {
				sd.Certificates = append(sd.Certificates, c.FullBytes)
			}
		}
		rest = rest[1:]
	}
	if len(rest) > 0 && isContext(rest[0], 1, true) {
		rest = rest[1:]
	}
	if len(rest) != 1 || !isUniversal(rest[0], asn1.TagSet, true) {
		return nil, fmt.Errorf("%w: signerInfos missing", errCMS)
	}
	signers, err := children(rest[0].Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: signerInfos: %v", errCMS, err)
	}
	if len(signers) != 1 {
		return nil, fmt.Errorf("%w: %d signers, want exactly one", errCMS, len(signers))
	}
	if sd.Signer, err = parseSignerInfo(signers[0]); err != nil {
		return nil, err
	}
	return sd, nil
}

func (sd *signedData) parseEncap(v asn1.RawValue) error {
	if !isUniversal(v, asn1.TagSequence, true) {
		return fmt.Errorf("%w: encapContentInfo is not a SEQUENCE", errCMS)
	}
	f, err := children(v.Bytes)
	if err != nil || len(f) == 0 || len(f) > 2 {
		return fmt.Errorf("%w: encapContentInfo", errCMS)
	}
	if err := unmarshalAll(f[0].FullBytes, &sd.ContentType); err != nil {
		return fmt.Errorf("%w: eContentType: %v", errCMS, err)
	}
	if len(f) == 2 {
		if !isContext(f[1], 0, true) {
			return fmt.Errorf("%w: eContent is not [0] EXPLICIT", errCMS)
		}
		var content []byte
		if err := unmarshalAll(f[1].Bytes, &content); err != nil {
			return fmt.Errorf("%w: eContent is not an OCTET STRING: %v", errCMS, err)
		}
		sd.Content, sd.Attached = content, true
	}
	return nil
}

func parseSignerInfo(v asn1.RawValue) (signerInfo, error) {
	var si signerInfo
	if !isUniversal(v, asn1.TagSequence, true) {
		return si, fmt.Errorf("%w: SignerInfo is not a SEQUENCE", errCMS)
	}
	f, err := children(v.Bytes)
	if err != nil {
		return si, fmt.Errorf("%w: SignerInfo: %v", errCMS, err)
	}
	// version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, [1] unsignedAttrs
	if len(f) < 5 {
		return si, fmt.Errorf("%w: SignerInfo has %d fields", errCMS, len(f))
	}
	if err := unmarshalAll(f[0].FullBytes, &si.Version); err != nil {
		return si, fmt.Errorf("%w: SignerInfo version: %v", errCMS, err)
	}
	switch {
	case isUniversal(f[1], asn1.TagSequence, true):
		ias, err := children(f[1].Bytes)
		if err != nil || len(ias) != 2 || !isUniversal(ias[0], asn1.TagSequence, true) {
			return si, fmt.Errorf("%w: issuerAndSerialNumber", errCMS)
		}
		si.IssuerRaw = ias[0].FullBytes
		si.Serial = new(big.Int)
		if err := unmarshalAll(ias[1].FullBytes, &si.Serial); err != nil {
			return si, fmt.Errorf("%w: serial number: %v", errCMS, err)
		}
	case isContext(f[1], 0, false):
		si.SubjectKeyID = f[1].Bytes
	default:
		return si, fmt.Errorf("%w: unknown signer identifier", errCMS)
	}
	if si.DigestAlg, err = algorithmOID(f[2]); err != nil {
		return si, fmt.Errorf("%w: digestAlgorithm: %v", errCMS, err)
	}
	i := 3
	if isContext(f[i], 0, true) {
		// The signature covers the DER of the attributes with the SET OF tag, not the
		// IMPLICIT [0] they are written with.
		si.SignedAttrs = append([]byte{0x31}, f[i].FullBytes[1:]...)
		if err := si.parseAttrs(f[i].Bytes); err != nil {
			return si, err
		}
		i++
	}
	if len(f) < i+2 {
		return si, fmt.Errorf("%w: SignerInfo is short", errCMS)
	}
	if si.SignatureAlg, err = algorithmOID(f[i]); err != nil {
		return si, fmt.Errorf("%w: signatureAlgorithm: %v", errCMS, err)
	}
	if err := unmarshalAll(f[i+1].FullBytes, &si.Signature); err != nil {
		return si, fmt.Errorf("%w: signature: %v", errCMS, err)
	}
	if len(f) > i+3 || (len(f) == i+3 && !isContext(f[i+2], 1, true)) {
		return si, fmt.Errorf("%w: unexpected fields after the signature", errCMS)
	}
	return si, nil
}

func (si *signerInfo) parseAttrs(b []byte) error {
	attrs, err := children(b)
	if err != nil {
		return fmt.Errorf("%w: signedAttrs: %v", errCMS, err)
	}
	for _, a := range attrs {
		f, err := sequence(a.FullBytes)
		if err != nil || len(f) != 2 || !isUniversal(f[1], asn1.TagSet, true) {
			return fmt.Errorf("%w: attribute", errCMS)
		}
		var typ asn1.ObjectIdentifier
		if err := unmarshalAll(f[0].FullBytes, &typ); err != nil {
			return fmt.Errorf("%w: attribute type: %v", errCMS, err)
		}
		vals, err := children(f[1].Bytes)
		if err != nil {
			return fmt.Errorf("%w: attribute values: %v", errCMS, err)
		}
		switch {
		case typ.Equal(oidAttrContentType):
			if si.ContentTypeAttr != nil || len(vals) != 1 {
				return fmt.Errorf("%w: contentType attribute must have one value and appear once", errCMS)
			}
			if err := unmarshalAll(vals[0].FullBytes, &si.ContentTypeAttr); err != nil {
				return fmt.Errorf("%w: contentType attribute: %v", errCMS, err)
			}
		case typ.Equal(oidAttrMessageDigest):
			if si.MessageDigest != nil || len(vals) != 1 {
				return fmt.Errorf("%w: messageDigest attribute must have one value and appear once", errCMS)
			}
			if err := unmarshalAll(vals[0].FullBytes, &si.MessageDigest); err != nil {
				return fmt.Errorf("%w: messageDigest attribute: %v", errCMS, err)
			}
		}
	}
	if si.MessageDigest == nil {
		return fmt.Errorf("%w: signed attributes without messageDigest", errCMS)
	}
	return nil
}

// ASN.1 helpers over encoding/asn1's RawValue.

func unmarshalAll(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

// sequence reads b as one SEQUENCE and returns its elements.
func sequence(b []byte) ([]asn1.RawValue, error) {
	var v asn1.RawValue
	if err := unmarshalAll(b, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", errCMS, err)
	}
	if !isUniversal(v, asn1.TagSequence, true) {
		return nil, fmt.Errorf("%w: want a SEQUENCE", errCMS)
	}
	kids, err := children(v.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCMS, err)
	}
	return kids, nil
}

// children splits the contents of a constructed value into its elements.
func children(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		if len(out) >= maxASN1Children {
			return nil, errors.New("too many elements")
		}
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}

func isUniversal(v asn1.RawValue, tag int, compound bool) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == tag && v.IsCompound == compound
}

func isContext(v asn1.RawValue, tag int, compound bool) bool {
	return v.Class == asn1.ClassContextSpecific && v.Tag == tag && v.IsCompound == compound
}

func algorithmOID(v asn1.RawValue) (asn1.ObjectIdentifier, error) {
	if !isUniversal(v, asn1.TagSequence, true) {
		return nil, errors.New("AlgorithmIdentifier is not a SEQUENCE")
	}
	f, err := children(v.Bytes)
	if err != nil || len(f) == 0 || len(f) > 2 {
		return nil, errors.New("malformed AlgorithmIdentifier")
	}
	var oid asn1.ObjectIdentifier
	if err := unmarshalAll(f[0].FullBytes, &oid); err != nil {
		return nil, err
	}
	return oid, nil
}

// berToDER rewrites one BER element as DER where BER and DER differ in ways encoders of
// S/MIME produce: indefinite lengths, non-minimal lengths and constructed (chunked) OCTET
// STRINGs. It reports whether anything changed; trailing data is an error.
func berToDER(b []byte) ([]byte, bool, error) {
	out, rest, changed, err := convertTLV(b, 0)
	if err != nil {
		return nil, false, err
	}
	if len(rest) != 0 {
		return nil, false, errors.New("trailing data after the ContentInfo")
	}
	if !changed {
		return b, false, nil
	}
	return out, true, nil
}

func convertTLV(b []byte, depth int) (out, rest []byte, changed bool, err error) {
	if depth > maxASN1Depth {
		return nil, nil, false, errors.New("nested too deeply")
	}
	if len(b) < 2 {
		return nil, nil, false, errors.New("truncated")
	}
	i := 1
	constructed := b[0]&0x20 != 0
	if b[0]&0x1f == 0x1f { // high tag number form
		for n := 0; ; n++ {
			if i >= len(b) || n > 3 {
				return nil, nil, false, errors.New("bad tag")
			}
			c := b[i]
			i++
			if c&0x80 == 0 {
				break
			}
		}
	}
	ident := b[:i]
	if i >= len(b) {
		return nil, nil, false, errors.New("truncated")
	}
	lb := b[i]
	i++
	indefinite := false
	var content []byte
	switch {
	case lb < 0x80:
		n := int(lb)
		if len(b)-i < n {
			return nil, nil, false, errors.New("truncated")
		}
		content, rest = b[i:i+n], b[i+n:]
	case lb == 0x80:
		if !constructed {
			return nil, nil, false, errors.New("indefinite length on a primitive value")
		}
		indefinite, changed = true, true
	default:
		k := int(lb & 0x7f)
		if k > 4 || len(b)-i < k {
			return nil, nil, false, errors.New("bad length")
		}
		n := 0
		for j := 0; j < k; j++ {
			n = n<<8 | int(b[i+j])
		}
		if b[i] == 0 || n < 0x80 {
			changed = true // non-minimal length
		}
		i += k
		if n < 0 || len(b)-i < n {
			return nil, nil, false, errors.New("truncated")
		}
		content, rest = b[i:i+n], b[i+n:]
	}
	if !constructed {
		return appendTLV(nil, ident, content), rest, changed, nil
	}
	var kids [][]byte
	p := content
	if indefinite {
		p = b[i:]
	}
	for {
		if indefinite {
			if len(p) < 2 {
				return nil, nil, false, errors.New("missing end-of-contents")
			}
			if p[0] == 0 && p[1] == 0 {
				rest = p[2:]
				break
			}
		} else if len(p) == 0 {
			break
		}
		if len(kids) >= maxASN1Children*16 {
			return nil, nil, false, errors.New("too many elements")
		}
		k, r, ch, err := convertTLV(p, depth+1)
		if err != nil {
			return nil, nil, false, err
		}
		kids, p, changed = append(kids, k), r, changed || ch
	}
	if len(ident) == 1 && ident[0] == 0x24 { // constructed OCTET STRING: join the chunks
		var joined []byte
		for _, k := range kids {
			if k[0] != 0x04 {
				return nil, nil, false, errors.New("constructed OCTET STRING holds a non-OCTET STRING")
			}
			_, c := splitTLV(k)
			joined = append(joined, c...)
		}
		return appendTLV(nil, []byte{0x04}, joined), rest, true, nil
	}
	return appendTLV(nil, ident, bytes.Join(kids, nil)), rest, changed, nil
}

// appendTLV appends identifier, minimal DER length and content.
func appendTLV(dst, ident, content []byte) []byte {
	dst = append(dst, ident...)
	n := len(content)
	switch {
	case n < 0x80:
		dst = append(dst, byte(n))
	case n < 1<<8:
		dst = append(dst, 0x81, byte(n))
	case n < 1<<16:
		dst = append(dst, 0x82, byte(n>>8), byte(n))
	case n < 1<<24:
		dst = append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, content...)
}

// splitTLV returns the header and content of a DER element produced by appendTLV.
func splitTLV(b []byte) (hdr, content []byte) {
	i := 1
	if b[0]&0x1f == 0x1f {
		for b[i]&0x80 != 0 {
			i++
		}
		i++
	}
	if b[i] < 0x80 {
		return b[:i+1], b[i+1:]
	}
	k := int(b[i] & 0x7f)
	return b[:i+1+k], b[i+1+k:]
}
