package methods

import (
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
)

// FuzzSignatureUpload: whatever a citizen uploads, decoding and verifying it ends without a
// panic, within the upload bound.
func FuzzSignatureUpload(f *testing.F) {
	for _, s := range []string{"", "hello", "MIIB", "-----BEGIN CMS-----\nMIIB\n-----END CMS-----\n", "\x30\x82\x01\x00\x06\x09", "\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > dsMaxBody {
			return
		}
		raw, err := decodeCMS(b)
		if err != nil || len(raw) == 0 {
			return
		}
		if cert, _, err := clientsecret.VerifyDetached(raw, []byte("challenge")); err == nil && cert == nil {
			t.Fatal("verified without a certificate")
		}
	})
}
