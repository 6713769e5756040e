package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// CheckKind names what a registry check verifies.
type CheckKind string

const (
	CheckSNILS    CheckKind = "snils"    // pension fund
	CheckPassport CheckKind = "passport" // interior ministry
	CheckINN      CheckKind = "inn"      // tax service
)

// CheckKinds lists every kind, in the order checks are shown.
var CheckKinds = []CheckKind{CheckSNILS, CheckPassport, CheckINN}

// Failure reasons of registry checks. The passport ones are ESIA's fmsState values.
const (
	ReasonPersonNotFound   = "PERSON_NOT_FOUND"
	ReasonPassportNotFound = "PASSPORT_NOT_FOUND"
	ReasonPassportInvalid  = "PASSPORT_INVALID"
	ReasonINNNotFound      = "INN_NOT_FOUND"
	ReasonDataMismatch     = "DATA_MISMATCH"
	ReasonInvalidData      = "INVALID_DATA"
)

// outcomes lists the outcomes a fixture of each kind may name (VERIFIED first).
var outcomes = map[CheckKind][]string{
	CheckSNILS:    {storage.VerifyVerified, ReasonPersonNotFound, ReasonDataMismatch},
	CheckPassport: {storage.VerifyVerified, ReasonPassportInvalid, ReasonPassportNotFound, ReasonPersonNotFound, ReasonDataMismatch},
	CheckINN:      {storage.VerifyVerified, ReasonINNNotFound, ReasonDataMismatch},
}

// ReasonText is the reason in Russian, as the end of "Проверка … не пройдена: …".
func ReasonText(reason string) string {
	switch reason {
	case ReasonPersonNotFound:
		return "сведения о гражданине не найдены"
	case ReasonPassportNotFound:
		return "паспорт с такими серией и номером не найден"
	case ReasonPassportInvalid:
		return "паспорт недействителен"
	case ReasonINNNotFound:
		return "ИНН не найден"
	case ReasonDataMismatch:
		return "ФИО или дата рождения не совпадают со сведениями ведомства"
	case ReasonInvalidData:
		return "данные заполнены с ошибкой"
	case "":
		return "причина не указана"
	}
	return strings.ToLower(reason)
}

// Holder is the person a fixture describes; empty fields match anything.
type Holder struct {
	LastName   string `yaml:"last_name,omitempty" json:"last_name,omitempty"`
	FirstName  string `yaml:"first_name,omitempty" json:"first_name,omitempty"`
	MiddleName string `yaml:"middle_name,omitempty" json:"middle_name,omitempty"`
	BirthDate  string `yaml:"birth_date,omitempty" json:"birth_date,omitempty"` // YYYY-MM-DD
}

// SNILSRecord is what the pension fund knows of one SNILS.
type SNILSRecord struct {
	SNILS  string `yaml:"snils" json:"snils"`
	Holder `yaml:",inline"`
	// Outcome: VERIFIED (default), PERSON_NOT_FOUND or DATA_MISMATCH.
	Outcome string `yaml:"outcome,omitempty" json:"outcome,omitempty"`
}

// PassportRecord is what the interior ministry knows of one passport.
type PassportRecord struct {
	Series string `yaml:"series" json:"series"`
	Number string `yaml:"number" json:"number"`
	Holder `yaml:",inline"`
	// Outcome: VERIFIED (default), PASSPORT_INVALID, PASSPORT_NOT_FOUND, PERSON_NOT_FOUND
	// or DATA_MISMATCH.
	Outcome string `yaml:"outcome,omitempty" json:"outcome,omitempty"`
}

// INNRecord is what the tax service knows of one INN.
type INNRecord struct {
	INN    string `yaml:"inn" json:"inn"`
	Holder `yaml:",inline"`
	// Outcome: VERIFIED (default), INN_NOT_FOUND or DATA_MISMATCH.
	Outcome string `yaml:"outcome,omitempty" json:"outcome,omitempty"`
}

// Fixtures are the registries' known records, from configuration, for example
//
//	pension_fund:
//	  - {snils: "112-233-445 95", last_name: Иванов, first_name: Иван, birth_date: "1980-01-02"}
//	  - {snils: "123-456-789 64", outcome: PERSON_NOT_FOUND}
//	interior_ministry:
//	  - {series: "4506", number: "123456", outcome: PASSPORT_INVALID}
//	tax_service:
//	  - {inn: "500100732259", outcome: INN_NOT_FOUND}
//
// Records that match nothing fall through to the default rule (see Outcome).
type Fixtures struct {
	PensionFund      []SNILSRecord    `yaml:"pension_fund,omitempty" json:"pension_fund,omitempty"`
	InteriorMinistry []PassportRecord `yaml:"interior_ministry,omitempty" json:"interior_ministry,omitempty"`
	TaxService       []INNRecord      `yaml:"tax_service,omitempty" json:"tax_service,omitempty"`
}

// ParseFixtures reads fixtures from YAML (or JSON); unknown fields are errors. The result
// is validated.
func ParseFixtures(b []byte) (Fixtures, error) {
	var f Fixtures
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Fixtures{}, fmt.Errorf("proofing: fixtures: %w", err)
	}
	if err := f.Validate(); err != nil {
		return Fixtures{}, err
	}
	return f, nil
}

// Validate checks every record: its key parses, its outcome is one its registry can give,
// its birth date is YYYY-MM-DD, and no key appears twice. All problems are joined.
func (f Fixtures) Validate() error {
	var errs []error
	seen := map[string]bool{}
	check := func(where string, kind CheckKind, key string, keyErr error, h Holder, outcome string) {
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("proofing: fixtures: %s: "+format, append([]any{where}, a...)...))
		}
		if keyErr != nil {
			bad("%w", keyErr)
		} else if seen[string(kind)+":"+key] {
			bad("%s %s listed twice", kind, key)
		}
		seen[string(kind)+":"+key] = true
		if outcome != "" && !slices.Contains(outcomes[kind], outcome) {
			bad("outcome %q: want one of %s", outcome, strings.Join(outcomes[kind], ", "))
		}
		if h.BirthDate != "" {
			if _, err := time.Parse(time.DateOnly, h.BirthDate); err != nil {
				bad("birth_date %q: want YYYY-MM-DD", h.BirthDate)
			}
		}
	}
	for i, r := range f.PensionFund {
		n, err := ident.NormalizeSNILS(r.SNILS)
		check(fmt.Sprintf("pension_fund[%d]", i), CheckSNILS, n, err, r.Holder, r.Outcome)
	}
	for i, r := range f.InteriorMinistry {
		p, err := ident.ParsePassport(r.Series, r.Number)
		check(fmt.Sprintf("interior_ministry[%d]", i), CheckPassport, p.Series+p.Number, err, r.Holder, r.Outcome)
	}
	for i, r := range f.TaxService {
		n, err := ident.NormalizeINN(r.INN)
		check(fmt.Sprintf("tax_service[%d]", i), CheckINN, n, err, r.Holder, r.Outcome)
	}
	return errors.Join(errs...)
}

// CheckData is what is sent to a registry. Each kind reads its own key (SNILS; Series and
// Number; INN) and the holder's names and birth date.
type CheckData struct {
	SNILS     string `json:"snils,omitempty"`
	INN       string `json:"inn,omitempty"`
	Series    string `json:"series,omitempty"`
	Number    string `json:"number,omitempty"`
	IssueDate string `json:"issue_date,omitempty"`
	UnitCode  string `json:"unit_code,omitempty"`
	IssuedBy  string `json:"issued_by,omitempty"`

	LastName   string `json:"last_name,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"birth_date,omitempty"`
}

// CheckDataOf builds the data a check of kind sends from the account: its SNILS, INN or
// current RF passport, with the names and birth date.
func CheckDataOf(u storage.User, kind CheckKind) CheckData {
	d := CheckData{LastName: u.LastName, FirstName: u.FirstName, MiddleName: u.MiddleName, BirthDate: u.BirthDate}
	switch kind {
	case CheckSNILS:
		d.SNILS = u.SNILS
	case CheckINN:
		d.INN = u.INN
	case CheckPassport:
		if doc, ok := proofing.CurrentPassport(u); ok {
			d.Series, d.Number, d.IssueDate, d.UnitCode, d.IssuedBy = doc.Series, doc.Number, doc.IssueDate, doc.IssueID, doc.IssuedBy
		}
	}
	return d
}

// normalize returns d with the key of kind in canonical form, or the parser's error.
func (d CheckData) normalize(kind CheckKind) (CheckData, error) {
	var err error
	switch kind {
	case CheckSNILS:
		d.SNILS, err = ident.NormalizeSNILS(d.SNILS)
	case CheckINN:
		d.INN, err = ident.NormalizeINN(d.INN)
	case CheckPassport:
		var p ident.Passport
		if p, err = ident.ParsePassport(d.Series, d.Number); err == nil {
			d.Series, d.Number = p.Series, p.Number
			if d.UnitCode != "" {
				d.UnitCode, err = ident.NormalizeUnitCode(d.UnitCode)
			}
		}
	default:
		err = fmt.Errorf("%w: %q", proofing.ErrUnknownCheck, kind)
	}
	return d, err
}

// Outcome is what the registry of kind answers for d: VERIFIED with no reason, or
// VERIFICATION_FAILED with a Reason*. Fixtures decide first, then the default rule; both
// are described on Registries.
func Outcome(f Fixtures, kind CheckKind, d CheckData) (state, reason string) {
	d, err := d.normalize(kind)
	if err != nil {
		return storage.VerifyFailed, ReasonInvalidData
	}
	verdict := func(outcome string, h Holder) (string, string) {
		if outcome != "" && outcome != storage.VerifyVerified {
			return storage.VerifyFailed, outcome
		}
		if !h.matches(d) {
			return storage.VerifyFailed, ReasonDataMismatch
		}
		return storage.VerifyVerified, ""
	}
	switch kind {
	case CheckSNILS:
		for _, r := range f.PensionFund {
			if n, err := ident.NormalizeSNILS(r.SNILS); err == nil && n == d.SNILS {
				return verdict(r.Outcome, r.Holder)
			}
		}
		switch d.SNILS[6:9] {
		case "999":
			return storage.VerifyFailed, ReasonPersonNotFound
		case "998":
			return storage.VerifyFailed, ReasonDataMismatch
		}
	case CheckPassport:
		for _, r := range f.InteriorMinistry {
			if p, err := ident.ParsePassport(r.Series, r.Number); err == nil && p.Series == d.Series && p.Number == d.Number {
				return verdict(r.Outcome, r.Holder)
			}
		}
		switch d.Number[:3] {
		case "000":
			return storage.VerifyFailed, ReasonPassportInvalid
		case "999":
			return storage.VerifyFailed, ReasonPassportNotFound
		case "998":
			return storage.VerifyFailed, ReasonPersonNotFound
		}
	case CheckINN:
		for _, r := range f.TaxService {
			if n, err := ident.NormalizeINN(r.INN); err == nil && n == d.INN {
				return verdict(r.Outcome, r.Holder)
			}
		}
		if d.INN[7:10] == "999" {
			return storage.VerifyFailed, ReasonINNNotFound
		}
	}
	return storage.VerifyVerified, ""
}

// matches reports whether every field the fixture sets equals the submitted one.
func (h Holder) matches(d CheckData) bool {
	return ident.SameName(h.LastName, d.LastName) && ident.SameName(h.FirstName, d.FirstName) &&
		ident.SameName(h.MiddleName, d.MiddleName) && (h.BirthDate == "" || h.BirthDate == strings.TrimSpace(d.BirthDate))
}

// Check is one registry check of one account, stored in Docs collection CollChecks under
// "<userID>/<kind>": a new submission of the same kind replaces the previous one.
type Check struct {
	ID     string    `json:"id"` // random; plays ESIA's vrfReqId
	UserID string    `json:"user_id"`
	Kind   CheckKind `json:"kind"`
	Data   CheckData `json:"data"`
	// State is VERIFYING, then VERIFIED or VERIFICATION_FAILED with Reason.
	State       string    `json:"state"`
	Reason      string    `json:"reason,omitempty"`
	SubmittedAt time.Time `json:"submitted_at"`
	ReadyAt     time.Time `json:"ready_at"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	// Forced is an answer decided at submission by Registries.Override.
	Forced *forcedAnswer `json:"forced,omitempty"`
}

type forcedAnswer struct {
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// CollChecks is the Docs collection of registry checks.
const CollChecks = "proofing_check"

// Result is a check that a Poll or Resolve call resolved, with the notice for the citizen.
type Result struct {
	Check  Check
	Notice proofing.Notice
}

// Registries are the emulated state registries. A citizen's SNILS is checked at the
// pension fund (Социальный фонд России), the RF passport at the interior ministry (МВД
// России) and the INN at the tax service (ФНС России). As in ESIA, a check is asynchronous: Submit stores it VERIFYING
// with ReadyAt = now + Delay, and Poll or Resolve, called with the clock's now, turns every
// due check into VERIFIED or VERIFICATION_FAILED with a reason. With Delay 0 the first Poll
// resolves it; with a fake clock, moving the clock past ReadyAt does.
//
// What a registry "knows" is Fixtures (from configuration) first, then the default rule:
//
//   - Pension fund (SNILS). A fixture whose snils matches decides: its outcome
//     (VERIFIED when empty, PERSON_NOT_FOUND or DATA_MISMATCH); with outcome VERIFIED, any
//     last_name, first_name, middle_name or birth_date the fixture sets must equal the
//     profile's (case, ё/е and extra spaces ignored) or the result is DATA_MISMATCH.
//     Default: a SNILS that passes ident.NormalizeSNILS is VERIFIED, unless the three digits before
//     the check number are 999 (XXX-XXX-999 NN) → PERSON_NOT_FOUND, or 998 → DATA_MISMATCH.
//   - Interior ministry (passport). A fixture matching series and number decides: VERIFIED,
//     PASSPORT_INVALID, PASSPORT_NOT_FOUND, PERSON_NOT_FOUND or DATA_MISMATCH (names and
//     birth date as above). Default: VERIFIED, unless the number starts with 000 →
//     PASSPORT_INVALID, 999 → PASSPORT_NOT_FOUND, 998 → PERSON_NOT_FOUND.
//   - Tax service (INN). A fixture matching the inn decides: VERIFIED, INN_NOT_FOUND or
//     DATA_MISMATCH. Default: an INN with valid check digits is VERIFIED, unless digits 8–10
//     (the three before the check digits) are 999 → INN_NOT_FOUND.
//
// Data that does not parse fails with INVALID_DATA (Submit refuses it beforehand).
//
// Checks live in Docs (collection CollChecks). The zero Delay answers at once (on the next
// Poll); Rand (nil: crypto/rand) makes check ids and must be safe for concurrent use, since
// requests share one Registries.
type Registries struct {
	Docs     storage.Docs
	Fixtures Fixtures
	Delay    time.Duration
	Rand     io.Reader
	// Override, when set, may force the answer of a check at submission (the emulator's
	// test-mode fault injection): ok=true makes the registry answer state and reason
	// whatever the fixtures and default rules say.
	Override func(kind CheckKind) (state, reason string, ok bool)
}

// Submit starts a check of kind for the account: the data are normalised (an error wraps
// the parser's sentinel: ident.ErrInvalidSNILS, ErrInvalidPassport, ErrInvalidUnitCode,
// ErrInvalidINN) and stored VERIFYING, ready at now + Delay. A check of the same kind
// still under way is replaced. The provider then calls MarkVerifying on the account.
func (r *Registries) Submit(ctx context.Context, userID string, kind CheckKind, data CheckData, now time.Time) (Check, error) {
	if err := proofing.CheckUserID(userID); err != nil {
		return Check{}, err
	}
	d, err := data.normalize(kind)
	if err != nil {
		return Check{}, err
	}
	id, err := proofing.RandomHex(r.Rand, 8)
	if err != nil {
		return Check{}, err
	}
	c := Check{ID: id, UserID: userID, Kind: kind, Data: d, State: storage.VerifyVerifying,
		SubmittedAt: now, ReadyAt: now.Add(max(r.Delay, 0))}
	if r.Override != nil {
		if st, reason, ok := r.Override(kind); ok {
			c.Forced = &forcedAnswer{State: st, Reason: reason}
		}
	}
	if err := storage.PutDoc(ctx, r.Docs, CollChecks, checkDocID(userID, kind), c, time.Time{}); err != nil {
		return Check{}, err
	}
	return c, nil
}

func checkDocID(userID string, kind CheckKind) string { return userID + "/" + string(kind) }

// Checks returns the account's latest check of each kind that was ever submitted.
func (r *Registries) Checks(ctx context.Context, userID string, now time.Time) ([]Check, error) {
	if err := proofing.CheckUserID(userID); err != nil {
		return nil, err
	}
	return storage.ListDocs[Check](ctx, r.Docs, CollChecks, userID+"/", now)
}

// Poll resolves the account's checks that are due at now (now ≥ ReadyAt) and returns them
// with their notices; each resolution is returned by exactly one call, so the caller
// applies it (ApplyCheck) and sends the notice once. Call it when the citizen opens the
// account page, after Submit, and before reading the level.
func (r *Registries) Poll(ctx context.Context, userID string, now time.Time) ([]Result, error) {
	if err := proofing.CheckUserID(userID); err != nil {
		return nil, err
	}
	return r.resolve(ctx, userID+"/", now)
}

// Resolve resolves every account's due checks (for a background ticker or an admin "run
// registries now" call).
func (r *Registries) Resolve(ctx context.Context, now time.Time) ([]Result, error) {
	return r.resolve(ctx, "", now)
}

var errSkip = errors.New("proofing: nothing to do")

func (r *Registries) resolve(ctx context.Context, prefix string, now time.Time) ([]Result, error) {
	raws, err := r.Docs.ListDocsRaw(ctx, CollChecks, prefix, now)
	if err != nil {
		return nil, err
	}
	var out []Result
	for _, raw := range raws {
		var c Check
		if err := json.Unmarshal(raw.Doc, &c); err != nil || c.State != storage.VerifyVerifying || now.Before(c.ReadyAt) {
			continue
		}
		var done Check
		_, err := storage.UpdateDoc(ctx, r.Docs, CollChecks, raw.ID, now, func(old Check) (Check, time.Time, error) {
			if old.ID != c.ID || old.State != storage.VerifyVerifying {
				return old, time.Time{}, errSkip // resolved by another caller or resubmitted
			}
			old.State, old.Reason = Outcome(r.Fixtures, old.Kind, old.Data)
			if old.Forced != nil {
				old.State, old.Reason = old.Forced.State, old.Forced.Reason
			}
			old.ResolvedAt = now
			done = old
			return old, time.Time{}, nil
		})
		switch {
		case errors.Is(err, errSkip), errors.Is(err, storage.ErrNotFound):
			continue
		case err != nil:
			return out, err
		}
		out = append(out, Result{Check: done, Notice: CheckNotice(done)})
	}
	return out, nil
}

// Forget deletes the account's checks (when the account is deleted).
func (r *Registries) Forget(ctx context.Context, userID string) error {
	if err := proofing.CheckUserID(userID); err != nil {
		return err
	}
	var errs []error
	for _, k := range CheckKinds {
		if err := r.Docs.DeleteDoc(ctx, CollChecks, checkDocID(userID, k)); err != nil && !errors.Is(err, storage.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// MarkVerifying records on the account that check c is under way (after Submit): the
// checked item's state becomes VERIFYING and its old reason is cleared.
func MarkVerifying(u storage.User, p proofing.Proofs, c Check) (storage.User, proofing.Proofs) {
	u, p, _ = setVrf(u, p, c, storage.VerifyVerifying, "")
	return u, p
}

// ApplyCheck writes a resolved check's verdict onto the account: SNILSVrf, INNVrf or the
// current passport's VrfStu, with the reason. applied is false, and nothing changes, when
// the account no longer holds the checked value (the citizen changed it meanwhile) or the
// check is not resolved. The caller then recomputes the level with proofing.LevelOf.
func ApplyCheck(u storage.User, p proofing.Proofs, c Check) (storage.User, proofing.Proofs, bool) {
	if c.State != storage.VerifyVerified && c.State != storage.VerifyFailed {
		return u, p, false
	}
	return setVrf(u, p, c, c.State, c.Reason)
}

func setVrf(u storage.User, p proofing.Proofs, c Check, state, reason string) (storage.User, proofing.Proofs, bool) {
	switch c.Kind {
	case CheckSNILS:
		if n, err := ident.NormalizeSNILS(u.SNILS); err != nil || n != c.Data.SNILS {
			return u, p, false
		}
		p.SNILSVrf, p.SNILSVrfReason = state, reason
	case CheckINN:
		if n, err := ident.NormalizeINN(u.INN); err != nil || n != c.Data.INN {
			return u, p, false
		}
		p.INNVrf, p.INNVrfReason = state, reason
	case CheckPassport:
		i := -1
		for j := len(u.Documents) - 1; j >= 0; j-- {
			if u.Documents[j].Type == proofing.DocRFPassport {
				i = j
				break
			}
		}
		if i < 0 {
			return u, p, false
		}
		pp, err := ident.ParsePassport(u.Documents[i].Series, u.Documents[i].Number)
		if err != nil || pp.Series != c.Data.Series || pp.Number != c.Data.Number {
			return u, p, false
		}
		docs := append([]storage.Document(nil), u.Documents...)
		docs[i].VrfStu = state
		u.Documents = docs
		p.PassportVrfReason = reason
	default:
		return u, p, false
	}
	return u, p, true
}

// FMSState gives ESIA's person fields fmsValid and fmsState for a passport state and
// reason: VERIFIED → (true, ""); failed with an interior-ministry reason → (false, reason);
// otherwise (false, "").
func FMSState(vrfStu, reason string) (valid bool, state string) {
	switch {
	case vrfStu == storage.VerifyVerified:
		return true, ""
	case vrfStu == storage.VerifyFailed && (reason == ReasonPersonNotFound || reason == ReasonPassportNotFound || reason == ReasonPassportInvalid):
		return false, reason
	}
	return false, ""
}

// RegistryName is the registry of kind in Russian, nominative: «Социальный фонд России».
func RegistryName(kind CheckKind) string {
	switch kind {
	case CheckSNILS:
		return "Социальный фонд России"
	case CheckPassport:
		return "МВД России"
	case CheckINN:
		return "ФНС России"
	}
	return string(kind)
}

// registryIn is the registry in the prepositional case: «в Социальном фонде России».
func registryIn(kind CheckKind) string {
	if kind == CheckSNILS {
		return "в Социальном фонде России"
	}
	return "в " + RegistryName(kind)
}

// checkedItem names the checked document: nominative for subjects, genitive for "Проверка …".
func checkedItem(c Check) (nom, gen string) {
	switch c.Kind {
	case CheckSNILS:
		return "СНИЛС", "СНИЛС " + ident.FormatSNILS(c.Data.SNILS)
	case CheckPassport:
		return "Паспорт", "паспорта " + ident.Passport{Series: c.Data.Series, Number: c.Data.Number}.String()
	case CheckINN:
		return "ИНН", "ИНН " + c.Data.INN
	}
	return string(c.Kind), string(c.Kind)
}

// CheckNotice is the message to the citizen about a check: sent, passed or failed.
func CheckNotice(c Check) proofing.Notice {
	nom, gen := checkedItem(c)
	switch c.State {
	case storage.VerifyVerified:
		return proofing.Notice{Kind: proofing.KindRegistryCheck, Subject: nom + " проверен",
			Body: "Проверка " + gen + " " + registryIn(c.Kind) + " завершена успешно."}
	case storage.VerifyFailed:
		return proofing.Notice{Kind: proofing.KindRegistryCheck, Subject: nom + " не прошёл проверку",
			Body: "Проверка " + gen + " " + registryIn(c.Kind) + " не пройдена: " + ReasonText(c.Reason) +
				". Проверьте данные в профиле и отправьте их на проверку повторно. " +
				"Если данные верны, обратитесь в " + RegistryName(c.Kind) + " или в центр обслуживания."}
	}
	return proofing.Notice{Kind: proofing.KindRegistryCheck, Subject: "Данные отправлены на проверку",
		Body: "Данные " + gen + " отправлены на проверку " + registryIn(c.Kind) +
			". Обычно проверка занимает до 15 минут; о результате придёт уведомление."}
}
