package orgs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Collection is the storage document collection of run-time organisations.
const Collection = "esia-orgs"

// Docs is the part of the storage contract the registry uses.
type Docs interface {
	CreateDocRaw(ctx context.Context, coll, id string, doc []byte, expiresAt, now time.Time) error
	GetDocRaw(ctx context.Context, coll, id string, now time.Time) ([]byte, error)
	ListDocsRaw(ctx context.Context, coll, prefix string, now time.Time) ([]storage.RawDoc, error)
}

// Role is a person's employment in an organisation.
type Role struct {
	Org      config.ESIAOrganization
	Employee config.ESIAOrgEmployee
}

// Registry answers which organisations exist and who works for them: the static ones
// (built-ins overridden by config) and the stored ones.
type Registry struct {
	docs   Docs
	static []config.ESIAOrganization // by OID
	now    func() time.Time
}

// NewRegistry merges Builtin with configured (an entry with a built-in's oid replaces it).
func NewRegistry(docs Docs, configured []config.ESIAOrganization, now func() time.Time) *Registry {
	static := Builtin()
	for _, o := range configured {
		if i := slices.IndexFunc(static, func(s config.ESIAOrganization) bool { return s.OID == o.OID }); i >= 0 {
			static[i] = o
		} else {
			static = append(static, o)
		}
	}
	slices.SortFunc(static, func(a, b config.ESIAOrganization) int { return strings.Compare(a.OID, b.OID) })
	return &Registry{docs: docs, static: static, now: now}
}

// Get returns the organisation with oid, or storage.ErrNotFound.
func (r *Registry) Get(ctx context.Context, oid string) (config.ESIAOrganization, error) {
	for _, o := range r.static {
		if o.OID == oid {
			return o, nil
		}
	}
	raw, err := r.docs.GetDocRaw(ctx, Collection, oid, r.now())
	if err != nil {
		return config.ESIAOrganization{}, fmt.Errorf("organisation %s: %w", oid, err)
	}
	var o config.ESIAOrganization
	if err := json.Unmarshal(raw, &o); err != nil {
		return config.ESIAOrganization{}, fmt.Errorf("organisation %s: %w", oid, err)
	}
	return o, nil
}

// List returns every organisation: the static ones, then the stored ones, each by oid.
func (r *Registry) List(ctx context.Context) ([]config.ESIAOrganization, error) {
	out := slices.Clone(r.static)
	docs, err := r.docs.ListDocsRaw(ctx, Collection, "", r.now())
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	for _, d := range docs {
		var o config.ESIAOrganization
		if err := json.Unmarshal(d.Doc, &o); err != nil {
			return nil, fmt.Errorf("organisation %s: %w", d.ID, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// ErrInvalid wraps the reasons an organisation is refused.
var ErrInvalid = errors.New("invalid organisation")

// Create validates and stores o. storage.ErrAlreadyExists if its oid is taken.
func (r *Registry) Create(ctx context.Context, o config.ESIAOrganization) error {
	if errs := o.Validate("organisation"); len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	if slices.ContainsFunc(r.static, func(s config.ESIAOrganization) bool { return s.OID == o.OID }) {
		return fmt.Errorf("organisation %s: %w", o.OID, storage.ErrAlreadyExists)
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("organisation %s: %w", o.OID, err)
	}
	if err := r.docs.CreateDocRaw(ctx, Collection, o.OID, raw, time.Time{}, r.now()); err != nil {
		return fmt.Errorf("organisation %s: %w", o.OID, err)
	}
	return nil
}

// RolesOf returns the person's roles, by organisation oid.
func (r *Registry) RolesOf(ctx context.Context, personOID string) ([]Role, error) {
	all, err := r.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Role
	for _, o := range all {
		for _, e := range o.Employees {
			if e.PersonOID == personOID {
				out = append(out, Role{Org: o, Employee: e})
			}
		}
	}
	return out, nil
}

// Builtin returns the built-in organisations (fresh copies). Persona 1000000003 (confirmed)
// is chief and admin of the legal entity and an admin of the state body; 1000000004
// (confirmed-totp) is the individual entrepreneur and an accountant of the legal entity;
// 1000000005 (confirmed-sms) heads the state body. 1000000001 and 1000000002 work nowhere.
func Builtin() []config.ESIAOrganization {
	return []config.ESIAOrganization{
		{
			OID: "1000000101", Type: "LEGAL", Leg: "12300", OKTMO: "45380000",
			FullName:  "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РОМАШКА»",
			ShortName: "ООО «РОМАШКА»",
			OGRN:      "1027700132195", INN: "7701234567", KPP: "770101001",
			Addresses: []config.ESIAOrgAddress{
				{Type: "OLG", AddressStr: "г. Москва, ул. Тверская, д. 1, офис 10", ZipCode: "125009"},
				{Type: "OPS", AddressStr: "г. Москва, а/я 15", ZipCode: "125009"},
			},
			Contacts: []config.ESIAContact{
				{Type: "OPH", Value: "+7(495)0000101"}, {Type: "OEM", Value: "office@romashka.example"},
			},
			Branches: []config.ESIAOrgBranch{{Name: "Филиал ООО «РОМАШКА» в г. Твери", KPP: "695001001", Address: "г. Тверь, ул. Советская, д. 5"}},
			Groups: []config.ESIAOrgGroup{
				{GrpID: "ORG_ADMIN", Name: "Администраторы профиля организации", ITSystem: "ESIA"},
				{GrpID: "EMPL_ACCESS", Name: "Доступ к ЕПГУ", ITSystem: "PGU"},
			},
			Vehicles: []config.ESIAVehicle{{Name: "ГАЗ ГАЗель Next", NumberPlate: "В101ВВ77", RegSeries: "7701", RegNumber: "101101"}},
			Employees: []config.ESIAOrgEmployee{
				{PersonOID: "1000000003", Position: "Генеральный директор", Chief: true, Admin: true},
				{PersonOID: "1000000004", Position: "Главный бухгалтер"},
			},
		},
		{
			OID: "1000000102", Type: "BUSINESS", Leg: "50102", OKTMO: "40300000",
			FullName:  "Индивидуальный предприниматель Кузнецов Дмитрий Павлович",
			ShortName: "ИП Кузнецов Д. П.",
			OGRN:      "304780000000102", INN: "780000000102",
			Addresses: []config.ESIAOrgAddress{{Type: "OLG", AddressStr: "г. Санкт-Петербург, Невский пр., д. 20, кв. 4", ZipCode: "191186"}},
			Contacts:  []config.ESIAContact{{Type: "OPH", Value: "+7(812)0000102"}},
			Employees: []config.ESIAOrgEmployee{{PersonOID: "1000000004", Position: "Индивидуальный предприниматель", Chief: true, Admin: true}},
		},
		{
			OID: "1000000103", Type: "AGENCY", Leg: "75104", OKTMO: "28701000",
			FullName:  "Министерство цифрового развития Тверской области",
			ShortName: "Минцифры Тверской области",
			OGRN:      "1036900000103", INN: "6900000103", KPP: "695001001",
			Addresses: []config.ESIAOrgAddress{{Type: "OLG", AddressStr: "г. Тверь, пл. Ленина, д. 1", ZipCode: "170100"}},
			Contacts: []config.ESIAContact{
				{Type: "OPH", Value: "+7(4822)000103"}, {Type: "OEM", Value: "digital@tver.example"}, {Type: "OFX", Value: "+7(4822)000104"},
			},
			Groups: []config.ESIAOrgGroup{{GrpID: "SMEV_OPERATOR", Name: "Операторы СМЭВ", ITSystem: "SMEV"}},
			Employees: []config.ESIAOrgEmployee{
				{PersonOID: "1000000005", Position: "Министр", Chief: true, Admin: true},
				{PersonOID: "1000000003", Position: "Консультант", Admin: true},
			},
		},
	}
}

// CreateGenerated makes n organisations from seed (Generate) employing the persons in employ
// and stores those not stored yet (a repeated seed keeps the earlier ones); it returns them
// all. The persona generator calls it.
func (r *Registry) CreateGenerated(ctx context.Context, seed int64, n int, employ []string) ([]config.ESIAOrganization, error) {
	made := Generate(seed, n, employ)
	for _, o := range made {
		if err := r.Create(ctx, o); err != nil && !errors.Is(err, storage.ErrAlreadyExists) {
			return nil, err
		}
	}
	return made, nil
}
