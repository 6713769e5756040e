package confirm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
)

// testPKI returns a test CA and an RSA key with a certificate (PEM) it issued to the citizen
// of testUser. The certificate checks themselves are tested in esig.
func testPKI(t *testing.T) (*x509.CertPool, crypto.Signer, string) {
	t.Helper()
	issue := func(serial int64, parent *x509.Certificate, parentKey crypto.Signer, pub crypto.PublicKey, subject pkix.Name,
		isCA bool, ku x509.KeyUsage) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: subject, NotBefore: t0.AddDate(0, -1, 0),
			NotAfter: t0.AddDate(1, 0, 0), KeyUsage: ku, BasicConstraintsValid: true, IsCA: isCA}
		if parent == nil {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := issue(1, nil, caKey, caKey.Public(), pkix.Name{CommonName: "Тестовый УЦ", Organization: []string{"Тестовый УЦ"}},
		true, x509.KeyUsageCertSign)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	subj := esig.SubjectWithSNILS("Иванова", "Мария", "Ивановна", "112-233-445 95", "500100732259")
	cert := issue(2, ca, caKey, key.Public(), subj, false, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return roots, key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// sign signs msg with an RSA or ECDSA key over SHA-256.
func sign(t *testing.T, k crypto.Signer, msg string) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(msg))
	sig, err := k.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestConfirmSignature(t *testing.T) {
	roots, key, cert := testPKI(t)
	u, pr := testUser()
	c := &Confirmer{Docs: newDocs(t), Roots: roots, ChallengeMaxTries: 3}

	if _, _, err := c.ConfirmSignature(ctx(), u, pr, "AAAA", cert, t0); !errors.Is(err, proofing.ErrNoChallenge) {
		t.Fatalf("no challenge: %v", err)
	}
	ch, err := c.NewChallenge(ctx(), u.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch.Text, ChallengePrefix+u.ID+":") || len(ch.Text) != len(ChallengePrefix+u.ID+":")+32 || !ch.ExpiresAt.Equal(t0.Add(DefaultChallengeTTL)) {
		t.Fatalf("challenge %+v", ch)
	}
	simplified := pr
	simplified.SNILSVrf = storage.VerifyVerifying
	if _, _, err := c.ConfirmSignature(ctx(), u, simplified, b64(sign(t, key, ch.Text)), cert, t0); !errors.Is(err, proofing.ErrNotStandard) {
		t.Errorf("simplified account: %v", err)
	}
	conf, signer, err := c.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, ch.Text)), cert, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if conf.Method != proofing.ConfirmESignature || !conf.At.Equal(t0.Add(time.Minute)) || !strings.Contains(conf.By, signer.Serial) || !strings.Contains(conf.By, "Тестовый УЦ") {
		t.Errorf("confirmation %+v", conf)
	}
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, ch.Text)), cert, t0.Add(time.Minute)); !errors.Is(err, proofing.ErrChallengeUsed) {
		t.Errorf("replay: %v", err)
	}

	// Failures cost tries; a signature over a replaced challenge is a failure.
	old := ch
	ch, _ = c.NewChallenge(ctx(), u.ID, t0)
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, old.Text)), cert, t0); !errors.Is(err, esig.ErrBadSignature) {
		t.Errorf("old challenge: %v", err)
	}
	other := u
	other.SNILS, other.LastName = snils("100200300"), "Петрова"
	if _, _, err := c.ConfirmSignature(ctx(), other, pr, b64(sign(t, key, ch.Text)), cert, t0); !errors.Is(err, esig.ErrSignerMismatch) {
		t.Errorf("someone else's certificate: %v", err)
	}
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, "!!", cert, t0); !errors.Is(err, esig.ErrBadSignatureEncoding) {
		t.Errorf("bad encoding: %v", err)
	}
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, ch.Text)), cert, t0); !errors.Is(err, proofing.ErrChallengeTriesExhausted) {
		t.Errorf("after 3 failures: %v", err)
	}

	// Expiry.
	ch, _ = c.NewChallenge(ctx(), u.ID, t0)
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, ch.Text)), cert, ch.ExpiresAt); !errors.Is(err, proofing.ErrChallengeExpired) {
		t.Errorf("expired: %v", err)
	}
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, ch.Text)), cert, ch.ExpiresAt.Add(keepAfterExpiry)); !errors.Is(err, proofing.ErrNoChallenge) {
		t.Errorf("long expired: %v", err)
	}
	noCA := &Confirmer{Docs: c.Docs}
	ch, _ = noCA.NewChallenge(ctx(), u.ID, t0)
	if _, _, err := noCA.ConfirmSignature(ctx(), u, pr, b64(sign(t, key, ch.Text)), cert, t0); !errors.Is(err, esig.ErrNoTrustedCA) {
		t.Errorf("no CA: %v", err)
	}
	if err := c.Forget(ctx(), u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ConfirmSignature(ctx(), u, pr, "AAAA", cert, t0); !errors.Is(err, proofing.ErrNoChallenge) {
		t.Errorf("after Forget: %v", err)
	}
}
