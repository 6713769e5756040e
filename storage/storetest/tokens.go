package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func testTokens(t *testing.T, newStore factory) {
	used := func(tok storage.Token) storage.Token { tok.Used = true; return tok }

	t.Run("CreateGet", func(t *testing.T) {
		s, now := newStore(t), start()
		tokens := pair("t", "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, tokens...))
		wantTokens(t, s, now, tokens...)
		_, err := s.GetToken(ctx, "404", now)
		wantErr(t, "GetToken(missing)", err, storage.ErrNotFound)
		must(t, s.CreateTokens(ctx)) // nothing to do
	})

	t.Run("DuplicateIDIsAtomic", func(t *testing.T) {
		s, now := newStore(t), start()
		first := pair("t", "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, first...))
		fresh := newToken("fresh", storage.TokenAccess, "fam", "1", "client-1", now)
		dup := first[1]
		dup.Scopes = []string{"other"}
		wantErr(t, "CreateTokens(duplicate id)", s.CreateTokens(ctx, fresh, dup), storage.ErrAlreadyExists)
		wantNoTokens(t, s, now, fresh)
		wantTokens(t, s, now, first...)
	})

	t.Run("Expiry", func(t *testing.T) {
		s, now := newStore(t), start()
		tokens := pair("t", "fam", "1", "client-1", now) // access 1h, refresh 24h
		at, rt := tokens[0], tokens[1]
		must(t, s.CreateTokens(ctx, tokens...))
		wantTokens(t, s, at.ExpiresAt.Add(-time.Nanosecond), tokens...)
		wantNoTokens(t, s, at.ExpiresAt, at)
		wantTokens(t, s, at.ExpiresAt, rt)
		wantNoTokens(t, s, rt.ExpiresAt, rt)
		next := pair("t2", "fam", "1", "client-1", rt.ExpiresAt)
		wantErr(t, "RotateRefreshToken at expiry", s.RotateRefreshToken(ctx, rt.ID, rt.ExpiresAt, next...), storage.ErrNotFound)
		wantNoTokens(t, s, rt.ExpiresAt, next...)
	})

	t.Run("Rotate", func(t *testing.T) {
		s, now := newStore(t), start()
		first := pair("t1", "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, first...))
		second := pair("t2", "fam", "1", "client-1", now)
		must(t, s.RotateRefreshToken(ctx, first[1].ID, now, second...))
		wantTokens(t, s, now, first[0], used(first[1]))
		wantTokens(t, s, now, second...)

		replay := pair("t3", "fam", "1", "client-1", now)
		wantErr(t, "RotateRefreshToken(replay)", s.RotateRefreshToken(ctx, first[1].ID, now, replay...), storage.ErrAlreadyUsed)
		wantNoTokens(t, s, now, replay...)
		must(t, s.RotateRefreshToken(ctx, second[1].ID, now, replay...))
		wantTokens(t, s, now, replay...)
	})

	t.Run("RotateRefusals", func(t *testing.T) {
		s, now := newStore(t), start()
		tokens := pair("t", "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, tokens...))
		next := pair("n", "fam", "1", "client-1", now)
		wantErr(t, "RotateRefreshToken(missing)", s.RotateRefreshToken(ctx, "404", now, next...), storage.ErrNotFound)
		wantErr(t, "RotateRefreshToken(access token)", s.RotateRefreshToken(ctx, tokens[0].ID, now, next...), storage.ErrNotFound)
		foreign := pair("f", "other-family", "1", "client-1", now)
		if err := s.RotateRefreshToken(ctx, tokens[1].ID, now, foreign...); err == nil {
			t.Fatal("RotateRefreshToken stored tokens of another family")
		}
		wantNoTokens(t, s, now, next...)
		wantNoTokens(t, s, now, foreign...)
		wantTokens(t, s, now, tokens...) // nothing marked used
	})

	t.Run("RotateConcurrent", func(t *testing.T) {
		s, now := newStore(t), start()
		first := pair("t", "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, first...))
		const n = 50
		issued := make([][]storage.Token, n)
		for i := range issued {
			issued[i] = pair(fmt.Sprintf("r%d", i), "fam", "1", "client-1", now)
		}
		errs := race(n, func(i int) error { return s.RotateRefreshToken(ctx, first[1].ID, now, issued[i]...) })
		winner := oneWinner(t, errs, storage.ErrAlreadyUsed)
		for i, tokens := range issued {
			if i == winner {
				wantTokens(t, s, now, tokens...)
			} else {
				wantNoTokens(t, s, now, tokens...)
			}
		}
		wantTokens(t, s, now, used(first[1]))
	})

	t.Run("RevokeToken", func(t *testing.T) {
		s, now := newStore(t), start()
		tokens := pair("t", "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, tokens...))
		must(t, s.RevokeToken(ctx, tokens[0].ID))
		wantNoTokens(t, s, now, tokens[0])
		wantTokens(t, s, now, tokens[1])
		must(t, s.RevokeToken(ctx, tokens[1].ID))
		wantErr(t, "RotateRefreshToken(revoked)", s.RotateRefreshToken(ctx, tokens[1].ID, now, pair("n", "fam", "1", "client-1", now)...), storage.ErrNotFound)
		must(t, s.RevokeToken(ctx, tokens[1].ID)) // idempotent
		must(t, s.RevokeFamily(ctx, "fam"))       // the dangling family members are harmless
	})

	t.Run("RevokeFamily", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("fam", now)))
		first := pair("t1", "fam", "1", "client-1", now)
		must(t, s.RedeemAuthCode(ctx, "fam", now, first...))
		second := pair("t2", "fam", "1", "client-1", now)
		must(t, s.RotateRefreshToken(ctx, first[1].ID, now, second...))
		other := pair("o", "other", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, other...))

		// A replay of the used refresh token makes the caller revoke the family.
		wantErr(t, "RotateRefreshToken(replay)", s.RotateRefreshToken(ctx, first[1].ID, now), storage.ErrAlreadyUsed)
		must(t, s.RevokeFamily(ctx, "fam"))
		wantNoTokens(t, s, now, first...)
		wantNoTokens(t, s, now, second...)
		for _, tok := range []storage.Token{first[1], second[1]} {
			err := s.RotateRefreshToken(ctx, tok.ID, now, pair("x", "fam", "1", "client-1", now)...)
			wantErr(t, "RotateRefreshToken(revoked "+tok.ID+")", err, storage.ErrNotFound)
		}
		wantTokens(t, s, now, other...)
		// The redeemed request still recognises a replayed code.
		wantErr(t, "RedeemAuthCode(replay)", s.RedeemAuthCode(ctx, "fam", now), storage.ErrAlreadyUsed)
		must(t, s.RevokeFamily(ctx, "fam")) // idempotent
	})

	t.Run("RevokeUserClientTokens", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("f1", now)))
		f1 := pair("f1", "f1", "1", "client-1", now)
		must(t, s.RedeemAuthCode(ctx, "f1", now, f1...))
		f1next := pair("f1b", "f1", "1", "client-1", now)
		must(t, s.RotateRefreshToken(ctx, f1[1].ID, now, f1next...))
		f2 := pair("f2", "f2", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, f2...))
		otherClient := pair("f3", "f3", "1", "client-2", now)
		must(t, s.CreateTokens(ctx, otherClient...))
		otherUser := pair("f4", "f4", "2", "client-1", now)
		must(t, s.CreateTokens(ctx, otherUser...))

		must(t, s.RevokeUserClientTokens(ctx, "1", "client-1"))
		wantNoTokens(t, s, now, f1...)
		wantNoTokens(t, s, now, f1next...)
		wantNoTokens(t, s, now, f2...)
		wantTokens(t, s, now, otherClient...)
		wantTokens(t, s, now, otherUser...)
		must(t, s.RevokeUserClientTokens(ctx, "1", "client-1")) // idempotent

		// Tokens issued afterwards are revocable again.
		f5 := pair("f5", "f5", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, f5...))
		must(t, s.RevokeUserClientTokens(ctx, "1", "client-1"))
		wantNoTokens(t, s, now, f5...)
	})

	t.Run("NoAliasing", func(t *testing.T) {
		s, now := newStore(t), start()
		in := newToken("t", storage.TokenRefresh, "fam", "1", "client-1", now)
		want := newToken("t", storage.TokenRefresh, "fam", "1", "client-1", now)
		must(t, s.CreateTokens(ctx, in))
		in.Scopes[0] = "in"
		in.Audience[0] = "in"
		got, err := s.GetToken(ctx, "t", now)
		must(t, err)
		got.Scopes[0] = "out"
		got.AMR = append(got.AMR[:0], "out")
		wantTokens(t, s, now, want)
	})
}
