package consent

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// expectedScopes is esia-protocol.md §6 plus the standard OpenID Connect scopes.
var expectedScopes = map[Kind][]string{
	KindAccess: {"openid", "offline_access"},
	KindOIDC:   {"profile", "phone", "address"},
	KindPerson: {"fullname", "birthdate", "gender", "birthplace", "snils", "inn", "citizenship",
		"usr_org", "usr_avt", "self_employed", "vehicles"},
	KindContact: {"email", "mobile", "contacts", "addresses"},
	KindDocument: {"id_doc", "foreign_passport_doc", "drivers_licence_doc", "military_doc", "medical_doc",
		"birth_cert_doc", "residence_doc", "temporary_residence_doc"},
	KindKid: {"kid_fullname", "kid_birthdate", "kid_gender", "kid_snils", "kid_inn", "kid_birth_cert_doc",
		"kid_medical_doc", "kid_mobile", "kid_email", "kid_school_data"},
	KindProfile: {"history_passport_doc", "vehicle_reg_cert_doc", "change_fullname_cert_doc", "marriage_cert_doc",
		"divorce_cert_doc", "death_cert_doc", "paternity_cert_doc", "ils_doc", "ndfl_person", "electronic_workbook",
		"pre_retirement_age", "payments_egisso", "payout_income", "pension_reference", "family_assets_balance",
		"legalcapacity", "social_support_info", "bank_account", "reg_realestate", "educational_doc", "ege_result",
		"osago_policy", "remd_medical_doc", "student_ticket"},
	KindOrg: {"org_emps", "org_shortname", "org_fullname", "org_inn", "org_ogrn", "org_kpp", "org_type", "org_leg",
		"org_oktmo", "org_ctts", "org_addrs", "org_vhls", "org_grps", "org_brhs", "org_inf"},
}

func TestCatalogCompleteness(t *testing.T) {
	for kind, names := range expectedScopes {
		for _, n := range names {
			sc, ok := Lookup(n)
			if !ok {
				t.Errorf("scope %q (%s) missing from the catalog", n, kind)
				continue
			}
			if sc.Kind != kind {
				t.Errorf("scope %q: kind %q, want %q", n, sc.Kind, kind)
			}
		}
	}
	// Every ESIA scope of §6 is marked ESIA; the OIDC ones are marked OIDC.
	for _, n := range []string{"openid", "profile", "email", "phone", "address", "offline_access"} {
		if sc, _ := Lookup(n); !sc.OIDC {
			t.Errorf("%s: OIDC flag not set", n)
		}
	}
	for _, n := range slices.Concat(expectedScopes[KindPerson], expectedScopes[KindDocument], expectedScopes[KindKid],
		expectedScopes[KindProfile], expectedScopes[KindOrg], []string{"openid", "email", "mobile", "contacts", "addresses"}) {
		if sc, _ := Lookup(n); !sc.ESIA {
			t.Errorf("%s: ESIA flag not set", n)
		}
	}
}

func hasCyrillic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
}

func TestCatalogEntries(t *testing.T) {
	supported := SupportedClaims()
	all := All()
	if len(all) < 80 {
		t.Fatalf("catalog has %d scopes", len(all))
	}
	for _, sc := range all {
		if sc.RU == "" || !hasCyrillic(sc.RU) {
			t.Errorf("%s: Russian text %q", sc.Name, sc.RU)
		}
		if sc.EN == "" || hasCyrillic(sc.EN) {
			t.Errorf("%s: English text %q", sc.Name, sc.EN)
		}
		noClaims := sc.Name == OpenID || sc.Name == OfflineAccess
		if noClaims != (len(sc.Claims) == 0) {
			t.Errorf("%s: claims %v", sc.Name, sc.Claims)
		}
		for _, c := range sc.Claims {
			if _, ok := slices.BinarySearch(supported, c); !ok {
				t.Errorf("%s: claim %q not in SupportedClaims", sc.Name, c)
			}
			if slices.Contains(ProtocolClaims, c) {
				t.Errorf("%s: releases protocol claim %q", sc.Name, c)
			}
		}
		if (sc.Kind == KindKid) != (len(sc.Fields) > 0) {
			t.Errorf("%s: fields %v", sc.Name, sc.Fields)
		}
		if sc.Offline != (sc.Name == OfflineAccess) {
			t.Errorf("%s: offline %v", sc.Name, sc.Offline)
		}
		if (sc.Kind == KindDocument || sc.Kind == KindKid || sc.Kind == KindProfile) && !sc.Sensitive {
			t.Errorf("%s: not marked sensitive", sc.Name)
		}
		if sc.Text("en-US") != sc.EN || sc.Text("ru") != sc.RU || sc.Text("") != sc.RU {
			t.Errorf("%s: Text by language", sc.Name)
		}
	}
	for _, n := range []string{"snils", "inn"} {
		if sc, _ := Lookup(n); !sc.Sensitive {
			t.Errorf("%s not sensitive", n)
		}
	}
	if sc, _ := Lookup("fullname"); sc.RU != "Фамилия, имя и отчество" {
		t.Errorf("fullname RU = %q", sc.RU)
	}
}

func TestAllReturnsCopies(t *testing.T) {
	a := All()
	a[2].Claims[0] = "mutated"
	sc, _ := Lookup(a[2].Name)
	if sc.Claims[0] == "mutated" {
		t.Fatal("All aliases the catalog")
	}
	sc.Claims[0] = "mutated"
	if again, _ := Lookup(sc.Name); again.Claims[0] == "mutated" {
		t.Fatal("Lookup aliases the catalog")
	}
}

func TestLookupWireForms(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = not found
	}{
		{"fullname", "fullname"},
		{"fullname?oid=1000404446", "fullname"},
		{"fullname?oid=", ""},
		{"fullname?oid=12a", ""},
		{"http://esia.gosuslugi.ru/org_emps?org_oid=1000298922", "org_emps"},
		{"https://esia-portal1.test.gosuslugi.ru/org_fullname?org_oid=1", "org_fullname"},
		{"http://esia.gosuslugi.ru/org_emps", ""},                     // no org_oid
		{"http://esia.gosuslugi.ru/org_emps?org_oid=abc", ""},         // not digits
		{"http://esia.gosuslugi.ru/org_emps?org_oid=1&x=2", ""},       // extra parameter
		{"http://esia.gosuslugi.ru/org_emps?org_oid=1&org_oid=2", ""}, // repeated
		{"http://esia.gosuslugi.ru/fullname?org_oid=1", ""},           // not an org scope
		{"http://esia.gosuslugi.ru/usr_inf", ""},                      // old MR form: unknown
		{"ftp://esia.gosuslugi.ru/org_emps?org_oid=1", ""},            // scheme
		{"http://esia.gosuslugi.ru/org_emps?org_oid=1#frag", ""},      // fragment
		{"org_emps", "org_emps"},                                      // bare
		{"nonsense", ""},
		{"", ""},
	}
	for _, tt := range tests {
		sc, ok := Lookup(tt.in)
		if got := map[bool]string{true: sc.Name, false: ""}[ok]; got != tt.want {
			t.Errorf("Lookup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if o, ok := ParseOrgScope("http://esia.gosuslugi.ru/org_emps?org_oid=1000298922"); !ok || o != (OrgScope{"org_emps", "1000298922"}) {
		t.Errorf("ParseOrgScope = %+v %v", o, ok)
	}
}

func TestValidate(t *testing.T) {
	const orgA = "http://esia.gosuslugi.ru/org_emps?org_oid=1"
	const orgB = "http://esia.gosuslugi.ru/org_emps?org_oid=2"
	tests := []struct {
		name      string
		requested []string
		allowed   []string
		want      []string
		err       error
		bad       []string
	}{
		{"all allowed when no list", []string{"openid", "fullname", "snils"}, nil, []string{"openid", "fullname", "snils"}, nil, nil},
		{"blanks and duplicates", []string{" openid ", "", "fullname", "fullname"}, nil, []string{"openid", "fullname"}, nil, nil},
		{"oid echo stripped", []string{"openid", "fullname?oid=7", "fullname"}, nil, []string{"openid", "fullname"}, nil, nil},
		{"unknown", []string{"openid", "fullnam", "x"}, nil, nil, ErrUnknownScope, []string{"fullnam", "x"}},
		{"not allowed", []string{"openid", "fullname", "snils", "inn"}, []string{"fullname"}, nil, ErrScopeNotAllowed, []string{"snils", "inn"}},
		{"openid always allowed", []string{"openid", "fullname"}, []string{"fullname"}, []string{"openid", "fullname"}, nil, nil},
		{"unknown reported before not allowed", []string{"snils", "bogus"}, []string{"fullname"}, nil, ErrUnknownScope, []string{"bogus"}},
		{"bare org allows any organisation", []string{"openid", orgA, orgB}, []string{"org_emps"}, []string{"openid", orgA, orgB}, nil, nil},
		{"org URL allows only that organisation", []string{orgA, orgB}, []string{orgA}, nil, ErrScopeNotAllowed, []string{orgB}},
		{"org URL not allowed by another org scope", []string{orgA}, []string{"org_fullname"}, nil, ErrScopeNotAllowed, []string{orgA}},
		{"malformed org URL is unknown", []string{"http://esia.gosuslugi.ru/org_emps"}, nil, nil, ErrUnknownScope, []string{"http://esia.gosuslugi.ru/org_emps"}},
		{"empty request", nil, []string{"fullname"}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Validate(tt.requested, tt.allowed)
			if tt.err == nil {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("Validate = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			var se *ScopeError
			if !errors.As(err, &se) || !slices.Equal(se.Scopes, tt.bad) {
				t.Fatalf("scope error %#v, want scopes %q", err, tt.bad)
			}
			if got != nil {
				t.Fatalf("scopes returned with an error: %q", got)
			}
			for _, b := range tt.bad {
				if !strings.Contains(err.Error(), b) {
					t.Errorf("message %q does not name %q", err, b)
				}
			}
		})
	}
}

func TestEchoOIDAndText(t *testing.T) {
	const org = "http://esia.gosuslugi.ru/org_emps?org_oid=9"
	got := EchoOID([]string{"openid", "fullname", "snils", "profile", org, "fullname?oid=5", "x"}, "42")
	want := []string{"openid", "fullname?oid=42", "snils?oid=42", "profile", org, "fullname?oid=5", "x"}
	if !slices.Equal(got, want) {
		t.Errorf("EchoOID = %q, want %q", got, want)
	}
	if Base("fullname?oid=42") != "fullname" || Base(org) != "org_emps" || Base("x?oid=1") != "x" {
		t.Error("Base")
	}
	if s := Text(org, "ru"); s != "Список сотрудников организации (организация 9)" {
		t.Errorf("Text ru = %q", s)
	}
	if s := Text(org, "en"); s != "Organisation's employees (organisation 9)" {
		t.Errorf("Text en = %q", s)
	}
	if s := Text("snils?oid=1", "ru"); !strings.HasPrefix(s, "СНИЛС") {
		t.Errorf("Text snils = %q", s)
	}
	if s := Text("bogus", "ru"); s != "bogus" {
		t.Errorf("Text unknown = %q", s)
	}
}

func TestScopesFor(t *testing.T) {
	tests := []struct {
		claims []string
		want   []string
	}{
		{[]string{"family_name"}, []string{"fullname"}},
		{[]string{"email"}, []string{"email"}},
		{[]string{"phone_number"}, []string{"phone"}},
		{[]string{"address"}, []string{"address"}},
		{[]string{"snils", "birthdate", "sub", "nonsense"}, []string{"birthdate", "snils"}},
		{[]string{"kids"}, []string{"kid_fullname"}},
		{[]string{"locale"}, []string{"profile"}},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := ScopesFor(tt.claims); !slices.Equal(got, tt.want) {
			t.Errorf("ScopesFor(%q) = %q, want %q", tt.claims, got, tt.want)
		}
	}
}

func TestKidFieldsAndDocTypes(t *testing.T) {
	f := KidFields([]string{"openid", "kid_fullname", "kid_snils", "snils"})
	for _, k := range []string{"oid", "family_name", "given_name", "middle_name", "snils"} {
		if !f[k] {
			t.Errorf("KidFields missing %s: %v", k, f)
		}
	}
	if f["birthdate"] || len(KidFields([]string{"fullname"})) != 0 {
		t.Errorf("KidFields too wide: %v", f)
	}
	d := DocTypes([]string{"id_doc", "medical_doc?oid=1"})
	if !d["RF_PASSPORT"] || !d["FID_DOC"] || !d["MDCL_PLCY"] || d["FRGN_PASS"] {
		t.Errorf("DocTypes = %v", d)
	}
}
