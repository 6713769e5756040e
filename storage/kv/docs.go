package kv

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// docKey is doc/<coll>/<id>. Collections are plain names, so a prefix scan of one collection
// never reaches another.
func docKey(coll, id string) (string, error) {
	if coll == "" || strings.ContainsRune(coll, '/') {
		return "", fmt.Errorf("kv: collection %q: a plain name is required", coll)
	}
	if id == "" {
		return "", fmt.Errorf("kv: document id in %q: empty", coll)
	}
	return "doc/" + coll + "/" + id, nil
}

// PutDocRaw creates or replaces a document.
func (s *Store) PutDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt time.Time) error {
	key, err := docKey(coll, id)
	if err != nil {
		return err
	}
	return s.update(ctx, noClock, "put doc", coll+"/"+id, func(tx Tx) error {
		return tx.Put(key, doc, expiresAt)
	})
}

// CreateDocRaw stores a document unless a live one has the id at now.
func (s *Store) CreateDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time) error {
	key, err := docKey(coll, id)
	if err != nil {
		return err
	}
	return s.update(ctx, now, "create doc", coll+"/"+id, func(tx Tx) error {
		if err := absent(tx, key); err != nil {
			return err
		}
		return tx.Put(key, doc, expiresAt)
	})
}

// CreateDocWithCopy creates d.Doc (CreateDocRaw) and puts its copy (d.CopyDoc, or d.Doc) at
// d.CopyCollection/d.CopyID, replaced if present, in the same transaction: one commit for both.
func (s *Store) CreateDocWithCopy(ctx context.Context, d storage.DocWrite, now time.Time) error {
	if _, err := docKey(d.Collection, d.ID); err != nil {
		return err
	}
	if _, err := docKey(d.CopyCollection, d.CopyID); err != nil {
		return err
	}
	return s.update(ctx, now, "create doc", d.Collection+"/"+d.ID, func(tx Tx) error { return putDocs(tx, []storage.DocWrite{d}) })
}

// putDocs creates the documents and their copies; ErrAlreadyExists if one exists.
// docReads are the keys putDocs reads, to prefetch (a bad collection is left to putDocs).
func docReads(docs []storage.DocWrite) []string {
	var keys []string
	for _, d := range docs {
		if key, err := docKey(d.Collection, d.ID); err == nil {
			keys = append(keys, key)
		}
	}
	return keys
}

func putDocs(tx Tx, docs []storage.DocWrite) error {
	for _, d := range docs {
		key, err := docKey(d.Collection, d.ID)
		if err != nil {
			return err
		}
		if err := absent(tx, key); err != nil {
			return err
		}
		if err := tx.Put(key, d.Doc, d.ExpiresAt); err != nil {
			return err
		}
		if d.CopyCollection == "" {
			continue
		}
		ckey, err := docKey(d.CopyCollection, d.CopyID)
		if err != nil {
			return err
		}
		if err := tx.Put(ckey, d.Copy(), d.ExpiresAt); err != nil {
			return err
		}
	}
	return nil
}

// GetDocRaw returns a live document.
func (s *Store) GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error) {
	key, err := docKey(coll, id)
	if err != nil {
		return nil, err
	}
	b, err := s.e.Get(ctx, key, now)
	return b, wrap(err, "get doc", coll+"/"+id)
}

// UpdateDocRaw replaces a live document with fn(old) in one transaction.
func (s *Store) UpdateDocRaw(ctx context.Context, coll, id string, now time.Time, fn func([]byte) ([]byte, time.Time, error)) ([]byte, error) {
	key, err := docKey(coll, id)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = s.update(ctx, now, "update doc", coll+"/"+id, func(tx Tx) error {
		old, err := tx.Get(key)
		if err != nil {
			return err
		}
		nb, exp, err := fn(old)
		if err != nil {
			return err
		}
		out = nb
		return tx.Put(key, nb, exp)
	})
	return out, err
}

// ListDocsRaw returns the live documents of the collection whose id has the prefix.
func (s *Store) ListDocsRaw(ctx context.Context, coll, prefix string, now time.Time) ([]storage.RawDoc, error) {
	base, err := docKey(coll, "x")
	if err != nil {
		return nil, err
	}
	base = strings.TrimSuffix(base, "x")
	var out []storage.RawDoc
	err = s.e.Scan(ctx, base+prefix, now, func(key string, value []byte) error {
		out = append(out, storage.RawDoc{ID: strings.TrimPrefix(key, base), Doc: value})
		return nil
	})
	return out, wrap(err, "list docs", coll+"/"+prefix)
}

// DeleteDoc removes a document; a missing one is not an error.
func (s *Store) DeleteDoc(ctx context.Context, coll, id string) error {
	key, err := docKey(coll, id)
	if err != nil {
		return err
	}
	return s.update(ctx, noClock, "delete doc", coll+"/"+id, func(tx Tx) error {
		return tx.Delete(key)
	})
}

// ReadMany reads the documents and counters in one engine call when the engine is a
// MultiGetter (one round trip to Redis), else one Get each.
func (s *Store) ReadMany(ctx context.Context, now time.Time, reads []storage.Read) error {
	keys := make([]string, len(reads))
	for i, r := range reads {
		if r.Counter != "" {
			keys[i] = counterKey(r.Counter)
			continue
		}
		k, err := docKey(r.Collection, r.ID)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	var vals [][]byte
	if m, ok := s.e.(MultiGetter); ok {
		var err error
		if vals, err = m.GetMany(ctx, keys, now); err != nil {
			return wrap(err, "read", strings.Join(keys, " "))
		}
	} else {
		vals = make([][]byte, len(keys))
		for i, k := range keys {
			v, err := s.e.Get(ctx, k, now)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return wrap(err, "read", k)
			}
			vals[i] = v
		}
	}
	for i := range reads {
		reads[i].Doc, reads[i].N = nil, 0
		switch {
		case vals[i] == nil:
		case reads[i].Counter != "":
			n, err := strconv.ParseInt(string(vals[i]), 10, 64)
			if err != nil {
				return wrap(err, "counter", reads[i].Counter)
			}
			reads[i].N = n
		default:
			reads[i].Doc = vals[i]
		}
	}
	return nil
}
