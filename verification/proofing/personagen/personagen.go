package personagen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// Persona is a generated citizen. Its fields and their yaml/json names are those of
// config.Persona (and Passport those of config.Passport), so a generated persona
// converts field by field and its YAML pastes into a configuration file. AddressParts is
// extra: the registration address split as storage.Address holds it; it is left out of
// YAML and JSON.
type Persona struct {
	Key          string    `yaml:"key" json:"key,omitempty"`
	OID          string    `yaml:"oid" json:"oid,omitempty"`
	Password     string    `yaml:"password,omitempty" json:"password,omitempty"`
	Level        string    `yaml:"level" json:"level,omitempty"`
	Status       string    `yaml:"status" json:"status,omitempty"`
	Reason       string    `yaml:"status_reason,omitempty" json:"status_reason,omitempty"`
	LastName     string    `yaml:"last_name" json:"last_name,omitempty"`
	FirstName    string    `yaml:"first_name" json:"first_name,omitempty"`
	MiddleName   string    `yaml:"middle_name,omitempty" json:"middle_name,omitempty"`
	BirthDate    string    `yaml:"birth_date,omitempty" json:"birth_date,omitempty"` // YYYY-MM-DD
	BirthPlace   string    `yaml:"birth_place,omitempty" json:"birth_place,omitempty"`
	Gender       string    `yaml:"gender,omitempty" json:"gender,omitempty"` // M or F
	Phone        string    `yaml:"phone,omitempty" json:"phone,omitempty"`   // +7XXXXXXXXXX
	Email        string    `yaml:"email,omitempty" json:"email,omitempty"`
	SNILS        string    `yaml:"snils,omitempty" json:"snils,omitempty"` // 123-456-789 01
	INN          string    `yaml:"inn,omitempty" json:"inn,omitempty"`
	Passport     *Passport `yaml:"passport,omitempty" json:"passport,omitempty"`
	Address      string    `yaml:"address,omitempty" json:"address,omitempty"` // registration address, one line
	SecondFactor string    `yaml:"second_factor,omitempty" json:"second_factor,omitempty"`

	AddressParts Address `yaml:"-" json:"-"`
}

// Passport RF, as config.Passport.
type Passport struct {
	Series    string `yaml:"series" json:"series,omitempty"`
	Number    string `yaml:"number" json:"number,omitempty"`
	IssueDate string `yaml:"issue_date" json:"issue_date,omitempty"` // YYYY-MM-DD
	IssuedBy  string `yaml:"issued_by" json:"issued_by,omitempty"`
	UnitCode  string `yaml:"unit_code" json:"unit_code,omitempty"` // ddd-ddd
}

// Address is a registration address split as storage.Address holds it (Type PRG).
type Address struct {
	Type       string `yaml:"type" json:"type"`
	AddressStr string `yaml:"address_str" json:"address_str"`
	ZipCode    string `yaml:"zip_code" json:"zip_code"`
	Region     string `yaml:"region" json:"region"`
	City       string `yaml:"city" json:"city"`
	Street     string `yaml:"street" json:"street"`
	House      string `yaml:"house" json:"house"`
	Flat       string `yaml:"flat,omitempty" json:"flat,omitempty"`
	Country    string `yaml:"country" json:"country"`
}

// Options shape one person. Zero values pick at random (gender, region) or take the
// defaults (level standard, birth years 1950 to AsOf − 18, AsOf DefaultAsOf).
type Options struct {
	Gender        string // "M", "F" or "" (either)
	Level         string // "simplified", "standard" (default) or "confirmed"
	BirthYearFrom int
	BirthYearTo   int
	// Region is a subject code ("16") or a region's name as in addresses
	// ("Республика Татарстан", "г. Москва"); "" picks one weighted by population.
	Region string
	// AsOf is the generation date: people are at least 14 at it and passports were issued
	// before it. A fixed default keeps a seed's people the same whatever the clock says.
	AsOf time.Time
}

// DefaultAsOf is the generation date when Options.AsOf is zero.
var DefaultAsOf = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Validate reports options Person would have to replace: an unknown gender, level or
// region, or birth years outside 1920..AsOf−14 or reversed. Person itself never fails: it
// picks at random or takes the default instead.
func (o Options) Validate() error {
	var errs []error
	if o.Gender != "" && o.Gender != "M" && o.Gender != "F" {
		errs = append(errs, fmt.Errorf("personagen: gender %q: want M or F", o.Gender))
	}
	switch o.Level {
	case "", "simplified", "standard", "confirmed":
	default:
		errs = append(errs, fmt.Errorf("personagen: level %q: want simplified, standard or confirmed", o.Level))
	}
	if o.Region != "" && findRegion(o.Region) < 0 {
		errs = append(errs, fmt.Errorf("personagen: unknown region %q (known: %s)", o.Region, strings.Join(RegionCodes(), ", ")))
	}
	if !o.AsOf.IsZero() && (o.AsOf.Before(minAsOf) || o.AsOf.After(maxAsOf)) {
		errs = append(errs, fmt.Errorf("personagen: as-of date %s outside 2000..2200", o.AsOf.Format(time.DateOnly)))
	}
	asOf := o.asOf()
	last := asOf.Year() - 14
	for _, y := range []int{o.BirthYearFrom, o.BirthYearTo} {
		if y != 0 && (y < 1920 || y > last) {
			errs = append(errs, fmt.Errorf("personagen: birth year %d outside 1920..%d", y, last))
		}
	}
	if o.BirthYearFrom != 0 && o.BirthYearTo != 0 && o.BirthYearFrom > o.BirthYearTo {
		errs = append(errs, fmt.Errorf("personagen: birth years %d..%d reversed", o.BirthYearFrom, o.BirthYearTo))
	}
	return errors.Join(errs...)
}

// Limits of Options.AsOf: RF passports exist from 1997, and far futures make no sense.
var (
	minAsOf = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxAsOf = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// asOf is AsOf at midnight UTC, DefaultAsOf when zero, clamped to minAsOf..maxAsOf.
func (o Options) asOf() time.Time {
	if o.AsOf.IsZero() {
		return DefaultAsOf
	}
	y, m, d := o.AsOf.UTC().Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case t.Before(minAsOf):
		return minAsOf
	case t.After(maxAsOf):
		return maxAsOf
	}
	return t
}

// RegionCodes lists the subject codes Options.Region accepts.
func RegionCodes() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = r.code
	}
	return out
}

func findRegion(s string) int {
	for i, r := range regions {
		if s == r.code || strings.EqualFold(s, r.name) {
			return i
		}
	}
	return -1
}

// Generator makes people from a seed: the same seed and the same sequence of Person calls
// give the same people. Within one Generator, phones, e-mails, SNILS, INNs, passports and
// OIDs never repeat. A Generator is not safe for concurrent use.
type Generator struct {
	// KeyPrefix starts the persona keys: "<prefix>-0001", … (default "gen").
	KeyPrefix string
	// Taken, when set, reports a value that is already in use outside this generator (an
	// account in a store): kind is "oid", "phone", "email", "snils" or "inn", the value as
	// the person carries it. A taken value is drawn again, so generators with other seeds
	// never collide with the accounts already made; the people then depend on what is taken.
	Taken func(kind, value string) bool

	rng  *rand.Rand
	n    int
	used map[string]bool
}

// New returns a generator seeded with seed.
func New(seed int64) *Generator {
	s := uint64(seed)
	return &Generator{rng: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)), used: map[string]bool{}}
}

// People returns n people made with the same options.
func (g *Generator) People(n int, o Options) []Persona {
	out := make([]Persona, n)
	for i := range out {
		out[i] = g.Person(o)
	}
	return out
}

// Person makes one person. Everything is consistent and valid: a feminine surname and
// patronymic for a woman, a birth place that existed under that name then, a passport
// whose series starts with the region's OKATO code and ends with the issue year, issued at
// 14, 20 or 45 (or in the 1998–2003 exchange, or as a replacement), by a unit whose code
// starts with the region's subject code and whose name fits the issue date, an INN of the
// region's tax office, a SNILS above 001-001-998 with its check number, a mobile phone and
// an e-mail at example.ru or example.com. No value trips the emulated registries' default
// failure rules, so a generated standard persona verifies.
func (g *Generator) Person(o Options) Persona {
	g.n++
	asOf := o.asOf()
	level := o.Level
	if level != "simplified" && level != "confirmed" {
		level = "standard"
	}
	gender := o.Gender
	if gender != "M" && gender != "F" {
		gender = pick(g.rng, []string{"M", "F"})
	}
	ri := findRegion(o.Region)
	if ri < 0 {
		ri = g.weightedRegion()
	}
	reg := regions[ri]
	c := pick(g.rng, reg.cities)

	p := Persona{Key: fmt.Sprintf("%s-%04d", g.prefix(), g.n), Level: level, Status: "active", Gender: gender}
	p.OID = g.unique("oid", func() string { return strconv.Itoa(2_000_000_000 + g.rng.IntN(1_000_000_000)) })
	p.LastName, p.FirstName, p.MiddleName = g.name(gender, reg.tatar)

	birth := g.birthDate(o, asOf)
	p.BirthDate = birth.Format(time.DateOnly)
	p.BirthPlace = g.birthPlace(c, birth)
	p.Phone = g.unique("phone", func() string {
		return fmt.Sprintf("+7%03d%07d", pick(g.rng, mobileCodes), g.rng.IntN(10_000_000))
	})
	p.Email = g.email(p, birth)
	if level == "simplified" {
		return p
	}

	p.SNILS = ident.FormatSNILS(g.unique("snils", func() string {
		for {
			nine := fmt.Sprintf("%09d", 2_000_000+g.rng.IntN(198_000_000))
			if tail := nine[6:]; tail != "998" && tail != "999" { // the registries' failure rules
				return nine + ident.SNILSControl(nine)
			}
		}
	}))
	if level == "confirmed" || g.rng.IntN(100) < 80 {
		p.INN = g.unique("inn", func() string {
			for {
				ten := fmt.Sprintf("%s%02d%06d", reg.code, pick(g.rng, c.taxOffices), g.rng.IntN(1_000_000))
				if ten[7:] != "999" {
					return ten + ident.INNControl(ten)
				}
			}
		})
	}
	p.Passport = g.passport(reg, c, birth, asOf)
	p.AddressParts = g.address(reg, c)
	p.Address = p.AddressParts.AddressStr
	return p
}

func (g *Generator) prefix() string {
	if g.KeyPrefix == "" {
		return "gen"
	}
	return g.KeyPrefix
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// unique draws values with next until one is new for kind.
func (g *Generator) unique(kind string, next func() string) string {
	for {
		v := next()
		if !g.used[kind+":"+v] && !g.taken(kind, v) {
			g.used[kind+":"+v] = true
			return v
		}
	}
}

func (g *Generator) taken(kind, v string) bool { return g.Taken != nil && g.Taken(kind, v) }

func (g *Generator) weightedRegion() int {
	total := 0
	for _, r := range regions {
		total += r.weight
	}
	n := g.rng.IntN(total)
	for i, r := range regions {
		if n < r.weight {
			return i
		}
		n -= r.weight
	}
	return len(regions) - 1
}

// name returns surname, first name and patronymic; in Tatarstan and Bashkortostan half of
// the people carry Tatar names.
func (g *Generator) name(gender string, tatar bool) (last, first, middle string) {
	sn, male, female, fs := surnames, maleNames, femaleNames, fathers
	if tatar && g.rng.IntN(2) == 0 {
		sn, male, female, fs = tatarSurnames, tatarMaleNames, tatarFemaleNames, tatarFathers
	}
	last, f := pick(g.rng, sn), pick(g.rng, fs)
	if gender == "F" {
		return FeminineSurname(last), pick(g.rng, female), f.f
	}
	return last, pick(g.rng, male), f.m
}

// birthDate is a day in the birth years, at least 14 years and 60 days before asOf.
func (g *Generator) birthDate(o Options, asOf time.Time) time.Time {
	latest := asOf.AddDate(-14, 0, -60)
	from, to := o.BirthYearFrom, o.BirthYearTo
	if from < 1920 || from > latest.Year() {
		from = min(1950, latest.Year())
	}
	if to < from || to > latest.Year() {
		to = max(min(asOf.Year()-18, latest.Year()), from)
	}
	start := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(to, 12, 31, 0, 0, 0, 0, time.UTC)
	if end.After(latest) {
		end = latest
	}
	days := int(end.Sub(start).Hours()/24) + 1
	return start.AddDate(0, 0, g.rng.IntN(days))
}

// birthPlace: the residence city for three people in four, else any city; under its Soviet
// name when born before the renaming.
func (g *Generator) birthPlace(c city, birth time.Time) string {
	if g.rng.IntN(4) == 0 {
		c = pick(g.rng, pick(g.rng, regions).cities)
	}
	if y := birth.Year(); c.oldName != "" && y >= c.oldFrom && y < c.renamed {
		return "г. " + c.oldName
	}
	return "г. " + c.name
}

// email builds a transliterated address that always carries a digit, so it never equals a
// built-in persona's address, and ends with the last six digits of the oid, so runs with other
// seeds (which reuse the same names) do not collide on it.
func (g *Generator) email(p Persona, birth time.Time) string {
	first, last := Translit(p.FirstName), Translit(p.LastName)
	y4, y2 := strconv.Itoa(birth.Year()), fmt.Sprintf("%02d", birth.Year()%100)
	variants := []string{
		first + "." + last + "." + y4,
		last + "." + first[:1] + "." + y4,
		first[:1] + "." + last + y2,
		last + y4,
		first + "_" + last + y2,
		last + "." + first + y2,
	}
	local := pick(g.rng, variants)
	if len(p.OID) >= 6 {
		local += "." + p.OID[len(p.OID)-6:]
	}
	domain := "example.ru"
	if g.rng.IntN(10) < 3 {
		domain = "example.com"
	}
	addr := local + "@" + domain
	for n := 2; g.used["email:"+addr] || g.taken("email", addr); n++ {
		addr = local + "." + strconv.Itoa(n) + "@" + domain
	}
	g.used["email:"+addr] = true
	return addr
}

// Dates of the issuing authorities named in passports.
var (
	rfPassportsFrom = time.Date(1997, 10, 1, 0, 0, 0, 0, time.UTC) // RF internal passports
	fmsFrom         = time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)  // migration-service units
	mvdFrom         = time.Date(2016, 4, 5, 0, 0, 0, 0, time.UTC)  // the service joined the ministry
)

// passport issues the current RF passport: at the latest of the 14th, 20th and 45th
// birthdays before asOf (within 90 days), during the 1998–2003 exchange for those who
// turned 45 before RF passports existed, or as a later replacement (lost, new surname).
func (g *Generator) passport(reg region, c city, birth, asOf time.Time) *Passport {
	milestone, next := birth.AddDate(14, 0, 0), birth.AddDate(20, 0, 0)
	if !next.After(asOf) {
		milestone, next = next, birth.AddDate(45, 0, 0)
	}
	if !next.After(asOf) {
		milestone, next = next, time.Time{}
	}
	issue := milestone.AddDate(0, 0, 3+g.rng.IntN(85))
	if issue.Before(rfPassportsFrom) {
		exchange := time.Date(1998, 1, 1, 0, 0, 0, 0, time.UTC)
		issue = exchange.AddDate(0, 0, g.rng.IntN(6*365))
	}
	end := asOf
	if !next.IsZero() && next.Before(end) {
		end = next
	}
	if g.rng.IntN(100) < 12 && end.Sub(issue) > 2*365*24*time.Hour {
		from := issue.AddDate(1, 0, 0)
		issue = from.AddDate(0, 0, g.rng.IntN(int(end.Sub(from).Hours()/24)))
	}
	if !issue.Before(asOf) { // the milestone was only weeks ago
		from := milestone
		if from.Before(rfPassportsFrom) {
			from = rfPassportsFrom
		}
		issue = from.AddDate(0, 0, g.rng.IntN(max(int(asOf.Sub(from).Hours()/24), 1)))
	}

	u := pick(g.rng, c.units)
	issuer := reg.mvd
	switch {
	case issue.Before(fmsFrom):
		issuer = u.ovd
	case issue.Before(mvdFrom):
		issuer = u.fms
	}
	year := issue.Year()
	if g.rng.IntN(4) == 0 && year-1 >= 1997 {
		year-- // blanks are often printed the year before
	}
	var series, number string
	g.unique("passport", func() string {
		series = reg.okato + fmt.Sprintf("%02d", year%100)
		number = fmt.Sprintf("%06d", 1000+g.rng.IntN(997_000)) // never 000…, 998…, 999…
		return series + number
	})
	return &Passport{Series: series, Number: number, IssueDate: issue.Format(time.DateOnly), IssuedBy: issuer, UnitCode: u.code}
}

// address is a flat (or, now and then, a house) in the city.
func (g *Generator) address(reg region, c city) Address {
	streets := c.streets
	if streets == nil {
		streets = commonStreets
	}
	a := Address{Type: "PRG", Country: "RU", Region: reg.name, City: c.name,
		ZipCode: strconv.Itoa(c.zipFrom + g.rng.IntN(c.zipTo-c.zipFrom+1)),
		Street:  pick(g.rng, streets), House: strconv.Itoa(1 + g.rng.IntN(150))}
	if g.rng.IntN(100) < 92 {
		a.Flat = strconv.Itoa(1 + g.rng.IntN(320))
	}
	parts := []string{a.ZipCode}
	if !c.federal {
		parts = append(parts, reg.name)
	}
	parts = append(parts, "г. "+c.name, a.Street, "д. "+a.House)
	if a.Flat != "" {
		parts = append(parts, "кв. "+a.Flat)
	}
	a.AddressStr = strings.Join(parts, ", ")
	return a
}
