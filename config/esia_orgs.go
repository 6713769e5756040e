package config

import (
	"fmt"
	"slices"
)

// ESIAOrganization is an organisation of the ESIA dialect: /rs/orgs/{oid} and its
// collections, the roles of its employees in /rs/prns/{oid}/roles. The built-in ones are
// provider/esia/orgs.Builtin; config esia.organizations adds more (an entry with a built-in's
// oid replaces it); the admin API creates more at run time.
type ESIAOrganization struct {
	OID       string `yaml:"oid" json:"oid"`
	FullName  string `yaml:"full_name" json:"fullName"`
	ShortName string `yaml:"short_name" json:"shortName"`
	OGRN      string `yaml:"ogrn" json:"ogrn"`
	INN       string `yaml:"inn" json:"inn"`
	KPP       string `yaml:"kpp" json:"kpp,omitempty"` // none for an individual entrepreneur
	// Type is ESIA's organisation type: LEGAL (legal entity), BUSINESS (individual
	// entrepreneur) or AGENCY (state body).
	Type      string            `yaml:"type" json:"type"`
	Leg       string            `yaml:"leg" json:"leg,omitempty"` // ОКОПФ code
	OKTMO     string            `yaml:"oktmo" json:"oktmo,omitempty"`
	Addresses []ESIAOrgAddress  `yaml:"addresses" json:"addresses,omitempty"`
	Contacts  []ESIAContact     `yaml:"contacts" json:"contacts,omitempty"` // OPH, OEM, OFX
	Branches  []ESIAOrgBranch   `yaml:"branches" json:"branches,omitempty"`
	Groups    []ESIAOrgGroup    `yaml:"groups" json:"groups,omitempty"`
	Vehicles  []ESIAVehicle     `yaml:"vehicles" json:"vehicles,omitempty"`
	Employees []ESIAOrgEmployee `yaml:"employees" json:"employees,omitempty"`
}

// ESIAOrgAddress is an element of /rs/orgs/{oid}/addrs: OLG (legal) or OPS (postal).
type ESIAOrgAddress struct {
	Type       string `yaml:"type" json:"type"`
	AddressStr string `yaml:"address" json:"addressStr"`
	ZipCode    string `yaml:"zip_code" json:"zipCode,omitempty"`
}

// ESIAOrgBranch is an element of /rs/orgs/{oid}/brhs.
type ESIAOrgBranch struct {
	Name    string `yaml:"name" json:"name"`
	KPP     string `yaml:"kpp" json:"kpp,omitempty"`
	Address string `yaml:"address" json:"address,omitempty"`
}

// ESIAOrgGroup is an element of /rs/orgs/{oid}/grps: an access group of a system.
type ESIAOrgGroup struct {
	GrpID    string `yaml:"grp_id" json:"grpId"`
	Name     string `yaml:"name" json:"name"`
	ITSystem string `yaml:"it_system" json:"itSystem,omitempty"`
}

// ESIAOrgEmployee employs a persona (by the persona's oid) in the organisation.
type ESIAOrgEmployee struct {
	PersonOID string `yaml:"person_oid" json:"personOid"`
	Position  string `yaml:"position" json:"position,omitempty"`
	Chief     bool   `yaml:"chief" json:"chief"`
	Admin     bool   `yaml:"admin" json:"admin"`
}

// Validate checks one organisation; where names it in messages.
func (o ESIAOrganization) Validate(where string) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(where+": "+format, a...)) }
	if !digits(o.OID, 1, 18) {
		bad("oid %q must be 1–18 digits", o.OID)
	}
	if o.FullName == "" || o.ShortName == "" {
		bad("full_name and short_name are required")
	}
	switch o.Type {
	case "LEGAL", "AGENCY":
		if !digits(o.OGRN, 13, 13) || !digits(o.INN, 10, 10) || !digits(o.KPP, 9, 9) {
			bad("a %s organisation needs a 13-digit ogrn, a 10-digit inn and a 9-digit kpp", o.Type)
		}
	case "BUSINESS":
		if !digits(o.OGRN, 15, 15) || !digits(o.INN, 12, 12) || o.KPP != "" {
			bad("an individual entrepreneur needs a 15-digit ogrn (ОГРНИП), a 12-digit inn and no kpp")
		}
	default:
		bad("type %q: want LEGAL, BUSINESS or AGENCY", o.Type)
	}
	for _, a := range o.Addresses {
		if a.Type != "OLG" && a.Type != "OPS" {
			bad("address type %q: want OLG or OPS", a.Type)
		}
	}
	for _, c := range o.Contacts {
		if !slices.Contains([]string{"OPH", "OEM", "OFX"}, c.Type) {
			bad("contact type %q: want OPH, OEM or OFX", c.Type)
		}
	}
	seen := map[string]bool{}
	for _, e := range o.Employees {
		if !digits(e.PersonOID, 1, 18) || seen[e.PersonOID] {
			bad("employee person_oid %q must be digits and listed once", e.PersonOID)
		}
		seen[e.PersonOID] = true
	}
	return errs
}

func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ESIARepresentation configures acting for another person: a parent for their children
// (esia.persons kids) and holders of powers of attorney. An emulator extension with no
// public wire format, off by default.
type ESIARepresentation struct {
	Enabled bool        `yaml:"enabled" json:"enabled,omitempty"`
	Powers  []ESIAPower `yaml:"powers" json:"powers,omitempty"`
}

// ESIAPower is a power of attorney: the holder (a persona's oid) acts for the principal.
type ESIAPower struct {
	HolderOID     string `yaml:"holder_oid" json:"holder_oid"`
	PrincipalOID  string `yaml:"principal_oid" json:"principal_oid"`
	PrincipalName string `yaml:"principal_name" json:"principal_name"`
	Number        string `yaml:"number" json:"number,omitempty"`
}

func (r ESIARepresentation) validate() []error {
	var errs []error
	for i, p := range r.Powers {
		if !digits(p.HolderOID, 1, 18) || !digits(p.PrincipalOID, 1, 18) || p.PrincipalName == "" {
			errs = append(errs, fmt.Errorf("config: esia: representation.powers[%d]: holder_oid and principal_oid are digits, principal_name is required", i))
		}
	}
	return errs
}
