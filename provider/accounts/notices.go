package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// Security notices. The guides name «извещения о входе на сайт и выхода из него» as one
// setting: a logout notice goes with the login notices (storage.User.NotifyLogins). A change
// of the second factor or of the recovery codes is always notified.

// The outbox kinds of the security notices.
const (
	KindLogoutNotice   = "logout_notice"
	KindSecurityNotice = "security_notice"
)

// Second-factor changes named by SecondFactorNotice.
const (
	ChangeTOTPOn        = "totp-on"
	ChangeSMSOn         = "sms-on"
	ChangeOff           = "off"
	ChangeRecoveryCodes = "recovery-codes"
)

// changeText is what a second-factor change did, in words ("" for an unknown change).
func changeText(change string) string {
	switch change {
	case ChangeTOTPOn:
		return "включён вход с подтверждением кодом из приложения-аутентификатора"
	case ChangeSMSOn:
		return "включён вход с подтверждением кодом по СМС"
	case ChangeOff:
		return "отключено подтверждение входа кодом"
	case ChangeRecoveryCodes:
		return "созданы новые коды восстановления, прежние больше не действуют"
	}
	return ""
}

// SecondFactorNotice tells the citizen the second factor changed (one of the Change…
// values).
func (s *Service) SecondFactorNotice(ctx context.Context, u storage.User, change string) {
	what := changeText(change)
	if what == "" {
		s.logger().WarnContext(ctx, "unknown second-factor change", "change", change)
		return
	}
	s.Notify(ctx, u, proofing.Notice{Kind: KindSecurityNotice, Subject: "Изменены настройки безопасности",
		Body: fmt.Sprintf("%s в вашей учётной записи %s. Если это были не вы, смените пароль и завершите все сеансы в личном кабинете.", web.DateTime(s.Now()), what)})
}

// SessionsEnded sends the logout notice for every ended session whose citizen asked for
// login notices (session.EndNotifier: it runs wherever a session ends — the account's
// «Выйти», a relying party's logout, «Завершить» on the sessions page).
func (s *Service) SessionsEnded(ctx context.Context, sessions []storage.Session) {
	done := map[string]bool{}
	for _, ss := range sessions {
		if done[ss.UserID] {
			continue
		}
		done[ss.UserID] = true
		u, err := s.Store.GetUser(ctx, ss.UserID)
		if err != nil {
			s.logger().WarnContext(ctx, "logout notice: read the account", "err", err)
			continue
		}
		if !u.NotifyLogins {
			continue
		}
		s.Notify(ctx, u, LogoutNotice(s.Now()))
	}
}

// LogoutNotice is the text of the logout notice.
func LogoutNotice(at time.Time) proofing.Notice {
	return proofing.Notice{Kind: KindLogoutNotice, Subject: "Выход из учётной записи",
		Body: fmt.Sprintf("Выполнен выход из вашей учётной записи %s. Если это были не вы, смените пароль и завершите все сеансы в личном кабинете.", web.DateTime(at))}
}
