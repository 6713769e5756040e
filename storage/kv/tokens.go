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

// putTokens stores new tokens. A token with a FamilyID is valid only while its family record
// lives: the record is (re)written to outlive the token, so revoking the family is one
// delete however many tokens it issued. Tokens are also listed under (subject, client).
// ErrAlreadyExists if a token id is taken.
// tokenReads are the keys putTokens reads, to prefetch.
func tokenReads(tokens []storage.Token) []string {
	keys := make([]string, 0, 3*len(tokens))
	for _, t := range tokens {
		keys = append(keys, tokenKey(t.ID))
		if t.FamilyID != "" {
			keys = append(keys, familyKey(t.FamilyID), userClientPrefix(t.Subject, t.ClientID)+t.FamilyID)
		}
	}
	return keys
}

func putTokens(tx Tx, tokens []storage.Token) error {
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
		if err := extendMember(tx, familyKey(t.FamilyID), t.ExpiresAt); err != nil {
			return err
		}
		if err := extendMember(tx, userClientPrefix(t.Subject, t.ClientID)+t.FamilyID, t.ExpiresAt); err != nil {
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
		if err := prefetch(tx, tokenReads(tokens)...); err != nil {
			return err
		}
		return putTokens(tx, tokens)
	})
}

// GetToken returns the token unless it is missing, revoked (itself or its family) or expired
// at now. A used refresh token is returned with Used set.
func (s *Store) GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	t, err := load[storage.Token](ctx, s.e, tokenKey(id), now)
	if err == nil && t.FamilyID != "" {
		if _, ferr := s.e.Get(ctx, familyKey(t.FamilyID), now); ferr != nil {
			err = fmt.Errorf("token family: %w", ferr)
		}
	}
	return t, wrap(err, "get token", id)
}

// RotateRefreshToken marks refresh token oldID used and stores tokens of the same family in
// one transaction. The used token is kept until it expires so that a replay answers
// ErrAlreadyUsed; ErrNotFound if oldID is missing, expired, revoked or not a refresh token.
func (s *Store) RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...storage.Token) error {
	return s.update(ctx, now, "rotate refresh token", oldID, func(tx Tx) error {
		// The new tokens are of the old one's family (checked below): one read for all.
		if err := prefetch(tx, append(tokenReads(tokens), tokenKey(oldID))...); err != nil {
			return err
		}
		old, err := getJSON[storage.Token](tx, tokenKey(oldID))
		if err != nil {
			return err
		}
		if old.Kind != storage.TokenRefresh {
			return fmt.Errorf("%s token: %w", old.Kind, storage.ErrNotFound)
		}
		if old.FamilyID != "" {
			if _, err := tx.Get(familyKey(old.FamilyID)); err != nil {
				return fmt.Errorf("token family: %w", err)
			}
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
		return putTokens(tx, tokens)
	})
}

// RevokeToken deletes one token; a missing one is not an error.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	return s.update(ctx, noClock, "revoke token", id, func(tx Tx) error {
		return tx.Delete(tokenKey(id))
	})
}

// RevokeFamily revokes every token of the family by deleting the family record; the token
// records become unreadable at once and are dropped when they expire.
func (s *Store) RevokeFamily(ctx context.Context, familyID string) error {
	return s.update(ctx, noClock, "revoke family", familyID, func(tx Tx) error {
		return tx.Delete(familyKey(familyID))
	})
}

// RevokeUserClientTokens revokes every token family issued to clientID for userID (the
// tokens' Subject). The families are listed before the revoking transaction, so a family
// issued concurrently may survive, as if it had been issued just after.
func (s *Store) RevokeUserClientTokens(ctx context.Context, userID, clientID string) error {
	prefix := userClientPrefix(userID, clientID)
	fids, err := memberIDs(ctx, s.e, prefix, noClock)
	if err != nil || len(fids) == 0 {
		return wrap(err, "revoke user client tokens", userID+" "+clientID)
	}
	return s.update(ctx, noClock, "revoke user client tokens", userID+" "+clientID, func(tx Tx) error {
		for _, fid := range fids {
			if err := tx.Delete(familyKey(fid)); err != nil {
				return err
			}
			if err := tx.Delete(prefix + fid); err != nil {
				return err
			}
		}
		return nil
	})
}
