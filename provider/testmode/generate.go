package testmode

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/admin"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing/personagen"
)

// The persona generator (test mode) makes realistic citizens from a seed with personagen:
//
//	POST /admin/api/personas/generate  creates them (201), all or none
//	GET  /admin/api/personas/generate  the same people as a dry run: nothing is stored (200)
//
// The same seed and options give the same people on every emulator, so a test names its
// seed and gets the same accounts on every run. Both answer 404 outside test mode.
func (h *Handler) mountGenerate(mux *http.ServeMux) {
	mux.Handle("POST /admin/api/personas/generate", h.guard(h.adminGeneratePersonas))
	mux.Handle("GET /admin/api/personas/generate", h.guard(h.adminPreviewPersonas))
}

// Limits of one generator request.
const (
	generateMaxCount    = 1000
	generateMaxPassword = 256
)

// generateRequest is the body of POST /admin/api/personas/generate; the query of the GET
// dry run carries the same fields (except replace). Every field is optional.
type generateRequest struct {
	// Seed picks the people; omitted, one is derived from the clock and returned.
	Seed *int64 `json:"seed"`
	// Count of people, 1 (default) to 1000.
	Count *int `json:"count"`
	// Level: simplified, standard (default) or confirmed.
	Level string `json:"level"`
	// Gender: M, F or "" (either).
	Gender string `json:"gender"`
	// SecondFactor: "" (none), sms or totp.
	SecondFactor string `json:"second_factor"`
	// Password of every generated citizen (default config.DefaultPassword).
	Password      string `json:"password"`
	BirthYearFrom int    `json:"birth_year_from"`
	BirthYearTo   int    `json:"birth_year_to"`
	// Region: a subject code ("77") or a region's name ("г. Москва").
	Region string `json:"region"`
	// Replace deletes existing accounts with the generated oids first (POST only).
	Replace bool `json:"replace"`
	// Organizations: how many ESIA organisations to make from the same seed, employing the
	// generated people (POST only; generate_orgs.go).
	Organizations int `json:"organizations"`
}

// generatedView is a generated citizen as the generator answers it: the account as the
// admin API shows it, plus the plain test password and, for totp, the authenticator secret.
type generatedView struct {
	admin.PersonaView
	SecondFactor string `json:"second_factor,omitempty"`
	Password     string `json:"password"`
	TOTPSecret   string `json:"totp_secret,omitempty"`
}

type generateResponse struct {
	Seed     int64           `json:"seed"`
	DryRun   bool            `json:"dry_run,omitempty"`
	Personas []generatedView `json:"personas"`
	// Organizations made with them (POST with "organizations").
	Organizations []config.ESIAOrganization `json:"organizations,omitempty"`
}

// generated is one person of a run: its account and what the answer shows of it.
type generated struct {
	user storage.User
	view generatedView
}

func (h *Handler) adminGeneratePersonas(w http.ResponseWriter, r *http.Request) {
	var req generateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) { // an empty body takes the defaults
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: `body: {"seed":42,"count":5,"level":"confirmed","gender":"F","second_factor":"sms","password":"…","birth_year_from":1950,"birth_year_to":2000,"region":"77","replace":false}, every field optional: ` + err.Error()})
		return
	}
	if req.Organizations < 0 || req.Organizations > maxGeneratedOrgs || (req.Organizations > 0 && h.Organizations == nil) {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: fmt.Sprintf("organizations is 0 to %d", maxGeneratedOrgs)})
		return
	}
	seed, people, err := h.generatePeople(r.Context(), req, false)
	if err != nil {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: err.Error()})
		return
	}
	ctx := r.Context()
	h.generateMu.Lock()
	defer h.generateMu.Unlock()
	if err := h.storeGenerated(ctx, people, req.Replace); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			msg := fmt.Sprintf("seed %d: a generated citizen's oid, phone, e-mail or SNILS is already taken; nothing was created. Send \"replace\": true to replace the accounts of an earlier run with this seed, or use another seed", seed)
			web.JSON(w, http.StatusConflict, admin.Problem{Error: "conflict", Message: msg})
			return
		}
		h.API.Error(w, r, err)
		return
	}
	h.Logger.InfoContext(ctx, "personas generated", "seed", seed, "count", len(people), "replace", req.Replace)
	resp := responseOf(seed, people, false)
	if req.Organizations > 0 {
		employ := make([]string, 0, len(people))
		for _, g := range people {
			employ = append(employ, g.user.ID)
		}
		if resp.Organizations, err = h.Organizations.CreateGenerated(ctx, seed, req.Organizations, employ); err != nil {
			h.API.Error(w, r, err)
			return
		}
	}
	web.JSON(w, http.StatusCreated, resp)
}

// adminPreviewPersonas is the dry run: ?seed=42&count=3&level=…&gender=…&second_factor=…
// &password=…&birth_year_from=…&birth_year_to=…&region=… answers the people POST would
// create with the same options, and creates nothing.
func (h *Handler) adminPreviewPersonas(w http.ResponseWriter, r *http.Request) {
	req, err := generateRequestFromQuery(r.URL.Query())
	if err != nil {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: err.Error()})
		return
	}
	seed, people, err := h.generatePeople(r.Context(), req, true)
	if err != nil {
		web.JSON(w, http.StatusBadRequest, admin.Problem{Error: "invalid_request", Message: err.Error()})
		return
	}
	web.JSON(w, http.StatusOK, responseOf(seed, people, true))
}

func responseOf(seed int64, people []generated, dryRun bool) generateResponse {
	out := generateResponse{Seed: seed, DryRun: dryRun, Personas: make([]generatedView, len(people))}
	for i, g := range people {
		out.Personas[i] = g.view
	}
	return out
}

func generateRequestFromQuery(q url.Values) (generateRequest, error) {
	var req generateRequest
	for k, v := range q {
		if len(v) != 1 {
			return req, fmt.Errorf("%s: give it once", k)
		}
		s := v[0]
		var err error
		switch k {
		case "seed":
			var n int64
			n, err = strconv.ParseInt(s, 10, 64)
			req.Seed = &n
		case "count":
			var n int
			n, err = strconv.Atoi(s)
			req.Count = &n
		case "birth_year_from":
			req.BirthYearFrom, err = strconv.Atoi(s)
		case "birth_year_to":
			req.BirthYearTo, err = strconv.Atoi(s)
		case "level":
			req.Level = s
		case "gender":
			req.Gender = s
		case "second_factor":
			req.SecondFactor = s
		case "password":
			req.Password = s
		case "region":
			req.Region = s
		default:
			return req, fmt.Errorf("unknown parameter %q (known: seed, count, level, gender, second_factor, password, birth_year_from, birth_year_to, region)", k)
		}
		if err != nil {
			return req, fmt.Errorf("%s: a whole number", k)
		}
	}
	return req, nil
}

// generatePeople checks the request and makes its people. With preview the password is
// not hashed (nothing is stored). An oid, phone, e-mail, SNILS or INN already held by an
// account the same seed did not make is drawn again (takenOutsideSeed), so runs with other
// seeds never conflict; a second run of a seed makes the same people and conflicts with the
// first (or replaces it).
func (h *Handler) generatePeople(ctx context.Context, req generateRequest, preview bool) (int64, []generated, error) {
	count := 1
	if req.Count != nil {
		count = *req.Count
	}
	if count < 1 || count > generateMaxCount {
		return 0, nil, fmt.Errorf("count %d: want 1 to %d", count, generateMaxCount)
	}
	switch req.SecondFactor {
	case "", "sms", "totp":
	default:
		return 0, nil, fmt.Errorf("second_factor %q: want sms, totp or nothing", req.SecondFactor)
	}
	if len(req.Password) > generateMaxPassword {
		return 0, nil, fmt.Errorf("password: at most %d bytes", generateMaxPassword)
	}
	opts := personagen.Options{Gender: req.Gender, Level: req.Level, BirthYearFrom: req.BirthYearFrom,
		BirthYearTo: req.BirthYearTo, Region: req.Region}
	if err := opts.Validate(); err != nil {
		return 0, nil, err
	}
	seed := h.newGenerateSeed()
	if req.Seed != nil {
		seed = *req.Seed
	}
	pw := req.Password
	if pw == "" {
		pw = config.DefaultPassword
	}
	hash := "-" // a preview stores nothing; the placeholder only spares the hashing
	if !preview {
		var err error
		if hash, err = h.Hasher.Hash(pw); err != nil { // once: every generated citizen shares it
			return 0, nil, fmt.Errorf("password: %w", err)
		}
	}

	gen := personagen.New(seed)
	gen.KeyPrefix = "gen" + strconv.FormatInt(seed, 10)
	gen.Taken = h.takenOutsideSeed(ctx, gen.KeyPrefix+"-")
	out := make([]generated, 0, count)
	for _, gp := range gen.People(count, opts) {
		pc := personaFromGenerated(gp)
		pc.Password = pw
		pc.SecondFactor = req.SecondFactor
		if pc.SecondFactor == "totp" {
			pc.TOTPSecret = generatedTOTPSecret(seed, pc.OID)
		}
		if err := pc.Validate(); err != nil {
			return 0, nil, fmt.Errorf("generated persona: %w", err) // the generator guarantees valid people
		}
		u, err := h.Accounts.FromPersona(pc, hash)
		if err != nil {
			return 0, nil, fmt.Errorf("generated persona: %w", err)
		}
		if a := gp.AddressParts; a.AddressStr != "" && len(u.Addresses) == 1 {
			u.Addresses[0] = storage.Address{Type: a.Type, AddressStr: a.AddressStr, ZipCode: a.ZipCode, Region: a.Region,
				City: a.City, Street: a.Street, House: a.House, Flat: a.Flat, Country: a.Country, FIASCode: accounts.FIASCodeOf(a.AddressStr)}
		}
		out = append(out, generated{user: u, view: generatedView{PersonaView: admin.ViewOf(u), SecondFactor: u.SecondFactor,
			Password: pw, TOTPSecret: u.TOTPSecret}})
	}
	return seed, out, nil
}

// takenOutsideSeed reports a generated value held by an account whose persona key does not
// start with keyPrefix (one the seed did not make). A store error counts as free: the create
// then answers it.
func (h *Handler) takenOutsideSeed(ctx context.Context, keyPrefix string) func(kind, value string) bool {
	logins := map[string]storage.LoginKind{"phone": storage.LoginPhone, "email": storage.LoginEmail,
		"snils": storage.LoginSNILS, "inn": storage.LoginINN}
	return func(kind, value string) bool {
		var u storage.User
		var err error
		switch kind {
		case "oid":
			u, err = h.Store.GetUser(ctx, value)
		case "snils":
			u, err = h.Store.UserByLogin(ctx, storage.LoginSNILS, strings.NewReplacer("-", "", " ", "").Replace(value))
		case "email":
			u, err = h.Store.UserByLogin(ctx, storage.LoginEmail, strings.ToLower(value))
		default:
			lk, ok := logins[kind]
			if !ok {
				return false
			}
			u, err = h.Store.UserByLogin(ctx, lk, value)
		}
		return err == nil && !strings.HasPrefix(u.Persona, keyPrefix)
	}
}

// personaFromGenerated converts field by field (the generator mirrors config.Persona).
func personaFromGenerated(g personagen.Persona) config.Persona {
	pc := config.Persona{Key: g.Key, OID: g.OID, Password: g.Password, Level: g.Level, Status: g.Status, Reason: g.Reason,
		LastName: g.LastName, FirstName: g.FirstName, MiddleName: g.MiddleName, BirthDate: g.BirthDate,
		BirthPlace: g.BirthPlace, Gender: g.Gender, Phone: g.Phone, Email: g.Email, SNILS: g.SNILS, INN: g.INN,
		Address: g.Address, SecondFactor: g.SecondFactor}
	if g.Passport != nil {
		pc.Passport = &config.Passport{Series: g.Passport.Series, Number: g.Passport.Number, IssueDate: g.Passport.IssueDate,
			IssuedBy: g.Passport.IssuedBy, UnitCode: g.Passport.UnitCode}
	}
	if pc.Status == "" {
		pc.Status = string(storage.StatusActive)
	}
	return pc
}

// generatedTOTPSecret is a citizen's authenticator secret, derived from the seed and oid so
// that a seed gives the same secrets too: 160 bits, base32 without padding.
func generatedTOTPSecret(seed int64, oid string) string {
	h := sha256.New()
	h.Write([]byte("esia-emulator/personas/generate/totp\x00"))
	_ = binary.Write(h, binary.BigEndian, seed)
	h.Write([]byte(oid))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:20])
}

// newGenerateSeed draws a seed from the injected random source: below 2^53 so that
// JavaScript reads the answered seed exactly.
func (h *Handler) newGenerateSeed() int64 {
	var b [8]byte
	if _, err := io.ReadFull(h.Rand, b[:]); err != nil {
		panic(fmt.Sprintf("testmode: random source failed: %v", err)) // crypto/rand does not fail
	}
	return int64(binary.BigEndian.Uint64(b[:]) & (1<<53 - 1))
}

// storeGenerated creates every account or none, in one transaction. With replace, existing
// accounts with the generated oids are deleted first, and restored if the create fails. The
// replaced accounts' sessions and tokens end once the new accounts exist.
func (h *Handler) storeGenerated(ctx context.Context, people []generated, replace bool) error {
	var replaced []storage.User
	if replace {
		for _, g := range people {
			old, err := h.Store.GetUser(ctx, g.user.ID)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return h.restore(ctx, replaced, err)
			}
			if err := h.Store.DeleteUser(ctx, old.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return h.restore(ctx, replaced, err)
			}
			replaced = append(replaced, old)
		}
	}
	users := make([]storage.User, len(people))
	for i, g := range people {
		users[i] = g.user
	}
	if err := h.Store.CreateUsers(ctx, users); err != nil {
		return h.restore(ctx, replaced, err)
	}
	for _, old := range replaced {
		if e := h.Sessions.EndUser(ctx, old.ID, ""); e != nil {
			h.Logger.WarnContext(ctx, "generate: end the replaced account's sessions", "oid", old.ID, "err", e)
		}
		for _, c := range h.ClientConfigs {
			if e := h.Store.RevokeUserClientTokens(ctx, old.ID, c.ID); e != nil {
				h.Logger.WarnContext(ctx, "generate: revoke the replaced account's tokens", "oid", old.ID, "client", c.ID, "err", e)
			}
		}
	}
	return nil
}

// restore puts back the accounts a failed replace deleted (on a context that outlives a
// cancelled request) and returns err.
func (h *Handler) restore(ctx context.Context, replaced []storage.User, err error) error {
	if len(replaced) > 0 {
		if e := h.Store.CreateUsers(context.WithoutCancel(ctx), replaced); e != nil {
			h.Logger.ErrorContext(ctx, "generate: rollback: restore the replaced accounts", "count", len(replaced), "err", e)
		}
	}
	return err
}
