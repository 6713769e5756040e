// Package respond sends OAuth authorization responses in the response mode the relying party
// asked for — query, fragment or form_post (an auto-posting page through web) — always with
// iss (RFC 9207), whoever wrote the response: the OIDC engine, a wrapper or the login flow. The
// OIDC handler wraps /authorize and its callback with Responder.Wrap and answers the flow's
// failures through Responder.Writer. It mounts no routes.
package respond
