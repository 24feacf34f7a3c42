package ecs

import "net/netip"

// ValidIP reports whether s is a literal IPv4 (four decimal octets, no
// leading zeros) or IPv6 address. Zone suffixes are rejected. The value is
// never canonicalised by callers: they keep s as received.
func ValidIP(s string) bool {
	if s == "" {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return a.Zone() == ""
}
