package dprofile

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/esia-emulator/esia-emulator/consent/permissions"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Collection is the storage.Docs collection of Digital Profile consents. An id is
// "<uid>/<client>/<consent id>", each part path-escaped, so "<uid>/" lists a citizen's
// consents and "<uid>/<client>/" one system's.
const Collection = "dprofile"

// keepWithdrawn is how long a withdrawn or expired consent stays listed (so a prm_chg
// request is told which it was).
const keepWithdrawn = 90 * 24 * time.Hour

// Consent is a Digital Profile consent a citizen gave a system.
type Consent struct {
	Schema   int    `json:"v"`
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	ClientID string `json:"client_id"`
	// Request is what the system asked for (its expire: the granted lifetime in minutes).
	Request   permissions.Request `json:"request"`
	GrantedAt time.Time           `json:"granted_at"`
	ExpiresAt time.Time           `json:"expires_at"`
	// WithdrawnAt is set when the citizen withdrew it on the account page.
	WithdrawnAt time.Time `json:"withdrawn_at,omitzero"`
	// FamilyID is the token family of the login that granted it (withdrawal revokes it).
	FamilyID string `json:"family_id"`
}

// TokenFamily is the family of the consent tokens (prm_chg) issued under the consent.
func (c Consent) TokenFamily() string { return "dprofile/" + c.ID }

// Live reports whether the consent may still be used at now.
func (c Consent) Live(now time.Time) bool { return c.WithdrawnAt.IsZero() && now.Before(c.ExpiresAt) }

// Scopes are the consent's scope sysnames.
func (c Consent) Scopes() []string { return permissions.Names(c.Request.Scopes) }

// Consents stores consents in a storage.Docs.
type Consents struct {
	Docs storage.Docs
}

func docID(uid, client, id string) string {
	return url.PathEscape(uid) + "/" + url.PathEscape(client) + "/" + url.PathEscape(id)
}

// Grant stores one consent per request, granted at now; familyID is the login's token family.
func (s Consents) Grant(ctx context.Context, uid, client, familyID string, reqs []permissions.Request, newID func() string, now time.Time) ([]Consent, error) {
	out := make([]Consent, 0, len(reqs))
	for _, r := range reqs {
		c := Consent{Schema: storage.SchemaVersion, ID: newID(), UserID: uid, ClientID: client, Request: r,
			GrantedAt: now, ExpiresAt: now.Add(time.Duration(r.Expire) * time.Minute), FamilyID: familyID}
		if err := storage.CreateDoc(ctx, s.Docs, Collection, docID(uid, client, c.ID), c, c.ExpiresAt.Add(keepWithdrawn), now); err != nil {
			return out, fmt.Errorf("dprofile: store consent: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Get returns one consent of the citizen for the client.
func (s Consents) Get(ctx context.Context, uid, client, id string, now time.Time) (Consent, error) {
	return storage.GetDoc[Consent](ctx, s.Docs, Collection, docID(uid, client, id), now)
}

// ForClient lists the citizen's consents for the client (live, expired and withdrawn),
// newest first.
func (s Consents) ForClient(ctx context.Context, uid, client string, now time.Time) ([]Consent, error) {
	cs, err := storage.ListDocs[Consent](ctx, s.Docs, Collection, url.PathEscape(uid)+"/"+url.PathEscape(client)+"/", now)
	sortNewest(cs)
	return cs, err
}

// ForUser lists every consent of the citizen, newest first.
func (s Consents) ForUser(ctx context.Context, uid string, now time.Time) ([]Consent, error) {
	cs, err := storage.ListDocs[Consent](ctx, s.Docs, Collection, url.PathEscape(uid)+"/", now)
	sortNewest(cs)
	return cs, err
}

// ForFamily returns the live consents granted by the login of token family familyID.
func (s Consents) ForFamily(ctx context.Context, uid, client, familyID string, now time.Time) ([]Consent, error) {
	cs, err := s.ForClient(ctx, uid, client, now)
	if err != nil {
		return nil, err
	}
	var out []Consent
	for _, c := range cs {
		if c.FamilyID == familyID && c.Live(now) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ErrNotLive is returned by Withdraw for a consent already withdrawn or expired.
var ErrNotLive = errors.New("dprofile: the consent is withdrawn or expired")

// Withdraw marks the consent withdrawn at now and returns it.
func (s Consents) Withdraw(ctx context.Context, uid, client, id string, now time.Time) (Consent, error) {
	return storage.UpdateDoc(ctx, s.Docs, Collection, docID(uid, client, id), now, func(c Consent) (Consent, time.Time, error) {
		if !c.Live(now) {
			return c, time.Time{}, ErrNotLive
		}
		c.WithdrawnAt = now
		return c, now.Add(keepWithdrawn), nil
	})
}

func sortNewest(cs []Consent) {
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].GrantedAt.After(cs[b].GrantedAt) })
}
