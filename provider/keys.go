package provider

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/storage"
)

// algSecret marks key records that hold symmetric secrets (cookie and token encryption keys)
// rather than signing keys. They live beside the signing keys so that every replica and every
// restart shares them.
const algSecret = "secret"

// Fixed ids of the symmetric secrets; AddKey's ErrAlreadyExists coordinates replicas.
const (
	secretCookieHash  = "secret-cookie-hash"
	secretCookieBlock = "secret-cookie-block"
	secretTokenCrypto = "secret-token-crypto"
	secretCSRF        = "secret-csrf"
)

// keyring holds the parsed signing keys and secrets. It is loaded at start and reloaded from
// the store at most every keyReload (so a rotation made through another replica is picked
// up), never parsing PEM on the hot path.
type keyring struct {
	store    storage.Keys
	mu       sync.RWMutex
	signing  []signingKey // ordered by CreatedAt
	secrets  map[string][]byte
	loadedAt time.Time // wall clock, for the reload interval only
}

// keyReload is how often the keyring rereads the store.
const keyReload = 10 * time.Second

type signingKey struct {
	record    string // the store's record id
	id        string // kid
	alg       jose.SignatureAlgorithm
	private   crypto.Signer
	notBefore time.Time
	retireAt  time.Time
}

// ensureKeys loads the key records, creating the missing signing keys (one RS256, one ES256)
// and secrets. Creation is race-safe across replicas: a lost AddKey race just reloads.
func ensureKeys(ctx context.Context, ks storage.Keys, now time.Time, rnd io.Reader) (*keyring, error) {
	recs, err := ks.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	have := func(pred func(storage.SigningKey) bool) bool { return slices.ContainsFunc(recs, pred) }
	var created bool
	add := func(k storage.SigningKey) error {
		k.Schema = storage.SchemaVersion
		if err := ks.AddKey(ctx, k); err != nil && !errors.Is(err, storage.ErrAlreadyExists) {
			return fmt.Errorf("store key %s: %w", k.ID, err)
		}
		created = true
		return nil
	}
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256} {
		if have(func(k storage.SigningKey) bool { return k.Algorithm == string(alg) }) {
			continue
		}
		// A fixed record id per algorithm and generation: replicas starting together race on
		// AddKey, one wins, and all load the winner's key.
		k, err := newSigningKeyRecord("signing-"+string(alg)+"-1", alg, now, rnd)
		if err != nil {
			return nil, err
		}
		if err := add(k); err != nil {
			return nil, err
		}
	}
	for _, id := range []string{secretCookieHash, secretCookieBlock, secretTokenCrypto, secretCSRF} {
		if have(func(k storage.SigningKey) bool { return k.ID == id }) {
			continue
		}
		b := make([]byte, 32)
		if _, err := io.ReadFull(rnd, b); err != nil {
			return nil, err
		}
		p := pem.EncodeToMemory(&pem.Block{Type: "SECRET KEY", Bytes: b})
		if err := add(storage.SigningKey{ID: id, Algorithm: algSecret, PrivatePEM: string(p), CreatedAt: now}); err != nil {
			return nil, err
		}
	}
	if created {
		if recs, err = ks.ListKeys(ctx); err != nil {
			return nil, fmt.Errorf("reload keys: %w", err)
		}
	}
	kr := &keyring{store: ks}
	return kr, kr.load(recs)
}

// refresh rereads the keys when the last load is older than keyReload. A failed reload keeps
// the keys already loaded.
func (kr *keyring) refresh(ctx context.Context) error {
	kr.mu.RLock()
	fresh := time.Since(kr.loadedAt) < keyReload
	kr.mu.RUnlock()
	if fresh {
		return nil
	}
	return kr.reload(ctx)
}

func (kr *keyring) reload(ctx context.Context) error {
	recs, err := kr.store.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("reload keys: %w", err)
	}
	return kr.load(recs)
}

func newSigningKeyRecord(id string, alg jose.SignatureAlgorithm, now time.Time, rnd io.Reader) (storage.SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256:
		priv, err = rsa.GenerateKey(rnd, 2048)
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rnd)
	default:
		return storage.SigningKey{}, fmt.Errorf("unsupported algorithm %s", alg)
	}
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("generate %s key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storage.SigningKey{}, err
	}
	return storage.SigningKey{
		ID:         id,
		Algorithm:  string(alg),
		PrivatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		CreatedAt:  now,
		NotBefore:  now,
	}, nil
}

func (kr *keyring) load(recs []storage.SigningKey) error {
	var signing []signingKey
	secrets := map[string][]byte{}
	for _, r := range recs {
		block, _ := pem.Decode([]byte(r.PrivatePEM))
		if block == nil {
			return fmt.Errorf("key %s: no PEM block", r.ID)
		}
		if r.Algorithm == algSecret {
			secrets[r.ID] = block.Bytes
			continue
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return fmt.Errorf("key %s: %w", r.ID, err)
		}
		signer, ok := k.(crypto.Signer)
		if !ok {
			return fmt.Errorf("key %s: not a signing key", r.ID)
		}
		// The kid is the key's RFC 7638 thumbprint: a different key never reuses a kid that
		// relying parties may have cached.
		tp, err := (&jose.JSONWebKey{Key: signer.Public()}).Thumbprint(crypto.SHA256)
		if err != nil {
			return fmt.Errorf("key %s: %w", r.ID, err)
		}
		kid := base64.RawURLEncoding.EncodeToString(tp)[:22]
		signing = append(signing, signingKey{record: r.ID, id: kid, alg: jose.SignatureAlgorithm(r.Algorithm), private: signer, notBefore: r.NotBefore, retireAt: r.RetireAt})
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	kr.signing, kr.secrets, kr.loadedAt = signing, secrets, time.Now()
	return nil
}

func (kr *keyring) secret(id string) []byte {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.secrets[id]
}

// signer returns the key that signs now for alg: the newest key past its NotBefore and not
// retired (ties broken by record id), so every replica picks the same one. A rotation adds a
// newer key; older ones stay published for the tokens they signed.
func (kr *keyring) signer(alg jose.SignatureAlgorithm, now time.Time) (signingKey, error) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var best *signingKey
	for i, k := range kr.signing {
		if k.alg != alg || now.Before(k.notBefore) || (!k.retireAt.IsZero() && !now.Before(k.retireAt)) {
			continue
		}
		if best == nil || k.notBefore.After(best.notBefore) || (k.notBefore.Equal(best.notBefore) && k.record > best.record) {
			best = &kr.signing[i]
		}
	}
	if best == nil {
		return signingKey{}, fmt.Errorf("no active %s signing key", alg)
	}
	return *best, nil
}

// public returns every published key.
func (kr *keyring) public() []op.Key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	out := make([]op.Key, 0, len(kr.signing))
	for _, k := range kr.signing {
		out = append(out, publicKey{k})
	}
	return out
}

func (kr *keyring) algorithms() []jose.SignatureAlgorithm {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var out []jose.SignatureAlgorithm
	for _, k := range kr.signing {
		if !slices.Contains(out, k.alg) {
			out = append(out, k.alg)
		}
	}
	return out
}

// op.SigningKey.
func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k signingKey) Key() any                                    { return k.private }
func (k signingKey) ID() string                                  { return k.id }

// publicKey is a published key (op.Key).
type publicKey struct{ k signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.private.Public() }

var (
	_ op.SigningKey = signingKey{}
	_ op.Key        = publicKey{}
)
