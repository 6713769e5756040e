package kv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/storage"
)

func putUser(tx Tx, u *storage.User) error {
	u.Schema = storage.SchemaVersion
	return putJSON(tx, userKey(u.ID), u, noClock)
}

// claimLogin points the login at id. ErrAlreadyExists if it belongs to another user. An
// index entry whose user no longer has the login (one written before unconfirmed contacts
// stopped being logins) is stale and taken over.
func claimLogin(tx Tx, kind storage.LoginKind, value, id string) error {
	key := loginKey(kind, value)
	owner, err := tx.Get(key)
	switch {
	case err == nil && string(owner) != id:
		other, gerr := getJSON[storage.User](tx, userKey(string(owner)))
		if gerr != nil && !errors.Is(gerr, storage.ErrNotFound) {
			return gerr
		}
		if gerr == nil && other.Logins()[kind] == value {
			return fmt.Errorf("login %s %q: %w", kind, value, storage.ErrAlreadyExists)
		}
	case err == nil:
		return nil
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return tx.Put(key, []byte(id), noClock)
}

// CreateUser stores u. ErrAlreadyExists if u.ID or any of its logins is taken.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	return s.update(ctx, noClock, "create user", u.ID, func(tx Tx) error {
		return createUsers(tx, []storage.User{u})
	})
}

// CreateUsers stores every user or none, in one transaction. ErrAlreadyExists if an id or a
// login is taken, by a stored user or by another of users.
func (s *Store) CreateUsers(ctx context.Context, users []storage.User) error {
	id := ""
	if len(users) > 0 {
		id = users[0].ID
	}
	return s.update(ctx, noClock, "create users", id, func(tx Tx) error {
		return createUsers(tx, users)
	})
}

// createUsers stores users with their logins and their places in the id order, and counts
// them.
func createUsers(tx Tx, users []storage.User) error {
	for _, u := range users {
		if err := absent(tx, userKey(u.ID)); err != nil {
			return err
		}
		for kind, v := range u.Logins() {
			if err := claimLogin(tx, kind, v, u.ID); err != nil {
				return err
			}
		}
		if err := putUser(tx, &u); err != nil {
			return err
		}
		if err := putUserSummary(tx, u); err != nil {
			return err
		}
	}
	return countUsers(tx, len(users))
}

// GetUser returns the user with the given id.
func (s *Store) GetUser(ctx context.Context, id string) (storage.User, error) {
	u, err := load[storage.User](ctx, s.e, userKey(id), noClock)
	return u, wrap(err, "get user", id)
}

// UserByLogin finds the user by a normalised login.
func (s *Store) UserByLogin(ctx context.Context, kind storage.LoginKind, value string) (storage.User, error) {
	id, err := s.e.Get(ctx, loginKey(kind, value), noClock)
	if err != nil {
		return storage.User{}, wrap(err, "user by login", string(kind)+" "+value)
	}
	u, err := s.GetUser(ctx, string(id))
	if err == nil && u.Logins()[kind] != value {
		// The user changed the login between the two reads.
		err = wrap(storage.ErrNotFound, "user by login", string(kind)+" "+value)
	}
	return u, err
}

// UpdateUser replaces the user with fn(old), moving its login index entries in the same
// transaction. fn must not change the id.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(storage.User) (storage.User, error)) (storage.User, error) {
	var out storage.User
	err := s.update(ctx, noClock, "update user", id, func(tx Tx) error {
		old, err := getJSON[storage.User](tx, userKey(id))
		if err != nil {
			return err
		}
		oldLogins := old.Logins()
		u, err := fn(old)
		if err != nil {
			return err
		}
		if err := sameID(id, u.ID); err != nil {
			return err
		}
		newLogins := u.Logins()
		for kind, v := range oldLogins {
			if newLogins[kind] != v {
				if err := tx.Delete(loginKey(kind, v)); err != nil {
					return err
				}
			}
		}
		for kind, v := range newLogins {
			if oldLogins[kind] != v {
				if err := claimLogin(tx, kind, v, id); err != nil {
					return err
				}
			}
		}
		out = u
		if err := putUserSummary(tx, u); err != nil {
			return err
		}
		return putUser(tx, &out)
	})
	if err != nil {
		return storage.User{}, err
	}
	return out, nil
}

// ListUsers returns every user ordered by ID; numeric ids order numerically ("9" < "10").
func (s *Store) ListUsers(ctx context.Context) ([]storage.User, error) {
	users, _, err := s.listUsers(ctx, -1)
	return users, err
}

// ListUsersPage returns the summaries of the first limit users in ListUsers order and the
// number of users. It reads the user order index (userorder/, which holds the summaries) up
// to limit and the count (meta/users), so a page costs the same with 6 users or 100,000; a
// store written before the index existed (or just reset) gets it built on its first page.
func (s *Store) ListUsersPage(ctx context.Context, limit int) ([]storage.UserSummary, int, error) {
	limit = max(limit, 0)
	meta, err := s.indexedUsers(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("kv: list users: %w", err)
	}
	users := make([]storage.UserSummary, 0, min(limit, meta.Count))
	if limit > 0 {
		err = s.e.Scan(ctx, userOrderPrefix, noClock, func(key string, b []byte) error {
			u, err := decode[storage.UserSummary](key, b)
			if err != nil {
				return err
			}
			if users = append(users, u); len(users) == limit {
				return errStopScan
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopScan) {
			return nil, 0, fmt.Errorf("kv: list users: %w", err)
		}
	}
	return users, max(meta.Count, len(users)), nil
}

// listUsers decodes the first limit users in id order (limit < 0: all) and counts them all.
func (s *Store) listUsers(ctx context.Context, limit int) ([]storage.User, int, error) {
	type raw struct {
		key, id string
		b       []byte
	}
	var all []raw
	err := s.e.Scan(ctx, "user/", noClock, func(key string, b []byte) error {
		all = append(all, raw{key, strings.TrimPrefix(key, "user/"), b})
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("kv: list users: %w", err)
	}
	slices.SortFunc(all, func(a, b raw) int {
		return cmp.Or(cmp.Compare(len(a.id), len(b.id)), strings.Compare(a.id, b.id))
	})
	total := len(all)
	if limit >= 0 && limit < total {
		all = all[:limit]
	}
	users := make([]storage.User, 0, len(all))
	for _, r := range all {
		u, err := decode[storage.User](r.key, r.b)
		if err != nil {
			return nil, 0, fmt.Errorf("kv: list users: %w", err)
		}
		users = append(users, u)
	}
	return users, total, nil
}

// DeleteUser removes the user and its logins. ErrNotFound if there is no such user.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.update(ctx, noClock, "delete user", id, func(tx Tx) error {
		u, err := getJSON[storage.User](tx, userKey(id))
		if err != nil {
			return err
		}
		for kind, v := range u.Logins() {
			if err := tx.Delete(loginKey(kind, v)); err != nil {
				return err
			}
		}
		if err := tx.Delete(userOrderKey(id)); err != nil {
			return err
		}
		if err := countUsers(tx, -1); err != nil {
			return err
		}
		return tx.Delete(userKey(id))
	})
}
