package password

import (
	"slices"
	"testing"
	"time"
)

func TestCheckPolicy(t *testing.T) {
	birth := DateForms(time.Date(1990, 2, 1, 0, 0, 0, 0, time.UTC))
	personal := append([]string{"+79990000001", "ivanov@example.ru", "Иванов", "Иван", "Ли"}, birth...)
	V := func(v ...Violation) []Violation { return v }
	tests := []struct {
		name     string
		pw, conf string
		want     []Violation
	}{
		{"good latin", "Qwerty7z", "Qwerty7z", nil},
		{"good cyrillic", "Сосна5Ель", "Сосна5Ель", nil},
		{"good mixed scripts", "Кот7dog!", "Кот7dog!", nil},
		{"exactly 8 runes cyrillic", "Ёжик4Ёжк", "Ёжик4Ёжк", nil},
		{"7 chars", "Qwe7rtz", "Qwe7rtz", V(ViolationTooShort)},
		{"empty", "", "", V(ViolationTooShort, ViolationCharClass)},
		{"no digit", "Qwertzuiop", "Qwertzuiop", V(ViolationCharClass)},
		{"no upper", "qwerty7z", "qwerty7z", V(ViolationCharClass)},
		{"no lower", "QWERTY7Z", "QWERTY7Z", V(ViolationCharClass)},
		{"greek letters do not count", "Ωωωqz7Qx", "Ωωωqz7Qx", V(ViolationSequence)},
		{"greek only", "Ωαβ7δεζη", "Ωαβ7δεζη", V(ViolationCharClass)}, // sequences count only in Latin, Cyrillic and digits
		{"repeat aaa", "Qwaaa7zt", "Qwaaa7zt", V(ViolationSequence)},
		{"repeat case-insensitive", "QwaAa7zt", "QwaAa7zt", V(ViolationSequence)},
		{"repeat digits", "Qwe777zt", "Qwe777zt", V(ViolationSequence)},
		{"repeat symbols", "Qw!!!7zt", "Qw!!!7zt", V(ViolationSequence)},
		{"two repeats ok", "Qwee7zzt", "Qwee7zzt", nil},
		{"abc", "Xabc7qwz", "Xabc7qwz", V(ViolationSequence)},
		{"cba", "Xcba7qwz", "Xcba7qwz", V(ViolationSequence)},
		{"ABC upper", "xABC7qwz", "xABC7qwz", V(ViolationSequence)},
		{"aBc mixed case", "XaBc7qwz", "XaBc7qwz", V(ViolationSequence)},
		{"123", "Qwz123tr", "Qwz123tr", V(ViolationSequence)},
		{"321", "Qwz321tr", "Qwz321tr", V(ViolationSequence)},
		{"789", "Qwz789tr", "Qwz789tr", V(ViolationSequence)},
		{"cyrillic абв", "Qабв7zqt", "Qабв7zqt", V(ViolationSequence)},
		{"cyrillic upper ВБА", "qВБА7zqt", "qВБА7zqt", V(ViolationSequence)},
		{"two ascending ok", "Qab7mzqt", "Qab7mzqt", nil},
		{"1357 ok", "Qwz1357t", "Qwz1357t", nil},
		{"zig-zag ok", "Qaba7zqt", "Qaba7zqt", nil},
		{"digit-colon not sequential", "Qw89:xzt", "Qw89:xzt", nil},
		{"latin z then cyrillic not sequential", "Qwyz{7tk", "Qwyz{7tk", nil},
		{"mismatch", "Qwerty7z", "Qwerty7Z", V(ViolationMismatch)},
		{"empty confirm", "Qwerty7z", "", V(ViolationMismatch)},
		{"surname", "Иванов7Qw", "Иванов7Qw", V(ViolationPersonal)},
		{"surname case-insensitive", "ИВАНОВz7q", "ИВАНОВz7q", V(ViolationPersonal)},
		{"name inside", "Zqиван7Tx", "Zqиван7Tx", V(ViolationPersonal)},
		{"short personal ignored", "Лиqwz7Tx", "Лиqwz7Tx", nil},
		{"phone", "+79990000001Qq", "+79990000001Qq", V(ViolationSequence, ViolationPersonal)},
		{"email", "Ivanov@example.ru7", "Ivanov@example.ru7", V(ViolationPersonal)},
		{"birth year", "Qwz1990t", "Qwz1990t", V(ViolationPersonal)},
		{"birth date dotted", "Q01.02.1990z", "Q01.02.1990z", V(ViolationPersonal)},
		{"birth date compact", "Qz19900201", "Qz19900201", V(ViolationPersonal)},
		{"everything", "aaa", "b", V(ViolationTooShort, ViolationCharClass, ViolationSequence, ViolationMismatch)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckPolicy(tt.pw, tt.conf, personal...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("CheckPolicy(%q, %q) = %v; want %v", tt.pw, tt.conf, got, tt.want)
			}
		})
	}
}

func TestCheckPolicyNoPersonal(t *testing.T) {
	if got := CheckPolicy("Qwerty7z", "Qwerty7z"); got != nil {
		t.Fatalf("got %v", got)
	}
	if got := CheckPolicy("Qwerty7z", "Qwerty7z", "", "  ", "ab"); got != nil {
		t.Fatalf("blank and short personal strings: got %v", got)
	}
}

func TestViolationMessages(t *testing.T) {
	want := map[Violation]string{
		ViolationTooShort:  "Пароль должен содержать не менее 8 символов",
		ViolationCharClass: "Пароль должен содержать заглавные и строчные буквы и цифры",
		ViolationSequence:  "Пароль не должен содержать повторяющиеся или последовательные символы",
		ViolationPersonal:  "Пароль не должен содержать личные данные",
		ViolationMismatch:  "Пароли не совпадают",
	}
	for v, ru := range want {
		if v.Message() != ru {
			t.Errorf("%s.Message() = %q", v, v.Message())
		}
		if en := v.MessageEN(); en == "" || en == Violation("x").MessageEN() {
			t.Errorf("%s.MessageEN() = %q", v, en)
		}
	}
	if Violation("unknown").Message() == "" {
		t.Error("unknown violation has no message")
	}
}

func TestDateForms(t *testing.T) {
	got := DateForms(time.Date(1990, 2, 1, 0, 0, 0, 0, time.UTC))
	want := []string{"1990", "01.02.1990", "01021990", "19900201", "1990-02-01", "010290"}
	if !slices.Equal(got, want) {
		t.Fatalf("DateForms = %v; want %v", got, want)
	}
}
