package ident

import (
	"errors"
	"slices"
	"testing"
)

func TestParseLogin(t *testing.T) {
	tests := []struct {
		in         string
		kind, want string
		candidates []Login // nil: just the parsed one
	}{
		{"ivanov@example.ru", KindEmail, "ivanov@example.ru", nil},
		{" Ivanov@Example.RU ", KindEmail, "ivanov@example.ru", nil},
		{"+79990000001", KindPhone, "+79990000001", nil},
		{"+7 (999) 000-00-01", KindPhone, "+79990000001", nil},
		{"8 (999) 000-00-01", KindPhone, "+79990000001", nil},
		{"8-999-000-00-01", KindPhone, "+79990000001", nil},
		{"9990000001", KindPhone, "+79990000001", nil},
		{"112-233-445 95", KindSNILS, "11223344595", nil},
		{"11223344595", KindSNILS, "11223344595", nil},
		{"000-000-600 01", KindSNILS, "00000060001", nil},
		{"00000060001", KindSNILS, "00000060001", nil},
		// Grouped as a SNILS: only a SNILS, even though 11 digits starting with 8 read as a phone.
		{"800-000-001 73", KindSNILS, "80000000173", nil},
		// Bare 11 digits starting with 8 or 7: phone first, SNILS second when its checksum holds.
		{"80000000173", KindPhone, "+70000000173", []Login{{KindPhone, "+70000000173"}, {KindSNILS, "80000000173"}}},
		{"70000000063", KindPhone, "+70000000063", []Login{{KindPhone, "+70000000063"}, {KindSNILS, "70000000063"}}},
		{"89990000001", KindPhone, "+79990000001", nil}, // SNILS checksum fails: phone only
		{"8 999 000 00 01", KindPhone, "+79990000001", nil},
		// A person's INN: twelve digits, spaces allowed, check digits hold.
		{"500100732259", KindINN, "500100732259", nil},
		{" 5001 0073 2259 ", KindINN, "500100732259", nil},
	}
	for _, tt := range tests {
		kind, value, err := ParseLogin(tt.in)
		if err != nil || kind != tt.kind || value != tt.want {
			t.Errorf("ParseLogin(%q) = %q, %q, %v; want %q, %q", tt.in, kind, value, err, tt.kind, tt.want)
		}
		want := tt.candidates
		if want == nil {
			want = []Login{{tt.kind, tt.want}}
		}
		if got := LoginCandidates(tt.in); !slices.Equal(got, want) {
			t.Errorf("LoginCandidates(%q) = %v; want %v", tt.in, got, want)
		}
	}
}

func TestParseLoginErrors(t *testing.T) {
	tests := []struct {
		in   string
		also error // besides ErrInvalidLogin; nil: none in particular
	}{
		{"", nil},
		{"   ", nil},
		{"ivanov", nil},
		{"ivanov@", ErrInvalidEmail},
		{"Ivan <ivanov@example.ru>", ErrInvalidEmail},
		{"+89990000001", ErrInvalidPhone},
		{"+7 (999) 000-00", ErrInvalidPhone},
		{"112-233-445 96", ErrSNILSChecksum},
		{"11223344596", ErrSNILSChecksum},
		{"4951234567", nil},
		{"500100732258", ErrINNChecksum},
		{"5001007322", nil}, // an organisation's INN is no citizen's login
		{"1234", nil},
	}
	for _, tt := range tests {
		kind, value, err := ParseLogin(tt.in)
		if !errors.Is(err, ErrInvalidLogin) || kind != "" || value != "" {
			t.Errorf("ParseLogin(%q) = %q, %q, %v; want ErrInvalidLogin", tt.in, kind, value, err)
			continue
		}
		if tt.also != nil && !errors.Is(err, tt.also) {
			t.Errorf("ParseLogin(%q) error %v does not wrap %v", tt.in, err, tt.also)
		}
		if got := LoginCandidates(tt.in); got != nil {
			t.Errorf("LoginCandidates(%q) = %v; want nil", tt.in, got)
		}
	}
}
