// One method per storage.Store method, written by a script from the interface; when the
// interface changes, add the new method here the same way.

package metrics

import (
	"context"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// store is a storage.Store that times every operation and counts its failures (storeDone).
type store struct {
	storage.Store
	m *Metrics
}

var _ storage.Store = (*store)(nil)

func (s *store) CreateUser(ctx context.Context, u storage.User) error {
	start := s.m.now()
	err := s.Store.CreateUser(ctx, u)
	s.m.storeDone("create_user", start, err, nil)
	return err
}

func (s *store) GetUser(ctx context.Context, id string) (storage.User, error) {
	start := s.m.now()
	v, err := s.Store.GetUser(ctx, id)
	s.m.storeDone("get_user", start, err, nil)
	return v, err
}

func (s *store) UserByLogin(ctx context.Context, kind storage.LoginKind, value string) (storage.User, error) {
	start := s.m.now()
	v, err := s.Store.UserByLogin(ctx, kind, value)
	s.m.storeDone("user_by_login", start, err, nil)
	return v, err
}

func (s *store) UpdateUser(ctx context.Context, id string, fn func(storage.User) (storage.User, error)) (storage.User, error) {
	var fnErr error
	wrapped := func(a storage.User) (storage.User, error) {
		r0, err := fn(a)
		fnErr = err
		return r0, err
	}
	start := s.m.now()
	v, err := s.Store.UpdateUser(ctx, id, wrapped)
	s.m.storeDone("update_user", start, err, fnErr)
	return v, err
}

func (s *store) ListUsers(ctx context.Context) ([]storage.User, error) {
	start := s.m.now()
	v, err := s.Store.ListUsers(ctx)
	s.m.storeDone("list_users", start, err, nil)
	return v, err
}

func (s *store) ListUsersPage(ctx context.Context, limit int) (users []storage.User, total int, err error) {
	start := s.m.now()
	users, total, err = s.Store.ListUsersPage(ctx, limit)
	s.m.storeDone("list_users_page", start, err, nil)
	return users, total, err
}

func (s *store) DeleteUser(ctx context.Context, id string) error {
	start := s.m.now()
	err := s.Store.DeleteUser(ctx, id)
	s.m.storeDone("delete_user", start, err, nil)
	return err
}

func (s *store) CreateAuthRequest(ctx context.Context, r storage.AuthRequest) error {
	start := s.m.now()
	err := s.Store.CreateAuthRequest(ctx, r)
	s.m.storeDone("create_auth_request", start, err, nil)
	return err
}

func (s *store) GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error) {
	start := s.m.now()
	v, err := s.Store.GetAuthRequest(ctx, id, now)
	s.m.storeDone("get_auth_request", start, err, nil)
	return v, err
}

func (s *store) UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	var fnErr error
	wrapped := func(a storage.AuthRequest) (storage.AuthRequest, error) {
		r0, err := fn(a)
		fnErr = err
		return r0, err
	}
	start := s.m.now()
	v, err := s.Store.UpdateAuthRequest(ctx, id, now, wrapped)
	s.m.storeDone("update_auth_request", start, err, fnErr)
	return v, err
}

func (s *store) SaveAuthCode(ctx context.Context, id, codeHash string, codeExpiresAt, now time.Time) error {
	start := s.m.now()
	err := s.Store.SaveAuthCode(ctx, id, codeHash, codeExpiresAt, now)
	s.m.storeDone("save_auth_code", start, err, nil)
	return err
}

func (s *store) AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (storage.AuthRequest, error) {
	start := s.m.now()
	v, err := s.Store.AuthRequestByCode(ctx, codeHash, now)
	s.m.storeDone("auth_request_by_code", start, err, nil)
	return v, err
}

func (s *store) RedeemAuthCode(ctx context.Context, id string, now time.Time, tokens ...storage.Token) error {
	start := s.m.now()
	err := s.Store.RedeemAuthCode(ctx, id, now, tokens...)
	s.m.storeDone("redeem_auth_code", start, err, nil)
	return err
}

func (s *store) DeleteAuthRequest(ctx context.Context, id string) error {
	start := s.m.now()
	err := s.Store.DeleteAuthRequest(ctx, id)
	s.m.storeDone("delete_auth_request", start, err, nil)
	return err
}

func (s *store) CreateSession(ctx context.Context, sess storage.Session) error {
	start := s.m.now()
	err := s.Store.CreateSession(ctx, sess)
	s.m.storeDone("create_session", start, err, nil)
	return err
}

func (s *store) GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error) {
	start := s.m.now()
	v, err := s.Store.GetSession(ctx, id, now)
	s.m.storeDone("get_session", start, err, nil)
	return v, err
}

func (s *store) UpdateSession(ctx context.Context, id string, now time.Time, fn func(storage.Session) (storage.Session, error)) (storage.Session, error) {
	var fnErr error
	wrapped := func(a storage.Session) (storage.Session, error) {
		r0, err := fn(a)
		fnErr = err
		return r0, err
	}
	start := s.m.now()
	v, err := s.Store.UpdateSession(ctx, id, now, wrapped)
	s.m.storeDone("update_session", start, err, fnErr)
	return v, err
}

func (s *store) DeleteSession(ctx context.Context, id string) error {
	start := s.m.now()
	err := s.Store.DeleteSession(ctx, id)
	s.m.storeDone("delete_session", start, err, nil)
	return err
}

func (s *store) ListUserSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	start := s.m.now()
	v, err := s.Store.ListUserSessions(ctx, userID, now)
	s.m.storeDone("list_user_sessions", start, err, nil)
	return v, err
}

func (s *store) DeleteUserSessions(ctx context.Context, userID, keepID string) error {
	start := s.m.now()
	err := s.Store.DeleteUserSessions(ctx, userID, keepID)
	s.m.storeDone("delete_user_sessions", start, err, nil)
	return err
}

func (s *store) CreateTokens(ctx context.Context, tokens ...storage.Token) error {
	start := s.m.now()
	err := s.Store.CreateTokens(ctx, tokens...)
	s.m.storeDone("create_tokens", start, err, nil)
	return err
}

func (s *store) GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	start := s.m.now()
	v, err := s.Store.GetToken(ctx, id, now)
	s.m.storeDone("get_token", start, err, nil)
	return v, err
}

func (s *store) RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...storage.Token) error {
	start := s.m.now()
	err := s.Store.RotateRefreshToken(ctx, oldID, now, tokens...)
	s.m.storeDone("rotate_refresh_token", start, err, nil)
	return err
}

func (s *store) RevokeToken(ctx context.Context, id string) error {
	start := s.m.now()
	err := s.Store.RevokeToken(ctx, id)
	s.m.storeDone("revoke_token", start, err, nil)
	return err
}

func (s *store) RevokeFamily(ctx context.Context, familyID string) error {
	start := s.m.now()
	err := s.Store.RevokeFamily(ctx, familyID)
	s.m.storeDone("revoke_family", start, err, nil)
	return err
}

func (s *store) RevokeUserClientTokens(ctx context.Context, userID, clientID string) error {
	start := s.m.now()
	err := s.Store.RevokeUserClientTokens(ctx, userID, clientID)
	s.m.storeDone("revoke_user_client_tokens", start, err, nil)
	return err
}

func (s *store) AddKey(ctx context.Context, k storage.SigningKey) error {
	start := s.m.now()
	err := s.Store.AddKey(ctx, k)
	s.m.storeDone("add_key", start, err, nil)
	return err
}

func (s *store) ListKeys(ctx context.Context) ([]storage.SigningKey, error) {
	start := s.m.now()
	v, err := s.Store.ListKeys(ctx)
	s.m.storeDone("list_keys", start, err, nil)
	return v, err
}

func (s *store) DeleteKey(ctx context.Context, id string) error {
	start := s.m.now()
	err := s.Store.DeleteKey(ctx, id)
	s.m.storeDone("delete_key", start, err, nil)
	return err
}

func (s *store) Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	start := s.m.now()
	v, err := s.Store.Incr(ctx, key, delta, expiresAt, now)
	s.m.storeDone("incr", start, err, nil)
	return v, err
}

func (s *store) Counter(ctx context.Context, key string, now time.Time) (int64, error) {
	start := s.m.now()
	v, err := s.Store.Counter(ctx, key, now)
	s.m.storeDone("counter", start, err, nil)
	return v, err
}

func (s *store) ResetCounter(ctx context.Context, key string) error {
	start := s.m.now()
	err := s.Store.ResetCounter(ctx, key)
	s.m.storeDone("reset_counter", start, err, nil)
	return err
}

func (s *store) Reset(ctx context.Context) error {
	start := s.m.now()
	err := s.Store.Reset(ctx)
	s.m.storeDone("reset", start, err, nil)
	return err
}

func (s *store) Health(ctx context.Context) error {
	start := s.m.now()
	err := s.Store.Health(ctx)
	s.m.storeDone("health", start, err, nil)
	return err
}

func (s *store) PutDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt time.Time) error {
	start := s.m.now()
	err := s.Store.PutDocRaw(ctx, coll, id, doc, expiresAt)
	s.m.storeDone("put_doc", start, err, nil)
	return err
}

func (s *store) CreateDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time) error {
	start := s.m.now()
	err := s.Store.CreateDocRaw(ctx, coll, id, doc, expiresAt, now)
	s.m.storeDone("create_doc", start, err, nil)
	return err
}

func (s *store) GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error) {
	start := s.m.now()
	v, err := s.Store.GetDocRaw(ctx, coll, id, now)
	s.m.storeDone("get_doc", start, err, nil)
	return v, err
}

func (s *store) UpdateDocRaw(ctx context.Context, coll, id string, now time.Time, fn func(old []byte) ([]byte, time.Time, error)) ([]byte, error) {
	var fnErr error
	wrapped := func(a []byte) ([]byte, time.Time, error) {
		r0, r1, err := fn(a)
		fnErr = err
		return r0, r1, err
	}
	start := s.m.now()
	v, err := s.Store.UpdateDocRaw(ctx, coll, id, now, wrapped)
	s.m.storeDone("update_doc", start, err, fnErr)
	return v, err
}

func (s *store) ListDocsRaw(ctx context.Context, coll, prefix string, now time.Time) ([]storage.RawDoc, error) {
	start := s.m.now()
	v, err := s.Store.ListDocsRaw(ctx, coll, prefix, now)
	s.m.storeDone("list_docs", start, err, nil)
	return v, err
}

func (s *store) DeleteDoc(ctx context.Context, coll, id string) error {
	start := s.m.now()
	err := s.Store.DeleteDoc(ctx, coll, id)
	s.m.storeDone("delete_doc", start, err, nil)
	return err
}

// pairCreator is the kv store's one-commit write of a document and its copy (audit uses it
// when the store offers it; the wrapper must offer it too, or every event costs two commits).
type pairCreator interface {
	CreateDocRawWithCopy(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time, copyColl, copyID string) error
}

func (s *store) CreateDocRawWithCopy(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time, copyColl, copyID string) error {
	start := s.m.now()
	var err error
	if pc, ok := s.Store.(pairCreator); ok {
		err = pc.CreateDocRawWithCopy(ctx, coll, id, doc, expiresAt, now, copyColl, copyID)
	} else { // a store without the one-commit pair: the document, then its copy
		if err = s.Store.CreateDocRaw(ctx, coll, id, doc, expiresAt, now); err == nil {
			err = s.Store.PutDocRaw(ctx, copyColl, copyID, doc, expiresAt)
		}
	}
	s.m.storeDone("create_doc_with_copy", start, err, nil)
	return err
}

func (s *store) FinishAuthRequest(ctx context.Context, id string, now time.Time, sessionID, clientID string, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	var fnErr error
	wrapped := func(a storage.AuthRequest) (storage.AuthRequest, error) {
		r0, err := fn(a)
		fnErr = err
		return r0, err
	}
	start := s.m.now()
	v, err := s.Store.FinishAuthRequest(ctx, id, now, sessionID, clientID, wrapped)
	s.m.storeDone("finish_auth_request", start, err, fnErr)
	return v, err
}
