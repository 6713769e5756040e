package consent

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// Kind groups scopes on the consent page and in the citizen's "Доступ к данным" list.
type Kind string

const (
	KindAccess   Kind = "access"   // openid, offline_access: how the service may use the account
	KindOIDC     Kind = "oidc"     // standard OpenID Connect data scopes (profile, phone, address)
	KindPerson   Kind = "person"   // ESIA person data in /rs/prns/{oid}
	KindContact  Kind = "contact"  // contacts and addresses (/ctts, /addrs)
	KindDocument Kind = "document" // identity and other documents (/docs)
	KindKid      Kind = "kid"      // the citizen's children (/kids)
	KindProfile  Kind = "profile"  // "Цифровой профиль" data scopes (certificates, income, pension …)
	KindOrg      Kind = "org"      // organisation scopes (/rs/orgs/{orgOid}); URL form with ?org_oid=
)

// Scope is one entry of the catalog.
type Scope struct {
	Name string
	// RU and EN describe the data in words a citizen understands.
	RU, EN string
	// Claims are the claim names the scope releases in the ID token, userinfo and
	// introspection (see the table in doc.go). Empty only for openid and offline_access.
	Claims []string
	// Fields, for scopes that release part of a composite claim ("kids"), are the members of
	// each element the scope adds. See KidFields.
	Fields []string
	// DocTypes are the ESIA /docs element types the scope grants (document scopes only).
	DocTypes []string
	Kind     Kind
	// ESIA: the scope exists in ESIA. OIDC: the scope is defined by OpenID Connect Core.
	// "openid" and "email" are both.
	ESIA, OIDC bool
	// Sensitive: state identifiers, documents, children's, health, money or family data. The
	// consent page marks these.
	Sensitive bool
	// Offline: the scope lets the service act while the citizen is away (a refresh token).
	Offline bool
}

func (s Scope) clone() Scope {
	s.Claims = slices.Clone(s.Claims)
	s.Fields = slices.Clone(s.Fields)
	s.DocTypes = slices.Clone(s.DocTypes)
	return s
}

// Text returns the description in lang ("ru" or "en"; anything else reads Russian).
func (s Scope) Text(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return s.EN
	}
	return s.RU
}

// Scope names the provider and tests refer to.
const (
	OpenID        = "openid"
	OfflineAccess = "offline_access"
)

// Composite claim names.
const (
	ClaimKids = "kids"
)

// catalog is in presentation order: access, OIDC, person, contacts, documents, kids,
// digital profile, organisation. ScopesFor breaks ties by this order.
var catalog = []Scope{
	// Access.
	{Name: OpenID, Kind: KindAccess, ESIA: true, OIDC: true,
		RU: "Подтверждение, что это вы: идентификатор вашей учётной записи без личных данных",
		EN: "Confirmation that it is you: your account identifier, without personal data"},
	{Name: OfflineAccess, Kind: KindAccess, OIDC: true, Offline: true,
		RU: "Доступ к разрешённым данным, когда вы не на сайте сервиса",
		EN: "Access to the permitted data while you are away from the service"},

	// Standard OpenID Connect scopes.
	{Name: "profile", Kind: KindOIDC, OIDC: true,
		RU:     "Фамилия, имя, отчество, дата рождения и пол",
		EN:     "Full name, date of birth and gender",
		Claims: []string{"name", "family_name", "given_name", "middle_name", "birthdate", "gender", "locale", "updated_at"}},
	{Name: "email", Kind: KindContact, ESIA: true, OIDC: true,
		RU:     "Адрес электронной почты",
		EN:     "E-mail address",
		Claims: []string{"email", "email_verified"}},
	{Name: "phone", Kind: KindOIDC, OIDC: true,
		RU:     "Номер мобильного телефона",
		EN:     "Mobile phone number",
		Claims: []string{"phone_number", "phone_number_verified"}},
	{Name: "address", Kind: KindOIDC, OIDC: true,
		RU:     "Адрес регистрации",
		EN:     "Registration address",
		Claims: []string{"address"}},

	// ESIA person scopes.
	{Name: "fullname", Kind: KindPerson, ESIA: true,
		RU:     "Фамилия, имя и отчество",
		EN:     "Surname, first name and patronymic",
		Claims: []string{"name", "family_name", "given_name", "middle_name"}},
	{Name: "birthdate", Kind: KindPerson, ESIA: true,
		RU: "Дата рождения", EN: "Date of birth", Claims: []string{"birthdate"}},
	{Name: "gender", Kind: KindPerson, ESIA: true,
		RU: "Пол", EN: "Gender", Claims: []string{"gender"}},
	{Name: "birthplace", Kind: KindPerson, ESIA: true,
		RU: "Место рождения", EN: "Place of birth", Claims: []string{"birthplace"}},
	{Name: "snils", Kind: KindPerson, ESIA: true, Sensitive: true,
		RU:     "СНИЛС — номер вашего лицевого счёта в Социальном фонде",
		EN:     "SNILS — your Social Fund insurance account number",
		Claims: []string{"snils"}},
	{Name: "inn", Kind: KindPerson, ESIA: true, Sensitive: true,
		RU: "ИНН — ваш номер налогоплательщика", EN: "INN — your taxpayer number", Claims: []string{"inn"}},
	{Name: "citizenship", Kind: KindPerson, ESIA: true,
		RU: "Гражданство", EN: "Citizenship", Claims: []string{"citizenship"}},
	{Name: "usr_avt", Kind: KindPerson, ESIA: true,
		RU: "Фотография вашего профиля", EN: "Your profile picture", Claims: []string{"picture"}},
	{Name: "self_employed", Kind: KindPerson, ESIA: true,
		RU: "Статус самозанятого и дата его подтверждения", EN: "Self-employed status and the date it was confirmed",
		Claims: []string{"self_employed"}},
	{Name: "usr_org", Kind: KindPerson, ESIA: true,
		RU:     "Организации, в которых вы работаете, и ваши роли в них",
		EN:     "Organisations you work for and your roles in them",
		Claims: []string{"organizations"}},
	{Name: "vehicles", Kind: KindPerson, ESIA: true,
		RU:     "Ваши транспортные средства: марка, госномер, свидетельство о регистрации",
		EN:     "Your vehicles: make, number plate, registration certificate",
		Claims: []string{"vehicles"}},

	// Contacts and addresses ("email" is above, with the OIDC scopes).
	{Name: "mobile", Kind: KindContact, ESIA: true,
		RU: "Номер мобильного телефона", EN: "Mobile phone number",
		Claims: []string{"phone_number", "phone_number_verified"}},
	{Name: "contacts", Kind: KindContact, ESIA: true,
		RU:     "Все ваши контакты: телефоны и адреса электронной почты",
		EN:     "All your contacts: phone numbers and e-mail addresses",
		Claims: []string{"contacts", "email", "email_verified", "phone_number", "phone_number_verified"}},
	{Name: "addresses", Kind: KindContact, ESIA: true,
		RU:     "Адреса регистрации и фактического проживания",
		EN:     "Registration and residence addresses",
		Claims: []string{"addresses", "address"}},

	// Documents: the claim is named after the scope and holds the matching /docs elements.
	docScope("id_doc", "Паспорт или другой документ, удостоверяющий личность: серия, номер, кем и когда выдан",
		"Passport or other identity document: series, number, issuer and date of issue", "RF_PASSPORT", "FID_DOC"),
	docScope("foreign_passport_doc", "Заграничный паспорт", "International passport", "FRGN_PASS"),
	docScope("drivers_licence_doc", "Водительское удостоверение", "Driving licence", "RF_DRIVING_LICENSE"),
	docScope("military_doc", "Военный билет", "Military ID", "MLTR_ID"),
	docScope("medical_doc", "Полис обязательного медицинского страхования (ОМС)", "Compulsory medical insurance policy (OMS)", "MDCL_PLCY"),
	docScope("birth_cert_doc", "Свидетельство о рождении", "Birth certificate", "RF_BRTH_CERT", "FID_BRTH_CERT", "OLD_BRTH_CERT", "BRTH_CERT"),
	docScope("residence_doc", "Вид на жительство", "Residence permit"),
	docScope("temporary_residence_doc", "Разрешение на временное проживание", "Temporary residence permit"),

	// Children.
	kidScope("kid_fullname", "Фамилии, имена и отчества ваших детей", "Your children's full names", "family_name", "given_name", "middle_name"),
	kidScope("kid_birthdate", "Даты рождения ваших детей", "Your children's dates of birth", "birthdate"),
	kidScope("kid_gender", "Пол ваших детей", "Your children's gender", "gender"),
	kidScope("kid_snils", "СНИЛС ваших детей", "Your children's SNILS", "snils"),
	kidScope("kid_inn", "ИНН ваших детей", "Your children's INN", "inn"),
	kidScope("kid_birth_cert_doc", "Свидетельства о рождении ваших детей", "Your children's birth certificates", "birth_cert_doc"),
	kidScope("kid_medical_doc", "Полисы ОМС ваших детей", "Your children's medical insurance policies", "medical_doc"),
	kidScope("kid_mobile", "Номера мобильных телефонов ваших детей", "Your children's mobile phone numbers", "phone_number"),
	kidScope("kid_email", "Адреса электронной почты ваших детей", "Your children's e-mail addresses", "email"),
	kidScope("kid_school_data", "Сведения о школах, в которых учатся ваши дети", "Schools your children attend", "school_data"),

	// Digital profile ("Цифровой профиль") data scopes: the claim is named after the scope.
	profileScope("history_passport_doc", "Сведения о ранее выданных вам паспортах", "Passports issued to you before", "PASSPORT_HISTORY"),
	profileScope("vehicle_reg_cert_doc", "Свидетельства о регистрации ваших транспортных средств", "Registration certificates of your vehicles", "VEHICLE_INFO"),
	profileScope("change_fullname_cert_doc", "Свидетельства о перемене имени", "Change-of-name certificates", "NAME_CHANGE_CERT"),
	profileScope("marriage_cert_doc", "Свидетельства о заключении брака", "Marriage certificates", "MARRIED_CERT"),
	profileScope("divorce_cert_doc", "Свидетельства о расторжении брака", "Divorce certificates", "DIVORCE_CERT"),
	profileScope("death_cert_doc", "Свидетельства о смерти близких", "Death certificates of relatives"),
	profileScope("paternity_cert_doc", "Свидетельства об установлении отцовства", "Paternity certificates", "FATHERHOOD_CERT"),
	profileScope("ils_doc", "Выписка из вашего лицевого счёта в Социальном фонде: стаж и пенсионные права", "Statement of your Social Fund account: work record and pension rights", "ILS_SFR", "ILS_PFR"),
	profileScope("ndfl_person", "Справка о ваших доходах и удержанных налогах (2‑НДФЛ)", "Statement of your income and tax withheld (2-NDFL)", "INCOME_REFERENCE"),
	profileScope("electronic_workbook", "Электронная трудовая книжка", "Electronic employment record", "ELECTRONIC_WORKBOOK"),
	profileScope("pre_retirement_age", "Сведения о том, что вы достигли предпенсионного возраста", "Whether you have reached pre-retirement age", "PRE_RETIREMENT_AGE"),
	profileScope("payments_egisso", "Назначенные вам меры социальной поддержки и выплаты (ЕГИССО)", "Social support measures and payments granted to you (EGISSO)", "PAYMENTS_EGISSO"),
	profileScope("payout_income", "Сведения о выплатах и доходах", "Payments and income", "PAYOUT_INCOME"),
	profileScope("pension_reference", "Справка о размере вашей пенсии и других выплат", "Statement of your pension and other payments", "PENSION_REFERENCE"),
	profileScope("family_assets_balance", "Сведения об имуществе и доходах вашей семьи", "Your family's property and income", "FAMILY_ASSETS"),
	profileScope("legalcapacity", "Сведения о вашей дееспособности", "Your legal capacity"),
	profileScope("social_support_info", "Сведения о положенных вам мерах социальной поддержки", "Social support you are entitled to"),
	profileScope("bank_account", "Реквизиты вашего банковского счёта", "Your bank account details"),
	profileScope("reg_realestate", "Сведения о вашей недвижимости из ЕГРН", "Your real estate from the state register (EGRN)", "REG_REALESTATE"),
	profileScope("educational_doc", "Документы о вашем образовании", "Your education certificates"),
	profileScope("ege_result", "Результаты ЕГЭ", "Unified state exam (EGE) results"),
	profileScope("osago_policy", "Полис ОСАГО", "Compulsory motor insurance policy (OSAGO)"),
	profileScope("remd_medical_doc", "Ваши электронные медицинские документы", "Your electronic medical records"),
	profileScope("student_ticket", "Студенческий билет", "Student card"),

	// Organisation scopes. Requested bare ("org_emps") or in ESIA's URL form naming the
	// organisation ("http://esia.gosuslugi.ru/org_emps?org_oid=1000298922").
	orgScope("org_shortname", "Краткое название организации", "Organisation's short name"),
	orgScope("org_fullname", "Полное название организации", "Organisation's full name"),
	orgScope("org_type", "Тип организации", "Organisation type"),
	orgScope("org_leg", "Организационно-правовая форма организации", "Organisation's legal form"),
	orgScope("org_inn", "ИНН организации", "Organisation's INN"),
	orgScope("org_ogrn", "ОГРН организации", "Organisation's OGRN"),
	orgScope("org_kpp", "КПП организации", "Organisation's KPP"),
	orgScope("org_oktmo", "Код ОКТМО организации", "Organisation's OKTMO code"),
	orgScope("org_agencytype", "Тип органа власти", "Type of public authority"),
	orgScope("org_agencyterrange", "Территория, за которую отвечает орган власти", "Territory the public authority serves"),
	orgScope("org_ctts", "Контакты организации", "Organisation's contacts"),
	orgScope("org_addrs", "Адреса организации", "Organisation's addresses"),
	orgScope("org_vhls", "Транспортные средства организации", "Organisation's vehicles"),
	orgScope("org_grps", "Группы доступа сотрудников организации", "Organisation's access groups"),
	orgScope("org_emps", "Список сотрудников организации", "Organisation's employees"),
	orgScope("org_brhs", "Филиалы организации", "Organisation's branches"),
	orgScope("org_brhs_ctts", "Контакты филиалов организации", "Contacts of the organisation's branches"),
	orgScope("org_brhs_addrs", "Адреса филиалов организации", "Addresses of the organisation's branches"),
	orgScope("org_invts", "Приглашения сотрудников в организацию", "Invitations to join the organisation"),
	orgScope("org_inf", "Основные сведения об организации", "Basic information about the organisation"),
}

func docScope(name, ru, en string, types ...string) Scope {
	return Scope{Name: name, Kind: KindDocument, ESIA: true, Sensitive: true, RU: ru, EN: en,
		Claims: []string{name}, DocTypes: types}
}

func kidScope(name, ru, en string, fields ...string) Scope {
	return Scope{Name: name, Kind: KindKid, ESIA: true, Sensitive: true, RU: ru, EN: en,
		Claims: []string{ClaimKids}, Fields: fields}
}

func profileScope(name, ru, en string, types ...string) Scope {
	return Scope{Name: name, Kind: KindProfile, ESIA: true, Sensitive: true, RU: ru, EN: en,
		Claims: []string{name}, DocTypes: types}
}

func orgScope(name, ru, en string) Scope {
	return Scope{Name: name, Kind: KindOrg, ESIA: true, RU: ru, EN: en, Claims: []string{name}}
}

var byName = func() map[string]int {
	m := make(map[string]int, len(catalog))
	for i, s := range catalog {
		if _, dup := m[s.Name]; dup {
			panic("consent: duplicate scope " + s.Name)
		}
		m[s.Name] = i
	}
	return m
}()

// All returns the catalog in presentation order (copies).
func All() []Scope {
	out := make([]Scope, len(catalog))
	for i, s := range catalog {
		out[i] = s.clone()
	}
	return out
}

// Lookup finds a scope by name. It also accepts the forms ESIA puts on the wire: a person
// scope with the "?oid=<digits>" echo of a token ("fullname?oid=1000404446") and an
// organisation scope in URL form ("http://esia.gosuslugi.ru/org_emps?org_oid=1000298922");
// both resolve to the catalog entry of the bare name.
func Lookup(name string) (Scope, bool) {
	i, ok := byName[Base(name)]
	if !ok {
		return Scope{}, false
	}
	return catalog[i].clone(), true
}

// Base reduces a wire form to the catalog name: it strips a "?oid=<digits>" echo and turns an
// organisation URL into its scope name. Anything else is returned unchanged.
func Base(scope string) string {
	if o, ok := ParseOrgScope(scope); ok {
		return o.Name
	}
	return StripOID(scope)
}

// StripOID removes ESIA's "?oid=<digits>" echo from a scope ("snils?oid=1" → "snils").
func StripOID(scope string) string {
	name, q, ok := strings.Cut(scope, "?oid=")
	if !ok || name == "" || !digits(q) {
		return scope
	}
	return name
}

// EchoOID renders granted scopes the way ESIA's access token and code carry them: each ESIA
// scope gets "?oid=<oid>", except openid and organisation scopes (which name their
// organisation with org_oid already). Other scopes are returned unchanged.
func EchoOID(scopes []string, oid string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		sc, ok := Lookup(s)
		if !ok || !sc.ESIA || sc.Name == OpenID || sc.Kind == KindOrg || s != sc.Name {
			out = append(out, s)
			continue
		}
		out = append(out, s+"?oid="+oid)
	}
	return out
}

// OrgScope is an organisation scope in ESIA's URL form.
type OrgScope struct {
	Name   string // catalog name, e.g. "org_emps"
	OrgOID string // decimal digits
}

// ParseOrgScope recognises "http(s)://<host>/<org scope>?org_oid=<digits>". The host is not
// checked (ESIA's test stand and production both use the production host in scope URLs, and
// the emulator runs under any host); the path must be a catalogued organisation scope and
// org_oid the only query parameter.
func ParseOrgScope(s string) (OrgScope, bool) {
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return OrgScope{}, false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Fragment != "" || u.User != nil {
		return OrgScope{}, false
	}
	name := strings.TrimPrefix(u.Path, "/")
	i, ok := byName[name]
	if !ok || catalog[i].Kind != KindOrg {
		return OrgScope{}, false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q) != 1 || len(q["org_oid"]) != 1 || !digits(q.Get("org_oid")) {
		return OrgScope{}, false
	}
	return OrgScope{Name: name, OrgOID: q.Get("org_oid")}, true
}

func digits(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Text describes a requested scope (any wire form) in lang. An organisation URL names its
// organisation; an unknown scope is described by its name.
func Text(scope, lang string) string {
	sc, ok := Lookup(scope)
	if !ok {
		return scope
	}
	t := sc.Text(lang)
	if o, ok := ParseOrgScope(scope); ok {
		if strings.HasPrefix(strings.ToLower(lang), "en") {
			return t + " (organisation " + o.OrgOID + ")"
		}
		return t + " (организация " + o.OrgOID + ")"
	}
	return t
}

// Errors of Validate. The provider answers both with invalid_scope (ESIA dialect: ESIA-007006
// for unknown, ESIA-007019 noGrants for not allowed).
var (
	ErrUnknownScope    = errors.New("unknown scope")
	ErrScopeNotAllowed = errors.New("scope not allowed for this client")
)

// ScopeError names the offending scopes. errors.Is(err, ErrUnknownScope) or
// errors.Is(err, ErrScopeNotAllowed) tells which rule refused them.
type ScopeError struct {
	Err    error    // ErrUnknownScope or ErrScopeNotAllowed
	Scopes []string // as requested, in request order
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%v: %s", e.Err, strings.Join(e.Scopes, " "))
}

func (e *ScopeError) Unwrap() error { return e.Err }

// Validate checks a request's scopes against the catalog and the client's allowed list and
// returns them normalised: blanks and duplicates dropped, the "?oid=" echo stripped,
// organisation URLs kept as sent (they name the organisation), request order kept.
//
// Unknown scopes give a *ScopeError wrapping ErrUnknownScope; known scopes missing from
// allowed give one wrapping ErrScopeNotAllowed (unknown is reported first). An empty allowed
// list allows every catalogued scope; "openid" is always allowed; an allowed bare
// organisation scope ("org_emps") allows it for any organisation, an allowed URL only for
// that organisation. Validate(names, nil) also checks a client configuration's lists.
func Validate(requested, allowed []string) ([]string, error) {
	allow := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		allow[a] = true
	}
	var out, unknown, refused []string
	seen := map[string]bool{}
	for _, r := range requested {
		s := strings.TrimSpace(r)
		if s == "" {
			continue
		}
		if _, isOrg := ParseOrgScope(s); !isOrg {
			s = StripOID(s)
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		sc, ok := Lookup(s)
		if !ok {
			unknown = append(unknown, s)
			continue
		}
		if len(allowed) > 0 && sc.Name != OpenID && !allow[s] && !allow[sc.Name] {
			refused = append(refused, s)
			continue
		}
		out = append(out, s)
	}
	if len(unknown) > 0 {
		return nil, &ScopeError{Err: ErrUnknownScope, Scopes: unknown}
	}
	if len(refused) > 0 {
		return nil, &ScopeError{Err: ErrScopeNotAllowed, Scopes: refused}
	}
	return out, nil
}

// ProtocolClaims are set by the token engine, not by consent: a claims request may name them
// (acr with values, auth_time as essential …) and Release never reports them missing.
var ProtocolClaims = []string{
	"sub", "iss", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "acr", "amr", "azp",
	"sid", "at_hash", "c_hash", "level", "trusted",
}

// SupportedClaims lists every claim name the emulator may release, for discovery's
// claims_supported: the protocol claims and every catalog claim, sorted.
func SupportedClaims() []string {
	set := map[string]bool{}
	for _, c := range ProtocolClaims {
		set[c] = true
	}
	for _, s := range catalog {
		for _, c := range s.Claims {
			set[c] = true
		}
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ScopeClaims is the union of the claims the scopes release (any wire form; unknown scopes
// release nothing).
func ScopeClaims(scopes []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range scopes {
		sc, ok := Lookup(s)
		if !ok {
			continue
		}
		for _, c := range sc.Claims {
			out[c] = true
		}
	}
	return out
}

// KidFields returns the members of each element of the "kids" claim that the scopes release
// (from the kid_* scopes), so the provider builds each child's object with only those. The
// child's oid is always included when any kid_* scope is granted.
func KidFields(scopes []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range scopes {
		sc, ok := Lookup(s)
		if !ok || sc.Kind != KindKid {
			continue
		}
		out["oid"] = true
		for _, f := range sc.Fields {
			out[f] = true
		}
	}
	return out
}

// DocTypes returns the ESIA /docs element types the scopes grant, for the person API.
func DocTypes(scopes []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range scopes {
		sc, ok := Lookup(s)
		if !ok {
			continue
		}
		for _, t := range sc.DocTypes {
			out[t] = true
		}
	}
	return out
}

// ScopesFor returns, for claims asked for by name (a claims request parameter), the scopes
// that would cover them: for each claim the catalog scope with the fewest claims that
// releases it (ties by catalog order, so the OIDC scope wins over its ESIA twin). Protocol
// and unknown claims need no scope. The result is in catalog order without duplicates. The
// provider may add these to the consent question (see doc.go); Release alone never goes
// beyond the grant.
func ScopesFor(claims []string) []string {
	want := map[int]bool{}
	for _, c := range claims {
		best := -1
		for i, s := range catalog {
			if s.Kind == KindOrg || !slices.Contains(s.Claims, c) {
				continue
			}
			if best < 0 || len(s.Claims) < len(catalog[best].Claims) {
				best = i
			}
		}
		if best >= 0 {
			want[best] = true
		}
	}
	var out []string
	for i, s := range catalog {
		if want[i] {
			out = append(out, s.Name)
		}
	}
	return out
}
