package personagen_test

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
	"github.com/esia-emulator/esia-emulator/verification/proofing/personagen"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
)

func TestDeterminism(t *testing.T) {
	opts := []personagen.Options{{}, {Gender: "F", Level: "confirmed"}, {Region: "16"}, {Level: "simplified"}}
	gen := func(seed int64) []personagen.Persona {
		g := personagen.New(seed)
		var out []personagen.Persona
		for i := range 400 {
			out = append(out, g.Person(opts[i%len(opts)]))
		}
		return out
	}
	a, b := gen(42), gen(42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different people")
	}
	c := gen(43)
	same := 0
	for i := range a {
		if a[i].LastName == c[i].LastName && a[i].Phone == c[i].Phone {
			same++
		}
	}
	if same > 5 {
		t.Errorf("seeds 42 and 43 gave %d identical people", same)
	}
	if a[0].Key != "gen-0001" || a[399].Key != "gen-0400" {
		t.Errorf("keys %s … %s", a[0].Key, a[399].Key)
	}
	g := personagen.New(1)
	g.KeyPrefix = "load"
	if k := g.Person(personagen.Options{}).Key; k != "load-0001" {
		t.Errorf("prefixed key %s", k)
	}
}

var (
	reOID      = regexp.MustCompile(`^2\d{9}$`)
	reLocal    = regexp.MustCompile(`^[a-z0-9]+([._][a-z0-9]+)*$`)
	reFemale   = regexp.MustCompile(`(ова|ева|ёва|ина|ына|ская|цкая|ая|ко|ых|их|ук)$`)
	reMalePat  = regexp.MustCompile(`(вич|ьич|ич)$`)
	reFemPat   = regexp.MustCompile(`(вна|ична)$`)
	reCyrWords = regexp.MustCompile(`^[А-ЯЁ][а-яё]+$`)
)

// regionOf returns the subject code of a generated persona's address region.
func regionCodes() map[string]string {
	return map[string]string{
		"г. Москва": "77", "г. Санкт-Петербург": "78", "Московская обл.": "50", "Ленинградская обл.": "47",
		"Республика Татарстан": "16", "Республика Башкортостан": "02", "Новосибирская обл.": "54",
		"Свердловская обл.": "66", "Краснодарский край": "23", "Нижегородская обл.": "52", "Самарская обл.": "63",
		"Ярославская обл.": "76", "Ростовская обл.": "61", "Тверская обл.": "69", "Воронежская обл.": "36",
		"Приморский край": "25", "Калининградская обл.": "39",
	}
}

var okato = map[string]string{"77": "45", "78": "40", "50": "46", "47": "41", "16": "92", "02": "80", "54": "50", "66": "65",
	"23": "03", "52": "22", "63": "36", "76": "78", "61": "60", "69": "28", "36": "20", "25": "05", "39": "27"}

// renamings are the cities whose Soviet name a birth place must use.
var renamings = []struct {
	old, now string
	from, to int
}{
	{"Ленинград", "Санкт-Петербург", 0, 1991}, {"Свердловск", "Екатеринбург", 0, 1991}, {"Горький", "Нижний Новгород", 0, 1990},
	{"Куйбышев", "Самара", 0, 1991}, {"Калинин", "Тверь", 0, 1990}, {"Брежнев", "Набережные Челны", 1982, 1988},
	{"Ставрополь", "Тольятти", 0, 1964},
}

func TestThousandPeopleAreValid(t *testing.T) {
	g := personagen.New(2026)
	levels := []string{"standard", "confirmed", "simplified", ""}
	seen := map[string]string{}
	unique := func(kind, v, key string) {
		if v == "" {
			return
		}
		if other, ok := seen[kind+v]; ok {
			t.Errorf("%s %s of %s repeats %s", kind, v, key, other)
		}
		seen[kind+v] = key
	}
	regionsSeen, gendersSeen, issuers := map[string]int{}, map[string]int{}, map[string]int{}
	asOf := personagen.DefaultAsOf
	for i := range 1000 {
		p := g.Person(personagen.Options{Level: levels[i%len(levels)]})
		bad := func(format string, a ...any) {
			t.Errorf("%s %s %s: "+format, append([]any{p.Key, p.LastName, p.FirstName}, a...)...)
		}
		for _, kind := range []struct{ k, v string }{{"oid", p.OID}, {"phone", p.Phone}, {"email", p.Email}, {"snils", p.SNILS}, {"inn", p.INN}} {
			unique(kind.k, kind.v, p.Key)
		}
		if !reOID.MatchString(p.OID) || p.Status != "active" {
			bad("oid %q status %q", p.OID, p.Status)
		}
		wantLevel := levels[i%len(levels)]
		if wantLevel == "" {
			wantLevel = "standard"
		}
		if p.Level != wantLevel {
			bad("level %q; want %q", p.Level, wantLevel)
		}
		gendersSeen[p.Gender]++
		// Names by gender.
		for _, n := range []string{p.LastName, p.FirstName, p.MiddleName} {
			if !reCyrWords.MatchString(n) {
				bad("name part %q", n)
			}
		}
		switch p.Gender {
		case "F":
			if !reFemale.MatchString(p.LastName) || !reFemPat.MatchString(p.MiddleName) {
				bad("woman's surname/patronymic %q %q", p.LastName, p.MiddleName)
			}
		case "M":
			if reFemale.MatchString(p.LastName) && !strings.HasSuffix(p.LastName, "ко") && !strings.HasSuffix(p.LastName, "ых") &&
				!strings.HasSuffix(p.LastName, "их") && !strings.HasSuffix(p.LastName, "ук") || !reMalePat.MatchString(p.MiddleName) {
				bad("man's surname/patronymic %q %q", p.LastName, p.MiddleName)
			}
		default:
			bad("gender %q", p.Gender)
		}
		// Dates.
		birth, err := time.Parse(time.DateOnly, p.BirthDate)
		if err != nil || birth.Year() < 1950 || birth.AddDate(14, 0, 0).After(asOf) {
			bad("birth date %q", p.BirthDate)
		}
		if !strings.HasPrefix(p.BirthPlace, "г. ") {
			bad("birth place %q", p.BirthPlace)
		}
		for _, rn := range renamings {
			y := birth.Year()
			oldTime := y >= rn.from && y < rn.to
			if p.BirthPlace == "г. "+rn.old && !oldTime || p.BirthPlace == "г. "+rn.now && oldTime {
				bad("born in %d in %s", y, p.BirthPlace)
			}
		}
		// Contacts.
		if n, err := ident.NormalizePhone(p.Phone); err != nil || n != p.Phone || !strings.HasPrefix(p.Phone, "+79") || strings.HasPrefix(p.Phone, "+7999") {
			bad("phone %q: %v", p.Phone, err)
		}
		e, err := ident.NormalizeEmail(p.Email)
		local, domain, _ := strings.Cut(p.Email, "@")
		if err != nil || e != p.Email || (domain != "example.ru" && domain != "example.com") || !reLocal.MatchString(local) ||
			!strings.ContainsAny(local, "0123456789") {
			bad("email %q: %v", p.Email, err)
		}
		if p.Level == "simplified" {
			if p.SNILS != "" || p.INN != "" || p.Passport != nil || p.Address != "" {
				bad("a simplified persona with documents: %+v", p)
			}
			continue
		}
		// SNILS: checked numbers only.
		sn, err := ident.NormalizeSNILS(p.SNILS)
		if err != nil || ident.FormatSNILS(sn) != p.SNILS {
			bad("SNILS %q: %v", p.SNILS, err)
		} else if n, _ := strconv.Atoi(sn[:9]); n <= 1001998 || sn[9:] != ident.SNILSControl(sn[:9]) {
			bad("SNILS %q not above 001-001-998 or wrong control", p.SNILS)
		}
		// Address and region.
		a := p.AddressParts
		code, ok := regionCodes()[a.Region]
		regionsSeen[code]++
		if !ok || a.Type != "PRG" || a.Country != "RU" || a.AddressStr != p.Address || len(a.ZipCode) != 6 ||
			!strings.HasPrefix(p.Address, a.ZipCode+", ") || !strings.Contains(p.Address, "г. "+a.City+", "+a.Street+", д. "+a.House) {
			bad("address %+v", a)
		}
		// INN from the region's tax office.
		if p.INN != "" {
			if n, err := ident.NormalizeINN(p.INN); err != nil || n != p.INN || p.INN[:2] != code {
				bad("INN %q (region %s): %v", p.INN, code, err)
			}
		} else if p.Level == "confirmed" {
			bad("confirmed persona without INN")
		}
		// Passport consistent with the region and the dates.
		pp := p.Passport
		if pp == nil {
			bad("no passport")
			continue
		}
		parsed, err := ident.ParsePassport(pp.Series, pp.Number)
		if err != nil || parsed.Series != pp.Series || parsed.Number != pp.Number {
			bad("passport %+v: %v", pp, err)
		}
		unique("passport", pp.Series+pp.Number, p.Key)
		if pp.Series[:2] != okato[code] {
			bad("series %s in region %s (OKATO %s)", pp.Series, code, okato[code])
		}
		issue, err := time.Parse(time.DateOnly, pp.IssueDate)
		if err != nil || issue.Before(birth.AddDate(14, 0, 0)) || issue.After(asOf) || issue.Before(time.Date(1997, 10, 1, 0, 0, 0, 0, time.UTC)) {
			bad("issue date %q (born %s)", pp.IssueDate, p.BirthDate)
		}
		if yy, _ := strconv.Atoi(pp.Series[2:]); yy != issue.Year()%100 && yy != (issue.Year()-1)%100 {
			bad("series year %s for issue %s", pp.Series[2:], pp.IssueDate)
		}
		if u, err := ident.NormalizeUnitCode(pp.UnitCode); err != nil || u != pp.UnitCode || pp.UnitCode[:2] != code {
			bad("unit code %q (region %s): %v", pp.UnitCode, code, err)
		}
		switch {
		case issue.Before(time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)):
			issuers["militia"]++
			if strings.Contains(pp.IssuedBy, "ФМС") || strings.Contains(pp.IssuedBy, "МВД") {
				bad("%s issued by %q", pp.IssueDate, pp.IssuedBy)
			}
		case issue.Before(time.Date(2016, 4, 5, 0, 0, 0, 0, time.UTC)):
			issuers["fms"]++
			if !strings.Contains(pp.IssuedBy, "ФМС") {
				bad("%s issued by %q", pp.IssueDate, pp.IssuedBy)
			}
		default:
			issuers["mvd"]++
			if !strings.Contains(pp.IssuedBy, "МВД") {
				bad("%s issued by %q", pp.IssueDate, pp.IssuedBy)
			}
		}
		// The emulated registries verify every generated document by their default rules.
		for kind, d := range map[registry.CheckKind]registry.CheckData{
			registry.CheckSNILS:    {SNILS: p.SNILS},
			registry.CheckPassport: {Series: pp.Series, Number: pp.Number, UnitCode: pp.UnitCode},
			registry.CheckINN:      {INN: p.INN},
		} {
			if kind == registry.CheckINN && p.INN == "" {
				continue
			}
			if st, reason := registry.Outcome(registry.Fixtures{}, kind, d); st != storage.VerifyVerified {
				bad("registry %s: %s %s", kind, st, reason)
			}
		}
	}
	if gendersSeen["M"] < 400 || gendersSeen["F"] < 400 {
		t.Errorf("genders %v", gendersSeen)
	}
	if len(regionsSeen) < 15 {
		t.Errorf("only %d regions: %v", len(regionsSeen), regionsSeen)
	}
	if issuers["militia"] == 0 || issuers["fms"] == 0 || issuers["mvd"] == 0 {
		t.Errorf("issuer eras %v", issuers)
	}
}

func TestOptions(t *testing.T) {
	g := personagen.New(7)
	for range 200 {
		p := g.Person(personagen.Options{Gender: "F", Region: "Республика Татарстан", BirthYearFrom: 1990, BirthYearTo: 1991, Level: "confirmed"})
		if p.Gender != "F" || p.AddressParts.Region != "Республика Татарстан" || !strings.HasPrefix(p.BirthDate, "199") ||
			p.BirthDate[:4] != "1990" && p.BirthDate[:4] != "1991" || p.Level != "confirmed" || p.INN == "" || p.Passport.UnitCode[:3] != "160" {
			t.Fatalf("options not honoured: %+v", p)
		}
	}
	// A young person: 14 at AsOf, a first passport.
	asOf := time.Date(2020, 6, 1, 12, 0, 0, 0, time.UTC)
	for range 100 {
		p := g.Person(personagen.Options{BirthYearFrom: 2006, BirthYearTo: 2006, AsOf: asOf, Region: "77"})
		birth, _ := time.Parse(time.DateOnly, p.BirthDate)
		issue, _ := time.Parse(time.DateOnly, p.Passport.IssueDate)
		if birth.Year() != 2006 || issue.Before(birth.AddDate(14, 0, 0)) || issue.After(asOf) || p.Passport.Series[:2] != "45" {
			t.Fatalf("teenager %s, passport %+v", p.BirthDate, p.Passport)
		}
	}
	// Invalid options fall back instead of failing.
	p := g.Person(personagen.Options{Gender: "X", Level: "gold", Region: "Atlantis", BirthYearFrom: 3000, BirthYearTo: 1})
	if (p.Gender != "M" && p.Gender != "F") || p.Level != "standard" || p.AddressParts.Region == "" {
		t.Errorf("fallbacks: %+v", p)
	}
	for _, o := range []personagen.Options{{}, {Gender: "M", Level: "simplified", Region: "16", BirthYearFrom: 1950, BirthYearTo: 2000}} {
		if err := o.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", o, err)
		}
	}
	for _, o := range []personagen.Options{{Gender: "X"}, {Level: "gold"}, {Region: "99"}, {BirthYearFrom: 1900},
		{BirthYearTo: 2020}, {BirthYearFrom: 2000, BirthYearTo: 1990}} {
		if err := o.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted", o)
		}
	}
	if codes := personagen.RegionCodes(); len(codes) != len(okato) {
		t.Errorf("RegionCodes %v", codes)
	}
}

func TestFeminineSurname(t *testing.T) {
	for m, f := range map[string]string{
		"Иванов": "Иванова", "Васильев": "Васильева", "Королёв": "Королёва", "Ильин": "Ильина", "Птицын": "Птицына",
		"Покровский": "Покровская", "Троицкий": "Троицкая", "Трубецкой": "Трубецкая", "Толстой": "Толстая",
		"Заречный": "Заречная", "Шевченко": "Шевченко", "Черных": "Черных", "Ковальчук": "Ковальчук",
		"Хабибуллин": "Хабибуллина",
	} {
		if got := personagen.FeminineSurname(m); got != f {
			t.Errorf("FeminineSurname(%s) = %s; want %s", m, got, f)
		}
	}
}

func TestTranslit(t *testing.T) {
	for in, want := range map[string]string{
		"Иванова": "ivanova", "Щербаков": "shcherbakov", "Юлия": "yuliya", "Наталья": "natalya", "Фёдоров": "fedorov",
		"Хайруллин": "khayrullin", "Цветков": "tsvetkov", "Объедков": "obedkov", "Эльвира": "elvira", "Ann-1": "ann1",
	} {
		if got := personagen.Translit(in); got != want {
			t.Errorf("Translit(%s) = %s; want %s", in, got, want)
		}
	}
}

// Generated personas paste into a configuration file and validate there.
func TestPersonasAreConfig(t *testing.T) {
	g := personagen.New(5)
	var ps []personagen.Persona
	for _, l := range []string{"simplified", "standard", "confirmed"} {
		ps = append(ps, g.People(10, personagen.Options{Level: l})...)
	}
	b, err := yaml.Marshal(map[string]any{"builtin_personas": false, "personas": ps})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "address_parts") || strings.Contains(string(b), "zip_code") {
		t.Error("AddressParts leaked into YAML")
	}
	c, err := config.Parse(b)
	if err != nil {
		t.Fatalf("config.Parse: %v\n%s", err, b)
	}
	if len(c.Personas) != len(ps) {
		t.Fatalf("%d personas", len(c.Personas))
	}
	for i, cp := range c.Personas {
		p := ps[i]
		if cp.Key != p.Key || cp.OID != p.OID || cp.Level != p.Level || cp.SNILS != p.SNILS || cp.Email != p.Email || cp.Address != p.Address {
			t.Errorf("round trip %d: %+v vs %+v", i, cp, p)
		}
		if (p.Passport == nil) != (cp.Passport == nil) || p.Passport != nil && *cp.Passport != config.Passport(*p.Passport) {
			t.Errorf("passport %d: %+v vs %+v", i, cp.Passport, p.Passport)
		}
	}
}

func ExampleGenerator_Person() {
	g := personagen.New(42)
	p := g.Person(personagen.Options{Gender: "F", Region: "16", Level: "confirmed"})
	fmt.Println(p.LastName != "", p.Passport.Series[:2], p.Passport.UnitCode[:3], p.INN[:2], p.AddressParts.Region)
	// Output: true 92 160 16 Республика Татарстан
}

// Whatever the options, Person makes a valid person.
func FuzzPerson(f *testing.F) {
	f.Add(int64(1), "", "", "", 0, 0, int64(0))
	f.Add(int64(2), "F", "confirmed", "16", 1990, 1991, time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC).Unix())
	f.Add(int64(3), "X", "gold", "Atlantis", 3000, 1, int64(-1e12))
	f.Add(int64(4), "M", "simplified", "г. москва", 2100, 2150, int64(1e11))
	f.Fuzz(func(t *testing.T, seed int64, gender, level, region string, from, to int, asOf int64) {
		o := personagen.Options{Gender: gender, Level: level, Region: region, BirthYearFrom: from, BirthYearTo: to}
		if asOf != 0 {
			o.AsOf = time.Unix(asOf%(1<<40), 0)
		}
		p := personagen.New(seed).Person(o)
		if _, err := ident.NormalizePhone(p.Phone); err != nil {
			t.Fatal(err)
		}
		if _, err := ident.NormalizeEmail(p.Email); err != nil {
			t.Fatal(err)
		}
		birth, err := time.Parse(time.DateOnly, p.BirthDate)
		if err != nil {
			t.Fatal(err)
		}
		if p.Level == "simplified" {
			return
		}
		if _, err := ident.NormalizeSNILS(p.SNILS); err != nil {
			t.Fatal(err)
		}
		if _, err := ident.ParsePassport(p.Passport.Series, p.Passport.Number); err != nil {
			t.Fatal(err)
		}
		issue, err := time.Parse(time.DateOnly, p.Passport.IssueDate)
		if err != nil || issue.Before(birth.AddDate(14, 0, 0)) {
			t.Fatalf("born %s, passport issued %s", p.BirthDate, p.Passport.IssueDate)
		}
		if o.Validate() == nil && !o.AsOf.IsZero() && issue.After(o.AsOf) {
			t.Fatalf("issued %s after %s", p.Passport.IssueDate, o.AsOf)
		}
	})
}
