package dprofile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent/permissions"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Store is what the handler reads and writes: the consents (Docs), the accounts, the token
// records of access tokens, and the token families a withdrawal revokes.
type Store interface {
	storage.Docs
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
	RevokeFamily(ctx context.Context, familyID string) error
}

// AccessTokens checks an access token of the ESIA dialect (signature, nbf/exp) and returns
// its claims.
type AccessTokens interface {
	VerifyAccessToken(ctx context.Context, token string) (claims []byte, err error)
}

// LoginStarter sends a browser without a session to log in (the account pages' own login).
type LoginStarter interface {
	StartLogin(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) error
}

// Handler serves the account's agreements page and the Digital Profile data API. All fields
// are required except Log.
type Handler struct {
	Store    Store
	Tokens   AccessTokens
	Sessions *session.Manager
	Pages    *web.Renderer
	Login    LoginStarter
	// ClientName is a system's display name.
	ClientName func(id string) string
	// Audit records withdrawals (optional).
	Audit *audit.Recorder
	Now   func() time.Time
	Log   *slog.Logger
}

// Paths of the emulator's Digital Profile extension (not ESIA's).
const (
	DataPath     = "/esia-emulator/dprofile/prns/"    // {oid}/{scope}
	ConsentsPath = "/esia-emulator/dprofile/consents" // the permissions_url of a token
)

const formAgreements = "agreements"

// Mount adds the routes.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/agreements", h.agreements)
	mux.HandleFunc("POST /account/agreements/withdraw", h.withdraw)
	mux.HandleFunc("GET "+DataPath+"{oid}/{scope}", h.data)
	mux.HandleFunc("GET "+ConsentsPath, h.consent)
}

func (h *Handler) consents() Consents { return Consents{Docs: h.Store} }

// View turns a consent request into what the citizen reads; until is its end.
func View(r permissions.Request, until time.Time) web.PermissionView {
	v := web.PermissionView{Type: permissions.TypeText(r.Sysname), Until: web.DateTime(until), Responsible: r.ResponsibleObject}
	if len(r.Purposes) > 0 {
		v.Purpose = permissions.PurposeText(r.Purposes[0].Sysname)
	}
	for _, a := range r.Actions {
		v.Actions = append(v.Actions, permissions.ActionText(a.Sysname))
	}
	for _, s := range r.Scopes {
		v.Data = append(v.Data, permissions.ScopeText(s.Sysname))
	}
	return v
}

// user returns the session's citizen and browser id, or sends the browser to log in.
func (h *Handler) user(w http.ResponseWriter, r *http.Request) (storage.User, string, bool) {
	ctx := r.Context()
	sess, has, err := h.Sessions.Current(ctx, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return storage.User{}, "", false
	}
	if has {
		u, err := h.Store.GetUser(ctx, sess.UserID)
		if err == nil && u.Status != storage.StatusSuspended {
			bid, err := h.Sessions.BrowserID(w, r)
			if err != nil {
				h.Pages.ServerError(w, r, err)
				return storage.User{}, "", false
			}
			return u, bid, true
		}
	}
	// "account" is the account pages' login dialect (account.DialectName): it returns the
	// browser to the page after the login.
	ar := storage.AuthRequest{Dialect: "account", Scopes: []string{"openid"}, Extra: map[string]string{"return": "/account/agreements"}}
	if err := h.Login.StartLogin(w, r, ar); err != nil {
		h.Pages.ServerError(w, r, err)
	}
	return storage.User{}, "", false
}

func (h *Handler) agreements(w http.ResponseWriter, r *http.Request) {
	u, bid, ok := h.user(w, r)
	if !ok {
		return
	}
	now := h.Now()
	cs, err := h.consents().ForUser(r.Context(), u.ID, now)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	lang := web.Lang(r, nil)
	p := &web.AgreementsPage{Frame: web.Frame{Lang: lang, Title: "dp.agreements", MainClass: "wide"}, CSRF: h.Sessions.FormToken(bid, "", formAgreements)}
	if r.URL.Query().Get("notice") == "withdrawn" {
		p.Notice = h.Pages.T(lang, "dp.withdrawn")
	}
	for _, c := range cs {
		v := View(c.Request, c.ExpiresAt)
		v.ID, v.ClientName, v.Granted, v.Live = c.ID, h.ClientName(c.ClientID), web.DateTime(c.GrantedAt), c.Live(now)
		switch {
		case !c.WithdrawnAt.IsZero():
			v.Status = "dp.status.revoked"
		case !v.Live:
			v.Status = "dp.status.expired"
		default:
			v.Status = "dp.status.active"
		}
		p.Consents = append(p.Consents, v)
	}
	h.Pages.Render(w, r, http.StatusOK, p)
}

// withdraw withdraws one consent and revokes the tokens issued under it: the login's family
// (its access and refresh tokens) and the consent tokens of prm_chg.
func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formAgreements, h.Pages.Forbidden) {
		return
	}
	u, _, ok := h.user(w, r)
	if !ok {
		return
	}
	ctx, now := r.Context(), h.Now()
	id := r.PostFormValue("consent")
	var found *Consent
	cs, err := h.consents().ForUser(ctx, u.ID, now)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	for i := range cs {
		if cs[i].ID == id {
			found = &cs[i]
		}
	}
	if found == nil { // not the citizen's: nothing to do
		http.Redirect(w, r, "/account/agreements", http.StatusSeeOther)
		return
	}
	c, err := h.consents().Withdraw(ctx, u.ID, found.ClientID, id, now)
	if err != nil && !errors.Is(err, ErrNotLive) {
		h.Pages.ServerError(w, r, err)
		return
	}
	if err == nil {
		for _, fam := range []string{c.FamilyID, c.TokenFamily()} {
			if fam == "" {
				continue
			}
			if err := h.Store.RevokeFamily(ctx, fam); err != nil {
				h.Pages.ServerError(w, r, err)
				return
			}
		}
		h.Log.InfoContext(ctx, "dprofile: consent withdrawn", "user", u.ID, "client_id", c.ClientID, "consent", c.ID)
		if h.Audit != nil {
			h.Audit.Record(ctx, r, audit.Event{Type: audit.ConsentWithdrawn, UserID: u.ID, ClientID: c.ClientID,
				Details: map[string]string{"scopes": strings.Join(c.Scopes(), " "), "permissions": c.ID}})
		}
	}
	http.Redirect(w, r, "/account/agreements?notice=withdrawn", http.StatusSeeOther)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// bearer checks the access token of a data call and returns its record.
func (h *Handler) bearer(w http.ResponseWriter, r *http.Request) (storage.Token, bool) {
	ctx := r.Context()
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "an access token is required (Authorization: Bearer …)"})
		return storage.Token{}, false
	}
	if _, err := h.Tokens.VerifyAccessToken(ctx, tok); err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "the access token is invalid or expired"})
		return storage.Token{}, false
	}
	sum := sha256.Sum256([]byte(tok))
	rec, err := h.Store.GetToken(ctx, hex.EncodeToString(sum[:]), h.Now())
	switch {
	case errors.Is(err, storage.ErrNotFound) || (err == nil && rec.Kind != storage.TokenAccess):
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "the access token was revoked or has expired"})
		return storage.Token{}, false
	case err != nil:
		h.Log.ErrorContext(ctx, "dprofile: token lookup", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return storage.Token{}, false
	}
	return rec, true
}

func scopeNotAllowed(w http.ResponseWriter) {
	writeJSON(w, http.StatusForbidden, map[string]string{"code": "ESIA-005029", "message": "SecurityErrorEnum.scopeNotAllowed"})
}

// data serves GET /esia-emulator/dprofile/prns/{oid}/{scope}: the Digital Profile data of
// the scope, for a token that carries it for this person.
func (h *Handler) data(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.bearer(w, r)
	if !ok {
		return
	}
	scope := r.PathValue("scope")
	if r.PathValue("oid") != rec.Subject || !slices.Contains(rec.Scopes, scope) {
		scopeNotAllowed(w)
		return
	}
	u, err := h.Store.GetUser(r.Context(), rec.Subject)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "the person does not exist"})
		return
	}
	v, ok := Record(u, scope, h.Now())
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "the emulator has no data for scope " + scope})
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// consent serves the permissions_url of a token: the consents it was issued under, with
// their current status.
func (h *Handler) consent(w http.ResponseWriter, r *http.Request) {
	rec, ok := h.bearer(w, r)
	if !ok {
		return
	}
	now := h.Now()
	cs, err := h.consents().ForClient(r.Context(), rec.Subject, rec.ClientID, now)
	if err != nil {
		h.Log.ErrorContext(r.Context(), "dprofile: consent lookup", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	out := []Claim{}
	for _, c := range cs {
		if c.FamilyID == rec.FamilyID || c.TokenFamily() == rec.FamilyID {
			out = append(out, ClaimOf(c, now))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"stateFacts": []string{"hasSize"}, "size": len(out), "elements": out})
}

// Claim is one granted consent in a token's permissions claim and at its permissions_url
// (the emulator's shape: the request as granted, with its id, dates and status).
type Claim struct {
	ID string `json:"id"`
	permissions.Request
	GrantedAt int64  `json:"granted_at"`
	ExpiresAt int64  `json:"expires_at"`
	Status    string `json:"status"` // ACTIVE, EXPIRED or REVOKED
}

// ClaimOf is the consent as a token and permissions_url show it.
func ClaimOf(c Consent, now time.Time) Claim {
	st := "ACTIVE"
	switch {
	case !c.WithdrawnAt.IsZero():
		st = "REVOKED"
	case !c.Live(now):
		st = "EXPIRED"
	}
	return Claim{ID: c.ID, Request: c.Request, GrantedAt: c.GrantedAt.Unix(), ExpiresAt: c.ExpiresAt.Unix(), Status: st}
}
