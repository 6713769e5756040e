package provider

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
type accountDialect struct{ p *Provider }

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

func (p *Provider) mountAccount(mux *http.ServeMux) {
	p.Register(dialectAccount, accountDialect{p}, nil)
	for _, section := range []string{"", "/access", "/history", "/sessions"} {
		mux.HandleFunc("GET /account"+section, p.accountPage)
	}
	mux.HandleFunc("POST /account/access/withdraw", p.accountWithdraw)
	mux.HandleFunc("POST /account/sessions/end", p.accountEndSession)
	mux.HandleFunc("POST /account/logout", p.accountLogout)
	p.mountSecurity(mux)
	p.mountProfile(mux)
	p.mountRegister(mux)
	p.mountRecover(mux)
}

// accountUser returns the session's citizen, or sends the browser to log in and returns
// ok=false.
func (p *Provider) accountUser(w http.ResponseWriter, r *http.Request) (storage.User, storage.Session, string, bool) {
	ctx := r.Context()
	sess, has, err := p.sessions.Current(ctx, r)
	if err != nil {
		p.web.ServerError(w, r, err)
		return storage.User{}, storage.Session{}, "", false
	}
	if has {
		u, err := p.store.GetUser(ctx, sess.UserID)
		if err == nil && u.Status != storage.StatusSuspended {
			bid, err := p.sessions.BrowserID(w, r)
			if err != nil {
				p.web.ServerError(w, r, err)
				return storage.User{}, storage.Session{}, "", false
			}
			return u, sess, bid, true
		}
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			p.web.ServerError(w, r, err)
			return storage.User{}, storage.Session{}, "", false
		}
	}
	back := r.URL.Path
	if r.Method != http.MethodGet {
		back = "/account"
	}
	ar := storage.AuthRequest{Dialect: dialectAccount, Scopes: []string{"openid"}, Extra: map[string]string{"return": back}}
	if err := p.StartLogin(w, r, ar); err != nil {
		p.web.ServerError(w, r, err)
	}
	return storage.User{}, storage.Session{}, "", false
}

func (p *Provider) accountPage(w http.ResponseWriter, r *http.Request) {
	u, sess, bid, ok := p.accountUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang := web.Lang(r, nil)
	now := p.now()
	var err error
	v := &web.AccountView{Section: strings.TrimPrefix(r.URL.Path, "/account"), User: u, Level: p.web.T(lang, "level."+string(u.Level)),
		Notice: p.web.T(lang, r.URL.Query().Get("notice"))}
	if v.Notice == r.URL.Query().Get("notice") {
		v.Notice = "" // only known messages are shown
	}
	switch v.Section {
	case "":
		if u, err = p.accounts.Refresh(ctx, u); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		v.User, v.Level = u, p.web.T(lang, "level."+string(u.Level))
		if v.Profile, err = p.profileView(ctx, u, lang); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		v.Profile.Editing = r.URL.Query().Get("edit") == "1"
	case "/access":
		list, err := consent.Grants{Docs: p.store}.ListByUser(ctx, u.ID, now)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		for _, cg := range list {
			row := web.AccessRow{ClientID: cg.ClientID, ClientName: cg.ClientID, Since: web.DateTime(cg.Since)}
			if cl, ok := p.clients.Lookup(cg.ClientID); ok {
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
		events, err := p.audit.Log.Query(ctx, audit.Filter{UserID: u.ID, Types: []audit.Type{audit.Login, audit.LoginFailed, audit.Logout}, Limit: 100})
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		for _, e := range events {
			row := web.HistoryRow{Time: web.DateTime(e.Time), Event: p.web.T(lang, "history."+string(e.Type)), IP: e.IP, UserAgent: e.UserAgent, Service: e.ClientID}
			if cl, ok := p.clients.Lookup(e.ClientID); ok {
				row.Service = cl.DisplayName()
			}
			v.History = append(v.History, row)
		}
	case "/sessions":
		list, err := p.store.ListUserSessions(ctx, u.ID, now)
		if err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		for _, s := range list {
			v.Sessions = append(v.Sessions, web.SessionRow{ID: s.ID, Started: web.DateTime(s.CreatedAt), LastSeen: web.DateTime(s.LastSeen),
				IP: s.IP, UserAgent: s.UserAgent, Current: s.ID == sess.ID})
		}
	}
	p.web.Render(w, r, http.StatusOK, &web.AccountPage{Frame: web.Frame{Lang: lang, Title: "account.title", MainClass: "wide"},
		CSRF: p.sessions.FormToken(bid, "", formAccount), Account: v})
}

// accountWithdraw withdraws a service's access: its grants go, and so do the refresh and
// access tokens it holds for this citizen.
func (p *Provider) accountWithdraw(w http.ResponseWriter, r *http.Request) {
	u, _, _, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	client := r.PostFormValue("client")
	withdrawn, err := consent.Grants{Docs: p.store}.Withdraw(ctx, u.ID, client, p.now())
	if err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	if err := p.store.RevokeUserClientTokens(ctx, u.ID, client); err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	if len(withdrawn) > 0 {
		p.audit.Record(ctx, r, audit.Event{Type: audit.ConsentWithdrawn, UserID: u.ID, ClientID: client,
			Details: map[string]string{"scopes": strings.Join(consent.Scopes(withdrawn), " ")}})
	}
	http.Redirect(w, r, "/account/access?notice=account.withdrawn", http.StatusSeeOther)
}

// accountEndSession ends one of the citizen's sessions (another device, say).
func (p *Provider) accountEndSession(w http.ResponseWriter, r *http.Request) {
	u, cur, _, ok := p.accountForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PostFormValue("session")
	s, err := p.store.GetSession(ctx, id, p.now())
	if err == nil && s.UserID == u.ID { // only the citizen's own sessions
		if err := p.store.DeleteSession(ctx, id); err != nil {
			p.web.ServerError(w, r, err)
			return
		}
		p.backchannel.SessionsEnded(ctx, []storage.Session{s})
		p.audit.Record(ctx, r, audit.Event{Type: audit.SessionEnded, UserID: u.ID, SessionID: id, Details: map[string]string{"by": "citizen"}})
	}
	if id == cur.ID {
		p.sessions.ClearCookie(w, session.SSOCookie)
		http.Redirect(w, r, "/logged-out", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account/sessions?notice=account.session_ended", http.StatusSeeOther)
}

func (p *Provider) accountLogout(w http.ResponseWriter, r *http.Request) {
	if !p.requireCSRF(w, r, "", formAccount) {
		return
	}
	if sess, has, err := p.sessions.Current(r.Context(), r); err == nil && has {
		p.audit.Record(r.Context(), r, audit.Event{Type: audit.Logout, UserID: sess.UserID, SessionID: sess.ID})
	}
	if err := p.sessions.EndBrowser(w, r); err != nil {
		p.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/logged-out", http.StatusSeeOther)
}
