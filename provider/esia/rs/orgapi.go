package rs

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
	"github.com/esia-emulator/esia-emulator/storage"
)

// The organisation API, /rs/orgs/{oid} (esia-protocol.md §6–§7). A token carries
// organisation scopes in ESIA's URL form ("http://esia.gosuslugi.ru/org_emps?org_oid=…");
// each releases one part of one organisation. The person the token was issued to must still
// be employed there (else 403 ESIA-007194); a part the token has no scope for is 403
// ESIA-005029.
//
//	GET /rs/orgs/{oid}                        org_inf, org_shortname, org_fullname, org_type, org_leg, org_inn, org_ogrn, org_kpp, org_oktmo
//	GET /rs/orgs/{oid}/{coll}[?embed=(elements)], /rs/orgs/{oid}/{coll}/{id}
//	    emps (org_emps), addrs (org_addrs), ctts (org_ctts), brhs (org_brhs), grps (org_grps), vhls (org_vhls)

// orgCollScope maps the collections of /rs/orgs/{oid} to the scope that releases them.
var orgCollScope = map[string]string{"emps": "org_emps", "addrs": "org_addrs", "ctts": "org_ctts", "brhs": "org_brhs",
	"grps": "org_grps", "vhls": "org_vhls"}

const (
	kindOrgEmp    = 6
	kindOrgBranch = 7
	kindOrgGroup  = 8
)

type orgJSON struct {
	StateFacts   []string `json:"stateFacts"`
	OID          int64    `json:"oid"`
	ShortName    string   `json:"shortName,omitempty"`
	FullName     string   `json:"fullName,omitempty"`
	Type         string   `json:"type,omitempty"`
	Leg          string   `json:"leg,omitempty"`
	INN          string   `json:"inn,omitempty"`
	OGRN         string   `json:"ogrn,omitempty"`
	KPP          string   `json:"kpp,omitempty"`
	OKTMO        string   `json:"oktmo,omitempty"`
	IsLiquidated *bool    `json:"isLiquidated,omitempty"`
	ETag         string   `json:"eTag"`
}

type orgEmpJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	PrnOID     int64    `json:"prnOid"`
	LastName   string   `json:"lastName,omitempty"`
	FirstName  string   `json:"firstName,omitempty"`
	MiddleName string   `json:"middleName,omitempty"`
	Position   string   `json:"position,omitempty"`
	Chief      bool     `json:"chief"`
	Admin      bool     `json:"admin"`
	Active     bool     `json:"active"`
}

type orgAddrJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	Type       string   `json:"type"`
	AddressStr string   `json:"addressStr"`
	ZipCode    string   `json:"zipCode,omitempty"`
	CountryID  string   `json:"countryId"`
}

type orgBranchJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	KPP        string   `json:"kpp,omitempty"`
	AddressStr string   `json:"addressStr,omitempty"`
}

type orgGroupJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	GrpID      string   `json:"grpId"`
	Name       string   `json:"name"`
	ITSystem   string   `json:"itSystem,omitempty"`
}

// orgCall is an authorised /rs/orgs request: the organisation and the scopes the token has
// for it.
type orgCall struct {
	org    config.ESIAOrganization
	grants grants
}

// orgScopesOf returns the scope names a token's scopes grant for organisation oid.
func orgScopesOf(scopes []string, oid string) grants {
	g := grants{}
	for _, s := range scopes {
		if o, ok := consent.ParseOrgScope(s); ok && o.OrgOID == oid {
			g[o.Name] = true
		}
	}
	return g
}

func (a *API) authorizeOrg(w http.ResponseWriter, r *http.Request) (orgCall, bool) {
	ctx := r.Context()
	rec, ok := a.checkToken(w, r)
	if !ok {
		return orgCall{}, false
	}
	oid := r.PathValue("oid")
	g := orgScopesOf(rec.Scopes, oid)
	if len(g) == 0 || a.Orgs == nil {
		scopeNotAllowed(w)
		return orgCall{}, false
	}
	roles, err := a.Orgs.RolesOf(ctx, rec.Subject)
	if err != nil {
		a.Log.ErrorContext(ctx, "esia: roles lookup", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return orgCall{}, false
	}
	i := slices.IndexFunc(roles, func(r orgs.Role) bool { return r.Org.OID == oid })
	if i < 0 {
		writeJSON(w, http.StatusForbidden, map[string]string{"code": "ESIA-007194", "message": "the person is not an employee of the organization"})
		return orgCall{}, false
	}
	return orgCall{org: roles[i].Org, grants: g}, true
}

// org serves GET /rs/orgs/{oid}.
func (a *API) org(w http.ResponseWriter, r *http.Request) {
	c, ok := a.authorizeOrg(w, r)
	if !ok {
		return
	}
	g, o := c.grants, c.org
	all := g["org_inf"]
	if !all && !g.any("org_shortname", "org_fullname", "org_type", "org_leg", "org_inn", "org_ogrn", "org_kpp", "org_oktmo") {
		scopeNotAllowed(w)
		return
	}
	out := orgJSON{StateFacts: []string{"EntityRoot"}, OID: oidNumber(o.OID)}
	pick := func(scope string, dst *string, v string) {
		if all || g[scope] {
			*dst = v
		}
	}
	pick("org_shortname", &out.ShortName, o.ShortName)
	pick("org_fullname", &out.FullName, o.FullName)
	pick("org_type", &out.Type, o.Type)
	pick("org_leg", &out.Leg, o.Leg)
	pick("org_inn", &out.INN, o.INN)
	pick("org_ogrn", &out.OGRN, o.OGRN)
	pick("org_kpp", &out.KPP, o.KPP)
	pick("org_oktmo", &out.OKTMO, o.OKTMO)
	if all {
		f := false
		out.IsLiquidated = &f
	}
	out.ETag = etag(out)
	writeJSON(w, http.StatusOK, out)
}

func (a *API) orgElements(r *http.Request, o config.ESIAOrganization, coll string) (ids []string, elems []any) {
	add := func(id int64, e any) {
		ids, elems = append(ids, strconv.FormatInt(id, 10)), append(elems, e)
	}
	switch coll {
	case "emps":
		for i, e := range o.Employees {
			el := orgEmpJSON{StateFacts: identifiable, ID: elementID(o.OID, kindOrgEmp, i+1), PrnOID: oidNumber(e.PersonOID),
				Position: e.Position, Chief: e.Chief, Admin: e.Admin, Active: true}
			if u, err := a.Store.GetUser(r.Context(), e.PersonOID); err == nil {
				el.LastName, el.FirstName, el.MiddleName = u.LastName, u.FirstName, u.MiddleName
			} else if !errors.Is(err, storage.ErrNotFound) {
				a.Log.WarnContext(r.Context(), "esia: employee lookup", "err", err)
			}
			add(el.ID, el)
		}
	case "addrs":
		for i, e := range o.Addresses {
			id := elementID(o.OID, kindAddress, i+1)
			add(id, orgAddrJSON{StateFacts: identifiable, ID: id, Type: e.Type, AddressStr: e.AddressStr, ZipCode: e.ZipCode, CountryID: "RUS"})
		}
	case "ctts":
		for i, e := range o.Contacts {
			id := elementID(o.OID, kindContact, i+1)
			el := contactJSON{StateFacts: identifiable, ID: id, Type: e.Type, VrfStu: "NOT_VERIFIED", Value: e.Value}
			if e.VrfStu != "" {
				el.VrfStu = e.VrfStu
			}
			el.ETag = etag(el)
			add(id, el)
		}
	case "brhs":
		for i, e := range o.Branches {
			id := elementID(o.OID, kindOrgBranch, i+1)
			add(id, orgBranchJSON{StateFacts: identifiable, ID: id, Name: e.Name, KPP: e.KPP, AddressStr: e.Address})
		}
	case "grps":
		for i, e := range o.Groups {
			id := elementID(o.OID, kindOrgGroup, i+1)
			add(id, orgGroupJSON{StateFacts: identifiable, ID: id, GrpID: e.GrpID, Name: e.Name, ITSystem: e.ITSystem})
		}
	case "vhls":
		for i, e := range o.Vehicles {
			id := elementID(o.OID, kindVehicle, i+1)
			el := vehicleJSON{StateFacts: identifiable, ID: id, Name: e.Name, NumberPlate: e.NumberPlate}
			if e.RegSeries != "" || e.RegNumber != "" {
				el.RegCertificate = &regCertJSON{Series: e.RegSeries, Number: e.RegNumber}
			}
			el.ETag = etag(el)
			add(id, el)
		}
	}
	return ids, elems
}

// orgCollectionOf answers the checks shared by a collection and its elements — a known
// collection (404), the token (authorizeOrg) and the collection's scope (ESIA-005029) — and
// returns the collection's element ids and elements; ok false when it has answered.
func (a *API) orgCollectionOf(w http.ResponseWriter, r *http.Request) (c orgCall, coll string, ids []string, elems []any, ok bool) {
	coll = r.PathValue("coll")
	scope, known := orgCollScope[coll]
	if !known {
		http.NotFound(w, r)
		return c, coll, nil, nil, false
	}
	if c, ok = a.authorizeOrg(w, r); !ok {
		return c, coll, nil, nil, false
	}
	if !c.grants[scope] {
		scopeNotAllowed(w)
		return c, coll, nil, nil, false
	}
	ids, elems = a.orgElements(r, c.org, coll)
	return c, coll, ids, elems, true
}

// orgCollection serves GET /rs/orgs/{oid}/{coll}[?embed=(elements)].
func (a *API) orgCollection(w http.ResponseWriter, r *http.Request) {
	c, coll, ids, elems, ok := a.orgCollectionOf(w, r)
	if !ok {
		return
	}
	out := &collectionJSON{StateFacts: []string{"hasSize"}, Size: len(elems), Elements: []any{}}
	inline := embedded(r)["elements"]
	tags := make([]string, 0, len(elems))
	for i, e := range elems {
		tags = append(tags, etag(e))
		if inline {
			out.Elements = append(out.Elements, e)
		} else {
			out.Elements = append(out.Elements, a.PublicURL+"/rs/orgs/"+c.org.OID+"/"+coll+"/"+ids[i])
		}
	}
	out.ETag = etag(tags)
	writeJSON(w, http.StatusOK, out)
}

// orgElement serves GET /rs/orgs/{oid}/{coll}/{id}.
func (a *API) orgElement(w http.ResponseWriter, r *http.Request) {
	_, _, ids, elems, ok := a.orgCollectionOf(w, r)
	if !ok {
		return
	}
	for i, id := range ids {
		if id == r.PathValue("id") {
			writeJSON(w, http.StatusOK, elems[i])
			return
		}
	}
	notFound(w, "no such element")
}
