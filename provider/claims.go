package provider

import (
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/storage"
)

// setUserinfo releases the standard OIDC claims of the granted scopes. Which claim each scope
// carries is documented in the README ("Claims").
func setUserinfo(ui *oidc.UserInfo, u storage.User, scopes []string) {
	ui.Subject = u.ID
	has := func(s string) bool { return slices.Contains(scopes, s) }
	if has(oidc.ScopeProfile) {
		ui.Name = u.FullName()
		ui.FamilyName = u.LastName
		ui.GivenName = u.FirstName
		ui.MiddleName = u.MiddleName
		ui.Birthdate = u.BirthDate
		switch u.Gender {
		case "M":
			ui.Gender = "male"
		case "F":
			ui.Gender = "female"
		}
		ui.Locale = oidc.NewLocale(language.Russian)
		ui.UpdatedAt = oidc.FromTime(u.UpdatedAt)
	}
	if has(oidc.ScopeEmail) && u.Email != "" {
		ui.Email = u.Email
		ui.EmailVerified = oidc.Bool(u.EmailVerified)
	}
	if has(oidc.ScopePhone) && u.Phone != "" {
		ui.PhoneNumber = u.Phone
		ui.PhoneNumberVerified = oidc.Bool(u.PhoneVerified)
	}
	if has(oidc.ScopeAddress) {
		for _, a := range u.Addresses {
			if a.Type == "PRG" || len(u.Addresses) == 1 {
				ui.Address = &oidc.UserInfoAddress{
					Formatted:     a.AddressStr,
					StreetAddress: joinNonEmpty(", ", a.Street, a.House, a.Flat),
					Locality:      a.City,
					Region:        a.Region,
					PostalCode:    a.ZipCode,
					Country:       a.Country,
				}
				break
			}
		}
	}
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

// sessionClaim is the sid claim of ID tokens: the SSO session's id. It is safe to show: the
// session cookie is signed, so knowing the id does not let anyone forge it.
func sessionClaim(sessionID string) string { return sessionID }

// supportedClaims are advertised in discovery.
var supportedClaims = []string{
	"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash",
	"name", "family_name", "given_name", "middle_name", "birthdate", "gender", "locale", "updated_at",
	"email", "email_verified", "phone_number", "phone_number_verified", "address",
}

// scopeText describes the standard scopes on the consent page.
var scopeText = map[string]map[string]string{
	"ru": {
		"openid":         "Идентификатор учётной записи",
		"profile":        "ФИО, дата рождения, пол",
		"email":          "Адрес электронной почты",
		"phone":          "Номер мобильного телефона",
		"address":        "Адрес регистрации",
		"offline_access": "Доступ к данным, когда вы не в сети",
	},
	"en": {
		"openid":         "Account identifier",
		"profile":        "Full name, birth date, gender",
		"email":          "E-mail address",
		"phone":          "Mobile phone number",
		"address":        "Registration address",
		"offline_access": "Access to your data while you are offline",
	},
}

func scopeDescriptions(lang string, scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if d, ok := scopeText[lang][s]; ok {
			out = append(out, d)
		} else {
			out = append(out, s)
		}
	}
	return out
}
