package account

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"

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

func (h *Handler) mountProfile(mux *http.ServeMux) {
	mux.HandleFunc("POST /account/profile", h.profilePost)
	mux.HandleFunc("POST /account/contact", h.contactPost)
	mux.HandleFunc("POST /account/confirm", h.confirmPost)
}

func formOf(u storage.User) web.ProfileForm {
	f := web.ProfileForm{BirthDate: web.DateOut(u.BirthDate), BirthPlace: u.BirthPlace, Gender: u.Gender, INN: u.INN}
	if u.SNILS != "" {
		f.SNILS = ident.FormatSNILS(u.SNILS)
	}
	if d, ok := proofing.CurrentPassport(u); ok {
		f.PassportSeries, f.PassportNumber, f.PassportDate, f.PassportIssuer, f.PassportUnit = d.Series, d.Number, web.DateOut(d.IssueDate), d.IssuedBy, d.IssueID
	}
	if len(u.Addresses) > 0 {
		f.Address = u.Addresses[0].AddressStr
	}
	return f
}

// profileView builds the profile section for an account.
func (h *Handler) profileView(ctx context.Context, u storage.User, lang string) (*web.ProfileView, error) {
	pr := accounts.ProofsOf(u)
	st := proofing.Effective(proofing.StatusOf(u, pr), h.Now())
	v := &web.ProfileView{Status: h.Pages.T(lang, "status."+string(st.Status)), StatusReason: st.Reason, StatusSince: web.DateTime(st.Since),
		StatusDeadline: web.DateTime(st.Deadline), Form: formOf(u), SNILSState: h.stateText(lang, u.SNILSVrf, u.SNILSVrfReason),
		INN: u.INN, INNState: h.stateText(lang, u.INNVrf, u.INNVrfReason)}
	if u.SNILS != "" {
		v.SNILS = ident.FormatSNILS(u.SNILS)
	}
	if u.Phone != "" {
		v.Contacts = append(v.Contacts, web.ContactRow{Kind: "phone", Value: u.Phone, State: storage.VerifyState(u.PhoneVerified)})
	}
	if u.Email != "" {
		v.Contacts = append(v.Contacts, web.ContactRow{Kind: "email", Value: u.Email, State: storage.VerifyState(u.EmailVerified)})
	}
	v.BirthDate, v.BirthPlace = web.DateOut(u.BirthDate), u.BirthPlace
	if u.Gender != "" {
		v.Gender = h.Pages.T(lang, "profile.gender."+u.Gender)
	}
	for _, a := range u.Addresses {
		if a.AddressStr != "" {
			v.Addresses = append(v.Addresses, a.AddressStr)
		}
	}
	failed := func(state, reason, what, field string) bool {
		if state != storage.VerifyFailed {
			return false
		}
		v.Failed = append(v.Failed, web.FailedCheck{What: what, Reason: registry.ReasonText(reason), Field: field})
		return true
	}
	failed(u.SNILSVrf, u.SNILSVrfReason, h.Pages.T(lang, "profile.snils"), "snils")
	failed(u.INNVrf, u.INNVrfReason, h.Pages.T(lang, "profile.inn"), "inn")
	for _, d := range u.Documents {
		row := web.DocRow{Type: d.Type, Number: strings.TrimSpace(d.Series + " " + d.Number), State: h.stateText(lang, d.VrfStu, d.VrfReason),
			IssueDate: web.DateOut(d.IssueDate), IssuedBy: d.IssuedBy, IssueID: d.IssueID}
		row.Failed = failed(d.VrfStu, d.VrfReason, h.Pages.T(lang, "doc."+d.Type), "passport_number")
		v.Documents = append(v.Documents, row)
	}
	checks, err := h.Registries.Checks(ctx, u.ID, h.Now())
	if err != nil {
		return nil, err
	}
	for _, c := range checks {
		v.Checks = append(v.Checks, web.CheckRow{Registry: registry.RegistryName(c.Kind), State: h.stateText(lang, c.State, c.Reason), Ready: web.DateTime(c.ReadyAt)})
	}
	next := storage.LevelStandard
	switch u.Level {
	case storage.LevelStandard:
		next = storage.LevelConfirmed
	case storage.LevelConfirmed:
		next = ""
	}
	if next != "" {
		v.NextLevel = h.Pages.T(lang, "level."+string(next))
		for _, req := range proofing.MissingFor(u, pr, next) {
			v.Missing = append(v.Missing, req.Text())
		}
	}
	v.CanConfirm = u.Level == storage.LevelStandard
	v.ESignature = h.Confirmer.Roots != nil
	return v, nil
}

// stateText shows a verification state in words.
func (h *Handler) stateText(lang, state, reason string) string {
	if state == "" {
		state = storage.VerifyNotVerified
	}
	t := h.Pages.T(lang, "vrf."+state)
	if reason != "" {
		t += ": " + registry.ReasonText(reason)
	}
	return t
}

// profilePost saves the profile and sends what changed to the registries.
func (h *Handler) profilePost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := h.Now()
	f := web.ProfileForm{BirthDate: r.PostFormValue("birth_date"), BirthPlace: strings.TrimSpace(r.PostFormValue("birth_place")), Gender: r.PostFormValue("gender"),
		SNILS: r.PostFormValue("snils"), INN: r.PostFormValue("inn"), PassportSeries: r.PostFormValue("passport_series"),
		PassportNumber: r.PostFormValue("passport_number"), PassportDate: r.PostFormValue("passport_date"),
		PassportIssuer: strings.TrimSpace(r.PostFormValue("passport_issuer")), PassportUnit: r.PostFormValue("passport_unit"),
		Address: strings.TrimSpace(r.PostFormValue("address"))}
	errs := web.FieldErrors{}
	bad := func(field string, err error) { errs.Add(field, proofing.Message(err)) }
	date := func(s, field, key string) string { // typed ДД.ММ.ГГГГ (or ГГГГ-ММ-ДД), stored ГГГГ-ММ-ДД
		iso, ok := web.DateIn(s)
		if !ok {
			errs.Add(field, h.Pages.T(lang, key))
		}
		return iso
	}
	birthDate := date(f.BirthDate, "birth_date", "profile.birthdate.bad")
	passportDate := date(f.PassportDate, "passport_date", "profile.passportdate.bad")
	if f.Gender != "" && f.Gender != "M" && f.Gender != "F" {
		errs.Add("gender", h.Pages.T(lang, "profile.gender.bad"))
	}
	snils, inn, unit := "", "", ""
	var pp ident.Passport
	var err error
	if f.SNILS != "" {
		if snils, err = ident.NormalizeSNILS(f.SNILS); err != nil {
			bad("snils", err)
		}
	}
	if f.INN != "" {
		if inn, err = ident.NormalizeINN(f.INN); err != nil {
			bad("inn", err)
		}
	}
	hasPassport := f.PassportSeries != "" || f.PassportNumber != ""
	if hasPassport {
		if pp, err = ident.ParsePassport(f.PassportSeries, f.PassportNumber); err != nil {
			bad("passport_number", err)
		}
		if f.PassportUnit != "" {
			if unit, err = ident.NormalizeUnitCode(f.PassportUnit); err != nil {
				bad("passport_unit", err)
			}
		}
	}
	if len(errs) > 0 {
		v, err := h.profileView(ctx, u, lang)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		v.Form, v.Errors, v.Editing = f, errs, true
		h.renderProfile(w, r, u, bid, v)
		return
	}
	var submit []registry.CheckKind
	old := u.Level
	u, err = h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		submit = submit[:0]
		cur.BirthDate, cur.BirthPlace, cur.Gender = birthDate, f.BirthPlace, f.Gender
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
			nd := storage.Document{ID: cur.ID + "01", Type: "RF_PASSPORT", Series: pp.Series, Number: pp.Number, IssueDate: passportDate,
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
			cur.Addresses = []storage.Address{accounts.AddressOf("PRG", f.Address)}
		}
		pr := accounts.ProofsOf(cur)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = now
		return cur, nil
	})
	if errors.Is(err, storage.ErrAlreadyExists) { // the SNILS belongs to another account
		v, verr := h.profileView(ctx, u, lang)
		if verr != nil {
			h.Pages.ServerError(w, r, verr)
			return
		}
		v.Form, v.Errors, v.Editing = f, web.FieldErrors{"snils": h.Pages.T(lang, "profile.snils.taken")}, true
		h.renderProfile(w, r, u, bid, v)
		return
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	for _, kind := range submit {
		c, err := h.Registries.Submit(ctx, u.ID, kind, registry.CheckDataOf(u, kind), now)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		if u, err = h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
			cu, pr := registry.MarkVerifying(cur, accounts.ProofsOf(cur), c)
			return accounts.WithProofs(cu, pr), nil
		}); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Accounts.Notify(ctx, u, registry.CheckNotice(c))
	}
	h.Accounts.LevelChanged(ctx, u, old)
	http.Redirect(w, r, "/account?notice=profile.saved", http.StatusSeeOther)
}

// contactPost confirms a contact: action=send sends a code, action=verify checks it.
func (h *Handler) contactPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	kind := r.PostFormValue("kind")
	phone, email := u.Phone, ""
	codes := h.SMS
	if kind == "email" {
		phone, email, codes = "", u.Email, h.EmailCodes
	}
	if phone == "" && email == "" {
		h.Pages.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return
	}
	key := "contact:" + kind + ":" + u.ID
	switch r.PostFormValue("action") {
	case "send":
		var ch, to string
		if err := h.sendContactCode(r, &ch, &to, key, phone, email, otp.KindRegistrationCode); err != nil {
			if msg := h.codeSendProblem(lang, err); msg != "" {
				h.profileProblem(w, r, u, bid, msg)
				return
			}
			h.Pages.ServerError(w, r, err)
			return
		}
		v, err := h.profileView(ctx, u, lang)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.renderProfile(w, r, u, bid, v, "verify:"+kind)
	case "verify":
		if err := codes.Verify(ctx, key, r.PostFormValue("code")); err != nil {
			h.profileProblem(w, r, u, bid, h.Pages.Catalog().CodeProblem(lang, err))
			return
		}
		old := u.Level
		nu, err := h.Store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
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
		if errors.Is(err, storage.ErrAlreadyExists) { // another account confirmed it first
			h.profileProblem(w, r, u, bid, h.Pages.T(lang, "profile.contact.taken"))
			return
		}
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Accounts.LevelChanged(ctx, nu, old)
		http.Redirect(w, r, "/account?notice=profile.contact.verified", http.StatusSeeOther)
	default:
		h.Pages.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
	}
}

// confirmPost confirms the identity: action=letter sends a registered letter with a code,
// action=letter-code checks it, action=esig-start shows a challenge, action=esig checks the
// signature over it.
func (h *Handler) confirmPost(w http.ResponseWriter, r *http.Request) {
	u, _, bid, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := h.Now()
	pr := accounts.ProofsOf(u)
	if err := proofing.CanConfirm(u, pr); err != nil {
		h.profileProblem(w, r, u, bid, proofing.Message(err))
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
		code, letter, err := h.Confirmer.IssueLetterCode(ctx, u.ID, addr, now)
		if err != nil {
			h.profileProblem(w, r, u, bid, proofing.Message(err))
			return
		}
		h.Accounts.Notify(ctx, u, confirm.LetterNotice(code, letter, u.FullName()))
		http.Redirect(w, r, "/account?notice=confirm.letter.sent", http.StatusSeeOther)
		return
	case "letter-code":
		conf, err = h.Confirmer.VerifyLetterCode(ctx, u.ID, r.PostFormValue("code"), now)
	case "esig-start":
		ch, err := h.Confirmer.NewChallenge(ctx, u.ID, now)
		if err != nil {
			h.profileProblem(w, r, u, bid, proofing.Message(err))
			return
		}
		v, verr := h.profileView(ctx, u, lang)
		if verr != nil {
			h.Pages.ServerError(w, r, verr)
			return
		}
		v.Challenge = ch.Text
		h.renderProfile(w, r, u, bid, v)
		return
	case "esig":
		conf, _, err = h.Confirmer.ConfirmSignature(ctx, u, pr, r.PostFormValue("signature"), r.PostFormValue("certificate"), now)
	default:
		h.Pages.Message(w, r, http.StatusBadRequest, lang, "error.title", "error.badrequest")
		return
	}
	if err != nil {
		h.profileProblem(w, r, u, bid, proofing.Message(err))
		return
	}
	if err := h.Accounts.SetConfirmation(ctx, r, u.ID, conf); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=confirm.done", http.StatusSeeOther)
}

func (h *Handler) profileProblem(w http.ResponseWriter, r *http.Request, u storage.User, bid, problem string) {
	v, err := h.profileView(r.Context(), u, web.Lang(r, nil))
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	v.Problems = []string{problem}
	h.renderProfile(w, r, u, bid, v)
}

// renderProfile shows the profile section; verify names a contact whose code form to open.
func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, u storage.User, bid string, v *web.ProfileView, verify ...string) {
	lang := web.Lang(r, nil)
	av := &web.AccountView{Section: "", User: u, Level: h.Pages.T(lang, "level."+string(u.Level)), Profile: v}
	if len(verify) > 0 {
		av.Verify = strings.TrimPrefix(verify[0], "verify:")
	}
	h.Pages.Render(w, r, http.StatusOK, &web.AccountPage{Frame: web.Frame{Lang: lang, Title: "account.title", MainClass: "wide"},
		CSRF: h.Sessions.FormToken(bid, "", formAccount), Account: av})
}
