package rs

import "strings"

// docTypesOfScope maps the document scopes to the /docs element types they release.
var docTypesOfScope = map[string][]string{
	"id_doc":                  {"RF_PASSPORT", "FID_DOC"},
	"foreign_passport_doc":    {"FRGN_PASS"},
	"drivers_licence_doc":     {"RF_DRIVING_LICENSE"},
	"military_doc":            {"MLTR_ID"},
	"medical_doc":             {"MDCL_PLCY"},
	"birth_cert_doc":          {"RF_BRTH_CERT", "FID_BRTH_CERT", "OLD_BRTH_CERT", "BRTH_CERT"},
	"residence_doc":           {"RSDNC_PERMIT"},
	"temporary_residence_doc": {"TMP_RSDNC_PERMIT"},
}

// kidDocTypesOfScope: the kid_*_doc scopes and the types of /kids/{oid}/docs they release.
var kidDocTypesOfScope = map[string][]string{
	"kid_birth_cert_doc": {"RF_BRTH_CERT", "FID_BRTH_CERT", "OLD_BRTH_CERT", "BRTH_CERT"},
	"kid_medical_doc":    {"MDCL_PLCY"},
}

// grants is the set of scope names of an access token.
type grants map[string]bool

func newGrants(scopes []string) grants {
	g := grants{}
	for _, s := range scopes {
		g[s] = true
	}
	return g
}

func (g grants) any(names ...string) bool {
	for _, n := range names {
		if g[n] {
			return true
		}
	}
	return false
}

func (g grants) anyPrefix(prefix string) bool {
	for s := range g {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func (g grants) docTypes(m map[string][]string) map[string]bool {
	out := map[string]bool{}
	for s, types := range m {
		if g[s] {
			for _, t := range types {
				out[t] = true
			}
		}
	}
	return out
}
