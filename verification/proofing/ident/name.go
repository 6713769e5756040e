package ident

import "strings"

// SameName compares a wanted name (empty matches anything) with a given one, ignoring
// case, ё/е and repeated spaces: the registries, the service-centre operator and the
// e-signature check compare citizens' names this way.
func SameName(want, got string) bool {
	return want == "" || foldName(want) == foldName(got)
}

func foldName(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.ReplaceAll(s, "ё", "е")
}
