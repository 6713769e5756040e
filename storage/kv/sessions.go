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

// putSessionMember lists the session under its user until the session's absolute expiry.
func putSessionMember(tx Tx, s storage.Session) error {
	return putMember(tx, userSessionsPrefix(s.UserID)+s.ID, s.ExpiresAt)
}

// errSessionEnded reports a session that is stored but past its idle or absolute expiry.
var errSessionEnded = fmt.Errorf("session ended: %w", storage.ErrNotFound)

// CreateSession stores sess until its absolute expiry. ErrAlreadyExists if the id is taken.
func (s *Store) CreateSession(ctx context.Context, sess storage.Session, docs ...storage.DocWrite) error {
	return s.update(ctx, noClock, "create session", sess.ID, func(tx Tx) error {
		if err := prefetch(tx, append(docReads(docs), sessionKey(sess.ID))...); err != nil {
			return err
		}
		if err := absent(tx, sessionKey(sess.ID)); err != nil {
			return err
		}
		if err := putSession(tx, &sess); err != nil {
			return err
		}
		if err := putDocs(tx, docs); err != nil {
			return err
		}
		return putSessionMember(tx, sess)
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
		if sess.UserID == old.UserID && sess.ExpiresAt.Equal(old.ExpiresAt) {
			return nil // the common case: only LastSeen moved
		}
		if err := tx.Delete(userSessionsPrefix(old.UserID) + id); err != nil {
			return err
		}
		return putSessionMember(tx, sess)
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
		return tx.Delete(userSessionsPrefix(sess.UserID) + id)
	})
}

// ListUserSessions returns the user's sessions Live at now, oldest first.
func (s *Store) ListUserSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	ids, err := memberIDs(ctx, s.e, userSessionsPrefix(userID), now)
	if err != nil {
		return nil, wrap(err, "list user sessions", userID)
	}
	var out []storage.Session
	for _, id := range ids {
		sess, err := load[storage.Session](ctx, s.e, sessionKey(id), now)
		if errors.Is(err, storage.ErrNotFound) || err == nil && (!sess.Live(now) || sess.UserID != userID) {
			continue // ended, or deleted since the scan
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

// DeleteUserSessions removes every session of the user except keepID ("" removes all). The
// sessions are listed before the deleting transaction, so a session created concurrently may
// survive, as if it had been created just after.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keepID string) error {
	prefix := userSessionsPrefix(userID)
	ids, err := memberIDs(ctx, s.e, prefix, noClock)
	if err != nil || len(ids) == 0 {
		return wrap(err, "delete user sessions", userID)
	}
	return s.update(ctx, noClock, "delete user sessions", userID, func(tx Tx) error {
		for _, id := range ids {
			if id == keepID {
				continue
			}
			if err := tx.Delete(sessionKey(id)); err != nil {
				return err
			}
			if err := tx.Delete(prefix + id); err != nil {
				return err
			}
		}
		return nil
	})
}
