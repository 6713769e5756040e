package accounts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// Store is what the account service needs of the storage.
type Store interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
	CreateUser(ctx context.Context, u storage.User) error
	UpdateUser(ctx context.Context, id string, fn func(storage.User) (storage.User, error)) (storage.User, error)
	UserByLogin(ctx context.Context, kind storage.LoginKind, value string) (storage.User, error)
	ListUsers(ctx context.Context) ([]storage.User, error)
}

// Hasher hashes a password (verification/password).
type Hasher interface {
	Hash(password string) (string, error)
}

// Auditor records audit events (audit.Recorder).
type Auditor interface {
	Record(ctx context.Context, r *http.Request, ev audit.Event)
}

// Registries are the emulated state registries (registry.Registries).
type Registries interface {
	Poll(ctx context.Context, userID string, now time.Time) ([]registry.Result, error)
}

// Service is the citizen's account as every room shares it: finding it by a login, the
// registry checks and confirmations that change its level, the notices it gets, and the
// personas it can be made from. All fields but Logger are required.
type Service struct {
	Store      Store
	Registries Registries
	Sender     otp.Sender
	Audit      Auditor
	Hasher     Hasher
	Now        func() time.Time
	Rand       io.Reader
	// SMS and TOTP check second-factor codes (VerifySecondFactor).
	SMS  *otp.SMS
	TOTP *otp.TOTP
	// Personas are the configured personas (Seed, Find by key).
	Personas []config.Persona
	Logger   *slog.Logger
}

// Lookup finds the account by any reading of the login. normalized is the login's
// canonical form (for the lockout key of unknown logins).
func (s *Service) Lookup(ctx context.Context, login string) (storage.User, bool, string, error) {
	cands := ident.LoginCandidates(login)
	normalized := NormalizeLogin(login)
	for _, c := range cands {
		u, err := s.Store.UserByLogin(ctx, storage.LoginKind(c.Kind), c.Value)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return storage.User{}, false, normalized, err
		}
		return u, true, normalized, nil
	}
	return storage.User{}, false, normalized, nil
}

// NormalizeLogin is a typed login's canonical form, as Lookup computes it: the key of its
// lockout counter (lockout.LoginSubject).
func NormalizeLogin(login string) string {
	if cands := ident.LoginCandidates(login); len(cands) > 0 {
		return cands[0].Value
	}
	return strings.ToLower(strings.TrimSpace(login))
}

// LockoutKeys are the account's lockout keys: its own password and code keys, and the
// password key of each of its logins as typed. Unlocking them all (the admin API, password
// recovery) lifts every lock the account's owner can meet.
func LockoutKeys(u storage.User) map[string]string {
	keys := map[string]string{"password": lockout.PasswordKey(u.ID), "code": lockout.CodeKey(u.ID)}
	for kind, v := range u.Logins() {
		keys["login:"+string(kind)] = lockout.PasswordKey(lockout.LoginSubject(NormalizeLogin(v)))
	}
	return keys
}

// Refresh applies the registry checks that are due and recomputes the level. It is
// called whenever the account is shown or logs in, so a check with a delay finishes on the
// next page view after its time (by the injected clock). Notices go to the outbox.
func (s *Service) Refresh(ctx context.Context, u storage.User) (storage.User, error) {
	if !checkUnderWay(u) { // the common case, and every login: no registry lookup at all
		return u, nil
	}
	now := s.Now()
	results, err := s.Registries.Poll(ctx, u.ID, now)
	if err != nil {
		return u, fmt.Errorf("registry checks: %w", err)
	}
	if len(results) == 0 {
		return u, nil
	}
	old := u.Level
	u, err = s.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		pr := ProofsOf(cur)
		for _, r := range results {
			cur, pr, _ = registry.ApplyCheck(cur, pr, r.Check)
		}
		cur = WithProofs(cur, pr)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = now
		return cur, nil
	})
	if err != nil {
		return u, err
	}
	for _, r := range results {
		s.Notify(ctx, u, r.Notice)
	}
	s.LevelChanged(ctx, u, old)
	return u, nil
}

// checkUnderWay reports whether a registry check of the account is VERIFYING.
func checkUnderWay(u storage.User) bool {
	if u.SNILSVrf == storage.VerifyVerifying || u.INNVrf == storage.VerifyVerifying {
		return true
	}
	for _, d := range u.Documents {
		if d.VrfStu == storage.VerifyVerifying {
			return true
		}
	}
	return false
}

// LevelChanged notifies and audits a level change.
func (s *Service) LevelChanged(ctx context.Context, u storage.User, old storage.Level) {
	if u.Level == old {
		return
	}
	if n, ok := proofing.LevelNotice(old, u.Level); ok {
		s.Notify(ctx, u, n)
	}
	s.Audit.Record(ctx, nil, audit.Event{Type: audit.LevelChanged, UserID: u.ID, Details: map[string]string{"from": string(old), "to": string(u.Level)}})
}

// Notify sends a proofing notice to the citizen: a letter by post, anything else by e-mail
// (or SMS when there is no e-mail).
func (s *Service) Notify(ctx context.Context, u storage.User, n proofing.Notice) {
	msg := otp.Message{Channel: n.Channel, Subject: n.Subject, Body: n.Body, Kind: n.Kind, Code: n.Code}
	switch {
	case n.Channel == proofing.ChannelPost:
		msg.To = u.FullName()
		if len(u.Addresses) > 0 {
			msg.To += ", " + u.Addresses[0].AddressStr
		}
	case u.Email != "":
		msg.Channel, msg.To = otp.ChannelEmail, u.Email
	default:
		msg.Channel, msg.To = otp.ChannelSMS, u.Phone
	}
	if err := s.Sender.Send(ctx, msg); err != nil {
		s.logger().WarnContext(ctx, "notice not sent", "kind", n.Kind, "err", err)
	}
}

// SetConfirmation records an identity confirmation and raises the level.
func (s *Service) SetConfirmation(ctx context.Context, r *http.Request, userID string, conf proofing.Confirmation) error {
	var old storage.Level
	u, err := s.Store.UpdateUser(ctx, userID, func(cur storage.User) (storage.User, error) {
		old = cur.Level
		pr := ProofsOf(cur)
		pr.Confirmation = &conf
		cur = WithProofs(cur, pr)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = s.Now()
		return cur, nil
	})
	if err != nil {
		return err
	}
	s.Audit.Record(ctx, r, audit.Event{Type: audit.IdentityConfirmed, UserID: u.ID, Details: map[string]string{"method": string(conf.Method), "by": conf.By}})
	s.LevelChanged(ctx, u, old)
	return nil
}

// NewOID picks a random 10-digit oid (ESIA oids are decimal).
func (s *Service) NewOID() string {
	b := []byte(s.randomID())
	n := uint64(0)
	for _, c := range b[:12] {
		n = n*31 + uint64(c)
	}
	return fmt.Sprintf("2%09d", n%1_000_000_000)
}

// Find finds an account by oid or persona key.
func (s *Service) Find(ctx context.Context, keyOrOID string) (storage.User, error) {
	u, err := s.Store.GetUser(ctx, keyOrOID)
	if err == nil || !errors.Is(err, storage.ErrNotFound) {
		return u, err
	}
	for _, pc := range s.Personas {
		if pc.Key == keyOrOID {
			return s.Store.GetUser(ctx, pc.OID)
		}
	}
	users, err := s.Store.ListUsers(ctx)
	if err != nil {
		return storage.User{}, err
	}
	for _, u := range users {
		if u.Persona == keyOrOID {
			return u, nil
		}
	}
	return storage.User{}, storage.ErrNotFound
}

// ProofsOf reads the verification facts of an account in the proofing package's form.
func ProofsOf(u storage.User) proofing.Proofs {
	p := proofing.Proofs{SNILSVrf: u.SNILSVrf, SNILSVrfReason: u.SNILSVrfReason, INNVrf: u.INNVrf, INNVrfReason: u.INNVrfReason,
		StatusDeadline: u.StatusDeadline}
	if d, ok := proofing.CurrentPassport(u); ok {
		p.PassportVrfReason = d.VrfReason
	}
	if c := u.Confirmation; c != nil {
		p.Confirmation = &proofing.Confirmation{Method: proofing.ConfirmMethod(c.Method), At: c.At, By: c.By}
	}
	return p
}

// WithProofs writes the verification facts back onto the account.
func WithProofs(u storage.User, p proofing.Proofs) storage.User {
	u.SNILSVrf, u.SNILSVrfReason, u.INNVrf, u.INNVrfReason, u.StatusDeadline = p.SNILSVrf, p.SNILSVrfReason, p.INNVrf, p.INNVrfReason, p.StatusDeadline
	for i := len(u.Documents) - 1; i >= 0; i-- {
		if u.Documents[i].Type == "RF_PASSPORT" {
			docs := append([]storage.Document(nil), u.Documents...)
			docs[i].VrfReason = p.PassportVrfReason
			u.Documents = docs
			break
		}
	}
	u.Confirmation = nil
	if c := p.Confirmation; c != nil {
		u.Confirmation = &storage.Confirmation{Method: string(c.Method), At: c.At, By: c.By}
	}
	return u
}

func (s *Service) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// randomID returns 32 random bytes, base64url.
func (s *Service) randomID() string {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		panic(fmt.Sprintf("accounts: random source failed: %v", err)) // crypto/rand does not fail
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Recipient normalises a ?to= filter the way logins are: any phone spelling (and a "+" that
// arrived as a space) becomes +7XXXXXXXXXX, an e-mail lower-case; anything else is kept.
func Recipient(to string) string {
	to = strings.TrimSpace(to)
	if c := ident.LoginCandidates(to); len(c) > 0 && c[0].Kind != ident.KindSNILS && c[0].Kind != ident.KindINN {
		return c[0].Value
	}
	return to
}
