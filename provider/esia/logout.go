package esia

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/session"
)

// logout serves /idp/ext/Logout?client_id=…&redirect_url=…: it revokes the tokens issued in
// the browser's SSO session (named by the provider's signed SSO cookie: /idp/ext/Logout
// carries no token), ends the session and redirects to redirect_url when that is an address
// registered for the client (a redirect URI or a post-logout URI, or any address on the same
// origin as one of them); otherwise it shows a page.
func (d *Dialect) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	clientID, redirectURL := q.Get("client_id"), q.Get("redirect_url")
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
	http.Redirect(w, r, redirectURL, http.StatusFound)
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
