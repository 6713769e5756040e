package gost

import (
	"crypto"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// GOST R 34.10-2012 digital signature (RFC 7091) over the 256-bit curves.

// PublicKey is a GOST R 34.10 public key Q = d·G.
type PublicKey struct {
	Curve *Curve
	X, Y  *big.Int
}

// PrivateKey is a GOST R 34.10 private key: the scalar D, 0 < D < Q.
type PrivateKey struct {
	PublicKey
	D *big.Int
}

// Errors returned by this package.
var (
	ErrInvalidKey       = errors.New("gost: invalid key")
	ErrInvalidDigest    = errors.New("gost: digest must be 32 bytes (a GOST R 34.11-2012 256-bit hash code)")
	ErrInvalidSignature = errors.New("gost: malformed signature")
)

// NewPrivateKey returns the key pair with private scalar d on curve c.
func NewPrivateKey(c *Curve, d *big.Int) (*PrivateKey, error) {
	if c == nil || d == nil || d.Sign() <= 0 || d.Cmp(c.Q) >= 0 {
		return nil, ErrInvalidKey
	}
	x, y, ok := c.ScalarBaseMult(d)
	if !ok {
		return nil, ErrInvalidKey
	}
	return &PrivateKey{PublicKey: PublicKey{Curve: c, X: x, Y: y}, D: new(big.Int).Set(d)}, nil
}

// GenerateKey creates a random key pair on c. A nil rand means crypto/rand.
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	if c == nil {
		return nil, ErrInvalidKey
	}
	d, err := randScalar(c, rand)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

// randScalar returns a uniformly distributed (up to a 2^-64 bias) integer in
// [1, q-1].
func randScalar(c *Curve, rand io.Reader) (*big.Int, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	buf := make([]byte, c.coordSize()+8)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return nil, fmt.Errorf("gost: reading randomness: %w", err)
	}
	k := new(big.Int).SetBytes(buf)
	qm1 := new(big.Int).Sub(c.Q, big.NewInt(1))
	k.Mod(k, qm1)
	return k.Add(k, big.NewInt(1)), nil
}

// Validate checks that the key is a point of its curve lying in the
// subgroup of order Q (the latter matters only for paramSetA, cofactor 4).
func (pub *PublicKey) Validate() error {
	if pub == nil || pub.Curve == nil || !pub.Curve.IsOnCurve(pub.X, pub.Y) {
		return ErrInvalidKey
	}
	if pub.Curve.Cofactor.Cmp(big.NewInt(1)) != 0 {
		if _, _, ok := pub.Curve.scalarMult(pub.X, pub.Y, pub.Curve.Q); ok {
			return ErrInvalidKey // q·P is not the point at infinity
		}
	}
	return nil
}

// Bytes returns the key in the form carried inside a certificate's
// subjectPublicKey OCTET STRING (RFC 4491 §2.3.2, RFC 9215 §4): X‖Y, each
// coordinate little-endian, 32 bytes each.
func (pub *PublicKey) Bytes() []byte {
	n := pub.Curve.coordSize()
	out := make([]byte, 2*n)
	putLE(out[:n], pub.X)
	putLE(out[n:], pub.Y)
	return out
}

// ParsePublicKey decodes the 64-byte little-endian X‖Y form (see Bytes) and
// validates the point.
func ParsePublicKey(c *Curve, raw []byte) (*PublicKey, error) {
	if c == nil {
		return nil, ErrInvalidKey
	}
	n := c.coordSize()
	if len(raw) != 2*n {
		return nil, fmt.Errorf("gost: public key is %d bytes, want %d: %w", len(raw), 2*n, ErrInvalidKey)
	}
	pub := &PublicKey{Curve: c, X: leToInt(raw[:n]), Y: leToInt(raw[n:])}
	if err := pub.Validate(); err != nil {
		return nil, err
	}
	return pub, nil
}

// Equal reports whether pub and x are the same key on the same curve
// parameters.
func (pub *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	if !ok || pub == nil || o == nil || pub.Curve == nil || o.Curve == nil {
		return false
	}
	return sameParams(pub.Curve, o.Curve) && pub.X.Cmp(o.X) == 0 && pub.Y.Cmp(o.Y) == 0
}

func sameParams(a, b *Curve) bool {
	return a == b || (a.P.Cmp(b.P) == 0 && a.A.Cmp(b.A) == 0 && a.B.Cmp(b.B) == 0 &&
		a.Q.Cmp(b.Q) == 0 && a.X.Cmp(b.X) == 0 && a.Y.Cmp(b.Y) == 0)
}

// Public implements crypto.Signer.
func (priv *PrivateKey) Public() crypto.PublicKey { return &priv.PublicKey }

// Sign implements crypto.Signer: digest is a Streebog-256 hash code and the
// result is the 64-byte raw signature in the s‖r layout (SR). opts is
// ignored. A nil rand means crypto/rand.
func (priv *PrivateKey) Sign(rand io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	r, s, err := Sign(rand, priv, digest)
	if err != nil {
		return nil, err
	}
	return MarshalRawSignature(priv.Curve, r, s, SR)
}

// hashToE converts a hash code to e per GOST R 34.10-2012 §6.1 steps 2–3:
// α is the integer whose binary representation is the hash vector; the byte
// string produced by Streebog is that vector least significant byte first, so
// α is the digest read as a little-endian integer. e = α mod q, or 1 if that
// is 0.
func hashToE(c *Curve, digest []byte) *big.Int {
	e := leToInt(digest)
	e.Mod(e, c.Q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return e
}

// Sign signs a 32-byte Streebog-256 digest (GOST R 34.10-2012 §6.1). A nil
// rand means crypto/rand. The scalar arithmetic is not constant time.
func Sign(rand io.Reader, priv *PrivateKey, digest []byte) (r, s *big.Int, err error) {
	if priv == nil || priv.Curve == nil || priv.D == nil || priv.D.Sign() <= 0 || priv.D.Cmp(priv.Curve.Q) >= 0 {
		return nil, nil, ErrInvalidKey
	}
	if len(digest) != priv.Curve.PointSize() {
		return nil, nil, ErrInvalidDigest
	}
	for range 100 {
		k, err := randScalar(priv.Curve, rand)
		if err != nil {
			return nil, nil, err
		}
		r, s, ok := signWithK(priv, digest, k)
		if ok {
			return r, s, nil
		}
	}
	return nil, nil, errors.New("gost: could not produce a signature (bad randomness source?)")
}

// signWithK is steps 3–6 of §6.1 with a given k; ok is false when r or s is 0
// and another k must be tried.
func signWithK(priv *PrivateKey, digest []byte, k *big.Int) (r, s *big.Int, ok bool) {
	c := priv.Curve
	e := hashToE(c, digest)
	cx, _, ok := c.ScalarBaseMult(k)
	if !ok {
		return nil, nil, false
	}
	r = new(big.Int).Mod(cx, c.Q)
	if r.Sign() == 0 {
		return nil, nil, false
	}
	// s = (r·d + k·e) mod q
	s = new(big.Int).Mul(r, priv.D)
	s.Add(s, new(big.Int).Mul(k, e))
	s.Mod(s, c.Q)
	if s.Sign() == 0 {
		return nil, nil, false
	}
	return r, s, true
}

// Verify reports whether (r, s) is a valid signature of the 32-byte
// Streebog-256 digest under pub (GOST R 34.10-2012 §6.2):
// 0 < r, s < q; e = α mod q (1 if 0), α the digest read little-endian;
// v = e⁻¹; z1 = s·v, z2 = −r·v (mod q); C = z1·G + z2·Q; valid iff
// x_C mod q = r. The public key must be on its curve.
func Verify(pub *PublicKey, digest []byte, r, s *big.Int) bool {
	if pub == nil || pub.Curve == nil || r == nil || s == nil {
		return false
	}
	c := pub.Curve
	if len(digest) != c.PointSize() {
		return false
	}
	if r.Sign() <= 0 || r.Cmp(c.Q) >= 0 || s.Sign() <= 0 || s.Cmp(c.Q) >= 0 {
		return false
	}
	if !c.IsOnCurve(pub.X, pub.Y) {
		return false
	}
	e := hashToE(c, digest)
	v := new(big.Int).ModInverse(e, c.Q)
	if v == nil {
		return false
	}
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.Q)
	z2 := new(big.Int).Mul(r, v)
	z2.Neg(z2)
	z2.Mod(z2, c.Q)
	cx, _, ok := c.combinedMult(pub.X, pub.Y, z1, z2)
	if !ok {
		return false
	}
	cx.Mod(cx, c.Q)
	return cx.Cmp(r) == 0
}

// leToInt reads b as an unsigned little-endian integer.
func leToInt(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i, v := range b {
		be[len(b)-1-i] = v
	}
	return new(big.Int).SetBytes(be)
}

// putLE writes v little-endian into out (which must be large enough).
func putLE(out []byte, v *big.Int) {
	v.FillBytes(out)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
}
