package ec2

import (
	"context"
	"net/netip"
	"strconv"
	"testing"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

// FuzzRulesOf feeds the security group rule parser (protocols, port ranges, CIDRs, prefix lists, referenced groups
// and descriptions) what a request may carry, and checks that it never panics and that what it accepts is a rule
// EC2 would store: a known protocol, a port range valid for it, canonical blocks, one peer per rule.
func FuzzRulesOf(f *testing.F) {
	f.Add("tcp", int32(22), int32(22), true, true, "10.0.0.0/16", "", "", "", "ssh")
	f.Add("6", int32(0), int32(65535), true, true, "10.0.0.1/8", "::/0", "", "", "")
	f.Add("icmp", int32(-1), int32(-1), true, true, "0.0.0.0/0", "", "", "", "")
	f.Add("icmpv6", int32(0), int32(0), false, false, "", "2001:db8::1/32", "", "", "")
	f.Add("-1", int32(0), int32(0), false, false, "", "", "pl-63a5400a", "", "all")
	f.Add("50", int32(5), int32(1), true, true, "1.2.3.4/32", "", "", "sg-0123456789abcdef0", "")
	f.Add("all", int32(80), int32(22), true, false, "10.0.0.0/33", "fe80::/129", "pl-x", "sg-x", "it's")
	f.Add("TCP", int32(70000), int32(-5), true, true, " 10.0.0.0/16", "::ffff:1.2.3.4/128", "pl-00000000", "", "\u00e9")

	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	s := New(Config{IDs: ids.Seeded(3), Store: st, Clock: clock.NewManual(svcNow)})
	if err := s.EnsureDefaults(context.Background(), svcAccount, svcRegion); err != nil {
		f.Fatal(err)
	}
	c := &api.Call{Region: svcRegion, Principal: &api.Principal{Account: svcAccount}}

	f.Fuzz(func(t *testing.T, protocol string, from, to int32, hasFrom, hasTo bool, cidr, cidr6, pl, group, desc string) {
		tx, err := st.Begin(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		v, err := defaultVPCOf(tx, svcAccount, svcRegion)
		if err != nil || v == nil {
			t.Fatalf("the default VPC: %v, %v", v, err)
		}
		g := &securityGroup{ID: v.DefaultGroup, VPCID: v.ID, Owner: svcAccount}
		p := &IpPermission{IpProtocol: &protocol}
		if hasFrom {
			p.FromPort = &from
		}
		if hasTo {
			p.ToPort = &to
		}
		if cidr != "" {
			p.IpRanges = []*IpRange{{CidrIp: &cidr, Description: &desc}}
		}
		if cidr6 != "" {
			p.Ipv6Ranges = []*Ipv6Range{{CidrIpv6: &cidr6}}
		}
		if pl != "" {
			p.PrefixListIds = []*PrefixListId{{PrefixListId: &pl}}
		}
		if group != "" {
			p.UserIdGroupPairs = []*UserIdGroupPair{{GroupId: &group}}
		}
		rules, err := rulesOf(c, tx, g, []*IpPermission{p})
		if err != nil {
			return
		}
		for _, r := range rules {
			checkFuzzedRule(t, r)
			_ = describeRule(r)
		}
		if perms := apiPermissions(rules, svcAccount); len(rules) > 0 && len(perms) != 1 {
			t.Errorf("rules of one permission = %d permissions, want 1", len(perms))
		}
	})
}

func checkFuzzedRule(t *testing.T, r groupRule) {
	t.Helper()
	switch r.Protocol {
	case "tcp", "udp":
		if r.FromPort < 0 || r.ToPort > 65535 || r.FromPort > r.ToPort {
			t.Errorf("accepted the %s port range %d-%d", r.Protocol, r.FromPort, r.ToPort)
		}
	case "icmp", "icmpv6":
		if r.FromPort < -1 || r.FromPort > 255 || r.ToPort < -1 || r.ToPort > 255 {
			t.Errorf("accepted the %s type and code %d, %d", r.Protocol, r.FromPort, r.ToPort)
		}
	case "-1":
	default:
		if n, err := strconv.Atoi(r.Protocol); err != nil || n < 0 || n > 255 || n == 1 || n == 6 || n == 17 || n == 58 {
			t.Errorf("accepted the protocol %q", r.Protocol)
		}
	}
	peers := 0
	for _, p := range []string{r.CIDR, r.IPv6CIDR, r.PrefixListID, r.GroupID} {
		if p != "" {
			peers++
		}
	}
	if peers != 1 {
		t.Errorf("rule %+v has %d peers, want 1", r, peers)
	}
	for _, b := range []string{r.CIDR, r.IPv6CIDR} {
		if b == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(b); err != nil || pfx.Masked().String() != b {
			t.Errorf("accepted the block %q, which is not canonical", b)
		}
	}
	if !groupText(r.Description) {
		t.Errorf("accepted the description %q", r.Description)
	}
}
