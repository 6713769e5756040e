package account

import (
	"errors"
	"net/http"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/session"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

// The citizen's account pages under /account: data access granted to services, login
// history, active sessions. They need the browser's SSO session; without one the citizen
// logs in through the same flow as for a relying party (the internal "account" dialect) and
// comes back.

const (
	dialectAccount = "account"
	formAccount    = "account"
)

// accountDialect finishes logins started by the account pages.
type accountDialect struct{}

func (d accountDialect) Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	http.Redirect(w, r, safeReturn(ar.Extra["return"]), http.StatusSeeOther)
}

func (d accountDialect) Fail(w http.ResponseWriter, r *http.Request, _ storage.AuthRequest, _, _ string) {
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeReturn keeps a return path inside the account pages.
func safeReturn(path string) string {
	if strings.HasPrefix(path, "/account") && !strings.HasPrefix(path, "//") {
		return path
	}
	return "/account"
}

// Mount adds the citizen's pages.
func (h *Handler) Mount(mux *http.ServeMux) {
	for _, section := range []string{"", "/access", "/history", "/sessions"} {
		mux.HandleFunc("GET /account"+section, h.accountPage)
	}
	mux.HandleFunc("POST /account/access/withdraw", h.accountWithdraw)
	mux.HandleFunc("POST /account/sessions/end", h.accountEndSession)
	mux.HandleFunc("POST /account/logout", h.accountLogout)
	h.mountSecurity(mux)
	h.mountIPRestrict(mux)
	h.mountProfile(mux)
	registration{h}.mountRegister(mux)
	recovery{h}.mountRecover(mux)
}

// accountUser returns the session's citizen, or sends the browser to log in and returns
// ok=false.
func (h *Handler) accountUser(w http.ResponseWriter, r *http.Request) (storage.User, storage.Session, string, bool) {
	ctx := r.Context()
	sess, has, err := h.Sessions.Current(ctx, r)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return storage.User{}, storage.Session{}, "", false
	}
	if has {
		u, err := h.Store.GetUser(ctx, sess.UserID)
		if err == nil && u.Status != storage.StatusSuspended {
			bid, err := h.Sessions.BrowserID(w, r)
			if err != nil {
				h.Pages.ServerError(w, r, err)
				return storage.User{}, storage.Session{}, "", false
			}
			return u, sess, bid, true
		}
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			h.Pages.ServerError(w, r, err)
			return storage.User{}, storage.Session{}, "", false
		}
	}
	back := r.URL.Path
	if r.Method != http.MethodGet {
		back = "/account"
	}
	ar := storage.AuthRequest{Dialect: dialectAccount, Scopes: []string{"openid"}, Extra: map[string]string{"return": back}}
	if err := h.Flow.StartLogin(w, r, ar); err != nil {
		h.Pages.ServerError(w, r, err)
	}
	return storage.User{}, storage.Session{}, "", false
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	u, sess, bid, ok := h.accountUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := h.Now()
	var err error
	v := &web.AccountView{Section: strings.TrimPrefix(r.URL.Path, "/account"), User: u, Level: h.Pages.T(lang, "level."+string(u.Level)),
		Notice: h.Pages.T(lang, r.URL.Query().Get("notice"))}
	if v.Notice == r.URL.Query().Get("notice") {
		v.Notice = "" // only known messages are shown
	}
	switch v.Section {
	case "":
		if u, err = h.Accounts.Refresh(ctx, u); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		v.User, v.Level = u, h.Pages.T(lang, "level."+string(u.Level))
		if v.Profile, err = h.profileView(ctx, u, lang); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		v.Profile.Editing = r.URL.Query().Get("edit") == "1"
	case "/access":
		list, err := consent.Grants{Docs: h.Store}.ListByUser(ctx, u.ID, now)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		for _, cg := range list {
			row := web.AccessRow{ClientID: cg.ClientID, ClientName: cg.ClientID, Since: web.DateTime(cg.Since)}
			if cl, ok := h.Clients.Lookup(cg.ClientID); ok {
				row.ClientName = cl.DisplayName()
			}
			for _, s := range cg.Scopes() {
				if s != consent.OpenID {
					row.Data = append(row.Data, consent.Text(s, lang))
				}
			}
			v.Access = append(v.Access, row)
		}
	case "/history":
		events, err := h.Audit.Log.Query(ctx, audit.Filter{UserID: u.ID, Types: []audit.Type{audit.Login, audit.LoginFailed, audit.Logout}, Limit: 100})
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		for _, e := range events {
			row := web.HistoryRow{Time: web.DateTime(e.Time), Event: h.Pages.T(lang, "history."+string(e.Type)), IP: e.IP, UserAgent: h.device(e.UserAgent, h.Pages.T(lang, "ua.unknown")), Service: e.ClientID}
			if cl, ok := h.Clients.Lookup(e.ClientID); ok {
				row.Service = cl.DisplayName()
			} else if e.ClientID == "" && e.Type != audit.LoginFailed {
				row.Service = h.Pages.T(lang, "history.service.account")
				if e.Details["via"] == "registration" {
					row.Service = h.Pages.T(lang, "history.service.register")
				}
			}
			v.History = append(v.History, row)
		}
	case "/sessions":
		list, err := h.Store.ListUserSessions(ctx, u.ID, now)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		for _, s := range list {
			v.Sessions = append(v.Sessions, web.SessionRow{ID: s.ID, Started: web.DateTime(s.CreatedAt), LastSeen: web.DateTime(s.LastSeen),
				IP: s.IP, UserAgent: h.device(s.UserAgent, h.Pages.T(lang, "ua.unknown")), Current: s.ID == sess.ID})
		}
	}
	h.Pages.Render(w, r, http.StatusOK, &web.AccountPage{Frame: web.Frame{Lang: lang, Title: "account.title", MainClass: "wide"},
		CSRF: h.Sessions.FormToken(bid, "", formAccount), Account: v})
}

// accountWithdraw withdraws a service's access: its grants go, and so do the refresh and
// access tokens it holds for this citizen.
func (h *Handler) accountWithdraw(w http.ResponseWriter, r *http.Request) {
	u, _, _, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	client := r.PostFormValue("client")
	withdrawn, err := consent.Grants{Docs: h.Store}.Withdraw(ctx, u.ID, client, h.Now())
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if err := h.Store.RevokeUserClientTokens(ctx, u.ID, client); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if len(withdrawn) > 0 {
		h.Audit.Record(ctx, r, audit.Event{Type: audit.ConsentWithdrawn, UserID: u.ID, ClientID: client,
			Details: map[string]string{"scopes": strings.Join(consent.Scopes(withdrawn), " ")}})
	}
	http.Redirect(w, r, "/account/access?notice=account.withdrawn", http.StatusSeeOther)
}

// accountEndSession ends one of the citizen's sessions (another device, say).
func (h *Handler) accountEndSession(w http.ResponseWriter, r *http.Request) {
	u, cur, _, ok := h.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PostFormValue("session")
	s, err := h.Store.GetSession(ctx, id, h.Now())
	if err == nil && s.UserID == u.ID { // only the citizen's own sessions
		if err := h.Sessions.End(ctx, id); err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		h.Audit.Record(ctx, r, audit.Event{Type: audit.SessionEnded, UserID: u.ID, SessionID: id, Details: map[string]string{"by": "citizen"}})
	}
	if id == cur.ID {
		h.Sessions.ClearCookie(w, session.SSOCookie)
		http.Redirect(w, r, "/logged-out", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account/sessions?notice=account.session_ended", http.StatusSeeOther)
}

func (h *Handler) accountLogout(w http.ResponseWriter, r *http.Request) {
	if !h.Sessions.RequireForm(w, r, "", formAccount, h.Pages.Forbidden) {
		return
	}
	if sess, has, err := h.Sessions.Current(r.Context(), r); err == nil && has {
		h.Audit.Record(r.Context(), r, audit.Event{Type: audit.Logout, UserID: sess.UserID, SessionID: sess.ID})
	}
	if err := h.Sessions.EndBrowser(w, r); err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/logged-out", http.StatusSeeOther)
}
