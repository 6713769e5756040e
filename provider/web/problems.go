package web

import (
	"errors"
	"fmt"

	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

func (c *Catalog) CodeProblem(lang string, err error) string {
	var wrong *otp.WrongCodeError
	switch {
	case errors.As(err, &wrong):
		return fmt.Sprintf(c.T(lang, "code.wrong"), wrong.TriesLeft)
	case errors.Is(err, otp.ErrNoTriesLeft):
		return c.T(lang, "code.notries")
	case errors.Is(err, otp.ErrCodeExpired):
		return c.T(lang, "code.expired")
	case errors.Is(err, otp.ErrCodeReused):
		return c.T(lang, "code.reused")
	}
	return c.T(lang, "code.invalid")
}

// LockMessage says what is locked and when it ends (Moscow time).
func (c *Catalog) LockMessage(lang string, le *lockout.LockedError) string {
	switch {
	case le.Permanent:
		return c.T(lang, "lock.permanent")
	case le.Scope == lockout.ScopeIP:
		return fmt.Sprintf(c.T(lang, "lock.ip"), Clock(le.Until))
	case le.Scope == lockout.ScopeCode:
		return fmt.Sprintf(c.T(lang, "lock.code"), Clock(le.Until))
	}
	return fmt.Sprintf(c.T(lang, "lock.account"), Clock(le.Until))
}

// LockProblem turns a lock into the citizen's message; other errors pass through.
func (c *Catalog) LockProblem(lang string, err error) (string, error) {
	var le *lockout.LockedError
	if errors.As(err, &le) {
		return c.LockMessage(lang, le), nil
	}
	return "", err
}
