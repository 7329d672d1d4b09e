package ec2

import (
	"net/netip"
	"sort"
	"testing"
)

func netipMust(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestParseCIDR(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" when the text is not an IPv4 block in canonical form
	}{
		{"10.0.0.0/16", "10.0.0.0/16"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"192.168.1.128/25", "192.168.1.128/25"},
		{"10.0.0.1/16", ""},
		{"10.0.0.0", ""},
		{"10.0.0.0/33", ""},
		{"10.0.0/16", ""},
		{"010.0.0.0/16", ""},
		{" 10.0.0.0/16", ""},
		{"10.0.0.0/16 ", ""},
		{"::/0", ""},
		{"::ffff:10.0.0.0/112", ""},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, ok := parseCIDR(tc.in)
			got := ""
			if ok {
				got = p.String()
			}
			if got != tc.want {
				t.Errorf("parseCIDR(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
			}
		})
	}
}

func TestParseAnyCIDRMasks(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1/16":     "10.0.0.0/16",
		"100.68.0.18/18":  "100.68.0.0/18",
		"10.0.0.0/16":     "10.0.0.0/16",
		"203.0.113.7/32":  "203.0.113.7/32",
		"10.0.0.0":        "",
		"2001:db8::/32":   "",
		"10.0.0.0/-1":     "",
		"300.0.0.0/8":     "",
		"10.0.0.0/16/16":  "",
		"10.0.0.0/16\x00": "",
	} {
		p, ok := parseAnyCIDR(in)
		got := ""
		if ok {
			got = p.String()
		}
		if got != want {
			t.Errorf("parseAnyCIDR(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseBlockCanonicalizesAsEC2Does(t *testing.T) {
	for in, want := range map[string]string{"10.0.0.1/16": "10.0.0.0/16", "172.31.255.255/20": "172.31.240.0/20"} {
		p, err := parseBlock(in)
		if err != nil || p.String() != want {
			t.Errorf("parseBlock(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"10.0.0.0", "abc", "10.0.0.0/40", "2001:db8::/56"} {
		_, err := parseBlock(in)
		code, msg := errorCode(err)
		want := "Value (" + in + ") for parameter cidrBlock is invalid. This is not a valid CIDR block."
		if code != "InvalidParameterValue" || msg != want {
			t.Errorf("parseBlock(%q) = %v, want InvalidParameterValue %q", in, err, want)
		}
	}
}

func TestBlockArithmetic(t *testing.T) {
	p := netipMust("10.0.1.0/24")
	if got := nthAddress(p, 255).String(); got != "10.0.1.255" {
		t.Errorf("nthAddress(%s, 255) = %s, want 10.0.1.255", p, got)
	}
	if got := nthAddress(netipMust("10.0.255.0/24"), 256).String(); got != "10.1.0.0" {
		t.Errorf("nthAddress carries into the next octet: got %s, want 10.1.0.0", got)
	}
	if got := usableAddresses(netipMust("10.0.0.0/28")); got != 11 {
		t.Errorf("usableAddresses(/28) = %d, want 11", got)
	}
	for _, tc := range []struct {
		inner, outer string
		within       bool
	}{
		{"10.0.1.0/24", "10.0.0.0/16", true},
		{"10.0.0.0/16", "10.0.0.0/16", true},
		{"10.0.0.0/15", "10.0.0.0/16", false},
		{"10.1.0.0/24", "10.0.0.0/16", false},
	} {
		if got := within(netipMust(tc.inner), netipMust(tc.outer)); got != tc.within {
			t.Errorf("within(%s, %s) = %v, want %v", tc.inner, tc.outer, got, tc.within)
		}
	}
}

func TestRestrictedBlock(t *testing.T) {
	for _, tc := range []struct {
		primary, block string
		restricted     bool
	}{
		{"10.0.0.0/16", "10.1.0.0/16", false},
		{"10.0.0.0/16", "172.16.0.0/16", true},
		{"10.0.0.0/16", "192.168.0.0/16", true},
		{"10.0.0.0/16", "198.19.0.0/16", true},
		{"10.0.0.0/16", "100.64.0.0/16", false},
		{"10.0.0.0/16", "203.0.113.0/24", false},
		{"10.1.0.0/16", "10.0.0.0/16", true}, // a primary in 10.0.0.0/15 may not take 10.0.0.0/16
		{"10.2.0.0/16", "10.0.0.0/16", false},
		{"172.16.0.0/16", "172.17.0.0/16", false},
		{"172.16.0.0/16", "172.31.0.0/16", true},
		{"172.16.0.0/16", "10.0.0.0/16", true},
		{"192.168.0.0/16", "10.0.0.0/16", true},
		{"192.168.0.0/20", "192.168.16.0/20", false},
		{"198.19.0.0/16", "10.0.0.0/16", true},
		{"198.19.0.0/16", "100.64.0.0/16", false},
		{"100.64.0.0/16", "10.0.0.0/16", true},
		{"100.64.0.0/16", "198.19.0.0/16", true},
		{"100.64.0.0/16", "203.0.113.0/24", false},
	} {
		if got := restrictedBlock(netipMust(tc.primary), netipMust(tc.block)); got != tc.restricted {
			t.Errorf("restrictedBlock(primary %s, %s) = %v, want %v", tc.primary, tc.block, got, tc.restricted)
		}
	}
}

func TestWellFormedID(t *testing.T) {
	for id, want := range map[string]bool{
		"vpc-0123456789abcdef0": true,
		"vpc-1a2b3c4d":          true,
		"vpc-0123456789ABCDEF0": false,
		"vpc-123":               false,
		"vpc-":                  false,
		"subnet-1a2b3c4d":       false,
		"vpc":                   false,
		"vpc-1a2b3c4g":          false,
	} {
		if got := wellFormedID(id, "vpc"); got != want {
			t.Errorf("wellFormedID(%q, vpc) = %v, want %v", id, got, want)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"ml", "ml", true},
		{"ml", "ML", false},
		{"m*", "ml-team", true},
		{"*team", "ml-team", true},
		{"*", "", true},
		{"?", "", false},
		{"m?", "ml", true},
		{"m?", "mlx", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"**", "x", true},
		{"", "", true},
		{"", "x", false},
	} {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
