package storetest

import (
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func testSessions(t *testing.T, newStore factory) {
	getSess := func(t *testing.T, s storage.Store, id string, now time.Time) storage.Session {
		t.Helper()
		sess, err := s.GetSession(ctx, id, now)
		must(t, err)
		return sess
	}
	noSess := func(t *testing.T, s storage.Store, id string, now time.Time) {
		t.Helper()
		_, err := s.GetSession(ctx, id, now)
		wantErr(t, "GetSession("+id+")", err, storage.ErrNotFound)
	}
	listIDs := func(t *testing.T, s storage.Store, userID string, now time.Time) []string {
		t.Helper()
		list, err := s.ListUserSessions(ctx, userID, now)
		must(t, err)
		ids := []string{}
		for _, sess := range list {
			ids = append(ids, sess.ID)
		}
		return ids
	}
	touch := func(now time.Time) func(storage.Session) (storage.Session, error) {
		return func(s storage.Session) (storage.Session, error) { s.LastSeen = now; return s, nil }
	}

	t.Run("CreateGet", func(t *testing.T) {
		s, now := newStore(t), start()
		sess := newSession("sess", "1", now)
		must(t, s.CreateSession(ctx, sess))
		equal(t, "GetSession", getSess(t, s, "sess", now), sess)
		noSess(t, s, "404", now)
		wantErr(t, "CreateSession(same id)", s.CreateSession(ctx, newSession("sess", "2", now)), storage.ErrAlreadyExists)
	})

	t.Run("CreateWithDocs", func(t *testing.T) {
		// The documents are written with the session, or neither is.
		s, now := newStore(t), start()
		ev := storage.DocWrite{Collection: "events", ID: "e1", Doc: []byte(`{"n":1}`), ExpiresAt: now.Add(time.Hour),
			CopyCollection: "user-events", CopyID: "1/e1"}
		named := storage.DocWrite{Collection: "events", ID: "e2", Doc: []byte(`{"n":2}`), ExpiresAt: now.Add(time.Hour),
			CopyCollection: "user-events", CopyID: "1/e2", CopyDoc: []byte(`{}`)} // an index entry, not a copy
		must(t, s.CreateSession(ctx, newSession("s1", "1", now), ev, named))
		for _, d := range [][3]string{{"events", "e1", `{"n":1}`}, {"user-events", "1/e1", `{"n":1}`}, {"events", "e2", `{"n":2}`}, {"user-events", "1/e2", `{}`}} {
			b, err := s.GetDocRaw(ctx, d[0], d[1], now)
			must(t, err)
			equal(t, d[0]+"/"+d[1], string(b), d[2])
		}
		wantErr(t, "CreateSession with an existing doc", s.CreateSession(ctx, newSession("s2", "1", now), ev), storage.ErrAlreadyExists)
		_, err := s.GetSession(ctx, "s2", now)
		wantErr(t, "the session of a refused create", err, storage.ErrNotFound)
		_, err = s.GetDocRaw(ctx, "events", "e1", now.Add(2*time.Hour))
		wantErr(t, "the doc after its expiry", err, storage.ErrNotFound)
	})

	t.Run("IdleExpiry", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateSession(ctx, newSession("sess", "1", now))) // idle timeout 30m
		getSess(t, s, "sess", now.Add(29*time.Minute))
		got, err := s.UpdateSession(ctx, "sess", now.Add(29*time.Minute), touch(now.Add(29*time.Minute)))
		must(t, err)
		if !got.LastSeen.Equal(now.Add(29 * time.Minute)) {
			t.Fatalf("LastSeen = %v", got.LastSeen)
		}
		getSess(t, s, "sess", now.Add(58*time.Minute))
		noSess(t, s, "sess", now.Add(59*time.Minute))
		_, err = s.UpdateSession(ctx, "sess", now.Add(59*time.Minute), touch(now.Add(59*time.Minute)))
		wantErr(t, "UpdateSession after idle expiry", err, storage.ErrNotFound)
		if ids := listIDs(t, s, "1", now.Add(59*time.Minute)); len(ids) != 0 {
			t.Fatalf("ListUserSessions after idle expiry = %q", ids)
		}
	})

	t.Run("AbsoluteExpiry", func(t *testing.T) {
		s, now := newStore(t), start()
		sess := newSession("sess", "1", now)
		sess.IdleTimeout, sess.ExpiresAt = 0, now.Add(time.Hour)
		must(t, s.CreateSession(ctx, sess))
		getSess(t, s, "sess", now.Add(time.Hour-time.Nanosecond))
		noSess(t, s, "sess", now.Add(time.Hour))
		if ids := listIDs(t, s, "1", now.Add(time.Hour)); len(ids) != 0 {
			t.Fatalf("ListUserSessions after expiry = %q", ids)
		}
	})

	t.Run("UpdateExtendsExpiry", func(t *testing.T) {
		s, now := newStore(t), start()
		sess := newSession("sess", "1", now)
		sess.IdleTimeout, sess.ExpiresAt = 0, now.Add(time.Hour)
		must(t, s.CreateSession(ctx, sess))
		_, err := s.UpdateSession(ctx, "sess", now.Add(30*time.Minute), func(s storage.Session) (storage.Session, error) {
			s.ExpiresAt = now.Add(2 * time.Hour)
			return s, nil
		})
		must(t, err)
		at := now.Add(90 * time.Minute)
		getSess(t, s, "sess", at)
		equal(t, "ListUserSessions after extension", listIDs(t, s, "1", at), []string{"sess"})
	})

	t.Run("UpdateMovesUser", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateSession(ctx, newSession("sess", "1", now)))
		_, err := s.UpdateSession(ctx, "sess", now, func(s storage.Session) (storage.Session, error) {
			s.UserID = "2"
			return s, nil
		})
		must(t, err)
		equal(t, "ListUserSessions(1)", listIDs(t, s, "1", now), []string{})
		equal(t, "ListUserSessions(2)", listIDs(t, s, "2", now), []string{"sess"})
	})

	t.Run("Update", func(t *testing.T) {
		s, now := newStore(t), start()
		sess := newSession("sess", "1", now)
		must(t, s.CreateSession(ctx, sess))
		want := sess
		want.LastSeen, want.Clients = now.Add(time.Minute), []string{"client-1", "client-2"}
		got, err := s.UpdateSession(ctx, "sess", now.Add(time.Minute), func(old storage.Session) (storage.Session, error) {
			equal(t, "callback argument", old, sess)
			return want, nil
		})
		must(t, err)
		equal(t, "UpdateSession result", got, want)
		equal(t, "GetSession after update", getSess(t, s, "sess", now.Add(time.Minute)), want)
		_, err = s.UpdateSession(ctx, "404", now, touch(now))
		wantErr(t, "UpdateSession(missing)", err, storage.ErrNotFound)
	})

	t.Run("UpdateCallbackErrorAborts", func(t *testing.T) {
		s, now := newStore(t), start()
		sess := newSession("sess", "1", now)
		must(t, s.CreateSession(ctx, sess))
		_, err := s.UpdateSession(ctx, "sess", now, func(s storage.Session) (storage.Session, error) {
			s.LastSeen = now.Add(time.Hour)
			s.Clients[0] = "changed"
			return s, errBoom
		})
		wantErr(t, "UpdateSession", err, errBoom)
		equal(t, "session after failed update", getSess(t, s, "sess", now), sess)
	})

	t.Run("Delete", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateSession(ctx, newSession("a", "1", now)))
		must(t, s.CreateSession(ctx, newSession("b", "1", now)))
		must(t, s.DeleteSession(ctx, "a"))
		noSess(t, s, "a", now)
		equal(t, "ListUserSessions after delete", listIDs(t, s, "1", now), []string{"b"})
		must(t, s.DeleteSession(ctx, "a")) // idempotent
	})

	t.Run("ListUserSessions", func(t *testing.T) {
		s, now := newStore(t), start()
		if ids := listIDs(t, s, "1", now); len(ids) != 0 {
			t.Fatalf("ListUserSessions of a user without sessions = %q", ids)
		}
		// Created out of order: the listing is by CreatedAt, not insertion.
		must(t, s.CreateSession(ctx, newSession("third", "1", now.Add(2*time.Minute))))
		must(t, s.CreateSession(ctx, newSession("first", "1", now)))
		must(t, s.CreateSession(ctx, newSession("second", "1", now.Add(time.Minute))))
		idle := newSession("idle", "1", now)
		idle.IdleTimeout = time.Minute
		must(t, s.CreateSession(ctx, idle))
		must(t, s.CreateSession(ctx, newSession("other", "2", now)))

		at := now.Add(5 * time.Minute)
		equal(t, "ListUserSessions(1)", listIDs(t, s, "1", at), []string{"first", "second", "third"})
		equal(t, "ListUserSessions(2)", listIDs(t, s, "2", at), []string{"other"})
		list, err := s.ListUserSessions(ctx, "1", at)
		must(t, err)
		equal(t, "first listed session", list[0], newSession("first", "1", now))
	})

	t.Run("DeleteUserSessions", func(t *testing.T) {
		s, now := newStore(t), start()
		for _, id := range []string{"a", "b", "c"} {
			must(t, s.CreateSession(ctx, newSession(id, "1", now)))
		}
		must(t, s.CreateSession(ctx, newSession("other", "2", now)))
		must(t, s.DeleteUserSessions(ctx, "1", "b"))
		equal(t, "sessions kept", listIDs(t, s, "1", now), []string{"b"})
		noSess(t, s, "a", now)
		noSess(t, s, "c", now)
		getSess(t, s, "b", now)
		getSess(t, s, "other", now)

		must(t, s.CreateSession(ctx, newSession("d", "1", now)))
		must(t, s.DeleteUserSessions(ctx, "1", ""))
		if ids := listIDs(t, s, "1", now); len(ids) != 0 {
			t.Fatalf("ListUserSessions after deleting all = %q", ids)
		}
		noSess(t, s, "b", now)
		noSess(t, s, "d", now)
		equal(t, "other user's sessions", listIDs(t, s, "2", now), []string{"other"})
		must(t, s.DeleteUserSessions(ctx, "404", "")) // idempotent
	})

	t.Run("NoAliasing", func(t *testing.T) {
		s, now := newStore(t), start()
		in := newSession("sess", "1", now)
		want := newSession("sess", "1", now)
		must(t, s.CreateSession(ctx, in))
		in.Clients[0] = "in"
		in.AMR[0] = "in"

		got := getSess(t, s, "sess", now)
		got.Clients[0] = "out"
		got.AMR = append(got.AMR[:0], "out")

		upd, err := s.UpdateSession(ctx, "sess", now, func(s storage.Session) (storage.Session, error) { return s, nil })
		must(t, err)
		upd.Clients[0] = "updated"

		list, err := s.ListUserSessions(ctx, "1", now)
		must(t, err)
		list[0].Clients[0] = "listed"

		equal(t, "stored session", getSess(t, s, "sess", now), want)
	})
}
