package esia

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Whom the person logs in as (esia-protocol.md §2: obj_type and roles; only their error
// codes are public, so their values are the emulator's reading):
//
//   - obj_type lists the subject types the system admits, separated by spaces or commas: P
//     (private person), L (employee of a legal entity), B (of an individual entrepreneur), A
//     (of a state body). Another value: ESIA-007061.
//   - roles lists the employee roles the system admits: chief, admin, employee (any
//     employee). Another value: ESIA-007060.
//   - After the login, a person with no fitting choice gets ESIA-007062.
//
// The choice page appears when the request asks about organisations (usr_org, obj_type or
// roles) and the person has two or more fitting choices; with one the choice is made for
// them. The chosen organisation reaches the cabinet as urn:esia:sbj:org_oid (an emulator
// extension: no public sample shows the claim) in the code's and id_token's urn:esia:sbj.
//
// Acting for another person (config esia.representation, an extension with no public wire
// format, off by default): when the private person is admitted, the page also offers the
// persona's children (esia.persons kids) and the principals of their powers of attorney; the
// choice reaches urn:esia:sbj as urn:esia:sbj:rep_for (the other's oid) and
// urn:esia:sbj:rep_kind ("kid" or "poa").

const (
	extraObjType = "esia.obj_type"
	extraRoles   = "esia.roles"
)

var objTypeOfOrg = map[string]string{"LEGAL": "L", "BUSINESS": "B", "AGENCY": "A"}

func errBadRoles(v string) *Error {
	return esiaErr("ESIA-007060", "invalid_request", "Wrong roles parameter ["+v+"]")
}

func errBadObjType(v string) *Error {
	return esiaErr("ESIA-007061", "invalid_request", "Wrong obj_type parameter ["+v+"]")
}

func errNoFittingRole() *Error {
	return esiaErr("ESIA-007062", "access_denied", "The user has no subject type or role the system admits")
}

// parseRoleParams checks obj_type and roles and returns them normalised ("" when absent).
func parseRoleParams(form url.Values) (objType, roles string, e *Error) {
	split := func(v string) []string {
		return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	}
	var types, rs []string
	for _, t := range split(form.Get("obj_type")) {
		t = strings.ToUpper(t)
		if !slices.Contains([]string{"P", "L", "B", "A"}, t) {
			return "", "", errBadObjType(form.Get("obj_type"))
		}
		types = append(types, t)
	}
	if form.Get("obj_type") != "" && len(types) == 0 {
		return "", "", errBadObjType(form.Get("obj_type"))
	}
	for _, r := range split(form.Get("roles")) {
		r = strings.ToLower(r)
		if !slices.Contains([]string{"chief", "admin", "employee"}, r) {
			return "", "", errBadRoles(form.Get("roles"))
		}
		rs = append(rs, r)
	}
	if form.Get("roles") != "" && len(rs) == 0 {
		return "", "", errBadRoles(form.Get("roles"))
	}
	return strings.Join(types, " "), strings.Join(rs, " "), nil
}

// fits reports whether an employee role satisfies the roles parameter.
func fitsRoles(roles string, e orgs.Role) bool {
	if roles == "" {
		return true
	}
	for _, r := range strings.Fields(roles) {
		if r == "employee" || (r == "chief" && e.Employee.Chief) || (r == "admin" && e.Employee.Admin) {
			return true
		}
	}
	return false
}

// choices returns the fitting choices of the request for the user, and whether the request
// asks at all (about organisations, or — with the extension on — whom a representative
// acts for).
func (d *Dialect) choices(ctx context.Context, ar storage.AuthRequest, user storage.User) ([]web.RoleOption, bool, error) {
	objType, roles := ar.Extra[extraObjType], ar.Extra[extraRoles]
	asks := objType != "" || roles != "" || slices.Contains(ar.Scopes, "usr_org")
	types := strings.Fields(objType)
	if len(types) == 0 {
		types = []string{"P", "L", "B", "A"}
	}
	private := slices.Contains(types, "P") && roles == ""
	var rep []web.RoleOption
	if private {
		rep = d.representation(user)
	}
	if !asks && len(rep) == 0 {
		return nil, false, nil
	}
	var out []web.RoleOption
	if private {
		out = append(out, web.RoleOption{Value: "P", Private: true})
	}
	if asks {
		rs, err := d.orgs.RolesOf(ctx, user.ID)
		if err != nil {
			return nil, true, err
		}
		for _, r := range rs {
			if slices.Contains(types, objTypeOfOrg[r.Org.Type]) && fitsRoles(roles, r) {
				out = append(out, web.RoleOption{Value: "org:" + r.Org.OID, Name: r.Org.ShortName, OGRN: r.Org.OGRN,
					Chief: r.Employee.Chief, Admin: r.Employee.Admin})
			}
		}
	}
	return append(out, rep...), true, nil
}

// representation returns the people the user may act for when the extension is on: their
// children (esia.persons kids of their persona) and their powers of attorney.
func (d *Dialect) representation(user storage.User) []web.RoleOption {
	if !d.rep.Enabled {
		return nil
	}
	var out []web.RoleOption
	for _, k := range d.rs.Persons[user.Persona].Kids {
		if k.OID != "" {
			out = append(out, web.RoleOption{Value: "kid:" + k.OID, For: "kid", Name: strings.TrimSpace(k.LastName + " " + k.FirstName + " " + k.MiddleName)})
		}
	}
	for _, p := range d.rep.Powers {
		if p.HolderOID == user.ID {
			out = append(out, web.RoleOption{Value: "poa:" + p.PrincipalOID, For: "poa", Name: p.PrincipalName})
		}
	}
	return out
}

// RoleOptions implements flow.RoleChooser: the page shows when there are two or more.
func (d *Dialect) RoleOptions(ctx context.Context, ar storage.AuthRequest, user storage.User) ([]web.RoleOption, error) {
	opts, _, err := d.choices(ctx, ar, user)
	return opts, err
}

// acting resolves whom the person logs in as (the zero option: the private person, nothing
// asked); ESIA-007062 when nothing fits.
func (d *Dialect) acting(ctx context.Context, ar storage.AuthRequest, user storage.User) (web.RoleOption, *Error, error) {
	opts, asks, err := d.choices(ctx, ar, user)
	if err != nil || !asks {
		return web.RoleOption{}, nil, err
	}
	if len(opts) == 0 {
		return web.RoleOption{}, errNoFittingRole(), nil
	}
	pick := opts[0] // one choice, or prompt=none (the private person when admitted)
	if chosen := ar.Extra[flow.ExtraRole]; chosen != "" {
		i := slices.IndexFunc(opts, func(o web.RoleOption) bool { return o.Value == chosen })
		if i < 0 {
			return web.RoleOption{}, errNoFittingRole(), nil
		}
		pick = opts[i]
	}
	return pick, nil, nil
}

// withChoice adds whom the person logs in as to urn:esia:sbj.
func withChoice(s esiajwt.Subject, o web.RoleOption) esiajwt.Subject {
	kind, oid, _ := strings.Cut(o.Value, ":")
	switch kind {
	case "org":
		s.OrgOID = esiajwt.OIDNumber(oid)
	case "kid", "poa":
		s.RepFor, s.RepKind = esiajwt.OIDNumber(oid), kind
	}
	return s
}
