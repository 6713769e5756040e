package iprestrict

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Bounds of the input.
const (
	MaxNets  = 16
	MaxInput = 2048
)

// Errors of Parse (wrapped with the offending entry where there is one).
var (
	ErrTooLong    = errors.New("iprestrict: the list is too long")
	ErrTooMany    = fmt.Errorf("iprestrict: more than %d ranges", MaxNets)
	ErrBadEntry   = errors.New("iprestrict: not an address or a CIDR range")
	ErrTooBroad   = errors.New("iprestrict: a range of every address (/0) restricts nothing")
	ErrNotAllowed = errors.New("iprestrict: the address is outside the allowed ranges")
)

// Parse reads a list of ranges into canonical CIDR strings (host bits cleared, duplicates
// dropped, in input order). An empty list is no restriction.
func Parse(text string) ([]string, error) {
	if len(text) > MaxInput {
		return nil, ErrTooLong
	}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	var out []string
	for _, f := range fields {
		var p netip.Prefix
		var err error
		if strings.Contains(f, "/") {
			p, err = netip.ParsePrefix(f)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(f); err == nil {
				if a.Zone() != "" {
					return nil, fmt.Errorf("%w: %q", ErrBadEntry, f)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil || p.Addr().Zone() != "" {
			return nil, fmt.Errorf("%w: %q", ErrBadEntry, f)
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("%w: %q", ErrTooBroad, f)
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapShift(p)).Masked()
		if s := p.String(); !slices.Contains(out, s) {
			if len(out) == MaxNets {
				return nil, ErrTooMany
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// unmapShift is how many prefix bits an IPv4-mapped IPv6 prefix loses when unmapped.
func unmapShift(p netip.Prefix) int {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return 96
	}
	return 0
}

// Allowed reports whether addr (a client address, as session.Manager.ClientIP gives it) is in
// one of nets; with no nets everything is allowed. An address that does not parse is not.
func Allowed(nets []string, addr string) bool {
	if len(nets) == 0 {
		return true
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, n := range nets {
		if p, err := netip.ParsePrefix(n); err == nil && p.Contains(a) {
			return true
		}
	}
	return false
}
