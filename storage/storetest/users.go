package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/esia-emulator/esia-emulator/storage"
)

func testUsers(t *testing.T, newStore factory) {
	// wantLogin checks that the login resolves to the user with id ("" : to nobody).
	wantLogin := func(t *testing.T, s storage.Store, kind storage.LoginKind, value, id string) {
		t.Helper()
		u, err := s.UserByLogin(ctx, kind, value)
		if id == "" {
			wantErr(t, "UserByLogin("+string(kind)+" "+value+")", err, storage.ErrNotFound)
			return
		}
		must(t, err)
		if u.ID != id {
			t.Fatalf("UserByLogin(%s %s) = user %s, want %s", kind, value, u.ID, id)
		}
	}
	getUser := func(t *testing.T, s storage.Store, id string) storage.User {
		t.Helper()
		u, err := s.GetUser(ctx, id)
		must(t, err)
		return u
	}

	t.Run("CreateGet", func(t *testing.T) {
		s, now := newStore(t), start()
		u := newUser("1000001", "+79990000001", "ivan@example.ru", "12345678901", now)
		must(t, s.CreateUser(ctx, u))
		equal(t, "GetUser", getUser(t, s, u.ID), u)
		_, err := s.GetUser(ctx, "404")
		wantErr(t, "GetUser(missing)", err, storage.ErrNotFound)
	})

	t.Run("UserByLogin", func(t *testing.T) {
		s, now := newStore(t), start()
		u := newUser("1", "+79990000001", "ivan@example.ru", "12345678901", now)
		must(t, s.CreateUser(ctx, u))
		noEmail := newUser("2", "+79990000002", "", "", now)
		must(t, s.CreateUser(ctx, noEmail))
		for kind, v := range u.Logins() {
			got, err := s.UserByLogin(ctx, kind, v)
			must(t, err)
			equal(t, "UserByLogin("+string(kind)+")", got, u)
		}
		wantLogin(t, s, storage.LoginPhone, "+79990000002", "2")
		wantLogin(t, s, storage.LoginEmail, "", "")
		wantLogin(t, s, storage.LoginSNILS, "", "")
		wantLogin(t, s, storage.LoginEmail, "+79990000001", "") // kinds do not mix
	})

	t.Run("UnconfirmedContactsAreNotLogins", func(t *testing.T) {
		s, now := newStore(t), start()
		// Someone typed another's e-mail and phone into a form and never confirmed them.
		squatter := newUser("1", "+79990000001", "victim@example.ru", "", now)
		squatter.PhoneVerified, squatter.EmailVerified = false, false
		must(t, s.CreateUser(ctx, squatter))
		wantLogin(t, s, storage.LoginPhone, "+79990000001", "")
		wantLogin(t, s, storage.LoginEmail, "victim@example.ru", "")
		// The owner registers with them and confirms them: nothing was reserved.
		must(t, s.CreateUser(ctx, newUser("2", "+79990000001", "victim@example.ru", "", now)))
		wantLogin(t, s, storage.LoginPhone, "+79990000001", "2")
		wantLogin(t, s, storage.LoginEmail, "victim@example.ru", "2")
		// Confirming a contact makes it a login, unless another account confirmed it first.
		_, err := s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) {
			u.EmailVerified = true
			return u, nil
		})
		wantErr(t, "UpdateUser(confirm a taken e-mail)", err, storage.ErrAlreadyExists)
		_, err = s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) {
			u.Email, u.EmailVerified = "own@example.ru", true
			return u, nil
		})
		must(t, err)
		wantLogin(t, s, storage.LoginEmail, "own@example.ru", "1")
		wantLogin(t, s, storage.LoginEmail, "victim@example.ru", "2")
	})

	t.Run("DuplicateID", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateUser(ctx, newUser("1", "+79990000001", "", "", now)))
		err := s.CreateUser(ctx, newUser("1", "+79990000002", "b@example.ru", "", now))
		wantErr(t, "CreateUser(same id)", err, storage.ErrAlreadyExists)
		wantLogin(t, s, storage.LoginPhone, "+79990000002", "")
		wantLogin(t, s, storage.LoginEmail, "b@example.ru", "")
		wantLogin(t, s, storage.LoginPhone, "+79990000001", "1")
	})

	t.Run("DuplicateLoginOnCreate", func(t *testing.T) {
		s, now := newStore(t), start()
		first := newUser("1", "+79990000001", "a@example.ru", "11111111111", now)
		must(t, s.CreateUser(ctx, first))
		for kind, taken := range first.Logins() {
			u := newUser("2", "+79990000002", "b@example.ru", "22222222222", now)
			switch kind {
			case storage.LoginPhone:
				u.Phone = taken
			case storage.LoginEmail:
				u.Email = taken
			case storage.LoginSNILS:
				u.SNILS = taken
			}
			wantErr(t, "CreateUser(taken "+string(kind)+")", s.CreateUser(ctx, u), storage.ErrAlreadyExists)
			_, err := s.GetUser(ctx, "2")
			wantErr(t, "GetUser after refused create", err, storage.ErrNotFound)
			for k, v := range u.Logins() {
				if k != kind {
					wantLogin(t, s, k, v, "") // nothing of the refused user was indexed
				}
			}
			wantLogin(t, s, kind, taken, "1")
		}
	})

	t.Run("UpdateMaintainsLogins", func(t *testing.T) {
		s, now := newStore(t), start()
		u := newUser("1", "+79990000001", "a@example.ru", "11111111111", now)
		must(t, s.CreateUser(ctx, u))
		got, err := s.UpdateUser(ctx, "1", func(old storage.User) (storage.User, error) {
			equal(t, "callback argument", old, u)
			old.Phone = "+79990000009"
			old.Email = ""
			old.LastName = "Петров"
			return old, nil
		})
		must(t, err)
		want := u
		want.Phone, want.Email, want.LastName = "+79990000009", "", "Петров"
		equal(t, "UpdateUser result", got, want)
		equal(t, "GetUser after update", getUser(t, s, "1"), want)
		wantLogin(t, s, storage.LoginPhone, "+79990000001", "")
		wantLogin(t, s, storage.LoginPhone, "+79990000009", "1")
		wantLogin(t, s, storage.LoginEmail, "a@example.ru", "")
		wantLogin(t, s, storage.LoginSNILS, "11111111111", "1")
		// The released logins are free for another user.
		must(t, s.CreateUser(ctx, newUser("2", "+79990000001", "a@example.ru", "", now)))
		wantLogin(t, s, storage.LoginPhone, "+79990000001", "2")
		// Adding a login back works too.
		_, err = s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) {
			u.Email, u.EmailVerified = "new@example.ru", true
			return u, nil
		})
		must(t, err)
		wantLogin(t, s, storage.LoginEmail, "new@example.ru", "1")
	})

	t.Run("UpdateDuplicateLogin", func(t *testing.T) {
		s, now := newStore(t), start()
		u1 := newUser("1", "+79990000001", "a@example.ru", "", now)
		u2 := newUser("2", "+79990000002", "b@example.ru", "", now)
		must(t, s.CreateUser(ctx, u1))
		must(t, s.CreateUser(ctx, u2))
		_, err := s.UpdateUser(ctx, "2", func(u storage.User) (storage.User, error) {
			u.Phone = "+79990000003" // would be fine on its own
			u.Email = "a@example.ru" // taken by user 1
			return u, nil
		})
		wantErr(t, "UpdateUser(taken email)", err, storage.ErrAlreadyExists)
		equal(t, "user 2 after refused update", getUser(t, s, "2"), u2)
		wantLogin(t, s, storage.LoginEmail, "a@example.ru", "1")
		wantLogin(t, s, storage.LoginEmail, "b@example.ru", "2")
		wantLogin(t, s, storage.LoginPhone, "+79990000002", "2")
		wantLogin(t, s, storage.LoginPhone, "+79990000003", "")
	})

	t.Run("UpdateCallbackErrorAborts", func(t *testing.T) {
		s, now := newStore(t), start()
		u := newUser("1", "+79990000001", "a@example.ru", "", now)
		must(t, s.CreateUser(ctx, u))
		_, err := s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) {
			u.Phone = "+79990000009"
			u.Documents[0].Number = "000000"
			return u, errBoom
		})
		wantErr(t, "UpdateUser", err, errBoom)
		equal(t, "user after failed update", getUser(t, s, "1"), u)
		wantLogin(t, s, storage.LoginPhone, "+79990000009", "")
		wantLogin(t, s, storage.LoginPhone, "+79990000001", "1")
	})

	t.Run("UpdateMissing", func(t *testing.T) {
		s := newStore(t)
		_, err := s.UpdateUser(ctx, "404", func(u storage.User) (storage.User, error) {
			t.Error("callback called for a missing user")
			return u, nil
		})
		wantErr(t, "UpdateUser(missing)", err, storage.ErrNotFound)
	})

	t.Run("UpdateCannotChangeID", func(t *testing.T) {
		s, now := newStore(t), start()
		u := newUser("1", "+79990000001", "", "", now)
		must(t, s.CreateUser(ctx, u))
		_, err := s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) { u.ID = "2"; return u, nil })
		if err == nil {
			t.Fatal("UpdateUser changing the id succeeded")
		}
		_, err = s.GetUser(ctx, "2")
		wantErr(t, "GetUser(new id)", err, storage.ErrNotFound)
		equal(t, "user after refused update", getUser(t, s, "1"), u)
	})

	t.Run("NoAliasing", func(t *testing.T) {
		s, now := newStore(t), start()
		in := newUser("1", "+79990000001", "", "", now)
		want := newUser("1", "+79990000001", "", "", now)
		must(t, s.CreateUser(ctx, in))
		in.Documents[0].Number = "in"
		in.Addresses[0].City = "in"

		got := getUser(t, s, "1")
		got.Documents[0].Number = "out"
		got.Addresses = append(got.Addresses[:0], storage.Address{Type: "PLV"})

		upd, err := s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) { return u, nil })
		must(t, err)
		upd.Documents[0].Number = "updated"

		list, err := s.ListUsers(ctx)
		must(t, err)
		list[0].Documents[0].Number = "listed"

		byLogin, err := s.UserByLogin(ctx, storage.LoginPhone, "+79990000001")
		must(t, err)
		byLogin.Documents[0].Number = "by login"

		equal(t, "stored user", getUser(t, s, "1"), want)
	})

	t.Run("ListOrder", func(t *testing.T) {
		s, now := newStore(t), start()
		list, err := s.ListUsers(ctx)
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("ListUsers on an empty store = %d users", len(list))
		}
		for _, id := range []string{"10", "9", "100", "2", "1000000001", "1"} {
			must(t, s.CreateUser(ctx, newUser(id, "+7999000"+id, "", "", now)))
		}
		list, err = s.ListUsers(ctx)
		must(t, err)
		var ids []string
		for _, u := range list {
			ids = append(ids, u.ID)
		}
		equal(t, "ListUsers ids", ids, []string{"1", "2", "9", "10", "100", "1000000001"})

		for _, c := range []struct {
			limit int
			want  []string
		}{{0, nil}, {1, []string{"1"}}, {4, []string{"1", "2", "9", "10"}}, {6, ids}, {100, ids}} {
			page, total, err := s.ListUsersPage(ctx, c.limit)
			must(t, err)
			var got []string
			for _, u := range page {
				got = append(got, u.ID)
			}
			equal(t, fmt.Sprintf("ListUsersPage(%d) ids", c.limit), got, c.want)
			equal(t, fmt.Sprintf("ListUsersPage(%d) total", c.limit), total, 6)
			if len(page) > 0 && page[0].Phone != "+79990001" {
				t.Fatalf("ListUsersPage(%d) decoded user 1 as %+v", c.limit, page[0])
			}
		}
	})

	t.Run("CreateUsersAllOrNone", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateUser(ctx, newUser("1", "+79990000001", "", "", now)))
		batch := []storage.User{newUser("2", "+79990000002", "", "", now), newUser("3", "+79990000003", "", "", now)}
		for name, bad := range map[string]storage.User{
			"an id taken":            newUser("1", "+79990000009", "", "", now),
			"a login taken":          newUser("4", "+79990000001", "", "", now),
			"a login twice in batch": newUser("4", "+79990000002", "", "", now),
			"an id twice in batch":   newUser("2", "+79990000009", "", "", now),
		} {
			wantErr(t, "CreateUsers with "+name, s.CreateUsers(ctx, append(slices.Clone(batch), bad)), storage.ErrAlreadyExists)
		}
		_, total, err := s.ListUsersPage(ctx, 10)
		must(t, err)
		equal(t, "users after refused batches", total, 1)
		wantLogin(t, s, storage.LoginPhone, "+79990000002", "")
		must(t, s.CreateUsers(ctx, batch))
		page, total, err := s.ListUsersPage(ctx, 10)
		must(t, err)
		equal(t, "users after the batch", total, 3)
		equal(t, "page", len(page), 3)
		wantLogin(t, s, storage.LoginPhone, "+79990000003", "3")
	})

	t.Run("PageIndexFollowsCreatesDeletesAndReset", func(t *testing.T) {
		s, now := newStore(t), start()
		ids := func(limit int) ([]string, int) {
			t.Helper()
			page, total, err := s.ListUsersPage(ctx, limit)
			must(t, err)
			var got []string
			for _, u := range page {
				got = append(got, u.ID)
			}
			return got, total
		}
		// Users from before the first page and from after it, created and deleted
		// concurrently with it: the count stays exact.
		for i := range 30 {
			must(t, s.CreateUser(ctx, newUser(fmt.Sprint(100+i), fmt.Sprintf("+7999100%04d", i), "", "", now)))
		}
		errs := race(20, func(i int) error {
			if i%2 == 0 {
				_, _, err := s.ListUsersPage(ctx, 5)
				return err
			}
			if i%4 == 1 {
				return s.DeleteUser(ctx, fmt.Sprint(100+i))
			}
			return s.CreateUser(ctx, newUser(fmt.Sprint(i), fmt.Sprintf("+7999200%04d", i), "", "", now))
		})
		for _, err := range errs {
			must(t, err)
		}
		all, err := s.ListUsers(ctx)
		must(t, err)
		got, total := ids(3)
		equal(t, "total after concurrent creates and deletes", total, len(all))
		equal(t, "first page", got, []string{all[0].ID, all[1].ID, all[2].ID})
		must(t, s.Reset(ctx))
		got, total = ids(3)
		equal(t, "page after reset", got, []string(nil))
		equal(t, "total after reset", total, 0)
		must(t, s.CreateUser(ctx, newUser("7", "+79990000007", "", "", now)))
		got, total = ids(3)
		equal(t, "page after reset and a create", got, []string{"7"})
		equal(t, "total after reset and a create", total, 1)
		_, err = s.UpdateUser(ctx, "7", func(u storage.User) (storage.User, error) {
			u.LastName, u.SecondFactor = "Новиков", "sms"
			return u, nil
		})
		must(t, err)
		page, _, err := s.ListUsersPage(ctx, 1)
		must(t, err)
		equal(t, "summary after an update", page[0], storage.UserSummary{ID: "7", Persona: page[0].Persona, LastName: "Новиков", FirstName: page[0].FirstName,
			MiddleName: page[0].MiddleName, Level: page[0].Level, Status: page[0].Status, Phone: "+79990000007", SecondFactor: "sms"})
	})

	t.Run("Delete", func(t *testing.T) {
		s, now := newStore(t), start()
		u := newUser("1", "+79990000001", "a@example.ru", "11111111111", now)
		must(t, s.CreateUser(ctx, u))
		must(t, s.CreateUser(ctx, newUser("2", "+79990000002", "", "", now)))
		must(t, s.DeleteUser(ctx, "1"))
		_, err := s.GetUser(ctx, "1")
		wantErr(t, "GetUser(deleted)", err, storage.ErrNotFound)
		for kind, v := range u.Logins() {
			wantLogin(t, s, kind, v, "")
		}
		wantErr(t, "DeleteUser(deleted)", s.DeleteUser(ctx, "1"), storage.ErrNotFound)
		list, err := s.ListUsers(ctx)
		must(t, err)
		if len(list) != 1 || list[0].ID != "2" {
			t.Fatalf("ListUsers after delete = %+v, want only user 2", list)
		}
		must(t, s.CreateUser(ctx, u)) // the id and logins are free again
	})
}
