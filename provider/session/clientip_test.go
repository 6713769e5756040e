package session

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestProxiesClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, c := range []struct {
		name, peer, header, xff, fwd, want string
		trust                              bool
	}{
		{name: "no proxies configured", peer: "10.0.0.1:5000", xff: "203.0.113.5", want: "10.0.0.1"},
		{name: "untrusted peer", peer: "198.51.100.1:5000", xff: "203.0.113.5", trust: true, want: "198.51.100.1"},
		{name: "one proxy", peer: "10.0.0.1:5000", xff: "203.0.113.5", trust: true, want: "203.0.113.5"},
		{name: "forged left part", peer: "10.0.0.1:5000", xff: "1.2.3.4, 203.0.113.5", trust: true, want: "203.0.113.5"},
		{name: "proxy chain", peer: "10.0.0.1:5000", xff: "203.0.113.5, 10.0.0.2", trust: true, want: "203.0.113.5"},
		{name: "all trusted", peer: "10.0.0.1:5000", xff: "10.0.0.3, 10.0.0.2", trust: true, want: "10.0.0.3"},
		{name: "garbage", peer: "10.0.0.1:5000", xff: "nonsense", trust: true, want: "10.0.0.1"},
		{name: "ipv6 peer", peer: "[::1]:5000", xff: "2001:db8::7", trust: true, want: "2001:db8::7"},
		{name: "forwarded ignored by default", peer: "10.0.0.1:5000", fwd: "for=203.0.113.9", trust: true, want: "10.0.0.1"},
		{name: "forwarded", peer: "10.0.0.1:5000", header: "forwarded", xff: "1.2.3.4", fwd: `for=1.1.1.1, for="[2001:db8::9]:443";proto=https`, trust: true, want: "2001:db8::9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.fwd != "" {
			r.Header.Set("Forwarded", c.fwd)
		}
		p := Proxies{Header: c.header}
		if c.trust {
			p.Trusted = trusted
		}
		if got := p.ClientIP(r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
