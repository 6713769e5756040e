package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// GetDoc reads a document into a T.
func GetDoc[T any](ctx context.Context, d Docs, coll, id string, now time.Time) (T, error) {
	var v T
	b, err := d.GetDocRaw(ctx, coll, id, now)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s/%s: %w", coll, id, err)
	}
	return v, nil
}

// PutDoc creates or replaces a document.
func PutDoc[T any](ctx context.Context, d Docs, coll, id string, v T, expiresAt time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", coll, id, err)
	}
	return d.PutDocRaw(ctx, coll, id, b, expiresAt)
}

// CreateDoc stores a new document; ErrAlreadyExists if a live one has the id at now.
func CreateDoc[T any](ctx context.Context, d Docs, coll, id string, v T, expiresAt, now time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", coll, id, err)
	}
	return d.CreateDocRaw(ctx, coll, id, b, expiresAt, now)
}

// UpdateDoc replaces a live document with fn(old) atomically; fn may run more than once and
// returns the new value and its expiry.
func UpdateDoc[T any](ctx context.Context, d Docs, coll, id string, now time.Time, fn func(T) (T, time.Time, error)) (T, error) {
	var out T
	b, err := d.UpdateDocRaw(ctx, coll, id, now, func(old []byte) ([]byte, time.Time, error) {
		var v T
		if err := json.Unmarshal(old, &v); err != nil {
			return nil, time.Time{}, fmt.Errorf("decode %s/%s: %w", coll, id, err)
		}
		nv, exp, err := fn(v)
		if err != nil {
			return nil, time.Time{}, err
		}
		nb, err := json.Marshal(nv)
		return nb, exp, err
	})
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(b, &out)
	return out, err
}

// ReadDocs fills each read's Doc with its live document (nil when missing or expired): in one
// round trip when d reads several at a time (Reads), else one GetDocRaw each. Counter reads
// need a Reads.
func ReadDocs(ctx context.Context, d Docs, now time.Time, reads []Read) error {
	if len(reads) == 0 {
		return nil
	}
	if rm, ok := d.(Reads); ok {
		return rm.ReadMany(ctx, now, reads)
	}
	for i := range reads {
		doc, err := d.GetDocRaw(ctx, reads[i].Collection, reads[i].ID, now)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		reads[i].Doc = doc
	}
	return nil
}

// ListDocs returns the live documents with the id prefix, decoded, in id order.
func ListDocs[T any](ctx context.Context, d Docs, coll, prefix string, now time.Time) ([]T, error) {
	raws, err := d.ListDocsRaw(ctx, coll, prefix, now)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raws))
	for _, r := range raws {
		var v T
		if err := json.Unmarshal(r.Doc, &v); err != nil {
			return nil, fmt.Errorf("decode %s/%s: %w", coll, r.ID, err)
		}
		out = append(out, v)
	}
	return out, nil
}
