// Package iprestrict is the citizen's limit on where logins may come from: Parse reads the
// address ranges typed on the account's security page (CIDR or single addresses, IPv4 or
// IPv6, separated by commas, spaces or lines; at most MaxNets, at most MaxInput bytes) into
// canonical prefixes, and Allowed says whether a client address is inside one of them.
//
// It is pure (no storage, no state) and mounts no routes. Callers: provider/account (the
// security page's form) and provider/flow (every way to log in checks Allowed with the client
// address behind trusted_proxies before a session starts).
package iprestrict
