package ec2

import (
	"net/netip"
	"strings"
)

// parseCIDR reads an IPv4 CIDR block as EC2 takes it: dotted quad, a prefix length, and no bits set past the
// prefix ("10.0.0.1/16" is not a block). ok is false for anything else.
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.TrimSpace(s) != s || !strings.Contains(s, "/") {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}

// parseCIDR6 reads an IPv6 CIDR block, in canonical (masked) form.
func parseCIDR6(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}

// parseAnyCIDR reads a CIDR as security group and network ACL rules take it: any IPv4 prefix, bits past the prefix
// allowed (AWS masks them: 10.0.0.1/16 is stored as 10.0.0.0/16).
func parseAnyCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

// blockSize is the number of addresses of an IPv4 block.
func blockSize(p netip.Prefix) int { return 1 << (32 - p.Bits()) }

// reservedAddresses is the number of addresses AWS keeps in every subnet: the network address, the VPC router, the
// DNS server, one for future use, and the broadcast address.
const reservedAddresses = 5

// usableAddresses is a subnet block's count of addresses interfaces may take.
func usableAddresses(p netip.Prefix) int { return blockSize(p) - reservedAddresses }

// nthAddress returns the block's address at offset n from its network address.
func nthAddress(p netip.Prefix, n int) netip.Addr {
	b := p.Addr().As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// overlaps reports whether two blocks share an address.
func overlaps(a, b netip.Prefix) bool { return a.Overlaps(b) }

// within reports whether inner lies wholly inside outer.
func within(inner, outer netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}
