package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Errors callers branch on (errors.Is). Both wrap the cause.
var (
	// ErrInvalid: the code or token is unknown, expired, revoked or of the wrong kind.
	ErrInvalid = errors.New("tokens: invalid")
	// ErrReplayed: a one-time credential (code, refresh token) was presented again; the tokens
	// descending from it are revoked.
	ErrReplayed = errors.New("tokens: replayed")
)

// Store is what the lifecycle needs of the storage.
type Store interface {
	SaveAuthCode(ctx context.Context, id, codeHash string, codeExpiresAt, now time.Time) error
	AuthRequestByCode(ctx context.Context, codeHash string, now time.Time) (storage.AuthRequest, error)
	RedeemAuthCode(ctx context.Context, id string, now time.Time, tokens ...storage.Token) error
	GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
	RotateRefreshToken(ctx context.Context, oldID string, now time.Time, tokens ...storage.Token) error
	RevokeToken(ctx context.Context, id string) error
	RevokeFamily(ctx context.Context, familyID string) error
	PutDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt time.Time) error
	ListDocsRaw(ctx context.Context, coll, prefix string, now time.Time) ([]storage.RawDoc, error)
	DeleteDoc(ctx context.Context, coll, id string) error
}

// collSessionFamilies links SSO sessions to the token families issued in them: id
// "<session>/<family>", document the family id as a JSON string, expiring with the family's
// last token. The name is the one the ESIA dialect gave it, kept so stores written before
// still work.
const collSessionFamilies = "esia_session_families"

// MaxSessionFamilies bounds how many families RevokeSession revokes at once.
const MaxSessionFamilies = 1000

// Service is the token lifecycle. Store is required; Now defaults to time.Now and Logger to
// slog.Default().
type Service struct {
	Store  Store
	Now    func() time.Time
	Logger *slog.Logger
	// Counter, when set, counts token responses by grant and dialect (the provider's
	// metrics); the dialects call Issued after each.
	Counter interface{ TokensIssued(grant, dialect string) }
}

// Issued counts one token response of grant ("authorization_code", "refresh_token",
// "test_mint") in dialect ("oidc", "esia").
func (s *Service) Issued(grant, dialect string) {
	if s.Counter != nil {
		s.Counter.TokensIssued(grant, dialect)
	}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// SaveCode records the hash of a code issued for the authorization request requestID, valid
// until expiresAt. A request whose code was redeemed already gets ErrReplayed (nothing is
// revoked: the new code was never handed out).
func (s *Service) SaveCode(ctx context.Context, requestID, codeHash string, expiresAt time.Time) error {
	err := s.Store.SaveAuthCode(ctx, requestID, codeHash, expiresAt, s.now())
	if errors.Is(err, storage.ErrAlreadyUsed) {
		return fmt.Errorf("%w: the code of this request was redeemed already: %w", ErrReplayed, err)
	}
	if err != nil {
		return fmt.Errorf("tokens: save code: %w", err)
	}
	return nil
}

// Code returns the authorization request a code (by its hash) was issued for.
//
// check, when not nil, runs on the request before the replay rule and its error is returned
// as is: a dialect refuses there what must not revoke anything (a code presented by another
// client, say). Then a code redeemed before is a replay: every token issued from it is
// revoked and Code returns the request with ErrReplayed. An unknown or expired code is
// ErrInvalid.
func (s *Service) Code(ctx context.Context, codeHash string, check func(storage.AuthRequest) error) (storage.AuthRequest, error) {
	ar, err := s.Store.AuthRequestByCode(ctx, codeHash, s.now())
	if errors.Is(err, storage.ErrNotFound) {
		return storage.AuthRequest{}, fmt.Errorf("%w: unknown or expired code: %w", ErrInvalid, err)
	}
	if err != nil {
		return storage.AuthRequest{}, fmt.Errorf("tokens: code: %w", err)
	}
	if check != nil {
		if err := check(ar); err != nil {
			return ar, err
		}
	}
	if ar.Redeemed {
		return ar, s.replayed(ctx, ar.ID, ar.ClientID, "authorization code replayed")
	}
	return ar, nil
}

// Redeem spends the code of authorization request requestID and stores the tokens issued for
// it (each with FamilyID == requestID), atomically: of concurrent redemptions exactly one
// succeeds. The others are replays: the family is revoked (the winner's tokens too) and they
// get ErrReplayed. A request that is gone is ErrInvalid.
func (s *Service) Redeem(ctx context.Context, requestID string, issued ...storage.Token) error {
	err := s.Store.RedeemAuthCode(ctx, requestID, s.now(), issued...)
	switch {
	case errors.Is(err, storage.ErrAlreadyUsed):
		return s.replayed(ctx, requestID, clientOf(issued), "authorization code replayed")
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: the code's request is gone: %w", ErrInvalid, err)
	case err != nil:
		return fmt.Errorf("tokens: redeem code: %w", err)
	}
	return nil
}

// Refresh returns the live refresh token with id. check, when not nil, runs before the
// replay rule (see Code). A refresh token used before is a replay: its family is revoked
// and Refresh returns it with ErrReplayed. Unknown, expired, revoked or not a refresh token:
// ErrInvalid.
func (s *Service) Refresh(ctx context.Context, id string, check func(storage.Token) error) (storage.Token, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return storage.Token{}, err
	}
	if t.Kind != storage.TokenRefresh {
		return storage.Token{}, fmt.Errorf("%w: not a refresh token", ErrInvalid)
	}
	if check != nil {
		if err := check(t); err != nil {
			return t, err
		}
	}
	if t.Used {
		return t, s.replayed(ctx, t.FamilyID, t.ClientID, "refresh token replayed")
	}
	return t, nil
}

// Rotate spends refresh token old and stores the tokens issued in its place, atomically: of
// concurrent rotations exactly one succeeds; the others are replays (family revoked,
// ErrReplayed). A token revoked or expired meanwhile is ErrInvalid.
func (s *Service) Rotate(ctx context.Context, old storage.Token, issued ...storage.Token) error {
	err := s.Store.RotateRefreshToken(ctx, old.ID, s.now(), issued...)
	switch {
	case errors.Is(err, storage.ErrAlreadyUsed):
		return s.replayed(ctx, old.FamilyID, old.ClientID, "refresh token replayed")
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: the refresh token was revoked or has expired: %w", ErrInvalid, err)
	case err != nil:
		return fmt.Errorf("tokens: rotate refresh token: %w", err)
	}
	return nil
}

// Get returns the live token with id (access or refresh); ErrInvalid when it is unknown,
// expired or revoked.
func (s *Service) Get(ctx context.Context, id string) (storage.Token, error) {
	t, err := s.Store.GetToken(ctx, id, s.now())
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Token{}, fmt.Errorf("%w: unknown, expired or revoked token: %w", ErrInvalid, err)
	}
	if err != nil {
		return storage.Token{}, fmt.Errorf("tokens: token: %w", err)
	}
	return t, nil
}

// Revoke revokes a token: a refresh token with its whole family (RFC 7009 §2.1), an access
// token alone.
func (s *Service) Revoke(ctx context.Context, t storage.Token) error {
	if t.Kind == storage.TokenRefresh {
		return s.RevokeFamily(ctx, t.FamilyID)
	}
	if err := s.Store.RevokeToken(ctx, t.ID); err != nil {
		return fmt.Errorf("tokens: revoke token: %w", err)
	}
	return nil
}

// RevokeFamily revokes every token descending from one authorization code.
func (s *Service) RevokeFamily(ctx context.Context, familyID string) error {
	if err := s.Store.RevokeFamily(ctx, familyID); err != nil {
		return fmt.Errorf("tokens: revoke family: %w", err)
	}
	return nil
}

// replayed revokes a family after a replay and returns ErrReplayed (or the revocation's
// failure).
func (s *Service) replayed(ctx context.Context, familyID, clientID, why string) error {
	if err := s.RevokeFamily(ctx, familyID); err != nil {
		return fmt.Errorf("%s: %w", why, err)
	}
	s.log().WarnContext(ctx, why+"; its token family is revoked", "client_id", clientID, "family", familyID)
	return fmt.Errorf("%w: %s", ErrReplayed, why)
}

// Link records that the family of the issued tokens was issued in SSO session sessionID,
// until the last of them expires, so RevokeSession revokes it. No session, no link.
func (s *Service) Link(ctx context.Context, sessionID string, issued ...storage.Token) error {
	if sessionID == "" || len(issued) == 0 {
		return nil
	}
	familyID := issued[0].FamilyID
	var until time.Time
	for _, t := range issued {
		if t.ExpiresAt.After(until) {
			until = t.ExpiresAt
		}
	}
	doc, err := json.Marshal(familyID)
	if err != nil {
		return fmt.Errorf("tokens: link family: %w", err)
	}
	if err := s.Store.PutDocRaw(ctx, collSessionFamilies, sessionID+"/"+familyID, doc, until); err != nil {
		return fmt.Errorf("tokens: link family to session: %w", err)
	}
	return nil
}

// RevokeSession revokes the token families linked to SSO session sessionID (at most
// MaxSessionFamilies) and forgets the links. It returns how many families it revoked; it
// goes on past a family it could not revoke and returns the errors joined.
func (s *Service) RevokeSession(ctx context.Context, sessionID string) (int, error) {
	if sessionID == "" {
		return 0, nil
	}
	prefix := sessionID + "/"
	links, err := s.Store.ListDocsRaw(ctx, collSessionFamilies, prefix, s.now())
	if err != nil {
		return 0, fmt.Errorf("tokens: list the session's token families: %w", err)
	}
	var errs []error
	n := 0
	for i, l := range links {
		if i >= MaxSessionFamilies {
			break
		}
		if err := s.RevokeFamily(ctx, strings.TrimPrefix(l.ID, prefix)); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		if err := s.Store.DeleteDoc(ctx, collSessionFamilies, l.ID); err != nil {
			errs = append(errs, fmt.Errorf("tokens: forget link: %w", err))
		}
	}
	return n, errors.Join(errs...)
}

func clientOf(ts []storage.Token) string {
	if len(ts) == 0 {
		return ""
	}
	return ts[0].ClientID
}
