package provider

import (
	"encoding/json"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"

	"github.com/esia-emulator/esia-emulator/storage"
)

// scopeClaims says which claims each standard scope releases (README "Claims").
var scopeClaims = map[string][]string{
	oidc.ScopeProfile: {"name", "family_name", "given_name", "middle_name", "birthdate", "gender", "locale", "updated_at"},
	oidc.ScopeEmail:   {"email", "email_verified"},
	oidc.ScopePhone:   {"phone_number", "phone_number_verified"},
	oidc.ScopeAddress: {"address"},
}

// claimsRequest is the claims request parameter (OpenID Connect Core §5.5): the claims asked
// for individually, per target.
type claimsRequest struct {
	UserInfo map[string]json.RawMessage `json:"userinfo"`
	IDToken  map[string]json.RawMessage `json:"id_token"`
}

// parseClaimsRequest reads the parameter; malformed JSON asks for nothing (the login flow
// refuses such a request with invalid_request before any token exists).
func parseClaimsRequest(raw string) claimsRequest {
	c, _ := checkClaimsRequest(raw)
	return c
}

func checkClaimsRequest(raw string) (claimsRequest, error) {
	var c claimsRequest
	if raw == "" {
		return c, nil
	}
	return c, json.Unmarshal([]byte(raw), &c)
}

// released returns the claims to release: those of the scopes plus those requested by name
// for this target.
func released(scopes []string, requested map[string]json.RawMessage) map[string]bool {
	out := map[string]bool{}
	for _, s := range scopes {
		for _, c := range scopeClaims[s] {
			out[c] = true
		}
	}
	for c := range requested {
		out[c] = true
	}
	return out
}

// setUserinfo writes the released claims of u into ui.
func setUserinfo(ui *oidc.UserInfo, u storage.User, claims map[string]bool) {
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
