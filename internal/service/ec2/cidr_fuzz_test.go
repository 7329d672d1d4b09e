package ec2

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseCIDR holds the CIDR parsers to their promises on any text: no panic; parseCIDR accepts only IPv4 blocks
// in canonical form, which print back exactly as given; parseAnyCIDR's blocks are masked IPv4 blocks that parseCIDR
// reads back; parseBlock agrees with parseAnyCIDR.
func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/16", "10.0.0.1/16", "0.0.0.0/0", "255.255.255.255/32", "10.0.0.0", "10.0.0.0/33",
		"010.0.0.0/8", "10.0.0.0/08", "::/0", "::ffff:10.0.0.0/104", "1.2.3.4/-1", " 1.2.3.4/8", "1.2.3.4/8 ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, ok := parseCIDR(s); ok {
			if !p.Addr().Is4() || p.Masked() != p {
				t.Fatalf("parseCIDR(%q) = %s, which is not a canonical IPv4 block", s, p)
			}
			if p.String() != s {
				t.Fatalf("parseCIDR(%q) prints back as %q", s, p.String())
			}
		}
		p, ok := parseAnyCIDR(s)
		if ok {
			if !p.Addr().Is4() || p.Masked() != p {
				t.Fatalf("parseAnyCIDR(%q) = %s, which is not a masked IPv4 block", s, p)
			}
			if q, ok := parseCIDR(p.String()); !ok || q != p {
				t.Fatalf("parseCIDR(%q) of parseAnyCIDR(%q) = %s, %v; want %s", p.String(), s, q, ok, p)
			}
			if orig, err := netip.ParsePrefix(s); err != nil || orig.Masked() != p {
				t.Fatalf("parseAnyCIDR(%q) = %s, which is not the text's block masked", s, p)
			}
		}
		if b, err := parseBlock(s); (err == nil) != ok || (ok && b != p) {
			t.Fatalf("parseBlock(%q) = %s, %v; parseAnyCIDR = %s, %v", s, b, err, p, ok)
		}
	})
}

// FuzzWildcardMatch holds wildcardMatch to a reference: a regular expression made from the pattern, * for any run
// and ? for any one character, everything else literal. Characters are runes: ? matches one of "é".
func FuzzWildcardMatch(f *testing.F) {
	for _, seed := range [][2]string{{"m*", "ml-team"}, {"*team", "ml-team"}, {"a*b*c", "aXbYc"}, {"?", ""}, {"a?c", "abc"},
		{"**a", "aaa"}, {"*a*", "bab"}, {"a.b", "aXb"}, {"(x)", "(x)"}, {"é?", "éa"}, {"\xff*", "\xff\x00"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 {
			return // the reference's cost, not wildcardMatch's, grows with long inputs
		}
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return // filter values and tags are text: characters are compared as UTF-8 runes
		}
		var re strings.Builder
		re.WriteString(`(?s)\A`)
		for _, c := range pattern {
			switch c {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString(`\z`)
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := wildcardMatch(pattern, s); got != want {
			t.Fatalf("wildcardMatch(%q, %q) = %v, want %v (the reference %s)", pattern, s, got, want, re.String())
		}
	})
}
