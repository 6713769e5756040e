package signing

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ESIA has no JWKS: it publishes its signing certificates as files (a zip at
// /public/esia.zip). The emulator does the same for its keys: a self-signed certificate for
// the current RS256 key (deterministic: fixed serial, subject and validity, and PKCS#1 v1.5
// signatures are deterministic, so the bytes only change when the key rotates) and the
// certificate of the derived GOST key.

// Signers is the provider's keyring as far as the dialect signs with it; the dialect adapts
// *keys.Ring to it. Signer is the RS256 key that signs now; Kept lists every RS256 key the ring
// keeps (the one signing now, older ones whose tokens may still be valid, and a key added with
// a publish delay that signs later), each of which verifies what it signed and is published.
type Signers interface {
	Signer(ctx context.Context, alg jose.SignatureAlgorithm) (crypto.Signer, string, error)
	Kept(ctx context.Context) ([]KeptKey, error)
}

// KeptKey is one kept RS256 key: its id, the key, and when it signs from.
type KeptKey struct {
	ID        string
	Private   crypto.Signer
	NotBefore time.Time
}

// Keys makes and caches, per key id, the certificate of the current RS256 key and the GOST
// key derived from it, and serves both as downloads.
type Keys struct {
	Signers Signers
	Rand    io.Reader
	Now     func() time.Time // nil: time.Now (only to say whether a kept key signs later)
	// Fail answers a download that cannot be made (the dialect's error page).
	Fail func(w http.ResponseWriter, r *http.Request, status int, err error)

	mu       sync.Mutex
	rsaCerts map[string][]byte   // kid → its self-signed certificate (DER)
	gostKeys map[string]*GOSTKey // RS256 kid → derived GOST key
}

func (k *Keys) now() time.Time {
	if k.Now == nil {
		return time.Now()
	}
	return k.Now()
}

// Mount adds the certificate downloads.
func (k *Keys) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /esia/esia.cer", k.certDER)
	mux.HandleFunc("GET /esia/esia.pem", k.certPEM)
	mux.HandleFunc("GET /esia/esia-gost.cer", k.gostCertDER)
	mux.HandleFunc("GET /public/esia.zip", k.certZip)
	mux.HandleFunc("GET /public/esia/{name}", k.certFile)
}

// RSACertificate returns the DER certificate of the current RS256 key and the key.
func (k *Keys) RSACertificate(ctx context.Context) ([]byte, crypto.PublicKey, error) {
	signer, kid, err := k.Signers.Signer(ctx, jose.RS256)
	if err != nil {
		return nil, nil, err
	}
	der, err := k.rsaCert(kid, signer)
	return der, signer.Public(), err
}

// rsaCert makes (once per kid) the self-signed certificate of an RS256 key.
func (k *Keys) rsaCert(kid string, signer crypto.Signer) ([]byte, error) {
	k.mu.Lock()
	der, ok := k.rsaCerts[kid]
	k.mu.Unlock()
	if ok {
		return der, nil
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ESIA emulator", Organization: []string{"esia-emulator (test only)"}},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(k.Rand, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("signing certificate: %w", err)
	}
	k.mu.Lock()
	if k.rsaCerts == nil {
		k.rsaCerts = map[string][]byte{}
	}
	k.rsaCerts[kid] = der
	k.mu.Unlock()
	return der, nil
}

func (k *Keys) certDER(w http.ResponseWriter, r *http.Request) {
	der, _, err := k.RSACertificate(r.Context())
	if err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	download(w, "application/pkix-cert", "RSA_EMULATOR.cer", der)
}

func (k *Keys) certPEM(w http.ResponseWriter, r *http.Request) {
	der, _, err := k.RSACertificate(r.Context())
	if err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	download(w, "application/x-pem-file", "RSA_EMULATOR.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func (k *Keys) gostCertDER(w http.ResponseWriter, r *http.Request) {
	g, err := k.GOST(r.Context())
	if err != nil {
		k.Fail(w, r, http.StatusNotFound, fmt.Errorf("no GOST key: %w", err))
		return
	}
	download(w, "application/pkix-cert", "GOST_EMULATOR.cer", g.cert)
}

// file is one published file: its name and bytes.
type file struct {
	name, contentType string
	data              []byte
}

// published lists what the emulator publishes, like ESIA's esia.zip: for the key that signs
// now RSA_EMULATOR.cer, RSA_EMULATOR_JWK.jwk and GOST_EMULATOR.cer, and for every kept key
// (older ones whose tokens may still be valid, and one added with a publish delay, announced
// before it signs) the same three with its kid, plus KEYS.txt saying which signs when.
func (k *Keys) published(ctx context.Context) ([]file, error) {
	kept, err := k.Signers.Kept(ctx)
	if err != nil {
		return nil, err
	}
	_, current, err := k.Signers.Signer(ctx, jose.RS256)
	if err != nil {
		return nil, err
	}
	var out []file
	index := "Signing keys of the ESIA emulator (test only). The unsuffixed files are the key that signs now.\n"
	for _, kk := range kept {
		der, err := k.rsaCert(kk.ID, kk.Private)
		if err != nil {
			return nil, err
		}
		jwk, err := (&jose.JSONWebKey{Key: kk.Private.Public(), KeyID: kk.ID, Algorithm: "RS256", Use: "sig"}).MarshalJSON()
		if err != nil {
			return nil, err
		}
		g, err := k.gostFor(kk.ID, kk.Private)
		if err != nil {
			return nil, err
		}
		set := []file{{"RSA_EMULATOR_" + kk.ID + ".cer", "application/pkix-cert", der},
			{"RSA_EMULATOR_" + kk.ID + "_JWK.jwk", "application/jwk+json", jwk},
			{"GOST_EMULATOR_" + kk.ID + ".cer", "application/pkix-cert", g.cert}}
		state := "kept: verifies what it signed"
		if kk.ID == current {
			state = "signs now"
			out = append(out, file{"RSA_EMULATOR.cer", set[0].contentType, der}, file{"RSA_EMULATOR_JWK.jwk", set[1].contentType, jwk},
				file{"GOST_EMULATOR.cer", set[2].contentType, g.cert})
		} else if kk.NotBefore.After(k.now()) {
			state = "signs from " + kk.NotBefore.UTC().Format(time.RFC3339)
		}
		index += fmt.Sprintf("%s: %s (RS256; the GOST key GOST_EMULATOR_%s.cer is derived from it)\n", kk.ID, state, kk.ID)
		out = append(out, set...)
	}
	return append(out, file{"KEYS.txt", "text/plain; charset=utf-8", []byte(index)}), nil
}

// certZip is like ESIA's esia.zip: every published file.
func (k *Keys) certZip(w http.ResponseWriter, r *http.Request) {
	files, err := k.published(r.Context())
	if err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: certNotBefore})
		if err == nil {
			_, err = fw.Write(f.data)
		}
		if err != nil {
			k.Fail(w, r, http.StatusInternalServerError, err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	download(w, "application/zip", "esia.zip", buf.Bytes())
}

// certFile serves one file of the zip by name (/public/esia/{name}).
func (k *Keys) certFile(w http.ResponseWriter, r *http.Request) {
	files, err := k.published(r.Context())
	if err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	name := r.PathValue("name")
	for _, f := range files {
		if f.name == name {
			download(w, f.contentType, f.name, f.data)
			return
		}
	}
	k.Fail(w, r, http.StatusNotFound, fmt.Errorf("no published file %q", name))
}

func download(w http.ResponseWriter, contentType, name string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(b)
}
