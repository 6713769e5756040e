package ident

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	rePhone    = regexp.MustCompile(`^\+7\d{10}$`)
	rePhoneES  = regexp.MustCompile(`^\+7\(\d{3}\)\d{7}$`)
	reSNILS    = regexp.MustCompile(`^\d{11}$`)
	reSNILSFmt = regexp.MustCompile(`^\d{3}-\d{3}-\d{3} \d{2}$`)
	reINN      = regexp.MustCompile(`^\d{12}$`)
	reOrgINN   = regexp.MustCompile(`^\d{10}$`)
	reSeries   = regexp.MustCompile(`^\d{4}$`)
	reNumber   = regexp.MustCompile(`^\d{6}$`)
	reUnitCode = regexp.MustCompile(`^\d{3}-\d{3}$`)
)

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+79990000001", "89990000001", "79990000001", "9990000001",
		"+7 (999) 000-00-01", "8-999-000-00-01", "+89990000001", "7+9990000001", "", "+", "\u00a0+7 999 0000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizePhone(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidPhone) {
				t.Fatalf("error %v does not wrap ErrInvalidPhone", err)
			}
			return
		}
		if !rePhone.MatchString(n) {
			t.Fatalf("NormalizePhone(%q) = %q: not canonical", s, n)
		}
		if again, err := NormalizePhone(n); err != nil || again != n {
			t.Fatalf("re-normalise %q = %q, %v", n, again, err)
		}
		e := FormatPhoneESIA(n)
		if !rePhoneES.MatchString(e) {
			t.Fatalf("FormatPhoneESIA(%q) = %q", n, e)
		}
		if back, err := NormalizePhone(e); err != nil || back != n {
			t.Fatalf("NormalizePhone(FormatPhoneESIA(%q)) = %q, %v", n, back, err)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ivanov@example.ru", " Ivanov@Mail.RU ", "a+b@c.d", "Ivan <i@e.ru>", `"a b"@e.ru`,
		"i@[1.2.3.4]", "a@b", "иван@почта.рф", "İ@e.ru", "", "@", "a@b.c."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeEmail(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidEmail) {
				t.Fatalf("error %v does not wrap ErrInvalidEmail", err)
			}
			return
		}
		local, domain, ok := strings.Cut(n, "@")
		if !ok || local == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
			len(n) > MaxEmailLen || n != strings.ToLower(n) || n != strings.TrimSpace(n) {
			t.Fatalf("NormalizeEmail(%q) = %q: not canonical", s, n)
		}
		if again, err := NormalizeEmail(n); err != nil || again != n {
			t.Fatalf("re-normalise %q = %q, %v", n, again, err)
		}
	})
}

func FuzzNormalizeSNILS(f *testing.F) {
	for _, s := range []string{"112-233-445 95", "11223344595", "112-233-445 96", "000-000-600 01",
		"001-001-998 00", "001-001-999 65", "389-993-780 00", "", "1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeSNILS(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidSNILS) {
				t.Fatalf("error %v does not wrap ErrInvalidSNILS", err)
			}
			return
		}
		if !reSNILS.MatchString(n) {
			t.Fatalf("NormalizeSNILS(%q) = %q: not canonical", s, n)
		}
		if num, _ := strconv.Atoi(n[:9]); num > snilsUncheckedMax && n[9:] != SNILSControl(n[:9]) {
			t.Fatalf("NormalizeSNILS(%q) = %q: checksum not checked", s, n)
		}
		if again, err := NormalizeSNILS(n); err != nil || again != n {
			t.Fatalf("re-normalise %q = %q, %v", n, again, err)
		}
		formatted := FormatSNILS(n)
		if !reSNILSFmt.MatchString(formatted) {
			t.Fatalf("FormatSNILS(%q) = %q", n, formatted)
		}
		if back, err := NormalizeSNILS(formatted); err != nil || back != n {
			t.Fatalf("NormalizeSNILS(FormatSNILS(%q)) = %q, %v", n, back, err)
		}
	})
}

func FuzzNormalizeINN(f *testing.F) {
	for _, s := range []string{"500100732259", "500100732258", "7707083893", "7707083894", "5001 0073 2259", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := NormalizeINN(s); err != nil {
			if !errors.Is(err, ErrInvalidINN) {
				t.Fatalf("error %v does not wrap ErrInvalidINN", err)
			}
		} else {
			if !reINN.MatchString(n) || n[10:] != INNControl(n[:10]) {
				t.Fatalf("NormalizeINN(%q) = %q: not canonical", s, n)
			}
			if again, err := NormalizeINN(n); err != nil || again != n {
				t.Fatalf("re-normalise %q = %q, %v", n, again, err)
			}
		}
		if n, err := NormalizeOrgINN(s); err != nil {
			if !errors.Is(err, ErrInvalidINN) {
				t.Fatalf("error %v does not wrap ErrInvalidINN", err)
			}
		} else {
			if !reOrgINN.MatchString(n) || n[9:] != OrgINNControl(n[:9]) {
				t.Fatalf("NormalizeOrgINN(%q) = %q: not canonical", s, n)
			}
			if again, err := NormalizeOrgINN(n); err != nil || again != n {
				t.Fatalf("re-normalise %q = %q, %v", n, again, err)
			}
		}
	})
}

func FuzzParsePassport(f *testing.F) {
	f.Add("4506", "123456", "770-001")
	f.Add("45 06", " 123 456", "770001")
	f.Add("45-06", "12345", "77-0001")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, series, number, unit string) {
		p, err := ParsePassport(series, number)
		if err != nil {
			if !errors.Is(err, ErrInvalidPassport) {
				t.Fatalf("error %v does not wrap ErrInvalidPassport", err)
			}
		} else {
			if !reSeries.MatchString(p.Series) || !reNumber.MatchString(p.Number) {
				t.Fatalf("ParsePassport(%q, %q) = %+v: not canonical", series, number, p)
			}
			if again, err := ParsePassport(p.Series, p.Number); err != nil || again != p {
				t.Fatalf("re-parse %+v = %+v, %v", p, again, err)
			}
			if again, err := ParsePassport(p.Series[:2]+" "+p.Series[2:], p.Number); err != nil || again != p {
				t.Fatalf("re-parse spaced %+v = %+v, %v", p, again, err)
			}
		}
		u, err := NormalizeUnitCode(unit)
		if err != nil {
			if !errors.Is(err, ErrInvalidUnitCode) {
				t.Fatalf("error %v does not wrap ErrInvalidUnitCode", err)
			}
			return
		}
		if !reUnitCode.MatchString(u) {
			t.Fatalf("NormalizeUnitCode(%q) = %q: not canonical", unit, u)
		}
		if again, err := NormalizeUnitCode(u); err != nil || again != u {
			t.Fatalf("re-normalise %q = %q, %v", u, again, err)
		}
	})
}

func FuzzParseLogin(f *testing.F) {
	for _, s := range []string{"ivanov@example.ru", "+7 (999) 000-00-01", "89990000001", "9990000001",
		"112-233-445 95", "11223344595", "80000000173", "800-000-001 73", "11223344596", "500100732259", "5001 0073 2259", "500100732258", "", "@", "+"} {
		f.Add(s)
	}
	canonical := map[string]*regexp.Regexp{KindPhone: rePhone, KindSNILS: reSNILS, KindINN: reINN}
	f.Fuzz(func(t *testing.T, s string) {
		kind, value, err := ParseLogin(s)
		cands := LoginCandidates(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidLogin) || kind != "" || value != "" {
				t.Fatalf("ParseLogin(%q) = %q, %q, %v", s, kind, value, err)
			}
			if len(cands) != 0 {
				t.Fatalf("ParseLogin failed but LoginCandidates(%q) = %v", s, cands)
			}
			return
		}
		if len(cands) == 0 || cands[0] != (Login{kind, value}) {
			t.Fatalf("ParseLogin(%q) = %q, %q; candidates %v", s, kind, value, cands)
		}
		for _, c := range cands {
			switch c.Kind {
			case KindEmail:
				if e, err := NormalizeEmail(c.Value); err != nil || e != c.Value {
					t.Fatalf("email candidate %q not canonical", c.Value)
				}
			case KindPhone, KindSNILS, KindINN:
				if !canonical[c.Kind].MatchString(c.Value) {
					t.Fatalf("%s candidate %q not canonical", c.Kind, c.Value)
				}
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
			// A stored value typed back in is found among its own candidates.
			if again := LoginCandidates(c.Value); !containsLogin(again, c) {
				t.Fatalf("LoginCandidates(%q) = %v lacks %v", c.Value, again, c)
			}
		}
	})
}

func containsLogin(ls []Login, l Login) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
