package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func testAuthRequests(t *testing.T, newStore factory) {
	getReq := func(t *testing.T, s storage.Store, id string, now time.Time) storage.AuthRequest {
		t.Helper()
		r, err := s.GetAuthRequest(ctx, id, now)
		must(t, err)
		return r
	}
	// withCode creates a request and saves code hash "hash-<id>" valid for a minute.
	withCode := func(t *testing.T, s storage.Store, id string, now time.Time) storage.AuthRequest {
		t.Helper()
		r := newAuthRequest(id, now)
		must(t, s.CreateAuthRequest(ctx, r))
		must(t, s.SaveAuthCode(ctx, id, "hash-"+id, now.Add(time.Minute), now))
		r.CodeHash, r.CodeExpiresAt = "hash-"+id, now.Add(time.Minute)
		return r
	}

	t.Run("CreateGet", func(t *testing.T) {
		s, now := newStore(t), start()
		r := newAuthRequest("req", now)
		must(t, s.CreateAuthRequest(ctx, r))
		equal(t, "GetAuthRequest", getReq(t, s, "req", now), r)
		_, err := s.GetAuthRequest(ctx, "404", now)
		wantErr(t, "GetAuthRequest(missing)", err, storage.ErrNotFound)
		wantErr(t, "CreateAuthRequest(same id)", s.CreateAuthRequest(ctx, newAuthRequest("req", now)), storage.ErrAlreadyExists)
	})

	t.Run("Expiry", func(t *testing.T) {
		s, now := newStore(t), start()
		r := withCode(t, s, "req", now)
		r.ExpiresAt = now.Add(2 * time.Minute)
		_, err := s.UpdateAuthRequest(ctx, "req", now, func(storage.AuthRequest) (storage.AuthRequest, error) { return r, nil })
		must(t, err)
		exp := r.ExpiresAt
		getReq(t, s, "req", exp.Add(-time.Nanosecond))
		_, err = s.GetAuthRequest(ctx, "req", exp)
		wantErr(t, "GetAuthRequest at expiry", err, storage.ErrNotFound)
		_, err = s.UpdateAuthRequest(ctx, "req", exp, func(r storage.AuthRequest) (storage.AuthRequest, error) { return r, nil })
		wantErr(t, "UpdateAuthRequest at expiry", err, storage.ErrNotFound)
		wantErr(t, "SaveAuthCode at expiry", s.SaveAuthCode(ctx, "req", "h2", exp.Add(time.Minute), exp), storage.ErrNotFound)
		wantErr(t, "RedeemAuthCode at expiry", s.RedeemAuthCode(ctx, "req", exp), storage.ErrNotFound)
		_, err = s.AuthRequestByCode(ctx, "hash-req", exp)
		wantErr(t, "AuthRequestByCode at expiry", err, storage.ErrNotFound)
	})

	t.Run("Update", func(t *testing.T) {
		s, now := newStore(t), start()
		r := newAuthRequest("req", now)
		must(t, s.CreateAuthRequest(ctx, r))
		want := r
		want.UserID, want.SessionID, want.AuthTime = "1", "sess", now
		want.AMR, want.ACR, want.Done = []string{"PWD", "OTP"}, "urn:esia:loa:2", true
		got, err := s.UpdateAuthRequest(ctx, "req", now, func(old storage.AuthRequest) (storage.AuthRequest, error) {
			equal(t, "callback argument", old, r)
			return want, nil
		})
		must(t, err)
		equal(t, "UpdateAuthRequest result", got, want)
		equal(t, "GetAuthRequest after update", getReq(t, s, "req", now), want)
		_, err = s.UpdateAuthRequest(ctx, "404", now, func(r storage.AuthRequest) (storage.AuthRequest, error) { return r, nil })
		wantErr(t, "UpdateAuthRequest(missing)", err, storage.ErrNotFound)
	})

	t.Run("FinishAddsTheClientToTheSession", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("req", now)))
		must(t, s.CreateSession(ctx, newSession("sess", "1", now)))
		done := func(r storage.AuthRequest) (storage.AuthRequest, error) { r.Done = true; return r, nil }
		for range 2 { // the second time the client is listed already: not added twice
			got, err := s.FinishAuthRequest(ctx, "req", now, storage.Finish{SessionID: "sess", ClientID: "client-2"}, done)
			must(t, err)
			equal(t, "Done", got.Done, true)
		}
		sess, err := s.GetSession(ctx, "sess", now)
		must(t, err)
		equal(t, "session clients", sess.Clients, []string{"client-1", "client-2"})
		equal(t, "Done stored", getReq(t, s, "req", now).Done, true)
		// A missing session does not stop the request from finishing.
		_, err = s.FinishAuthRequest(ctx, "req", now, storage.Finish{SessionID: "gone", ClientID: "client-2"}, done)
		must(t, err)
		// A failing callback writes neither record.
		_, err = s.FinishAuthRequest(ctx, "req", now, storage.Finish{SessionID: "sess", ClientID: "client-3"}, func(storage.AuthRequest) (storage.AuthRequest, error) { return storage.AuthRequest{}, errBoom })
		wantErr(t, "FinishAuthRequest(callback error)", err, errBoom)
		sess, err = s.GetSession(ctx, "sess", now)
		must(t, err)
		equal(t, "session clients after an aborted finish", sess.Clients, []string{"client-1", "client-2"})
	})

	t.Run("FinishSavesTheCode", func(t *testing.T) {
		s, now := newStore(t), start()
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("req", now)))
		must(t, s.CreateSession(ctx, newSession("sess", "1", now)))
		exp := now.Add(time.Minute)
		done := func(r storage.AuthRequest) (storage.AuthRequest, error) { r.Done, r.UserID = true, "1"; return r, nil }
		got, err := s.FinishAuthRequest(ctx, "req", now, storage.Finish{SessionID: "sess", ClientID: "client-2", CodeHash: "hash-1", CodeExpiresAt: exp}, done)
		must(t, err)
		if !got.Done || got.CodeHash != "hash-1" || !got.CodeExpiresAt.Equal(exp) {
			t.Fatalf("FinishAuthRequest with a code = done %v, code %q until %v", got.Done, got.CodeHash, got.CodeExpiresAt)
		}
		byCode, err := s.AuthRequestByCode(ctx, "hash-1", now)
		must(t, err)
		equal(t, "AuthRequestByCode after the finish", byCode, got)
		sess, err := s.GetSession(ctx, "sess", now)
		must(t, err)
		equal(t, "session clients", sess.Clients, []string{"client-1", "client-2"})

		// SaveAuthCode's rules, and a refused code writes nothing.
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("other", now)))
		_, err = s.FinishAuthRequest(ctx, "other", now, storage.Finish{CodeHash: "hash-1", CodeExpiresAt: exp}, done)
		wantErr(t, "FinishAuthRequest(the code hash of another request)", err, storage.ErrAlreadyExists)
		equal(t, "the other request after the refused finish", getReq(t, s, "other", now).Done, false)
		must(t, s.RedeemAuthCode(ctx, "req", now, pair("t1", "req", "1", "client-1", now)...))
		_, err = s.FinishAuthRequest(ctx, "req", now, storage.Finish{CodeHash: "hash-2", CodeExpiresAt: exp}, done)
		wantErr(t, "FinishAuthRequest(a code after redemption)", err, storage.ErrAlreadyUsed)
		_, err = s.AuthRequestByCode(ctx, "hash-2", now)
		wantErr(t, "AuthRequestByCode(the refused code)", err, storage.ErrNotFound)
	})

	t.Run("UpdateCallbackErrorAborts", func(t *testing.T) {
		s, now := newStore(t), start()
		r := newAuthRequest("req", now)
		must(t, s.CreateAuthRequest(ctx, r))
		_, err := s.UpdateAuthRequest(ctx, "req", now, func(r storage.AuthRequest) (storage.AuthRequest, error) {
			r.Done, r.UserID = true, "1"
			r.Scopes[0] = "changed"
			return r, errBoom
		})
		wantErr(t, "UpdateAuthRequest", err, errBoom)
		equal(t, "request after failed update", getReq(t, s, "req", now), r)
	})

	t.Run("SaveAuthCode", func(t *testing.T) {
		s, now := newStore(t), start()
		r := withCode(t, s, "req", now)
		equal(t, "GetAuthRequest after SaveAuthCode", getReq(t, s, "req", now), r)
		got, err := s.AuthRequestByCode(ctx, "hash-req", now)
		must(t, err)
		equal(t, "AuthRequestByCode", got, r)
		_, err = s.AuthRequestByCode(ctx, "unknown", now)
		wantErr(t, "AuthRequestByCode(unknown)", err, storage.ErrNotFound)
		wantErr(t, "SaveAuthCode(missing request)", s.SaveAuthCode(ctx, "404", "h", now.Add(time.Minute), now), storage.ErrNotFound)

		// The code expires on its own clock, before the request.
		later := now.Add(time.Minute)
		_, err = s.AuthRequestByCode(ctx, "hash-req", later)
		wantErr(t, "AuthRequestByCode at code expiry", err, storage.ErrNotFound)
		getReq(t, s, "req", later)

		// A new code replaces the old one.
		must(t, s.SaveAuthCode(ctx, "req", "hash-2", later.Add(time.Minute), later))
		got, err = s.AuthRequestByCode(ctx, "hash-2", later)
		must(t, err)
		if got.ID != "req" || got.CodeHash != "hash-2" {
			t.Fatalf("AuthRequestByCode(hash-2) = %s with code %s", got.ID, got.CodeHash)
		}
		must(t, s.SaveAuthCode(ctx, "req", "hash-3", later.Add(time.Minute), later))
		_, err = s.AuthRequestByCode(ctx, "hash-2", later)
		wantErr(t, "AuthRequestByCode(replaced code)", err, storage.ErrNotFound)
	})

	t.Run("CodeHashTaken", func(t *testing.T) {
		s, now := newStore(t), start()
		withCode(t, s, "a", now)
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("b", now)))
		wantErr(t, "SaveAuthCode(hash of a)", s.SaveAuthCode(ctx, "b", "hash-a", now.Add(time.Minute), now), storage.ErrAlreadyExists)
		got, err := s.AuthRequestByCode(ctx, "hash-a", now)
		must(t, err)
		if got.ID != "a" {
			t.Fatalf("AuthRequestByCode(hash-a) = %s, want a", got.ID)
		}
	})

	t.Run("Redeem", func(t *testing.T) {
		s, now := newStore(t), start()
		r := withCode(t, s, "req", now)
		tokens := pair("t1", "req", "1", "client-1", now)
		must(t, s.RedeemAuthCode(ctx, "req", now, tokens...))
		wantTokens(t, s, now, tokens...)
		r = r.RedeemedView()
		if r.Scopes != nil || r.Nonce != "" || r.CodeChallenge != "" || !r.ExpiresAt.Equal(r.CodeExpiresAt) || r.State == "" {
			t.Fatalf("the redeemed view keeps %+v", r)
		}
		equal(t, "request after redemption", getReq(t, s, "req", now), r)
		got, err := s.AuthRequestByCode(ctx, "hash-req", now)
		must(t, err)
		equal(t, "AuthRequestByCode after redemption", got, r)

		replay := pair("t2", "req", "1", "client-1", now)
		wantErr(t, "RedeemAuthCode(replay)", s.RedeemAuthCode(ctx, "req", now, replay...), storage.ErrAlreadyUsed)
		wantNoTokens(t, s, now, replay...)
		wantErr(t, "SaveAuthCode after redemption", s.SaveAuthCode(ctx, "req", "hash-x", now.Add(time.Minute), now), storage.ErrAlreadyUsed)
		wantErr(t, "RedeemAuthCode(missing)", s.RedeemAuthCode(ctx, "404", now), storage.ErrNotFound)
		_, err = s.GetAuthRequest(ctx, "req", r.CodeExpiresAt)
		wantErr(t, "the redeemed request once its code expired", err, storage.ErrNotFound)
	})

	t.Run("RedeemRefusesForeignFamily", func(t *testing.T) {
		s, now := newStore(t), start()
		r := withCode(t, s, "req", now)
		tokens := pair("t", "other", "1", "client-1", now)
		if err := s.RedeemAuthCode(ctx, "req", now, tokens...); err == nil {
			t.Fatal("RedeemAuthCode stored tokens of another family")
		}
		wantNoTokens(t, s, now, tokens...)
		equal(t, "request after refused redemption", getReq(t, s, "req", now), r)
	})

	t.Run("RedeemConcurrent", func(t *testing.T) {
		s, now := newStore(t), start()
		withCode(t, s, "req", now)
		const n = 50
		issued := make([][]storage.Token, n)
		for i := range issued {
			issued[i] = pair(fmt.Sprintf("t%d", i), "req", "1", "client-1", now)
		}
		errs := race(n, func(i int) error { return s.RedeemAuthCode(ctx, "req", now, issued[i]...) })
		winner := oneWinner(t, errs, storage.ErrAlreadyUsed)
		for i, tokens := range issued {
			if i == winner {
				wantTokens(t, s, now, tokens...)
			} else {
				wantNoTokens(t, s, now, tokens...)
			}
		}
	})

	t.Run("DeleteUnredeemed", func(t *testing.T) {
		s, now := newStore(t), start()
		withCode(t, s, "req", now)
		must(t, s.DeleteAuthRequest(ctx, "req"))
		_, err := s.GetAuthRequest(ctx, "req", now)
		wantErr(t, "GetAuthRequest(deleted)", err, storage.ErrNotFound)
		_, err = s.AuthRequestByCode(ctx, "hash-req", now)
		wantErr(t, "AuthRequestByCode(deleted)", err, storage.ErrNotFound)
		wantErr(t, "RedeemAuthCode(deleted)", s.RedeemAuthCode(ctx, "req", now), storage.ErrNotFound)
		must(t, s.DeleteAuthRequest(ctx, "req")) // idempotent
		must(t, s.CreateAuthRequest(ctx, newAuthRequest("req", now)))
	})

	t.Run("DeleteRedeemedKept", func(t *testing.T) {
		s, now := newStore(t), start()
		r := withCode(t, s, "req", now)
		must(t, s.RedeemAuthCode(ctx, "req", now, pair("t", "req", "1", "client-1", now)...))
		must(t, s.DeleteAuthRequest(ctx, "req"))
		equal(t, "redeemed request after delete", getReq(t, s, "req", now), r.RedeemedView())
		_, err := s.AuthRequestByCode(ctx, "hash-req", now)
		must(t, err)
		wantErr(t, "RedeemAuthCode(replay after delete)", s.RedeemAuthCode(ctx, "req", now), storage.ErrAlreadyUsed)
	})

	t.Run("NoAliasing", func(t *testing.T) {
		s, now := newStore(t), start()
		in := newAuthRequest("req", now)
		want := newAuthRequest("req", now)
		must(t, s.CreateAuthRequest(ctx, in))
		in.Scopes[0] = "in"
		*in.MaxAge = 1

		got := getReq(t, s, "req", now)
		got.Scopes[0] = "out"
		*got.MaxAge = 2
		got.Prompt = append(got.Prompt[:0], "none")

		upd, err := s.UpdateAuthRequest(ctx, "req", now, func(r storage.AuthRequest) (storage.AuthRequest, error) { return r, nil })
		must(t, err)
		upd.Scopes[1] = "updated"
		*upd.MaxAge = 3

		equal(t, "stored request", getReq(t, s, "req", now), want)
	})
}
