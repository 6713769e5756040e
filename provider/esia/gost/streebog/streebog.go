package streebog

import (
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/bits"
)

// Streebog (GOST R 34.11-2012, RFC 6986).
//
// Representation. The standard works on 512-bit vectors; this code keeps one
// as [8]uint64 with word j holding bits 64j…64j+63, i.e. the vector's integer
// value is Σ w[j]·2^(64j). A byte stream maps onto that integer
// little-endian: the first byte of a message block is its least significant
// byte, and the digest is emitted least significant byte first. This is the
// byte order used by OpenSSL gost-engine, CryptoPro CSP, BouncyCastle and
// every other interoperable implementation; RFC 6986 §10 prints messages and
// hash codes as numbers (most significant digit first), i.e. byte-reversed.

// Sizes of Streebog digests and of its block, in bytes.
const (
	Size256   = 32
	Size512   = 64
	BlockSize = 64
)

type block [8]uint64

var (
	// lpsTable[c][x] is the contribution of input byte x, taken from input
	// word c, to its output word after S (π), P (τ) and L: P moves byte i of
	// word c to byte c of word i, S substitutes it, and l maps bit 8c+b of a
	// word to row matrixA[63-8c-b].
	lpsTable [8][256]uint64
	// roundC are the iteration constants C_1…C_12 as blocks.
	roundC [12]block
)

func init() {
	for i, v := range tau {
		if int(v) != 8*(i%8)+i/8 {
			panic("streebog: τ is not the 8×8 byte transposition")
		}
	}
	for c := 0; c < 8; c++ {
		for x := 0; x < 256; x++ {
			var acc uint64
			s := pi[x]
			for b := 0; b < 8; b++ {
				if s&(1<<b) != 0 {
					acc ^= matrixA[63-(8*c+b)]
				}
			}
			lpsTable[c][x] = acc
		}
	}
	for i, h := range iterationConstants {
		raw, err := hex.DecodeString(h)
		if err != nil || len(raw) != 64 {
			panic("streebog: bad Streebog iteration constant")
		}
		for j := 0; j < 8; j++ {
			roundC[i][j] = binary.BigEndian.Uint64(raw[64-8*(j+1):])
		}
	}
}

// lps computes L(P(S(x))).
func lps(x *block) block {
	var out block
	for i := 0; i < 8; i++ {
		sh := 8 * uint(i)
		out[i] = lpsTable[0][byte(x[0]>>sh)] ^
			lpsTable[1][byte(x[1]>>sh)] ^
			lpsTable[2][byte(x[2]>>sh)] ^
			lpsTable[3][byte(x[3]>>sh)] ^
			lpsTable[4][byte(x[4]>>sh)] ^
			lpsTable[5][byte(x[5]>>sh)] ^
			lpsTable[6][byte(x[6]>>sh)] ^
			lpsTable[7][byte(x[7]>>sh)]
	}
	return out
}

func xorBlock(a, b *block) block {
	var out block
	for i := range out {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// compress is g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m (RFC 6986 §7), where
// E(K, m) = X[K13]·LPSX[K12]·…·LPSX[K1](m) and K_{i+1} = LPS(K_i ⊕ C_i).
func compress(h, n, m *block) {
	k := xorBlock(h, n)
	k = lps(&k)
	t := *m
	for i := 0; i < 12; i++ {
		t = xorBlock(&t, &k)
		t = lps(&t)
		k = xorBlock(&k, &roundC[i])
		k = lps(&k)
	}
	for i := range h {
		h[i] ^= t[i] ^ k[i] ^ m[i]
	}
}

// add512 sets a = (a + b) mod 2^512.
func add512(a, b *block) {
	var carry uint64
	for i := range a {
		a[i], carry = bits.Add64(a[i], b[i], carry)
	}
}

// addBits sets a = (a + n) mod 2^512.
func addBits(a *block, n uint64) {
	var carry uint64
	a[0], carry = bits.Add64(a[0], n, 0)
	for i := 1; i < 8 && carry != 0; i++ {
		a[i], carry = bits.Add64(a[i], 0, carry)
	}
}

type digest struct {
	h, n, sigma block
	buf         [BlockSize]byte
	nbuf        int
	size        int
}

// New256 returns a hash.Hash computing GOST R 34.11-2012 with a 256-bit hash
// code (Streebog-256).
func New256() hash.Hash {
	d := &digest{size: Size256}
	d.Reset()
	return d
}

// New512 returns a hash.Hash computing GOST R 34.11-2012 with a 512-bit hash
// code (Streebog-512).
func New512() hash.Hash {
	d := &digest{size: Size512}
	d.Reset()
	return d
}

// Sum256 returns the Streebog-256 digest of data, in the usual byte order
// (see the package documentation).
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:0])
	return out
}

// Sum512 returns the Streebog-512 digest of data.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:0])
	return out
}

func (d *digest) Reset() {
	iv := uint64(0)
	if d.size == Size256 {
		iv = 0x0101010101010101 // IV of the 256-bit variant: every byte 0x01
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n = block{}
	d.sigma = block{}
	d.nbuf = 0
}

func (d *digest) Size() int      { return d.size }
func (d *digest) BlockSize() int { return BlockSize }

func loadBlock(p []byte) block {
	var m block
	for j := range m {
		m[j] = binary.LittleEndian.Uint64(p[8*j:])
	}
	return m
}

var zeroBlock block

// processBlock is stage 2 of the algorithm for one full 512-bit block.
func (d *digest) processBlock(p []byte) {
	m := loadBlock(p)
	compress(&d.h, &d.n, &m)
	addBits(&d.n, 512)
	add512(&d.sigma, &m)
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.processBlock(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.processBlock(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(in []byte) []byte {
	c := *d // Sum must not change the running state
	return c.checkSum(in)
}

// checkSum is stage 3: pad the tail as tail‖0x01‖0…0 (the standard's
// 0^(511-|M|)‖1‖M), absorb it, then the length N and the checksum Σ with
// g_0.
func (d *digest) checkSum(in []byte) []byte {
	var last [BlockSize]byte
	copy(last[:], d.buf[:d.nbuf])
	last[d.nbuf] = 0x01
	m := loadBlock(last[:])
	compress(&d.h, &d.n, &m)
	addBits(&d.n, uint64(8*d.nbuf))
	add512(&d.sigma, &m)
	compress(&d.h, &zeroBlock, &d.n)
	compress(&d.h, &zeroBlock, &d.sigma)

	var out [Size512]byte
	for j := range d.h {
		binary.LittleEndian.PutUint64(out[8*j:], d.h[j])
	}
	if d.size == Size256 {
		// MSB_256: the most significant half, i.e. the last 32 bytes.
		return append(in, out[Size256:]...)
	}
	return append(in, out[:]...)
}
