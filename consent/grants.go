package consent

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Collection is the storage.Docs collection of grants. A grant's id is
// "<uid>/<client>/<scope>" with each part path-escaped, so "<uid>/" lists a citizen's grants
// and "<uid>/<client>/" one service's.
const Collection = "consent"

// Grant is a citizen's consent for one client to read one scope.
type Grant struct {
	Schema   int    `json:"v"`
	UserID   string `json:"user_id"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	// GrantedAt is when the scope was first granted; renewing keeps it.
	GrantedAt time.Time `json:"granted_at"`
	// ExpiresAt (zero: never) ends the grant; the store drops it then.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Scopes returns the grants' scopes in order.
func Scopes(gs []Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Scope
	}
	return out
}

// Grants stores grants in a storage.Docs.
type Grants struct {
	Docs storage.Docs
}

func grantID(uid, client, scope string) (string, error) {
	if uid == "" || client == "" || scope == "" {
		return "", errors.New("consent: grant needs a user, a client and a scope")
	}
	return url.PathEscape(uid) + "/" + url.PathEscape(client) + "/" + url.PathEscape(scope), nil
}

func clientPrefix(uid, client string) (string, error) {
	if uid == "" || client == "" {
		return "", errors.New("consent: a user and a client are required")
	}
	return url.PathEscape(uid) + "/" + url.PathEscape(client) + "/", nil
}

func userPrefix(uid string) (string, error) {
	if uid == "" {
		return "", errors.New("consent: a user is required")
	}
	return url.PathEscape(uid) + "/", nil
}

// Granted returns the citizen's live grants for the client at now, ordered by scope id.
func (g Grants) Granted(ctx context.Context, uid, client string, now time.Time) ([]Grant, error) {
	p, err := clientPrefix(uid, client)
	if err != nil {
		return nil, err
	}
	return storage.ListDocs[Grant](ctx, g.Docs, Collection, p, now)
}

// GrantedOf returns those of scopes the citizen has a live grant for at now, in the given
// order, reading only their grants: one store round trip when the store reads several
// documents at a time (storage.Reads).
func (g Grants) GrantedOf(ctx context.Context, uid, client string, scopes []string, now time.Time) ([]string, error) {
	reads := make([]storage.Read, len(scopes))
	for i, s := range scopes {
		id, err := grantID(uid, client, s)
		if err != nil {
			return nil, err
		}
		reads[i] = storage.Read{Collection: Collection, ID: id}
	}
	if len(reads) == 0 {
		return nil, nil
	}
	if err := storage.ReadDocs(ctx, g.Docs, now, reads); err != nil {
		return nil, fmt.Errorf("consent: grants: %w", err)
	}
	var out []string
	for i, r := range reads {
		if r.Doc != nil {
			out = append(out, scopes[i])
		}
	}
	return out, nil
}

// Grant records the scopes for the client. A scope already granted keeps its GrantedAt and
// gets the new expiry (now+ttl; ttl <= 0: never). changed lists, in the given order, the
// scopes that had no live grant before — empty when the call only renewed.
func (g Grants) Grant(ctx context.Context, uid, client string, scopes []string, ttl time.Duration, now time.Time) (changed []string, err error) {
	var exp time.Time
	if ttl > 0 {
		exp = now.Add(ttl)
	}
	seen := map[string]bool{}
	for _, s := range scopes {
		if seen[s] {
			continue
		}
		seen[s] = true
		id, err := grantID(uid, client, s)
		if err != nil {
			return changed, err
		}
		created, err := g.put(ctx, id, Grant{Schema: storage.SchemaVersion, UserID: uid, ClientID: client,
			Scope: s, GrantedAt: now, ExpiresAt: exp}, now)
		if err != nil {
			return changed, fmt.Errorf("consent: grant %s: %w", s, err)
		}
		if created {
			changed = append(changed, s)
		}
	}
	return changed, nil
}

// put creates the grant, or renews a live one; created tells which.
func (g Grants) put(ctx context.Context, id string, gr Grant, now time.Time) (created bool, err error) {
	for range 3 {
		err = storage.CreateDoc(ctx, g.Docs, Collection, id, gr, gr.ExpiresAt, now)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, storage.ErrAlreadyExists) {
			return false, err
		}
		_, err = storage.UpdateDoc(ctx, g.Docs, Collection, id, now, func(old Grant) (Grant, time.Time, error) {
			old.Schema, old.ExpiresAt = storage.SchemaVersion, gr.ExpiresAt
			return old, old.ExpiresAt, nil
		})
		if err == nil {
			return false, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return false, err
		}
		// Expired or withdrawn between the two calls: create again.
	}
	return false, err
}

// Withdraw removes every grant of the citizen for the client and returns the live ones it
// removed. The provider then revokes the client's tokens for the citizen
// (storage.Tokens.RevokeUserClientTokens) and records consent_withdrawn.
func (g Grants) Withdraw(ctx context.Context, uid, client string, now time.Time) ([]Grant, error) {
	gs, err := g.Granted(ctx, uid, client, now)
	if err != nil {
		return nil, err
	}
	return g.remove(ctx, gs)
}

// WithdrawScope removes the named grants of the citizen for the client and returns the live
// ones it removed (a scope without a live grant is skipped).
func (g Grants) WithdrawScope(ctx context.Context, uid, client string, now time.Time, scopes ...string) ([]Grant, error) {
	var gs []Grant
	for _, s := range scopes {
		id, err := grantID(uid, client, s)
		if err != nil {
			return nil, err
		}
		gr, err := storage.GetDoc[Grant](ctx, g.Docs, Collection, id, now)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(gs, func(x Grant) bool { return x.Scope == gr.Scope }) {
			gs = append(gs, gr)
		}
	}
	return g.remove(ctx, gs)
}

// WithdrawAll removes every grant of the citizen (an account being deleted).
func (g Grants) WithdrawAll(ctx context.Context, uid string, now time.Time) ([]Grant, error) {
	p, err := userPrefix(uid)
	if err != nil {
		return nil, err
	}
	gs, err := storage.ListDocs[Grant](ctx, g.Docs, Collection, p, now)
	if err != nil {
		return nil, err
	}
	return g.remove(ctx, gs)
}

func (g Grants) remove(ctx context.Context, gs []Grant) ([]Grant, error) {
	for i, gr := range gs {
		id, err := grantID(gr.UserID, gr.ClientID, gr.Scope)
		if err == nil {
			err = g.Docs.DeleteDoc(ctx, Collection, id)
		}
		if err != nil {
			return gs[:i], fmt.Errorf("consent: withdraw %s: %w", gr.Scope, err)
		}
	}
	return gs, nil
}

// ClientGrants is one line of the citizen's "Доступ к данным" page.
type ClientGrants struct {
	ClientID string
	// Since is the earliest GrantedAt of the client's grants.
	Since time.Time
	// Grants are the live grants, in catalog order (then by scope for organisation URLs).
	Grants []Grant
}

// Scopes returns the client's granted scopes in the Grants order.
func (c ClientGrants) Scopes() []string { return Scopes(c.Grants) }

// ListByUser returns the citizen's live grants grouped by client, ordered by client id.
func (g Grants) ListByUser(ctx context.Context, uid string, now time.Time) ([]ClientGrants, error) {
	p, err := userPrefix(uid)
	if err != nil {
		return nil, err
	}
	gs, err := storage.ListDocs[Grant](ctx, g.Docs, Collection, p, now)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	var out []ClientGrants
	for _, gr := range gs {
		i, ok := idx[gr.ClientID]
		if !ok {
			i = len(out)
			idx[gr.ClientID] = i
			out = append(out, ClientGrants{ClientID: gr.ClientID, Since: gr.GrantedAt})
		}
		if gr.GrantedAt.Before(out[i].Since) {
			out[i].Since = gr.GrantedAt
		}
		out[i].Grants = append(out[i].Grants, gr)
	}
	for i := range out {
		sortCatalog(out[i].Grants)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ClientID < out[b].ClientID })
	return out, nil
}

// sortCatalog orders grants by the catalog position of their scope, then by scope.
func sortCatalog(gs []Grant) {
	pos := func(s string) int {
		if i, ok := byName[Base(s)]; ok {
			return i
		}
		return len(catalog)
	}
	sort.SliceStable(gs, func(a, b int) bool {
		pa, pb := pos(gs[a].Scope), pos(gs[b].Scope)
		if pa != pb {
			return pa < pb
		}
		return gs[a].Scope < gs[b].Scope
	})
}
