// Command esia-emulator runs the ESIA emulator: an OpenID Connect provider that behaves like
// ESIA (Gosuslugi) for developing and testing relying-party cabinets.
//
//	esia-emulator serve [flags]         the provider (README "Running")
//	esia-emulator conformance [flags]   the OpenID conformance modules against any issuer
//
// The package is wiring only: flags, environment and config file → storage → provider (+ the
// ESIA dialect) → http.Server. It mounts no routes of its own.
//
// # Settings
//
// Both commands read their settings through one library, github.com/peterbourgon/ff/v3, in
// this order of precedence:
//
//	flag  >  environment variable  >  --config file  >  built-in default
//
// serve's variables are ESIA_<FLAG> (--data-dir: ESIA_DATA_DIR); its --config file is the
// provider's YAML model (config.Parse), of which issuer, admin_token and mode also have flags
// (an issuer equal to config.DefaultIssuer counts as unset: the issuer then follows --addr).
// conformance's variables are ESIA_CONFORMANCE_<FLAG>; its --config file holds the flags'
// settings in YAML or JSON, and the value "-" clears a default. An empty variable counts as
// unset. The --config path itself comes from the flag or its variable.
//
// Help (-h) shows built-in defaults only, never a value from the environment or a file, and
// secret flags (admin token, client secrets, passwords) show no value at all; a Redis URL is
// shown and logged with its password masked.
//
// # Logging
//
// serve logs with one slog text handler on stderr at --log-level, and makes it slog's default
// logger for as long as it runs, because the OIDC engine (zitadel/oidc) logs through
// slog.Default only.
package main
