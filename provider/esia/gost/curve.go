package gost

import (
	"encoding/asn1"
	"math/big"
)

// Curve is an elliptic curve y² = x³ + a·x + b over GF(p) with a base point
// (X, Y) of prime order Q, as used by GOST R 34.10-2012. The twisted Edwards
// curve id-tc26-gost-3410-2012-256-paramSetA is represented by the
// Weierstrass form that RFC 7836 gives alongside the Edwards one; signatures
// do not depend on the model.
//
// A Curve is shared and must not be modified.
type Curve struct {
	Name     string                // e.g. "id-tc26-gost-3410-2012-256-paramSetA"
	OID      asn1.ObjectIdentifier // publicKeyParamSet identifier
	P        *big.Int              // field prime
	A, B     *big.Int              // curve coefficients
	Q        *big.Int              // order of the base point (the subgroup)
	Cofactor *big.Int              // #E / Q
	X, Y     *big.Int              // base point
}

// PointSize returns the size in bytes of one coordinate and of one half of a
// signature (32 for every curve here).
func (c *Curve) PointSize() int { return (c.Q.BitLen() + 7) / 8 }

// coordSize is the width of a coordinate in encodings; fixed at 32 bytes for
// the 256-bit curves this package supports (paramSetA has a 255-bit Q but a
// 256-bit p).
func (c *Curve) coordSize() int { return (c.P.BitLen() + 7) / 8 }

// IsOnCurve reports whether (x, y) is a point of the curve with coordinates
// reduced modulo p.
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.P)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, c.A)
	rhs.Mul(rhs, x)
	rhs.Add(rhs, c.B)
	rhs.Mod(rhs, c.P)
	return lhs.Cmp(rhs) == 0
}

// Object identifiers of the 256-bit parameter sets (RFC 4357 §11.4, RFC 7836
// appendix A, RFC 9215).
var (
	OIDTC26ParamSetA = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}
	OIDTC26ParamSetB = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2} // = CryptoPro-A
	OIDTC26ParamSetC = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3} // = CryptoPro-B
	OIDTC26ParamSetD = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4} // = CryptoPro-C
	OIDCryptoProA    = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}
	OIDCryptoProB    = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}
	OIDCryptoProC    = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}
	OIDCryptoProXchA = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0} // = CryptoPro-A
	OIDCryptoProXchB = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1} // = CryptoPro-C
	oidTestParamSet  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0} // id-GostR3410-2001-TestParamSet
)

type curveParams struct {
	p, a, b, q, h, x, y string
}

// Domain parameters, hexadecimal, most significant digit first.
var (
	// id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357 §11.4).
	paramsCryptoProA = &curveParams{
		p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		b: "A6",
		q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		h: "1",
		x: "1",
		y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
	}
	// id-GostR3410-2001-CryptoPro-B-ParamSet.
	paramsCryptoProB = &curveParams{
		p: "8000000000000000000000000000000000000000000000000000000000000C99",
		a: "8000000000000000000000000000000000000000000000000000000000000C96",
		b: "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		q: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		h: "1",
		x: "1",
		y: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
	}
	// id-GostR3410-2001-CryptoPro-C-ParamSet.
	paramsCryptoProC = &curveParams{
		p: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
		a: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
		b: "805A",
		q: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		h: "1",
		x: "0",
		y: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
	}
	// id-tc26-gost-3410-2012-256-paramSetA (RFC 7836 A.2), Weierstrass form
	// of a twisted Edwards curve; cofactor 4.
	paramsTC26A = &curveParams{
		p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		a: "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		b: "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		q: "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		h: "4",
		x: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		y: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
	}
	// id-GostR3410-2001-TestParamSet: the example curve of GOST R 34.10-2012
	// appendix A.1 / RFC 7091 §7.1 / RFC 4357. For tests only.
	paramsTest = &curveParams{
		p: "8000000000000000000000000000000000000000000000000000000000000431",
		a: "7",
		b: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
		q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
		h: "1",
		x: "2",
		y: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
	}
)

func mustHexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("gost: bad curve constant " + s)
	}
	return v
}

func newCurve(name string, oid asn1.ObjectIdentifier, p *curveParams) *Curve {
	return &Curve{
		Name:     name,
		OID:      oid,
		P:        mustHexInt(p.p),
		A:        mustHexInt(p.a),
		B:        mustHexInt(p.b),
		Q:        mustHexInt(p.q),
		Cofactor: mustHexInt(p.h),
		X:        mustHexInt(p.x),
		Y:        mustHexInt(p.y),
	}
}

var (
	curveTC26A     = newCurve("id-tc26-gost-3410-2012-256-paramSetA", OIDTC26ParamSetA, paramsTC26A)
	curveTC26B     = newCurve("id-tc26-gost-3410-2012-256-paramSetB", OIDTC26ParamSetB, paramsCryptoProA)
	curveTC26C     = newCurve("id-tc26-gost-3410-2012-256-paramSetC", OIDTC26ParamSetC, paramsCryptoProB)
	curveTC26D     = newCurve("id-tc26-gost-3410-2012-256-paramSetD", OIDTC26ParamSetD, paramsCryptoProC)
	curveCPA       = newCurve("id-GostR3410-2001-CryptoPro-A-ParamSet", OIDCryptoProA, paramsCryptoProA)
	curveCPB       = newCurve("id-GostR3410-2001-CryptoPro-B-ParamSet", OIDCryptoProB, paramsCryptoProB)
	curveCPC       = newCurve("id-GostR3410-2001-CryptoPro-C-ParamSet", OIDCryptoProC, paramsCryptoProC)
	curveCPXchA    = newCurve("id-GostR3410-2001-CryptoPro-XchA-ParamSet", OIDCryptoProXchA, paramsCryptoProA)
	curveCPXchB    = newCurve("id-GostR3410-2001-CryptoPro-XchB-ParamSet", OIDCryptoProXchB, paramsCryptoProC)
	curveTestParam = newCurve("id-GostR3410-2001-TestParamSet", oidTestParamSet, paramsTest)

	allCurves = []*Curve{
		curveTC26A, curveTC26B, curveTC26C, curveTC26D,
		curveCPA, curveCPB, curveCPC, curveCPXchA, curveCPXchB,
	}
)

// TC26ParamSetA returns id-tc26-gost-3410-2012-256-paramSetA.
func TC26ParamSetA() *Curve { return curveTC26A }

// CryptoProA returns id-GostR3410-2001-CryptoPro-A-ParamSet.
func CryptoProA() *Curve { return curveCPA }

// CryptoProB returns id-GostR3410-2001-CryptoPro-B-ParamSet.
func CryptoProB() *Curve { return curveCPB }

// CryptoProC returns id-GostR3410-2001-CryptoPro-C-ParamSet.
func CryptoProC() *Curve { return curveCPC }

// CryptoProXchA returns id-GostR3410-2001-CryptoPro-XchA-ParamSet (the
// CryptoPro-A curve under its key-exchange identifier).
func CryptoProXchA() *Curve { return curveCPXchA }

// CryptoProXchB returns id-GostR3410-2001-CryptoPro-XchB-ParamSet (the
// CryptoPro-C curve under its key-exchange identifier).
func CryptoProXchB() *Curve { return curveCPXchB }

// Curves returns every supported curve: the TC26 256-bit sets A–D and the
// CryptoPro sets A, B, C, XchA, XchB. The test parameter set of the
// standard's example is deliberately not included.
func Curves() []*Curve { return append([]*Curve(nil), allCurves...) }

// CurveByOID returns the curve identified by a publicKeyParamSet OID.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, bool) {
	for _, c := range allCurves {
		if c.OID.Equal(oid) {
			return c, true
		}
	}
	return nil, false
}

// curveByOIDWithTest also knows the test parameter set; used by tests to
// read the RFC 9215 example certificate built on it.
func curveByOIDWithTest(oid asn1.ObjectIdentifier) (*Curve, bool) {
	if oid.Equal(oidTestParamSet) {
		return curveTestParam, true
	}
	return CurveByOID(oid)
}

// Point arithmetic in Jacobian coordinates (x = X/Z², y = Y/Z³; Z = 0 is the
// point at infinity) with math/big, computing in place with per-operation
// scratch space to keep allocations down. This is not constant time: fine for
// verification, and for the emulator's own (test) keys, but not a hardened
// signer.

type jacobian struct{ x, y, z big.Int }

// pointOps carries the curve and scratch integers for one scalar
// multiplication; it is not shared between goroutines.
type pointOps struct {
	c                              *Curve
	t1, t2, t3, t4, t5, t6, t7, t8 big.Int
}

func (c *Curve) ops() *pointOps { return &pointOps{c: c} }

func (o *pointOps) mod(v *big.Int) *big.Int { return v.Mod(v, o.c.P) }

func (o *pointOps) setAffine(p *jacobian, x, y *big.Int) {
	p.x.Set(x)
	p.y.Set(y)
	p.z.SetInt64(1)
}

func (o *pointOps) set(p, q *jacobian) {
	p.x.Set(&q.x)
	p.y.Set(&q.y)
	p.z.Set(&q.z)
}

func (o *pointOps) toAffine(p *jacobian) (x, y *big.Int, ok bool) {
	if p.z.Sign() == 0 {
		return nil, nil, false
	}
	zinv := new(big.Int).ModInverse(&p.z, o.c.P)
	zinv2 := o.mod(new(big.Int).Mul(zinv, zinv))
	x = o.mod(new(big.Int).Mul(&p.x, zinv2))
	zinv2.Mul(zinv2, zinv)
	y = o.mod(new(big.Int).Mul(&p.y, zinv2))
	return x, y, true
}

// double sets p = 2p (general a; the dbl-2007-bl formulas).
func (o *pointOps) double(p *jacobian) {
	if p.z.Sign() == 0 || p.y.Sign() == 0 {
		p.z.SetInt64(0)
		return
	}
	xx, yy, yyyy, zz, s, m := &o.t1, &o.t2, &o.t3, &o.t4, &o.t5, &o.t6
	o.mod(xx.Mul(&p.x, &p.x))
	o.mod(yy.Mul(&p.y, &p.y))
	o.mod(yyyy.Mul(yy, yy))
	o.mod(zz.Mul(&p.z, &p.z))
	// S = 4·X·YY
	s.Mul(&p.x, yy)
	o.mod(s.Lsh(s, 2))
	// M = 3·XX + a·ZZ²
	m.Mul(zz, zz)
	o.mod(m)
	m.Mul(m, o.c.A)
	m.Add(m, xx)
	m.Add(m, xx.Lsh(xx, 1))
	o.mod(m)
	// Z3 = 2·Y·Z (before Y is overwritten)
	p.z.Mul(&p.z, &p.y)
	o.mod(p.z.Lsh(&p.z, 1))
	// X3 = M² − 2S
	p.x.Mul(m, m)
	p.x.Sub(&p.x, o.t7.Lsh(s, 1))
	o.mod(&p.x)
	// Y3 = M·(S − X3) − 8·YYYY
	p.y.Sub(s, &p.x)
	p.y.Mul(&p.y, m)
	p.y.Sub(&p.y, yyyy.Lsh(yyyy, 3))
	o.mod(&p.y)
}

// add sets p = p + q (add-2007-bl).
func (o *pointOps) add(p, q *jacobian) {
	if q.z.Sign() == 0 {
		return
	}
	if p.z.Sign() == 0 {
		o.set(p, q)
		return
	}
	z1z1, z2z2, u1, u2, s1, s2 := &o.t1, &o.t2, &o.t3, &o.t4, &o.t5, &o.t6
	o.mod(z1z1.Mul(&p.z, &p.z))
	o.mod(z2z2.Mul(&q.z, &q.z))
	o.mod(u1.Mul(&p.x, z2z2))
	o.mod(u2.Mul(&q.x, z1z1))
	s1.Mul(&p.y, &q.z)
	o.mod(s1.Mul(s1, z2z2))
	s2.Mul(&q.y, &p.z)
	o.mod(s2.Mul(s2, z1z1))
	if u1.Cmp(u2) == 0 {
		if s1.Cmp(s2) == 0 {
			o.double(p)
		} else {
			p.z.SetInt64(0)
		}
		return
	}
	h, r := u2.Sub(u2, u1), s2.Sub(s2, s1) // reuse u2 and s2
	o.mod(h)
	o.mod(r)
	hh, hhh := z1z1, z2z2 // no longer needed
	o.mod(hh.Mul(h, h))
	o.mod(hhh.Mul(h, hh))
	v := u1
	o.mod(v.Mul(u1, hh))
	// Z3 = Z1·Z2·H
	p.z.Mul(&p.z, &q.z)
	o.mod(p.z.Mul(&p.z, h))
	// X3 = r² − HHH − 2V
	p.x.Mul(r, r)
	p.x.Sub(&p.x, hhh)
	p.x.Sub(&p.x, o.t7.Lsh(v, 1))
	o.mod(&p.x)
	// Y3 = r·(V − X3) − S1·HHH
	p.y.Sub(v, &p.x)
	p.y.Mul(&p.y, r)
	p.y.Sub(&p.y, o.t8.Mul(s1, hhh))
	o.mod(&p.y)
}

// scalarMult returns k·(x, y) in affine coordinates; ok is false for the
// point at infinity. k must be non-negative.
func (c *Curve) scalarMult(x, y, k *big.Int) (rx, ry *big.Int, ok bool) {
	o := c.ops()
	var p, acc jacobian
	o.setAffine(&p, x, y)
	for i := k.BitLen() - 1; i >= 0; i-- {
		o.double(&acc)
		if k.Bit(i) == 1 {
			o.add(&acc, &p)
		}
	}
	return o.toAffine(&acc)
}

// ScalarBaseMult returns k·G; ok is false if that is the point at infinity.
func (c *Curve) ScalarBaseMult(k *big.Int) (x, y *big.Int, ok bool) {
	return c.scalarMult(c.X, c.Y, k)
}

// combinedMult returns u1·G + u2·(x, y) with Shamir's trick.
func (c *Curve) combinedMult(x, y, u1, u2 *big.Int) (rx, ry *big.Int, ok bool) {
	o := c.ops()
	var g, q, gq, acc jacobian
	o.setAffine(&g, c.X, c.Y)
	o.setAffine(&q, x, y)
	o.set(&gq, &g)
	o.add(&gq, &q)
	for i := max(u1.BitLen(), u2.BitLen()) - 1; i >= 0; i-- {
		o.double(&acc)
		switch u1.Bit(i)<<1 | u2.Bit(i) {
		case 1:
			o.add(&acc, &q)
		case 2:
			o.add(&acc, &g)
		case 3:
			o.add(&acc, &gq)
		}
	}
	return o.toAffine(&acc)
}
