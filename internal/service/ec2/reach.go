package ec2

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

// Reach answers whether HTTPS traffic (TCP 443) from a network interface, or from a subnet with security groups,
// can get to an AWS service of the region or to the internet, and by which way, from what is stored: the routes of
// the source's subnet, the gateway and interface endpoints of its VPC with their policies and security groups, NAT
// and internet gateways, public addresses, and the network ACLs of every subnet the traffic crosses.
//
// It follows AWS's rules (VPC User Guide): a service's public name resolves to an interface endpoint of the VPC
// when the endpoint has private DNS and the VPC resolves names and gives hostnames; otherwise traffic goes to the
// service's public addresses by the longest-prefix route of the source's subnet (its own route table, or the main
// one): a gateway endpoint's prefix-list route, a NAT gateway whose own subnet routes to an attached internet
// gateway, or an internet gateway with a public address. Security groups are stateful: the source's groups must
// allow TCP 443 out and, for an interface endpoint, the endpoint's groups TCP 443 in; replies pass. Network ACLs are
// stateless: at every subnet boundary crossed, the request's direction must allow TCP 443 and the reply's direction
// the ephemeral ports 1024-65535 (AWS's advice for clients whose ports are not known), entries evaluated in rule
// number order, the first that matches deciding.

// ReachQuery asks whether a source can reach a destination.
type ReachQuery struct {
	// Account and Region are where the source is.
	Account, Region string
	// InterfaceID is the source network interface; its subnet, security groups and addresses are the source's.
	InterfaceID string
	// SubnetID and GroupIDs describe a source that has no interface yet, such as a job about to run: an address of
	// the subnet (its first usable one) with those security groups, or the VPC's default group when none.
	SubnetID string
	GroupIDs []string
	// Destination is a service by the name ServiceNames lists ("s3", "sts", "sagemaker.api"), or "internet".
	Destination string
}

// Reachability is Reach's answer.
type Reachability struct {
	// Destination repeats the query's; ServiceName is the service's full name (com.amazonaws.us-east-1.s3).
	Destination string      `json:"destination"`
	ServiceName string      `json:"serviceName,omitempty"`
	Source      ReachSource `json:"source"`
	Reachable   bool        `json:"reachable"`
	// Via is the way traffic takes: "gateway-endpoint", "interface-endpoint", "nat-gateway" or
	// "internet-gateway"; for an unreachable destination, the way that failed, or "" when there was none.
	Via string `json:"via,omitempty"`
	// Path is the hops checked, in the order traffic meets them; when unreachable, the last is the one that fails.
	Path []Hop `json:"path"`
	// Reason says why the destination cannot be reached, naming the hop that fails; empty when it can.
	Reason string `json:"reason,omitempty"`
}

// ReachSource is where traffic starts.
type ReachSource struct {
	Interface string `json:"interface,omitempty"`
	Subnet    string `json:"subnet"`
	VPC       string `json:"vpc"`
	Zone      string `json:"zone"`
	// Address is the private address traffic comes from; PublicAddress the interface's public one, if any.
	Address        string   `json:"address"`
	PublicAddress  string   `json:"publicAddress,omitempty"`
	SecurityGroups []string `json:"securityGroups"`
}

// Hop is one thing traffic passes on its way, and whether it lets it through.
type Hop struct {
	// Kind is "security-group", "network-acl", "route-table", "dns", "gateway-endpoint", "endpoint-policy",
	// "interface-endpoint", "nat-gateway", "internet-gateway" or "public-address".
	Kind    string `json:"kind"`
	ID      string `json:"id,omitempty"`
	Allowed bool   `json:"allowed"`
	Detail  string `json:"detail"`
}

// Internet is the destination that stands for any public address.
const Internet = "internet"

// ephemeralFrom and ephemeralTo are the ports replies come back to, as the VPC User Guide advises network ACLs to
// allow them when clients' ports are not known.
const ephemeralFrom, ephemeralTo = 1024, 65535

// httpsPort is the port of every AWS service endpoint.
const httpsPort = 443

// Reach answers q from the store. A source or destination that does not exist is an error (an *awserr.Error with
// EC2's NotFound code, or InvalidParameterValue for an unknown destination); an unreachable destination is not.
func (s *Service) Reach(ctx context.Context, q ReachQuery) (*Reachability, error) {
	if err := s.ensureDefaults(ctx, q.Account, q.Region); err != nil {
		return nil, err
	}
	t, err := s.store.Begin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	return s.reach(t, q, s.clock.Now())
}

// reach answers q in a transaction at now.
func (s *Service) reach(t store.Tx, q ReachQuery, now time.Time) (*Reachability, error) {
	var svc *endpointService
	if q.Destination != Internet {
		if svc = serviceByShortName(q.Destination); svc == nil {
			return nil, invalidParameterValue("Unknown destination '%s': want internet or one of %s", q.Destination, strings.Join(ServiceNames(), ", "))
		}
	}
	src, err := s.reachSource(t, q)
	if err != nil {
		return nil, err
	}
	nw, err := loadNetwork(t, q.Account, q.Region, src.vpc)
	if err != nil {
		return nil, err
	}
	r := &reacher{s: s, net: nw, src: src, svc: svc, now: now}
	out := r.run()
	out.Destination = q.Destination
	if svc != nil {
		out.ServiceName = svc.name(q.Region)
	}
	out.Source = ReachSource{
		Interface: src.eni, Subnet: src.subnet.ID, VPC: src.vpc.ID, Zone: src.subnet.Zone, Address: src.addr.String(),
		PublicAddress: src.publicIP, SecurityGroups: src.groups,
	}
	return out, nil
}

// source is where traffic starts, resolved.
type source struct {
	eni      string
	subnet   *subnet
	vpc      *vpc
	addr     netip.Addr
	publicIP string
	// mapsPublic marks a source without an interface in a subnet that gives instances a public address.
	mapsPublic bool
	groups     []string
}

func (s *Service) reachSource(t store.Tx, q ReachQuery) (*source, error) {
	src := &source{}
	subnetID := q.SubnetID
	switch {
	case q.InterfaceID != "":
		if len(q.GroupIDs) > 0 {
			return nil, invalidParameterCombination("Security groups go with a subnet: an interface has its own")
		}
		n, _, err := get[networkInterface](t, q.Account, q.Region, kindInterface, q.InterfaceID)
		if err != nil {
			return nil, err
		}
		if n == nil {
			return nil, notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", q.InterfaceID)
		}
		if subnetID != "" && subnetID != n.Subnet {
			return nil, invalidParameterValue("Network interface %s is in subnet %s, not %s", n.ID, n.Subnet, subnetID)
		}
		subnetID, src.eni, src.publicIP, src.groups = n.Subnet, n.ID, n.PublicIP, n.GroupIDs
		if src.addr, err = netip.ParseAddr(n.PrivateIP); err != nil {
			return nil, fmt.Errorf("ec2: interface %s has the address %q", n.ID, n.PrivateIP)
		}
	case subnetID == "":
		return nil, missingParameter("The request must contain the parameter SubnetId or NetworkInterfaceId")
	}
	sn, _, err := get[subnet](t, q.Account, q.Region, kindSubnet, subnetID)
	if err != nil {
		return nil, err
	}
	if sn == nil {
		return nil, subnetNotFound(subnetID)
	}
	v, _, err := get[vpc](t, q.Account, q.Region, kindVPC, sn.VPCID)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, vpcNotFound(sn.VPCID)
	}
	src.subnet, src.vpc = sn, v
	if src.eni == "" {
		p, ok := parseCIDR(sn.CIDR)
		if !ok {
			return nil, fmt.Errorf("ec2: subnet %s has the block %q", sn.ID, sn.CIDR)
		}
		src.addr = nthAddress(p, 4)
		src.mapsPublic = sn.MapPublicIPOnLaunch
		src.groups = unique(q.GroupIDs)
		if len(src.groups) == 0 {
			src.groups = []string{v.DefaultGroup}
		}
		if err := checkGroups(t, q.Account, q.Region, v.ID, src.groups); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// network is what Reach reads of a VPC, once.
type network struct {
	account, region string
	vpc             *vpc
	subnets         map[string]*subnet
	tables          []*routeTable
	acls            []*networkACL
	groups          map[string]*securityGroup
	nats            map[string]*natGateway
	igws            map[string]*internetGateway
	endpoints       map[string]*endpoint
	interfaces      map[string]*networkInterface
}

func loadNetwork(t store.Tx, account, region string, v *vpc) (*network, error) {
	n := &network{account: account, region: region, vpc: v}
	var err error
	if n.subnets, err = byIDInVPC(t, account, region, kindSubnet, v.ID, func(x *subnet) string { return x.ID }); err != nil {
		return nil, err
	}
	if n.tables, err = listByVPC[routeTable](t, account, region, kindRouteTable, v.ID); err != nil {
		return nil, err
	}
	if n.acls, err = listByVPC[networkACL](t, account, region, kindNetworkACL, v.ID); err != nil {
		return nil, err
	}
	if n.groups, err = byIDInVPC(t, account, region, kindSecurityGroup, v.ID, func(x *securityGroup) string { return x.ID }); err != nil {
		return nil, err
	}
	if n.nats, err = byIDInVPC(t, account, region, kindNatGateway, v.ID, func(x *natGateway) string { return x.ID }); err != nil {
		return nil, err
	}
	if n.igws, err = byIDInVPC(t, account, region, kindInternetGateway, v.ID, func(x *internetGateway) string { return x.ID }); err != nil {
		return nil, err
	}
	if n.endpoints, err = byIDInVPC(t, account, region, kindEndpoint, v.ID, func(x *endpoint) string { return x.ID }); err != nil {
		return nil, err
	}
	if n.interfaces, err = byIDInVPC(t, account, region, kindInterface, v.ID, func(x *networkInterface) string { return x.ID }); err != nil {
		return nil, err
	}
	return n, nil
}

// byIDInVPC reads the resources of a kind in a VPC by their ids (an empty map when there are none).
func byIDInVPC[T any](t store.Tx, account, region, kind, vpcID string, id func(*T) string) (map[string]*T, error) {
	xs, err := listByVPC[T](t, account, region, kind, vpcID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*T, len(xs))
	for _, x := range xs {
		out[id(x)] = x
	}
	return out, nil
}

// routeTableOf is the route table of a subnet: the one associated with it, or the VPC's main one.
func (n *network) routeTableOf(subnetID string) *routeTable {
	var main *routeTable
	for _, rt := range n.tables {
		for _, a := range rt.Associations {
			if a.SubnetID == subnetID && !a.Main {
				return rt
			}
			if a.Main {
				main = rt
			}
		}
	}
	return main
}

// aclOf is the network ACL of a subnet: the one associated with it, or the VPC's default one (every subnet has an
// association in AWS; the fallback only guards against a store that lost it).
func (n *network) aclOf(subnetID string) *networkACL {
	var def *networkACL
	for _, a := range n.acls {
		for _, as := range a.Associations {
			if as.SubnetID == subnetID {
				return a
			}
		}
		if a.ID == n.vpc.DefaultACL {
			def = a
		}
	}
	return def
}

// routeFor is the route a table takes for an address: the longest prefix that holds it, a CIDR route before a
// prefix-list route of the same length (VPC User Guide, "Route priority"). ok is false when no route matches.
func (n *network) routeFor(rt *routeTable, a netip.Addr) (r route, bits int, ok bool) {
	bits = -1
	for _, x := range rt.Routes {
		var match int = -1
		switch {
		case x.DestinationCIDR != "":
			if p, okp := parseAnyCIDR(x.DestinationCIDR); okp && p.Contains(a) {
				match = p.Bits()
			}
		case x.DestinationPrefixList != "":
			if pl, okp := prefixListByID(n.region, x.DestinationPrefixList); okp {
				for _, c := range pl.CIDRs {
					if p, okp := parseAnyCIDR(c); okp && p.Contains(a) && p.Bits() > match {
						match = p.Bits()
					}
				}
			}
		}
		if match > bits || (match == bits && match >= 0 && x.DestinationCIDR != "" && r.DestinationCIDR == "") {
			r, bits, ok = x, match, true
		}
	}
	return r, bits, ok
}

// targetOf names a route's target.
func targetOf(r route) string {
	for _, t := range []string{r.GatewayID, r.NatGatewayID, r.NetworkInterfaceID, r.VPCEndpointID} {
		if t != "" {
			return t
		}
	}
	return "?"
}

func routeDestination(r route) string {
	if r.DestinationPrefixList != "" {
		return r.DestinationPrefixList
	}
	return r.DestinationCIDR
}

// reacher finds the way from a source to a destination.
type reacher struct {
	s   *Service
	net *network
	src *source
	svc *endpointService
	now time.Time
}

// attempt is one way tried: the hops it passed and, when it failed, the last one.
type attempt struct {
	via  string
	hops []Hop
	ok   bool
}

func (a *attempt) pass(kind, id, format string, args ...any) {
	a.hops = append(a.hops, Hop{Kind: kind, ID: id, Allowed: true, Detail: fmt.Sprintf(format, args...)})
}

// fail records the failing hop and returns false, for `return a.fail(…)`.
func (a *attempt) fail(kind, id, format string, args ...any) bool {
	a.hops = append(a.hops, Hop{Kind: kind, ID: id, Detail: fmt.Sprintf(format, args...)})
	return false
}

func (r *reacher) run() *Reachability {
	if ep := r.privateDNSEndpoint(); ep != nil {
		return r.answer(r.viaInterfaceEndpoint(ep))
	}
	return r.answer(r.viaRoutes())
}

func (r *reacher) answer(a *attempt) *Reachability {
	out := &Reachability{Reachable: a.ok, Via: a.via, Path: a.hops}
	if out.Path == nil {
		out.Path = []Hop{}
	}
	if !a.ok && len(a.hops) > 0 {
		out.Reason = a.hops[len(a.hops)-1].Detail
	}
	return out
}

// privateDNSEndpoint is the interface endpoint that the service's public name resolves to inside the VPC: one
// with private DNS, in a VPC that resolves names and gives hostnames. S3's interface endpoints answer only
// resolvers outside the VPC (PrivateDnsOnlyForInboundResolverEndpoint), so they never are.
func (r *reacher) privateDNSEndpoint() *endpoint {
	if r.svc == nil || r.svc.privateDNS == "" || !r.net.vpc.DNSSupport || !r.net.vpc.DNSHostnames {
		return nil
	}
	name := r.svc.name(r.net.region)
	var ids []string
	for id, e := range r.net.endpoints {
		if e.Type == "Interface" && e.ServiceName == name && e.PrivateDNSEnabled {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids)
	return r.net.endpoints[ids[0]]
}

// viaInterfaceEndpoint tries the endpoint's network interfaces, the one in the source's zone first: reachable
// through the first that lets traffic through; otherwise the attempt that got farthest.
func (r *reacher) viaInterfaceEndpoint(e *endpoint) *attempt {
	dns := Hop{Kind: "dns", ID: e.ID, Allowed: true, Detail: fmt.Sprintf("%s resolves to interface endpoint %s (private DNS)", r.svc.privateDNSName(r.net.region), e.ID)}
	var enis []*networkInterface
	for _, id := range e.InterfaceIDs {
		if n := r.net.interfaces[id]; n != nil {
			enis = append(enis, n)
		}
	}
	sort.SliceStable(enis, func(i, j int) bool {
		return enis[i].Zone == r.src.subnet.Zone && enis[j].Zone != r.src.subnet.Zone
	})
	var best *attempt
	for _, n := range enis {
		a := &attempt{via: "interface-endpoint", hops: []Hop{dns}}
		a.ok = r.toEndpointInterface(a, e, n)
		if a.ok {
			return a
		}
		if best == nil || len(a.hops) > len(best.hops) {
			best = a
		}
	}
	if best == nil {
		best = &attempt{via: "interface-endpoint", hops: []Hop{dns}}
		best.fail("interface-endpoint", e.ID, "interface endpoint %s has no network interface in any subnet", e.ID)
	}
	return best
}

// toEndpointInterface checks the way to one network interface of an interface endpoint.
func (r *reacher) toEndpointInterface(a *attempt, e *endpoint, n *networkInterface) bool {
	b, err := netip.ParseAddr(n.PrivateIP)
	if err != nil {
		return a.fail("interface-endpoint", e.ID, "network interface %s of endpoint %s has no address", n.ID, e.ID)
	}
	if g, ok := r.egressAllows(r.src.groups, b, n.GroupIDs); !ok {
		return a.fail("security-group", strings.Join(r.src.groups, ","), "security groups %s allow no TCP 443 out to %s (endpoint %s's interface %s)", strings.Join(r.src.groups, ", "), b, e.ID, n.ID)
	} else {
		a.pass("security-group", g, "security group %s allows TCP 443 out to %s", g, b)
	}
	rt := r.net.routeTableOf(r.src.subnet.ID)
	if rt == nil {
		return a.fail("route-table", "", "subnet %s has no route table", r.src.subnet.ID)
	}
	rr, _, ok := r.net.routeFor(rt, b)
	if !ok || rr.GatewayID != "local" {
		return a.fail("route-table", rt.ID, "route table %s does not route %s within the VPC", rt.ID, b)
	}
	a.pass("route-table", rt.ID, "route table %s routes %s locally (%s)", rt.ID, b, rr.DestinationCIDR)
	if n.Subnet != r.src.subnet.ID {
		if !r.aclCrossing(a, r.src.subnet.ID, b, "out") || !r.aclCrossing(a, n.Subnet, r.src.addr, "in") {
			return false
		}
	}
	if g, ok := r.ingressAllows(n.GroupIDs, r.src.addr, r.src.groups); !ok {
		return a.fail("security-group", strings.Join(n.GroupIDs, ","), "security groups %s of endpoint %s allow no TCP 443 in from %s or its groups %s", strings.Join(n.GroupIDs, ", "), e.ID, r.src.addr, strings.Join(r.src.groups, ", "))
	} else {
		a.pass("security-group", g, "security group %s of endpoint %s allows TCP 443 in from the source", g, e.ID)
	}
	if st := r.s.endpointState(e, r.now); st != "available" {
		return a.fail("interface-endpoint", e.ID, "interface endpoint %s is %s, not available", e.ID, st)
	}
	a.pass("interface-endpoint", e.ID, "interface endpoint %s (%s) in %s, interface %s at %s", e.ID, e.ServiceName, n.Zone, n.ID, b)
	return r.policyAllows(a, e)
}

// viaRoutes follows the source subnet's routes towards the destination's public addresses. The destination is a
// set of addresses (a service's prefix list, or the public internet); it is reachable when some address of it is.
// The addresses tried are the set's first one and every boundary of a route, ACL entry or security group rule that
// falls inside it, which between them meet every way the rules can decide.
func (r *reacher) viaRoutes() *attempt {
	dest := r.destination()
	var best *attempt
	for _, b := range dest.candidates(r.boundaries()) {
		a := &attempt{}
		a.ok = r.toPublic(a, b)
		if a.ok {
			return a
		}
		if best == nil || len(a.hops) > len(best.hops) {
			best = a
		}
	}
	if best == nil {
		best = &attempt{}
		best.fail("route-table", "", "the destination has no address")
	}
	return best
}

// toPublic checks the way to one public address.
func (r *reacher) toPublic(a *attempt, b netip.Addr) bool {
	if g, ok := r.egressAllows(r.src.groups, b, nil); !ok {
		return a.fail("security-group", strings.Join(r.src.groups, ","), "security groups %s allow no TCP 443 out to %s", strings.Join(r.src.groups, ", "), b)
	} else {
		a.pass("security-group", g, "security group %s allows TCP 443 out to %s", g, b)
	}
	rt := r.net.routeTableOf(r.src.subnet.ID)
	if rt == nil {
		return a.fail("route-table", "", "subnet %s has no route table", r.src.subnet.ID)
	}
	rr, _, ok := r.net.routeFor(rt, b)
	if !ok {
		return a.fail("route-table", rt.ID, "route table %s of subnet %s has no route to %s (%s): no gateway endpoint, NAT gateway or internet gateway", rt.ID, r.src.subnet.ID, b, r.destinationName())
	}
	// A route whose target is gone is a blackhole: the hops below find the target missing, detached or not
	// available, and say so.
	target := targetOf(rr)
	a.pass("route-table", rt.ID, "route table %s sends %s (%s) to %s", rt.ID, b, routeDestination(rr), target)
	switch {
	case strings.HasPrefix(target, "vpce-"):
		a.via = "gateway-endpoint"
		e := r.net.endpoints[target]
		if e == nil {
			return a.fail("gateway-endpoint", target, "gateway endpoint %s does not exist", target)
		}
		if !r.aclCrossing(a, r.src.subnet.ID, b, "out") {
			return false
		}
		if st := r.s.endpointState(e, r.now); st != "available" {
			return a.fail("gateway-endpoint", e.ID, "gateway endpoint %s is %s, not available", e.ID, st)
		}
		a.pass("gateway-endpoint", e.ID, "gateway endpoint %s (%s)", e.ID, e.ServiceName)
		return r.policyAllows(a, e)
	case strings.HasPrefix(target, "nat-"):
		a.via = "nat-gateway"
		return r.throughNAT(a, target, b)
	case strings.HasPrefix(target, "igw-"):
		a.via = "internet-gateway"
		if !r.aclCrossing(a, r.src.subnet.ID, b, "out") {
			return false
		}
		switch {
		case r.src.publicIP != "":
			a.pass("public-address", r.src.eni, "interface %s has the public address %s", r.src.eni, r.src.publicIP)
		case r.src.eni == "" && r.src.mapsPublic:
			a.pass("public-address", r.src.subnet.ID, "subnet %s gives what starts in it a public address", r.src.subnet.ID)
		case r.src.eni != "":
			return a.fail("public-address", r.src.eni, "interface %s has no public address: traffic routed to internet gateway %s is dropped", r.src.eni, target)
		default:
			return a.fail("public-address", r.src.subnet.ID, "subnet %s gives no public address (MapPublicIpOnLaunch is off): traffic routed to internet gateway %s is dropped", r.src.subnet.ID, target)
		}
		return r.internetGateway(a, target)
	case target == "local":
		return a.fail("route-table", rt.ID, "route table %s keeps %s within the VPC", rt.ID, b)
	}
	return a.fail("route-table", rt.ID, "route table %s sends %s to %s, which sagebox does not follow", rt.ID, b, target)
}

// destinationName says what the destination's addresses are, for people.
func (r *reacher) destinationName() string {
	if r.svc == nil {
		return "the internet"
	}
	return r.svc.name(r.net.region) + "'s public endpoint"
}

// throughNAT checks a NAT gateway, its subnet's ACL and its way on to an internet gateway.
func (r *reacher) throughNAT(a *attempt, id string, b netip.Addr) bool {
	nat := r.net.nats[id]
	if nat == nil {
		return a.fail("nat-gateway", id, "NAT gateway %s does not exist", id)
	}
	if nat.SubnetID != r.src.subnet.ID {
		// Between the source and the NAT gateway: out of the source's subnet, into the NAT's, and the replies back.
		if !r.aclCrossing(a, r.src.subnet.ID, b, "out") || !r.aclCrossing(a, nat.SubnetID, r.src.addr, "in") {
			return false
		}
	}
	if st := r.s.natState(nat, r.now); st != "available" {
		return a.fail("nat-gateway", nat.ID, "NAT gateway %s is %s, not available", nat.ID, st)
	}
	if nat.ConnectivityType == "private" {
		return a.fail("nat-gateway", nat.ID, "NAT gateway %s is private: it does not reach the internet", nat.ID)
	}
	a.pass("nat-gateway", nat.ID, "NAT gateway %s in subnet %s, public address %s", nat.ID, nat.SubnetID, nat.PublicIP)
	// From the NAT gateway out of its subnet to the internet, and the replies back in.
	if !r.aclCrossing(a, nat.SubnetID, b, "out") {
		return false
	}
	rt := r.net.routeTableOf(nat.SubnetID)
	if rt == nil {
		return a.fail("route-table", "", "subnet %s of NAT gateway %s has no route table", nat.SubnetID, nat.ID)
	}
	rr, _, ok := r.net.routeFor(rt, b)
	if !ok || !strings.HasPrefix(targetOf(rr), "igw-") {
		what := "no route"
		if ok {
			what = "a route to " + targetOf(rr)
		}
		return a.fail("route-table", rt.ID, "route table %s of NAT gateway %s's subnet %s has %s for %s, not one to an internet gateway", rt.ID, nat.ID, nat.SubnetID, what, b)
	}
	a.pass("route-table", rt.ID, "route table %s of NAT gateway %s's subnet sends %s (%s) to %s", rt.ID, nat.ID, b, routeDestination(rr), targetOf(rr))
	return r.internetGateway(a, targetOf(rr))
}

// internetGateway checks that the gateway is attached to the VPC.
func (r *reacher) internetGateway(a *attempt, id string) bool {
	igw := r.net.igws[id]
	if igw == nil || igw.VPCID != r.net.vpc.ID {
		return a.fail("internet-gateway", id, "internet gateway %s is not attached to %s", id, r.net.vpc.ID)
	}
	a.pass("internet-gateway", id, "internet gateway %s, attached to %s", id, r.net.vpc.ID)
	return true
}

// policyAllows checks an endpoint's policy against the destination service: the endpoint lets requests through
// only as far as its policy allows them (VPC endpoint policies are resource-based policies that every request
// through the endpoint must satisfy). Reach has no request to decide, so it asks whether the policy could allow
// any action of the service: a statement that allows one, and none that denies all of them unconditionally.
func (r *reacher) policyAllows(a *attempt, e *endpoint) bool {
	if r.svc == nil || r.svc.noPolicy {
		return true
	}
	prefix := r.svc.iamPrefix()
	doc, err := policy.Parse(e.Policy, policy.Resource)
	if err != nil {
		return a.fail("endpoint-policy", e.ID, "the policy of endpoint %s cannot be read: %v", e.ID, err)
	}
	allows, all := false, false
	for _, st := range doc.Statements {
		if st.Effect == policy.Deny && len(st.Conditions) == 0 && coversAll(st.Action, prefix) && everything(st.Resource) &&
			st.Principal != nil && st.Principal.All {
			return a.fail("endpoint-policy", e.ID, "the policy of endpoint %s denies every %s action to everyone", e.ID, prefix)
		}
		if st.Effect != policy.Allow {
			continue
		}
		if st.Action != nil && anyActionOf(st.Action, prefix) || st.NotAction != nil && !coversAll(st.NotAction, prefix) {
			allows = true
			if len(st.Conditions) == 0 && coversAll(st.Action, prefix) && everything(st.Resource) && st.Principal != nil && st.Principal.All {
				all = true
			}
		}
	}
	if !allows {
		return a.fail("endpoint-policy", e.ID, "the policy of endpoint %s allows no %s action", e.ID, prefix)
	}
	if all {
		a.pass("endpoint-policy", e.ID, "the policy of endpoint %s allows every %s action", e.ID, prefix)
	} else {
		a.pass("endpoint-policy", e.ID, "the policy of endpoint %s allows some %s actions: it decides each request", e.ID, prefix)
	}
	return true
}

// iamPrefix is the service's prefix in IAM actions.
func (e *endpointService) iamPrefix() string {
	switch {
	case e.short == "monitoring":
		return "cloudwatch"
	case e.short == "notebook" || e.short == "studio":
		return "sagemaker"
	}
	prefix, _, _ := strings.Cut(e.short, ".")
	return prefix
}

// actionService returns the service part of an action pattern ("s3" of "s3:Get*"), lower-cased; "*" for "*".
func actionService(pattern string) string {
	if pattern == "*" {
		return "*"
	}
	svc, _, _ := strings.Cut(pattern, ":")
	return strings.ToLower(svc)
}

// anyActionOf reports whether some pattern can match an action of the service.
func anyActionOf(patterns []string, prefix string) bool {
	for _, p := range patterns {
		if wildcardMatch(actionService(p), prefix) {
			return true
		}
	}
	return false
}

// coversAll reports whether the patterns match every action of the service ("*", "s3:*").
func coversAll(patterns []string, prefix string) bool {
	for _, p := range patterns {
		if p == "*" || strings.EqualFold(p, prefix+":*") {
			return true
		}
	}
	return false
}

// everything reports whether a Resource element covers every resource.
func everything(resources []string) bool {
	return contains(resources, "*")
}

// groupRuleAllowsHTTPS reports whether a security group rule's protocol and ports take TCP 443.
func groupRuleAllowsHTTPS(g groupRule) bool {
	switch strings.ToLower(g.Protocol) {
	case "-1", "all":
		return true
	case "tcp", "6":
		return g.FromPort == -1 || (g.FromPort <= httpsPort && httpsPort <= g.ToPort)
	}
	return false
}

// ruleHolds reports whether a rule's peer is the address or one of the groups.
func (r *reacher) ruleHolds(g groupRule, a netip.Addr, groups []string) bool {
	switch {
	case g.CIDR != "":
		p, ok := parseAnyCIDR(g.CIDR)
		return ok && p.Contains(a)
	case g.PrefixListID != "":
		if pl, ok := prefixListByID(r.net.region, g.PrefixListID); ok {
			for _, c := range pl.CIDRs {
				if p, ok := parseAnyCIDR(c); ok && p.Contains(a) {
					return true
				}
			}
		}
	case g.GroupID != "":
		return contains(groups, g.GroupID)
	}
	return false
}

// egressAllows returns the first of the groups whose outbound rules let TCP 443 go to the address (or to one of
// the destination's groups).
func (r *reacher) egressAllows(groups []string, a netip.Addr, destGroups []string) (string, bool) {
	return r.groupsAllow(groups, func(g *securityGroup) []groupRule { return g.Egress }, a, destGroups)
}

// ingressAllows returns the first of the groups whose inbound rules let TCP 443 in from the address (or from one
// of the source's groups).
func (r *reacher) ingressAllows(groups []string, a netip.Addr, srcGroups []string) (string, bool) {
	return r.groupsAllow(groups, func(g *securityGroup) []groupRule { return g.Ingress }, a, srcGroups)
}

// groupsAllow returns the first of the groups with one of its rules (of a direction) that lets TCP 443 pass to or
// from the address or the peer's groups.
func (r *reacher) groupsAllow(groups []string, rules func(*securityGroup) []groupRule, a netip.Addr, peerGroups []string) (string, bool) {
	for _, id := range groups {
		if g := r.net.groups[id]; g != nil {
			for _, rule := range rules(g) {
				if groupRuleAllowsHTTPS(rule) && r.ruleHolds(rule, a, peerGroups) {
					return id, true
				}
			}
		}
	}
	return "", false
}

// aclCrossing checks a subnet's network ACL for a request that crosses its boundary: "out" for a request leaving
// the subnet towards peer (TCP 443 outbound to peer, and the reply inbound from peer to the ephemeral ports), "in"
// for a request entering it from peer (TCP 443 inbound from peer, and the reply outbound to peer's ephemeral
// ports).
func (r *reacher) aclCrossing(a *attempt, subnetID string, peer netip.Addr, dir string) bool {
	acl := r.net.aclOf(subnetID)
	if acl == nil {
		return a.fail("network-acl", "", "subnet %s has no network ACL", subnetID)
	}
	reqEgress := dir == "out"
	word := map[bool]string{true: "outbound", false: "inbound"}
	prep := map[bool]string{true: "to", false: "from"}
	if e := firstACLMatch(acl.Entries, reqEgress, peer, httpsPort); e == nil || e.Action != "allow" {
		return a.fail("network-acl", acl.ID, "network ACL %s of subnet %s denies %s TCP 443 %s %s (%s)", acl.ID, subnetID, word[reqEgress], prep[reqEgress], peer, ruleName(e))
	}
	port, e := deniedPort(acl.Entries, !reqEgress, peer)
	if port != 0 {
		return a.fail("network-acl", acl.ID, "network ACL %s of subnet %s denies %s TCP %d %s %s (%s): the replies on ephemeral ports %d-%d are dropped (network ACLs are stateless)",
			acl.ID, subnetID, word[!reqEgress], port, prep[!reqEgress], peer, ruleName(e), ephemeralFrom, ephemeralTo)
	}
	a.pass("network-acl", acl.ID, "network ACL %s of subnet %s allows %s TCP 443 %s %s and the replies %s on ports %d-%d",
		acl.ID, subnetID, word[reqEgress], prep[reqEgress], peer, word[!reqEgress], ephemeralFrom, ephemeralTo)
	return true
}

func ruleName(e *aclEntry) string {
	if e == nil {
		return "no entry matches"
	}
	if e.RuleNumber == 32767 {
		return "the catch-all rule *"
	}
	return "rule " + strconv.Itoa(int(e.RuleNumber))
}

// sortedEntries returns a direction's entries in rule number order.
func sortedEntries(entries []aclEntry, egress bool) []aclEntry {
	var out []aclEntry
	for _, e := range entries {
		if e.Egress == egress {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RuleNumber < out[j].RuleNumber })
	return out
}

// aclEntryMatches reports whether an entry takes TCP traffic to or from address a on port.
func aclEntryMatches(e aclEntry, a netip.Addr, port int) bool {
	if e.Protocol != "-1" && e.Protocol != "6" {
		return false
	}
	if e.CIDR == "" {
		return false
	}
	p, ok := parseAnyCIDR(e.CIDR)
	if !ok || !p.Contains(a) {
		return false
	}
	if e.Protocol == "6" && e.HasPorts {
		return int(e.FromPort) <= port && port <= int(e.ToPort)
	}
	return true
}

// firstACLMatch is the entry of a direction that decides TCP traffic with address a on port: the first that
// matches in rule number order; nil when none does.
func firstACLMatch(entries []aclEntry, egress bool, a netip.Addr, port int) *aclEntry {
	for _, e := range sortedEntries(entries, egress) {
		if aclEntryMatches(e, a, port) {
			return &e
		}
	}
	return nil
}

// deniedPort returns the first ephemeral port that a direction's entries do not allow for address a, with the
// entry that decides it (nil when none matches); port 0 when every ephemeral port is allowed. The ports tried are
// the range's first and every entry's port boundaries inside it: the decision is the same between them.
func deniedPort(entries []aclEntry, egress bool, a netip.Addr) (int, *aclEntry) {
	ports := []int{ephemeralFrom}
	for _, e := range entries {
		if e.Egress == egress && e.Protocol == "6" && e.HasPorts {
			for _, p := range []int{int(e.FromPort), int(e.ToPort) + 1} {
				if p > ephemeralFrom && p <= ephemeralTo {
					ports = append(ports, p)
				}
			}
		}
	}
	sort.Ints(ports)
	for _, p := range ports {
		if e := firstACLMatch(entries, egress, a, p); e == nil || e.Action != "allow" {
			return p, e
		}
	}
	return 0, nil
}

// addrSet is a set of IPv4 addresses: the blocks of include less the blocks of exclude.
type addrSet struct {
	include, exclude []netip.Prefix
}

func (s addrSet) contains(a netip.Addr) bool {
	in := false
	for _, p := range s.include {
		if p.Contains(a) {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, p := range s.exclude {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// candidates are the set's addresses worth trying, in order: the first address of each of its blocks and of what
// follows each excluded block, then every boundary given that falls in the set.
func (s addrSet) candidates(boundaries []netip.Addr) []netip.Addr {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	add := func(a netip.Addr) {
		if a.IsValid() && !seen[a] && s.contains(a) {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, p := range s.include {
		add(p.Addr())
	}
	for _, p := range s.exclude {
		add(after(p))
	}
	for _, b := range boundaries {
		add(b)
	}
	return out
}

// after is the address that follows a block; invalid after 255.255.255.255.
func after(p netip.Prefix) netip.Addr {
	size := uint64(1) << (32 - p.Bits())
	b := p.Masked().Addr().As4()
	v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	v += size
	if v > 0xffffffff {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// nonPublic are the blocks that are not public addresses (RFC 6890's special-purpose IPv4 blocks that matter
// here).
var nonPublic = []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"}

// destination is the set of addresses traffic to the destination goes to: a gateway service's prefix list, or the
// public internet (less the VPC's blocks and the gateway services' ranges, which other ways reach).
func (r *reacher) destination() addrSet {
	var set addrSet
	if r.svc != nil {
		if pl, ok := findPrefixList(r.net.region, r.svc); ok {
			for _, c := range pl.CIDRs {
				if p, ok := parseAnyCIDR(c); ok {
					set.include = append(set.include, p)
				}
			}
			return set
		}
	}
	set.include = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	for _, c := range nonPublic {
		set.exclude = append(set.exclude, netip.MustParsePrefix(c))
	}
	for _, b := range r.net.vpc.Blocks {
		if p, ok := parseAnyCIDR(b.CIDR); ok && b.State != "disassociated" {
			set.exclude = append(set.exclude, p)
		}
	}
	for _, pl := range prefixLists(r.net.region) {
		for _, c := range pl.CIDRs {
			if p, ok := parseAnyCIDR(c); ok {
				set.exclude = append(set.exclude, p)
			}
		}
	}
	return set
}

// boundaries are the first address of, and the address after, every block that routes, network ACL entries and
// the source's security group rules name.
func (r *reacher) boundaries() []netip.Addr {
	var out []netip.Addr
	addBlock := func(c string) {
		if p, ok := parseAnyCIDR(c); ok {
			out = append(out, p.Addr(), after(p))
		}
	}
	addList := func(id string) {
		if pl, ok := prefixListByID(r.net.region, id); ok {
			for _, c := range pl.CIDRs {
				addBlock(c)
			}
		}
	}
	for _, rt := range r.net.tables {
		for _, x := range rt.Routes {
			addBlock(x.DestinationCIDR)
			addList(x.DestinationPrefixList)
		}
	}
	for _, acl := range r.net.acls {
		for _, e := range acl.Entries {
			addBlock(e.CIDR)
		}
	}
	for _, id := range r.src.groups {
		if g := r.net.groups[id]; g != nil {
			for _, rule := range g.Egress {
				addBlock(rule.CIDR)
				addList(rule.PrefixListID)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}
