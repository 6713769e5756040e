package provider

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/esia-emulator/esia-emulator/storage"
)

// oidcDialect is how the login flow answers an OpenID Connect relying party: the engine's
// callback issues the code; errors go to the redirect_uri with iss (flow.Dialect).
type oidcDialect struct{ p *Provider }

func (d oidcDialect) Complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) {
	http.Redirect(w, r, d.p.callbackURL(r.Context(), ar.ID), http.StatusSeeOther)
}

func (d oidcDialect) Fail(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, code, desc string) {
	op.AuthRequestError(d.p.issWriter(w), r, &authRequest{ar}, oauthError(code, desc), d.p.op)
}

func (p *Provider) callbackURL(ctx context.Context, id string) string {
	return op.AuthCallbackURL(p.op)(op.ContextWithIssuer(ctx, p.cfg.Issuer), id)
}

// oauthError builds an engine error with any OAuth error code (the engine's error type is
// unexported and lacks some codes, such as consent_required).
func oauthError(code, desc string) *oidc.Error {
	var e oidc.Error
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	_ = json.Unmarshal(b, &e)
	return &e
}
