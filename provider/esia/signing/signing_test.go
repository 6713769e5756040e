package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
)

type fakeSigners struct {
	key *rsa.PrivateKey
	kid string
	err error
}

func (f *fakeSigners) Signer(context.Context, jose.SignatureAlgorithm) (crypto.Signer, string, error) {
	return f.key, f.kid, f.err
}

func (f *fakeSigners) Kept(context.Context) ([]KeptKey, error) {
	if f.err != nil {
		return nil, f.err
	}
	return []KeptKey{{ID: f.kid, Private: f.key}}, nil
}

func TestKeysAreDerivedAndStable(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeSigners{key: priv, kid: "k1"}
	a, b := &Keys{Signers: src, Rand: rand.Reader}, &Keys{Signers: src, Rand: rand.Reader}
	ctx := t.Context()

	ga, err := a.GOST(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := b.GOST(ctx)
	if !bytes.Equal(ga.Certificate(), gb.Certificate()) {
		t.Fatal("two Keys over one RSA key derive different GOST certificates")
	}
	if _, err := gost.ParsePublicKeyFromCertificate(ga.Certificate()); err != nil {
		t.Fatal(err)
	}
	sig, err := ga.Sign(rand.Reader, []byte("header.payload"))
	if err != nil || !gb.Verify([]byte("header.payload"), sig) || gb.Verify([]byte("header.other"), sig) {
		t.Fatalf("sign/verify: %v", err)
	}

	ca, pub, err := a.RSACertificate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cb, _, _ := b.RSACertificate(ctx)
	cert, err := x509.ParseCertificate(ca)
	if err != nil || !bytes.Equal(ca, cb) || !priv.PublicKey.Equal(pub) || !priv.PublicKey.Equal(cert.PublicKey) {
		t.Fatalf("RSA certificate: %v", err)
	}

	// A new RSA key gives a new GOST key.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	src.key, src.kid = other, "k2"
	if gc, _ := a.GOST(ctx); bytes.Equal(gc.Certificate(), ga.Certificate()) {
		t.Fatal("the GOST key did not rotate with the RSA key")
	}
}

func TestDownloadFailure(t *testing.T) {
	var got error
	k := &Keys{Signers: &fakeSigners{err: errors.New("keyring down")}, Rand: rand.Reader,
		Fail: func(w http.ResponseWriter, _ *http.Request, status int, err error) { got = err; w.WriteHeader(status) }}
	mux := http.NewServeMux()
	k.Mount(mux)
	for path, status := range map[string]int{"/esia/esia.cer": 500, "/esia/esia.pem": 500, "/public/esia.zip": 500, "/esia/esia-gost.cer": 404} {
		got = nil
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != status || got == nil {
			t.Errorf("%s: %d %v", path, w.Code, got)
		}
	}
}
