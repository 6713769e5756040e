package kv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func putAuthRequest(tx Tx, r *storage.AuthRequest) error {
	r.Schema = storage.SchemaVersion
	return putJSON(tx, authReqKey(r.ID), r, r.ExpiresAt)
}

// CreateAuthRequest stores r until r.ExpiresAt. ErrAlreadyExists if r.ID is taken.
func (s *Store) CreateAuthRequest(ctx context.Context, r storage.AuthRequest) error {
	return s.update(ctx, noClock, "create auth request", r.ID, func(tx Tx) error {
		if err := absent(tx, authReqKey(r.ID)); err != nil {
			return err
		}
		return putAuthRequest(tx, &r)
	})
}

// GetAuthRequest returns the request unless it is missing or expired at now.
func (s *Store) GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error) {
	r, err := load[storage.AuthRequest](ctx, s.e, authReqKey(id), now)
	return r, wrap(err, "get auth request", id)
}

// UpdateAuthRequest replaces the live request with fn(old). fn must not change the id; the
// code index is maintained by SaveAuthCode (and FinishAuthRequest's Finish.CodeHash) only.
func (s *Store) UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	return s.FinishAuthRequest(ctx, id, now, storage.Finish{}, fn)
}

// FinishAuthRequest is UpdateAuthRequest that also adds f.ClientID to the live session
// f.SessionID's clients and saves f.CodeHash, in the same transaction.
func (s *Store) FinishAuthRequest(ctx context.Context, id string, now time.Time, f storage.Finish, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	var out storage.AuthRequest
	listSession := f.SessionID != "" && f.ClientID != ""
	err := s.update(ctx, now, "update auth request", id, func(tx Tx) error {
		reads := make([]string, 0, 3)
		if listSession {
			reads = append(reads, sessionKey(f.SessionID))
		}
		if f.CodeHash != "" {
			reads = append(reads, codeKey(f.CodeHash))
		}
		if len(reads) > 0 {
			if err := prefetch(tx, append(reads, authReqKey(id))...); err != nil {
				return err
			}
		}
		if listSession {
			if err := addSessionClient(tx, f.SessionID, f.ClientID, now); err != nil {
				return err
			}
		}
		old, err := getJSON[storage.AuthRequest](tx, authReqKey(id))
		if err != nil {
			return err
		}
		r, err := fn(old)
		if err != nil {
			return err
		}
		if err := sameID(id, r.ID); err != nil {
			return err
		}
		if f.CodeHash != "" {
			if err := saveCode(tx, &r, f.CodeHash, f.CodeExpiresAt); err != nil {
				return err
			}
		}
		out = r
		return putAuthRequest(tx, &out)
	})
	if err != nil {
		return storage.AuthRequest{}, err
	}
	return out, nil
}

// SaveAuthCode records codeHash on the live request and indexes it until codeExpiresAt. A
// previously saved code of the request stops resolving. ErrAlreadyUsed if the request's code
// was redeemed; ErrAlreadyExists if the hash belongs to another request.
func (s *Store) SaveAuthCode(ctx context.Context, id, codeHash string, codeExpiresAt, now time.Time) error {
	return s.update(ctx, now, "save auth code", id, func(tx Tx) error {
		if err := prefetch(tx, authReqKey(id), codeKey(codeHash)); err != nil {
			return err
		}
		r, err := getJSON[storage.AuthRequest](tx, authReqKey(id))
		if err != nil {
			return err
		}
		if err := saveCode(tx, &r, codeHash, codeExpiresAt); err != nil {
			return err
		}
		return putAuthRequest(tx, &r)
	})
}

// saveCode records codeHash on r (which the caller then stores) and indexes it until
// codeExpiresAt, dropping r's previous code: SaveAuthCode's rules.
func saveCode(tx Tx, r *storage.AuthRequest, codeHash string, codeExpiresAt time.Time) error {
	if r.Redeemed {
		return fmt.Errorf("code already redeemed: %w", storage.ErrAlreadyUsed)
	}
	owner, err := tx.Get(codeKey(codeHash))
	if err == nil && string(owner) != r.ID {
		return fmt.Errorf("code hash: %w", storage.ErrAlreadyExists)
	}
	if err := ignoreNotFound(err); err != nil {
		return err
	}
	if r.CodeHash != "" && r.CodeHash != codeHash {
		if err := tx.Delete(codeKey(r.CodeHash)); err != nil {
			return err
		}
	}
	r.CodeHash, r.CodeExpiresAt = codeHash, codeExpiresAt
	return tx.Put(codeKey(codeHash), []byte(r.ID), codeExpiresAt)
}

// AuthRequestByCode returns the live request whose code hashes to codeHash, redeemed or not.
func (s *Store) AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (storage.AuthRequest, error) {
	id, err := s.e.Get(ctx, codeKey(codeHash), now)
	if err != nil {
		return storage.AuthRequest{}, wrap(err, "auth request by code", codeHash)
	}
	r, err := s.GetAuthRequest(ctx, string(id), now)
	if err == nil && r.CodeHash != codeHash {
		err = wrap(storage.ErrNotFound, "auth request by code", codeHash)
	}
	return r, err
}

// RedeemAuthCode marks the live request redeemed (keeping only its RedeemedView, until the code
// would have expired) and stores tokens, all of family id, in one transaction. ErrAlreadyUsed
// if it was redeemed before; ErrNotFound if it is missing or expired.
func (s *Store) RedeemAuthCode(ctx context.Context, id string, now time.Time, tokens ...storage.Token) error {
	if err := sameFamily(id, tokens); err != nil {
		return wrap(err, "redeem auth code", id)
	}
	return s.update(ctx, now, "redeem auth code", id, func(tx Tx) error {
		if err := prefetch(tx, append(tokenReads(tokens), authReqKey(id))...); err != nil {
			return err
		}
		r, err := getJSON[storage.AuthRequest](tx, authReqKey(id))
		if err != nil {
			return err
		}
		if r.Redeemed {
			return fmt.Errorf("code: %w", storage.ErrAlreadyUsed)
		}
		r = r.RedeemedView()
		if err := putAuthRequest(tx, &r); err != nil {
			return err
		}
		return putTokens(tx, tokens)
	})
}

// DeleteAuthRequest removes the request and its code index unless its code was redeemed: a
// redeemed request stays until it expires so that a replayed code is recognised.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	// The engine deletes a redeemed request after its token exchange: a read answers it.
	if r, err := load[storage.AuthRequest](ctx, s.e, authReqKey(id), noClock); errors.Is(err, storage.ErrNotFound) || err == nil && r.Redeemed {
		return nil
	}
	return s.update(ctx, noClock, "delete auth request", id, func(tx Tx) error {
		r, err := getJSON[storage.AuthRequest](tx, authReqKey(id))
		if err != nil || r.Redeemed {
			return ignoreNotFound(err)
		}
		if r.CodeHash != "" {
			if err := tx.Delete(codeKey(r.CodeHash)); err != nil {
				return err
			}
		}
		return tx.Delete(authReqKey(id))
	})
}

// addSessionClient adds clientID to the live session's clients; a missing or ended session,
// or one that lists the client already, is left alone.
func addSessionClient(tx Tx, sessionID, clientID string, now time.Time) error {
	sess, err := getJSON[storage.Session](tx, sessionKey(sessionID))
	if errors.Is(err, storage.ErrNotFound) || err == nil && (!sess.Live(now) || slices.Contains(sess.Clients, clientID)) {
		return nil
	}
	if err != nil {
		return err
	}
	sess.Clients = append(sess.Clients, clientID)
	return putSession(tx, &sess)
}
