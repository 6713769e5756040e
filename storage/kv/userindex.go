package kv

import (
	"context"
	"errors"
	"fmt"

	"github.com/esia-emulator/esia-emulator/storage"
)

// The user order index keeps the persona picker's page cheap with many users: one key per
// user in ListUsers order (numeric ids order numerically) and one count record, both written
// in the transactions that create and delete users.
//
//	userorder/<len(id) as 3 digits><id>  the user's storage.UserSummary, in ListUsers order
//	meta/users                            usersMeta
const (
	userOrderPrefix = "userorder/"
	usersMetaKey    = "meta/users"
)

func userOrderKey(id string) string { return fmt.Sprintf("%s%03d%s", userOrderPrefix, len(id), id) }

// putUserSummary writes the user's summary at its place in the order.
func putUserSummary(tx Tx, u storage.User) error {
	return putJSON(tx, userOrderKey(u.ID), u.Summary(), noClock)
}

// usersMeta counts the users once the index is built (Indexed). Before that (a store written
// by an older version, or reset) every create and delete still bumps Gen, so that building
// the index can tell whether a user came or went while it was scanning.
type usersMeta struct {
	Schema  int   `json:"v"`
	Indexed bool  `json:"indexed,omitempty"`
	Count   int   `json:"count"`
	Gen     int64 `json:"gen,omitempty"`
}

// countUsers adds delta to the count in the transaction that creates or deletes users.
func countUsers(tx Tx, delta int) error {
	m, err := getJSON[usersMeta](tx, usersMetaKey)
	if err := ignoreNotFound(err); err != nil {
		return err
	}
	if m.Indexed {
		m.Count += delta
	}
	m.Gen++
	m.Schema = storage.SchemaVersion
	return putJSON(tx, usersMetaKey, m, noClock)
}

// errStopScan ends a Scan early.
var errStopScan = errors.New("kv: enough")

// errIndexRace: users came or went while the index was being built.
var errIndexRace = errors.New("users changed while their index was built")

// indexedUsers returns the users' meta record, building the order index first when the store
// has none. The build scans the users, then writes their order keys and the count in one
// transaction that checks Gen: a create or delete during the scan makes it start over.
func (s *Store) indexedUsers(ctx context.Context) (usersMeta, error) {
	for range 8 {
		m, err := load[usersMeta](ctx, s.e, usersMetaKey, noClock)
		if err := ignoreNotFound(err); err != nil {
			return m, err
		}
		if m.Indexed {
			return m, nil
		}
		var users []storage.User
		err = s.e.Scan(ctx, "user/", noClock, func(key string, b []byte) error {
			u, err := decode[storage.User](key, b)
			users = append(users, u)
			return err
		})
		if err != nil {
			return m, err
		}
		gen := m.Gen
		err = s.e.Update(ctx, noClock, func(tx Tx) error {
			cur, err := getJSON[usersMeta](tx, usersMetaKey)
			if err := ignoreNotFound(err); err != nil {
				return err
			}
			if cur.Indexed {
				m = cur
				return nil
			}
			if cur.Gen != gen {
				return errIndexRace
			}
			for _, u := range users {
				if err := putUserSummary(tx, u); err != nil {
					return err
				}
			}
			m = usersMeta{Schema: storage.SchemaVersion, Indexed: true, Count: len(users), Gen: gen + 1}
			return putJSON(tx, usersMetaKey, m, noClock)
		})
		if errors.Is(err, errIndexRace) {
			continue
		}
		return m, err
	}
	return usersMeta{}, fmt.Errorf("index users: %w", storage.ErrConflict)
}
