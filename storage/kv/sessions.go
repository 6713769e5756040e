package kv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func putSession(tx Tx, s *storage.Session) error {
	s.Schema = storage.SchemaVersion
	return putJSON(tx, sessionKey(s.ID), s, s.ExpiresAt)
}

// errSessionEnded reports a session that is stored but past its idle or absolute expiry.
var errSessionEnded = fmt.Errorf("session ended: %w", storage.ErrNotFound)

// CreateSession stores sess until its absolute expiry and adds it to the user's index.
// ErrAlreadyExists if the id is taken.
func (s *Store) CreateSession(ctx context.Context, sess storage.Session) error {
	return s.update(ctx, noClock, "create session", sess.ID, func(tx Tx) error {
		if err := absent(tx, sessionKey(sess.ID)); err != nil {
			return err
		}
		if err := putSession(tx, &sess); err != nil {
			return err
		}
		// Members ending before this session began are dead by any clock.
		return updateIndex(tx, userSessionsKey(sess.UserID), func(ix index) index {
			return ix.prune(sess.CreatedAt).add(sess.ID, sess.ExpiresAt)
		})
	})
}

// GetSession returns the session unless it is missing or not Live at now.
func (s *Store) GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error) {
	sess, err := load[storage.Session](ctx, s.e, sessionKey(id), now)
	if err == nil && !sess.Live(now) {
		return storage.Session{}, wrap(errSessionEnded, "get session", id)
	}
	return sess, wrap(err, "get session", id)
}

// UpdateSession replaces the live session with fn(old). fn must not change the id.
func (s *Store) UpdateSession(ctx context.Context, id string, now time.Time, fn func(storage.Session) (storage.Session, error)) (storage.Session, error) {
	var out storage.Session
	err := s.update(ctx, now, "update session", id, func(tx Tx) error {
		old, err := getJSON[storage.Session](tx, sessionKey(id))
		if err != nil {
			return err
		}
		if !old.Live(now) {
			return errSessionEnded
		}
		sess, err := fn(old)
		if err != nil {
			return err
		}
		if err := sameID(id, sess.ID); err != nil {
			return err
		}
		out = sess
		if err := putSession(tx, &out); err != nil {
			return err
		}
		if sess.UserID != old.UserID {
			if err := updateIndex(tx, userSessionsKey(old.UserID), func(ix index) index { return ix.remove(id) }); err != nil {
				return err
			}
		} else if sess.ExpiresAt.Equal(old.ExpiresAt) {
			return nil // the common case: only LastSeen moved
		}
		return updateIndex(tx, userSessionsKey(sess.UserID), func(ix index) index {
			return ix.prune(now).add(id, sess.ExpiresAt)
		})
	})
	if err != nil {
		return storage.Session{}, err
	}
	return out, nil
}

// DeleteSession removes the session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.update(ctx, noClock, "delete session", id, func(tx Tx) error {
		sess, err := getJSON[storage.Session](tx, sessionKey(id))
		if err != nil {
			return ignoreNotFound(err)
		}
		if err := tx.Delete(sessionKey(id)); err != nil {
			return err
		}
		return updateIndex(tx, userSessionsKey(sess.UserID), func(ix index) index { return ix.remove(id) })
	})
}

// ListUserSessions returns the user's sessions Live at now, oldest first.
func (s *Store) ListUserSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	ix, err := load[index](ctx, s.e, userSessionsKey(userID), now)
	if err != nil {
		return nil, wrap(ignoreNotFound(err), "list user sessions", userID)
	}
	var out []storage.Session
	for _, m := range ix {
		sess, err := load[storage.Session](ctx, s.e, sessionKey(m.ID), now)
		if errors.Is(err, storage.ErrNotFound) || err == nil && (!sess.Live(now) || sess.UserID != userID) {
			continue // ended, or a dangling member
		}
		if err != nil {
			return nil, wrap(err, "list user sessions", userID)
		}
		out = append(out, sess)
	}
	slices.SortFunc(out, func(a, b storage.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteUserSessions removes every session of the user except keepID ("" removes all).
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keepID string) error {
	return s.update(ctx, noClock, "delete user sessions", userID, func(tx Tx) error {
		ix, err := loadIndex(tx, userSessionsKey(userID))
		if err != nil {
			return err
		}
		var kept index
		for _, m := range ix {
			if m.ID == keepID {
				kept = append(kept, m)
			} else if err := tx.Delete(sessionKey(m.ID)); err != nil {
				return err
			}
		}
		return kept.save(tx, userSessionsKey(userID))
	})
}
