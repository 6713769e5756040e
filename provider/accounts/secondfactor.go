package accounts

import (
	"context"
	"errors"

	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// ErrNoSecondFactor: the account has no way to give a second factor.
var ErrNoSecondFactor = errors.New("accounts: no second factor available")

// VerifySecondFactor checks a code by the citizen's method, or a recovery code, and returns
// the amr method.
func (s *Service) VerifySecondFactor(ctx context.Context, u storage.User, code, recovery string) (string, error) {
	if recovery != "" {
		used := false
		_, err := s.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			remaining, ok := otp.UseRecoveryCode(cur.RecoveryCodes, recovery)
			if !ok {
				return cur, otp.ErrInvalidCode
			}
			cur.RecoveryCodes, used = remaining, true
			return cur, nil
		})
		if err == nil && used {
			return session.AMROTP, nil
		}
		return session.AMROTP, err
	}
	switch SecondFactorMethod(u) {
	case "totp":
		return session.AMROTP, s.TOTP.Verify(ctx, u.ID, u.TOTPSecret, code)
	case "sms":
		return session.AMRSMS, s.SMS.Verify(ctx, SMSKey(u.ID), code)
	}
	return "", ErrNoSecondFactor
}

// SecondFactorMethod is how the citizen proves the second factor: their own setting, or an
// SMS to the confirmed phone when a relying party demands two factors of a citizen who has
// none switched on; "" when there is no way.
func SecondFactorMethod(u storage.User) string {
	switch {
	case u.SecondFactor == "totp" && u.TOTPSecret != "":
		return "totp"
	case u.Phone != "" && u.PhoneVerified:
		return "sms"
	}
	return ""
}

// SMSKey names the citizen's login code challenge: one per citizen, so a new authorization
// request cannot skip the "send again" pause.
func SMSKey(userID string) string { return "login:" + userID }
