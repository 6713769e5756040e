package gost

import (
	"fmt"
	"io"
	"math/big"
)

// ByteOrder names a layout of the 64-byte raw GOST R 34.10-2012-256
// signature. The standard itself only defines the 512-bit vector ζ = r̄‖s̄;
// how that becomes bytes differs between tools.
type ByteOrder int

const (
	// SR is s‖r, each half 32 bytes big-endian. This is the encoding of the
	// signature value in X.509 and CMS (RFC 4491 §2.2.2, RFC 9215 §3), the
	// output of OpenSSL gost-engine (openssl dgst -sign, openssl_sign with
	// md_gost12_256) and of BouncyCastle's ECGOST3410-2012-256, and what
	// ESIA expects in a v2/v3 client_secret (esia-protocol.md §2.2). It is the
	// default everywhere in this package.
	SR ByteOrder = iota
	// SRReversed is SR with all 64 bytes reversed, i.e. r‖s with each half
	// little-endian. CryptoPro CSP (CryptSignHash, csptest -sign) emits this
	// native form; correct ESIA clients reverse it into SR before sending, so
	// receiving it means the client forgot to.
	SRReversed
	// RS is r‖s, each half big-endian: the standard's ζ = r̄‖s̄ written most
	// significant byte first. Seen in generic ECDSA-style code that treats
	// GOST like ECDSA's IEEE P1363 form.
	RS
	// RSReversed is RS with all 64 bytes reversed (s‖r, each half
	// little-endian): ζ written least significant byte first, the way GOST
	// hash codes are written.
	RSReversed
)

var byteOrders = [...]ByteOrder{SR, SRReversed, RS, RSReversed}

// ByteOrders lists every known layout, most expected first; VerifyRawAny
// tries them in this order.
func ByteOrders() []ByteOrder { return append([]ByteOrder(nil), byteOrders[:]...) }

func (o ByteOrder) String() string {
	switch o {
	case SR:
		return "s||r big-endian (OpenSSL/CMS)"
	case SRReversed:
		return "reversed s||r (CryptoPro native)"
	case RS:
		return "r||s big-endian"
	case RSReversed:
		return "reversed r||s"
	}
	return fmt.Sprintf("ByteOrder(%d)", int(o))
}

// rawSigSize is the length of a raw signature on the 256-bit curves.
const rawSigSize = 64

// ParseRawSignature decodes a 64-byte raw signature in the SR layout: the
// first 32 bytes are s and the last 32 bytes are r, both big-endian. This is
// the OpenSSL/CMS layout ESIA expects for the v2/v3 client_secret. A
// signature made with CryptoPro CSP and not reversed by the client is in the
// SRReversed layout instead; use ParseRawSignatureOrder, VerifyRaw or
// VerifyRawAny for those.
//
// Only the length is checked; range checks on r and s are part of Verify.
func ParseRawSignature(sig []byte) (r, s *big.Int, err error) {
	return ParseRawSignatureOrder(sig, SR)
}

// ParseRawSignatureOrder decodes a 64-byte raw signature in the given layout.
func ParseRawSignatureOrder(sig []byte, order ByteOrder) (r, s *big.Int, err error) {
	if len(sig) != rawSigSize {
		return nil, nil, fmt.Errorf("%w: raw signature is %d bytes, want %d", ErrInvalidSignature, len(sig), rawSigSize)
	}
	const h = rawSigSize / 2
	switch order {
	case SR:
		return new(big.Int).SetBytes(sig[h:]), new(big.Int).SetBytes(sig[:h]), nil
	case SRReversed:
		return leToInt(sig[:h]), leToInt(sig[h:]), nil
	case RS:
		return new(big.Int).SetBytes(sig[:h]), new(big.Int).SetBytes(sig[h:]), nil
	case RSReversed:
		return leToInt(sig[h:]), leToInt(sig[:h]), nil
	}
	return nil, nil, fmt.Errorf("%w: unknown byte order %d", ErrInvalidSignature, int(order))
}

// MarshalRawSignature encodes (r, s) as a 64-byte raw signature in the given
// layout. c may be nil; it is only used to check the range.
func MarshalRawSignature(c *Curve, r, s *big.Int, order ByteOrder) ([]byte, error) {
	if r == nil || s == nil || r.Sign() <= 0 || s.Sign() <= 0 ||
		r.BitLen() > 8*rawSigSize/2 || s.BitLen() > 8*rawSigSize/2 ||
		(c != nil && (r.Cmp(c.Q) >= 0 || s.Cmp(c.Q) >= 0)) {
		return nil, ErrInvalidSignature
	}
	const h = rawSigSize / 2
	out := make([]byte, rawSigSize)
	switch order {
	case SR:
		s.FillBytes(out[:h])
		r.FillBytes(out[h:])
	case SRReversed:
		putLE(out[:h], r)
		putLE(out[h:], s)
	case RS:
		r.FillBytes(out[:h])
		s.FillBytes(out[h:])
	case RSReversed:
		putLE(out[:h], s)
		putLE(out[h:], r)
	default:
		return nil, fmt.Errorf("%w: unknown byte order %d", ErrInvalidSignature, int(order))
	}
	return out, nil
}

// SignRaw signs a Streebog-256 digest and returns the 64-byte raw signature
// in the given layout (SR for what ESIA expects). A nil rand means
// crypto/rand.
func SignRaw(rand io.Reader, priv *PrivateKey, digest []byte, order ByteOrder) ([]byte, error) {
	r, s, err := Sign(rand, priv, digest)
	if err != nil {
		return nil, err
	}
	return MarshalRawSignature(priv.Curve, r, s, order)
}

// VerifyRaw verifies a 64-byte raw signature of a Streebog-256 digest,
// reading it in the given layout only.
func VerifyRaw(pub *PublicKey, digest, sig []byte, order ByteOrder) bool {
	r, s, err := ParseRawSignatureOrder(sig, order)
	if err != nil {
		return false
	}
	return Verify(pub, digest, r, s)
}

// VerifyRawAny verifies a 64-byte raw signature trying every layout in
// ByteOrders(), and reports the first that verifies. It is meant for a lenient
// mode that accepts what real clients send and reports how they deviate; a
// strict verifier should call VerifyRaw with SR. Trying four layouts costs up
// to four verifications and widens nothing cryptographically meaningful: each
// layout is a fixed, public reinterpretation of the same 64 bytes.
func VerifyRawAny(pub *PublicKey, digest, sig []byte) (ByteOrder, bool) {
	for _, o := range byteOrders {
		if VerifyRaw(pub, digest, sig, o) {
			return o, true
		}
	}
	return 0, false
}
