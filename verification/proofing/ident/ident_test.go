package ident

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	valid := []struct{ in, want string }{
		{"+79990000001", "+79990000001"},
		{"89990000001", "+79990000001"},
		{"79990000001", "+79990000001"},
		{"9990000001", "+79990000001"},
		{"+7 (999) 000-00-01", "+79990000001"},
		{"8-999-000-00-01", "+79990000001"},
		{"8 (999) 000 00 01", "+79990000001"},
		{"+7.999.000.00.01", "+79990000001"},
		{"+7(999)0000001", "+79990000001"},
		{"  +79990000001\t", "+79990000001"},
		{"\u00a0+7\u00a0999\u00a0000\u00a00001", "+79990000001"},
		{"+74951234567", "+74951234567"}, // any ten digits after +7
		{"84951234567", "+74951234567"},
	}
	for _, tt := range valid {
		got, err := NormalizePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	invalid := []string{
		"", "+", "+7", "999000000", "999000000111", "4951234567", // 10 digits not starting with 9
		"+89990000001", "+379990000001", "+7999000000", "+799900000011",
		"69990000001", "899900000012", "8999000000",
		"+7999000000a", "8 999 OOO 00 01", "7+9990000001", "+7+9990000001", "++79990000001",
		"+7 999 000-00-01 доб. 1", "+7_999_000_00_01", "+7/999/0000001", "٨٩٩٩٠٠٠٠٠٠١",
	}
	for _, in := range invalid {
		if got, err := NormalizePhone(in); !errors.Is(err, ErrInvalidPhone) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want ErrInvalidPhone", in, got, err)
		}
	}
}

func TestFormatPhoneESIA(t *testing.T) {
	for in, want := range map[string]string{
		"+79990000001":  "+7(999)0000001",
		"89990000001":   "+7(999)0000001",
		"+74951234567":  "+7(495)1234567",
		"not a phone":   "not a phone",
		"":              "",
		"+7(999)000000": "+7(999)000000",
	} {
		if got := FormatPhoneESIA(in); got != want {
			t.Errorf("FormatPhoneESIA(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	valid := []struct{ in, want string }{
		{"ivanov@example.ru", "ivanov@example.ru"},
		{"  Ivanov.I@Mail.RU ", "ivanov.i@mail.ru"},
		{"a+tag@sub.example.com", "a+tag@sub.example.com"},
		{"o'brien_x-1@example.co.uk", "o'brien_x-1@example.co.uk"},
		{"a@b.c", "a@b.c"},
		{"Иван@Почта.РФ", "иван@почта.рф"},
		{"a@xn--80a1acny.xn--p1ai", "a@xn--80a1acny.xn--p1ai"},
	}
	for _, tt := range valid {
		got, err := NormalizeEmail(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	long := strings.Repeat("a", 250) + "@x.ru"
	invalid := []string{
		"", " ", "ivanov", "ivanov@", "@example.ru", "ivanov@localhost", "ivanov@example.",
		"ivanov@.ru", "Ivan <ivanov@example.ru>", "<ivanov@example.ru>", "ivanov@example.ru (Ivan)",
		`"ivan ov"@example.ru`, "ivanov@[127.0.0.1]", "a@b@example.ru", "ivanov@exa mple.ru",
		"ivan..ov@example.ru", ".ivanov@example.ru", "ivanov@example..ru", "a,b@example.ru",
		"ivanov@example.ru, petrov@example.ru", long, "a@-b.ru", "a@b-.ru",
		"a@" + strings.Repeat("b", 64) + ".ru",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.ru", // 65-byte local
	}
	for _, in := range invalid {
		if got, err := NormalizeEmail(in); !errors.Is(err, ErrInvalidEmail) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want ErrInvalidEmail", in, got, err)
		}
	}
}

func TestSNILSControl(t *testing.T) {
	tests := []struct {
		nine string
		sum  int
		want string
	}{
		{"112233445", 95, "95"},
		{"100427626", 99, "99"},
		{"100356355", 100, "00"}, // sum 100 → 00
		{"100079190", 101, "00"}, // sum 101 → 00
		{"100166299", 102, "01"}, // > 101 → mod 101
		{"100958199", 150, "49"},
		{"106897449", 201, "00"}, // 201 mod 101 = 100 → 00
		{"105978845", 202, "00"}, // 202 mod 101 = 0
		{"389993780", 302, "00"}, // 302 mod 101 = 100 → 00
		{"999999999", 405, "01"},
		{"000000600", 18, "18"},
		{"12345678", 0, ""},
		{"1234567890", 0, ""},
		{"12345678a", 0, ""},
	}
	for _, tt := range tests {
		if got := SNILSControl(tt.nine); got != tt.want {
			t.Errorf("SNILSControl(%q) = %q; want %q (sum %d)", tt.nine, got, tt.want, tt.sum)
		}
	}
}

func TestNormalizeSNILS(t *testing.T) {
	valid := []struct{ in, want string }{
		{"112-233-445 95", "11223344595"},
		{"11223344595", "11223344595"},
		{" 112 233 445 95 ", "11223344595"},
		{"112-233-445-95", "11223344595"},
		{"100-356-355 00", "10035635500"},
		{"100-079-190 00", "10007919000"},
		{"389-993-780 00", "38999378000"},
		{"999-999-999 01", "99999999901"},
		{"000-000-600 01", "00000060001"}, // ESIA test stand: ≤ 001-001-998, not checked
		{"000-000-600 06", "00000060006"},
		{"001-001-998 77", "00100199877"}, // the last unchecked number
		{"001-001-999 65", "00100199965"}, // the first checked one: sum 65
		{"000-000-000 00", "00000000000"},
	}
	for _, tt := range valid {
		got, err := NormalizeSNILS(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeSNILS(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	checksum := []string{
		"112-233-445 96", "100-356-355 100", "100-356-355 01", "100-079-190 01",
		"389-993-780 01", "001-001-999 66", "001-001-999 00", "999-999-999 00",
	}
	for _, in := range checksum {
		_, err := NormalizeSNILS(in)
		if len(in) == 15 { // 12 digits: format error, not checksum
			if !errors.Is(err, ErrInvalidSNILS) || errors.Is(err, ErrSNILSChecksum) {
				t.Errorf("NormalizeSNILS(%q) error = %v; want format error", in, err)
			}
			continue
		}
		if !errors.Is(err, ErrSNILSChecksum) || !errors.Is(err, ErrInvalidSNILS) {
			t.Errorf("NormalizeSNILS(%q) error = %v; want ErrSNILSChecksum and ErrInvalidSNILS", in, err)
		}
	}
	invalid := []string{"", "1122334459", "112233445955", "112-233-445 9a", "112.233.445 95", "+11223344595", "１１２２３３４４５９５"}
	for _, in := range invalid {
		_, err := NormalizeSNILS(in)
		if !errors.Is(err, ErrInvalidSNILS) || errors.Is(err, ErrSNILSChecksum) {
			t.Errorf("NormalizeSNILS(%q) error = %v; want ErrInvalidSNILS only", in, err)
		}
	}
}

func TestFormatSNILS(t *testing.T) {
	for in, want := range map[string]string{
		"11223344595": "112-233-445 95",
		"00000060001": "000-000-600 01",
		"1122334459":  "1122334459",
		"1122334459x": "1122334459x",
	} {
		if got := FormatSNILS(in); got != want {
			t.Errorf("FormatSNILS(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestNormalizeINN(t *testing.T) {
	valid := []struct{ in, want string }{
		{"500100732259", "500100732259"},
		{" 5001 0073 2259 ", "500100732259"},
		{"100041891609", "100041891609"}, // n11 sum mod 11 = 10 → check digit 0
		{"000000000000", "000000000000"},
	}
	for _, tt := range valid {
		got, err := NormalizeINN(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeINN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"500100732258", "500100732269", "100041891619", "100041891600"} {
		_, err := NormalizeINN(in)
		if !errors.Is(err, ErrINNChecksum) || !errors.Is(err, ErrInvalidINN) {
			t.Errorf("NormalizeINN(%q) error = %v; want ErrINNChecksum", in, err)
		}
	}
	for _, in := range []string{"", "7707083893", "50010073225", "5001007322590", "50010073225a", "500-100-732-259"} {
		_, err := NormalizeINN(in)
		if !errors.Is(err, ErrInvalidINN) || errors.Is(err, ErrINNChecksum) {
			t.Errorf("NormalizeINN(%q) error = %v; want ErrInvalidINN only", in, err)
		}
	}
}

func TestNormalizeOrgINN(t *testing.T) {
	for _, in := range []string{"7707083893", "7707 083 893"} {
		if got, err := NormalizeOrgINN(in); err != nil || got != "7707083893" {
			t.Errorf("NormalizeOrgINN(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := NormalizeOrgINN("7707083894"); !errors.Is(err, ErrINNChecksum) {
		t.Errorf("bad check digit: %v", err)
	}
	for _, in := range []string{"", "500100732259", "770708389", "770708389x"} {
		if _, err := NormalizeOrgINN(in); !errors.Is(err, ErrInvalidINN) || errors.Is(err, ErrINNChecksum) {
			t.Errorf("NormalizeOrgINN(%q) error = %v; want ErrInvalidINN only", in, err)
		}
	}
}

func TestINNControl(t *testing.T) {
	for in, want := range map[string]string{
		"5001007322": "59", "1000418916": "09", "0000000000": "00", "500100732": "", "500100732x": "",
	} {
		if got := INNControl(in); got != want {
			t.Errorf("INNControl(%q) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"770708389": "3", "77070838": "", "77070838x": ""} {
		if got := OrgINNControl(in); got != want {
			t.Errorf("OrgINNControl(%q) = %q; want %q", in, got, want)
		}
	}
	// Every generated INN normalises.
	for _, p := range []string{"7700000001", "0101010101", "9999999999", "1234567890"} {
		inn := p + INNControl(p)
		if _, err := NormalizeINN(inn); err != nil {
			t.Errorf("generated %q: %v", inn, err)
		}
	}
}

func TestParsePassport(t *testing.T) {
	valid := []struct{ series, number string }{
		{"4506", "123456"}, {"45 06", "123456"}, {" 45 06 ", " 123 456 "},
	}
	for _, tt := range valid {
		p, err := ParsePassport(tt.series, tt.number)
		if err != nil || p != (Passport{"4506", "123456"}) {
			t.Errorf("ParsePassport(%q, %q) = %+v, %v", tt.series, tt.number, p, err)
		}
		if p.String() != "45 06 123456" {
			t.Errorf("String() = %q", p.String())
		}
	}
	invalid := []struct{ series, number string }{
		{"", "123456"}, {"4506", ""}, {"450", "123456"}, {"45067", "123456"}, {"4506", "12345"},
		{"4506", "1234567"}, {"45-06", "123456"}, {"45O6", "123456"}, {"4506", "12345a"}, {"4506123456", ""},
	}
	for _, tt := range invalid {
		if p, err := ParsePassport(tt.series, tt.number); !errors.Is(err, ErrInvalidPassport) {
			t.Errorf("ParsePassport(%q, %q) = %+v, %v; want ErrInvalidPassport", tt.series, tt.number, p, err)
		}
	}
}

func TestNormalizeUnitCode(t *testing.T) {
	for in, want := range map[string]string{"770-001": "770-001", "770001": "770-001", " 770-001 ": "770-001"} {
		if got, err := NormalizeUnitCode(in); err != nil || got != want {
			t.Errorf("NormalizeUnitCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "77-0001", "7700-01", "77000", "7700011", "770 001", "770-00a", "770--001", "770-0001"} {
		if got, err := NormalizeUnitCode(in); !errors.Is(err, ErrInvalidUnitCode) {
			t.Errorf("NormalizeUnitCode(%q) = %q, %v; want ErrInvalidUnitCode", in, got, err)
		}
	}
}
