package suite

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// FetchedDiscovery stops the module when the document could not be read at all.
func (t *T) FetchedDiscovery() map[string]any {
	s := t.S
	if s.DiscStatus == 0 || s.DiscRaw == nil {
		t.Fatal("discovery document", "%v", s.DiscErr)
	}
	return s.DiscRaw
}

// CheckEndpoint checks that a metadata member is an absolute https URL.
func (t *T) CheckEndpoint(raw map[string]any, name string, required bool) {
	v, has := raw[name]
	if !has {
		t.Check(name, !required, "absent")
		return
	}
	s, _ := v.(string)
	u, err := url.Parse(s)
	t.Check(name, err == nil && u.Scheme == "https" && u.Host != "" && u.Fragment == "", "%q: want an absolute https URL without fragment", s)
}

// CheckAllEndpointsHTTPS fails any *_endpoint member that is not https.
func (t *T) CheckAllEndpointsHTTPS(raw map[string]any) {
	names := make([]string, 0)
	for k := range raw {
		if strings.HasSuffix(k, "_endpoint") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var bad []string
	for _, k := range names {
		s, _ := raw[k].(string)
		if u, err := url.Parse(s); err != nil || u.Scheme != "https" {
			bad = append(bad, fmt.Sprintf("%s=%q", k, s))
		}
	}
	t.Check("every endpoint is https", len(bad) == 0, "non-https: %s", strings.Join(bad, ", "))
}
