package esiajwt_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/provider/esia/signing"
)

type oneKey struct{ key *rsa.PrivateKey }

func (k oneKey) Signer(context.Context, jose.SignatureAlgorithm) (crypto.Signer, string, error) {
	return k.key, "k1", nil
}

func (k oneKey) Kept(context.Context) ([]signing.KeptKey, error) {
	return []signing.KeptKey{{ID: "k1", Private: k.key}}, nil
}

func TestSignVerify(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_750_000_000, 0)
	src := oneKey{key}
	tok := &esiajwt.Tokens{Keys: &signing.Keys{Signers: src, Rand: rand.Reader}, Signers: src, Rand: rand.Reader, Now: func() time.Time { return now }}
	access, err := tok.Sign(t.Context(), config.ESIAAlgRS256, esiajwt.SbtAccess, esiajwt.Access{NBF: now.Unix(), Exp: now.Add(time.Hour).Unix(), SbjID: 1000000003})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		tok   string
		sbt   string
		after time.Duration
		want  error
	}{
		{"valid", access, esiajwt.SbtAccess, 0, nil},
		{"another kind", access, esiajwt.SbtCode, 0, esiajwt.ErrInvalid},
		{"expired", access, esiajwt.SbtAccess, time.Hour, esiajwt.ErrInvalid},
		{"forged signature", access[:len(access)-4] + "AAAA", esiajwt.SbtAccess, 0, esiajwt.ErrInvalid},
		{"not a JWT", "eyJ.eyJ", esiajwt.SbtAccess, 0, esiajwt.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok.Now = func() time.Time { return now.Add(tc.after) }
			h, _, err := tok.Verify(t.Context(), tc.tok, tc.sbt)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
			if tc.want == nil && (h.Alg != "RS256" || h.Ver != 1 || h.Sbt != esiajwt.SbtAccess) {
				t.Fatalf("header %+v", h)
			}
		})
	}
}
