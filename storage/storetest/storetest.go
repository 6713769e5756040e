package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// factory returns a fresh, empty store; it should register the store's Close with t.Cleanup.
type factory = func(t *testing.T) storage.Store

// Run runs the suite, calling newStore for a fresh, empty store in every subtest. Clocks start
// at the wall clock and only move forward within a store, so backends that also expire values
// by real time agree with the suite.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Run("Users", func(t *testing.T) { testUsers(t, newStore) })
	t.Run("AuthRequests", func(t *testing.T) { testAuthRequests(t, newStore) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, newStore) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, newStore) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, newStore) })
	t.Run("Counters", func(t *testing.T) { testCounters(t, newStore) })
	t.Run("Docs", func(t *testing.T) { testDocs(t, newStore) })
	t.Run("Reset", func(t *testing.T) { testReset(t, newStore) })
	t.Run("SchemaVersion", func(t *testing.T) { testSchemaVersion(t, newStore) })
	t.Run("Health", func(t *testing.T) {
		if err := newStore(t).Health(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

var (
	ctx     = context.Background()
	errBoom = errors.New("storetest: callback failed")
)

// start is the suite's clock origin: the wall clock, in UTC so records compare with
// reflect.DeepEqual after a JSON round trip.
func start() time.Time { return time.Now().UTC() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// race runs n copies of fn concurrently and returns their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	gate := make(chan struct{})
	done := make(chan struct{})
	for i := range n {
		go func() {
			defer func() { done <- struct{}{} }()
			<-gate
			errs[i] = fn(i)
		}()
	}
	close(gate)
	for range n {
		<-done
	}
	return errs
}

// oneWinner checks that exactly one error is nil and all others match loser, and returns the
// winner's index.
func oneWinner(t *testing.T, errs []error, loser error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("callers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loser):
			t.Fatalf("caller %d: err = %v, want %v", i, err, loser)
		}
	}
	if winner < 0 {
		t.Fatalf("no caller succeeded")
	}
	return winner
}

// Fixtures. Each carries Schema = storage.SchemaVersion, as the store returns it.

func newUser(id, phone, email, snils string, now time.Time) storage.User {
	return storage.User{
		Schema: storage.SchemaVersion, ID: id, Persona: "ivanov",
		Phone: phone, PhoneVerified: phone != "", Email: email, EmailVerified: email != "", SNILS: snils,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		LastName:     "Иванов", FirstName: "Иван", MiddleName: "Иванович",
		BirthDate: "1980-01-02", BirthPlace: "г. Москва", Gender: "M", Citizenship: "RUS",
		Level: storage.LevelConfirmed, Status: storage.StatusActive, StatusSince: now,
		Documents: []storage.Document{{
			ID: "1", Type: "RF_PASSPORT", Series: "4500", Number: "123456", IssueDate: "2000-01-01",
			IssueID: "770-001", IssuedBy: "ОВД", VrfStu: storage.VerifyVerified,
		}},
		Addresses: []storage.Address{{Type: "PRG", AddressStr: "г. Москва, ул. Тверская, д. 1", ZipCode: "125009"}},
		CreatedAt: now, UpdatedAt: now,
	}
}

func newAuthRequest(id string, now time.Time) storage.AuthRequest {
	maxAge := int64(300)
	return storage.AuthRequest{
		Schema: storage.SchemaVersion, ID: id, ClientID: "client-1",
		RedirectURI: "https://rp.example/cb", Scopes: []string{"openid", "fullname"},
		ResponseType: "code", State: "state-" + id, Nonce: "nonce-" + id,
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		Prompt: []string{"login"}, MaxAge: &maxAge, UILocales: []string{"ru"},
		CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute),
	}
}

func newSession(id, userID string, created time.Time) storage.Session {
	return storage.Session{
		Schema: storage.SchemaVersion, ID: id, UserID: userID, AuthTime: created,
		AMR: []string{"PWD"}, ACR: "urn:esia:loa:2", CreatedAt: created, LastSeen: created,
		IdleTimeout: 30 * time.Minute, ExpiresAt: created.Add(8 * time.Hour),
		IP: "192.0.2.1", UserAgent: "storetest", Clients: []string{"client-1"},
	}
}

func newToken(id string, kind storage.TokenKind, familyID, subject, clientID string, now time.Time) storage.Token {
	ttl := time.Hour
	if kind == storage.TokenRefresh {
		ttl = 24 * time.Hour
	}
	return storage.Token{
		Schema: storage.SchemaVersion, ID: id, Kind: kind, FamilyID: familyID,
		ClientID: clientID, Subject: subject, Audience: []string{clientID},
		Scopes: []string{"openid", "fullname"}, AMR: []string{"PWD"}, ACR: "urn:esia:loa:2",
		AuthTime: now, SessionID: "sess-1", CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
}

// pair returns an access token and the refresh token issued with it, ids prefix-at and
// prefix-rt.
func pair(prefix, familyID, subject, clientID string, now time.Time) []storage.Token {
	at := newToken(prefix+"-at", storage.TokenAccess, familyID, subject, clientID, now)
	rt := newToken(prefix+"-rt", storage.TokenRefresh, familyID, subject, clientID, now)
	at.RefreshID = rt.ID
	return []storage.Token{at, rt}
}

func newKey(id string, created time.Time) storage.SigningKey {
	return storage.SigningKey{
		Schema: storage.SchemaVersion, ID: id, Algorithm: "RS256",
		PrivatePEM: "-----BEGIN PRIVATE KEY-----\nMIIB" + id + "\n-----END PRIVATE KEY-----\n",
		CreatedAt:  created, NotBefore: created.Add(time.Minute),
	}
}

// wantTokens checks that every token reads back as given at now.
func wantTokens(t *testing.T, s storage.Store, now time.Time, tokens ...storage.Token) {
	t.Helper()
	for _, tok := range tokens {
		got, err := s.GetToken(ctx, tok.ID, now)
		must(t, err)
		equal(t, "token "+tok.ID, got, tok)
	}
}

// wantNoTokens checks that every token reads as ErrNotFound at now.
func wantNoTokens(t *testing.T, s storage.Store, now time.Time, tokens ...storage.Token) {
	t.Helper()
	for _, tok := range tokens {
		_, err := s.GetToken(ctx, tok.ID, now)
		wantErr(t, fmt.Sprintf("GetToken(%s)", tok.ID), err, storage.ErrNotFound)
	}
}

func testSchemaVersion(t *testing.T, newStore factory) {
	s, now := newStore(t), start()
	check := func(what string, got int) {
		t.Helper()
		if got != storage.SchemaVersion {
			t.Errorf("%s: Schema = %d, want %d", what, got, storage.SchemaVersion)
		}
	}
	u := newUser("1", "+79990000001", "", "", now)
	u.Schema = 0
	must(t, s.CreateUser(ctx, u))
	gu, err := s.GetUser(ctx, "1")
	must(t, err)
	check("user", gu.Schema)
	gu, err = s.UpdateUser(ctx, "1", func(u storage.User) (storage.User, error) { u.Schema = 0; return u, nil })
	must(t, err)
	check("updated user (returned)", gu.Schema)
	gu, err = s.GetUser(ctx, "1")
	must(t, err)
	check("updated user", gu.Schema)

	r := newAuthRequest("req", now)
	r.Schema = 0
	must(t, s.CreateAuthRequest(ctx, r))
	gr, err := s.GetAuthRequest(ctx, "req", now)
	must(t, err)
	check("auth request", gr.Schema)

	ss := newSession("sess", "1", now)
	ss.Schema = 0
	must(t, s.CreateSession(ctx, ss))
	gs, err := s.GetSession(ctx, "sess", now)
	must(t, err)
	check("session", gs.Schema)

	tok := newToken("tok", storage.TokenAccess, "fam", "1", "client-1", now)
	tok.Schema = 0
	must(t, s.CreateTokens(ctx, tok))
	gt, err := s.GetToken(ctx, "tok", now)
	must(t, err)
	check("token", gt.Schema)

	k := newKey("k", now)
	k.Schema = 0
	must(t, s.AddKey(ctx, k))
	keys, err := s.ListKeys(ctx)
	must(t, err)
	check("key", keys[0].Schema)
}
