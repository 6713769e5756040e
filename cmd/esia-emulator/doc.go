// Command esia-emulator runs the ESIA emulator: an OpenID Connect provider that behaves like
// ESIA (Gosuslugi) for developing and testing relying-party cabinets.
//
//	esia-emulator serve [flags]         the provider (README "Running")
//	esia-emulator conformance [flags]   the OpenID conformance modules against any issuer
//
// Every flag has an ESIA_* environment variable (flag wins over variable, variable over the
// config file). The package is wiring only: flags, environment and config file → storage →
// provider (+ the ESIA dialect) → http.Server.
package main
