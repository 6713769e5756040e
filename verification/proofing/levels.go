package proofing

import (
	"errors"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// DocRFPassport is the ESIA document type of the Russian internal passport.
const DocRFPassport = "RF_PASSPORT"

// ConfirmMethod names how a citizen's identity was confirmed.
type ConfirmMethod string

const (
	// ConfirmServiceCentre: an operator of a service centre (МФЦ, СФР, …) saw the passport.
	ConfirmServiceCentre ConfirmMethod = "service_centre"
	// ConfirmLetter: the citizen entered the code from a registered letter (Почта России).
	ConfirmLetter ConfirmMethod = "letter"
	// ConfirmESignature: the citizen signed a challenge with a qualified e-signature (КЭП).
	ConfirmESignature ConfirmMethod = "esignature"
	// ConfirmBank: a partner bank's online banking confirmed the citizen.
	ConfirmBank ConfirmMethod = "bank"
	// ConfirmPreset: the account was seeded confirmed (a configured persona or an admin import).
	ConfirmPreset ConfirmMethod = "preset"
)

// Valid reports whether m is one of the known methods.
func (m ConfirmMethod) Valid() bool {
	switch m {
	case ConfirmServiceCentre, ConfirmLetter, ConfirmESignature, ConfirmBank, ConfirmPreset:
		return true
	}
	return false
}

// Confirmation records that the citizen's identity was confirmed: how, when and by whom.
// It is meant to become storage.Confirmation, kept on storage.User.Confirmation.
type Confirmation struct {
	Method ConfirmMethod `json:"method"`
	At     time.Time     `json:"at"`
	// By: the operator and centre, the letter's tracking id, the certificate's issuer and
	// serial number, or the bank — whatever lets an auditor trace the confirmation.
	By string `json:"by,omitempty"`
}

// Valid reports whether the confirmation names a known method and a time.
func (c *Confirmation) Valid() bool { return c != nil && c.Method.Valid() && !c.At.IsZero() }

// Proofs are the verification facts a level rests on that storage.User does not hold yet.
// Each field is meant to move onto storage.User under the same name (the passport's failure
// reason onto storage.Document as VrfReason); until then the provider keeps them beside
// the record and passes them in.
type Proofs struct {
	// SNILSVrf is the pension fund's verdict on User.SNILS: NOT_VERIFIED (or ""), VERIFYING,
	// VERIFIED or VERIFICATION_FAILED; SNILSVrfReason the failure reason (Reason*).
	SNILSVrf       string `json:"snils_vrf,omitempty"`
	SNILSVrfReason string `json:"snils_vrf_reason,omitempty"`
	// INNVrf and INNVrfReason: the tax service's verdict on User.INN.
	INNVrf       string `json:"inn_vrf,omitempty"`
	INNVrfReason string `json:"inn_vrf_reason,omitempty"`
	// PassportVrfReason: the interior ministry's failure reason for the current RF passport
	// (its state is Document.VrfStu). Meant to become Document.VrfReason.
	PassportVrfReason string `json:"passport_vrf_reason,omitempty"`
	// Confirmation is set once the identity has been confirmed.
	Confirmation *Confirmation `json:"confirmation,omitempty"`
	// StatusDeadline: the date by which the citizen must act on the account status (zero: none).
	StatusDeadline time.Time `json:"status_deadline,omitzero"`
}

// CurrentPassport returns the account's RF passport: the last RF_PASSPORT document (the
// provider keeps one; a replaced passport is replaced in place).
func CurrentPassport(u storage.User) (storage.Document, bool) {
	for i := len(u.Documents) - 1; i >= 0; i-- {
		if u.Documents[i].Type == DocRFPassport {
			return u.Documents[i], true
		}
	}
	return storage.Document{}, false
}

// Requirement is one thing an account lacks for the next level.
type Requirement string

const (
	NeedName     Requirement = "name"     // surname and first name
	NeedContact  Requirement = "contact"  // a confirmed mobile phone or e-mail
	NeedSNILS    Requirement = "snils"    // SNILS verified by the pension fund
	NeedPassport Requirement = "passport" // RF passport verified by the interior ministry
	NeedIdentity Requirement = "identity" // identity confirmed (service centre, letter, КЭП, bank)
)

// Text is the requirement in Russian, as the level page lists it.
func (r Requirement) Text() string {
	switch r {
	case NeedName:
		return "Укажите фамилию и имя."
	case NeedContact:
		return "Подтвердите мобильный телефон или адрес электронной почты."
	case NeedSNILS:
		return "Укажите СНИЛС и дождитесь его проверки в Социальном фонде России."
	case NeedPassport:
		return "Укажите данные паспорта гражданина РФ и дождитесь их проверки в МВД России."
	case NeedIdentity:
		return "Подтвердите личность: в центре обслуживания, кодом из заказного письма или квалифицированной электронной подписью."
	}
	return string(r)
}

// Missing lists what the account lacks for each level, in level order: simplified needs
// names and a confirmed contact; standard adds SNILS VERIFIED and the RF passport VERIFIED;
// confirmed adds a valid Confirmation.
func Missing(u storage.User, p Proofs) map[storage.Level][]Requirement {
	var simple, std, conf []Requirement
	if strings.TrimSpace(u.LastName) == "" || strings.TrimSpace(u.FirstName) == "" {
		simple = append(simple, NeedName)
	}
	if !(u.PhoneVerified && u.Phone != "") && !(u.EmailVerified && u.Email != "") {
		simple = append(simple, NeedContact)
	}
	if u.SNILS == "" || p.SNILSVrf != storage.VerifyVerified {
		std = append(std, NeedSNILS)
	}
	if d, ok := CurrentPassport(u); !ok || d.VrfStu != storage.VerifyVerified {
		std = append(std, NeedPassport)
	}
	if !p.Confirmation.Valid() {
		conf = append(conf, NeedIdentity)
	}
	std = append(append([]Requirement(nil), simple...), std...)
	conf = append(append([]Requirement(nil), std...), conf...)
	return map[storage.Level][]Requirement{
		storage.LevelSimplified: simple,
		storage.LevelStandard:   std,
		storage.LevelConfirmed:  conf,
	}
}

// LevelOf returns the level the record's verification states justify:
//
//   - simplified: surname and first name, and a confirmed phone or e-mail;
//   - standard: simplified, plus SNILS VERIFIED and the RF passport's VrfStu VERIFIED;
//   - confirmed: standard, plus a valid Confirmation.
//
// It returns "" when not even simplified is justified (registration unfinished). INN is
// optional for every level. The level is independent of the account status.
func LevelOf(u storage.User, p Proofs) storage.Level {
	m := Missing(u, p)
	switch {
	case len(m[storage.LevelConfirmed]) == 0:
		return storage.LevelConfirmed
	case len(m[storage.LevelStandard]) == 0:
		return storage.LevelStandard
	case len(m[storage.LevelSimplified]) == 0:
		return storage.LevelSimplified
	}
	return ""
}

// MissingFor lists what the account lacks to reach want (nil when it has it).
func MissingFor(u storage.User, p Proofs, want storage.Level) []Requirement {
	return Missing(u, p)[want]
}

// Trusted reports ESIA's "trusted" flag (is_tru, trusted:true): the account is confirmed.
func Trusted(l storage.Level) bool { return l == storage.LevelConfirmed }

// Errors of the confirmation preconditions.
var (
	// ErrNotStandard: identity can be confirmed only once SNILS and passport are verified.
	ErrNotStandard = errors.New("proofing: SNILS and passport must be verified before identity confirmation")
	// ErrAlreadyConfirmed: the account is already confirmed.
	ErrAlreadyConfirmed = errors.New("proofing: identity already confirmed")
)

// CanConfirm reports whether the citizen may confirm identity now: the account must be
// standard (ErrNotStandard) and not yet confirmed (ErrAlreadyConfirmed).
func CanConfirm(u storage.User, p Proofs) error {
	switch LevelOf(u, p) {
	case storage.LevelConfirmed:
		return ErrAlreadyConfirmed
	case storage.LevelStandard:
		return nil
	}
	return ErrNotStandard
}

// LevelNotice is the message to the citizen when the level changes from old to new; ok is
// false when it did not change.
func LevelNotice(old, new storage.Level) (n Notice, ok bool) {
	if old == new {
		return Notice{}, false
	}
	switch {
	case new == storage.LevelConfirmed:
		return Notice{Kind: KindLevelChange, Subject: "Учётная запись подтверждена",
			Body: "Ваша личность подтверждена. Учётной записи присвоен уровень «Подтверждённая»: вам доступны все электронные услуги."}, true
	case new == storage.LevelStandard && old.Rank() < new.Rank():
		return Notice{Kind: KindLevelChange, Subject: "Учётная запись стала стандартной",
			Body: "СНИЛС и паспорт успешно проверены. Учётной записи присвоен уровень «Стандартная». " +
				"Чтобы получить доступ ко всем услугам, подтвердите личность: в центре обслуживания, " +
				"кодом из заказного письма или квалифицированной электронной подписью."}, true
	case new == storage.LevelSimplified && old.Rank() < new.Rank():
		return Notice{Kind: KindLevelChange, Subject: "Регистрация завершена",
			Body: "Учётная запись создана, её уровень — «Упрощённая». Заполните профиль (СНИЛС и паспорт), чтобы получить стандартную учётную запись."}, true
	}
	return Notice{Kind: KindLevelChange, Subject: "Уровень учётной записи понижен",
		Body: "Уровень учётной записи изменился на «" + LevelTitle(new) + "», потому что изменились данные, которые требуют проверки. " +
			"Дождитесь окончания проверки или обратитесь в центр обслуживания."}, true
}

// LevelTitle is the level's Russian name («Упрощённая», «Стандартная», «Подтверждённая»).
func LevelTitle(l storage.Level) string {
	switch l {
	case storage.LevelSimplified:
		return "Упрощённая"
	case storage.LevelStandard:
		return "Стандартная"
	case storage.LevelConfirmed:
		return "Подтверждённая"
	}
	return "Не определён"
}

// Verifying reports ESIA's person flag "verifying": a registry check of the account's SNILS,
// INN or RF passport is under way.
func Verifying(u storage.User, p Proofs) bool {
	d, _ := CurrentPassport(u)
	return p.SNILSVrf == storage.VerifyVerifying || p.INNVrf == storage.VerifyVerifying || d.VrfStu == storage.VerifyVerifying
}
