package methods

import "testing"

func TestIDTypeFits(t *testing.T) {
	for _, tc := range []struct {
		idType, login string
		want          bool
	}{
		{"", "anything", true},
		{"snils", "00000060001", true},
		{"snils", "000-000-600 01", true},
		{"snils", "+79990000002", true}, // 11 digits: the lookup decides
		{"snils", "a@b.ru", false},
		{"phone", "+79990000002", true},
		{"phone", "9990000002", true},
		{"phone", "123", false},
		{"email", "a@b.ru", true},
		{"email", "+79990000002", false},
		{"EMAIL", "a@b.ru", true},
		{"inn", "500100732259", false},
	} {
		if got := idTypeFits(tc.idType, tc.login); got != tc.want {
			t.Errorf("idTypeFits(%q, %q) = %v, want %v", tc.idType, tc.login, got, tc.want)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin string
		want   bool
	}{
		{"http://127.0.0.1:8080", true},
		{"HTTP://127.0.0.1:8080", true},
		{"http://127.0.0.1:8081", false},
		{"https://127.0.0.1:8080", false},
		{"null", false},
	} {
		if got := sameOrigin(tc.origin, "http://127.0.0.1:8080"); got != tc.want {
			t.Errorf("sameOrigin(%q) = %v, want %v", tc.origin, got, tc.want)
		}
	}
}
