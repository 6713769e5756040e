package esia

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// ESIA has no JWKS: it publishes its signing certificates as files (a zip at
// /public/esia.zip). The emulator does the same for its keys: a self-signed certificate for
// the current RS256 key (deterministic: fixed serial, subject and validity, and PKCS#1 v1.5
// signatures are deterministic, so the bytes only change when the key rotates) and the
// certificate of the derived GOST key.

// rsaCertificate returns the DER certificate of the current RS256 key.
func (d *Dialect) rsaCertificate(ctx context.Context) ([]byte, crypto.PublicKey, error) {
	signer, kid, err := d.host.Signer(ctx, jose.RS256)
	if err != nil {
		return nil, nil, err
	}
	d.mu.Lock()
	der, ok := d.rsaCerts[kid]
	d.mu.Unlock()
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
	der, err = x509.CreateCertificate(d.host.Rand(), tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		return nil, nil, fmt.Errorf("signing certificate: %w", err)
	}
	d.mu.Lock()
	d.rsaCerts[kid] = der
	d.mu.Unlock()
	return der, signer.Public(), nil
}

func (d *Dialect) certDER(w http.ResponseWriter, r *http.Request) {
	der, _, err := d.rsaCertificate(r.Context())
	if err != nil {
		d.page(w, r, http.StatusInternalServerError, errServer().with("%v", err))
		return
	}
	download(w, "application/pkix-cert", "RSA_EMULATOR.cer", der)
}

func (d *Dialect) certPEM(w http.ResponseWriter, r *http.Request) {
	der, _, err := d.rsaCertificate(r.Context())
	if err != nil {
		d.page(w, r, http.StatusInternalServerError, errServer().with("%v", err))
		return
	}
	download(w, "application/x-pem-file", "RSA_EMULATOR.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func (d *Dialect) gostCertDER(w http.ResponseWriter, r *http.Request) {
	g, err := d.gostKey(r.Context())
	if err != nil {
		d.page(w, r, http.StatusNotFound, errServer().with("no GOST key: %v", err))
		return
	}
	download(w, "application/pkix-cert", "GOST_EMULATOR.cer", g.cert)
}

// certZip is like ESIA's esia.zip: the RSA certificate, its JWK and the GOST certificate.
func (d *Dialect) certZip(w http.ResponseWriter, r *http.Request) {
	der, pub, err := d.rsaCertificate(r.Context())
	if err != nil {
		d.page(w, r, http.StatusInternalServerError, errServer().with("%v", err))
		return
	}
	jwk, err := (&jose.JSONWebKey{Key: pub, Algorithm: "RS256", Use: "sig"}).MarshalJSON()
	if err != nil {
		d.page(w, r, http.StatusInternalServerError, errServer().with("%v", err))
		return
	}
	files := []struct {
		name string
		data []byte
	}{{"RSA_EMULATOR.cer", der}, {"RSA_EMULATOR_JWK.jwk", jwk}}
	if g, err := d.gostKey(r.Context()); err == nil {
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
			d.page(w, r, http.StatusInternalServerError, errServer().with("%v", err))
			return
		}
	}
	if err := zw.Close(); err != nil {
		d.page(w, r, http.StatusInternalServerError, errServer().with("%v", err))
		return
	}
	download(w, "application/zip", "esia.zip", buf.Bytes())
}

func download(w http.ResponseWriter, contentType, name string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(b)
}
