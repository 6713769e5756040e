package esia

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
)

// Organisation scopes (esia-protocol.md §6): ESIA's URL form
// "http://esia.gosuslugi.ru/org_emps?org_oid=1000298922", in scope (v1) or in scope_org
// (v2, signed right after scope). A system is approved for an organisation scope by its
// bare name ("org_emps"); every system without an explicit scope list is approved for all.
// The organisation must employ the person who logs in, else ESIA-007194.

// OrgScopeNames returns the catalog's organisation scope names.
func OrgScopeNames() []string {
	var out []string
	for _, sc := range consent.All() {
		if sc.Kind == consent.KindOrg && sc.ESIA {
			out = append(out, sc.Name)
		}
	}
	return out
}

func isOrgScopeName(s string) bool {
	sc, ok := consent.Lookup(s)
	return ok && sc.Kind == consent.KindOrg && sc.Name == s
}

func errNotEmployed(orgOID string) *Error {
	return esiaErr("ESIA-007194", "access_denied", "The user is not an employee of the organization ["+orgOID+"]")
}

// checkOrgScope validates one organisation scope in URL form.
func checkOrgScope(cl *esiaClient, s string) (consent.OrgScope, *Error) {
	o, ok := consent.ParseOrgScope(s)
	switch {
	case !ok:
		return o, errBadScope(s).with("an organisation scope is http://esia.gosuslugi.ru/<org scope>?org_oid=<digits>")
	case !cl.allowed[o.Name]:
		return o, errNoGrants(s).with("the system is not approved for scope %q", o.Name)
	}
	return o, nil
}

// checkScopeOrg validates the v2 scope_org parameter: organisation scopes only.
func (d *Dialect) checkScopeOrg(cl *esiaClient, scopeOrg string) ([]string, *Error) {
	var out []string
	for _, s := range splitScope(scopeOrg) {
		if _, e := checkOrgScope(cl, s); e != nil {
			return nil, e
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// orgOIDs returns the organisations the scopes name, in order, once each.
func orgOIDs(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if o, ok := consent.ParseOrgScope(s); ok && !slices.Contains(out, o.OrgOID) {
			out = append(out, o.OrgOID)
		}
	}
	return out
}

// notEmployedAt returns the first organisation of the scopes that does not employ userID
// ("" when each does).
func (d *Dialect) notEmployedAt(ctx context.Context, userID string, scopes []string) (string, error) {
	want := orgOIDs(scopes)
	if len(want) == 0 {
		return "", nil
	}
	roles, err := d.orgs.RolesOf(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("roles of %s: %w", userID, err)
	}
	for _, oid := range want {
		if !slices.ContainsFunc(roles, func(r orgs.Role) bool { return r.Org.OID == oid }) {
			return oid, nil
		}
	}
	return "", nil
}

func isURLScope(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
