package keys

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
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/storage"
)

// algSecret marks key records that hold symmetric secrets (cookie and token encryption keys)
// rather than signing keys. They live beside the signing keys so that every replica and every
// restart shares them.
const algSecret = "secret"

// Fixed ids of the symmetric secrets; AddKey's ErrAlreadyExists coordinates replicas.
const (
	SecretCookieHash  = "secret-cookie-hash"
	SecretCookieBlock = "secret-cookie-block"
	SecretTokenCrypto = "secret-token-crypto"
	SecretForms       = "secret-csrf"
)

// Store is what the keyring needs of the storage.
type Store interface {
	ListKeys(ctx context.Context) ([]storage.SigningKey, error)
	AddKey(ctx context.Context, k storage.SigningKey) error
	DeleteKey(ctx context.Context, id string) error
}

// Ring holds the parsed signing keys and secrets. It is loaded at start and reloaded from the
// store at most every reloadEvery (so a rotation made through another replica is picked up),
// never parsing PEM on the hot path.
type Ring struct {
	store    Store
	mu       sync.RWMutex
	signing  []Key // ordered by CreatedAt
	secrets  map[string][]byte
	loadedAt time.Time // wall clock, for the reload interval only
}

// reloadEvery is how often the keyring rereads the store.
const reloadEvery = 10 * time.Second

// Key is a loaded signing key. Its fields are read-only.
type Key struct {
	Record    string // the store's record id
	ID        string // kid: the RFC 7638 thumbprint's first 22 characters
	Alg       jose.SignatureAlgorithm
	Private   crypto.Signer
	NotBefore time.Time
	RetireAt  time.Time
}

// Ensure loads the key records, creating the missing signing keys (one RS256, one ES256) and
// secrets. Creation is race-safe across replicas: a lost AddKey race just reloads.
func Ensure(ctx context.Context, ks Store, now time.Time, rnd io.Reader) (*Ring, error) {
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
		k, err := newRecord("signing-"+string(alg)+"-1", alg, now, rnd)
		if err != nil {
			return nil, err
		}
		if err := add(k); err != nil {
			return nil, err
		}
	}
	for _, id := range []string{SecretCookieHash, SecretCookieBlock, SecretTokenCrypto, SecretForms} {
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
	kr := &Ring{store: ks}
	return kr, kr.load(recs)
}

// Refresh rereads the keys when the last load is older than reloadEvery. A failed reload keeps
// the keys already loaded.
func (kr *Ring) Refresh(ctx context.Context) error {
	kr.mu.RLock()
	fresh := time.Since(kr.loadedAt) < reloadEvery
	kr.mu.RUnlock()
	if fresh {
		return nil
	}
	return kr.Reload(ctx)
}

// Reload rereads the keys now.
func (kr *Ring) Reload(ctx context.Context) error {
	recs, err := kr.store.ListKeys(ctx)
	if err != nil {
		return fmt.Errorf("reload keys: %w", err)
	}
	return kr.load(recs)
}

func newRecord(id string, alg jose.SignatureAlgorithm, now time.Time, rnd io.Reader) (storage.SigningKey, error) {
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

func (kr *Ring) load(recs []storage.SigningKey) error {
	var signing []Key
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
		signing = append(signing, Key{Record: r.ID, ID: kid, Alg: jose.SignatureAlgorithm(r.Algorithm), Private: signer, NotBefore: r.NotBefore, RetireAt: r.RetireAt})
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	kr.signing, kr.secrets, kr.loadedAt = signing, secrets, time.Now()
	return nil
}

// Secret returns a shared symmetric secret by id (Secret… constants).
func (kr *Ring) Secret(id string) []byte {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.secrets[id]
}

// Signer returns the key that signs now for alg: the newest key past its NotBefore and not
// retired (ties broken by record id), so every replica picks the same one. A rotation adds a
// newer key; older ones stay published for the tokens they signed.
func (kr *Ring) Signer(alg jose.SignatureAlgorithm, now time.Time) (Key, error) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return signerOf(kr.signing, alg, now)
}

func signerOf(keys []Key, alg jose.SignatureAlgorithm, now time.Time) (Key, error) {
	var best *Key
	for i, k := range keys {
		if k.Alg != alg || now.Before(k.NotBefore) || (!k.RetireAt.IsZero() && !now.Before(k.RetireAt)) {
			continue
		}
		if best == nil || k.NotBefore.After(best.NotBefore) || (k.NotBefore.Equal(best.NotBefore) && k.Record > best.Record) {
			best = &keys[i]
		}
	}
	if best == nil {
		return Key{}, fmt.Errorf("keys: no active %s signing key", alg)
	}
	return *best, nil
}

// Keys returns every published key (a copy).
func (kr *Ring) Keys() []Key {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return slices.Clone(kr.signing)
}

// ByID returns the published key with kid.
func (kr *Ring) ByID(kid string) (Key, bool) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	for _, k := range kr.signing {
		if k.ID == kid {
			return k, true
		}
	}
	return Key{}, false
}

// Status is a published key as the admin API shows it (never the private part).
type Status struct {
	KID       string    `json:"kid"`
	Record    string    `json:"record"`
	Alg       string    `json:"alg"`
	NotBefore time.Time `json:"not_before"`
	RetireAt  time.Time `json:"retire_at,omitzero"`
	Signing   bool      `json:"signing"` // signs new tokens now
}

// Statuses lists the published keys and which of them sign at now.
func (kr *Ring) Statuses(now time.Time) []Status {
	keys := kr.Keys()
	out := make([]Status, 0, len(keys))
	for _, k := range keys {
		cur, err := signerOf(keys, k.Alg, now)
		out = append(out, Status{KID: k.ID, Record: k.Record, Alg: string(k.Alg), NotBefore: k.NotBefore, RetireAt: k.RetireAt,
			Signing: err == nil && cur.Record == k.Record})
	}
	return out
}

// ErrConflict: another rotation made the same key generation at the same time.
var ErrConflict = errors.New("keys: another rotation happened at the same time")

// Rotate adds a new signing key for alg (RS256 or ES256) that signs from notBefore on; older
// keys stay published until deleted, so tokens they signed keep verifying.
func (kr *Ring) Rotate(ctx context.Context, alg jose.SignatureAlgorithm, now, notBefore time.Time, rnd io.Reader) (storage.SigningKey, error) {
	recs, err := kr.store.ListKeys(ctx)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("keys: rotate: %w", err)
	}
	gen := 0
	prefix := "signing-" + string(alg) + "-"
	for _, k := range recs {
		if n, err := strconv.Atoi(strings.TrimPrefix(k.ID, prefix)); err == nil && strings.HasPrefix(k.ID, prefix) && n > gen {
			gen = n
		}
	}
	rec, err := newRecord(fmt.Sprintf("%s%d", prefix, gen+1), alg, now, rnd)
	if err != nil {
		return storage.SigningKey{}, err
	}
	rec.NotBefore = notBefore
	rec.Schema = storage.SchemaVersion
	if err := kr.store.AddKey(ctx, rec); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			return storage.SigningKey{}, fmt.Errorf("%w: %w", ErrConflict, err)
		}
		return storage.SigningKey{}, fmt.Errorf("keys: rotate: %w", err)
	}
	return rec, kr.Reload(ctx)
}

// Delete unpublishes a key by its record id.
func (kr *Ring) Delete(ctx context.Context, record string) error {
	if err := kr.store.DeleteKey(ctx, record); err != nil {
		return fmt.Errorf("keys: delete %s: %w", record, err)
	}
	return kr.Reload(ctx)
}

// Algorithms lists the algorithms of the published keys.
func (kr *Ring) Algorithms() []jose.SignatureAlgorithm {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var out []jose.SignatureAlgorithm
	for _, k := range kr.signing {
		if !slices.Contains(out, k.Alg) {
			out = append(out, k.Alg)
		}
	}
	return out
}
