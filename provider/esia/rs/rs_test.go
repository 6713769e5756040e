package rs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// The API against hand-written fakes; the end-to-end tests with real tokens are in
// provider/esia (rs_test.go, golden_test.go).

type fakeTokens map[string]string // token → claims JSON

func (f fakeTokens) VerifyAccessToken(_ context.Context, tok string) ([]byte, error) {
	c, ok := f[tok]
	if !ok {
		return nil, errors.New("invalid token")
	}
	return []byte(c), nil
}

type fakeStore struct {
	tokens map[string]storage.Token // by hashHex(token)
	users  map[string]storage.User
	err    error
}

func (f fakeStore) GetToken(_ context.Context, id string, _ time.Time) (storage.Token, error) {
	if f.err != nil {
		return storage.Token{}, f.err
	}
	t, ok := f.tokens[id]
	if !ok {
		return storage.Token{}, storage.ErrNotFound
	}
	return t, nil
}

func (f fakeStore) GetUser(_ context.Context, id string) (storage.User, error) {
	u, ok := f.users[id]
	if !ok {
		return storage.User{}, storage.ErrNotFound
	}
	return u, nil
}

func TestAPI(t *testing.T) {
	user := storage.User{ID: "1000000003", FirstName: "Мария", LastName: "Иванова", Level: storage.LevelConfirmed,
		Phone: "+79990000003", PhoneVerified: true, Email: "m@example.ru", Persona: "confirmed"}
	claims := func(sbj string) string { return `{"urn:esia:sbj_id":` + sbj + `}` }
	store := fakeStore{
		tokens: map[string]storage.Token{
			hashHex("full"):   {Kind: storage.TokenAccess, Subject: user.ID, Scopes: []string{"openid", "fullname", "email"}},
			hashHex("narrow"): {Kind: storage.TokenAccess, Subject: user.ID, Scopes: []string{"openid"}},
		},
		users: map[string]storage.User{user.ID: user},
	}
	tokens := fakeTokens{"full": claims(user.ID), "narrow": claims(user.ID), "revoked": claims(user.ID)}
	api := &API{Store: store, Tokens: tokens, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL: "https://esia.test", Scopes: []string{"openid", "fullname", "email", "mobile", "contacts"}, Persons: BuiltinPersons()}
	mux := http.NewServeMux()
	api.Mount(mux)
	call := func(tok, path string) (int, map[string]any) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		var m map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &m)
		return w.Code, m
	}

	for _, c := range []struct {
		name, tok, path string
		status          int
		key, want       string
	}{
		{"no token", "", "/rs/prns/1000000003", http.StatusUnauthorized, "error", "invalid_token"},
		{"bad token", "forged", "/rs/prns/1000000003", http.StatusUnauthorized, "error", "invalid_token"},
		{"revoked token", "revoked", "/rs/prns/1000000003", http.StatusUnauthorized, "error_description", "the access token was revoked or has expired"},
		{"another person", "full", "/rs/prns/1000000002", http.StatusForbidden, "code", "ESIA-005029"},
		{"no scope for documents", "full", "/rs/prns/1000000003/docs", http.StatusForbidden, "code", "ESIA-005029"},
		{"name with fullname", "full", "/rs/prns/1000000003", http.StatusOK, "firstName", "Мария"},
		{"an element of another type", "full", "/rs/prns/1000000003/ctts/1000000003101", http.StatusForbidden, "code", "ESIA-005029"},
		{"a missing element", "full", "/rs/prns/1000000003/ctts/999", http.StatusNotFound, "error", "not_found"},
	} {
		status, m := call(c.tok, c.path)
		if status != c.status || m[c.key] != c.want {
			t.Errorf("%s: %d %v", c.name, status, m)
		}
	}
	if _, m := call("narrow", "/rs/prns/1000000003"); m["firstName"] != nil || m["trusted"] != true {
		t.Errorf("person without fullname: %v", m)
	}
	if status, m := call("full", "/rs/prns/1000000003/ctts?embed=(elements)"); status != http.StatusOK || m["size"] != float64(1) {
		t.Errorf("email only: %d %v", status, m)
	}

	api.Store = fakeStore{err: errors.New("store down")}
	if status, _ := call("full", "/rs/prns/1000000003"); status != http.StatusServiceUnavailable {
		t.Errorf("store down: %d", status)
	}
}
