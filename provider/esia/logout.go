package esia

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The dialect keeps its own cookie (a random browser id) that names the SSO session the
// browser logged in with, because /idp/ext/Logout carries no token: logout then revokes the
// token families issued in that session and ends it.
const (
	browserCookie   = "esia_aas"
	collBrowsers    = "esia_browsers"
	maxLogoutTokens = 1000
)

type browserDoc struct {
	SessionID string `json:"session_id"`
	UserID    string `json:"user_id"`
}

// rememberBrowser links the browser's cookie to the SSO session of a finished login.
func (d *Dialect) rememberBrowser(w http.ResponseWriter, r *http.Request, sessionID, userID string) error {
	if sessionID == "" {
		return nil
	}
	id := ""
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		id = c.Value
	} else {
		b := make([]byte, 32)
		if _, err := io.ReadFull(d.host.Rand(), b); err != nil {
			return err
		}
		id = base64.RawURLEncoding.EncodeToString(b)
	}
	doc, _ := json.Marshal(browserDoc{SessionID: sessionID, UserID: userID})
	if err := d.host.Store().PutDocRaw(r.Context(), collBrowsers, hashHex(id), doc, d.host.Now().Add(d.sessionTTL)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: id, Path: "/", HttpOnly: true, Secure: d.secureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(d.sessionTTL.Seconds())})
	return nil
}

// logout serves /idp/ext/Logout?client_id=…&redirect_url=…: it revokes the tokens issued in
// the browser's SSO session, ends the session and redirects to redirect_url when that is an
// address registered for the client (a redirect URI or a post-logout URI, or any address on
// the same origin as one of them); otherwise it shows a page.
func (d *Dialect) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	clientID, redirectURL := q.Get("client_id"), q.Get("redirect_url")
	store := d.host.Store()
	now := d.host.Now()
	if c, err := r.Cookie(browserCookie); err == nil && c.Value != "" {
		key := hashHex(c.Value)
		raw, err := store.GetDocRaw(ctx, collBrowsers, key, now)
		var bd browserDoc
		if err == nil && json.Unmarshal(raw, &bd) == nil && bd.SessionID != "" {
			fams, err := store.ListDocsRaw(ctx, collSessionFamilies, bd.SessionID+"/", now)
			if err != nil {
				d.log.WarnContext(ctx, "esia: list the session's token families", "err", err)
			}
			for i, f := range fams {
				if i >= maxLogoutTokens {
					break
				}
				fid := strings.TrimPrefix(f.ID, bd.SessionID+"/")
				if err := store.RevokeFamily(ctx, fid); err != nil {
					d.log.WarnContext(ctx, "esia: revoke at logout", "err", err)
				}
				_ = store.DeleteDoc(ctx, collSessionFamilies, f.ID)
			}
			if err := d.host.EndSession(ctx, bd.SessionID); err != nil {
				d.log.WarnContext(ctx, "esia: end session at logout", "err", err)
			}
			d.log.InfoContext(ctx, "esia: logout", "client_id", clientID, "user", bd.UserID, "revoked_families", len(fams))
		}
		_ = store.DeleteDoc(ctx, collBrowsers, key)
	}
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: d.secureCookies, SameSite: http.SameSiteLaxMode})
	if err := d.host.EndBrowserSession(w, r); err != nil {
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
	if cl := d.clients[clientID]; cl != nil {
		uris = append(slices.Clone(cl.cfg.RedirectURIs), cl.cfg.PostLogoutRedirectURIs...)
	} else if c, ok := d.others[clientID]; ok {
		uris = append(slices.Clone(c.RedirectURIs), c.PostLogoutRedirectURIs...)
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
