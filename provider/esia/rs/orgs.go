package rs

import (
	"context"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
)

// Organizations is where the API finds organisations and a person's roles in them
// (*orgs.Registry).
type Organizations interface {
	RolesOf(ctx context.Context, personOID string) ([]orgs.Role, error)
	Get(ctx context.Context, oid string) (config.ESIAOrganization, error)
}

// roleJSON is an element of /rs/prns/{oid}/roles (esia-protocol.md §7: inline elements).
type roleJSON struct {
	OID                    int64  `json:"oid"`
	PrnOID                 int64  `json:"prnOid"`
	FullName               string `json:"fullName"`
	ShortName              string `json:"shortName"`
	OGRN                   string `json:"ogrn"`
	Type                   string `json:"type"`
	Chief                  bool   `json:"chief"`
	Admin                  bool   `json:"admin"`
	Active                 bool   `json:"active"`
	HasRightOfSubstitution bool   `json:"hasRightOfSubstitution"`
}

// orgRefJSON is an element of /rs/prns/{oid}/orgs when embedded (links to /rs/orgs/{oid}
// otherwise).
type orgRefJSON struct {
	OID       int64  `json:"oid"`
	FullName  string `json:"fullName"`
	ShortName string `json:"shortName"`
	OGRN      string `json:"ogrn"`
	Type      string `json:"type"`
}

func roleElements(personOID string, roles []orgs.Role) (ids []string, elems []any) {
	for _, r := range roles {
		ids = append(ids, r.Org.OID)
		elems = append(elems, roleJSON{OID: oidNumber(r.Org.OID), PrnOID: oidNumber(personOID), FullName: r.Org.FullName,
			ShortName: r.Org.ShortName, OGRN: r.Org.OGRN, Type: r.Org.Type, Chief: r.Employee.Chief, Admin: r.Employee.Admin,
			Active: true, HasRightOfSubstitution: r.Employee.Chief})
	}
	return ids, elems
}

func orgRefElements(roles []orgs.Role) (ids []string, elems []any) {
	for _, r := range roles {
		ids = append(ids, r.Org.OID)
		elems = append(elems, orgRefJSON{OID: oidNumber(r.Org.OID), FullName: r.Org.FullName, ShortName: r.Org.ShortName,
			OGRN: r.Org.OGRN, Type: r.Org.Type})
	}
	return ids, elems
}

// linkOf is the absolute link of element id of collection path of person oid: the /orgs
// elements link to the organisation resource.
func (a *API) linkOf(oid, path, id string) string {
	if path == "orgs" {
		return a.PublicURL + "/rs/orgs/" + id
	}
	return a.PublicURL + "/rs/prns/" + oid + "/" + path + "/" + id
}
