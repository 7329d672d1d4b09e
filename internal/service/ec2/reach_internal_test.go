package ec2

// Reach over a real store, with networks built by the writers of state.go, so that its rules are tested apart
// from the operations that make networks (reach_test.go asks the same questions through the front door).

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

const (
	reachAccount = "111122223333"
	reachRegion  = "us-east-1"
)

var reachEpoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// reachWorld is a store with one transaction open, and the service Reach runs in.
type reachWorld struct {
	t  *testing.T
	s  *Service
	tx store.Tx
}

func newReachWorld(t *testing.T) *reachWorld {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tx, err := st.Begin(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	s := New(Config{IDs: ids.Seeded(7), Store: st, Clock: clock.NewManual(reachEpoch)})
	return &reachWorld{t: t, s: s, tx: tx}
}

func (w *reachWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// vpc makes a VPC (with its main route table, default ACL and default group) that resolves names and gives
// hostnames.
func (w *reachWorld) vpc(cidr string) *vpc {
	w.t.Helper()
	v, err := w.s.newVPC(w.tx, reachAccount, reachRegion, cidr, "default")
	w.must(err)
	v.DNSHostnames = true
	w.must(putVPC(w.tx, reachAccount, reachRegion, v))
	return v
}

func (w *reachWorld) subnet(v *vpc, cidr, zone string, public bool) *subnet {
	w.t.Helper()
	sn := &subnet{ID: w.s.ids.EC2("subnet"), Owner: reachAccount, VPCID: v.ID, CIDR: cidr, Zone: zone, ZoneID: "use1-az1",
		MapPublicIPOnLaunch: public, State: "available"}
	w.must(putSubnet(w.tx, reachAccount, reachRegion, sn))
	w.must(w.s.associateDefaultACL(w.tx, reachAccount, reachRegion, v, sn.ID))
	return sn
}

// table makes a route table (with the local route) associated with the subnets.
func (w *reachWorld) table(v *vpc, subnets ...*subnet) *routeTable {
	w.t.Helper()
	rt := &routeTable{ID: w.s.ids.EC2("rtb"), Owner: reachAccount, VPCID: v.ID,
		Routes: []route{{DestinationCIDR: v.CIDR, GatewayID: "local", Origin: "CreateRouteTable", State: "active"}}}
	for _, sn := range subnets {
		rt.Associations = append(rt.Associations, routeAssociation{ID: w.s.ids.EC2("rtbassoc"), SubnetID: sn.ID})
	}
	w.must(putRouteTable(w.tx, reachAccount, reachRegion, rt))
	return rt
}

// route adds a route to a table: to an internet gateway or gateway endpoint (gateway), a NAT gateway (nat-…).
func (w *reachWorld) route(rt *routeTable, dest, target string) {
	w.t.Helper()
	cur, _, err := get[routeTable](w.tx, reachAccount, reachRegion, kindRouteTable, rt.ID)
	w.must(err)
	r := route{DestinationCIDR: dest, Origin: "CreateRoute", State: "active"}
	if strings.HasPrefix(dest, "pl-") {
		r.DestinationCIDR, r.DestinationPrefixList = "", dest
	}
	if strings.HasPrefix(target, "nat-") {
		r.NatGatewayID = target
	} else {
		r.GatewayID = target
	}
	cur.Routes = append(cur.Routes, r)
	w.must(putRouteTable(w.tx, reachAccount, reachRegion, cur))
}

func (w *reachWorld) igw(v *vpc) string {
	w.t.Helper()
	g := &internetGateway{ID: w.s.ids.EC2("igw"), Owner: reachAccount, VPCID: v.ID}
	w.must(putInternetGateway(w.tx, reachAccount, reachRegion, g))
	return g.ID
}

func (w *reachWorld) nat(v *vpc, sn *subnet) string {
	w.t.Helper()
	n, err := w.s.newInterface(w.tx, reachAccount, reachRegion, interfaceSpec{SubnetID: sn.ID, Type: "nat_gateway", RequesterManaged: true, Status: "in-use"})
	w.must(err)
	g := &natGateway{ID: w.s.ids.EC2("nat"), VPCID: v.ID, SubnetID: sn.ID, ConnectivityType: "public", InterfaceID: n.ID,
		PrivateIP: n.PrivateIP, PublicIP: "198.51.100.7", State: "available", Created: reachEpoch}
	w.must(putNatGateway(w.tx, reachAccount, reachRegion, g))
	return g.ID
}

// group makes a security group with rules; each rule is "in|out PROTOCOL FROM-TO PEER", PEER a CIDR, a prefix
// list or a group id.
func (w *reachWorld) group(v *vpc, name string, rules ...string) *securityGroup {
	w.t.Helper()
	g := &securityGroup{ID: w.s.ids.EC2("sg"), Owner: reachAccount, Name: name, Description: name, VPCID: v.ID}
	w.must(putGroup(w.tx, reachAccount, reachRegion, g))
	w.rules(g, rules...)
	return g
}

func (w *reachWorld) rules(g *securityGroup, rules ...string) {
	w.t.Helper()
	for _, spec := range rules {
		f := strings.Fields(spec)
		var from, to int32 = -1, -1
		if lo, hi, ok := strings.Cut(f[2], "-"); ok && f[2] != "-1" {
			from, to = reachNumber(w.t, lo), reachNumber(w.t, hi)
		}
		r := groupRule{ID: w.s.ids.EC2("sgr"), Protocol: f[1], FromPort: from, ToPort: to}
		switch peer := f[3]; {
		case strings.HasPrefix(peer, "pl-"):
			r.PrefixListID = peer
		case strings.HasPrefix(peer, "sg-"):
			r.GroupID = peer
		default:
			r.CIDR = peer
		}
		if f[0] == "in" {
			g.Ingress = append(g.Ingress, r)
		} else {
			g.Egress = append(g.Egress, r)
		}
	}
	w.must(putGroup(w.tx, reachAccount, reachRegion, g))
}

func reachNumber(t *testing.T, s string) int32 {
	t.Helper()
	var n int32
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("bad port %q", s)
		}
		n = n*10 + int32(c-'0')
	}
	return n
}

// acl gives the subnets a network ACL of their own with entries "in|out RULE allow|deny PROTOCOL FROM-TO CIDR"
// (PROTOCOL -1 or 6; FROM-TO "-" for all), and the catch-all denies.
func (w *reachWorld) acl(v *vpc, subnets []*subnet, entries ...string) *networkACL {
	w.t.Helper()
	acl := &networkACL{ID: w.s.ids.EC2("acl"), Owner: reachAccount, VPCID: v.ID, Entries: catchAllEntries()}
	for _, spec := range entries {
		f := strings.Fields(spec)
		e := aclEntry{RuleNumber: reachNumber(w.t, f[1]), Egress: f[0] == "out", Action: f[2], Protocol: f[3], CIDR: f[5]}
		if lo, hi, ok := strings.Cut(f[4], "-"); ok && f[4] != "-" {
			e.HasPorts, e.FromPort, e.ToPort = true, reachNumber(w.t, lo), reachNumber(w.t, hi)
		}
		acl.Entries = append(acl.Entries, e)
	}
	acls, err := listByVPC[networkACL](w.tx, reachAccount, reachRegion, kindNetworkACL, v.ID)
	w.must(err)
	for _, old := range acls {
		kept := old.Associations[:0:0]
		for _, as := range old.Associations {
			if !reachHasSubnet(subnets, as.SubnetID) {
				kept = append(kept, as)
			}
		}
		old.Associations = kept
		w.must(putACL(w.tx, reachAccount, reachRegion, old))
	}
	for _, sn := range subnets {
		acl.Associations = append(acl.Associations, aclAssociation{ID: w.s.ids.EC2("aclassoc"), SubnetID: sn.ID})
	}
	w.must(putACL(w.tx, reachAccount, reachRegion, acl))
	return acl
}

func reachHasSubnet(subnets []*subnet, id string) bool {
	for _, sn := range subnets {
		if sn.ID == id {
			return true
		}
	}
	return false
}

// gatewayEndpoint makes a gateway endpoint of a service routed from the tables, with a policy ("" for the
// default).
func (w *reachWorld) gatewayEndpoint(v *vpc, short, pol string, tables ...*routeTable) *endpoint {
	w.t.Helper()
	svc := serviceByShortName(short)
	pl, _ := findPrefixList(reachRegion, svc)
	if pol == "" {
		pol = defaultGatewayPolicy
	}
	e := &endpoint{ID: w.s.ids.EC2("vpce"), Owner: reachAccount, VPCID: v.ID, ServiceName: svc.name(reachRegion), Type: "Gateway",
		State: "available", Policy: pol, Created: reachEpoch}
	for _, rt := range tables {
		w.route(rt, pl.ID, e.ID)
		e.RouteTableIDs = append(e.RouteTableIDs, rt.ID)
	}
	w.must(putEndpoint(w.tx, reachAccount, reachRegion, e))
	return e
}

// interfaceEndpoint makes an interface endpoint of a service with one interface in each subnet.
func (w *reachWorld) interfaceEndpoint(v *vpc, short string, privateDNS bool, groups []string, subnets ...*subnet) *endpoint {
	w.t.Helper()
	svc := serviceByShortName(short)
	e := &endpoint{ID: w.s.ids.EC2("vpce"), Owner: reachAccount, VPCID: v.ID, ServiceName: svc.name(reachRegion), Type: "Interface",
		State: "pending", Policy: defaultInterfacePolicy, GroupIDs: groups, PrivateDNSEnabled: privateDNS, Created: reachEpoch}
	for _, sn := range subnets {
		n, err := w.s.newInterface(w.tx, reachAccount, reachRegion, interfaceSpec{SubnetID: sn.ID, Type: "vpc_endpoint",
			Description: "VPC Endpoint Interface " + e.ID, RequesterManaged: true, GroupIDs: groups, Status: "in-use"})
		w.must(err)
		e.SubnetIDs = append(e.SubnetIDs, sn.ID)
		e.InterfaceIDs = append(e.InterfaceIDs, n.ID)
	}
	w.must(putEndpoint(w.tx, reachAccount, reachRegion, e))
	return e
}

func (w *reachWorld) reach(q ReachQuery) *Reachability {
	w.t.Helper()
	q.Account, q.Region = reachAccount, reachRegion
	r, err := w.s.reach(w.tx, q, reachEpoch.Add(time.Hour))
	if err != nil {
		w.t.Fatalf("reach(%+v): %v", q, err)
	}
	return r
}

// wantReach checks an answer: reachable or not, the way, and words the reason must hold.
func wantReach(t *testing.T, what string, r *Reachability, reachable bool, via string, reason ...string) {
	t.Helper()
	if r.Reachable != reachable || r.Via != via {
		t.Errorf("%s: reachable %v via %q, want %v via %q (reason %q, path %+v)", what, r.Reachable, r.Via, reachable, via, r.Reason, r.Path)
		return
	}
	if reachable && r.Reason != "" {
		t.Errorf("%s is reachable but has the reason %q", what, r.Reason)
	}
	if !reachable && len(r.Path) == 0 {
		t.Errorf("%s is unreachable with no hop that fails", what)
	}
	for _, w := range reason {
		if !strings.Contains(r.Reason, w) {
			t.Errorf("%s: the reason %q does not say %q", what, r.Reason, w)
		}
	}
	if !reachable && len(r.Path) > 0 && r.Path[len(r.Path)-1].Allowed {
		t.Errorf("%s: unreachable, but the last hop %+v is allowed", what, r.Path[len(r.Path)-1])
	}
}

// reachNet is the usual ML VPC: a private subnet whose own route table has only the local route, and a public
// subnet routed to an attached internet gateway.
type reachNet struct {
	v               *vpc
	private, public *subnet
	privateRT       *routeTable
	publicRT        *routeTable
	igw             string
}

func (w *reachWorld) reachNet() *reachNet {
	w.t.Helper()
	n := &reachNet{v: w.vpc("10.0.0.0/16")}
	n.private = w.subnet(n.v, "10.0.1.0/24", "us-east-1a", false)
	n.public = w.subnet(n.v, "10.0.2.0/24", "us-east-1b", true)
	n.privateRT = w.table(n.v, n.private)
	n.publicRT = w.table(n.v, n.public)
	n.igw = w.igw(n.v)
	w.route(n.publicRT, "0.0.0.0/0", n.igw)
	return n
}

func TestReachPrivateSubnetWithoutRouteOut(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	for _, dest := range []string{"s3", "sts", "sagemaker.api", Internet} {
		r := w.reach(ReachQuery{SubnetID: n.private.ID, Destination: dest})
		wantReach(t, dest, r, false, "", "has no route to", n.privateRT.ID)
	}
}

func TestReachS3GatewayEndpoint(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	e := w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
	r := w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"})
	wantReach(t, "s3", r, true, "gateway-endpoint")
	if !reachHasHop(r, "gateway-endpoint", e.ID) || !reachHasHop(r, "endpoint-policy", e.ID) {
		t.Errorf("the path to S3 %+v does not pass gateway endpoint %s and its policy", r.Path, e.ID)
	}
	if r.ServiceName != "com.amazonaws.us-east-1.s3" {
		t.Errorf("ServiceName = %q, want com.amazonaws.us-east-1.s3", r.ServiceName)
	}
	wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "sts"}), false, "", "has no route to")
	wantReach(t, "dynamodb", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "dynamodb"}), false, "", "has no route to")
}

func reachHasHop(r *Reachability, kind, id string) bool {
	for _, h := range r.Path {
		if h.Kind == kind && h.ID == id && h.Allowed {
			return true
		}
	}
	return false
}

func TestReachNATGatewayInPublicSubnet(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	nat := w.nat(n.v, n.public)
	w.route(n.privateRT, "0.0.0.0/0", nat)
	for _, dest := range []string{"s3", "sts", "logs", "ecr.dkr", "sagemaker.runtime", Internet} {
		r := w.reach(ReachQuery{SubnetID: n.private.ID, Destination: dest})
		wantReach(t, dest, r, true, "nat-gateway")
		if !reachHasHop(r, "nat-gateway", nat) || !reachHasHop(r, "internet-gateway", n.igw) {
			t.Errorf("the path to %s %+v does not pass %s and %s", dest, r.Path, nat, n.igw)
		}
	}

	t.Run("the gateway endpoint's route is longer than the NAT's", func(t *testing.T) {
		w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
		wantReach(t, "s3", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"}), true, "gateway-endpoint")
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "sts"}), true, "nat-gateway")
	})
}

func TestReachNATGatewayFailures(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(w *reachWorld, n *reachNet, nat string)
		reason []string
	}{
		{"the NAT's subnet has no route to the internet gateway", func(w *reachWorld, n *reachNet, nat string) {
			cur, _, _ := get[routeTable](w.tx, reachAccount, reachRegion, kindRouteTable, n.publicRT.ID)
			cur.Routes = cur.Routes[:1]
			w.must(putRouteTable(w.tx, reachAccount, reachRegion, cur))
		}, []string{"not one to an internet gateway"}},
		{"the internet gateway is detached", func(w *reachWorld, n *reachNet, nat string) {
			w.must(putInternetGateway(w.tx, reachAccount, reachRegion, &internetGateway{ID: n.igw, Owner: reachAccount}))
		}, []string{"is not attached"}},
		{"the NAT gateway is pending", func(w *reachWorld, n *reachNet, nat string) {
			w.s.scale = 1e6 // its creation outlasts the hour reach looks at
		}, []string{"is pending"}},
		{"the NAT gateway failed", func(w *reachWorld, n *reachNet, nat string) {
			g, _, _ := get[natGateway](w.tx, reachAccount, reachRegion, kindNatGateway, nat)
			g.FailureCode = "Gateway.NotAttached"
			w.must(putNatGateway(w.tx, reachAccount, reachRegion, g))
		}, []string{"is failed"}},
		{"the NAT's subnet ACL drops the replies from the internet", func(w *reachWorld, n *reachNet, nat string) {
			w.acl(n.v, []*subnet{n.public}, "out 100 allow -1 - 0.0.0.0/0", "in 100 allow 6 443-443 10.0.0.0/16")
		}, []string{"denies inbound TCP 1024", "the catch-all rule *", "stateless"}},
		{"the NAT's subnet ACL refuses the source's requests", func(w *reachWorld, n *reachNet, nat string) {
			w.acl(n.v, []*subnet{n.public}, "out 100 allow -1 - 0.0.0.0/0", "in 100 allow 6 1024-65535 0.0.0.0/0")
		}, []string{"denies inbound TCP 443 from 10.0.1.4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newReachWorld(t)
			n := w.reachNet()
			nat := w.nat(n.v, n.public)
			w.route(n.privateRT, "0.0.0.0/0", nat)
			tc.break_(w, n, nat)
			wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "sts"}), false, "nat-gateway", tc.reason...)
		})
	}
}

func TestReachNetworkACLDropsEphemeralReturnPorts(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	nat := w.nat(n.v, n.public)
	w.route(n.privateRT, "0.0.0.0/0", nat)
	w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
	// Requests may leave, but only HTTPS may come in: the replies to the source's ephemeral ports are dropped.
	acl := w.acl(n.v, []*subnet{n.private}, "out 100 allow -1 - 0.0.0.0/0", "in 100 allow 6 443-443 0.0.0.0/0")
	for _, dest := range []string{"s3", "sts", Internet} {
		r := w.reach(ReachQuery{SubnetID: n.private.ID, Destination: dest})
		if r.Reachable {
			t.Errorf("%s is reachable through %s, want the replies dropped", dest, acl.ID)
			continue
		}
		for _, word := range []string{acl.ID, "denies inbound TCP 1024", "ephemeral ports 1024-65535", "stateless"} {
			if !strings.Contains(r.Reason, word) {
				t.Errorf("%s: the reason %q does not say %q", dest, r.Reason, word)
			}
		}
	}

	t.Run("a deny of part of the ephemeral range before the allow", func(t *testing.T) {
		w := newReachWorld(t)
		n := w.reachNet()
		w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
		w.acl(n.v, []*subnet{n.private}, "out 100 allow -1 - 0.0.0.0/0", "in 90 deny 6 32768-60999 0.0.0.0/0", "in 100 allow -1 - 0.0.0.0/0")
		wantReach(t, "s3", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"}), false, "gateway-endpoint", "denies inbound TCP 32768", "rule 90")
	})

	t.Run("a deny after the allow decides nothing", func(t *testing.T) {
		w := newReachWorld(t)
		n := w.reachNet()
		w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
		w.acl(n.v, []*subnet{n.private}, "out 100 allow -1 - 0.0.0.0/0", "in 100 allow 6 1024-65535 0.0.0.0/0", "in 110 deny -1 - 0.0.0.0/0")
		wantReach(t, "s3", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"}), true, "gateway-endpoint")
	})

	t.Run("an outbound deny of one S3 range leaves the others", func(t *testing.T) {
		w := newReachWorld(t)
		n := w.reachNet()
		w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
		w.acl(n.v, []*subnet{n.private}, "out 50 deny -1 - 3.5.0.0/19", "out 100 allow -1 - 0.0.0.0/0", "in 100 allow -1 - 0.0.0.0/0")
		r := w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"})
		wantReach(t, "s3", r, true, "gateway-endpoint")
	})

	t.Run("an outbound deny of every S3 range", func(t *testing.T) {
		w := newReachWorld(t)
		n := w.reachNet()
		w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
		w.acl(n.v, []*subnet{n.private}, "out 50 deny -1 - 3.5.0.0/19", "out 51 deny 6 0-65535 52.216.0.0/15",
			"out 52 deny -1 - 54.231.0.0/16", "out 100 allow -1 - 0.0.0.0/0", "in 100 allow -1 - 0.0.0.0/0")
		wantReach(t, "s3", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"}), false, "gateway-endpoint", "denies outbound TCP 443")
	})
}

func TestReachSecurityGroups(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	nat := w.nat(n.v, n.public)
	w.route(n.privateRT, "0.0.0.0/0", nat)
	w.gatewayEndpoint(n.v, "s3", "", n.privateRT)
	pl, _ := findPrefixList(reachRegion, serviceByShortName("s3"))

	closed := w.group(n.v, "closed")
	wantReach(t, "s3 with no egress", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{closed.ID}, Destination: "s3"}),
		false, "", "allow no TCP 443 out", closed.ID)

	s3Only := w.group(n.v, "s3-only", "out tcp 443-443 "+pl.ID)
	wantReach(t, "s3 through its prefix list", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{s3Only.ID}, Destination: "s3"}), true, "gateway-endpoint")
	wantReach(t, "sts through the S3 prefix list", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{s3Only.ID}, Destination: "sts"}),
		false, "", "allow no TCP 443 out")

	http := w.group(n.v, "http-only", "out tcp 80-80 0.0.0.0/0")
	wantReach(t, "sts over port 80 only", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{http.ID}, Destination: "sts"}), false, "", "allow no TCP 443 out")

	both := w.group(n.v, "https", "out tcp 443-443 0.0.0.0/0")
	wantReach(t, "sts with a second group", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{closed.ID, both.ID}, Destination: "sts"}), true, "nat-gateway")
}

func TestReachInterfaceEndpoint(t *testing.T) {
	setup := func(t *testing.T) (*reachWorld, *reachNet, *securityGroup, *subnet) {
		w := newReachWorld(t)
		n := w.reachNet()
		src := w.group(n.v, "jobs", "out -1 -1 0.0.0.0/0")
		other := w.subnet(n.v, "10.0.3.0/24", "us-east-1b", false)
		return w, n, src, other
	}

	t.Run("its group allows 443 from the source's group", func(t *testing.T) {
		w, n, src, other := setup(t)
		epg := w.group(n.v, "endpoints", "in tcp 443-443 "+src.ID)
		e := w.interfaceEndpoint(n.v, "sts", true, []string{epg.ID}, n.private, other)
		r := w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"})
		wantReach(t, "sts", r, true, "interface-endpoint")
		if !reachHasHop(r, "dns", e.ID) || !reachHasHop(r, "interface-endpoint", e.ID) {
			t.Errorf("the path %+v does not resolve to and pass %s", r.Path, e.ID)
		}
		wantReach(t, "logs", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "logs"}), false, "", "has no route to")
	})

	t.Run("its group allows nothing in", func(t *testing.T) {
		w, n, src, _ := setup(t)
		epg := w.group(n.v, "endpoints")
		e := w.interfaceEndpoint(n.v, "sts", true, []string{epg.ID}, n.private)
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"}), false,
			"interface-endpoint", "allow no TCP 443 in", e.ID, epg.ID)
	})

	t.Run("its group allows 443 from the VPC's block", func(t *testing.T) {
		w, n, src, _ := setup(t)
		epg := w.group(n.v, "endpoints", "in tcp 443-443 10.0.0.0/16")
		w.interfaceEndpoint(n.v, "sagemaker.api", true, []string{epg.ID}, n.private)
		wantReach(t, "sagemaker.api", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sagemaker.api"}), true, "interface-endpoint")
	})

	t.Run("the source's group does not let 443 out to it", func(t *testing.T) {
		w, n, _, _ := setup(t)
		epg := w.group(n.v, "endpoints", "in tcp 443-443 10.0.0.0/16")
		src := w.group(n.v, "jobs-s3-only", "out tcp 443-443 pl-00000000")
		w.interfaceEndpoint(n.v, "sts", true, []string{epg.ID}, n.private)
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"}), false,
			"interface-endpoint", "allow no TCP 443 out")
	})

	t.Run("without private DNS the public name goes by the routes", func(t *testing.T) {
		w, n, src, _ := setup(t)
		epg := w.group(n.v, "endpoints", "in tcp 443-443 10.0.0.0/16")
		w.interfaceEndpoint(n.v, "sts", false, []string{epg.ID}, n.private)
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"}), false, "", "has no route to")
	})

	t.Run("the endpoint's subnet ACL refuses the source", func(t *testing.T) {
		w, n, src, other := setup(t)
		epg := w.group(n.v, "endpoints", "in tcp 443-443 10.0.0.0/16")
		// The source is in us-east-1a; the endpoint only in the other subnet, whose ACL lets nothing in.
		acl := w.acl(n.v, []*subnet{other}, "out 100 allow -1 - 0.0.0.0/0")
		w.interfaceEndpoint(n.v, "sts", true, []string{epg.ID}, other)
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"}), false,
			"interface-endpoint", acl.ID, "denies inbound TCP 443 from 10.0.1.4")
	})

	t.Run("one interface in the source's zone is enough", func(t *testing.T) {
		w, n, src, other := setup(t)
		epg := w.group(n.v, "endpoints", "in tcp 443-443 10.0.0.0/16")
		w.acl(n.v, []*subnet{other}, "out 100 allow -1 - 0.0.0.0/0")
		w.interfaceEndpoint(n.v, "sts", true, []string{epg.ID}, other, n.private)
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"}), true, "interface-endpoint")
	})

	t.Run("a pending endpoint", func(t *testing.T) {
		w, n, src, _ := setup(t)
		w.s.scale = 1e6 // the delay outlasts the hour reach looks at
		epg := w.group(n.v, "endpoints", "in tcp 443-443 10.0.0.0/16")
		w.interfaceEndpoint(n.v, "sts", true, []string{epg.ID}, n.private)
		wantReach(t, "sts", w.reach(ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{src.ID}, Destination: "sts"}), false, "interface-endpoint", "is pending")
	})
}

func TestReachEndpointPolicy(t *testing.T) {
	cases := []struct {
		name      string
		policy    string
		reachable bool
		reason    string
	}{
		{"the default policy", "", true, ""},
		{"a policy for some buckets", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`, true, ""},
		{"a policy for DynamoDB only", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"dynamodb:*","Resource":"*"}]}`, false, "allows no s3 action"},
		{"a policy that denies everything", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, false, "denies every s3 action"},
		{"a conditional deny", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111122223333"}}}]}`, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newReachWorld(t)
			n := w.reachNet()
			e := w.gatewayEndpoint(n.v, "s3", tc.policy, n.privateRT)
			var reason []string
			if tc.reason != "" {
				reason = []string{tc.reason, e.ID}
			}
			wantReach(t, "s3", w.reach(ReachQuery{SubnetID: n.private.ID, Destination: "s3"}), tc.reachable, "gateway-endpoint", reason...)
		})
	}
}

func TestReachInternetGateway(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	wantReach(t, "internet from a public subnet", w.reach(ReachQuery{SubnetID: n.public.ID, Destination: Internet}), true, "internet-gateway")
	wantReach(t, "s3 from a public subnet", w.reach(ReachQuery{SubnetID: n.public.ID, Destination: "s3"}), true, "internet-gateway")

	noPublic := w.subnet(n.v, "10.0.4.0/24", "us-east-1c", false)
	rt := w.table(n.v, noPublic)
	w.route(rt, "0.0.0.0/0", n.igw)
	wantReach(t, "internet without a public address", w.reach(ReachQuery{SubnetID: noPublic.ID, Destination: Internet}), false,
		"internet-gateway", "MapPublicIpOnLaunch is off")

	eni, err := w.s.newInterface(w.tx, reachAccount, reachRegion, interfaceSpec{SubnetID: n.public.ID})
	w.must(err)
	wantReach(t, "an interface without a public address", w.reach(ReachQuery{InterfaceID: eni.ID, Destination: Internet}), false,
		"internet-gateway", "has no public address")
	eni.PublicIP = "203.0.113.9"
	w.must(putInterface(w.tx, reachAccount, reachRegion, eni))
	r := w.reach(ReachQuery{InterfaceID: eni.ID, Destination: Internet})
	wantReach(t, "an interface with a public address", r, true, "internet-gateway")
	if r.Source.Interface != eni.ID || r.Source.PublicAddress != "203.0.113.9" || r.Source.Address != eni.PrivateIP {
		t.Errorf("Source = %+v, want interface %s at %s and 203.0.113.9", r.Source, eni.ID, eni.PrivateIP)
	}

	t.Run("a route to a detached internet gateway (a blackhole)", func(t *testing.T) {
		g, _, _ := get[internetGateway](w.tx, reachAccount, reachRegion, kindInternetGateway, n.igw)
		g.VPCID = ""
		w.must(putInternetGateway(w.tx, reachAccount, reachRegion, g))
		wantReach(t, "internet", w.reach(ReachQuery{SubnetID: n.public.ID, Destination: Internet}), false,
			"internet-gateway", "is not attached to")
	})
}

func TestReachDefaultVPC(t *testing.T) {
	w := newReachWorld(t)
	v, err := w.s.makeDefaultVPC(w.tx, reachAccount, reachRegion)
	w.must(err)
	subnets, err := listByVPC[subnet](w.tx, reachAccount, reachRegion, kindSubnet, v.ID)
	w.must(err)
	for _, dest := range []string{"s3", "sts", Internet} {
		wantReach(t, dest, w.reach(ReachQuery{SubnetID: subnets[0].ID, Destination: dest}), true, "internet-gateway")
	}
}

func TestReachRefusesBadQueries(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	eni, err := w.s.newInterface(w.tx, reachAccount, reachRegion, interfaceSpec{SubnetID: n.public.ID})
	w.must(err)
	cases := []struct {
		name string
		q    ReachQuery
		code string
	}{
		{"an unknown destination", ReachQuery{SubnetID: n.private.ID, Destination: "s4"}, "InvalidParameterValue"},
		{"an unknown subnet", ReachQuery{SubnetID: "subnet-0123456789abcdef0", Destination: "s3"}, "InvalidSubnetID.NotFound"},
		{"an unknown interface", ReachQuery{InterfaceID: "eni-0123456789abcdef0", Destination: "s3"}, "InvalidNetworkInterfaceID.NotFound"},
		{"an unknown group", ReachQuery{SubnetID: n.private.ID, GroupIDs: []string{"sg-0123456789abcdef0"}, Destination: "s3"}, "InvalidGroup.NotFound"},
		{"no source", ReachQuery{Destination: "s3"}, "MissingParameter"},
		{"groups with an interface", ReachQuery{InterfaceID: eni.ID, GroupIDs: []string{n.v.DefaultGroup}, Destination: "s3"}, "InvalidParameterCombination"},
		{"an interface of another subnet", ReachQuery{InterfaceID: eni.ID, SubnetID: n.private.ID, Destination: "s3"}, "InvalidParameterValue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Account, tc.q.Region = reachAccount, reachRegion
			_, err := w.s.reach(w.tx, tc.q, reachEpoch)
			if err == nil || !strings.HasPrefix(err.Error(), tc.code+":") {
				t.Errorf("reach(%+v) = %v, want %s", tc.q, err, tc.code)
			}
		})
	}
}

func TestFirstACLMatchTakesRulesInNumberOrder(t *testing.T) {
	entries := []aclEntry{
		{RuleNumber: 200, Action: "allow", Protocol: "-1", CIDR: "0.0.0.0/0"},
		{RuleNumber: 100, Action: "deny", Protocol: "6", CIDR: "52.216.0.0/15", HasPorts: true, FromPort: 443, ToPort: 443},
		{RuleNumber: 32767, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"},
		{RuleNumber: 50, Egress: true, Action: "deny", Protocol: "-1", CIDR: "0.0.0.0/0"},
	}
	cases := []struct {
		addr string
		port int
		want int32
	}{
		{"52.216.0.1", 443, 100},
		{"52.216.0.1", 444, 200},
		{"54.231.0.1", 443, 200},
	}
	for _, tc := range cases {
		got := firstACLMatch(entries, false, reachAddr(t, tc.addr), tc.port)
		if got == nil || got.RuleNumber != tc.want {
			t.Errorf("firstACLMatch(inbound, %s, %d) = %+v, want rule %d", tc.addr, tc.port, got, tc.want)
		}
	}
	if port, e := deniedPort(entries, false, reachAddr(t, "52.216.0.1")); port != 0 {
		t.Errorf("deniedPort = %d (%+v), want every ephemeral port allowed by rule 200", port, e)
	}
	if port, e := deniedPort(entries, true, reachAddr(t, "52.216.0.1")); port != ephemeralFrom || e == nil || e.RuleNumber != 50 {
		t.Errorf("deniedPort(outbound) = %d, %+v, want %d denied by rule 50", port, e, ephemeralFrom)
	}
}

func reachAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// FuzzCheckEndpointPolicy feeds endpoint policies to the validation CreateVpcEndpoint and ModifyVpcEndpoint use:
// it must answer nil or InvalidPolicyDocument, never panic, and accept what it answers nil for as a resource policy
// that compiles.
func FuzzCheckEndpointPolicy(f *testing.F) {
	for _, seed := range []string{
		defaultGatewayPolicy, defaultInterfacePolicy, `{"Statement": [}`, "{\n\"Statement\": x}", `[]`, ``, `{`,
		`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"NotAction":"s3:Get*","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}}`,
		"\"\xff\"", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}` + "\n\n\t",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		err := checkEndpointPolicy(text)
		if err == nil {
			e := &endpoint{ID: "vpce-0123456789abcdef0", Policy: text}
			if _, cerr := policy.CompileText(e.Policy, policy.Resource, "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/"+e.ID, policy.EndpointPolicy); cerr != nil {
				t.Fatalf("checkEndpointPolicy(%q) accepted a policy that does not compile: %v", text, cerr)
			}
			return
		}
		if !strings.HasPrefix(err.Error(), "InvalidPolicyDocument: The Policy Document is not valid. ") {
			t.Fatalf("checkEndpointPolicy(%q) = %v, want InvalidPolicyDocument", text, err)
		}
	})
}

func TestEndpointPolicyCompilesForRequestsThroughTheEndpoint(t *testing.T) {
	w := newReachWorld(t)
	n := w.reachNet()
	e := w.gatewayEndpoint(n.v, "s3", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`, n.privateRT)
	c, err := w.s.EndpointPolicy(w.tx, reachAccount, reachRegion, e.ID)
	if err != nil || c == nil {
		t.Fatalf("EndpointPolicy(%s) = %v, %v; want the compiled policy", e.ID, c, err)
	}
	if c.ID != "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/"+e.ID || c.Type != policy.EndpointPolicy {
		t.Errorf("EndpointPolicy(%s) is %q of type %v, want the endpoint's ARN as an endpoint policy", e.ID, c.ID, c.Type)
	}
	if c, err := w.s.EndpointPolicy(w.tx, reachAccount, reachRegion, "vpce-0123456789abcdef0"); c != nil || err != nil {
		t.Errorf("EndpointPolicy(unknown) = %v, %v; want nil, nil", c, err)
	}
}
