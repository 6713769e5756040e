package esia

import (
	"strings"

	"github.com/esia-emulator/esia-emulator/consent"
)

// KnownScope reports whether s is a person scope of the shared catalog (package consent,
// esia-protocol.md §6). Organisation scopes (URL form) are checked in orgscopes.go; bare names count as
// unknown (ESIA-007006).
func KnownScope(s string) bool {
	sc, ok := consent.Lookup(s)
	return ok && sc.Kind != consent.KindOrg && (sc.ESIA || sc.Name == consent.OpenID)
}

// KnownScopes returns the dialect's scopes in catalog order.
func KnownScopes() []string {
	var out []string
	for _, sc := range consent.All() {
		if KnownScope(sc.Name) {
			out = append(out, sc.Name)
		}
	}
	return out
}

// splitScope splits a scope parameter on spaces (one or more, as clients join with " " and
// forms may turn "+" into spaces).
func splitScope(s string) []string { return strings.Fields(s) }
