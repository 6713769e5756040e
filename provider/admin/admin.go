package admin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/password"
)

// The admin API lives under /admin/api/ and answers JSON. It is enabled by an admin token
// (config admin_token or ESIA_ADMIN_TOKEN) sent as "Authorization: Bearer <token>"; without
// a configured token every admin route answers 404, as if it did not exist.
// Mount adds the admin API's routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	g := func(f http.HandlerFunc) http.Handler { return h.API.Guard(f) }
	mux.Handle("GET /admin/api/personas", g(h.adminListPersonas))
	mux.Handle("POST /admin/api/personas", g(h.adminCreatePersona))
	mux.Handle("GET /admin/api/personas/{id}", g(h.adminGetPersona))
	mux.Handle("GET /admin/api/clients", g(h.adminListClients))
	mux.Handle("POST /admin/api/personas/{id}/confirm", g(h.adminConfirm))
	mux.Handle("POST /admin/api/personas/{id}/status", g(h.adminStatus))
	mux.Handle("GET /admin/api/audit", g(h.adminAudit))
	mux.Handle("GET /admin/api/outbox", g(h.adminOutbox))
	mux.Handle("DELETE /admin/api/outbox", g(h.adminClearOutbox))
	mux.Handle("GET /admin/api/lockout", g(h.adminLocked))
	mux.Handle("GET /admin/api/personas/{id}/lockout", g(h.adminLockout))
	mux.Handle("POST /admin/api/personas/{id}/unlock", g(h.adminUnlock))
	mux.Handle("GET /admin/api/lockout/ip/{ip}", g(h.adminIPLockout))
	mux.Handle("POST /admin/api/lockout/ip/{ip}/unlock", g(h.adminIPUnlock))
	mux.Handle("GET /admin/api/keys", g(h.adminListKeys))
	mux.Handle("POST /admin/api/keys/rotate", g(h.adminRotateKey))
	mux.Handle("DELETE /admin/api/keys/{kid}", g(h.adminDeleteKey))
	mux.Handle("/admin/api/", g(func(w http.ResponseWriter, r *http.Request) {
		web.JSON(w, http.StatusNotFound, Problem{Error: "not_found", Message: "no such admin endpoint"})
	}))
}

// Problem is an admin API error answer.
type Problem struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// API is what every admin endpoint (this package's and test mode's) shares: the token check
// and the error answers.
type API struct {
	// Token is the admin token; "" switches the admin API off (every route answers 404).
	Token  string
	Logger *slog.Logger
	// SecureCookie marks the admin cookie Secure (an https issuer).
	SecureCookie bool
}

// CookieName is the admin cookie that the /outbox page's token form sets (Authorized).
const CookieName = "esia_admin"

// cookieValue is what the admin cookie holds: a MAC of the token, never the token itself, so a
// new token voids every cookie.
func (a *API) cookieValue() string {
	m := hmac.New(sha256.New, []byte(a.Token))
	m.Write([]byte("esia-emulator/admin-cookie/v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Enabled reports whether an admin token is configured (without one the admin API is 404).
func (a *API) Enabled() bool { return a.Token != "" }

// Authorized reports whether the request carries the admin token: "Authorization: Bearer
// <token>" or the admin cookie set by LogIn. Always false without a configured token.
func (a *API) Authorized(r *http.Request) bool {
	if a.Token == "" {
		return false
	}
	want := sha256.Sum256([]byte(a.Token))
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got := sha256.Sum256([]byte(tok))
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return hmac.Equal([]byte(c.Value), []byte(a.cookieValue()))
	}
	return false
}

// LogIn checks a token typed into a page's form and, when it is the admin token, sets the
// admin cookie (HttpOnly, SameSite=Strict, 12 hours; Secure when the issuer is https).
func (a *API) LogIn(w http.ResponseWriter, token string) bool {
	want, got := sha256.Sum256([]byte(a.Token)), sha256.Sum256([]byte(token))
	if a.Token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: a.cookieValue(), Path: "/", MaxAge: 12 * 3600,
		HttpOnly: true, Secure: a.SecureCookie, SameSite: http.SameSiteStrictMode})
	return true
}

// Guard lets a request through only with "Authorization: Bearer <token>"; without a
// configured token it answers 404, as if the route did not exist.
func (a *API) Guard(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(a.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Token == "" {
			http.NotFound(w, r)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(tok))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="esia-emulator admin"`)
			web.JSON(w, http.StatusUnauthorized, Problem{Error: "unauthorized", Message: "send the admin token as Authorization: Bearer <token>"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// DecodeJSON reads a JSON request body of at most limit bytes into v, refusing unknown
// fields; on failure it answers 400 invalid_request and returns false.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "body: " + err.Error()})
		return false
	}
	return true
}

// PersonaView is an account as the admin API shows it: never the password hash.
type PersonaView struct {
	OID           string             `json:"oid"`
	Persona       string             `json:"persona,omitempty"`
	Level         storage.Level      `json:"level"`
	Status        storage.Status     `json:"status"`
	StatusReason  string             `json:"status_reason,omitempty"`
	LastName      string             `json:"last_name"`
	FirstName     string             `json:"first_name"`
	MiddleName    string             `json:"middle_name,omitempty"`
	BirthDate     string             `json:"birth_date,omitempty"`
	BirthPlace    string             `json:"birth_place,omitempty"`
	Gender        string             `json:"gender,omitempty"`
	Phone         string             `json:"phone,omitempty"`
	PhoneVerified bool               `json:"phone_verified"`
	Email         string             `json:"email,omitempty"`
	EmailVerified bool               `json:"email_verified"`
	SNILS         string             `json:"snils,omitempty"`
	INN           string             `json:"inn,omitempty"`
	Documents     []storage.Document `json:"documents,omitempty"`
	Addresses     []storage.Address  `json:"addresses,omitempty"`
}

// ViewOf shows an account as the admin API does.
func ViewOf(u storage.User) PersonaView {
	return PersonaView{OID: u.ID, Persona: u.Persona, Level: u.Level, Status: u.Status, StatusReason: u.StatusReason,
		LastName: u.LastName, FirstName: u.FirstName, MiddleName: u.MiddleName, BirthDate: u.BirthDate,
		BirthPlace: u.BirthPlace, Gender: u.Gender, Phone: u.Phone, PhoneVerified: u.PhoneVerified,
		Email: u.Email, EmailVerified: u.EmailVerified, SNILS: u.SNILS, INN: u.INN,
		Documents: u.Documents, Addresses: u.Addresses}
}

func (h *Handler) adminListPersonas(w http.ResponseWriter, r *http.Request) {
	users, err := h.Store.ListUsers(r.Context())
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	out := make([]PersonaView, 0, len(users))
	for _, u := range users {
		out = append(out, ViewOf(u))
	}
	web.JSON(w, http.StatusOK, out)
}

func (h *Handler) adminGetPersona(w http.ResponseWriter, r *http.Request) {
	u, err := h.Accounts.Find(r.Context(), r.PathValue("id"))
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, ViewOf(u))
}

// adminCreatePersona creates a citizen from a persona document (the config file's persona
// fields, as JSON). Without an oid one is assigned.
func (h *Handler) adminCreatePersona(w http.ResponseWriter, r *http.Request) {
	var pc config.Persona
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pc); err != nil {
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "body must be a persona JSON object: " + err.Error()})
		return
	}
	if pc.OID == "" {
		pc.OID = h.Accounts.NewOID()
	}
	if pc.Key == "" {
		pc.Key = "persona-" + pc.OID
	}
	if pc.Status == "" {
		pc.Status = string(storage.StatusActive)
	}
	if err := pc.Validate(); err != nil {
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: err.Error()})
		return
	}
	u, err := h.Accounts.FromPersona(pc, "")
	if err != nil {
		if errors.Is(err, password.ErrBusy) {
			h.API.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: err.Error()})
		return
	}
	if err := h.Store.CreateUser(r.Context(), u); err != nil {
		h.API.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/admin/api/personas/"+u.ID)
	view := createdView{PersonaView: ViewOf(u)}
	if missing := confirmedLacks(pc); len(missing) > 0 {
		// Real ESIA has no confirmed account without them; said loudly (the answer, a Warning
		// header, the log) rather than refused, so tests that need only a level keep working.
		msg := "a confirmed account in ESIA always has SNILS, a passport and a birth date; this one lacks " + strings.Join(missing, ", ")
		view.Warnings = []string{msg}
		w.Header().Set("Warning", `299 esia-emulator "`+msg+`"`)
		if h.API.Logger != nil {
			h.API.Logger.WarnContext(r.Context(), "admin: confirmed persona without the data ESIA requires", "oid", u.ID, "missing", missing)
		}
	}
	web.JSON(w, http.StatusCreated, view)
}

// createdView is a created persona with what is odd about it.
type createdView struct {
	PersonaView
	Warnings []string `json:"warnings,omitempty"`
}

// confirmedLacks lists what a confirmed persona lacks of what every confirmed ESIA account has.
func confirmedLacks(pc config.Persona) []string {
	if pc.Level != string(storage.LevelConfirmed) {
		return nil
	}
	var missing []string
	if pc.SNILS == "" {
		missing = append(missing, "snils")
	}
	if pc.Passport == nil || pc.Passport.Number == "" {
		missing = append(missing, "passport")
	}
	if pc.BirthDate == "" {
		missing = append(missing, "birth_date")
	}
	return missing
}

func (h *Handler) adminListClients(w http.ResponseWriter, _ *http.Request) {
	type clientView struct {
		ID                     string   `json:"id"`
		Name                   string   `json:"name,omitempty"`
		Public                 bool     `json:"public"`
		RedirectURIs           []string `json:"redirect_uris"`
		PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
		BackchannelLogoutURI   string   `json:"backchannel_logout_uri,omitempty"`
		BackchannelLogoutSID   bool     `json:"backchannel_logout_session_required,omitempty"`
		GrantTypes             []string `json:"grant_types"`
		RequirePKCE            bool     `json:"require_pkce"`
		SigningAlg             string   `json:"signing_alg"`
		MinLevel               string   `json:"min_level,omitempty"`
	}
	out := make([]clientView, 0, len(h.ClientConfigs))
	for _, c := range h.ClientConfigs {
		cl := h.Clients.Get(c.ID)
		v := clientView{ID: c.ID, Name: c.Name, Public: c.Public, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
			BackchannelLogoutURI: c.BackchannelLogoutURI, BackchannelLogoutSID: c.BackchannelLogoutSessionRequired,
			RequirePKCE: cl.RequiresPKCE(), SigningAlg: string(cl.SigningAlg), MinLevel: c.MinLevel}
		v.GrantTypes = []string{"authorization_code"}
		if cl.Refresh {
			v.GrantTypes = append(v.GrantTypes, "refresh_token")
		}
		out = append(out, v)
	}
	web.JSON(w, http.StatusOK, out)
}

// isStoreError reports whether err is one of the store's sentinels (not a validation error).
func isStoreError(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrAlreadyExists) ||
		errors.Is(err, storage.ErrUnavailable) || errors.Is(err, storage.ErrConflict)
}

// Error answers err as JSON: store sentinels by their meaning, anything else as a logged 500.
func (a *API) Error(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		web.JSON(w, http.StatusNotFound, Problem{Error: "not_found", Message: "not found"})
	case errors.Is(err, storage.ErrAlreadyExists):
		web.JSON(w, http.StatusConflict, Problem{Error: "conflict", Message: "the oid, phone, e-mail or SNILS belongs to another account"})
	case errors.Is(err, storage.ErrUnavailable):
		web.JSON(w, http.StatusServiceUnavailable, Problem{Error: "temporarily_unavailable", Message: "the store is unavailable"})
	case errors.Is(err, password.ErrBusy):
		w.Header().Set("Retry-After", "5")
		web.JSON(w, http.StatusServiceUnavailable, Problem{Error: "temporarily_unavailable", Message: "too many password hashes at once; try again shortly"})
	default:
		a.Logger.ErrorContext(r.Context(), "admin request failed", "path", r.URL.Path, "err", err)
		web.JSON(w, http.StatusInternalServerError, Problem{Error: "server_error", Message: "internal error"})
	}
}
