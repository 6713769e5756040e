package esia

import (
	"slices"
	"strings"
)

// The person scopes of esia-protocol.md §6. The shared consent catalog will replace this
// list; until then it decides which scopes are known (others fail with ESIA-007006).
var personScopes = []string{
	"openid",
	"fullname", "birthdate", "gender", "birthplace", "snils", "inn", "citizenship",
	"id_doc", "foreign_passport_doc", "drivers_licence_doc", "military_doc", "medical_doc",
	"birth_cert_doc", "residence_doc", "temporary_residence_doc",
	"email", "mobile", "contacts", "addresses", "vehicles",
	"usr_org", "usr_avt", "self_employed",
	"kid_fullname", "kid_birthdate", "kid_gender", "kid_snils", "kid_inn", "kid_birth_cert_doc",
	"kid_medical_doc", "kid_mobile", "kid_email", "kid_school_data",
	// Digital profile data scopes: accepted and granted, their data is not emulated.
	"history_passport_doc", "vehicle_reg_cert_doc", "change_fullname_cert_doc", "marriage_cert_doc",
	"divorce_cert_doc", "death_cert_doc", "paternity_cert_doc", "ils_doc", "ndfl_person",
	"electronic_workbook", "pre_retirement_age", "payments_egisso", "payout_income",
	"pension_reference", "family_assets_balance", "legalcapacity", "social_support_info",
	"bank_account", "reg_realestate", "educational_doc", "ege_result", "osago_policy",
	"remd_medical_doc", "student_ticket",
}

var knownScopes = func() map[string]bool {
	m := make(map[string]bool, len(personScopes))
	for _, s := range personScopes {
		m[s] = true
	}
	return m
}()

// KnownScope reports whether s is a person scope the emulator knows.
func KnownScope(s string) bool { return knownScopes[s] }

// KnownScopes returns the catalog in its order.
func KnownScopes() []string { return slices.Clone(personScopes) }

// splitScope splits a scope parameter on spaces (one or more, as clients join with " " and
// forms may turn "+" into spaces).
func splitScope(s string) []string { return strings.Fields(s) }

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
