package esia

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent/permissions"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/esia/dprofile"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// The Digital Profile ("Цифровой профиль") part of the dialect (esia-protocol.md §2.1, §3,
// §5.1): the permissions parameter of /v2/ac, the consent step after the login's own consent
// (served here, posting to PermissionsPath), the permissions and permissions_url claims of
// the access token, and client_credentials with scope=prm_chg?oid=… on /v3/te (a consent
// token). The stored consents, the account's agreements page and the data API are package
// dprofile's.

// Extra keys on the stored authorization request.
const (
	extraPermissions = "permissions"         // the parsed consent requests, JSON
	extraPermGranted = "permissions_granted" // the granted consents' ids, space-separated
)

// PermissionsPath is where the Digital Profile consent page posts (an emulator path: ESIA's
// own consent pages are internal to its single-page app).
const PermissionsPath = "/aas/oauth2/permissions"

const formPermissions = "permissions"

// parsePermissions checks the permissions parameter of an authorization request and returns
// what the request stores ("" when there is none).
func parsePermissions(v2 bool, raw string, scopes []string) (string, *Error) {
	if raw == "" {
		return "", nil
	}
	if !v2 {
		return "", errWrongParam("permissions", "only /aas/oauth2/v2/ac takes permissions")
	}
	reqs, pe := permissions.Parse(raw)
	if pe != nil {
		return "", esiaErr(pe.Code, "invalid_request", pe.Text).with("%s", pe.Detail)
	}
	if !slices.Contains(scopes, "openid") {
		return "", errWrongParam("permissions", "permissions need scope=openid")
	}
	b, err := json.Marshal(reqs)
	if err != nil {
		return "", errServer().with("%v", err)
	}
	return string(b), nil
}

func requestsOf(ar storage.AuthRequest) ([]permissions.Request, error) {
	var reqs []permissions.Request
	if err := json.Unmarshal([]byte(ar.Extra[extraPermissions]), &reqs); err != nil {
		return nil, fmt.Errorf("esia: stored permissions: %w", err)
	}
	return reqs, nil
}

// permissionsPending reports whether the citizen still has to answer the Digital Profile
// consent page of the request.
func permissionsPending(ar storage.AuthRequest) bool {
	return ar.Extra[extraPermissions] != "" && ar.Extra[extraPermGranted] == ""
}

// permissionsPage shows the Digital Profile consent step: purpose, actions, data and expiry.
func (d *Dialect) permissionsPage(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	reqs, err := requestsOf(ar)
	if err != nil {
		d.serverError(w, r, ar, err)
		return
	}
	bid, err := d.sessions.BrowserID(w, r)
	if err != nil {
		d.serverError(w, r, ar, err)
		return
	}
	now := d.now()
	p := &web.PermissionsPage{Frame: web.Frame{Lang: web.Lang(r, ar.UILocales), Title: "dp.title"}, Action: PermissionsPath,
		CSRF: d.sessions.FormToken(bid, ar.ID, formPermissions), AuthRequestID: ar.ID, ClientName: d.registry.Name(ar.ClientID)}
	for _, rq := range reqs {
		p.Consents = append(p.Consents, dprofile.View(rq, now.Add(minutes(rq.Expire))))
	}
	d.pages.Render(w, r, http.StatusOK, p)
}

// permissionsAnswer records the citizen's answer on the Digital Profile consent page and
// finishes the authorization (code, or ESIA-007004 on refusal).
func (d *Dialect) permissionsAnswer(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		d.page(w, r, http.StatusBadRequest, errCannotRead().with("%v", err))
		return
	}
	id := r.PostFormValue("authRequestID")
	if !d.sessions.RequireForm(w, r, id, formPermissions, d.pages.Forbidden) {
		return
	}
	ctx, now := r.Context(), d.now()
	ar, err := d.store.GetAuthRequest(ctx, id, now)
	if err != nil {
		d.pages.Expired(w, r, web.Lang(r, nil))
		return
	}
	sess, has, err := d.sessions.Current(ctx, r)
	if err != nil {
		d.serverError(w, r, ar, err)
		return
	}
	if ar.Dialect != Name || !ar.Done || ar.Extra[extraPermissions] == "" || !has || sess.UserID != ar.UserID {
		d.pages.Forbidden(w, r)
		return
	}
	if r.PostFormValue("decision") != "allow" {
		_ = d.store.DeleteAuthRequest(ctx, ar.ID)
		d.log.InfoContext(ctx, "esia: Digital Profile consent refused", "client_id", ar.ClientID, "user", ar.UserID)
		redirectError(w, r, ar.RedirectURI, ar.State, errRefused().with("the citizen refused the Digital Profile consent"))
		return
	}
	if permissionsPending(ar) {
		reqs, err := requestsOf(ar)
		if err != nil {
			d.serverError(w, r, ar, err)
			return
		}
		cs, err := dprofile.Consents{Docs: d.store}.Grant(ctx, ar.UserID, ar.ClientID, ar.ID, reqs, d.newConsentID, now)
		if err != nil {
			d.serverError(w, r, ar, err)
			return
		}
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		ar, err = d.store.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
			a.Extra[extraPermGranted] = strings.Join(ids, " ")
			return a, nil
		})
		if err != nil {
			d.serverError(w, r, ar, err)
			return
		}
		d.log.InfoContext(ctx, "esia: Digital Profile consent given", "client_id", ar.ClientID, "user", ar.UserID, "consents", len(ids))
		if d.audit != nil {
			var scopes []string
			for _, c := range cs {
				scopes = append(scopes, c.Scopes()...)
			}
			d.audit.Record(ctx, r, audit.Event{Type: audit.ConsentGiven, UserID: ar.UserID, ClientID: ar.ClientID, SessionID: ar.SessionID,
				Details: map[string]string{"scopes": strings.Join(scopes, " "), "permissions": strings.Join(ids, " ")}})
		}
	}
	d.Complete(w, r, ar)
}

func minutes(n int64) time.Duration { return time.Duration(n) * time.Minute }

func (d *Dialect) newConsentID() string {
	var b [16]byte
	if _, err := io.ReadFull(d.rand, b[:]); err != nil {
		panic(fmt.Sprintf("esia: random source: %v", err)) // crypto/rand does not fail
	}
	return newUUID(b)
}

// grantedConsents returns the live consents the request of a code granted.
func (d *Dialect) grantedConsents(ctx context.Context, ar storage.AuthRequest) ([]dprofile.Consent, error) {
	ids := strings.Fields(ar.Extra[extraPermGranted])
	out := make([]dprofile.Consent, 0, len(ids))
	for _, id := range ids {
		c, err := dprofile.Consents{Docs: d.store}.Get(ctx, ar.UserID, ar.ClientID, id, d.now())
		if err != nil {
			return nil, err
		}
		if c.Live(d.now()) {
			out = append(out, c)
		}
	}
	return out, nil
}

// withConsents adds the consents' scopes to a grant and keeps them for the claims.
func withConsents(g grant, cs []dprofile.Consent) grant {
	g.scopes = slices.Clone(g.scopes)
	for _, c := range cs {
		for _, s := range c.Scopes() {
			if !slices.Contains(g.scopes, s) {
				g.scopes = append(g.scopes, s)
			}
		}
	}
	g.consents = cs
	return g
}

// permissionClaims are the access token's permissions and permissions_url.
func (d *Dialect) permissionClaims(cs []dprofile.Consent) (any, string) {
	if len(cs) == 0 {
		return nil, ""
	}
	out := make([]dprofile.Claim, len(cs))
	for i, c := range cs {
		out[i] = dprofile.ClaimOf(c, d.now())
	}
	return out, strings.TrimSuffix(d.rs.PublicURL, "/") + dprofile.ConsentsPath
}

var prmChg = regexp.MustCompile(`^prm_chg\?oid=([0-9]{1,19})$`)

// consentToken serves client_credentials with scope=prm_chg?oid=<oid>: a consent token for
// the citizen's newest live Digital Profile consent to this system. No consent, an expired
// one or a withdrawn one is ESIA-007019 (no grant for the scope).
func (d *Dialect) consentToken(r *http.Request, cl *esiaClient, in clientsecret.Input) (tokenResponse, *Error) {
	ctx := r.Context()
	m := prmChg.FindStringSubmatch(in.Scope)
	if m == nil {
		return tokenResponse{}, errBadScope(in.Scope).with("client_credentials takes scope=prm_chg?oid=<oid>")
	}
	in.Code = ""
	if e := d.verifySecret(r, cl, in, nil); e != nil {
		return tokenResponse{}, e
	}
	oid, now := m[1], d.now()
	user, err := d.store.GetUser(ctx, oid)
	if errors.Is(err, storage.ErrNotFound) {
		return tokenResponse{}, errNoGrants(in.Scope).with("no citizen with oid %s", oid)
	}
	if err != nil {
		d.log.ErrorContext(ctx, "esia: user lookup", "err", err)
		return tokenResponse{}, errServer()
	}
	cs, err := dprofile.Consents{Docs: d.store}.ForClient(ctx, oid, cl.ID(), now)
	if err != nil {
		d.log.ErrorContext(ctx, "esia: consent lookup", "err", err)
		return tokenResponse{}, errServer()
	}
	var live *dprofile.Consent
	why := ""
	for i := range cs { // newest first
		c := cs[i]
		if c.Live(now) {
			live = &cs[i]
			break
		}
		if why != "" {
			continue
		}
		if !c.WithdrawnAt.IsZero() {
			why = "the citizen withdrew the Digital Profile consent " + c.ID
		} else {
			why = "the Digital Profile consent " + c.ID + " expired"
		}
	}
	if why == "" {
		why = "the citizen gave this system no Digital Profile consent"
	}
	if live == nil {
		return tokenResponse{}, errNoGrants(in.Scope).with("%s", why)
	}
	g := withConsents(grant{clientID: cl.ID(), user: user, familyID: live.TokenFamily()}, []dprofile.Consent{*live})
	resp, records, e := d.issue(ctx, cl, g)
	if e != nil {
		return tokenResponse{}, e
	}
	if err := d.store.CreateTokens(ctx, records...); err != nil {
		d.log.ErrorContext(ctx, "esia: store consent token", "err", err)
		return tokenResponse{}, errServer()
	}
	d.tokens.Issued("client_credentials", "esia")
	d.log.InfoContext(ctx, "esia: consent token issued", "client_id", cl.ID(), "user", oid, "consent", live.ID)
	return resp, nil
}
