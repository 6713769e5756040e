package kv

import (
	"context"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// sameFamily refuses tokens that do not belong to family fid.
func sameFamily(fid string, tokens []storage.Token) error {
	for _, t := range tokens {
		if t.FamilyID != fid {
			return fmt.Errorf("token %q has family %q, want %q", t.ID, t.FamilyID, fid)
		}
	}
	return nil
}

// putTokens stores new tokens and indexes them by family and by (subject, client), pruning
// index members expired at now. ErrAlreadyExists if a token id is taken. A token without a
// FamilyID is not indexed and can only be revoked on its own.
func putTokens(tx Tx, now time.Time, tokens []storage.Token) error {
	for _, t := range tokens {
		if err := absent(tx, tokenKey(t.ID)); err != nil {
			return err
		}
		t.Schema = storage.SchemaVersion
		if err := putJSON(tx, tokenKey(t.ID), t, t.ExpiresAt); err != nil {
			return err
		}
		if t.FamilyID == "" {
			continue
		}
		if err := updateIndex(tx, familyKey(t.FamilyID), func(ix index) index {
			return ix.prune(now).add(t.ID, t.ExpiresAt)
		}); err != nil {
			return err
		}
		if err := updateIndex(tx, userClientKey(t.Subject, t.ClientID), func(ix index) index {
			return ix.prune(now).add(t.FamilyID, t.ExpiresAt)
		}); err != nil {
			return err
		}
	}
	return nil
}

// CreateTokens stores tokens in one transaction. ErrAlreadyExists if an id is taken.
func (s *Store) CreateTokens(ctx context.Context, tokens ...storage.Token) error {
	id := ""
	if len(tokens) > 0 {
		id = tokens[0].ID
	}
	return s.update(ctx, noClock, "create tokens", id, func(tx Tx) error {
		return putTokens(tx, noClock, tokens)
	})
}

// GetToken returns the token unless it is missing, revoked or expired at now. A used refresh
// token is returned with Used set.
func (s *Store) GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	t, err := load[storage.Token](ctx, s.e, tokenKey(id), now)
	return t, wrap(err, "get token", id)
}

// RotateRefreshToken marks refresh token oldID used and stores tokens of the same family in
// one transaction. The used token is kept until it expires so that a replay answers
// ErrAlreadyUsed; ErrNotFound if oldID is missing, expired, revoked or not a refresh token.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...storage.Token) error {
	return s.update(ctx, now, "rotate refresh token", oldID, func(tx Tx) error {
		old, err := getJSON[storage.Token](tx, tokenKey(oldID))
		if err != nil {
			return err
		}
		if old.Kind != storage.TokenRefresh {
			return fmt.Errorf("%s token: %w", old.Kind, storage.ErrNotFound)
		}
		if old.Used {
			return fmt.Errorf("refresh token: %w", storage.ErrAlreadyUsed)
		}
		if err := sameFamily(old.FamilyID, tokens); err != nil {
			return err
		}
		old.Used = true
		if err := putJSON(tx, tokenKey(oldID), old, old.ExpiresAt); err != nil {
			return err
		}
		return putTokens(tx, now, tokens)
	})
}

// RevokeToken deletes one token; a missing one is not an error. Its family index member
// dangles until it expires, which is harmless.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	return s.update(ctx, noClock, "revoke token", id, func(tx Tx) error {
		return tx.Delete(tokenKey(id))
	})
}

// RevokeFamily deletes every token of the family.
func (s *Store) RevokeFamily(ctx context.Context, familyID string) error {
	return s.update(ctx, noClock, "revoke family", familyID, func(tx Tx) error {
		return revokeFamily(tx, familyID)
	})
}

func revokeFamily(tx Tx, familyID string) error {
	ix, err := loadIndex(tx, familyKey(familyID))
	if err != nil {
		return err
	}
	for _, m := range ix {
		if err := tx.Delete(tokenKey(m.ID)); err != nil {
			return err
		}
	}
	return tx.Delete(familyKey(familyID))
}

// RevokeUserClientTokens deletes every token family issued to clientID for userID (the
// tokens' Subject).
func (s *Store) RevokeUserClientTokens(ctx context.Context, userID, clientID string) error {
	return s.update(ctx, noClock, "revoke user client tokens", userID+" "+clientID, func(tx Tx) error {
		ix, err := loadIndex(tx, userClientKey(userID, clientID))
		if err != nil {
			return err
		}
		for _, m := range ix {
			if err := revokeFamily(tx, m.ID); err != nil {
				return err
			}
		}
		return tx.Delete(userClientKey(userID, clientID))
	})
}
