package lockout

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzIPKey(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "203.0.113.7:80", "::ffff:1.2.3.4", "[::1]:80", "fe80::1%eth0", "2001:db8::1",
		"", "x", "1.2.3.4, 5.6.7.8", "999.1.1.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := IPKey(s)
		rest, ok := strings.CutPrefix(k, ScopeIP+":")
		if !ok {
			t.Fatalf("IPKey(%q) = %q: no scope", s, k)
		}
		if rest == "invalid" {
			return
		}
		if a, err := netip.ParseAddr(rest); err == nil {
			if !a.Is4() || IPKey(rest) != k {
				t.Fatalf("IPKey(%q) = %q", s, k)
			}
			return
		}
		p, err := netip.ParsePrefix(rest)
		if err != nil || p.Bits() != 64 || p.Masked() != p || !p.Addr().Is6() || p.Addr().Is4In6() {
			t.Fatalf("IPKey(%q) = %q: not an IPv4 address or IPv6 /64", s, k)
		}
		if IPKey(p.Addr().String()) != k {
			t.Fatalf("IPKey not stable on its own prefix: %q", k)
		}
	})
}
