package esia

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
)

// logout serves /idp/ext/Logout?client_id=…&redirect_url=…: it revokes the tokens issued in
// the browser's SSO session (named by the provider's signed SSO cookie: /idp/ext/Logout
// carries no token), ends the session and redirects to redirect_url when that is an address
// registered for the client (a redirect URI or a post-logout URI, or any address on the same
// origin as one of them); otherwise it shows a page.
//
// A request naming a registered client and one of its addresses is ESIA's own logout and is
// carried out at once (cabinets rely on it). Any other request, while the browser has a
// session, is first put to the citizen: a page with one button posting back to
// /idp/ext/Logout with the session's form token (POST: logoutAnswer).
func (d *Dialect) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID, redirectURL := q.Get("client_id"), q.Get("redirect_url")
	sid := d.sessions.ReadCookie(r, session.SSOCookie)
	registered := d.registry.Get(clientID) != nil && redirectURL != "" && d.logoutTargetAllowed(clientID, redirectURL)
	if sid != "" && !registered {
		d.askLogout(w, r, sid, clientID, redirectURL)
		return
	}
	d.endAndLeave(w, r, clientID, redirectURL)
}

// formLogout is the form-token step of the logout question.
const formLogout = "esia-logout"

// askLogout shows the logout question.
func (d *Dialect) askLogout(w http.ResponseWriter, r *http.Request, sid, clientID, redirectURL string) {
	bid, err := d.sessions.BrowserID(w, r)
	if err != nil {
		d.pages.ServerError(w, r, err)
		return
	}
	page := &web.LogoutPage{Frame: web.Frame{Lang: web.Lang(r, nil), Title: "logout.confirm.title"},
		Action: "/idp/ext/Logout", CSRF: d.sessions.FormToken(bid, sid, formLogout), ClientName: d.registry.Name(clientID)}
	for _, kv := range [][2]string{{"client_id", clientID}, {"redirect_url", redirectURL}} {
		if kv[1] != "" {
			page.Params = append(page.Params, web.Hidden{Name: kv[0], Value: kv[1]})
		}
	}
	d.pages.Render(w, r, http.StatusOK, page)
}

// logoutAnswer is the citizen's answer to the logout question.
func (d *Dialect) logoutAnswer(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		d.pages.Message(w, r, http.StatusBadRequest, web.Lang(r, nil), "error.title", "error.badrequest")
		return
	}
	if sid := d.sessions.ReadCookie(r, session.SSOCookie); sid != "" && !d.sessions.CheckForm(r, sid, formLogout) {
		d.pages.Forbidden(w, r)
		return
	}
	d.endAndLeave(w, r, r.PostForm.Get("client_id"), r.PostForm.Get("redirect_url"))
}

// endAndLeave ends the browser's session, revokes its tokens and leaves for redirect_url when
// it is registered for the client, else for the logged-out page (an error page for an
// unregistered redirect_url).
func (d *Dialect) endAndLeave(w http.ResponseWriter, r *http.Request, clientID, redirectURL string) {
	ctx := r.Context()
	// The cookie's session id even when the session itself has just timed out: its tokens
	// still go.
	if sid := d.sessions.ReadCookie(r, session.SSOCookie); sid != "" {
		n, err := d.tokens.RevokeSession(ctx, sid)
		if err != nil {
			d.log.WarnContext(ctx, "esia: revoke at logout", "err", err)
		}
		d.log.InfoContext(ctx, "esia: logout", "client_id", clientID, "revoked_families", n)
	}
	if err := d.sessions.EndBrowser(w, r); err != nil {
		d.log.WarnContext(ctx, "esia: end browser session", "err", err)
	}
	if redirectURL == "" {
		http.Redirect(w, r, "/logged-out", http.StatusFound)
		return
	}
	if !d.logoutTargetAllowed(clientID, redirectURL) {
		d.page(w, r, http.StatusBadRequest, errWrongParam("redirect_url", "not registered for the system").
			with("you are logged out; %q is not an address registered for client %q", redirectURL, clientID))
		return
	}
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	http.Redirect(w, r, redirectURL, status)
}

func (d *Dialect) logoutTargetAllowed(clientID, target string) bool {
	var uris []string
	if c := d.registry.Get(clientID); c != nil {
		uris = append(slices.Clone(c.Config.RedirectURIs), c.Config.PostLogoutRedirectURIs...)
	}
	if slices.Contains(uris, target) {
		return true
	}
	t, err := url.Parse(target)
	if err != nil || !t.IsAbs() || t.Host == "" {
		return false
	}
	for _, u := range uris {
		if p, err := url.Parse(u); err == nil && strings.EqualFold(p.Scheme, t.Scheme) && strings.EqualFold(p.Host, t.Host) {
			return true
		}
	}
	return false
}
