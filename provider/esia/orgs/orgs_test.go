package orgs_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/bolt"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

func TestBuiltinsAreValid(t *testing.T) {
	types := map[string]bool{}
	for _, o := range orgs.Builtin() {
		if errs := o.Validate(o.OID); len(errs) > 0 {
			t.Errorf("%s: %v", o.OID, errs)
		}
		types[o.Type] = true
	}
	if !types["LEGAL"] || !types["BUSINESS"] || !types["AGENCY"] {
		t.Errorf("types %v: want a legal entity, an entrepreneur and a state body", types)
	}
}

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	replaced := orgs.Builtin()[0]
	replaced.ShortName = "ООО «ВАСИЛЁК»"
	replaced.Employees = nil
	extra := config.ESIAOrganization{OID: "3000000001", FullName: "ИП Петров", ShortName: "ИП Петров", Type: "BUSINESS",
		OGRN: "304000000000001", INN: "000000000001", Employees: []config.ESIAOrgEmployee{{PersonOID: "1000000002", Chief: true}}}
	r := orgs.NewRegistry(memory.New(), []config.ESIAOrganization{replaced, extra}, now)

	if o, err := r.Get(ctx, replaced.OID); err != nil || o.ShortName != "ООО «ВАСИЛЁК»" {
		t.Errorf("config replaces a built-in: %v %v", o.ShortName, err)
	}
	roles, err := r.RolesOf(ctx, "1000000003")
	if err != nil || len(roles) != 1 || roles[0].Org.OID != "1000000103" {
		t.Errorf("roles of 1000000003 after the replacement: %v %v", roles, err)
	}
	roles, _ = r.RolesOf(ctx, "1000000002")
	if len(roles) != 1 || !roles[0].Employee.Chief {
		t.Errorf("config organisation: %v", roles)
	}
	if _, err := r.Get(ctx, "42"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	stored := extra
	stored.OID = "3000000002"
	if err := r.Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	if err := r.Create(ctx, stored); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("twice: %v", err)
	}
	bad := stored
	bad.OID, bad.KPP = "3000000003", "770001001"
	if err := r.Create(ctx, bad); !errors.Is(err, orgs.ErrInvalid) || !strings.Contains(err.Error(), "no kpp") {
		t.Errorf("an entrepreneur with a kpp: %v", err)
	}
	all, err := r.List(ctx)
	if err != nil || len(all) != 5 || all[4].OID != "3000000002" {
		t.Errorf("list: %d %v", len(all), err)
	}
	roles, _ = r.RolesOf(ctx, "1000000002")
	if len(roles) != 2 {
		t.Errorf("stored organisation employs: %v", roles)
	}
}

func TestValidateRules(t *testing.T) {
	for name, tc := range map[string]struct {
		mut  func(*config.ESIAOrganization)
		want string
	}{
		"valid":         {func(*config.ESIAOrganization) {}, ""},
		"oid letters":   {func(o *config.ESIAOrganization) { o.OID = "12a" }, "oid"},
		"no names":      {func(o *config.ESIAOrganization) { o.ShortName = "" }, "short_name"},
		"type":          {func(o *config.ESIAOrganization) { o.Type = "NGO" }, "type"},
		"kpp short":     {func(o *config.ESIAOrganization) { o.KPP = "1" }, "kpp"},
		"address type":  {func(o *config.ESIAOrganization) { o.Addresses[0].Type = "PRG" }, "address type"},
		"contact type":  {func(o *config.ESIAOrganization) { o.Contacts[0].Type = "MBT" }, "contact type"},
		"employee once": {func(o *config.ESIAOrganization) { o.Employees[1].PersonOID = o.Employees[0].PersonOID }, "listed once"},
	} {
		t.Run(name, func(t *testing.T) {
			o := orgs.Builtin()[0]
			tc.mut(&o)
			errs := o.Validate("x")
			switch {
			case tc.want == "" && len(errs) != 0:
				t.Errorf("unexpected %v", errs)
			case tc.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want)):
				t.Errorf("got %v, want one error with %q", errs, tc.want)
			}
		})
	}
}

// A created organisation is a document of the storage contract: a durable engine keeps it
// across a restart.
func TestRegistryDurable(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	path := filepath.Join(t.TempDir(), "esia.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	o := orgs.Generate(1, 1, []string{"1000000002"})[0]
	if err := orgs.NewRegistry(s, nil, now).Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	roles, err := orgs.NewRegistry(s, nil, now).RolesOf(ctx, "1000000002")
	if err != nil || len(roles) != 1 || roles[0].Org.OGRN != o.OGRN {
		t.Fatalf("after a restart: %v %v", roles, err)
	}
}
