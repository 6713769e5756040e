package proofing

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/esia-emulator/esia-emulator/storage"
)

// AccountStatus is the status the citizen sees on the account page: active, suspended or
// needs data confirmation, with the reason, the date of the last change and the deadline
// for the required action.
type AccountStatus struct {
	Status   storage.Status `json:"status"`
	Reason   string         `json:"reason,omitempty"`
	Since    time.Time      `json:"since,omitzero"`
	Deadline time.Time      `json:"deadline,omitzero"`
}

// StatusOf reads the account's status; "" counts as active.
func StatusOf(u storage.User, p Proofs) AccountStatus {
	s := AccountStatus{Status: u.Status, Reason: u.StatusReason, Since: u.StatusSince, Deadline: p.StatusDeadline}
	if s.Status == "" {
		s.Status = storage.StatusActive
	}
	return s
}

// ApplyTo writes the status onto the account (Status, StatusReason, StatusSince and the
// deadline, which is to become User.StatusDeadline).
func (s AccountStatus) ApplyTo(u storage.User, p Proofs) (storage.User, Proofs) {
	u.Status, u.StatusReason, u.StatusSince = s.Status, s.Reason, s.Since
	p.StatusDeadline = s.Deadline
	return u, p
}

// MaxReasonLen is the longest status reason accepted, in characters.
const MaxReasonLen = 500

// Errors of SetStatus.
var (
	ErrInvalidStatus      = errors.New("proofing: status must be active, suspended or needs_confirmation")
	ErrReasonRequired     = errors.New("proofing: this status needs a reason")
	ErrInvalidReason      = errors.New("proofing: the reason is too long or has control characters")
	ErrDeadlineRequired   = errors.New("proofing: needs_confirmation needs a deadline")
	ErrDeadlineInPast     = errors.New("proofing: the deadline has passed")
	ErrDeadlineNotAllowed = errors.New("proofing: an active account has no deadline")
)

// SetStatus validates a status change and returns the new status:
//
//   - to is active, suspended or needs_confirmation (ErrInvalidStatus);
//   - suspended and needs_confirmation need a reason (ErrReasonRequired); a reason is at
//     most MaxReasonLen characters of printable text (ErrInvalidReason);
//   - needs_confirmation needs a deadline (ErrDeadlineRequired); a suspension may carry one
//     (the date by which to visit a service centre); any deadline must be after now
//     (ErrDeadlineInPast); active takes none (ErrDeadlineNotAllowed);
//   - Since becomes now when anything changes; setting the same status, reason and
//     deadline again returns cur unchanged.
//
// Every transition between the three statuses is allowed (an operator may suspend an
// account that needs confirmation, or reactivate a suspended one).
func SetStatus(cur AccountStatus, to storage.Status, reason string, deadline, now time.Time) (AccountStatus, error) {
	reason = strings.Join(strings.Fields(reason), " ")
	switch to {
	case storage.StatusActive:
		if !deadline.IsZero() {
			return cur, ErrDeadlineNotAllowed
		}
	case storage.StatusSuspended, storage.StatusNeedsConfirmation:
		if reason == "" {
			return cur, ErrReasonRequired
		}
		if to == storage.StatusNeedsConfirmation && deadline.IsZero() {
			return cur, ErrDeadlineRequired
		}
		if !deadline.IsZero() && !deadline.After(now) {
			return cur, fmt.Errorf("%w: %s", ErrDeadlineInPast, deadline.Format(time.RFC3339))
		}
	default:
		return cur, fmt.Errorf("%w: %q", ErrInvalidStatus, to)
	}
	if utf8.RuneCountInString(reason) > MaxReasonLen || !utf8.ValidString(reason) ||
		strings.IndexFunc(reason, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return cur, ErrInvalidReason
	}
	next := AccountStatus{Status: to, Reason: reason, Since: now, Deadline: deadline}
	if cur.Status == "" {
		cur.Status = storage.StatusActive
	}
	if cur.Status == next.Status && cur.Reason == next.Reason && cur.Deadline.Equal(next.Deadline) {
		return cur, nil
	}
	return next, nil
}

// Effective is the status in force at now: an account that needs confirmation and has let
// its deadline pass counts as suspended from the deadline, with a reason saying so. The
// stored status is not changed; the provider may persist the result.
func Effective(s AccountStatus, now time.Time) AccountStatus {
	if s.Status != storage.StatusNeedsConfirmation || s.Deadline.IsZero() || now.Before(s.Deadline) {
		return s
	}
	reason := "Истёк срок подтверждения данных (" + DateRU(s.Deadline) + ")"
	if s.Reason != "" {
		reason += ". " + s.Reason
	}
	return AccountStatus{Status: storage.StatusSuspended, Reason: reason, Since: s.Deadline}
}

// Reason keys of LoginAllowed, for the provider's message catalogue.
const (
	LoginKeySuspended         = "suspended"
	LoginKeyNeedsConfirmation = "needs_confirmation"
	LoginKeyUnknownStatus     = "unknown_status"
)

// LoginAllowed decides whether an account with status st may log in, and which message
// key the page shows: active → (true, ""); needs_confirmation → (true,
// "needs_confirmation": log in, then show the reason and the deadline); suspended →
// (false, "suspended": refuse with the reason); anything else → (false, "unknown_status").
// An empty status counts as active. Pass Effective(…).Status to honour deadlines.
func LoginAllowed(st storage.Status) (bool, string) {
	switch st {
	case storage.StatusActive, "":
		return true, ""
	case storage.StatusNeedsConfirmation:
		return true, LoginKeyNeedsConfirmation
	case storage.StatusSuspended:
		return false, LoginKeySuspended
	}
	return false, LoginKeyUnknownStatus
}

// StatusTitle is the status in Russian as the account page shows it.
func StatusTitle(st storage.Status) string {
	switch st {
	case storage.StatusActive, "":
		return "Активна"
	case storage.StatusSuspended:
		return "Приостановлена"
	case storage.StatusNeedsConfirmation:
		return "Требуется подтверждение данных"
	}
	return string(st)
}

// StatusNotice is the message to the citizen about a new status.
func StatusNotice(s AccountStatus) Notice {
	var b strings.Builder
	switch s.Status {
	case storage.StatusSuspended:
		b.WriteString("Действие вашей учётной записи приостановлено")
		if !s.Since.IsZero() {
			b.WriteString(" с " + DateRU(s.Since))
		}
		b.WriteString(". Вход на портал и в ведомственные кабинеты недоступен.")
		if s.Reason != "" {
			b.WriteString(" Причина: " + s.Reason + ".")
		}
		if !s.Deadline.IsZero() {
			b.WriteString(" Чтобы восстановить доступ, обратитесь в центр обслуживания с паспортом до " + DateRU(s.Deadline) + ".")
		} else {
			b.WriteString(" Чтобы восстановить доступ, обратитесь в центр обслуживания с паспортом.")
		}
		return Notice{Kind: KindStatusChange, Subject: "Учётная запись приостановлена", Body: b.String()}
	case storage.StatusNeedsConfirmation:
		b.WriteString("Требуется подтвердить данные учётной записи.")
		if s.Reason != "" {
			b.WriteString(" Причина: " + s.Reason + ".")
		}
		if !s.Deadline.IsZero() {
			b.WriteString(" Подтвердите данные до " + DateRU(s.Deadline) + ", иначе действие учётной записи будет приостановлено.")
		}
		return Notice{Kind: KindStatusChange, Subject: "Требуется подтверждение данных", Body: b.String()}
	}
	return Notice{Kind: KindStatusChange, Subject: "Учётная запись активна", Body: "Действие вашей учётной записи восстановлено. Вход на портал снова доступен."}
}
