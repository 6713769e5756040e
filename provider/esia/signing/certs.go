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

	jose "github.com/go-jose/go-jose/v4"
)

// ESIA has no JWKS: it publishes its signing certificates as files (a zip at
// /public/esia.zip). The emulator does the same for its keys: a self-signed certificate for
// the current RS256 key (deterministic: fixed serial, subject and validity, and PKCS#1 v1.5
// signatures are deterministic, so the bytes only change when the key rotates) and the
// certificate of the derived GOST key.

// Signers is the provider's keyring as far as the dialect signs with it; the dialect adapts
// *keys.Ring to it.
type Signers interface {
	Signer(ctx context.Context, alg jose.SignatureAlgorithm) (crypto.Signer, string, error)
}

// Keys makes and caches, per key id, the certificate of the current RS256 key and the GOST
// key derived from it, and serves both as downloads.
type Keys struct {
	Signers Signers
	Rand    io.Reader
	// Fail answers a download that cannot be made (the dialect's error page).
	Fail func(w http.ResponseWriter, r *http.Request, status int, err error)

	mu       sync.Mutex
	rsaCerts map[string][]byte   // kid → its self-signed certificate (DER)
	gostKeys map[string]*GOSTKey // RS256 kid → derived GOST key
}

// Mount adds the certificate downloads.
func (k *Keys) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /esia/esia.cer", k.certDER)
	mux.HandleFunc("GET /esia/esia.pem", k.certPEM)
	mux.HandleFunc("GET /esia/esia-gost.cer", k.gostCertDER)
	mux.HandleFunc("GET /public/esia.zip", k.certZip)
}

// RSACertificate returns the DER certificate of the current RS256 key and the key.
func (k *Keys) RSACertificate(ctx context.Context) ([]byte, crypto.PublicKey, error) {
	signer, kid, err := k.Signers.Signer(ctx, jose.RS256)
	if err != nil {
		return nil, nil, err
	}
	k.mu.Lock()
	der, ok := k.rsaCerts[kid]
	k.mu.Unlock()
	if ok {
		return der, signer.Public(), nil
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
	der, err = x509.CreateCertificate(k.Rand, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return nil, nil, fmt.Errorf("signing certificate: %w", err)
	}
	k.mu.Lock()
	if k.rsaCerts == nil {
		k.rsaCerts = map[string][]byte{}
	}
	k.rsaCerts[kid] = der
	k.mu.Unlock()
	return der, signer.Public(), nil
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

// certZip is like ESIA's esia.zip: the RSA certificate, its JWK and the GOST certificate.
func (k *Keys) certZip(w http.ResponseWriter, r *http.Request) {
	der, pub, err := k.RSACertificate(r.Context())
	if err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	jwk, err := (&jose.JSONWebKey{Key: pub, Algorithm: "RS256", Use: "sig"}).MarshalJSON()
	if err != nil {
		k.Fail(w, r, http.StatusInternalServerError, err)
		return
	}
	files := []struct {
		name string
		data []byte
	}{{"RSA_EMULATOR.cer", der}, {"RSA_EMULATOR_JWK.jwk", jwk}}
	if g, err := k.GOST(r.Context()); err == nil {
		files = append(files, struct {
			name string
			data []byte
		}{"GOST_EMULATOR.cer", g.cert})
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

func download(w http.ResponseWriter, contentType, name string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(b)
}
