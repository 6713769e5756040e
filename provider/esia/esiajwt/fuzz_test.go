package esiajwt_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/provider/esia/signing"
)

// FuzzVerify: relying parties send codes and tokens back (/te, /rs). Whatever they send,
// Verify answers in bounded time without panicking, and accepts nothing but the tokens the
// dialect itself signed (RS256 and GOST), for the kind asked.
func FuzzVerify(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_750_000_000, 0)
	src := oneKey{key}
	tok := &esiajwt.Tokens{Keys: &signing.Keys{Signers: src, Rand: rand.Reader}, Signers: src, Rand: rand.Reader,
		Now: func() time.Time { return now }}
	signed := map[string]bool{}
	for _, alg := range []string{config.ESIAAlgRS256, config.ESIAAlgGOST} {
		s, err := tok.Sign(f.Context(), alg, esiajwt.SbtAccess, esiajwt.Access{NBF: now.Unix(), Exp: now.Add(time.Hour).Unix(), SbjID: 1000000003})
		if err != nil {
			f.Fatal(err)
		}
		signed[s] = true
		f.Add(s, true)
		f.Add(s[:len(s)-2], true)
		f.Add(s+"=", true)
	}
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9.", true)
	f.Add("..", false)
	f.Fuzz(func(t *testing.T, raw string, access bool) {
		sbt := esiajwt.SbtCode
		if access {
			sbt = esiajwt.SbtAccess
		}
		_, _, err := tok.Verify(t.Context(), raw, sbt)
		if err == nil && (!signed[raw] || !access) {
			t.Fatalf("Verify accepted a token the dialect did not sign for %s: %q", sbt, raw)
		}
		if err != nil && !errors.Is(err, esiajwt.ErrInvalid) {
			t.Fatalf("an error that is not ErrInvalid: %v", err)
		}
	})
}
