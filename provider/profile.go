package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
)

// The profile (standard level: birth date and place, gender, passport, SNILS, INN, address,
// checked by the emulated registries), contact confirmation, and identity confirmation
// (confirmed level: a registered letter's code or a qualified e-signature; a service centre
// or a bank through the admin API).

// profileView is the profile section of the account pages.
type profileView struct {
	Status, StatusReason, StatusSince, StatusDeadline string
	Contacts                                          []contactRow
	Documents                                         []docRow
	SNILS, SNILSState, INN, INNState                  string
	Checks                                            []checkRow
	Missing                                           []string
	NextLevel                                         string
	Form                                              profileForm
	Problems                                          []string
	Editing                                           bool
	CanConfirm, ESignature                            bool
	Challenge                                         string
}

type contactRow struct{ Kind, Value, State string }
type docRow struct{ Type, Number, State string }
type checkRow struct{ Registry, State, Ready string }

// profileForm is the profile form's fields (dates YYYY-MM-DD).
type profileForm struct {
	BirthDate, BirthPlace, Gender                                string
	SNILS, INN                                                   string
	PassportSeries, PassportNumber, PassportDate, PassportIssuer string
	PassportUnit, Address                                        string
}

func (p *Provider) mountProfile(mux *http.ServeMux) {
	mux.HandleFunc("POST /account/profile", p.profilePost)
	mux.HandleFunc("POST /account/contact", p.contactPost)
	mux.HandleFunc("POST /account/confirm", p.confirmPost)
}

func formOf(u storage.User) profileForm {
	f := profileForm{BirthDate: u.BirthDate, BirthPlace: u.BirthPlace, Gender: u.Gender, INN: u.INN}
	if u.SNILS != "" {
		f.SNILS = ident.FormatSNILS(u.SNILS)
	}
	if d, ok := proofing.CurrentPassport(u); ok {
		f.PassportSeries, f.PassportNumber, f.PassportDate, f.PassportIssuer, f.PassportUnit = d.Series, d.Number, d.IssueDate, d.IssuedBy, d.IssueID
	}
	if len(u.Addresses) > 0 {
		f.Address = u.Addresses[0].AddressStr
	}
	return f
}

// profileView builds the profile section for an account.
func (p *Provider) profileView(ctx context.Context, u storage.User, lang string) (*profileView, error) {
	pr := proofsOf(u)
	st := proofing.Effective(proofing.StatusOf(u, pr), p.now())
	v := &profileView{Status: translate(lang, "status."+string(st.Status)), StatusReason: st.Reason, StatusSince: localTime(st.Since),
		StatusDeadline: localTime(st.Deadline), Form: formOf(u), SNILSState: stateText(lang, u.SNILSVrf, u.SNILSVrfReason),
		INN: u.INN, INNState: stateText(lang, u.INNVrf, u.INNVrfReason)}
	if u.SNILS != "" {
		v.SNILS = ident.FormatSNILS(u.SNILS)
	}
	if u.Phone != "" {
		v.Contacts = append(v.Contacts, contactRow{"phone", u.Phone, vrf(u.PhoneVerified)})
	}
	if u.Email != "" {
		v.Contacts = append(v.Contacts, contactRow{"email", u.Email, vrf(u.EmailVerified)})
	}
	for _, d := range u.Documents {
		v.Documents = append(v.Documents, docRow{Type: d.Type, Number: strings.TrimSpace(d.Series + " " + d.Number), State: stateText(lang, d.VrfStu, d.VrfReason)})
	}
	checks, err := p.registries.Checks(ctx, u.ID, p.now())
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		v.Checks = append(v.Checks, checkRow{Registry: registry.RegistryName(c.Kind), State: stateText(lang, c.State, c.Reason), Ready: localTime(c.ReadyAt)})
	}
	next := storage.LevelStandard
	switch u.Level {
	case storage.LevelStandard:
		next = storage.LevelConfirmed
	case storage.LevelConfirmed:
		next = ""
	}
	if next != "" {
		v.NextLevel = translate(lang, "level."+string(next))
		for _, req := range proofing.MissingFor(u, pr, next) {
			v.Missing = append(v.Missing, req.Text())
		}
	}
	v.CanConfirm = u.Level == storage.LevelStandard
	v.ESignature = p.confirmer.Roots != nil
	return v, nil
}

// stateText shows a verification state in words.
func stateText(lang, state, reason string) string {
	if state == "" {
		state = storage.VerifyNotVerified
	}
	t := translate(lang, "vrf."+state)
	if reason != "" {
		t += ": " + registry.ReasonText(reason)
	}
	return t
}

// profilePost saves the profile and sends what changed to the registries.
func (p *Provider) profilePost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := requestLang(r, nil)
	now := p.now()
	f := profileForm{BirthDate: r.PostFormValue("birth_date"), BirthPlace: strings.TrimSpace(r.PostFormValue("birth_place")), Gender: r.PostFormValue("gender"),
		SNILS: r.PostFormValue("snils"), INN: r.PostFormValue("inn"), PassportSeries: r.PostFormValue("passport_series"),
		PassportNumber: r.PostFormValue("passport_number"), PassportDate: r.PostFormValue("passport_date"),
		PassportIssuer: strings.TrimSpace(r.PostFormValue("passport_issuer")), PassportUnit: r.PostFormValue("passport_unit"),
		Address: strings.TrimSpace(r.PostFormValue("address"))}
	var problems []string
	bad := func(err error) { problems = append(problems, proofing.Message(err)) }
	date := func(s, key string) {
		if _, err := time.Parse("2006-01-02", s); s != "" && err != nil {
			problems = append(problems, translate(lang, key))
		}
	}
	date(f.BirthDate, "profile.birthdate.bad")
	date(f.PassportDate, "profile.passportdate.bad")
	if f.Gender != "" && f.Gender != "M" && f.Gender != "F" {
		problems = append(problems, translate(lang, "profile.gender.bad"))
	}
	snils, inn, unit := "", "", ""
	var pp ident.Passport
	var err error
	if f.SNILS != "" {
		if snils, err = ident.NormalizeSNILS(f.SNILS); err != nil {
			bad(err)
		}
	}
	if f.INN != "" {
		if inn, err = ident.NormalizeINN(f.INN); err != nil {
			bad(err)
		}
	}
	hasPassport := f.PassportSeries != "" || f.PassportNumber != ""
	if hasPassport {
		if pp, err = ident.ParsePassport(f.PassportSeries, f.PassportNumber); err != nil {
			bad(err)
		}
		if f.PassportUnit != "" {
			if unit, err = ident.NormalizeUnitCode(f.PassportUnit); err != nil {
				bad(err)
			}
		}
	}
	if len(problems) > 0 {
		v, err := p.profileView(ctx, u, lang)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		v.Form, v.Problems, v.Editing = f, problems, true
		p.renderProfile(w, r, u, bid, v)
		return
	}
	var submit []registry.CheckKind
	old := u.Level
	u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		submit = submit[:0]
		cur.BirthDate, cur.BirthPlace, cur.Gender = f.BirthDate, f.BirthPlace, f.Gender
		if snils != cur.SNILS {
			cur.SNILS, cur.SNILSVrf, cur.SNILSVrfReason = snils, storage.VerifyNotVerified, ""
			if snils != "" {
				submit = append(submit, registry.CheckSNILS)
			}
		}
		if inn != cur.INN {
			cur.INN, cur.INNVrf, cur.INNVrfReason = inn, storage.VerifyNotVerified, ""
			if inn != "" {
				submit = append(submit, registry.CheckINN)
			}
		}
		if hasPassport {
			d, had := proofing.CurrentPassport(cur)
			nd := storage.Document{ID: cur.ID + "01", Type: "RF_PASSPORT", Series: pp.Series, Number: pp.Number, IssueDate: f.PassportDate,
				IssueID: unit, IssuedBy: f.PassportIssuer, VrfStu: storage.VerifyNotVerified}
			if had && d.Series == nd.Series && d.Number == nd.Number {
				nd.VrfStu, nd.VrfReason = d.VrfStu, d.VrfReason // same passport: its verdict stands
			} else {
				submit = append(submit, registry.CheckPassport)
			}
			var docs []storage.Document
			for _, x := range cur.Documents {
				if x.Type != "RF_PASSPORT" {
					docs = append(docs, x)
				}
			}
			cur.Documents = append(docs, nd)
		}
		if f.Address != "" {
			cur.Addresses = []storage.Address{{Type: "PRG", AddressStr: f.Address, Country: "RU"}}
		}
		pr := proofsOf(cur)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = now
		return cur, nil
	})
	if errors.Is(err, storage.ErrAlreadyExists) { // the SNILS belongs to another account
		v, verr := p.profileView(ctx, u, lang)
		if verr != nil {
			p.serverError(w, r, verr)
			return
		}
		v.Form, v.Problems, v.Editing = f, []string{translate(lang, "profile.snils.taken")}, true
		p.renderProfile(w, r, u, bid, v)
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	for _, kind := range submit {
		c, err := p.registries.Submit(ctx, u.ID, kind, registry.CheckDataOf(u, kind), now)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		if u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			cu, pr := registry.MarkVerifying(cur, proofsOf(cur), c)
			return withProofs(cu, pr), nil
		}); err != nil {
			p.serverError(w, r, err)
			return
		}
		p.notify(ctx, u, registry.CheckNotice(c))
	}
	p.levelChanged(ctx, u, old)
	http.Redirect(w, r, "/account?notice=profile.saved", http.StatusSeeOther)
}

// contactPost confirms a contact: action=send sends a code, action=verify checks it.
func (p *Provider) contactPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := requestLang(r, nil)
	kind := r.PostFormValue("kind")
	phone, email := u.Phone, ""
	codes := p.sms
	if kind == "email" {
		phone, email, codes = "", u.Email, p.emailCodes
	}
	if phone == "" && email == "" {
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return
	}
	key := "contact:" + kind + ":" + u.ID
	switch r.PostFormValue("action") {
	case "send":
		var ch, to string
		if err := p.sendContactCode(ctx, &ch, &to, key, phone, email, otp.KindRegistrationCode); err != nil {
			if msg := codeSendProblem(lang, err); msg != "" {
				p.profileProblem(w, r, u, bid, msg)
				return
			}
			p.serverError(w, r, err)
			return
		}
		v, err := p.profileView(ctx, u, lang)
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		p.renderProfile(w, r, u, bid, v, "verify:"+kind)
	case "verify":
		if err := codes.Verify(ctx, key, r.PostFormValue("code")); err != nil {
			p.profileProblem(w, r, u, bid, codeProblem(lang, err))
			return
		}
		old := u.Level
		u, err := p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			if kind == "email" {
				cur.EmailVerified = true
			} else {
				cur.PhoneVerified = true
			}
			if l := proofing.LevelOf(cur, proofsOf(cur)); l != "" {
				cur.Level = l
			}
			return cur, nil
		})
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		p.levelChanged(ctx, u, old)
		http.Redirect(w, r, "/account?notice=profile.contact.verified", http.StatusSeeOther)
	default:
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
	}
}

// confirmPost confirms the identity: action=letter sends a registered letter with a code,
// action=letter-code checks it, action=esig-start shows a challenge, action=esig checks the
// signature over it.
func (p *Provider) confirmPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := requestLang(r, nil)
	now := p.now()
	pr := proofsOf(u)
	if err := proofing.CanConfirm(u, pr); err != nil {
		p.profileProblem(w, r, u, bid, proofing.Message(err))
		return
	}
	var conf proofing.Confirmation
	var err error
	switch r.PostFormValue("action") {
	case "letter":
		addr := ""
		if len(u.Addresses) > 0 {
			addr = u.Addresses[0].AddressStr
		}
		code, letter, err := p.confirmer.IssueLetterCode(ctx, u.ID, addr, now)
		if err != nil {
			p.profileProblem(w, r, u, bid, proofing.Message(err))
			return
		}
		p.notify(ctx, u, confirm.LetterNotice(code, letter, u.FullName()))
		http.Redirect(w, r, "/account?notice=confirm.letter.sent", http.StatusSeeOther)
		return
	case "letter-code":
		conf, err = p.confirmer.VerifyLetterCode(ctx, u.ID, r.PostFormValue("code"), now)
	case "esig-start":
		ch, err := p.confirmer.NewChallenge(ctx, u.ID, now)
		if err != nil {
			p.profileProblem(w, r, u, bid, proofing.Message(err))
			return
		}
		v, verr := p.profileView(ctx, u, lang)
		if verr != nil {
			p.serverError(w, r, verr)
			return
		}
		v.Challenge = ch.Text
		p.renderProfile(w, r, u, bid, v)
		return
	case "esig":
		conf, _, err = p.confirmer.ConfirmSignature(ctx, u, pr, r.PostFormValue("signature"), r.PostFormValue("certificate"), now)
	default:
		p.message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return
	}
	if err != nil {
		p.profileProblem(w, r, u, bid, proofing.Message(err))
		return
	}
	if err := p.setConfirmation(ctx, r, u.ID, conf); err != nil {
		p.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=confirm.done", http.StatusSeeOther)
}

// setConfirmation records an identity confirmation and raises the level.
func (p *Provider) setConfirmation(ctx context.Context, r *http.Request, userID string, conf proofing.Confirmation) error {
	var old storage.Level
	u, err := p.store.UpdateUser(ctx, userID, func(cur storage.User) (storage.User, error) {
		old = cur.Level
		pr := proofsOf(cur)
		pr.Confirmation = &conf
		cur = withProofs(cur, pr)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = p.now()
		return cur, nil
	})
	if err != nil {
		return err
	}
	p.recordAudit(ctx, r, audit.Event{Type: audit.IdentityConfirmed, UserID: u.ID, Details: map[string]string{"method": string(conf.Method), "by": conf.By}})
	p.levelChanged(ctx, u, old)
	return nil
}

func (p *Provider) profileProblem(w http.ResponseWriter, r *http.Request, u storage.User, bid, problem string) {
	v, err := p.profileView(r.Context(), u, requestLang(r, nil))
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	v.Problems = []string{problem}
	p.renderProfile(w, r, u, bid, v)
}

// renderProfile shows the profile section; verify names a contact whose code form to open.
func (p *Provider) renderProfile(w http.ResponseWriter, r *http.Request, u storage.User, bid string, v *profileView, verify ...string) {
	lang := requestLang(r, nil)
	av := &accountView{Section: "", User: u, Level: translate(lang, "level."+string(u.Level)), Profile: v}
	if len(verify) > 0 {
		av.Verify = strings.TrimPrefix(verify[0], "verify:")
	}
	p.render(w, r, http.StatusOK, "account", pageData{Lang: lang, Title: "account.title", MainClass: "wide",
		CSRF: p.csrfToken(bid, "", formAccount), Account: av})
}
