package proofing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

func TestSetStatus(t *testing.T) {
	now := t0
	later := now.Add(30 * 24 * time.Hour)
	active := AccountStatus{Status: storage.StatusActive, Since: now.Add(-time.Hour)}
	suspended := AccountStatus{Status: storage.StatusSuspended, Reason: "По заявлению владельца", Since: now.Add(-time.Hour)}
	needs := AccountStatus{Status: storage.StatusNeedsConfirmation, Reason: "Истёк срок паспорта", Since: now.Add(-time.Hour), Deadline: later}
	tests := []struct {
		name     string
		cur      AccountStatus
		to       storage.Status
		reason   string
		deadline time.Time
		err      error
		want     AccountStatus
	}{
		{"suspend", active, storage.StatusSuspended, "  По заявлению\n владельца ", time.Time{}, nil,
			AccountStatus{storage.StatusSuspended, "По заявлению владельца", now, time.Time{}}},
		{"suspend until a visit", active, storage.StatusSuspended, "Подозрение на взлом", later, nil,
			AccountStatus{storage.StatusSuspended, "Подозрение на взлом", now, later}},
		{"needs confirmation", active, storage.StatusNeedsConfirmation, "Истёк срок паспорта", later, nil,
			AccountStatus{storage.StatusNeedsConfirmation, "Истёк срок паспорта", now, later}},
		{"reactivate", suspended, storage.StatusActive, "", time.Time{}, nil, AccountStatus{storage.StatusActive, "", now, time.Time{}}},
		{"data confirmed", needs, storage.StatusActive, "Данные подтверждены", time.Time{}, nil,
			AccountStatus{storage.StatusActive, "Данные подтверждены", now, time.Time{}}},
		{"needs → suspended", needs, storage.StatusSuspended, "Срок истёк", time.Time{}, nil,
			AccountStatus{storage.StatusSuspended, "Срок истёк", now, time.Time{}}},
		{"extend the deadline", needs, storage.StatusNeedsConfirmation, "Истёк срок паспорта", later.Add(time.Hour), nil,
			AccountStatus{storage.StatusNeedsConfirmation, "Истёк срок паспорта", now, later.Add(time.Hour)}},
		{"same again keeps since", suspended, storage.StatusSuspended, "По заявлению владельца", time.Time{}, nil, suspended},
		{"active again keeps since", active, storage.StatusActive, "", time.Time{}, nil, active},
		{"empty current counts as active", AccountStatus{}, storage.StatusActive, "", time.Time{}, nil, AccountStatus{Status: storage.StatusActive}},
		{"unknown status", active, "deleted", "x", time.Time{}, ErrInvalidStatus, active},
		{"empty status", active, "", "", time.Time{}, ErrInvalidStatus, active},
		{"suspend without reason", active, storage.StatusSuspended, "   ", time.Time{}, ErrReasonRequired, active},
		{"needs without reason", active, storage.StatusNeedsConfirmation, "", later, ErrReasonRequired, active},
		{"needs without deadline", active, storage.StatusNeedsConfirmation, "x", time.Time{}, ErrDeadlineRequired, active},
		{"deadline now", active, storage.StatusNeedsConfirmation, "x", now, ErrDeadlineInPast, active},
		{"deadline past", active, storage.StatusSuspended, "x", now.Add(-time.Second), ErrDeadlineInPast, active},
		{"active with deadline", suspended, storage.StatusActive, "", later, ErrDeadlineNotAllowed, suspended},
		{"reason too long", active, storage.StatusSuspended, strings.Repeat("я", MaxReasonLen+1), time.Time{}, ErrInvalidReason, active},
		{"reason at the limit", active, storage.StatusSuspended, strings.Repeat("я", MaxReasonLen), time.Time{}, nil,
			AccountStatus{storage.StatusSuspended, strings.Repeat("я", MaxReasonLen), now, time.Time{}}},
		{"reason with control", active, storage.StatusSuspended, "a\x00b", time.Time{}, ErrInvalidReason, active},
		{"reason not UTF-8", active, storage.StatusSuspended, "a\xffb", time.Time{}, ErrInvalidReason, active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetStatus(tt.cur, tt.to, tt.reason, tt.deadline, now)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v; want %v", err, tt.err)
			}
			if tt.err != nil && Message(err) == "" {
				t.Errorf("no message for %v", err)
			}
			if got.Status != tt.want.Status || got.Reason != tt.want.Reason || !got.Since.Equal(tt.want.Since) || !got.Deadline.Equal(tt.want.Deadline) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestStatusOfAndApply(t *testing.T) {
	u := storage.User{Status: "", StatusReason: "r"}
	s := StatusOf(u, Proofs{StatusDeadline: t0})
	if s.Status != storage.StatusActive || s.Reason != "r" || !s.Deadline.Equal(t0) {
		t.Errorf("StatusOf = %+v", s)
	}
	next := AccountStatus{Status: storage.StatusSuspended, Reason: "x", Since: t0, Deadline: t0.Add(time.Hour)}
	u2, p2 := next.ApplyTo(u, Proofs{})
	if u2.Status != storage.StatusSuspended || u2.StatusReason != "x" || !u2.StatusSince.Equal(t0) || !p2.StatusDeadline.Equal(next.Deadline) {
		t.Errorf("ApplyTo = %+v %+v", u2, p2)
	}
	if back := StatusOf(u2, p2); back != next {
		t.Errorf("round trip %+v", back)
	}
}

func TestEffective(t *testing.T) {
	deadline := t0.Add(24 * time.Hour)
	needs := AccountStatus{Status: storage.StatusNeedsConfirmation, Reason: "Истёк срок паспорта", Since: t0, Deadline: deadline}
	if got := Effective(needs, deadline.Add(-time.Nanosecond)); got != needs {
		t.Errorf("before the deadline: %+v", got)
	}
	got := Effective(needs, deadline)
	if got.Status != storage.StatusSuspended || !got.Since.Equal(deadline) || !strings.Contains(got.Reason, "Истёк срок подтверждения данных (02.03.2026). Истёк срок паспорта") {
		t.Errorf("at the deadline: %+v", got)
	}
	susp := AccountStatus{Status: storage.StatusSuspended, Reason: "x", Deadline: deadline}
	if got := Effective(susp, deadline.Add(time.Hour)); got != susp {
		t.Errorf("suspended unchanged: %+v", got)
	}
	noDeadline := AccountStatus{Status: storage.StatusNeedsConfirmation, Reason: "x"}
	if got := Effective(noDeadline, deadline); got != noDeadline {
		t.Errorf("no deadline: %+v", got)
	}
}

func TestLoginAllowed(t *testing.T) {
	tests := []struct {
		st  storage.Status
		ok  bool
		key string
	}{
		{storage.StatusActive, true, ""},
		{"", true, ""},
		{storage.StatusNeedsConfirmation, true, LoginKeyNeedsConfirmation},
		{storage.StatusSuspended, false, LoginKeySuspended},
		{"DELETED", false, LoginKeyUnknownStatus},
	}
	for _, tt := range tests {
		if ok, key := LoginAllowed(tt.st); ok != tt.ok || key != tt.key {
			t.Errorf("LoginAllowed(%q) = %v, %q", tt.st, ok, key)
		}
		if StatusTitle(tt.st) == "" {
			t.Errorf("StatusTitle(%q) empty", tt.st)
		}
	}
}

func TestStatusNotice(t *testing.T) {
	d := t0.Add(10 * 24 * time.Hour)
	tests := []struct {
		s    AccountStatus
		subj string
		has  []string
	}{
		{AccountStatus{Status: storage.StatusSuspended, Reason: "По заявлению владельца", Since: t0}, "Учётная запись приостановлена",
			[]string{"с 01.03.2026", "Причина: По заявлению владельца.", "центр обслуживания"}},
		{AccountStatus{Status: storage.StatusSuspended, Reason: "x", Since: t0, Deadline: d}, "Учётная запись приостановлена", []string{"до 11.03.2026"}},
		{AccountStatus{Status: storage.StatusNeedsConfirmation, Reason: "Истёк срок паспорта", Deadline: d}, "Требуется подтверждение данных",
			[]string{"Причина: Истёк срок паспорта.", "до 11.03.2026"}},
		{AccountStatus{Status: storage.StatusActive}, "Учётная запись активна", []string{"восстановлено"}},
	}
	for _, tt := range tests {
		n := StatusNotice(tt.s)
		if n.Subject != tt.subj {
			t.Errorf("%s: subject %q", tt.s.Status, n.Subject)
		}
		for _, h := range tt.has {
			if !strings.Contains(n.Body, h) {
				t.Errorf("%s: %q lacks %q", tt.s.Status, n.Body, h)
			}
		}
	}
}
