package esia

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/esia/dprofile"
	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
	"github.com/esia-emulator/esia-emulator/provider/tokens"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// tokenResponse in the order of ESIA's answer (§3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	State        string `json:"state"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// token serves /aas/oauth2/te (v3=false) and /aas/oauth2/v3/te (v3=true): grants
// authorization_code and refresh_token. Errors are 400 {error, error_description, state}.
func (d *Dialect) token(v3 bool) http.HandlerFunc {
	endpoint := "/aas/oauth2/te"
	if v3 {
		endpoint = "/aas/oauth2/v3/te"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			jsonError(w, "", errCannotRead().with("%v", err))
			return
		}
		form := r.PostForm
		if len(form) == 0 {
			form = r.Form
		}
		state := form.Get("state")
		fail := func(e *Error) {
			d.log.InfoContext(r.Context(), "esia: token request refused", "endpoint", endpoint, "client_id", form.Get("client_id"), "err", e.Error())
			jsonError(w, state, e)
		}
		for p, vs := range form {
			if len(vs) > 1 {
				fail(errWrongParam(p, "repeated"))
				return
			}
		}
		grant := form.Get("grant_type")
		switch grant {
		case "":
			fail(errMissing("grant_type"))
			return
		case "authorization_code", "refresh_token", "client_credentials":
		default:
			fail(errGrantType(grant))
			return
		}
		clientID := form.Get("client_id")
		if clientID == "" {
			fail(errMissing("client_id"))
			return
		}
		cl := d.clients[clientID]
		if cl == nil {
			if d.other(clientID) != nil {
				fail(errNotAuthorized().with("client %q has no esia block", clientID))
			} else {
				fail(errClientAuth().with("unknown client_id %q", clientID))
			}
			return
		}
		if e := d.checkCommon(cl, form, v3, true); e != nil {
			fail(e)
			return
		}
		redirectURI := form.Get("redirect_uri")
		if redirectURI == "" && (grant == "authorization_code" || v3) {
			fail(errMissing("redirect_uri"))
			return
		}
		ts, _ := clientsecret.ParseTimestamp(form.Get("timestamp"), cl.mode == config.SecretCheckStrict)
		in := clientsecret.Input{
			Endpoint: endpoint, V2: v3, ClientID: clientID, Scope: form.Get("scope"), ScopeOrg: form.Get("scope_org"),
			Timestamp: ts, State: state, RedirectURI: redirectURI, Secret: form.Get("client_secret"),
			CertHash: form.Get("client_certificate_hash"),
		}
		var (
			resp tokenResponse
			e    *Error
		)
		switch grant {
		case "authorization_code":
			resp, e = d.exchangeCode(r, cl, form.Get("code"), form.Get("code_verifier"), in)
		case "client_credentials":
			resp, e = d.consentToken(r, cl, in)
		default:
			resp, e = d.refresh(r, cl, form.Get("refresh_token"), in)
		}
		if e != nil {
			fail(e)
			return
		}
		resp.State, resp.TokenType, resp.ExpiresIn = state, "Bearer", int64(d.accessTTL/time.Second)
		writeJSON(w, http.StatusOK, resp)
	}
}

// verifySecret runs the client_secret check and records it. extra adds oddities found by the
// caller (for example a reused state) before the result is reported.
func (d *Dialect) verifySecret(r *http.Request, cl *esiaClient, in clientsecret.Input, extra func(*secretResult)) *Error {
	res := checkSecret(cl, in, d.now())
	if res.Err == nil && extra != nil {
		extra(&res)
	}
	d.report(r, cl.ID(), in.Endpoint, res)
	return res.Err
}

func (d *Dialect) exchangeCode(r *http.Request, cl *esiaClient, code, verifier string, in clientsecret.Input) (tokenResponse, *Error) {
	ctx := r.Context()
	if code == "" {
		return tokenResponse{}, errMissing("code")
	}
	in.Code = code
	if !in.V2 {
		in.Code = ""
	}
	// The client_secret is checked first (with what the request of the code tells about the
	// client's habits), then whether the code is this client's; only then does a replay
	// revoke what the code gave.
	checked := false
	ar, err := d.tokens.Code(ctx, hashHex(code), func(ar storage.AuthRequest) error {
		checked = true
		if e := d.verifySecret(r, cl, in, func(res *secretResult) { codeOddities(cl, in, ar, res) }); e != nil {
			return e
		}
		switch {
		case ar.Dialect != Name || ar.ClientID != cl.ID():
			return errInvalidGrant().with("the code was issued to another client")
		case ar.RedirectURI != in.RedirectURI:
			return errInvalidGrant().with("redirect_uri %q differs from the authorization's %q", in.RedirectURI, ar.RedirectURI)
		}
		return nil
	})
	if !checked {
		if e := d.verifySecret(r, cl, in, nil); e != nil {
			return tokenResponse{}, e
		}
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return tokenResponse{}, e
	case errors.Is(err, tokens.ErrInvalid):
		return tokenResponse{}, errInvalidGrant().with("unknown or expired code")
	case errors.Is(err, tokens.ErrReplayed):
		return tokenResponse{}, errInvalidGrant().with("the code was used before; the tokens issued for it are revoked")
	case err != nil:
		d.log.ErrorContext(ctx, "esia: code lookup", "err", err)
		return tokenResponse{}, errServer()
	case !ar.Done || ar.UserID == "":
		return tokenResponse{}, errInvalidGrant().with("the login of this code did not finish")
	}
	if _, _, err := d.jwt.Verify(ctx, code, esiajwt.SbtCode); err != nil {
		return tokenResponse{}, errInvalidGrant().with("%v", err)
	}
	if e := checkPKCE(ar, verifier); e != nil {
		return tokenResponse{}, e
	}
	user, err := d.store.GetUser(ctx, ar.UserID)
	if err != nil {
		return tokenResponse{}, errInvalidGrant().with("the account is gone: %v", err)
	}
	choice, refusal, err := d.acting(ctx, ar, user)
	if err != nil {
		return tokenResponse{}, errServer()
	} else if refusal != nil {
		return tokenResponse{}, errInvalidGrant().with("%s", refusal.Description())
	}
	g := grant{clientID: cl.ID(), user: user, scopes: ar.Scopes, sessionID: ar.SessionID, authTime: ar.AuthTime,
		amr: ar.AMR, familyID: ar.ID, offline: ar.Extra[extraAccessType] == "offline", choice: choice}
	if ar.Extra[extraPermGranted] != "" {
		cs, err := d.grantedConsents(ctx, ar)
		if err != nil {
			return tokenResponse{}, errInvalidGrant().with("the Digital Profile consents of the code: %v", err)
		}
		g = withConsents(g, cs)
	}
	resp, records, e := d.issue(ctx, cl, g)
	if e != nil {
		return tokenResponse{}, e
	}
	switch err := d.tokens.Redeem(ctx, ar.ID, records...); {
	case errors.Is(err, tokens.ErrReplayed):
		return tokenResponse{}, errInvalidGrant().with("the code was used before; the tokens issued for it are revoked")
	case errors.Is(err, tokens.ErrInvalid):
		return tokenResponse{}, errInvalidGrant().with("unknown or expired code")
	case err != nil:
		d.log.ErrorContext(ctx, "esia: redeem code", "err", err)
		return tokenResponse{}, errServer()
	}
	d.tokens.Issued("authorization_code", "esia")
	d.link(ctx, ar.SessionID, records)
	d.log.InfoContext(ctx, "esia: tokens issued", "client_id", cl.ID(), "user", user.ID, "offline", g.offline)
	return resp, nil
}

// codeOddities notes what a lenient check accepts in a token request but a real client
// would not do, compared with the authorization request of the code.
func codeOddities(cl *esiaClient, in clientsecret.Input, ar storage.AuthRequest, res *secretResult) {
	if cl.mode == config.SecretCheckOff {
		return
	}
	if in.State == ar.State {
		if cl.mode == config.SecretCheckStrict {
			res.fail(errWrongParam("state", "the token request needs a new state, not the authorization's"), "state reused from the authorization request")
			return
		}
		res.odd("the token request reuses the authorization request's state (a new UUID is usual)")
	}
	if v := ar.Extra[extraVersion]; (v == "v2") != in.V2 {
		res.odd("a code from the %s authorization endpoint exchanged at %s", v, in.Endpoint)
	}
	if s := ar.Extra[extraScope]; s != "" && !sameScopes(s, in.Scope) {
		res.odd("the token request's scope %q differs from the authorization's %q", in.Scope, s)
	}
}

func (d *Dialect) refresh(r *http.Request, cl *esiaClient, refreshToken string, in clientsecret.Input) (tokenResponse, *Error) {
	ctx := r.Context()
	if refreshToken == "" {
		return tokenResponse{}, errMissing("refresh_token")
	}
	in.Code = ""
	if e := d.verifySecret(r, cl, in, nil); e != nil {
		return tokenResponse{}, e
	}
	old, err := d.tokens.Refresh(ctx, hashHex(refreshToken), func(t storage.Token) error {
		if t.ClientID != cl.ID() {
			return errInvalidGrant().with("the refresh token was issued to another client")
		}
		return nil
	})
	var e *Error
	switch {
	case errors.As(err, &e):
		return tokenResponse{}, e
	case errors.Is(err, tokens.ErrReplayed):
		return tokenResponse{}, errInvalidGrant().with("the refresh token was used before; its family is revoked")
	case errors.Is(err, tokens.ErrInvalid):
		return tokenResponse{}, errInvalidGrant().with("unknown, expired or revoked refresh token")
	case err != nil:
		d.log.ErrorContext(ctx, "esia: refresh token lookup", "err", err)
		return tokenResponse{}, errServer()
	}
	scopes := old.Scopes
	if req := splitScope(in.Scope); len(req) > 0 {
		for _, s := range req {
			if !slices.Contains(old.Scopes, s) {
				return tokenResponse{}, errNoGrants(s).with("scope %q was not granted at the authorization", s)
			}
		}
		scopes = slices.DeleteFunc(slices.Clone(old.Scopes), func(s string) bool { return !slices.Contains(req, s) })
	}
	user, err := d.store.GetUser(ctx, old.Subject)
	if err != nil {
		return tokenResponse{}, errInvalidGrant().with("the account is gone: %v", err)
	}
	g := grant{clientID: cl.ID(), user: user, scopes: scopes, sessionID: old.SessionID, authTime: old.AuthTime,
		amr: old.AMR, familyID: old.FamilyID, offline: true}
	cs, err := dprofile.Consents{Docs: d.store}.ForFamily(ctx, user.ID, cl.ID(), old.FamilyID, d.now())
	if err != nil {
		d.log.ErrorContext(ctx, "esia: consent lookup", "err", err)
		return tokenResponse{}, errServer()
	}
	if len(cs) > 0 { // the live Digital Profile consents of the login stay with its tokens
		g = withConsents(g, cs)
	}
	resp, records, e := d.issue(ctx, cl, g)
	if e != nil {
		return tokenResponse{}, e
	}
	switch err := d.tokens.Rotate(ctx, old, records...); {
	case errors.Is(err, tokens.ErrReplayed):
		return tokenResponse{}, errInvalidGrant().with("the refresh token was used before; its family is revoked")
	case errors.Is(err, tokens.ErrInvalid):
		return tokenResponse{}, errInvalidGrant().with("the refresh token was revoked")
	case err != nil:
		d.log.ErrorContext(ctx, "esia: rotate refresh token", "err", err)
		return tokenResponse{}, errServer()
	}
	d.tokens.Issued("refresh_token", "esia")
	d.link(ctx, old.SessionID, records)
	return resp, nil
}

// grant is what tokens are issued for.
type grant struct {
	clientID  string
	user      storage.User
	scopes    []string
	choice    web.RoleOption // whom the person logs in as (roles.go); zero: the private person
	sessionID string
	authTime  time.Time
	amr       []string
	familyID  string
	offline   bool
	consents  []dprofile.Consent // Digital Profile consents: the permissions claims
}

// issue signs the access token and id_token and makes a refresh token (offline only); it
// returns the token records to store.
func (d *Dialect) issue(ctx context.Context, cl *esiaClient, g grant) (tokenResponse, []storage.Token, *Error) {
	now := d.now()
	sid, err := d.newSID()
	if err != nil {
		return tokenResponse{}, nil, errServer()
	}
	perms, permsURL := d.permissionClaims(g.consents)
	access, err := d.jwt.Sign(ctx, cl.alg, esiajwt.SbtAccess, esiajwt.Access{
		NBF: now.Unix(), Scope: esiajwt.GrantedScope(g.scopes, g.user.ID), Iss: d.issuer, SID: sid, SbjID: esiajwt.OIDNumber(g.user.ID),
		Exp: now.Add(d.accessTTL).Unix(), Iat: now.Unix(), ClientID: g.clientID, Permissions: perms, PermissionsURL: permsURL,
	})
	if err != nil {
		d.log.ErrorContext(ctx, "esia: sign access token", "err", err)
		return tokenResponse{}, nil, errServer()
	}
	resp := tokenResponse{AccessToken: access}
	if slices.Contains(g.scopes, "openid") {
		amr := esiajwt.AMR(g.amr)
		resp.IDToken, err = d.jwt.Sign(ctx, cl.alg, esiajwt.SbtID, esiajwt.ID{
			Aud: g.clientID, Sub: esiajwt.OIDNumber(g.user.ID), NBF: now.Unix(), AMR: amr, AMD: amr, AuthTime: g.authTime.Unix(),
			Iss: d.issuer, SID: sid, Sbj: subjectFor(g), Exp: now.Add(d.idTTL).Unix(), Iat: now.Unix(),
		})
		if err != nil {
			d.log.ErrorContext(ctx, "esia: sign id_token", "err", err)
			return tokenResponse{}, nil, errServer()
		}
	}
	base := storage.Token{FamilyID: g.familyID, ClientID: g.clientID, Subject: g.user.ID, Scopes: g.scopes,
		AMR: g.amr, AuthTime: g.authTime, SessionID: g.sessionID, CreatedAt: now}
	at := base
	at.ID, at.Kind, at.ExpiresAt = hashHex(access), storage.TokenAccess, now.Add(d.accessTTL)
	records := []storage.Token{at}
	if g.offline {
		var b [16]byte
		if _, err := io.ReadFull(d.rand, b[:]); err != nil {
			return tokenResponse{}, nil, errServer()
		}
		resp.RefreshToken = newUUID(b)
		rt := base
		rt.ID, rt.Kind, rt.ExpiresAt = hashHex(resp.RefreshToken), storage.TokenRefresh, now.Add(d.refreshTTL)
		records[0].RefreshID = rt.ID
		records = append(records, rt)
	}
	return resp, records, nil
}

func checkPKCE(ar storage.AuthRequest, verifier string) *Error {
	switch {
	case ar.CodeChallenge == "" && verifier == "":
		return nil
	case ar.CodeChallenge == "":
		return errNoChallenge()
	case verifier == "":
		return errChallenge().with("code_verifier missing")
	}
	want := verifier
	if ar.CodeChallengeMethod != "plain" {
		h := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(h[:])
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(ar.CodeChallenge)) != 1 {
		return errChallenge()
	}
	return nil
}

func sameScopes(a, b string) bool {
	x, y := splitScope(a), splitScope(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// link ties the family of tokens just issued to the SSO session, so /idp/ext/Logout revokes
// them.
func (d *Dialect) link(ctx context.Context, sessionID string, records []storage.Token) {
	if err := d.tokens.Link(ctx, sessionID, records...); err != nil {
		d.log.WarnContext(ctx, "esia: link token family to session", "err", err)
	}
}

func subjectFor(g grant) esiajwt.Subject {
	return withChoice(esiajwt.SubjectOf(g.user, false), g.choice)
}
