package esia_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret/secrettest"
	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
)

// TestSignatureLoginGivesAMRDS: a login with an electronic signature reaches an ESIA cabinet
// as amr=DS in the id_token.
func TestSignatureLoginGivesAMRDS(t *testing.T) {
	caKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Тестовый УЦ"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour * 24 * 365), KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: esig.SubjectWithSNILS("Иванова", "Мария", "", "000-000-600 03", ""),
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour * 24), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)

	e := newEnv(t, func(c *config.Config) { c.Proofing.ESignatureCA = caFile })
	c := e.rp(rpRSA, rsaKey)
	state := newState()
	login := c.authorize(false, c.authParams(false, "openid fullname", "online", state))
	ds := c.browser.Follow(c.browser.Follow(login, "Войти другим способом"), "Электронная подпись")
	f := c.browser.Form(ds, browser.ByAction("/login/ds"))
	cms := secrettest.CMS(t, &secrettest.Key{Cert: cert, DER: der, RSA: key}, []byte(ds.TextOf("#ds-challenge")), secrettest.CMSOptions{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("authRequestID", f.Get("authRequestID"))
	_ = mw.WriteField("csrf", f.Get("csrf"))
	fw, _ := mw.CreateFormFile("signature", "challenge.p7s")
	_, _ = fw.Write(cms)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/login/ds", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	pg, err := c.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok := c.exchange(false, c.codeFrom(e.approveConsent(c.browser, pg), state), "openid fullname")
	var id esiajwt.ID
	if err := json.Unmarshal(verifyRS256(t, e, str(tok["id_token"])), &id); err != nil {
		t.Fatal(err)
	}
	if id.Sub != 1000000003 || id.AMR != "DS" {
		t.Fatalf("id_token: %+v", id)
	}
}
