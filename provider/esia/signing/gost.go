package signing

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// The GOST3410_2012_256 token key, over provider/esia/gost (our own permissively licensed
// Streebog and GOST R 34.10-2012 code).

// GOSTKey is the dialect's GOST token key with its self-signed certificate.
type GOSTKey struct {
	priv *gost.PrivateKey
	cert []byte // DER
}

// Sign signs input (a JWT's header.payload) for GOST3410_2012_256: Streebog-256, then GOST
// R 34.10-2012, s‖r big-endian.
func (g *GOSTKey) Sign(rand io.Reader, input []byte) ([]byte, error) {
	d := streebog.Sum256(input)
	return gost.SignRaw(rand, g.priv, d[:], gost.SR)
}

// Verify checks a signature made by Sign.
func (g *GOSTKey) Verify(input, sig []byte) bool {
	d := streebog.Sum256(input)
	return gost.VerifyRaw(&g.priv.PublicKey, d[:], sig, gost.SR)
}

// Certificate is the key's self-signed certificate (DER).
func (g *GOSTKey) Certificate() []byte { return g.cert }

// GOST returns the GOST token key. It is derived from the current RS256 signing key (HMAC
// as a key-derivation function), so it needs no storage of its own, is the same on every
// replica and across restarts, and rotates with the RSA key.
func (k *Keys) GOST(ctx context.Context) (*GOSTKey, error) {
	signer, kid, err := k.Signers.Signer(ctx, jose.RS256)
	if err != nil {
		return nil, err
	}
	return k.gostFor(kid, signer)
}

// KeptGOST returns the GOST key of every kept RS256 key: each verifies the GOST tokens signed
// while its RSA key was the current one.
func (k *Keys) KeptGOST(ctx context.Context) ([]*GOSTKey, error) {
	kept, err := k.Signers.Kept(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*GOSTKey, 0, len(kept))
	for _, kk := range kept {
		g, err := k.gostFor(kk.ID, kk.Private)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// gostFor derives (once per kid) the GOST key of an RS256 key.
func (k *Keys) gostFor(kid string, signer crypto.Signer) (*GOSTKey, error) {
	k.mu.Lock()
	g, ok := k.gostKeys[kid]
	k.mu.Unlock()
	if ok {
		return g, nil
	}
	rk, ok := signer.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("GOST token key: the RS256 key is not an RSA private key")
	}
	seed := hmac.New(sha256.New, rk.D.Bytes())
	seed.Write([]byte("esia-emulator GOST R 34.10-2012 token key"))
	prf := newPRF(seed.Sum(nil))
	curve := gost.CryptoProA()
	buf := make([]byte, 64)
	_, _ = io.ReadFull(prf, buf)
	x := new(big.Int).SetBytes(buf)
	x.Mod(x, new(big.Int).Sub(curve.Q, big.NewInt(1)))
	x.Add(x, big.NewInt(1))
	priv, err := gost.NewPrivateKey(curve, x)
	if err != nil {
		return nil, fmt.Errorf("GOST token key: %w", err)
	}
	// The certificate's fields are fixed and its signature nonce comes from the same PRF, so
	// the downloadable certificate is byte-for-byte stable for a key.
	cert, err := gost.CreateSelfSignedCertificate(prf, &gost.CertificateTemplate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "ESIA emulator GOST", Organization: []string{"esia-emulator (test only)"}},
		NotBefore:    certNotBefore, NotAfter: certNotAfter,
	}, priv)
	if err != nil {
		return nil, fmt.Errorf("GOST token certificate: %w", err)
	}
	g = &GOSTKey{priv: priv, cert: cert}
	k.mu.Lock()
	if k.gostKeys == nil {
		k.gostKeys = map[string]*GOSTKey{}
	}
	k.gostKeys[kid] = g
	k.mu.Unlock()
	return g, nil
}

// Validity of the emulator's signing certificates: fixed, so that they are stable.
var (
	certNotBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
)

// prf is HMAC-SHA256 in counter mode: a deterministic byte stream from a secret seed.
type prf struct {
	key     []byte
	counter uint32
	buf     []byte
}

func newPRF(key []byte) *prf { return &prf{key: key} }

func (p *prf) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		if len(p.buf) == 0 {
			m := hmac.New(sha256.New, p.key)
			m.Write([]byte{byte(p.counter >> 24), byte(p.counter >> 16), byte(p.counter >> 8), byte(p.counter)})
			p.counter++
			p.buf = m.Sum(nil)
		}
		c := copy(b[n:], p.buf)
		p.buf = p.buf[c:]
		n += c
	}
	return n, nil
}
