package kv

import (
	"errors"
	"slices"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// member is one entry of an index: a record id and the time the record expires (zero: never).
type member struct {
	ID  string    `json:"id"`
	Exp time.Time `json:"exp,omitzero"`
}

// index is a small set of record ids stored as one JSON list.
type index []member

// later returns the later of two expiries, where zero means never.
func later(a, b time.Time) time.Time {
	if a.IsZero() || b.IsZero() {
		return time.Time{}
	}
	if a.After(b) {
		return a
	}
	return b
}

// loadIndex reads the index at key; a missing index is empty.
func loadIndex(tx Tx, key string) (index, error) {
	ix, err := getJSON[index](tx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return ix, err
}

// save writes the index, expiring with its longest-lived member, or deletes it when empty.
func (ix index) save(tx Tx, key string) error {
	if len(ix) == 0 {
		return tx.Delete(key)
	}
	exp := ix[0].Exp
	for _, m := range ix[1:] {
		exp = later(exp, m.Exp)
	}
	return putJSON(tx, key, ix, exp)
}

// add inserts id, or extends its expiry if it is present.
func (ix index) add(id string, exp time.Time) index {
	for i := range ix {
		if ix[i].ID == id {
			ix[i].Exp = later(ix[i].Exp, exp)
			return ix
		}
	}
	return append(ix, member{ID: id, Exp: exp})
}

func (ix index) remove(id string) index {
	return slices.DeleteFunc(ix, func(m member) bool { return m.ID == id })
}

func (ix index) has(id string) bool {
	return slices.ContainsFunc(ix, func(m member) bool { return m.ID == id })
}

// prune drops members expired at now. At the zero time nothing is dropped.
func (ix index) prune(now time.Time) index {
	return slices.DeleteFunc(ix, func(m member) bool { return !m.Exp.IsZero() && !m.Exp.After(now) })
}

// updateIndex applies edit to the index at key and writes the result back.
func updateIndex(tx Tx, key string, edit func(index) index) error {
	ix, err := loadIndex(tx, key)
	if err != nil {
		return err
	}
	return edit(ix).save(tx, key)
}
