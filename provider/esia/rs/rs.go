package rs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
	"github.com/esia-emulator/esia-emulator/storage"
)

// The /rs/prns person API (esia-protocol.md §7). Every call needs a Bearer access token
// issued by the dialect: its signature, expiry (by the injected clock) and token record (so
// revocation and logout take effect) are checked; a scope the token lacks gives 403
// {"code":"ESIA-005029","message":"SecurityErrorEnum.scopeNotAllowed"}.

// Store is what the API reads: the token record of an access token (by its hash) and the
// account.
type Store interface {
	GetToken(ctx context.Context, id string, now time.Time) (storage.Token, error)
	GetUser(ctx context.Context, id string) (storage.User, error)
}

// AccessTokens checks an access token the dialect issued (an ESIA JWT: signature and
// nbf/exp by the dialect's clock) and returns its claims as JSON.
type AccessTokens interface {
	VerifyAccessToken(ctx context.Context, token string) (claims []byte, err error)
}

// API serves GET /rs/prns/… for the ESIA dialect.
type API struct {
	Store  Store
	Tokens AccessTokens
	Now    func() time.Time
	Log    *slog.Logger
	// PublicURL is the base of the element links in collections.
	PublicURL string
	// Scopes are every scope the dialect knows: an element of a type the token may not see
	// is then 403, not 404.
	Scopes []string
	// Persons is the extra /rs data of a persona (by persona key); see BuiltinPersons.
	Persons map[string]config.ESIAPerson
	// Orgs gives organisations and roles (usr_org, org_* scopes); nil: nobody works anywhere.
	Orgs Organizations
}

// Mount adds the API's routes.
func (a *API) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /rs/prns/{oid}", a.person)
	mux.HandleFunc("GET /rs/prns/{oid}/{coll}", a.collection)
	mux.HandleFunc("GET /rs/prns/{oid}/{coll}/{id}", a.element)
	mux.HandleFunc("GET /rs/prns/{oid}/kids/{kid}/docs", a.kidDocs)
	mux.HandleFunc("GET /rs/prns/{oid}/kids/{kid}/docs/{id}", a.kidDoc)
	mux.HandleFunc("GET /rs/orgs/{oid}", a.org) // orgapi.go
	mux.HandleFunc("GET /rs/orgs/{oid}/{coll}", a.orgCollection)
	mux.HandleFunc("GET /rs/orgs/{oid}/{coll}/{id}", a.orgElement)
}

// rsCall is an authorised /rs request.
type rsCall struct {
	user   storage.User
	grants grants
	view   personView
	roles  []orgs.Role // loaded for usr_org and organisation scopes
}

func scopeNotAllowed(w http.ResponseWriter) {
	writeJSON(w, http.StatusForbidden, map[string]string{"code": "ESIA-005029", "message": "SecurityErrorEnum.scopeNotAllowed"})
}

func notFound(w http.ResponseWriter, what string) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "error_description": what})
}

func unauthorized(w http.ResponseWriter, why string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": why})
}

// authorize checks the token and that it was issued for the person in the path.
func (a *API) authorize(w http.ResponseWriter, r *http.Request) (rsCall, bool) {
	ctx := r.Context()
	rec, ok := a.checkToken(w, r)
	if !ok {
		return rsCall{}, false
	}
	if r.PathValue("oid") != rec.Subject {
		scopeNotAllowed(w)
		return rsCall{}, false
	}
	user, err := a.Store.GetUser(ctx, rec.Subject)
	if errors.Is(err, storage.ErrNotFound) {
		notFound(w, "the person does not exist")
		return rsCall{}, false
	}
	if err != nil {
		a.Log.ErrorContext(ctx, "esia: user lookup", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return rsCall{}, false
	}
	c := rsCall{user: user, grants: newGrants(rec.Scopes), view: a.view(user)}
	if a.Orgs != nil && c.grants["usr_org"] {
		if c.roles, err = a.Orgs.RolesOf(ctx, user.ID); err != nil {
			a.Log.ErrorContext(ctx, "esia: roles lookup", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
			return rsCall{}, false
		}
	}
	return c, true
}

// checkToken checks the Bearer access token: the dialect's JWT and a live token record.
func (a *API) checkToken(w http.ResponseWriter, r *http.Request) (storage.Token, bool) {
	ctx := r.Context()
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		unauthorized(w, "an access token is required (Authorization: Bearer …)")
		return storage.Token{}, false
	}
	tok = strings.TrimSpace(tok)
	raw, err := a.Tokens.VerifyAccessToken(ctx, tok)
	if err != nil {
		unauthorized(w, "the access token is invalid or expired")
		return storage.Token{}, false
	}
	var claims struct {
		SbjID int64 `json:"urn:esia:sbj_id"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		unauthorized(w, "the access token is invalid")
		return storage.Token{}, false
	}
	rec, err := a.Store.GetToken(ctx, hashHex(tok), a.Now())
	switch {
	case errors.Is(err, storage.ErrNotFound):
		unauthorized(w, "the access token was revoked or has expired")
		return storage.Token{}, false
	case err != nil:
		a.Log.ErrorContext(ctx, "esia: token lookup", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return storage.Token{}, false
	case rec.Kind != storage.TokenAccess || rec.Subject != strconv.FormatInt(claims.SbjID, 10):
		unauthorized(w, "the access token is invalid")
		return storage.Token{}, false
	}
	return rec, true
}

// embedded parses embed=(a,b.elements) into a set.
func embedded(r *http.Request) map[string]bool {
	v := strings.TrimSpace(r.URL.Query().Get("embed"))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "("), ")")
	out := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out[p] = true
		}
	}
	return out
}

// person serves GET /rs/prns/{oid}[?embed=(contacts.elements,…)].
func (a *API) person(w http.ResponseWriter, r *http.Request) {
	c, ok := a.authorize(w, r)
	if !ok {
		return
	}
	out := c.view.person(c.grants)
	emb := embedded(r)
	for _, name := range []string{"contacts", "addresses", "documents", "vehicles", "kids", "organizations"} {
		inline := emb[name+".elements"]
		if !inline && !emb[name] {
			continue
		}
		coll, allowed := a.buildCollection(c, collPath[name], inline)
		if !allowed {
			continue // a collection the token has no scope for is left out
		}
		switch name {
		case "contacts":
			out.Contacts = coll
		case "addresses":
			out.Addresses = coll
		case "documents":
			out.Documents = coll
		case "vehicles":
			out.Vehicles = coll
		case "kids":
			out.Kids = coll
		case "organizations":
			out.Organizations = coll
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// collPath maps embed names to collection path segments.
var collPath = map[string]string{"contacts": "ctts", "addresses": "addrs", "documents": "docs", "vehicles": "vhls",
	"kids": "kids", "organizations": "orgs"}

// collection serves GET /rs/prns/{oid}/{ctts|addrs|docs|kids|vhls|roles|orgs}[?embed=(elements)].
func (a *API) collection(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("coll")
	if !knownCollection(name) {
		http.NotFound(w, r)
		return
	}
	c, ok := a.authorize(w, r)
	if !ok {
		return
	}
	coll, allowed := a.buildCollection(c, name, embedded(r)["elements"] || name == "roles")
	if !allowed {
		scopeNotAllowed(w)
		return
	}
	writeJSON(w, http.StatusOK, coll)
}

func knownCollection(name string) bool {
	switch name {
	case "ctts", "addrs", "docs", "kids", "vhls", "roles", "orgs":
		return true
	}
	return false
}

// elements returns a collection's elements with their ids, or allowed=false when the token
// has no scope for the collection.
func (a *API) elements(c rsCall, name string) (ids []string, elems []any, allowed bool) {
	g := c.grants
	switch name {
	case "ctts":
		if !g.any("contacts", "email", "mobile") {
			return nil, nil, false
		}
		for _, e := range c.view.contacts() {
			if g["contacts"] || (g["email"] && e.Type == "EML") || (g["mobile"] && e.Type == "MBT") {
				ids, elems = append(ids, strconv.FormatInt(e.ID, 10)), append(elems, e)
			}
		}
	case "addrs":
		if !g.any("addresses", "contacts") {
			return nil, nil, false
		}
		for _, e := range c.view.addresses() {
			ids, elems = append(ids, strconv.FormatInt(e.ID, 10)), append(elems, e)
		}
	case "docs":
		types := g.docTypes(docTypesOfScope)
		if len(types) == 0 {
			return nil, nil, false
		}
		for _, e := range c.view.documents() {
			if types[e.Type] {
				ids, elems = append(ids, strconv.FormatInt(e.ID, 10)), append(elems, e)
			}
		}
	case "vhls":
		if !g["vehicles"] {
			return nil, nil, false
		}
		for _, e := range c.view.vehicles() {
			ids, elems = append(ids, strconv.FormatInt(e.ID, 10)), append(elems, e)
		}
	case "kids":
		if !g.anyPrefix("kid_") {
			return nil, nil, false
		}
		for _, e := range c.view.kids(g) {
			ids, elems = append(ids, strconv.FormatInt(e.ID, 10)), append(elems, e)
		}
	case "roles", "orgs":
		if !g["usr_org"] {
			return nil, nil, false
		}
		if name == "roles" {
			ids, elems = roleElements(c.user.ID, c.roles)
		} else {
			ids, elems = orgRefElements(c.roles)
		}
	default:
		return nil, nil, false
	}
	return ids, elems, true
}

// buildCollection builds {stateFacts, size, eTag, elements}: elements inline or as absolute
// links built from the configured public URL.
func (a *API) buildCollection(c rsCall, name string, inline bool) (*collectionJSON, bool) {
	ids, elems, allowed := a.elements(c, name)
	if !allowed {
		return nil, false
	}
	return a.collectionOf(c.user.ID, name, ids, elems, inline), true
}

func (a *API) collectionOf(oid, path string, ids []string, elems []any, inline bool) *collectionJSON {
	out := &collectionJSON{StateFacts: []string{"hasSize"}, Size: len(elems), Elements: []any{}}
	tags := make([]string, 0, len(elems))
	for i, e := range elems {
		tags = append(tags, etag(e))
		if inline {
			out.Elements = append(out.Elements, e)
		} else {
			out.Elements = append(out.Elements, a.linkOf(oid, path, ids[i]))
		}
	}
	out.ETag = etag(tags)
	return out
}

// element serves GET /rs/prns/{oid}/{coll}/{id}.
func (a *API) element(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("coll")
	if !knownCollection(name) {
		http.NotFound(w, r)
		return
	}
	c, ok := a.authorize(w, r)
	if !ok {
		return
	}
	ids, elems, allowed := a.elements(c, name)
	if !allowed {
		scopeNotAllowed(w)
		return
	}
	for i, id := range ids {
		if id == r.PathValue("id") {
			writeJSON(w, http.StatusOK, elems[i])
			return
		}
	}
	// An element that exists but is of a type the token may not see is forbidden, not missing.
	if all := a.allElementIDs(c, name); all[r.PathValue("id")] {
		scopeNotAllowed(w)
		return
	}
	notFound(w, "no such element")
}

func (a *API) allElementIDs(c rsCall, name string) map[string]bool {
	all := rsCall{user: c.user, view: c.view, grants: newGrants(a.Scopes), roles: c.roles}
	ids, _, _ := a.elements(all, name)
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// kidDocs serves GET /rs/prns/{oid}/kids/{kid}/docs[?embed=(elements)].
func (a *API) kidDocs(w http.ResponseWriter, r *http.Request) {
	c, ok := a.authorize(w, r)
	if !ok {
		return
	}
	ids, elems, ok := a.kidDocElements(w, c, r.PathValue("kid"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, a.collectionOf(c.user.ID, "kids/"+r.PathValue("kid")+"/docs", ids, elems, embedded(r)["elements"]))
}

// kidDoc serves GET /rs/prns/{oid}/kids/{kid}/docs/{id}.
func (a *API) kidDoc(w http.ResponseWriter, r *http.Request) {
	c, ok := a.authorize(w, r)
	if !ok {
		return
	}
	ids, elems, ok := a.kidDocElements(w, c, r.PathValue("kid"))
	if !ok {
		return
	}
	for i, id := range ids {
		if id == r.PathValue("id") {
			writeJSON(w, http.StatusOK, elems[i])
			return
		}
	}
	notFound(w, "no such element")
}

func (a *API) kidDocElements(w http.ResponseWriter, c rsCall, kidOID string) ([]string, []any, bool) {
	types := c.grants.docTypes(kidDocTypesOfScope)
	if len(types) == 0 {
		scopeNotAllowed(w)
		return nil, nil, false
	}
	kid, ok := c.view.kid(kidOID)
	if !ok {
		notFound(w, "no such child")
		return nil, nil, false
	}
	var ids []string
	var elems []any
	for i, doc := range kid.Documents {
		e := documentElement(doc, elementID(kid.OID, kindDoc, i+1))
		if types[e.Type] {
			ids, elems = append(ids, strconv.FormatInt(e.ID, 10)), append(elems, e)
		}
	}
	return ids, elems, true
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
