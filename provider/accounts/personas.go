package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// Seed creates the configured personas that are not in the store yet. A persona that
// exists (a durable store, a second replica) is left as it is: the store's state wins. Each
// distinct persona password is hashed once, in parallel, so start-up stays fast with the
// default preset (the built-ins share one published test password, so sharing its hash
// reveals nothing).
func (s *Service) Seed(ctx context.Context) error {
	var missing []config.Persona
	for _, pc := range s.Personas {
		_, err := s.Store.GetUser(ctx, pc.OID)
		if errors.Is(err, storage.ErrNotFound) {
			missing = append(missing, pc)
		} else if err != nil {
			return fmt.Errorf("persona %s: %w", pc.Key, err)
		}
	}
	var passwords []string
	for _, pc := range missing {
		if pw := PersonaPassword(pc); !slices.Contains(passwords, pw) {
			passwords = append(passwords, pw)
		}
	}
	hashed := make([]string, len(passwords))
	errs := make([]error, len(passwords))
	var wg sync.WaitGroup
	for i, pw := range passwords {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashed[i], errs[i] = s.Hasher.Hash(pw)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("hash persona password: %w", err)
	}
	hashes := make(map[string]string, len(passwords))
	for i, pw := range passwords {
		hashes[pw] = hashed[i]
	}
	for _, pc := range missing {
		u, err := s.FromPersona(pc, hashes[PersonaPassword(pc)])
		if err != nil {
			return err
		}
		if err := s.Store.CreateUser(ctx, u); err != nil && !errors.Is(err, storage.ErrAlreadyExists) {
			return fmt.Errorf("persona %s: %w", u.Persona, err)
		}
	}
	return nil
}
func PersonaPassword(pc config.Persona) string {
	if pc.Password == "" {
		return config.DefaultPassword
	}
	return pc.Password
}

// FromPersona validates and normalises a persona into an account record. passwordHash
// is the hash of the persona's password, or "" to compute it here.
func (s *Service) FromPersona(pc config.Persona, passwordHash string) (storage.User, error) {
	now := s.Now()
	u := storage.User{
		ID: pc.OID, Persona: pc.Key,
		LastName: pc.LastName, FirstName: pc.FirstName, MiddleName: pc.MiddleName,
		BirthDate: pc.BirthDate, BirthPlace: pc.BirthPlace, Gender: pc.Gender, Citizenship: "RUS",
		Level: storage.Level(pc.Level), Status: storage.Status(pc.Status), StatusReason: pc.Reason, StatusSince: now,
		CreatedAt: now, UpdatedAt: now,
	}
	if u.Status == "" {
		u.Status = storage.StatusActive
	}
	u.SecondFactor = pc.SecondFactor
	if pc.SecondFactor == "totp" {
		u.TOTPSecret = pc.TOTPSecret
		if u.TOTPSecret == "" {
			u.TOTPSecret = config.DefaultTOTPSecret
		}
	}
	var err error
	bad := func(field string, e error) error { return fmt.Errorf("persona %s: %s: %w", pc.Key, field, e) }
	if pc.Phone != "" {
		if u.Phone, err = ident.NormalizePhone(pc.Phone); err != nil {
			return u, bad("phone", err)
		}
		u.PhoneVerified = true
	}
	if pc.Email != "" {
		if u.Email, err = ident.NormalizeEmail(pc.Email); err != nil {
			return u, bad("email", err)
		}
		u.EmailVerified = true
	}
	if pc.SNILS != "" {
		if u.SNILS, err = ident.NormalizeSNILS(pc.SNILS); err != nil {
			return u, bad("snils", err)
		}
	}
	if pc.INN != "" {
		if u.INN, err = ident.NormalizeINN(pc.INN); err != nil {
			return u, bad("inn", err)
		}
	}
	verified := storage.VerifyNotVerified
	if u.Level.Rank() >= storage.LevelStandard.Rank() {
		verified = storage.VerifyVerified
	}
	if u.SNILS != "" {
		u.SNILSVrf = verified
	}
	if u.INN != "" {
		u.INNVrf = verified
	}
	if u.Level == storage.LevelConfirmed {
		u.Confirmation = &storage.Confirmation{Method: "preset", At: now, By: "persona " + pc.Key}
	}
	if pc.Passport != nil {
		pp, err := ident.ParsePassport(pc.Passport.Series, pc.Passport.Number)
		if err != nil {
			return u, bad("passport", err)
		}
		unit := pc.Passport.UnitCode
		if unit != "" {
			if unit, err = ident.NormalizeUnitCode(unit); err != nil {
				return u, bad("passport unit code", err)
			}
		}
		u.Documents = append(u.Documents, storage.Document{ID: pc.OID + "01", Type: "RF_PASSPORT", Series: pp.Series, Number: pp.Number,
			IssueDate: pc.Passport.IssueDate, IssueID: unit, IssuedBy: pc.Passport.IssuedBy, VrfStu: verified})
	}
	if pc.Address != "" {
		u.Addresses = append(u.Addresses, AddressOf("PRG", pc.Address))
	}
	u.PasswordHash = passwordHash
	if u.PasswordHash == "" {
		if u.PasswordHash, err = s.Hasher.Hash(PersonaPassword(pc)); err != nil {
			return u, bad("password", err)
		}
	}
	u.Schema = storage.SchemaVersion
	return u, nil
}
