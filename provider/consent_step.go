package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/web"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/consent"
	"github.com/esia-emulator/esia-emulator/storage"
)

// consentInput gathers what the consent decision depends on for a citizen and a request.
func (p *Provider) consentInput(ctx context.Context, ar storage.AuthRequest, userID string) (consent.Input, error) {
	grants, err := p.grants().Granted(ctx, userID, ar.ClientID, p.now())
	if err != nil {
		return consent.Input{}, fmt.Errorf("consent grants: %w", err)
	}
	requested := append(slices.Clone(ar.Scopes), ar.ClaimScopes...)
	in := consent.Input{Requested: requested, Granted: consent.Scopes(grants), Prompt: ar.Prompt, Answered: ar.Consented}
	if cl, ok := p.clients.Lookup(ar.ClientID); ok {
		in.Required, in.FirstParty = cl.Config.RequiredScopes, cl.Config.FirstParty
	}
	return in, nil
}

func (p *Provider) consentDecision(ctx context.Context, ar storage.AuthRequest, userID string) (consent.Decision, error) {
	if ar.ClientID == "" { // the emulator's own pages (account): nothing is shared
		return consent.Decision{Action: consent.Skip, Scopes: ar.Scopes}, nil
	}
	in, err := p.consentInput(ctx, ar, userID)
	if err != nil {
		return consent.Decision{}, err
	}
	return consent.Decide(in), nil
}

func (p *Provider) grants() consent.Grants { return consent.Grants{Docs: p.store} }

// applyConsent stores an approved consent page and returns the scopes the authorization
// carries.
func (p *Provider) applyConsent(ctx context.Context, r *http.Request, ar storage.AuthRequest, userID string, ticked []string) ([]string, error) {
	in, err := p.consentInput(ctx, ar, userID)
	if err != nil {
		return nil, err
	}
	o := consent.Apply(in, ticked)
	ttl := p.clients.Get(ar.ClientID).Config.ConsentLifetime.Or(0)
	g := p.grants()
	now := p.now()
	added, err := g.Grant(ctx, userID, ar.ClientID, o.Grant, ttl, now)
	if err != nil {
		return nil, fmt.Errorf("store consent: %w", err)
	}
	if len(o.Revoke) > 0 {
		if _, err := g.WithdrawScope(ctx, userID, ar.ClientID, now, o.Revoke...); err != nil {
			return nil, fmt.Errorf("withdraw consent: %w", err)
		}
	}
	ev := audit.Event{UserID: userID, ClientID: ar.ClientID, Details: map[string]string{}}
	switch {
	case len(in.Granted) == 0 && len(o.Grant) > 0:
		ev.Type, ev.Details["scopes"] = audit.ConsentGiven, strings.Join(o.Grant, " ")
	case len(added) > 0 || len(o.Revoke) > 0:
		ev.Type = audit.ConsentChanged
		ev.Details["added"], ev.Details["removed"] = strings.Join(added, " "), strings.Join(o.Revoke, " ")
	}
	if ev.Type != "" {
		p.audit.Record(ctx, r, ev)
	}
	if o.Scopes == nil {
		return ar.Scopes, nil // nothing was asked (the page was stale): keep the request as is
	}
	return o.Scopes, nil
}

// splitGranted divides the scopes a consent decision carries back into the request's own
// scopes and its claim scopes.
func splitGranted(ar storage.AuthRequest, carried []string) (scopes, claimScopes []string) {
	for _, s := range carried {
		if slices.Contains(ar.ClaimScopes, s) && !slices.Contains(ar.Scopes, s) {
			claimScopes = append(claimScopes, s)
		} else {
			scopes = append(scopes, s)
		}
	}
	return scopes, claimScopes
}

func consentItems(lang string, items []consent.Item) []web.ConsentItem {
	out := make([]web.ConsentItem, 0, len(items))
	for _, it := range items {
		v := web.ConsentItem{Scope: it.Scope, Text: consent.Text(it.Scope, lang), Required: it.Required, Granted: it.Granted, Editable: it.Editable}
		if sc, ok := consent.Lookup(consent.Base(it.Scope)); ok {
			v.Sensitive = sc.Sensitive
		}
		out = append(out, v)
	}
	return out
}
