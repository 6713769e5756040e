package session

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies finds the client's address behind reverse proxies (config trusted_proxies): the
// forwarding header counts only when the peer is a trusted proxy, and then the rightmost
// address in it that is not a trusted proxy is the client — everything left of it was written
// by the client and may be forged. The zero value trusts nobody: the peer is the client.
type Proxies struct {
	Trusted []netip.Prefix
	// Header is the header the proxies set: "x-forwarded-for" ("" too) or "forwarded"
	// (RFC 7239). Only one is read, so a client cannot slip in the other.
	Header string
}

// ClientIP is the request's client address without the port.
func (p Proxies) ClientIP(r *http.Request) string {
	peer := ClientIP(r)
	a, ok := parseHop(peer)
	if !ok || !p.trusted(a) {
		return peer
	}
	var hops []string
	if strings.EqualFold(p.Header, "forwarded") {
		for _, v := range r.Header.Values("Forwarded") {
			for _, elem := range strings.Split(v, ",") {
				for _, pair := range strings.Split(elem, ";") {
					k, val, _ := strings.Cut(strings.TrimSpace(pair), "=")
					if strings.EqualFold(k, "for") {
						hops = append(hops, strings.Trim(val, `"`))
					}
				}
			}
		}
	} else {
		for _, v := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(v, ",")...)
		}
	}
	client := a
	for i := len(hops) - 1; i >= 0; i-- {
		h, ok := parseHop(hops[i])
		if !ok { // "unknown", an obfuscated name or garbage: nothing left of it is known
			break
		}
		client = h
		if !p.trusted(h) {
			break
		}
	}
	return client.String()
}

func (p Proxies) trusted(a netip.Addr) bool {
	for _, pr := range p.Trusted {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads "203.0.113.7", "203.0.113.7:443", "2001:db8::1" or "[2001:db8::1]:443".
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap().WithZone(""), true
		}
	}
	return netip.Addr{}, false
}
