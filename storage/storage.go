package storage

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Backends wrap them with %w; callers match with errors.Is.
var (
	// ErrNotFound: no such record, or it has expired by the caller's clock.
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists: the record's ID or one of its unique keys (a login) is taken.
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrConflict: a transaction kept losing races and gave up; the caller may retry.
	ErrConflict = errors.New("storage: conflict")
	// ErrAlreadyUsed: a one-time credential (authorization code, refresh token) was spent
	// before. The caller revokes the token family the credential belongs to.
	ErrAlreadyUsed = errors.New("storage: already used")
	// ErrUnavailable: the backend cannot be reached (for example Redis is down).
	ErrUnavailable = errors.New("storage: unavailable")
)

// Users holds citizens. Phone, Email and SNILS are unique logins across all users.
type Users interface {
	// CreateUser stores u. ErrAlreadyExists if u.ID or any of its logins belongs to a user.
	CreateUser(ctx context.Context, u User) error
	// CreateUsers stores every user or none, in one transaction (the persona generator's
	// batch). ErrAlreadyExists if an id or login is taken, by a stored user or within users.
	CreateUsers(ctx context.Context, users []User) error
	GetUser(ctx context.Context, id string) (User, error)
	// UserByLogin finds the user whose normalised login of the given kind equals value.
	UserByLogin(ctx context.Context, kind LoginKind, value string) (User, error)
	// UpdateUser replaces the user with fn(old) atomically, keeping the login index in step.
	// ErrAlreadyExists if the new record takes another user's login.
	UpdateUser(ctx context.Context, id string, fn func(User) (User, error)) (User, error)
	// ListUsers returns every user ordered by ID.
	ListUsers(ctx context.Context) ([]User, error)
	// ListUsersPage returns the summaries of the first limit users in ListUsers order and how
	// many users there are, at the same cost with 6 users or 100,000 (the test-mode persona
	// picker).
	ListUsersPage(ctx context.Context, limit int) (users []UserSummary, total int, err error)
	DeleteUser(ctx context.Context, id string) error
}

// AuthRequests holds authorization requests with their login progress and code.
type AuthRequests interface {
	// CreateAuthRequest stores r. ErrAlreadyExists if r.ID is taken.
	CreateAuthRequest(ctx context.Context, r AuthRequest) error
	GetAuthRequest(ctx context.Context, id string, now time.Time) (AuthRequest, error)
	UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(AuthRequest) (AuthRequest, error)) (AuthRequest, error)
	// FinishAuthRequest is UpdateAuthRequest that, in the same transaction, also does what f
	// asks: the end of a login is one commit.
	FinishAuthRequest(ctx context.Context, id string, now time.Time, f Finish, fn func(AuthRequest) (AuthRequest, error)) (AuthRequest, error)
	// SaveAuthCode records the hash of the issued code on the request and indexes it, so
	// AuthRequestByCode finds the request until codeExpiresAt.
	SaveAuthCode(ctx context.Context, id, codeHash string, codeExpiresAt, now time.Time) error
	AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (AuthRequest, error)
	// RedeemAuthCode atomically marks the request's code redeemed and stores tokens (all of
	// them carry FamilyID == id). Exactly one caller succeeds; the others get ErrAlreadyUsed
	// and nothing is stored for them.
	RedeemAuthCode(ctx context.Context, id string, now time.Time, tokens ...Token) error
	// DeleteAuthRequest removes a request that has no redeemed code. A redeemed request is
	// kept until its expiry so that a replayed code can still be recognised.
	DeleteAuthRequest(ctx context.Context, id string) error
}

// Finish is what FinishAuthRequest does besides updating the request.
type Finish struct {
	// SessionID, ClientID: add ClientID to the clients of session SessionID when it is live
	// and does not list it yet (a missing or ended session is left alone). Either empty:
	// nothing.
	SessionID, ClientID string
	// CodeHash, CodeExpiresAt: save the code as SaveAuthCode does, with its errors, after
	// the callback (whose result is what the code is issued for). Empty: no code.
	CodeHash      string
	CodeExpiresAt time.Time
}

// DocWrite is a document created in the transaction of another write (the audit event of a
// login with the session it starts), and optionally a copy of it under another collection
// (replaced if present), with the same expiry. ErrAlreadyExists, and nothing is written, if
// the document exists.
type DocWrite struct {
	Collection, ID         string
	Doc                    []byte
	ExpiresAt              time.Time // zero: never
	CopyCollection, CopyID string    // "": no copy
	// CopyDoc is the copy's document; nil: Doc. An index entry that only names the document
	// (its id is in CopyID) keeps a small marker here instead of a second copy of Doc.
	CopyDoc []byte
}

// Copy is the document the copy stores: CopyDoc, or Doc when CopyDoc is nil.
func (d DocWrite) Copy() []byte {
	if d.CopyDoc != nil {
		return d.CopyDoc
	}
	return d.Doc
}

// Sessions holds SSO sessions.
type Sessions interface {
	// CreateSession stores s, and docs in the same transaction.
	CreateSession(ctx context.Context, s Session, docs ...DocWrite) error
	// GetSession returns ErrNotFound when the session is missing or past its idle or
	// absolute expiry at now.
	GetSession(ctx context.Context, id string, now time.Time) (Session, error)
	UpdateSession(ctx context.Context, id string, now time.Time, fn func(Session) (Session, error)) (Session, error)
	DeleteSession(ctx context.Context, id string) error
	// ListUserSessions returns the user's live sessions, oldest first.
	ListUserSessions(ctx context.Context, userID string, now time.Time) ([]Session, error)
	// DeleteUserSessions ends every session of the user except keepID ("" ends all).
	DeleteUserSessions(ctx context.Context, userID, keepID string) error
}

// Tokens holds access and refresh tokens. Tokens descending from one authorization code form
// a family (FamilyID) that is revoked together.
type Tokens interface {
	CreateTokens(ctx context.Context, tokens ...Token) error
	GetToken(ctx context.Context, id string, now time.Time) (Token, error)
	// RotateRefreshToken atomically marks refresh token oldID used and stores the new tokens.
	// ErrAlreadyUsed if oldID was used before (the caller then revokes the family);
	// ErrNotFound if it does not exist, expired or was revoked.
	RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...Token) error
	RevokeToken(ctx context.Context, id string) error
	RevokeFamily(ctx context.Context, familyID string) error
	// RevokeUserClientTokens revokes every token of userID issued to clientID.
	RevokeUserClientTokens(ctx context.Context, userID, clientID string) error
}

// Keys holds token-signing keys. Several may be published at once for rotation.
type Keys interface {
	// AddKey stores k. ErrAlreadyExists if k.ID exists.
	AddKey(ctx context.Context, k SigningKey) error
	// ListKeys returns all keys ordered by CreatedAt.
	ListKeys(ctx context.Context) ([]SigningKey, error)
	DeleteKey(ctx context.Context, id string) error
}

// Counters are exact atomic counters with expiry (failure counts, rate limits).
type Counters interface {
	// Incr adds delta to the counter and returns the new value. A missing or expired counter
	// starts from zero; expiresAt (zero: never) is set when the counter is created.
	Incr(ctx context.Context, key string, delta int64, expiresAt, now time.Time) (int64, error)
	// Counter returns the current value, 0 for a missing or expired counter.
	Counter(ctx context.Context, key string, now time.Time) (int64, error)
	ResetCounter(ctx context.Context, key string) error
}

// Reads fetches several documents and counters at once: one round trip to a remote backend
// (a password check reads its lock records together).
type Reads interface {
	// ReadMany fills every read with the document or counter live at now.
	ReadMany(ctx context.Context, now time.Time, reads []Read) error
}

// Read is one value of ReadMany: a document (Collection and ID) or a counter (Counter).
type Read struct {
	Collection, ID string
	Counter        string // a counter instead of a document
	// The result: the document (nil when missing or expired), the counter's value (0 when
	// missing or expired).
	Doc []byte
	N   int64
}

// Store is everything a backend provides.
type Store interface {
	Users
	AuthRequests
	Sessions
	Tokens
	Keys
	Counters
	Docs
	Reads
	// Reset deletes every record except signing keys and secrets: the test-mode "start
	// from the seed" operation (the provider then seeds its personas again).
	Reset(ctx context.Context) error
	// Health answers nil when the backend is reachable.
	Health(ctx context.Context) error
	Close() error
}

// Docs stores JSON documents by collection and id, for feature records that need no index
// beyond their id: second-factor challenges, consent grants, outbox messages, audit events.
// A collection is a short name ("consent", "outbox"); ids within it are chosen by the
// feature, often as "<owner>/<key>" so a prefix lists one owner's documents. The typed
// helpers GetDoc, PutDoc and UpdateDoc below encode and decode; consumers declare the small
// interface they use.
type Docs interface {
	// PutDocRaw creates or replaces the document; expiresAt zero means never.
	PutDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt time.Time) error
	// CreateDocRaw stores the document only if none with the id is live at now; else
	// ErrAlreadyExists.
	CreateDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time) error
	// GetDocRaw returns the document, or ErrNotFound if it is missing or expired at now.
	GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error)
	// UpdateDocRaw replaces the live document with fn(old) atomically (fn may run more than
	// once). fn returns the new document and its expiry, or an error that aborts.
	UpdateDocRaw(ctx context.Context, coll, id string, now time.Time, fn func(old []byte) ([]byte, time.Time, error)) ([]byte, error)
	// ListDocsRaw returns the live documents whose id starts with prefix, in id order.
	ListDocsRaw(ctx context.Context, coll, prefix string, now time.Time) ([]RawDoc, error)
	DeleteDoc(ctx context.Context, coll, id string) error
}

// RawDoc is a listed document.
type RawDoc struct {
	ID  string
	Doc []byte
}
