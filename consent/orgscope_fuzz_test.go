package consent_test

import (
	"testing"

	"github.com/esia-emulator/esia-emulator/consent"
)

// FuzzParseOrgScope: the organisation-scope URL parser (outside input: scope and scope_org
// of the ESIA dialect) never panics, accepts only a catalogued organisation scope with a
// digits-only org_oid, and its result round-trips through the canonical URL form.
func FuzzParseOrgScope(f *testing.F) {
	for _, s := range []string{
		"http://esia.gosuslugi.ru/org_emps?org_oid=1000298922", "https://esia-portal1.test.gosuslugi.ru/org_inf?org_oid=1",
		"http://esia.gosuslugi.ru/org_emps", "http://esia.gosuslugi.ru/org_emps?org_oid=1&org_oid=2", "org_emps",
		"http://esia.gosuslugi.ru/fullname?org_oid=1", "http://u:p@h/org_ctts?org_oid=1", "http://h/org_ctts?org_oid=%31",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, ok := consent.ParseOrgScope(s)
		if !ok {
			return
		}
		sc, found := consent.Lookup(o.Name)
		if !found || sc.Kind != consent.KindOrg || sc.Name != o.Name {
			t.Fatalf("%q: %q is not an organisation scope", s, o.Name)
		}
		if o.OrgOID == "" || len(o.OrgOID) > 20 {
			t.Fatalf("%q: org_oid %q", s, o.OrgOID)
		}
		for _, r := range o.OrgOID {
			if r < '0' || r > '9' {
				t.Fatalf("%q: org_oid %q", s, o.OrgOID)
			}
		}
		again, ok := consent.ParseOrgScope("http://esia.gosuslugi.ru/" + o.Name + "?org_oid=" + o.OrgOID)
		if !ok || again != o {
			t.Fatalf("%q: canonical form does not round-trip: %+v", s, again)
		}
		if consent.Base(s) != o.Name {
			t.Fatalf("%q: Base %q", s, consent.Base(s))
		}
	})
}
