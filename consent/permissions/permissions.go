package permissions

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/consent"
)

// Bounds of one permissions parameter.
const (
	MaxEncoded  = 4 << 10 // characters of the base64url parameter
	MaxRequests = 8       // consent requests in the array
	MaxItems    = 32      // actions, purposes or scopes in one request
	MaxSysname  = 128     // characters of one sysname
)

// Request is one consent request as the relying party sent it.
type Request struct {
	ResponsibleObject string `json:"responsibleObject,omitempty"`
	Sysname           string `json:"sysname"`
	// Expire is the consent's lifetime in minutes; 0 (absent) takes the type's maximum.
	Expire   int64  `json:"expire,omitempty"`
	Actions  []Item `json:"actions"`
	Purposes []Item `json:"purposes"`
	Scopes   []Item `json:"scopes"`
}

// Item is an {"sysname": …} entry of actions, purposes or scopes.
type Item struct {
	Sysname string `json:"sysname"`
}

// Names returns the items' sysnames.
func Names(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Sysname
	}
	return out
}

// Error is a refused permissions parameter: ESIA's code and text, and what was wrong.
type Error struct {
	Code   string // ESIA-0367xx or ESIA-007003
	Text   string // ESIA's Russian text
	Detail string // which part, for the log and the diagnostics
}

func (e *Error) Error() string { return e.Code + ": " + e.Text + " (" + e.Detail + ")" }

// The ESIA-0367xx errors (go-api-epgu esia/aas/errors.go).
const (
	CodeNoType         = "ESIA-036700"
	CodeUnknownType    = "ESIA-036701"
	CodeNoScope        = "ESIA-036702"
	CodeScopeOutside   = "ESIA-036703"
	CodeScopeForbidden = "ESIA-036704"
	CodeNoAction       = "ESIA-036705"
	CodeUnknownAction  = "ESIA-036706"
	CodeNoPurpose      = "ESIA-036707"
	CodeBadExpire      = "ESIA-036716"
	CodeUnknownPurpose = "ESIA-036726"
	CodeOnePurpose     = "ESIA-036727"
	CodeMalformed      = "ESIA-007003"
)

var texts = map[string]string{
	CodeNoType:         "Не указана мнемоника типа согласия",
	CodeUnknownType:    "Не найден тип согласия",
	CodeNoScope:        "Не указан обязательный скоуп для типа согласия",
	CodeScopeOutside:   "Указанные скоупы выходят за рамки разрешенных для типа согласия",
	CodeScopeForbidden: "Запрещено указывать скоупы для типа согласия",
	CodeNoAction:       "Необходимо указать хотя бы одно действие",
	CodeUnknownAction:  "Указанное действие не существует",
	CodeNoPurpose:      "Необходимо указать хотя бы одну цель",
	CodeBadExpire:      "Указано некорректное время истечения срока действия согласия",
	CodeUnknownPurpose: "Указанная цель не существует",
	CodeOnePurpose:     "Необходимо указать одну цель согласия",
	CodeMalformed:      "В запросе отсутствует обязательный параметр, запрос включает в себя неверное значение параметра или включает параметр несколько раз",
}

func fail(code, detail string, a ...any) *Error {
	return &Error{Code: code, Text: texts[code], Detail: fmt.Sprintf(detail, a...)}
}

// Parse decodes and validates the permissions parameter (base64url, padded or not). The
// result is never empty when err is nil.
func Parse(raw string) ([]Request, *Error) {
	if len(raw) > MaxEncoded {
		return nil, fail(CodeMalformed, "permissions: longer than %d characters", MaxEncoded)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err != nil {
		return nil, fail(CodeMalformed, "permissions: not base64url: %v", err)
	}
	var reqs []Request
	if err := json.Unmarshal(b, &reqs); err != nil {
		return nil, fail(CodeMalformed, "permissions: not a JSON array of consent requests: %v", err)
	}
	switch {
	case len(reqs) == 0:
		return nil, fail(CodeNoType, "permissions: the array is empty")
	case len(reqs) > MaxRequests:
		return nil, fail(CodeMalformed, "permissions: more than %d consent requests", MaxRequests)
	}
	for i := range reqs {
		if e := check(&reqs[i]); e != nil {
			e.Detail = fmt.Sprintf("permissions[%d]: %s", i, e.Detail)
			return nil, e
		}
	}
	return reqs, nil
}

func check(r *Request) *Error {
	for _, l := range [][]Item{r.Actions, r.Purposes, r.Scopes} {
		if len(l) > MaxItems {
			return fail(CodeMalformed, "more than %d actions, purposes or scopes", MaxItems)
		}
		for _, it := range l {
			if len(it.Sysname) > MaxSysname {
				return fail(CodeMalformed, "a sysname longer than %d characters", MaxSysname)
			}
		}
	}
	if len(r.Sysname) > MaxSysname || len(r.ResponsibleObject) > 4*MaxSysname {
		return fail(CodeMalformed, "sysname or responsibleObject too long")
	}
	if strings.TrimSpace(r.Sysname) == "" {
		return fail(CodeNoType, "sysname is missing")
	}
	t, ok := LookupType(r.Sysname)
	if !ok {
		return fail(CodeUnknownType, "unknown consent type %q", r.Sysname)
	}
	switch {
	case r.Expire < 0 || r.Expire > t.MaxExpire:
		return fail(CodeBadExpire, "expire %d: want 1…%d minutes", r.Expire, t.MaxExpire)
	case r.Expire == 0:
		r.Expire = t.MaxExpire
	}
	if len(r.Actions) == 0 {
		return fail(CodeNoAction, "actions is empty")
	}
	for _, a := range r.Actions {
		if _, ok := actions[a.Sysname]; !ok {
			return fail(CodeUnknownAction, "unknown action %q", a.Sysname)
		}
	}
	switch {
	case len(r.Purposes) == 0:
		return fail(CodeNoPurpose, "purposes is empty")
	case len(r.Purposes) > 1:
		return fail(CodeOnePurpose, "%d purposes, one is allowed", len(r.Purposes))
	}
	if _, ok := purposes[r.Purposes[0].Sysname]; !ok {
		return fail(CodeUnknownPurpose, "unknown purpose %q", r.Purposes[0].Sysname)
	}
	if len(t.Scopes) == 0 {
		if len(r.Scopes) > 0 {
			return fail(CodeScopeForbidden, "type %s takes no scopes", t.Sysname)
		}
		return nil
	}
	if len(r.Scopes) == 0 {
		return fail(CodeNoScope, "scopes is empty")
	}
	for _, s := range r.Scopes {
		if !slices.Contains(t.Scopes, s.Sysname) {
			return fail(CodeScopeOutside, "scope %q is not allowed for type %s", s.Sysname, t.Sysname)
		}
	}
	return nil
}

// Encode is the parameter a relying party sends for reqs (base64url without padding).
func Encode(reqs []Request) string {
	b, _ := json.Marshal(reqs)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Type is a consent type of the emulator's catalog.
type Type struct {
	Sysname string
	// RU is the consent's name in the citizen's words.
	RU string
	// MaxExpire is the longest lifetime in minutes (and the lifetime when expire is absent).
	MaxExpire int64
	// Scopes may be asked under this type; none: the type takes no scopes (ESIA-036704).
	Scopes []string
}

// The catalog. Sysnames seen in public clients (APIPGU, CREDIT, ALL_ACTIONS_TO_DATA,
// SHARE_DATA, USE_DATA) keep their names; SOCIAL_SUPPORT, PENSION and the purposes named
// after them are the emulator's own for the Social Fund scenarios.
var types = []Type{
	{Sysname: "SOCIAL_SUPPORT", RU: "Согласие на получение сведений для назначения мер социальной поддержки", MaxExpire: 525600,
		Scopes: []string{"fullname", "birthdate", "snils", "payments_egisso", "ils_doc", "pension_reference", "pre_retirement_age", "payout_income", "electronic_workbook", "ndfl_person", "social_support_info"}},
	{Sysname: "PENSION", RU: "Согласие на получение сведений о пенсионных правах", MaxExpire: 525600,
		Scopes: []string{"fullname", "snils", "ils_doc", "pension_reference", "pre_retirement_age", "electronic_workbook"}},
	{Sysname: "CREDIT", RU: "Согласие на получение сведений для оформления кредита", MaxExpire: 43200,
		Scopes: []string{"fullname", "birthdate", "gender", "snils", "inn", "id_doc", "mobile", "email", "payout_income", "ndfl_person", "electronic_workbook"}},
	{Sysname: "APIPGU", RU: "Согласие на подачу заявлений на Госуслугах от вашего имени", MaxExpire: 525600},
}

var actions = map[string]string{
	"ALL_ACTIONS_TO_DATA": "получение, хранение и обработка сведений",
	"USE_DATA":            "использование сведений",
	"SHARE_DATA":          "передача сведений третьим лицам",
}

var purposes = map[string]string{
	"SOCIAL_SUPPORT": "назначение и выплата мер социальной поддержки",
	"PENSION":        "назначение и перерасчёт пенсии",
	"CREDIT":         "рассмотрение заявки на кредит",
	"APIPGU":         "подача заявлений и получение результатов услуг",
}

// LookupType returns the consent type of the catalog.
func LookupType(sysname string) (Type, bool) {
	for _, t := range types {
		if t.Sysname == sysname {
			return t, true
		}
	}
	return Type{}, false
}

// Types returns the catalog's consent types.
func Types() []Type { return slices.Clone(types) }

// ActionText is the citizen's wording of an action ("" when unknown).
func ActionText(sysname string) string { return actions[sysname] }

// PurposeText is the citizen's wording of a purpose ("" when unknown).
func PurposeText(sysname string) string { return purposes[sysname] }

// TypeText is the citizen's name of a consent type (the sysname when unknown).
func TypeText(sysname string) string {
	if t, ok := LookupType(sysname); ok {
		return t.RU
	}
	return sysname
}

// ScopeText is the citizen's wording of a scope (the scope catalog's Russian text).
func ScopeText(scope string) string { return consent.Text(scope, "ru") }
