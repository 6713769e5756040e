package esia_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost"
	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

// TestGOSTTokensOutliveARotation: after the RS256 key rotates (and with it the derived GOST
// key), a GOST-signed access token issued before still reads /rs and a code issued before still
// becomes tokens; every published file set verifies the old token, and a key added with a
// publish delay is announced in esia.zip (and as its own file) before it signs.
func TestGOSTTokensOutliveARotation(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpGOST, gostClientKey)
	code1, _ := c.loginFor(false, "openid fullname", "online", "+79990000003")
	oldAccess := str(c.exchange(false, code1, "openid fullname")["access_token"])
	c2 := e.rp(rpGOST, gostClientKey)
	code2, _ := c2.loginFor(false, "openid fullname", "online", "+79990000003") // redeemed after the rotation

	rotate := func(body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.base+"/admin/api/keys/rotate", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		if pg := e.do(req); pg.Status != http.StatusOK && pg.Status != http.StatusCreated {
			t.Fatalf("rotate: %d %s", pg.Status, pg.Body)
		}
	}
	before := zipFiles(t, e)
	rotate(`{"alg":"RS256"}`)
	after := zipFiles(t, e)
	if bytes.Equal(before["GOST_EMULATOR.cer"], after["GOST_EMULATOR.cer"]) {
		t.Fatal("the GOST key did not rotate with the RS256 key")
	}
	if status, p := c.api(oldAccess, "/rs/prns/1000000003"); status != http.StatusOK || p["lastName"] == nil {
		t.Fatalf("the pre-rotation GOST token on /rs: %d %v", status, p)
	}
	if tok := c2.exchange(false, code2, "openid fullname"); str(tok["access_token"]) == "" {
		t.Fatalf("the pre-rotation code on /te: %v", tok)
	}
	// The old token verifies with one of the published GOST certificates, the old one too.
	verifiers := 0
	for name, der := range after {
		if !strings.HasPrefix(name, "GOST_EMULATOR_") {
			continue
		}
		pub, err := gost.ParsePublicKeyFromCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if gostVerifies(t, pub, oldAccess) {
			verifiers++
		}
	}
	if verifiers != 1 {
		t.Fatalf("%d published GOST certificates verify the pre-rotation token, want 1 (files %v)", verifiers, keysOf(after))
	}
	// A key added with a publish delay is announced before it signs, in the zip and alone.
	rotate(`{"alg":"RS256","publish_delay":"1h"}`)
	later := zipFiles(t, e)
	if !bytes.Equal(later["GOST_EMULATOR.cer"], after["GOST_EMULATOR.cer"]) || !strings.Contains(string(later["KEYS.txt"]), "signs from") {
		t.Fatalf("the delayed key: KEYS.txt %q", later["KEYS.txt"])
	}
	n := 0
	for name, b := range later {
		if strings.HasPrefix(name, "RSA_EMULATOR_") && strings.HasSuffix(name, ".cer") {
			n++
			if pg := e.get(e.base + "/public/esia/" + name); pg.Status != http.StatusOK || pg.Body != string(b) {
				t.Fatalf("/public/esia/%s: %d", name, pg.Status)
			}
		}
	}
	if n != 3 {
		t.Fatalf("%d RS256 certificates published, want 3 (files %v)", n, keysOf(later))
	}
	if pg := e.get(e.base + "/public/esia/nosuch.cer"); pg.Status != http.StatusNotFound {
		t.Fatalf("an unknown file: %d", pg.Status)
	}
}

func zipFiles(t *testing.T, e *env) map[string][]byte {
	t.Helper()
	z := e.get(e.base + "/public/esia.zip")
	zr, err := zip.NewReader(bytes.NewReader([]byte(z.Body)), int64(len(z.Body)))
	if err != nil {
		t.Fatalf("esia.zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = b
	}
	return out
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// gostVerifies checks an ESIA GOST JWT (Streebog-256, signature s‖r) with pub.
func gostVerifies(t *testing.T, pub *gost.PublicKey, jwt string) bool {
	t.Helper()
	i := strings.LastIndexByte(jwt, '.')
	sig, err := base64.RawURLEncoding.DecodeString(jwt[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	d := streebog.Sum256([]byte(jwt[:i]))
	return gost.VerifyRaw(pub, d[:], sig, gost.SR)
}
