package confirm

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// Confirmer holds the confirmation state (letters and signature challenges) in Docs. Zero
// durations and counts take the defaults; Rand nil means crypto/rand; Roots are the test
// CAs qualified certificates must chain to (nil: e-signature confirmation is off).
type Confirmer struct {
	Docs              storage.Docs
	Rand              io.Reader     // must be safe for concurrent use: requests share one Confirmer
	LetterTTL         time.Duration // default DefaultLetterTTL
	LetterMaxTries    int           // default DefaultLetterMaxTries
	ChallengeTTL      time.Duration // default DefaultChallengeTTL
	ChallengeMaxTries int           // default DefaultChallengeMaxTries
	Roots             *x509.CertPool
}

// Defaults of Confirmer.
const (
	DefaultLetterTTL         = 30 * 24 * time.Hour
	DefaultLetterMaxTries    = 5
	DefaultChallengeTTL      = 15 * time.Minute
	DefaultChallengeMaxTries = 5
)

// Docs collections of the confirmation state, keyed by account id.
const (
	CollLetters    = "proofing_letter"
	CollChallenges = "proofing_esig"
)

// keepAfterExpiry keeps an expired letter or challenge a while so that the citizen is told
// "expired" rather than "none ordered".
const keepAfterExpiry = 30 * 24 * time.Hour

func (c *Confirmer) letterTTL() time.Duration {
	if c.LetterTTL > 0 {
		return c.LetterTTL
	}
	return DefaultLetterTTL
}

func (c *Confirmer) letterMaxTries() int {
	if c.LetterMaxTries > 0 {
		return c.LetterMaxTries
	}
	return DefaultLetterMaxTries
}

func (c *Confirmer) challengeTTL() time.Duration {
	if c.ChallengeTTL > 0 {
		return c.ChallengeTTL
	}
	return DefaultChallengeTTL
}

func (c *Confirmer) challengeMaxTries() int {
	if c.ChallengeMaxTries > 0 {
		return c.ChallengeMaxTries
	}
	return DefaultChallengeMaxTries
}

// Forget deletes the account's letter and challenge (when the account is deleted).
func (c *Confirmer) Forget(ctx context.Context, userID string) error {
	if err := proofing.CheckUserID(userID); err != nil {
		return err
	}
	var errs []error
	for _, coll := range []string{CollLetters, CollChallenges} {
		if err := c.Docs.DeleteDoc(ctx, coll, userID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ---- Registered letter ----

// LetterCodeLen is the length of a letter code; LetterAlphabet its characters: Latin
// capitals and digits without the look-alikes 0, O, 1 and I (32 characters, 60 bits).
const (
	LetterCodeLen  = 12
	LetterAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// homoglyphs maps Cyrillic capitals that look like Latin ones (a citizen typing on the
// Russian layout) to the Latin letter, and З to 3.
var homoglyphs = map[rune]rune{
	'А': 'A', 'В': 'B', 'С': 'C', 'Е': 'E', 'Н': 'H', 'К': 'K', 'М': 'M',
	'Р': 'P', 'Т': 'T', 'Х': 'X', 'У': 'Y', 'З': '3',
}

// ParseLetterCode reads a letter code as typed: case, spaces and dashes do not matter and
// Cyrillic look-alikes count as the Latin letter. It returns the 12 canonical characters
// or an error wrapping ErrInvalidLetterCode.
func ParseLetterCode(s string) (string, error) {
	if len(s) > 200 {
		return "", fmt.Errorf("%w: too long", proofing.ErrInvalidLetterCode)
	}
	var b strings.Builder
	for _, r := range s {
		if r == '-' || r == '\u00a0' || unicode.IsSpace(r) {
			continue
		}
		r = unicode.ToUpper(r)
		if h, ok := homoglyphs[r]; ok {
			r = h
		}
		if r >= 0x80 || !strings.ContainsRune(LetterAlphabet, r) {
			return "", fmt.Errorf("%w: character %q", proofing.ErrInvalidLetterCode, r)
		}
		b.WriteRune(r)
	}
	if b.Len() != LetterCodeLen {
		return "", fmt.Errorf("%w: %d characters", proofing.ErrInvalidLetterCode, b.Len())
	}
	return b.String(), nil
}

// FormatLetterCode writes a canonical code in groups of four: ABCD-EFGH-JKLM.
func FormatLetterCode(code string) string {
	if len(code) != LetterCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// Letter is a registered letter with a confirmation code, stored in CollLetters under the
// account id. Only the code's hash is kept.
type Letter struct {
	UserID     string    `json:"user_id"`
	CodeHash   string    `json:"code_hash"`
	Address    string    `json:"address"`
	TrackingID string    `json:"tracking_id"` // Почта России's 14-digit ШПИ
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Tries      int       `json:"tries,omitempty"`
	Used       bool      `json:"used,omitempty"`
}

func letterHash(userID, code string) string {
	h := sha256.Sum256([]byte(userID + "\x00" + code))
	return hex.EncodeToString(h[:])
}

// IssueLetterCode orders a registered letter to address: a new random code, valid for
// LetterTTL, replaces any earlier letter. It returns the code (only to be put in the
// letter: see LetterNotice) and the stored letter.
func (c *Confirmer) IssueLetterCode(ctx context.Context, userID, address string, now time.Time) (string, Letter, error) {
	if err := proofing.CheckUserID(userID); err != nil {
		return "", Letter{}, err
	}
	if strings.TrimSpace(address) == "" {
		return "", Letter{}, errors.New("proofing: a letter needs a postal address")
	}
	raw := make([]byte, LetterCodeLen+5)
	if _, err := io.ReadFull(proofing.RandReader(c.Rand), raw); err != nil {
		return "", Letter{}, fmt.Errorf("proofing: random: %w", err)
	}
	code := make([]byte, LetterCodeLen)
	for i := range code {
		code[i] = LetterAlphabet[raw[i]&31] // 256 is a multiple of 32: no bias
	}
	var serial strings.Builder
	for _, b := range raw[LetterCodeLen:] {
		serial.WriteByte('0' + b%10)
	}
	l := Letter{UserID: userID, CodeHash: letterHash(userID, string(code)), Address: strings.TrimSpace(address),
		TrackingID: TrackingNumber("101000", int(proofing.InMoscow(now).Month()), serial.String()),
		IssuedAt:   now, ExpiresAt: now.Add(c.letterTTL())}
	if err := storage.PutDoc(ctx, c.Docs, CollLetters, userID, l, l.ExpiresAt.Add(keepAfterExpiry)); err != nil {
		return "", Letter{}, err
	}
	return string(code), l, nil
}

// TrackingNumber builds a domestic Почта России tracking number (ШПИ): the 6-digit index
// of the sending office, the 2-digit month, a 5-digit serial and a check digit (odd
// positions weighted 3, even 1; the digit completes the sum to a multiple of 10).
func TrackingNumber(index string, month int, serial5 string) string {
	s := index + fmt.Sprintf("%02d", month%100) + serial5
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

// LetterNotice is the registered letter as it appears in the outbox's post channel.
func LetterNotice(code string, l Letter, fullName string) proofing.Notice {
	return proofing.Notice{Channel: proofing.ChannelPost, Kind: proofing.KindLetterCode, Code: code,
		Subject: "Заказное письмо с кодом подтверждения личности",
		Body: "Почта России, заказное письмо № " + l.TrackingID + ".\n" +
			"Кому: " + fullName + ".\nКуда: " + l.Address + ".\n\n" +
			"Код подтверждения личности для портала Госуслуг: " + FormatLetterCode(code) + ".\n" +
			"Введите код в личном кабинете в разделе «Подтверждение личности» до " + proofing.DateRU(l.ExpiresAt) +
			". Не сообщайте код никому, в том числе сотрудникам портала."}
}

// VerifyLetterCode checks a code typed by the citizen against the account's letter. A
// wrong code costs a try (*WrongCodeError with the tries left; after LetterMaxTries the
// letter is spent: ErrLetterTriesExhausted); a badly formed one (ErrInvalidLetterCode)
// does not. Other errors: ErrNoLetter, ErrLetterExpired, ErrLetterUsed. On success the
// letter is marked used and the Confirmation is returned.
func (c *Confirmer) VerifyLetterCode(ctx context.Context, userID, code string, now time.Time) (proofing.Confirmation, error) {
	if err := proofing.CheckUserID(userID); err != nil {
		return proofing.Confirmation{}, err
	}
	canon, err := ParseLetterCode(code)
	if err != nil {
		return proofing.Confirmation{}, err
	}
	maxTries := c.letterMaxTries()
	var ok bool
	l, err := storage.UpdateDoc(ctx, c.Docs, CollLetters, userID, now, func(l Letter) (Letter, time.Time, error) {
		ok = false
		switch {
		case l.Used:
			return l, time.Time{}, proofing.ErrLetterUsed
		case !now.Before(l.ExpiresAt):
			return l, time.Time{}, proofing.ErrLetterExpired
		case l.Tries >= maxTries:
			return l, time.Time{}, proofing.ErrLetterTriesExhausted
		}
		if subtle.ConstantTimeCompare([]byte(l.CodeHash), []byte(letterHash(userID, canon))) == 1 {
			l.Used, ok = true, true
		} else {
			l.Tries++
		}
		return l, l.ExpiresAt.Add(keepAfterExpiry), nil
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return proofing.Confirmation{}, proofing.ErrNoLetter
	case err != nil:
		return proofing.Confirmation{}, err
	case !ok && l.Tries >= maxTries:
		return proofing.Confirmation{}, proofing.ErrLetterTriesExhausted
	case !ok:
		return proofing.Confirmation{}, &proofing.WrongCodeError{Remaining: maxTries - l.Tries}
	}
	return proofing.Confirmation{Method: proofing.ConfirmLetter, At: now, By: "Почта России, РПО " + l.TrackingID}, nil
}

// ---- Service centre ----

// OperatorCheck is what a service-centre operator enters after seeing the citizen's
// passport. Names and birth date are optional; when given they must match the account.
type OperatorCheck struct {
	Operator   string `json:"operator"`         // the operator's name or id
	Centre     string `json:"centre,omitempty"` // e.g. «МФЦ района Хамовники»
	Series     string `json:"series"`
	Number     string `json:"number"`
	LastName   string `json:"last_name,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"birth_date,omitempty"`
}

// ConfirmAtServiceCentre checks what the operator entered: the account may be confirmed
// (proofing.CanConfirm), the operator is named, the passport series and number parse and equal the
// account's verified RF passport, and any names and birth date given equal the account's.
func ConfirmAtServiceCentre(u storage.User, p proofing.Proofs, oc OperatorCheck, now time.Time) (proofing.Confirmation, error) {
	if err := proofing.CanConfirm(u, p); err != nil {
		return proofing.Confirmation{}, err
	}
	if strings.TrimSpace(oc.Operator) == "" {
		return proofing.Confirmation{}, proofing.ErrOperatorRequired
	}
	shown, err := ident.ParsePassport(oc.Series, oc.Number)
	if err != nil {
		return proofing.Confirmation{}, err
	}
	doc, _ := proofing.CurrentPassport(u) // CanConfirm guarantees a verified one
	if have, err := ident.ParsePassport(doc.Series, doc.Number); err != nil || have != shown {
		return proofing.Confirmation{}, proofing.ErrPassportMismatch
	}
	if !ident.SameName(oc.LastName, u.LastName) || !ident.SameName(oc.FirstName, u.FirstName) ||
		!ident.SameName(oc.MiddleName, u.MiddleName) || (oc.BirthDate != "" && oc.BirthDate != strings.TrimSpace(u.BirthDate)) {
		return proofing.Confirmation{}, proofing.ErrPersonMismatch
	}
	by := strings.TrimSpace(oc.Operator)
	if c := strings.TrimSpace(oc.Centre); c != "" {
		by = c + ", оператор " + by
	}
	return proofing.Confirmation{Method: proofing.ConfirmServiceCentre, At: now, By: by}, nil
}

// ---- Qualified e-signature ----

// Challenge is a text the citizen signs to confirm identity, stored in CollChallenges under
// the account id; a new one replaces the old.
type Challenge struct {
	UserID    string    `json:"user_id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Tries     int       `json:"tries,omitempty"`
	Used      bool      `json:"used,omitempty"`
}

// ChallengePrefix starts every challenge text: "esia-emulator:confirm-identity:<oid>:<nonce>".
const ChallengePrefix = "esia-emulator:confirm-identity:"

// NewChallenge issues a challenge valid for ChallengeTTL. The text is ASCII, so
// `printf '%s' "$CHALLENGE"` reproduces its bytes exactly.
func (c *Confirmer) NewChallenge(ctx context.Context, userID string, now time.Time) (Challenge, error) {
	if err := proofing.CheckUserID(userID); err != nil {
		return Challenge{}, err
	}
	nonce, err := proofing.RandomHex(c.Rand, 16)
	if err != nil {
		return Challenge{}, err
	}
	ch := Challenge{UserID: userID, Text: ChallengePrefix + userID + ":" + nonce, CreatedAt: now, ExpiresAt: now.Add(c.challengeTTL())}
	if err := storage.PutDoc(ctx, c.Docs, CollChallenges, userID, ch, ch.ExpiresAt.Add(keepAfterExpiry)); err != nil {
		return Challenge{}, err
	}
	return ch, nil
}

// ConfirmSignature confirms the account with a signature over its current challenge:
// proofing.CanConfirm, then the challenge must be live and unused (ErrNoChallenge,
// ErrChallengeExpired, ErrChallengeUsed), then esig.VerifySignature against Roots and
// esig.Signer.Matches the account. A failed attempt costs a try (after ChallengeMaxTries:
// ErrChallengeTriesExhausted); success spends the challenge.
func (c *Confirmer) ConfirmSignature(ctx context.Context, u storage.User, p proofing.Proofs, signature, certs string, now time.Time) (proofing.Confirmation, esig.Signer, error) {
	if err := proofing.CheckUserID(u.ID); err != nil {
		return proofing.Confirmation{}, esig.Signer{}, err
	}
	if err := proofing.CanConfirm(u, p); err != nil {
		return proofing.Confirmation{}, esig.Signer{}, err
	}
	ch, err := storage.GetDoc[Challenge](ctx, c.Docs, CollChallenges, u.ID, now)
	if errors.Is(err, storage.ErrNotFound) {
		return proofing.Confirmation{}, esig.Signer{}, proofing.ErrNoChallenge
	}
	if err != nil {
		return proofing.Confirmation{}, esig.Signer{}, err
	}
	if err := c.challengeLive(ch, now); err != nil {
		return proofing.Confirmation{}, esig.Signer{}, err
	}
	signer, verr := esig.VerifySignature(ch.Text, signature, certs, c.Roots, now)
	if verr == nil {
		verr = signer.Matches(u)
	}
	_, err = storage.UpdateDoc(ctx, c.Docs, CollChallenges, u.ID, now, func(cur Challenge) (Challenge, time.Time, error) {
		if cur.Text != ch.Text {
			return cur, time.Time{}, proofing.ErrNoChallenge // replaced meanwhile
		}
		if err := c.challengeLive(cur, now); err != nil {
			return cur, time.Time{}, err
		}
		if verr != nil {
			cur.Tries++
		} else {
			cur.Used = true
		}
		return cur, cur.ExpiresAt.Add(keepAfterExpiry), nil
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return proofing.Confirmation{}, esig.Signer{}, proofing.ErrNoChallenge
	case err != nil:
		return proofing.Confirmation{}, esig.Signer{}, err
	case verr != nil:
		return proofing.Confirmation{}, signer, verr
	}
	by := "КЭП, сертификат " + signer.Serial
	if signer.IssuerName != "" {
		by += ", выдан " + signer.IssuerName
	}
	return proofing.Confirmation{Method: proofing.ConfirmESignature, At: now, By: by}, signer, nil
}

func (c *Confirmer) challengeLive(ch Challenge, now time.Time) error {
	switch {
	case ch.Used:
		return proofing.ErrChallengeUsed
	case !now.Before(ch.ExpiresAt):
		return proofing.ErrChallengeExpired
	case ch.Tries >= c.challengeMaxTries():
		return proofing.ErrChallengeTriesExhausted
	}
	return nil
}
