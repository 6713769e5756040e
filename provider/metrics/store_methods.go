// One method per storage.Store method, each a line through do, timed or updated; when the
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

// do times an operation that answers only an error.
func (s *store) do(op string, f func() error) error {
	start := s.m.now()
	err := f()
	s.m.storeDone(op, start, err, nil)
	return err
}

// timed times an operation that answers a value.
func timed[T any](s *store, op string, f func() (T, error)) (T, error) {
	start := s.m.now()
	v, err := f()
	s.m.storeDone(op, start, err, nil)
	return v, err
}

// updated times an update: an error from the caller's own fn is the caller's answer, not a
// store failure.
func updated[T any](s *store, op string, fn func(T) (T, error), call func(func(T) (T, error)) (T, error)) (T, error) {
	var fnErr error
	start := s.m.now()
	v, err := call(func(old T) (T, error) {
		nv, err := fn(old)
		fnErr = err
		return nv, err
	})
	s.m.storeDone(op, start, err, fnErr)
	return v, err
}

func (s *store) CreateUser(ctx context.Context, u storage.User) error {
	return s.do("create_user", func() error { return s.Store.CreateUser(ctx, u) })
}

func (s *store) CreateUsers(ctx context.Context, users []storage.User) error {
	return s.do("create_users", func() error { return s.Store.CreateUsers(ctx, users) })
}

func (s *store) GetUser(ctx context.Context, id string) (storage.User, error) {
	return timed(s, "get_user", func() (storage.User, error) { return s.Store.GetUser(ctx, id) })
}

func (s *store) UserByLogin(ctx context.Context, kind storage.LoginKind, value string) (storage.User, error) {
	return timed(s, "user_by_login", func() (storage.User, error) { return s.Store.UserByLogin(ctx, kind, value) })
}

func (s *store) UpdateUser(ctx context.Context, id string, fn func(storage.User) (storage.User, error)) (storage.User, error) {
	return updated(s, "update_user", fn, func(fn func(storage.User) (storage.User, error)) (storage.User, error) {
		return s.Store.UpdateUser(ctx, id, fn)
	})
}

func (s *store) ListUsers(ctx context.Context) ([]storage.User, error) {
	return timed(s, "list_users", func() ([]storage.User, error) { return s.Store.ListUsers(ctx) })
}

func (s *store) ListUsersPage(ctx context.Context, limit int) (users []storage.UserSummary, total int, err error) {
	start := s.m.now()
	users, total, err = s.Store.ListUsersPage(ctx, limit)
	s.m.storeDone("list_users_page", start, err, nil)
	return users, total, err
}

func (s *store) DeleteUser(ctx context.Context, id string) error {
	return s.do("delete_user", func() error { return s.Store.DeleteUser(ctx, id) })
}

func (s *store) CreateAuthRequest(ctx context.Context, r storage.AuthRequest) error {
	return s.do("create_auth_request", func() error { return s.Store.CreateAuthRequest(ctx, r) })
}

func (s *store) GetAuthRequest(ctx context.Context, id string, now time.Time) (storage.AuthRequest, error) {
	return timed(s, "get_auth_request", func() (storage.AuthRequest, error) { return s.Store.GetAuthRequest(ctx, id, now) })
}

func (s *store) UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	return updated(s, "update_auth_request", fn, func(fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
		return s.Store.UpdateAuthRequest(ctx, id, now, fn)
	})
}

func (s *store) SaveAuthCode(ctx context.Context, id, codeHash string, codeExpiresAt, now time.Time) error {
	return s.do("save_auth_code", func() error { return s.Store.SaveAuthCode(ctx, id, codeHash, codeExpiresAt, now) })
}

func (s *store) AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (storage.AuthRequest, error) {
	return timed(s, "auth_request_by_code", func() (storage.AuthRequest, error) { return s.Store.AuthRequestByCode(ctx, codeHash, now) })
}

func (s *store) RedeemAuthCode(ctx context.Context, id string, now time.Time, tokens ...storage.Token) error {
	return s.do("redeem_auth_code", func() error { return s.Store.RedeemAuthCode(ctx, id, now, tokens...) })
}

func (s *store) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.do("delete_auth_request", func() error { return s.Store.DeleteAuthRequest(ctx, id) })
}

func (s *store) CreateSession(ctx context.Context, sess storage.Session, docs ...storage.DocWrite) error {
	return s.do("create_session", func() error { return s.Store.CreateSession(ctx, sess, docs...) })
}

func (s *store) GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error) {
	return timed(s, "get_session", func() (storage.Session, error) { return s.Store.GetSession(ctx, id, now) })
}

func (s *store) UpdateSession(ctx context.Context, id string, now time.Time, fn func(storage.Session) (storage.Session, error)) (storage.Session, error) {
	return updated(s, "update_session", fn, func(fn func(storage.Session) (storage.Session, error)) (storage.Session, error) {
		return s.Store.UpdateSession(ctx, id, now, fn)
	})
}

func (s *store) DeleteSession(ctx context.Context, id string) error {
	return s.do("delete_session", func() error { return s.Store.DeleteSession(ctx, id) })
}

func (s *store) ListUserSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error) {
	return timed(s, "list_user_sessions", func() ([]storage.Session, error) { return s.Store.ListUserSessions(ctx, userID, now) })
}

func (s *store) DeleteUserSessions(ctx context.Context, userID, keepID string) error {
	return s.do("delete_user_sessions", func() error { return s.Store.DeleteUserSessions(ctx, userID, keepID) })
}

func (s *store) CreateTokens(ctx context.Context, tokens ...storage.Token) error {
	return s.do("create_tokens", func() error { return s.Store.CreateTokens(ctx, tokens...) })
}

func (s *store) GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error) {
	return timed(s, "get_token", func() (storage.Token, error) { return s.Store.GetToken(ctx, id, now) })
}

func (s *store) RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...storage.Token) error {
	return s.do("rotate_refresh_token", func() error { return s.Store.RotateRefreshToken(ctx, oldID, now, tokens...) })
}

func (s *store) RevokeToken(ctx context.Context, id string) error {
	return s.do("revoke_token", func() error { return s.Store.RevokeToken(ctx, id) })
}

func (s *store) RevokeFamily(ctx context.Context, familyID string) error {
	return s.do("revoke_family", func() error { return s.Store.RevokeFamily(ctx, familyID) })
}

func (s *store) RevokeUserClientTokens(ctx context.Context, userID, clientID string) error {
	return s.do("revoke_user_client_tokens", func() error { return s.Store.RevokeUserClientTokens(ctx, userID, clientID) })
}

func (s *store) AddKey(ctx context.Context, k storage.SigningKey) error {
	return s.do("add_key", func() error { return s.Store.AddKey(ctx, k) })
}

func (s *store) ListKeys(ctx context.Context) ([]storage.SigningKey, error) {
	return timed(s, "list_keys", func() ([]storage.SigningKey, error) { return s.Store.ListKeys(ctx) })
}

func (s *store) DeleteKey(ctx context.Context, id string) error {
	return s.do("delete_key", func() error { return s.Store.DeleteKey(ctx, id) })
}

func (s *store) Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error) {
	return timed(s, "incr", func() (int64, error) { return s.Store.Incr(ctx, key, delta, expiresAt, now) })
}

func (s *store) Counter(ctx context.Context, key string, now time.Time) (int64, error) {
	return timed(s, "counter", func() (int64, error) { return s.Store.Counter(ctx, key, now) })
}

func (s *store) ResetCounter(ctx context.Context, key string) error {
	return s.do("reset_counter", func() error { return s.Store.ResetCounter(ctx, key) })
}

func (s *store) Reset(ctx context.Context) error {
	return s.do("reset", func() error { return s.Store.Reset(ctx) })
}

func (s *store) Health(ctx context.Context) error {
	return s.do("health", func() error { return s.Store.Health(ctx) })
}

func (s *store) PutDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt time.Time) error {
	return s.do("put_doc", func() error { return s.Store.PutDocRaw(ctx, coll, id, doc, expiresAt) })
}

func (s *store) CreateDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time) error {
	return s.do("create_doc", func() error { return s.Store.CreateDocRaw(ctx, coll, id, doc, expiresAt, now) })
}

func (s *store) GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error) {
	return timed(s, "get_doc", func() ([]byte, error) { return s.Store.GetDocRaw(ctx, coll, id, now) })
}

func (s *store) ReadMany(ctx context.Context, now time.Time, reads []storage.Read) error {
	return s.do("read_many", func() error { return s.Store.ReadMany(ctx, now, reads) })
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
	return timed(s, "list_docs", func() ([]storage.RawDoc, error) { return s.Store.ListDocsRaw(ctx, coll, prefix, now) })
}

func (s *store) DeleteDoc(ctx context.Context, coll, id string) error {
	return s.do("delete_doc", func() error { return s.Store.DeleteDoc(ctx, coll, id) })
}

// pairCreator is the kv store's one-commit write of a document and its copy (audit uses it
// when the store offers it; the wrapper must offer it too, or every event costs two commits).
type pairCreator interface {
	CreateDocWithCopy(ctx context.Context, d storage.DocWrite, now time.Time) error
}

func (s *store) CreateDocWithCopy(ctx context.Context, d storage.DocWrite, now time.Time) error {
	return s.do("create_doc_with_copy", func() error {
		if pc, ok := s.Store.(pairCreator); ok {
			return pc.CreateDocWithCopy(ctx, d, now)
		}
		// A store without the one-commit pair: the document, then its copy.
		if err := s.Store.CreateDocRaw(ctx, d.Collection, d.ID, d.Doc, d.ExpiresAt, now); err != nil {
			return err
		}
		return s.Store.PutDocRaw(ctx, d.CopyCollection, d.CopyID, d.Copy(), d.ExpiresAt)
	})
}

func (s *store) FinishAuthRequest(ctx context.Context, id string, now time.Time, f storage.Finish, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	return updated(s, "finish_auth_request", fn, func(fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
		return s.Store.FinishAuthRequest(ctx, id, now, f, fn)
	})
}
