package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/accounts"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
)

// The profile (standard level: birth date and place, gender, passport, SNILS, INN, address,
// checked by the emulated registries), contact confirmation, and identity confirmation
// (confirmed level: a registered letter's code or a qualified e-signature; a service centre
// or a bank through the admin API).

func (p *Provider) mountProfile(mux *http.ServeMux) {
	mux.HandleFunc("POST /account/profile", p.profilePost)
	mux.HandleFunc("POST /account/contact", p.contactPost)
	mux.HandleFunc("POST /account/confirm", p.confirmPost)
}

func formOf(u storage.User) web.ProfileForm {
	f := web.ProfileForm{BirthDate: u.BirthDate, BirthPlace: u.BirthPlace, Gender: u.Gender, INN: u.INN}
	if u.SNILS != "" {
		f.SNILS = proofing.FormatSNILS(u.SNILS)
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
func (p *Provider) profileView(ctx context.Context, u storage.User, lang string) (*web.ProfileView, error) {
	pr := accounts.ProofsOf(u)
	st := proofing.Effective(proofing.StatusOf(u, pr), p.now())
	v := &web.ProfileView{Status: p.web.T(lang, "status."+string(st.Status)), StatusReason: st.Reason, StatusSince: web.DateTime(st.Since),
		StatusDeadline: web.DateTime(st.Deadline), Form: formOf(u), SNILSState: p.stateText(lang, u.SNILSVrf, u.SNILSVrfReason),
		INN: u.INN, INNState: p.stateText(lang, u.INNVrf, u.INNVrfReason)}
	if u.SNILS != "" {
		v.SNILS = proofing.FormatSNILS(u.SNILS)
	}
	if u.Phone != "" {
		v.Contacts = append(v.Contacts, web.ContactRow{Kind: "phone", Value: u.Phone, State: storage.VerifyState(u.PhoneVerified)})
	}
	if u.Email != "" {
		v.Contacts = append(v.Contacts, web.ContactRow{Kind: "email", Value: u.Email, State: storage.VerifyState(u.EmailVerified)})
	}
	for _, d := range u.Documents {
		v.Documents = append(v.Documents, web.DocRow{Type: d.Type, Number: strings.TrimSpace(d.Series + " " + d.Number), State: p.stateText(lang, d.VrfStu, d.VrfReason)})
	}
	checks, err := p.registries.Checks(ctx, u.ID, p.now())
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		v.Checks = append(v.Checks, web.CheckRow{Registry: proofing.RegistryName(c.Kind), State: p.stateText(lang, c.State, c.Reason), Ready: web.DateTime(c.ReadyAt)})
	}
	next := storage.LevelStandard
	switch u.Level {
	case storage.LevelStandard:
		next = storage.LevelConfirmed
	case storage.LevelConfirmed:
		next = ""
	}
	if next != "" {
		v.NextLevel = p.web.T(lang, "level."+string(next))
		for _, req := range proofing.MissingFor(u, pr, next) {
			v.Missing = append(v.Missing, req.Text())
		}
	}
	v.CanConfirm = u.Level == storage.LevelStandard
	v.ESignature = p.confirmer.Roots != nil
	return v, nil
}

// stateText shows a verification state in words.
func (p *Provider) stateText(lang, state, reason string) string {
	if state == "" {
		state = storage.VerifyNotVerified
	}
	t := p.web.T(lang, "vrf."+state)
	if reason != "" {
		t += ": " + proofing.ReasonText(reason)
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
	lang := web.Lang(r, nil)
	now := p.now()
	f := web.ProfileForm{BirthDate: r.PostFormValue("birth_date"), BirthPlace: strings.TrimSpace(r.PostFormValue("birth_place")), Gender: r.PostFormValue("gender"),
		SNILS: r.PostFormValue("snils"), INN: r.PostFormValue("inn"), PassportSeries: r.PostFormValue("passport_series"),
		PassportNumber: r.PostFormValue("passport_number"), PassportDate: r.PostFormValue("passport_date"),
		PassportIssuer: strings.TrimSpace(r.PostFormValue("passport_issuer")), PassportUnit: r.PostFormValue("passport_unit"),
		Address: strings.TrimSpace(r.PostFormValue("address"))}
	var problems []string
	bad := func(err error) { problems = append(problems, proofing.Message(err)) }
	date := func(s, key string) {
		if _, err := time.Parse("2006-01-02", s); s != "" && err != nil {
			problems = append(problems, p.web.T(lang, key))
		}
	}
	date(f.BirthDate, "profile.birthdate.bad")
	date(f.PassportDate, "profile.passportdate.bad")
	if f.Gender != "" && f.Gender != "M" && f.Gender != "F" {
		problems = append(problems, p.web.T(lang, "profile.gender.bad"))
	}
	snils, inn, unit := "", "", ""
	var pp proofing.Passport
	var err error
	if f.SNILS != "" {
		if snils, err = proofing.NormalizeSNILS(f.SNILS); err != nil {
			bad(err)
		}
	}
	if f.INN != "" {
		if inn, err = proofing.NormalizeINN(f.INN); err != nil {
			bad(err)
		}
	}
	hasPassport := f.PassportSeries != "" || f.PassportNumber != ""
	if hasPassport {
		if pp, err = proofing.ParsePassport(f.PassportSeries, f.PassportNumber); err != nil {
			bad(err)
		}
		if f.PassportUnit != "" {
			if unit, err = proofing.NormalizeUnitCode(f.PassportUnit); err != nil {
				bad(err)
			}
		}
	}
	if len(problems) > 0 {
		v, err := p.profileView(ctx, u, lang)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		v.Form, v.Problems, v.Editing = f, problems, true
		p.renderProfile(w, r, u, bid, v)
		return
	}
	var submit []proofing.CheckKind
	old := u.Level
	u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		submit = submit[:0]
		cur.BirthDate, cur.BirthPlace, cur.Gender = f.BirthDate, f.BirthPlace, f.Gender
		if snils != cur.SNILS {
			cur.SNILS, cur.SNILSVrf, cur.SNILSVrfReason = snils, storage.VerifyNotVerified, ""
			if snils != "" {
				submit = append(submit, proofing.CheckSNILS)
			}
		}
		if inn != cur.INN {
			cur.INN, cur.INNVrf, cur.INNVrfReason = inn, storage.VerifyNotVerified, ""
			if inn != "" {
				submit = append(submit, proofing.CheckINN)
			}
		}
		if hasPassport {
			d, had := proofing.CurrentPassport(cur)
			nd := storage.Document{ID: cur.ID + "01", Type: "RF_PASSPORT", Series: pp.Series, Number: pp.Number, IssueDate: f.PassportDate,
				IssueID: unit, IssuedBy: f.PassportIssuer, VrfStu: storage.VerifyNotVerified}
			if had && d.Series == nd.Series && d.Number == nd.Number {
				nd.VrfStu, nd.VrfReason = d.VrfStu, d.VrfReason // same passport: its verdict stands
			} else {
				submit = append(submit, proofing.CheckPassport)
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
		pr := accounts.ProofsOf(cur)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = now
		return cur, nil
	})
	if errors.Is(err, storage.ErrAlreadyExists) { // the SNILS belongs to another account
		v, verr := p.profileView(ctx, u, lang)
		if verr != nil {
			p.web.ServerError(w, r, verr)
			return
		}
		v.Form, v.Problems, v.Editing = f, []string{p.web.T(lang, "profile.snils.taken")}, true
		p.renderProfile(w, r, u, bid, v)
		return
	}
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	for _, kind := range submit {
		c, err := p.registries.Submit(ctx, u.ID, kind, proofing.CheckDataOf(u, kind), now)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		if u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			cu, pr := proofing.MarkVerifying(cur, accounts.ProofsOf(cur), c)
			return accounts.WithProofs(cu, pr), nil
		}); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.accounts.Notify(ctx, u, proofing.CheckNotice(c))
	}
	p.accounts.LevelChanged(ctx, u, old)
	http.Redirect(w, r, "/account?notice=profile.saved", http.StatusSeeOther)
}

// contactPost confirms a contact: action=send sends a code, action=verify checks it.
func (p *Provider) contactPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	kind := r.PostFormValue("kind")
	phone, email := u.Phone, ""
	codes := p.sms
	if kind == "email" {
		phone, email, codes = "", u.Email, p.emailCodes
	}
	if phone == "" && email == "" {
		p.web.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return
	}
	key := "contact:" + kind + ":" + u.ID
	switch r.PostFormValue("action") {
	case "send":
		var ch, to string
		if err := p.sendContactCode(ctx, &ch, &to, key, phone, email, otp.KindRegistrationCode); err != nil {
			if msg := p.codeSendProblem(lang, err); msg != "" {
				p.profileProblem(w, r, u, bid, msg)
				return
			}
			p.web.ServerError(w, r, err)
			return
		}
		v, err := p.profileView(ctx, u, lang)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.renderProfile(w, r, u, bid, v, "verify:"+kind)
	case "verify":
		if err := codes.Verify(ctx, key, r.PostFormValue("code")); err != nil {
			p.profileProblem(w, r, u, bid, p.web.Catalog().CodeProblem(lang, err))
			return
		}
		old := u.Level
		u, err := p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			if kind == "email" {
				cur.EmailVerified = true
			} else {
				cur.PhoneVerified = true
			}
			if l := proofing.LevelOf(cur, accounts.ProofsOf(cur)); l != "" {
				cur.Level = l
			}
			return cur, nil
		})
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.accounts.LevelChanged(ctx, u, old)
		http.Redirect(w, r, "/account?notice=profile.contact.verified", http.StatusSeeOther)
	default:
		p.web.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
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
	lang := web.Lang(r, nil)
	now := p.now()
	pr := accounts.ProofsOf(u)
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
		p.accounts.Notify(ctx, u, proofing.LetterNotice(code, letter, u.FullName()))
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
			p.web.ServerError(w, r, verr)
			return
		}
		v.Challenge = ch.Text
		p.renderProfile(w, r, u, bid, v)
		return
	case "esig":
		conf, _, err = p.confirmer.ConfirmSignature(ctx, u, pr, r.PostFormValue("signature"), r.PostFormValue("certificate"), now)
	default:
		p.web.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return
	}
	if err != nil {
		p.profileProblem(w, r, u, bid, proofing.Message(err))
		return
	}
	if err := p.accounts.SetConfirmation(ctx, r, u.ID, conf); err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=confirm.done", http.StatusSeeOther)
}

func (p *Provider) profileProblem(w http.ResponseWriter, r *http.Request, u storage.User, bid, problem string) {
	v, err := p.profileView(r.Context(), u, web.Lang(r, nil))
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	v.Problems = []string{problem}
	p.renderProfile(w, r, u, bid, v)
}

// renderProfile shows the profile section; verify names a contact whose code form to open.
func (p *Provider) renderProfile(w http.ResponseWriter, r *http.Request, u storage.User, bid string, v *web.ProfileView, verify ...string) {
	lang := web.Lang(r, nil)
	av := &web.AccountView{Section: "", User: u, Level: p.web.T(lang, "level."+string(u.Level)), Profile: v}
	if len(verify) > 0 {
		av.Verify = strings.TrimPrefix(verify[0], "verify:")
	}
	p.web.Render(w, r, http.StatusOK, &web.AccountPage{Frame: web.Frame{Lang: lang, Title: "account.title", MainClass: "wide"},
		CSRF: p.sessions.FormToken(bid, "", formAccount), Account: av})
}
