// Package logout holds the modules of the OpenID Foundation's RP-initiated logout OP plan
// (Modules) and the back-channel logout plan's discovery check (BackchannelModules).
//
// Called by the conformance package, which lists their modules. No routes.
package logout
