package claims

import (
	"encoding/json"
	"slices"

	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// Released returns the claims to release: every claim of the granted scopes, plus the claims
// the claims request parameter names for this target when a granted scope or claim scope
// covers them (never beyond the grant).
func Released(scopes, claimScopes []string, claimsParam string, target consent.Target) map[string]bool {
	out := consent.ScopeClaims(scopes)
	cr, _ := consent.ParseClaimsRequest(claimsParam) // malformed: refused before any token exists
	if cr == nil {
		return out
	}
	within, _ := consent.Release(append(slices.Clone(scopes), claimScopes...), cr, target)
	for name := range cr.For(target) {
		if within[name] {
			out[name] = true
		}
	}
	return out
}

// SetUserinfo writes the released claims of u into ui (README "Claims").
func SetUserinfo(ui *oidc.UserInfo, u storage.User, claims map[string]bool) {
	ui.Subject = u.ID
	if claims["name"] {
		ui.Name = u.FullName()
	}
	if claims["family_name"] {
		ui.FamilyName = u.LastName
	}
	if claims["given_name"] {
		ui.GivenName = u.FirstName
	}
	if claims["middle_name"] {
		ui.MiddleName = u.MiddleName
	}
	if claims["birthdate"] {
		ui.Birthdate = u.BirthDate
	}
	if claims["gender"] {
		switch u.Gender {
		case "M":
			ui.Gender = "male"
		case "F":
			ui.Gender = "female"
		}
	}
	if claims["locale"] {
		ui.Locale = oidc.NewLocale(language.Russian)
	}
	if claims["updated_at"] {
		ui.UpdatedAt = oidc.FromTime(u.UpdatedAt)
	}
	if claims["email"] && u.Email != "" {
		ui.Email = u.Email
		ui.EmailVerified = oidc.Bool(u.EmailVerified)
	}
	if claims["phone_number"] && u.Phone != "" {
		ui.PhoneNumber = u.Phone
		ui.PhoneNumberVerified = oidc.Bool(u.PhoneVerified)
	}
	setESIAClaims(ui, u, claims)
	if claims["address"] {
		if i := slices.IndexFunc(u.Addresses, func(a storage.Address) bool { return a.Type == "PRG" }); i >= 0 || len(u.Addresses) > 0 {
			a := u.Addresses[max(i, 0)]
			ui.Address = &oidc.UserInfoAddress{
				Formatted:     a.AddressStr,
				StreetAddress: joinNonEmpty(", ", a.Street, a.House, a.Flat),
				Locality:      a.City,
				Region:        a.Region,
				PostalCode:    a.ZipCode,
				Country:       a.Country,
			}
		}
	}
}

// setESIAClaims adds the claims of ESIA person scopes.
func setESIAClaims(ui *oidc.UserInfo, u storage.User, claims map[string]bool) {
	if claims["birthplace"] && u.BirthPlace != "" {
		ui.AppendClaims("birthplace", u.BirthPlace)
	}
	if claims["snils"] && u.SNILS != "" {
		ui.AppendClaims("snils", ident.FormatSNILS(u.SNILS))
	}
	if claims["inn"] && u.INN != "" {
		ui.AppendClaims("inn", u.INN)
	}
	if claims["citizenship"] && u.Citizenship != "" {
		ui.AppendClaims("citizenship", u.Citizenship)
	}
	if claims["contacts"] {
		var cs []map[string]string
		if u.Phone != "" {
			cs = append(cs, map[string]string{"type": "MBT", "value": ident.FormatPhoneESIA(u.Phone), "vrfStu": storage.VerifyState(u.PhoneVerified)})
		}
		if u.Email != "" {
			cs = append(cs, map[string]string{"type": "EML", "value": u.Email, "vrfStu": storage.VerifyState(u.EmailVerified)})
		}
		ui.AppendClaims("contacts", cs)
	}
	if claims["addresses"] {
		as := make([]map[string]string, 0, len(u.Addresses))
		for _, a := range u.Addresses {
			as = append(as, map[string]string{"type": a.Type, "addressStr": a.AddressStr, "zipCode": a.ZipCode,
				"region": a.Region, "city": a.City, "street": a.Street, "house": a.House, "flat": a.Flat, "countryId": a.Country})
		}
		ui.AppendClaims("addresses", as)
	}
	for name := range claims {
		sc, ok := consent.Lookup(name)
		if !ok || sc.Kind != consent.KindDocument {
			continue
		}
		types := consent.DocTypes([]string{name})
		var docs []map[string]string
		for _, d := range u.Documents {
			if types[d.Type] {
				docs = append(docs, map[string]string{"type": d.Type, "series": d.Series, "number": d.Number,
					"issueDate": esiaDate(d.IssueDate), "issueId": d.IssueID, "issuedBy": d.IssuedBy, "vrfStu": d.VrfStu})
			}
		}
		ui.AppendClaims(name, docs)
	}
}

// esiaDate turns YYYY-MM-DD into ESIA's dd.MM.yyyy.
func esiaDate(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "." + iso[5:7] + "." + iso[0:4]
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}

// SetLevelClaims releases the account level (simplified, standard, confirmed) and ESIA's
// trusted flag (confirmed accounts) with every token and userinfo answer: they describe the
// account's standing, which relying parties decide access by, as acr describes the login.
func SetLevelClaims(ui *oidc.UserInfo, u storage.User) {
	if u.Level != "" {
		ui.AppendClaims("level", string(u.Level))
	}
	ui.AppendClaims("trusted", proofing.Trusted(u.Level))
}

// RequestedLevel reads a minimum account level asked for with the claims parameter:
// {"id_token":{"level":{"essential":true,"value":"confirmed"}}} (or "values": the lowest).
func RequestedLevel(cr *consent.ClaimsRequest) storage.Level {
	var min storage.Level
	for _, t := range []consent.Target{consent.TargetIDToken, consent.TargetUserInfo} {
		spec := cr.For(t)["level"]
		if spec == nil || !spec.Essential {
			continue
		}
		vals := spec.Values
		if spec.Value != nil {
			vals = append(vals, spec.Value)
		}
		var lowest storage.Level
		for _, raw := range vals {
			var s string
			if json.Unmarshal(raw, &s) != nil || storage.Level(s).Rank() == 0 {
				continue
			}
			if lowest == "" || storage.Level(s).Rank() < lowest.Rank() {
				lowest = storage.Level(s)
			}
		}
		if lowest.Rank() > min.Rank() {
			min = lowest
		}
	}
	return min
}
