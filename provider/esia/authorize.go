package esia

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Extra keys on the stored authorization request.
const (
	extraVersion    = "esia_version" // "v1" (/ac) or "v2" (/v2/ac)
	extraAccessType = "access_type"  // offline or online
	extraScope      = "scope"        // the scope parameter as sent
)

// authorize serves /aas/oauth2/ac (v2=false) and /aas/oauth2/v2/ac (v2=true): it checks the
// request, the client_secret signature and starts the emulator's login flow. Problems with
// client_id or redirect_uri are shown on a page (the browser cannot be sent back to an
// unverified address); every other problem goes back to redirect_uri with
// error, error_description=ESIA-0070xx: … and state.
func (d *Dialect) authorize(v2 bool) http.HandlerFunc {
	endpoint := "/aas/oauth2/ac"
	if v2 {
		endpoint = "/aas/oauth2/v2/ac"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			d.page(w, r, http.StatusBadRequest, errCannotRead().with("%v", err))
			return
		}
		form := r.Form
		clientID := form.Get("client_id")
		redirectURI := form.Get("redirect_uri")
		if len(form["client_id"]) > 1 {
			d.page(w, r, http.StatusBadRequest, errWrongParam("client_id", "repeated"))
			return
		}
		if clientID == "" {
			d.page(w, r, http.StatusBadRequest, errMissing("client_id"))
			return
		}
		cl, other := d.clients[clientID], d.other(clientID)
		switch {
		case cl == nil && other == nil:
			d.page(w, r, http.StatusBadRequest, errWrongParam("client_id", "no system with this mnemonic is registered"))
			return
		case len(form["redirect_uri"]) > 1:
			d.page(w, r, http.StatusBadRequest, errWrongParam("redirect_uri", "repeated"))
			return
		case redirectURI == "":
			d.page(w, r, http.StatusBadRequest, errMissing("redirect_uri"))
			return
		case cl == nil:
			if !redirectAllowed(other.Config, redirectURI) {
				d.page(w, r, http.StatusBadRequest, errRedirectURI().with("%q is not registered for %s", redirectURI, clientID))
				return
			}
			redirectError(w, r, redirectURI, form.Get("state"), errNotAuthorized().with("client %q has no esia block in the configuration", clientID))
			return
		case !redirectAllowed(cl.Config, redirectURI):
			d.page(w, r, http.StatusBadRequest, errRedirectURI().with("%q is not registered for %s", redirectURI, clientID))
			return
		}
		state := form.Get("state")
		fail := func(e *Error) {
			d.log.InfoContext(r.Context(), "esia: authorization refused", "endpoint", endpoint, "client_id", clientID, "err", e.Error())
			redirectError(w, r, redirectURI, state, e)
		}
		if err := limits.AuthorizeParams(r); err != nil { // nothing this large is stored for the login
			var pe *limits.ParamError
			errors.As(err, &pe)
			fail(errWrongParam(pe.Param, err.Error()))
			return
		}
		for _, p := range []string{"state", "scope", "scope_org", "response_type", "timestamp", "access_type", "client_secret", "client_certificate_hash", "person_filter", "code_challenge", "code_challenge_method", "permissions", "obj_type", "roles"} {
			if len(form[p]) > 1 {
				fail(errWrongParam(p, "repeated"))
				return
			}
		}
		if e := d.checkCommon(cl, form, v2, false); e != nil {
			fail(e)
			return
		}
		rt := form.Get("response_type")
		switch {
		case rt == "":
			fail(errMissing("response_type"))
			return
		case rt != "code":
			fail(errResponseType(rt))
			return
		}
		scopes, e := d.checkScopes(cl, form.Get("scope"))
		if e != nil {
			fail(e)
			return
		}
		objType, roles, e := parseRoleParams(form)
		if e != nil {
			fail(e)
			return
		}
		orgScopes, e := d.checkScopeOrg(cl, form.Get("scope_org"))
		if e != nil {
			fail(e)
			return
		}
		for _, s := range orgScopes {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
		perms, e := parsePermissions(v2, form.Get("permissions"), scopes)
		if e != nil {
			fail(e)
			return
		}
		access := form.Get("access_type")
		switch access {
		case "":
			access = "online"
		case "online", "offline":
		default:
			fail(errWrongParam("access_type", "want online or offline"))
			return
		}
		minLevel := cl.minLevel
		if pf := form.Get("person_filter"); pf != "" {
			if !isConfAcc(pf) {
				fail(errWrongParam("person_filter", "the emulator knows base64(\"conf_acc\")"))
				return
			}
			minLevel = storage.LevelConfirmed
		}
		challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
		if challenge != "" {
			switch method {
			case "":
				method = "S256"
			case "S256", "plain":
			default:
				fail(errWrongParam("code_challenge_method", "want S256"))
				return
			}
		}
		ts, _ := clientsecret.ParseTimestamp(form.Get("timestamp"), cl.mode == config.SecretCheckStrict)
		res := checkSecret(cl, clientsecret.Input{
			Endpoint: endpoint, V2: v2, ClientID: clientID, Scope: form.Get("scope"), ScopeOrg: form.Get("scope_org"),
			Timestamp: ts, State: state, RedirectURI: redirectURI, Secret: form.Get("client_secret"),
			CertHash: form.Get("client_certificate_hash"),
		}, d.now())
		d.report(r, clientID, endpoint, res)
		if res.Err != nil {
			fail(res.Err)
			return
		}
		version := "v1"
		if v2 {
			version = "v2"
		}
		ar := storage.AuthRequest{
			Dialect: Name, ClientID: clientID, RedirectURI: redirectURI, Scopes: scopes, ResponseType: "code",
			State: state, MinLevel: minLevel, CodeChallenge: challenge, CodeChallengeMethod: method,
			Prompt: strings.Fields(form.Get("prompt")), UILocales: strings.Fields(form.Get("ui_locales")),
			Extra: map[string]string{extraVersion: version, extraAccessType: access, extraScope: form.Get("scope"), extraObjType: objType, extraRoles: roles},
		}
		if perms != "" {
			ar.Extra[extraPermissions] = perms
		}
		if err := d.login.StartLogin(w, r, ar); err != nil {
			d.serverError(w, r, ar, err)
		}
	}
}

// checkCommon checks what the authorization and token endpoints share: state, timestamp,
// client_certificate_hash (v2/v3) and client_secret presence. token selects the token
// endpoint's wording only.
func (d *Dialect) checkCommon(cl *esiaClient, form url.Values, v2, token bool) *Error {
	state := form.Get("state")
	switch {
	case state == "":
		return errMissing("state")
	case !isUUID(state):
		return errWrongParam("state", "must be a UUID")
	}
	if token && form.Get("scope") == "" {
		return errMissing("scope")
	}
	tsRaw := form.Get("timestamp")
	if tsRaw == "" {
		return errMissing("timestamp")
	}
	ts, err := clientsecret.ParseTimestamp(tsRaw, cl.mode == config.SecretCheckStrict)
	if err != nil {
		return errTimestamp().with("%q: %v", tsRaw, err)
	}
	if err := checkWindow(ts.Time, d.now(), d.window); err != nil {
		return errTimestamp().with("%v", err)
	}
	if v2 && form.Get("client_certificate_hash") == "" {
		return errMissing("client_certificate_hash")
	}
	if form.Get("client_secret") == "" {
		return errMissing("client_secret")
	}
	return nil
}

// checkScopes validates the scope parameter: present (007013), known (007006) and allowed
// for the client (007019).
func (d *Dialect) checkScopes(cl *esiaClient, scope string) ([]string, *Error) {
	names := splitScope(scope)
	if len(names) == 0 {
		return nil, errNoScope()
	}
	var out []string
	for _, s := range names {
		switch {
		case isURLScope(s):
			if _, e := checkOrgScope(cl, s); e != nil {
				return nil, e
			}
		case !KnownScope(s):
			return nil, errBadScope(s)
		case !cl.allowed[s]:
			return nil, errNoGrants(s).with("the system is not approved for scope %q", s)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// isConfAcc reads person_filter: base64("conf_acc") in any base64 flavour, or the plain word.
func isConfAcc(v string) bool {
	if v == "conf_acc" {
		return true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && string(b) == "conf_acc" {
			return true
		}
	}
	return false
}
