package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// codeStep describes a pending contact code for the registration page.
func (h *Handler) codeStep(ctx context.Context, key, channel string) *web.CodeView {
	codes := h.SMS
	if channel == otp.ChannelEmail {
		codes = h.EmailCodes
	}
	ch, err := codes.Status(ctx, key)
	if err != nil {
		return nil
	}
	now := h.Now()
	live := !ch.Verified && now.Before(ch.ExpiresAt) && ch.TriesLeft > 0
	v := &web.CodeView{Method: "sms", Masked: ch.Masked, TriesLeft: ch.TriesLeft, ExpiresAt: web.Clock(ch.ExpiresAt), ResendAt: web.Clock(ch.ResendAt),
		CanResend: !now.Before(ch.ResendAt), Live: live, Length: ch.Length}
	if !v.CanResend {
		wait := int((ch.ResendAt.Sub(now) + time.Second - 1) / time.Second)
		v.ResendIn, v.ResendLeft = wait, fmt.Sprintf("%d:%02d", wait/60, wait%60)
	}
	return v
}

// sendContactCode sends a confirmation code to the phone (SMS) or, without one, the e-mail.
// These codes go to addresses not yet trusted, so they count against the per-client-address
// and total quotas (SMS pumping).
func (h *Handler) sendContactCode(r *http.Request, channel, to *string, key, phone, email, kind string) error {
	*channel, *to = otp.ChannelSMS, phone
	codes := h.SMS
	if phone == "" {
		*channel, *to, codes = otp.ChannelEmail, email, h.EmailCodes
	}
	_, err := codes.StartFrom(r.Context(), key, *to, kind, h.Sessions.ClientIP(r))
	return err
}

// codeSendProblem explains a refused code; "" for other errors.
func (h *Handler) codeSendProblem(lang string, err error) string {
	var soon *otp.ResendTooSoonError
	var limited *otp.RateLimitedError
	var quota *otp.QuotaError
	switch {
	case errors.As(err, &quota):
		h.Logger.Warn("codes to new addresses refused", "scope", quota.Scope)
		return h.Pages.T(lang, "code.toomany")
	case errors.As(err, &soon):
		return fmt.Sprintf(h.Pages.T(lang, "code.toosoon"), web.Clock(soon.RetryAt))
	case errors.As(err, &limited):
		return h.Pages.T(lang, "code.ratelimited")
	}
	return ""
}
