package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

type doc struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags,omitempty"`
}

func testDocs(t *testing.T, newStore factory) {
	t.Run("PutGetDelete", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		if _, err := storage.GetDoc[doc](ctx, s, "things", "a/1", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
		if err := storage.PutDoc(ctx, s, "things", "a/1", doc{Name: "x", Tags: []string{"t"}}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, err := storage.GetDoc[doc](ctx, s, "things", "a/1", now)
		if err != nil || got.Name != "x" || len(got.Tags) != 1 {
			t.Fatalf("get: %+v %v", got, err)
		}
		if err := storage.PutDoc(ctx, s, "things", "a/1", doc{Name: "y"}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got, _ := storage.GetDoc[doc](ctx, s, "things", "a/1", now); got.Name != "y" {
			t.Fatalf("replace: %+v", got)
		}
		if err := s.DeleteDoc(ctx, "things", "a/1"); err != nil {
			t.Fatal(err)
		}
		if _, err := storage.GetDoc[doc](ctx, s, "things", "a/1", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.DeleteDoc(ctx, "things", "a/1"); err != nil {
			t.Fatalf("deleting a missing doc: %v", err)
		}
	})
	t.Run("ReadMany", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		if err := storage.PutDoc(ctx, s, "things", "a", doc{Name: "a"}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := storage.PutDoc(ctx, s, "things", "soon", doc{Name: "soon"}, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Incr(ctx, "hits", 3, time.Time{}, now); err != nil {
			t.Fatal(err)
		}
		reads := []storage.Read{
			{Collection: "things", ID: "a"}, {Counter: "hits"}, {Collection: "things", ID: "missing"},
			{Counter: "none"}, {Collection: "things", ID: "soon"}, {Collection: "other", ID: "a"},
		}
		// Results left from an earlier use of the slice are overwritten.
		reads[2].Doc, reads[3].N = []byte("stale"), 9
		if err := s.ReadMany(ctx, now.Add(2*time.Second), reads); err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%s|%d|%s|%d|%s|%s", reads[0].Doc, reads[1].N, reads[2].Doc, reads[3].N, reads[4].Doc, reads[5].Doc)
		if want := `{"name":"a","count":0}|3||0||`; got != want {
			t.Errorf("ReadMany = %s, want %s", got, want)
		}
		if err := s.ReadMany(ctx, now, []storage.Read{{Collection: "bad/coll", ID: "x"}}); err == nil {
			t.Error("a bad collection name was read")
		}
	})
	t.Run("CreateExpiry", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		if err := storage.CreateDoc(ctx, s, "codes", "u1", doc{Name: "first"}, now.Add(time.Minute), now); err != nil {
			t.Fatal(err)
		}
		if err := storage.CreateDoc(ctx, s, "codes", "u1", doc{Name: "second"}, now.Add(time.Minute), now); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Fatalf("duplicate create: %v", err)
		}
		later := now.Add(time.Minute)
		if _, err := storage.GetDoc[doc](ctx, s, "codes", "u1", later); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("expired doc: %v", err)
		}
		if err := storage.CreateDoc(ctx, s, "codes", "u1", doc{Name: "third"}, later.Add(time.Minute), later); err != nil {
			t.Fatalf("create over an expired doc: %v", err)
		}
	})
	t.Run("UpdateIsAtomic", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		if err := storage.PutDoc(ctx, s, "ctr", "c", doc{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					_, err := storage.UpdateDoc(ctx, s, "ctr", "c", now, func(d doc) (doc, time.Time, error) {
						d.Count++
						return d, time.Time{}, nil
					})
					if errors.Is(err, storage.ErrConflict) {
						continue
					}
					if err != nil {
						t.Error(err)
					}
					return
				}
			}()
		}
		wg.Wait()
		if got, _ := storage.GetDoc[doc](ctx, s, "ctr", "c", now); got.Count != 50 {
			t.Fatalf("50 concurrent updates gave %d", got.Count)
		}
		abort := errors.New("abort")
		if _, err := storage.UpdateDoc(ctx, s, "ctr", "c", now, func(d doc) (doc, time.Time, error) {
			d.Count = -1
			return d, time.Time{}, abort
		}); !errors.Is(err, abort) {
			t.Fatalf("abort: %v", err)
		}
		if got, _ := storage.GetDoc[doc](ctx, s, "ctr", "c", now); got.Count != 50 {
			t.Fatal("an aborted update was written")
		}
		if _, err := storage.UpdateDoc(ctx, s, "ctr", "missing", now, func(d doc) (doc, time.Time, error) { return d, time.Time{}, nil }); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}
	})
	t.Run("ListByPrefix", func(t *testing.T) {
		s := newStore(t)
		now := time.Now()
		for i, id := range []string{"u2/b", "u1/b", "u1/a", "u10/a"} {
			if err := storage.PutDoc(ctx, s, "grants", id, doc{Name: id, Count: i}, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := storage.PutDoc(ctx, s, "grants", "u1/c", doc{Name: "u1/c"}, now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := storage.PutDoc(ctx, s, "other", "u1/z", doc{Name: "other"}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, err := storage.ListDocs[doc](ctx, s, "grants", "u1/", now.Add(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(names(got)) != "[u1/a u1/b]" {
			t.Fatalf("list u1/: %v", names(got))
		}
		all, _ := storage.ListDocs[doc](ctx, s, "grants", "", now)
		if len(all) != 5 {
			t.Fatalf("list all: %v", names(all))
		}
	})
	t.Run("BadCollection", func(t *testing.T) {
		s := newStore(t)
		if err := storage.PutDoc(ctx, s, "a/b", "x", doc{}, time.Time{}); err == nil {
			t.Fatal("a collection with a slash was accepted")
		}
	})
}

func names(ds []doc) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}
