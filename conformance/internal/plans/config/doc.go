// Package config holds the module of the OpenID Foundation's Config OP plan
// (oidcc-discovery-endpoint-verification): the discovery document's required values, https
// endpoints and a JWKS of public keys only.
//
// Called by the conformance package, which lists its Modules. No routes.
package config
