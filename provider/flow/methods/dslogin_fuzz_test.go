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

// TestDecodeCMSKeepsBinaryBytes: a DER signature is binary, and its last bytes can be 0x0a or
// 0x20 (about one upload in forty); they are part of the signature, not spaces to trim. Text
// forms (PEM, base64) are trimmed.
func TestDecodeCMSKeepsBinaryBytes(t *testing.T) {
	der := []byte{0x30, 0x04, 0x02, 0x02, 0x0a, 0x20}
	for _, tc := range []struct {
		name string
		in   []byte
		want []byte
	}{
		{"DER ending in newline and space", der, der},
		{"base64 with a final newline", []byte("MAQCAgog\n"), der},
		{"PEM with blank lines", []byte("\n-----BEGIN CMS-----\nMAQCAgog\n-----END CMS-----\n\n"), der},
		{"only spaces", []byte(" \n"), nil},
	} {
		got, err := decodeCMS(tc.in)
		if err != nil || string(got) != string(tc.want) {
			t.Errorf("%s: %x %v, want %x", tc.name, got, err, tc.want)
		}
	}
}
