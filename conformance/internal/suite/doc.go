// Package suite is the framework a conformance module runs in: the run's Options, the Suite
// every module shares (the provider's discovery document and JWKS, loaded once; the two
// clients), T (a module's checks, Fatal/Require/Skip/Pass, the injected Sleep) and
// RunModule, which turns a module's checks into a report.ModuleResult. The discovery checks
// more than one plan makes (FetchedDiscovery, CheckEndpoint, CheckAllEndpointsHTTPS) live on
// T.
//
// Called by the conformance package (Run) and by the plans and internal/rp. No routes.
package suite
