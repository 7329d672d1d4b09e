package ec2

import (
	"context"
	"net/netip"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Route tables: the main table every VPC has, custom tables, their routes and their subnet associations.

func (s *Service) registerRouteTables(h *api.ServiceHandlers) {
	api.Write(h, "CreateRouteTable", s.createRouteTable)
	api.Write(h, "DeleteRouteTable", s.deleteRouteTable)
	api.Read(h, "DescribeRouteTables", s.describeRouteTables)
	api.Write(h, "CreateRoute", s.createRoute)
	api.Write(h, "ReplaceRoute", s.replaceRoute)
	api.Write(h, "DeleteRoute", s.deleteRoute)
	api.Write(h, "AssociateRouteTable", s.associateRouteTable)
	api.Write(h, "DisassociateRouteTable", s.disassociateRouteTable)
	api.Write(h, "ReplaceRouteTableAssociation", s.replaceRouteTableAssociation)
}

// unknownResource is EC2's answer for an id that names nothing: Invalid…Id.Malformed when it does not even have the
// kind's prefix (`Invalid id: "vpc-1" (expecting "rtb-...")`), the kind's NotFound error otherwise.
func unknownResource(id, prefix, malformedCode, notFoundCode, notFoundFormat string) error {
	if malformedCode != "" && !strings.HasPrefix(id, prefix+"-") {
		return refMalformed(malformedCode, id, prefix)
	}
	return notFound(notFoundCode, notFoundFormat, id)
}

func unknownRouteTable(id string) error {
	return unknownResource(id, "rtb", "InvalidRouteTableId.Malformed", "InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist")
}

func unknownVPC(id string) error {
	return unknownResource(id, "vpc", "InvalidVpcID.Malformed", "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist")
}

func unknownSubnet(id string) error {
	return unknownResource(id, "subnet", "InvalidSubnetID.Malformed", "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist")
}

func unknownAssociation(id string) error {
	return notFound("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}

// The condition keys of each kind of resource a request names, as the Service Authorization Reference lists them
// for its resource type (the tag keys, ec2:Region and ec2:Vpc come from resourceKeys); a resource that does not
// exist has ec2:Region alone. keysOfVPC and keysOfSubnet are vpcKeys and subnetKeys for one that may not exist.

func keysOfVPC(c *api.Call, v *vpc) map[string][]string {
	if v == nil {
		return resourceKeys(c, nil, "")
	}
	return vpcKeys(c, v)
}

func keysOfSubnet(c *api.Call, sn *subnet) map[string][]string {
	if sn == nil {
		return resourceKeys(c, nil, "")
	}
	return subnetKeys(c, sn)
}

func keysOfRouteTable(c *api.Call, rt *routeTable) map[string][]string {
	if rt == nil {
		return resourceKeys(c, nil, "")
	}
	keys := resourceKeys(c, rt.Tags, rt.VPCID)
	keys["ec2:RouteTableID"] = []string{rt.ID}
	return keys
}

// routeTableAuthorization asks for action on a route table named by a request (rt nil when there is none).
func routeTableAuthorization(c *api.Call, action, id string, rt *routeTable) api.Authorization {
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "route-table", id)}, Context: keysOfRouteTable(c, rt)}
}

func subnetAuthorization(c *api.Call, action, id string, sn *subnet) api.Authorization {
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "subnet", id)}, Context: keysOfSubnet(c, sn)}
}

func vpcAuthorization(c *api.Call, action, id string, v *vpc) api.Authorization {
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "vpc", id)}, Context: keysOfVPC(c, v)}
}

// createAuthorization asks for a Create action on the resource type it makes, with the tags it sets.
func createAuthorization(c *api.Call, action, arnType string, tags []tag) api.Authorization {
	keys := requestTagKeys(map[string][]string{"ec2:Region": {c.Region}}, tags)
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, arnType, "*")}, Context: keys}
}

// authorizeChecked authorizes a call whose request failed a check that needs no store (check, such as tags that
// are not valid): sagebox answers nothing before authorizing, so the call authorizes first, then answers the
// check's error, and only then a DryRun.
func authorizeChecked(ctx context.Context, c *api.Call, dryRun *bool, check error, as ...api.Authorization) error {
	if err := authorizeMany(ctx, c, nil, as...); err != nil {
		return err
	}
	if check != nil {
		return check
	}
	if deref(dryRun) {
		return &awserr.Error{Kind: awserr.KindDryRun}
	}
	return nil
}

// withCreateTags adds the ec2:CreateTags authorization that tagging on create needs.
func withCreateTags(c *api.Call, as []api.Authorization, arnType string, tags []tag) []api.Authorization {
	if len(tags) == 0 {
		return as
	}
	return append(as, createTagsAuthorization(c, arn(c, arnType, "*"), tags))
}

// loadVPCForCreate reads the VPC a Create call makes its resource (of ARN type arnType, with the request's tags
// and their check tagErr) in, authorizes the call on the new resource and on the VPC, and answers an unknown VPC
// only then (CreateRouteTable, CreateNetworkAcl).
func loadVPCForCreate(ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, arnType, vpcID string, tags []tag, tagErr error) (*vpc, error) {
	v, _, err := get[vpc](t, c.Account(), c.Region, kindVPC, vpcID)
	if err != nil {
		return nil, err
	}
	as := []api.Authorization{createAuthorization(c, action, arnType, tags), vpcAuthorization(c, action, vpcID, v)}
	if err := authorizeChecked(ctx, c, dryRun, tagErr, withCreateTags(c, as, arnType, tags)...); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, unknownVPC(vpcID)
	}
	return v, nil
}

func (s *Service) createRouteTable(ctx context.Context, c *api.Call, in *CreateRouteTableInput) (*CreateRouteTableOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "route-table")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	v, err := loadVPCForCreate(ctx, c, t, in.DryRun, "CreateRouteTable", "route-table", in.VpcId, tags, tagErr)
	if err != nil {
		return nil, err
	}
	rt := &routeTable{ID: s.ids.EC2("rtb"), Tags: tags, Owner: acct, VPCID: v.ID}
	for _, b := range v.Blocks {
		if b.State == "associated" {
			rt.Routes = append(rt.Routes, route{DestinationCIDR: b.CIDR, GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
		}
	}
	if err := putRouteTable(t, acct, region, rt); err != nil {
		return nil, err
	}
	r := s.routeRenderer(t, c)
	out := &CreateRouteTableOutput{RouteTable: r.table(rt)}
	if in.ClientToken != nil {
		out.ClientToken = in.ClientToken
	}
	return out, nil
}

func (s *Service) deleteRouteTable(ctx context.Context, c *api.Call, in *DeleteRouteTableInput) (*DeleteRouteTableOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	rt, err := loadRouteTableFor(ctx, c, t, in.DryRun, "DeleteRouteTable", in.RouteTableId)
	if err != nil {
		return nil, err
	}
	// The main table cannot go (a VPC always has one), nor can a table that subnets still use.
	assocs, err := liveRouteAssociations(t, acct, region, rt)
	if err != nil {
		return nil, err
	}
	if len(assocs) > 0 {
		return nil, dependencyViolation("The routeTable '%s' has dependencies and cannot be deleted.", rt.ID)
	}
	if err := t.Delete(key(acct, region, kindRouteTable, rt.ID)); err != nil {
		return nil, err
	}
	return &DeleteRouteTableOutput{}, nil
}

// liveRouteAssociations returns a table's associations, leaving out those of subnets that no longer exist.
func liveRouteAssociations(t store.Tx, account, region string, rt *routeTable) ([]routeAssociation, error) {
	var out []routeAssociation
	for _, a := range rt.Associations {
		if a.SubnetID != "" {
			sn, _, err := get[subnet](t, account, region, kindSubnet, a.SubnetID)
			if err != nil {
				return nil, err
			}
			if sn == nil {
				continue
			}
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Service) describeRouteTables(ctx context.Context, c *api.Call, in *DescribeRouteTablesInput) (*DescribeRouteTablesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeRouteTables", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters, routeTableFilterNames); err != nil {
		return nil, err
	}
	r := s.routeRenderer(t, c)
	tables, next, err := describe(t, c, describing[routeTable]{
		kind: kindRouteTable, id: func(rt *routeTable) string { return rt.ID }, tags: func(rt *routeTable) []tag { return rt.Tags },
		// The filters see the table as rendered, with what the renderer derives (a route to a target gone is a blackhole).
		values:   func(rt *routeTable) (filterValues, error) { return routeTableFilters(r.table(rt)), nil },
		notFound: func(missing []string) error { return unknownRouteTable(missing[0]) },
	}, in.RouteTableIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	// An empty page is an empty routeTableSet, as EC2 answers every Describe.
	out := &DescribeRouteTablesOutput{NextToken: next, RouteTables: []*RouteTable{}}
	for _, rt := range tables {
		out.RouteTables = append(out.RouteTables, r.table(rt))
	}
	return out, nil
}

// routeTableFilterNames knows the filter names of DescribeRouteTables, for checking them without a table.
func routeTableFilterNames(name string) ([]string, bool) {
	return routeTableFilters(&RouteTable{})(name)
}

// routeTableFilters are the filters the EC2 API Reference documents for DescribeRouteTables, on a rendered table.
func routeTableFilters(rt *RouteTable) filterValues {
	return func(name string) ([]string, bool) {
		var out []string
		each := func(f func(r *Route) *string) []string {
			for _, r := range rt.Routes {
				if v := deref(f(r)); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		eachAssoc := func(f func(a *RouteTableAssociation) string) []string {
			for _, a := range rt.Associations {
				if v := f(a); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		switch name {
		case "association.gateway-id":
			return eachAssoc(func(a *RouteTableAssociation) string { return deref(a.GatewayId) }), true
		case "association.route-table-association-id":
			return eachAssoc(func(a *RouteTableAssociation) string { return deref(a.RouteTableAssociationId) }), true
		case "association.route-table-id":
			return eachAssoc(func(a *RouteTableAssociation) string { return deref(a.RouteTableId) }), true
		case "association.subnet-id":
			return eachAssoc(func(a *RouteTableAssociation) string { return deref(a.SubnetId) }), true
		case "association.main":
			// Tables without associations have no value, so that neither true nor false matches them (as AWS
			// documents: "Route tables that do not have an association ID are not returned").
			return eachAssoc(func(a *RouteTableAssociation) string { return boolValue(deref(a.Main))[0] }), true
		case "owner-id":
			return []string{deref(rt.OwnerId)}, true
		case "route-table-id":
			return []string{deref(rt.RouteTableId)}, true
		case "vpc-id":
			return []string{deref(rt.VpcId)}, true
		case "route.destination-cidr-block":
			return each(func(r *Route) *string { return r.DestinationCidrBlock }), true
		case "route.destination-ipv6-cidr-block":
			return each(func(r *Route) *string { return r.DestinationIpv6CidrBlock }), true
		case "route.destination-prefix-list-id":
			return each(func(r *Route) *string { return r.DestinationPrefixListId }), true
		case "route.egress-only-internet-gateway-id":
			return each(func(r *Route) *string { return r.EgressOnlyInternetGatewayId }), true
		case "route.gateway-id":
			return each(func(r *Route) *string { return r.GatewayId }), true
		case "route.instance-id":
			return each(func(r *Route) *string { return r.InstanceId }), true
		case "route.nat-gateway-id":
			return each(func(r *Route) *string { return r.NatGatewayId }), true
		case "route.transit-gateway-id":
			return each(func(r *Route) *string { return r.TransitGatewayId }), true
		case "route.vpc-peering-connection-id":
			return each(func(r *Route) *string { return r.VpcPeeringConnectionId }), true
		case "route.origin":
			return each(func(r *Route) *string { return r.Origin }), true
		case "route.state":
			return each(func(r *Route) *string { return r.State }), true
		}
		return nil, false
	}
}

// routeRenderer renders route tables as DescribeRouteTables shows them. It derives what AWS derives when it
// answers: a route whose target is gone (an internet gateway detached or deleted, a NAT gateway deleted, an
// interface deleted) is a blackhole, and every associated block of the VPC has its local route. It caches what it
// reads, so that describing many tables reads each target once.
type routeRenderer struct {
	t       store.Tx
	c       *api.Call
	s       *Service
	vpcs    map[string]*vpc
	igws    map[string]*internetGateway
	nats    map[string]*natGateway
	enis    map[string]bool
	vpces   map[string]bool
	subnets map[string]bool
}

// routeRenderer returns a renderer for one call. NAT gateway states depend on the service's clock and delays.
func (s *Service) routeRenderer(t store.Tx, c *api.Call) *routeRenderer {
	return &routeRenderer{
		t: t, c: c, s: s, vpcs: map[string]*vpc{}, igws: map[string]*internetGateway{}, nats: map[string]*natGateway{},
		enis: map[string]bool{}, vpces: map[string]bool{}, subnets: map[string]bool{},
	}
}

func (r *routeRenderer) vpc(id string) *vpc {
	if v, ok := r.vpcs[id]; ok {
		return v
	}
	v, _, _ := get[vpc](r.t, r.c.Account(), r.c.Region, kindVPC, id)
	r.vpcs[id] = v
	return v
}

func (r *routeRenderer) subnetExists(id string) bool {
	if ok, seen := r.subnets[id]; seen {
		return ok
	}
	sn, _, _ := get[subnet](r.t, r.c.Account(), r.c.Region, kindSubnet, id)
	r.subnets[id] = sn != nil
	return sn != nil
}

// state derives a route's state from its target.
func (r *routeRenderer) state(rt *routeTable, rr route) string {
	acct, region := r.c.Account(), r.c.Region
	switch {
	case rr.GatewayID == "local":
		return "active"
	case strings.HasPrefix(rr.GatewayID, "igw-"):
		g, ok := r.igws[rr.GatewayID]
		if !ok {
			g, _, _ = get[internetGateway](r.t, acct, region, kindInternetGateway, rr.GatewayID)
			r.igws[rr.GatewayID] = g
		}
		if g == nil || g.VPCID != rt.VPCID {
			return "blackhole"
		}
	case strings.HasPrefix(rr.GatewayID, "vpce-") || rr.VPCEndpointID != "":
		id := rr.GatewayID
		if rr.VPCEndpointID != "" {
			id = rr.VPCEndpointID
		}
		ok, seen := r.vpces[id]
		if !seen {
			e, _, _ := get[endpoint](r.t, acct, region, kindEndpoint, id)
			ok = e != nil
			r.vpces[id] = ok
		}
		if !ok {
			return "blackhole"
		}
	case rr.NatGatewayID != "":
		n, ok := r.nats[rr.NatGatewayID]
		if !ok {
			n, _, _ = get[natGateway](r.t, acct, region, kindNatGateway, rr.NatGatewayID)
			r.nats[rr.NatGatewayID] = n
		}
		if n == nil {
			return "blackhole"
		}
		switch r.s.natState(n, r.c.Now) {
		case "deleting", "deleted", "failed":
			return "blackhole"
		}
	case rr.NetworkInterfaceID != "":
		ok, seen := r.enis[rr.NetworkInterfaceID]
		if !seen {
			n, _, _ := get[networkInterface](r.t, acct, region, kindInterface, rr.NetworkInterfaceID)
			ok = n != nil
			r.enis[rr.NetworkInterfaceID] = ok
		}
		if !ok {
			return "blackhole"
		}
	}
	return "active"
}

// routes returns a table's routes as they are now: a local route for every associated block of its VPC (the
// stored one where there is one, whose target may have been replaced), then the others in the order they were made.
func (r *routeRenderer) routes(rt *routeTable) []route {
	var blocks []string
	if v := r.vpc(rt.VPCID); v != nil {
		for _, b := range v.Blocks {
			if b.State == "associated" {
				blocks = append(blocks, b.CIDR)
			}
		}
	}
	var local, other []route
	for _, b := range blocks {
		found := false
		for _, rr := range rt.Routes {
			if rr.DestinationCIDR == b {
				local = append(local, rr)
				found = true
				break
			}
		}
		if !found {
			local = append(local, route{DestinationCIDR: b, GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
		}
	}
	for _, rr := range rt.Routes {
		if rr.DestinationCIDR != "" && contains(blocks, rr.DestinationCIDR) {
			continue
		}
		if rr.GatewayID == "local" && rr.DestinationCIDR != "" {
			continue // the local route of a block the VPC no longer has
		}
		other = append(other, rr)
	}
	return append(local, other...)
}

func (r *routeRenderer) table(rt *routeTable) *RouteTable {
	out := &RouteTable{
		RouteTableId: ptr(rt.ID), VpcId: ptr(rt.VPCID), OwnerId: ptr(rt.Owner), Tags: apiTags(rt.Tags),
		Routes: []*Route{}, Associations: []*RouteTableAssociation{}, PropagatingVgws: []*PropagatingVgw{},
	}
	for _, rr := range r.routes(rt) {
		out.Routes = append(out.Routes, apiRoute(rr, r.state(rt, rr)))
	}
	for _, a := range rt.Associations {
		if a.SubnetID != "" && !r.subnetExists(a.SubnetID) {
			continue
		}
		out.Associations = append(out.Associations, apiRouteAssociation(rt.ID, a))
	}
	return out
}

func apiRoute(rr route, state string) *Route {
	out := &Route{Origin: ptr(rr.Origin), State: ptr(state)}
	if rr.DestinationCIDR != "" {
		out.DestinationCidrBlock = ptr(rr.DestinationCIDR)
	}
	if rr.DestinationIPv6CIDR != "" {
		out.DestinationIpv6CidrBlock = ptr(rr.DestinationIPv6CIDR)
	}
	if rr.DestinationPrefixList != "" {
		out.DestinationPrefixListId = ptr(rr.DestinationPrefixList)
	}
	switch {
	case rr.GatewayID != "":
		out.GatewayId = ptr(rr.GatewayID)
	case rr.VPCEndpointID != "":
		// Route has no VpcEndpointId member: AWS shows a Gateway Load Balancer endpoint target as the gateway.
		out.GatewayId = ptr(rr.VPCEndpointID)
	case rr.NatGatewayID != "":
		out.NatGatewayId = ptr(rr.NatGatewayID)
	case rr.NetworkInterfaceID != "":
		out.NetworkInterfaceId = ptr(rr.NetworkInterfaceID)
	}
	return out
}

func apiRouteAssociation(tableID string, a routeAssociation) *RouteTableAssociation {
	out := &RouteTableAssociation{
		Main: ptr(a.Main), RouteTableAssociationId: ptr(a.ID), RouteTableId: ptr(tableID),
		AssociationState: &RouteTableAssociationState{State: ptr("associated")},
	}
	if a.SubnetID != "" {
		out.SubnetId = ptr(a.SubnetID)
	}
	return out
}

// Routes.

// routeRequest is what CreateRoute and ReplaceRoute have in common: a destination and a target.
type routeRequest struct {
	dryRun       *bool
	tableID      string
	dest4, dest6 *string
	destPL       *string
	// targets, by their parameter names, in the order EC2 documents them.
	targets []routeTarget
	// localTarget is ReplaceRoute's LocalTarget: restore the local route's target.
	localTarget bool
}

type routeTarget struct {
	param string // "gatewayId"
	value *string
}

func createRouteRequest(in *CreateRouteInput) routeRequest {
	return routeRequest{
		dryRun: in.DryRun, tableID: in.RouteTableId, dest4: in.DestinationCidrBlock, dest6: in.DestinationIpv6CidrBlock,
		destPL: in.DestinationPrefixListId,
		targets: []routeTarget{
			{"gatewayId", in.GatewayId}, {"natGatewayId", in.NatGatewayId}, {"networkInterfaceId", in.NetworkInterfaceId},
			{"vpcEndpointId", in.VpcEndpointId}, {"instanceId", in.InstanceId}, {"vpcPeeringConnectionId", in.VpcPeeringConnectionId},
			{"transitGatewayId", in.TransitGatewayId}, {"egressOnlyInternetGatewayId", in.EgressOnlyInternetGatewayId},
			{"localGatewayId", in.LocalGatewayId}, {"carrierGatewayId", in.CarrierGatewayId}, {"coreNetworkArn", in.CoreNetworkArn},
			{"odbNetworkArn", in.OdbNetworkArn},
		},
	}
}

func replaceRouteRequest(in *ReplaceRouteInput) routeRequest {
	r := createRouteRequest(&CreateRouteInput{
		DryRun: in.DryRun, RouteTableId: in.RouteTableId, DestinationCidrBlock: in.DestinationCidrBlock,
		DestinationIpv6CidrBlock: in.DestinationIpv6CidrBlock, DestinationPrefixListId: in.DestinationPrefixListId,
		GatewayId: in.GatewayId, NatGatewayId: in.NatGatewayId, NetworkInterfaceId: in.NetworkInterfaceId,
		VpcEndpointId: in.VpcEndpointId, InstanceId: in.InstanceId, VpcPeeringConnectionId: in.VpcPeeringConnectionId,
		TransitGatewayId: in.TransitGatewayId, EgressOnlyInternetGatewayId: in.EgressOnlyInternetGatewayId,
		LocalGatewayId: in.LocalGatewayId, CarrierGatewayId: in.CarrierGatewayId, CoreNetworkArn: in.CoreNetworkArn,
		OdbNetworkArn: in.OdbNetworkArn,
	})
	r.localTarget = deref(in.LocalTarget)
	return r
}

// destination reads the one destination of a route request, canonical as EC2 stores it ("100.68.0.18/18" is
// 100.68.0.0/18). kind is "cidr", "cidr6" or "pl".
func (r routeRequest) destination() (kind, dest string, err error) {
	var set []string
	if r.dest4 != nil && *r.dest4 != "" {
		set = append(set, "destinationCidrBlock")
	}
	if r.dest6 != nil && *r.dest6 != "" {
		set = append(set, "destinationIpv6CidrBlock")
	}
	if r.destPL != nil && *r.destPL != "" {
		set = append(set, "destinationPrefixListId")
	}
	switch {
	case len(set) == 0:
		return "", "", missingParameter("The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock")
	case len(set) > 1:
		return "", "", invalidParameterCombination("The parameter %s cannot be used with the parameter %s", set[0], set[1])
	}
	switch set[0] {
	case "destinationCidrBlock":
		p, ok := parseAnyCIDR(*r.dest4)
		if !ok || !strings.Contains(*r.dest4, "/") {
			return "", "", invalidParameterValue("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", *r.dest4)
		}
		return "cidr", p.String(), nil
	case "destinationIpv6CidrBlock":
		p, err := netip.ParsePrefix(*r.dest6)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
			return "", "", invalidParameterValue("Value (%s) for parameter destinationIpv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.", *r.dest6)
		}
		return "cidr6", p.Masked().String(), nil
	}
	if !strings.HasPrefix(*r.destPL, "pl-") {
		return "", "", awserr.New("InvalidPrefixListId.Malformed", "Invalid id: \"%s\" (expecting \"pl-...\")", *r.destPL)
	}
	return "pl", *r.destPL, nil
}

// target returns the one target parameter set; LocalTarget counts as gatewayId "local".
func (r routeRequest) target() (routeTarget, error) {
	var set []routeTarget
	for _, tg := range r.targets {
		if tg.value != nil && *tg.value != "" {
			set = append(set, tg)
		}
	}
	if r.localTarget {
		set = append(set, routeTarget{"localTarget", ptr("local")})
	}
	switch {
	case len(set) == 0:
		names := make([]string, 0, len(r.targets))
		for _, tg := range r.targets[:len(r.targets)-1] {
			names = append(names, tg.param)
		}
		return routeTarget{}, missingParameter("The request must contain exactly one of %s or %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	case len(set) > 1:
		return routeTarget{}, invalidParameterCombination("The parameter %s cannot be used with the parameter %s", set[0].param, set[1].param)
	}
	return set[0], nil
}

// matches reports whether a stored route has the destination.
func (rr route) matches(kind, dest string) bool {
	switch kind {
	case "cidr":
		return rr.DestinationCIDR == dest
	case "cidr6":
		return rr.DestinationIPv6CIDR == dest
	}
	return rr.DestinationPrefixList == dest
}

// endpointRoute reports whether a route is a gateway endpoint's: the endpoint owns it ("You cannot modify or delete
// the route": only ModifyVpcEndpoint changes which tables have it).
func (rr route) endpointRoute() bool {
	return rr.DestinationPrefixList != "" && strings.HasPrefix(rr.GatewayID, "vpce-")
}

// resolveTarget checks a route's target as EC2 does — it exists, it is a kind a route can name, and it belongs to
// the table's VPC — and returns the route it makes, without its destination. kindOfTarget is "local",
// "gateway" (an internet gateway), "nat", "eni" or "gwlbe".
func (s *Service) resolveTarget(t store.Tx, c *api.Call, rt *routeTable, tg routeTarget) (rr route, kindOfTarget string, err error) {
	acct, region := c.Account(), c.Region
	id := *tg.value
	differentNetworks := func(what string) error {
		return invalidParameterValue("route table %s and %s %s belong to different networks", rt.ID, what, id)
	}
	switch tg.param {
	case "localTarget":
		return route{GatewayID: "local"}, "local", nil
	case "gatewayId":
		switch {
		case id == "local":
			return route{GatewayID: "local"}, "local", nil
		case strings.HasPrefix(id, "igw-"):
			g, _, err := get[internetGateway](t, acct, region, kindInternetGateway, id)
			if err != nil {
				return route{}, "", err
			}
			if g == nil {
				break
			}
			if g.VPCID != rt.VPCID {
				return route{}, "", invalidParameterValue("route table %s and network gateway %s belong to different networks", rt.ID, id)
			}
			return route{GatewayID: id}, "gateway", nil
		case strings.HasPrefix(id, "vpce-"):
			e, _, err := get[endpoint](t, acct, region, kindEndpoint, id)
			if err != nil {
				return route{}, "", err
			}
			if e == nil {
				break
			}
			// Gateway endpoints put their routes in through ModifyVpcEndpoint; no endpoint is a gateway a route
			// can name.
			return route{}, "", awserr.New("RouteNotSupported", "Route table contains unsupported route target: %s. VPC Endpoints of this type cannot be used as route targets.", id)
		}
		return route{}, "", notFound("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", id)
	case "natGatewayId":
		n, _, err := get[natGateway](t, acct, region, kindNatGateway, id)
		if err != nil {
			return route{}, "", err
		}
		if n == nil || !s.natVisible(n, c.Now) || s.natState(n, c.Now) == "deleted" {
			return route{}, "", notFound("InvalidNatGatewayID.NotFound", "The natGateway ID '%s' does not exist", id)
		}
		if n.VPCID != rt.VPCID {
			return route{}, "", invalidParameterValue("route table %s and network gateway %s belong to different networks", rt.ID, id)
		}
		return route{NatGatewayID: id}, "nat", nil
	case "networkInterfaceId":
		n, _, err := get[networkInterface](t, acct, region, kindInterface, id)
		if err != nil {
			return route{}, "", err
		}
		if n == nil {
			return route{}, "", notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
		}
		if n.VPCID != rt.VPCID {
			return route{}, "", differentNetworks("interface")
		}
		return route{NetworkInterfaceID: id}, "eni", nil
	case "vpcEndpointId":
		e, _, err := get[endpoint](t, acct, region, kindEndpoint, id)
		if err != nil {
			return route{}, "", err
		}
		if e == nil {
			return route{}, "", notFound("InvalidVpcEndpointId.NotFound", "The vpcEndpoint ID '%s' does not exist", id)
		}
		if e.Type != "GatewayLoadBalancer" {
			return route{}, "", awserr.New("RouteNotSupported", "Route table contains unsupported route target: %s. VPC Endpoints of this type cannot be used as route targets.", id)
		}
		if e.VPCID != rt.VPCID {
			return route{}, "", differentNetworks("network gateway")
		}
		return route{VPCEndpointID: id}, "gwlbe", nil
	case "instanceId":
		// sagebox runs no instances, so no instance id names one.
		return route{}, "", notFound("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	case "vpcPeeringConnectionId":
		return route{}, "", notFound("InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID '%s' does not exist", id)
	case "transitGatewayId":
		return route{}, "", notFound("InvalidTransitGatewayID.NotFound", "The transitGateway ID '%s' does not exist", id)
	case "egressOnlyInternetGatewayId", "localGatewayId", "carrierGatewayId":
		return route{}, "", notFound("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", id)
	}
	return route{}, "", invalidParameterValue("Value (%s) for parameter %s is invalid.", id, tg.param)
}

// checkInsideVPC applies AWS's rule for destinations inside the VPC: a route may equal a VPC block only as its
// local route (whose target may be replaced by an interface), and may be more specific than the local route only
// when it names a whole subnet of the VPC and targets a NAT gateway, an interface or a Gateway Load Balancer
// endpoint (VPC User Guide, route tables: "Rules and considerations").
func checkInsideVPC(t store.Tx, c *api.Call, v *vpc, dest, targetKind string) (isLocal bool, err error) {
	p, ok := parseCIDR(dest)
	if !ok || v == nil {
		return false, nil
	}
	for _, b := range v.Blocks {
		if b.State != "associated" {
			continue
		}
		bp, ok := parseCIDR(b.CIDR)
		if !ok || !within(p, bp) {
			continue
		}
		if p == bp {
			if targetKind != "eni" && targetKind != "gwlbe" && targetKind != "local" {
				return true, invalidParameterValue("Route target is not supported. This route only supports interface and instance targets.")
			}
			return true, nil
		}
		if targetKind == "eni" || targetKind == "gwlbe" || targetKind == "nat" {
			subnets, err := listByVPC[subnet](t, c.Account(), c.Region, kindSubnet, v.ID)
			if err != nil {
				return false, err
			}
			for _, sn := range subnets {
				if sn.CIDR == dest {
					return false, nil
				}
			}
		}
		return false, invalidParameterValue("The destination CIDR block %s is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.", dest)
	}
	return false, nil
}

// loadRouteTableFor reads the table a request names and authorizes action on it.
func loadRouteTableFor(ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, id string) (*routeTable, error) {
	authz := func(rt *routeTable) api.Authorization { return routeTableAuthorization(c, action, id, rt) }
	return load(ctx, c, t, dryRun, kindRouteTable, id, authz, unknownRouteTable)
}

func (s *Service) createRoute(ctx context.Context, c *api.Call, in *CreateRouteInput) (*CreateRouteOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := s.putRoute(ctx, c, "CreateRoute", createRouteRequest(in)); err != nil {
		return nil, err
	}
	return &CreateRouteOutput{Return: ptr(true)}, nil
}

func (s *Service) replaceRoute(ctx context.Context, c *api.Call, in *ReplaceRouteInput) (*ReplaceRouteOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := s.putRoute(ctx, c, "ReplaceRoute", replaceRouteRequest(in)); err != nil {
		return nil, err
	}
	return &ReplaceRouteOutput{}, nil
}

// putRoute is CreateRoute (action "CreateRoute") and ReplaceRoute.
func (s *Service) putRoute(ctx context.Context, c *api.Call, action string, req routeRequest) error {
	t, err := c.Tx()
	if err != nil {
		return err
	}
	rt, err := loadRouteTableFor(ctx, c, t, req.dryRun, action, req.tableID)
	if err != nil {
		return err
	}
	destKind, dest, err := req.destination()
	if err != nil {
		return err
	}
	tg, err := req.target()
	if err != nil {
		return err
	}
	made, targetKind, err := s.resolveTarget(t, c, rt, tg)
	if err != nil {
		return err
	}
	v, _, err := get[vpc](t, c.Account(), c.Region, kindVPC, rt.VPCID)
	if err != nil {
		return err
	}
	isLocal := false
	if destKind == "cidr" {
		if isLocal, err = checkInsideVPC(t, c, v, dest, targetKind); err != nil {
			return err
		}
	}
	if targetKind == "local" && !isLocal {
		// Only a VPC block's route can have the local target.
		return invalidParameterValue("Route target is not supported. This route only supports interface and instance targets.")
	}
	r := s.routeRenderer(t, c)
	routes := r.routes(rt)
	at := -1
	for i, rr := range routes {
		if rr.matches(destKind, dest) {
			at = i
			break
		}
	}
	switch destKind {
	case "cidr":
		made.DestinationCIDR = dest
	case "cidr6":
		made.DestinationIPv6CIDR = dest
	default:
		made.DestinationPrefixList = dest
	}
	made.State = "active"
	if action == "CreateRoute" {
		if at >= 0 {
			// Even the very same route again: a destination identifies a route, and AWS refuses a second one.
			return awserr.New("RouteAlreadyExists", "The route identified by %s already exists.", dest)
		}
		made.Origin = "CreateRoute"
		routes = append(routes, made)
	} else {
		if at < 0 {
			return invalidParameterValue("There is no route defined for '%s' in the route table. Use CreateRoute instead.", dest)
		}
		if routes[at].endpointRoute() {
			return invalidParameterValue("cannot replace VPC endpoint route %s in route table %s", dest, rt.ID)
		}
		made.Origin = routes[at].Origin
		routes[at] = made
	}
	rt.Routes = routes
	return putRouteTable(t, c.Account(), c.Region, rt)
}

func (s *Service) deleteRoute(ctx context.Context, c *api.Call, in *DeleteRouteInput) (*DeleteRouteOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	rt, err := loadRouteTableFor(ctx, c, t, in.DryRun, "DeleteRoute", in.RouteTableId)
	if err != nil {
		return nil, err
	}
	req := routeRequest{dest4: in.DestinationCidrBlock, dest6: in.DestinationIpv6CidrBlock, destPL: in.DestinationPrefixListId}
	destKind, dest, err := req.destination()
	if err != nil {
		return nil, err
	}
	r := s.routeRenderer(t, c)
	routes := r.routes(rt)
	for i, rr := range routes {
		if !rr.matches(destKind, dest) {
			continue
		}
		if rr.Origin == "CreateRouteTable" {
			return nil, invalidParameterValue("cannot remove local route %s in route table %s", dest, rt.ID)
		}
		if rr.endpointRoute() {
			return nil, invalidParameterValue("cannot remove VPC endpoint route %s in route table %s", dest, rt.ID)
		}
		rt.Routes = append(routes[:i:i], routes[i+1:]...)
		if err := putRouteTable(t, c.Account(), c.Region, rt); err != nil {
			return nil, err
		}
		return &DeleteRouteOutput{}, nil
	}
	param := map[string]string{"cidr": "destination-cidr-block", "cidr6": "destination-ipv6-cidr-block", "pl": "destination-prefix-list-id"}[destKind]
	return nil, notFound("InvalidRoute.NotFound", "no route with %s %s in route table %s", param, dest, rt.ID)
}

// Associations.

// findRouteAssociation finds the table that holds an association, among the account's tables in the region.
func findRouteAssociation(t store.Tx, account, region, id string) (*routeTable, int, error) {
	tables, err := list[routeTable](t, account, region, kindRouteTable)
	if err != nil {
		return nil, 0, err
	}
	for _, rt := range tables {
		for i, a := range rt.Associations {
			if a.ID == id {
				return rt, i, nil
			}
		}
	}
	return nil, -1, nil
}

func (s *Service) associateRouteTable(ctx context.Context, c *api.Call, in *AssociateRouteTableInput) (*AssociateRouteTableOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	rt, _, err := get[routeTable](t, acct, region, kindRouteTable, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	subnetID := deref(in.SubnetId)
	as := []api.Authorization{routeTableAuthorization(c, "AssociateRouteTable", in.RouteTableId, rt)}
	var sn *subnet
	if subnetID != "" {
		if sn, _, err = get[subnet](t, acct, region, kindSubnet, subnetID); err != nil {
			return nil, err
		}
		as = append(as, subnetAuthorization(c, "AssociateRouteTable", subnetID, sn))
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if in.GatewayId != nil && *in.GatewayId != "" {
		return nil, awserr.Newf(awserr.KindNotImplemented, "sagebox does not implement gateway route tables (AssociateRouteTable with GatewayId) yet")
	}
	if subnetID == "" {
		return nil, missingParameter("The request must contain the parameter subnetId or gatewayId")
	}
	if rt == nil {
		return nil, unknownRouteTable(in.RouteTableId)
	}
	if sn == nil {
		return nil, unknownSubnet(subnetID)
	}
	if sn.VPCID != rt.VPCID {
		return nil, invalidParameterValue("route table %s and subnet %s belong to different networks", rt.ID, sn.ID)
	}
	tables, err := listByVPC[routeTable](t, acct, region, kindRouteTable, rt.VPCID)
	if err != nil {
		return nil, err
	}
	for _, other := range tables {
		for _, a := range other.Associations {
			if a.SubnetID == sn.ID {
				return nil, awserr.New("Resource.AlreadyAssociated", "the specified association for route table %s conflicts with an existing association", rt.ID)
			}
		}
	}
	a := routeAssociation{ID: s.ids.EC2("rtbassoc"), SubnetID: sn.ID}
	rt.Associations = append(rt.Associations, a)
	if err := putRouteTable(t, acct, region, rt); err != nil {
		return nil, err
	}
	return &AssociateRouteTableOutput{AssociationId: ptr(a.ID), AssociationState: &RouteTableAssociationState{State: ptr("associated")}}, nil
}

// associationAuthorizations are the authorizations of a call on an existing association: its table and, for a
// subnet's, its subnet. A call naming an association that does not exist names no resource.
func associationAuthorizations(t store.Tx, c *api.Call, action string, rt *routeTable, a *routeAssociation) ([]api.Authorization, error) {
	if rt == nil {
		return []api.Authorization{{Action: "ec2:" + action, Resources: []string{"*"}, Context: map[string][]string{"ec2:Region": {c.Region}}}}, nil
	}
	as := []api.Authorization{routeTableAuthorization(c, action, rt.ID, rt)}
	if a.SubnetID != "" {
		sn, _, err := get[subnet](t, c.Account(), c.Region, kindSubnet, a.SubnetID)
		if err != nil {
			return nil, err
		}
		as = append(as, subnetAuthorization(c, action, a.SubnetID, sn))
	}
	return as, nil
}

func (s *Service) disassociateRouteTable(ctx context.Context, c *api.Call, in *DisassociateRouteTableInput) (*DisassociateRouteTableOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	rt, i, err := findRouteAssociation(t, acct, region, in.AssociationId)
	if err != nil {
		return nil, err
	}
	var a routeAssociation
	if rt != nil {
		a = rt.Associations[i]
	}
	as, err := associationAuthorizations(t, c, "DisassociateRouteTable", rt, &a)
	if err != nil {
		return nil, err
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if rt == nil {
		return nil, unknownAssociation(in.AssociationId)
	}
	if a.Main {
		return nil, invalidParameterValue("cannot disassociate the main route table association %s", a.ID)
	}
	rt.Associations = append(rt.Associations[:i:i], rt.Associations[i+1:]...)
	if err := putRouteTable(t, acct, region, rt); err != nil {
		return nil, err
	}
	return &DisassociateRouteTableOutput{}, nil
}

func (s *Service) replaceRouteTableAssociation(ctx context.Context, c *api.Call, in *ReplaceRouteTableAssociationInput) (*ReplaceRouteTableAssociationOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	old, i, err := findRouteAssociation(t, acct, region, in.AssociationId)
	if err != nil {
		return nil, err
	}
	to, _, err := get[routeTable](t, acct, region, kindRouteTable, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	as := []api.Authorization{routeTableAuthorization(c, "ReplaceRouteTableAssociation", in.RouteTableId, to)}
	var a routeAssociation
	if old != nil {
		a = old.Associations[i]
		if a.SubnetID != "" {
			sn, _, err := get[subnet](t, acct, region, kindSubnet, a.SubnetID)
			if err != nil {
				return nil, err
			}
			as = append(as, subnetAuthorization(c, "ReplaceRouteTableAssociation", a.SubnetID, sn))
		}
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if old == nil {
		return nil, unknownAssociation(in.AssociationId)
	}
	if to == nil {
		return nil, unknownRouteTable(in.RouteTableId)
	}
	if to.VPCID != old.VPCID {
		if a.SubnetID != "" {
			return nil, invalidParameterValue("route table %s and subnet %s belong to different networks", to.ID, a.SubnetID)
		}
		return nil, invalidParameterValue("route table %s and route table %s belong to different networks", to.ID, old.ID)
	}
	moved := routeAssociation{ID: s.ids.EC2("rtbassoc"), SubnetID: a.SubnetID, Main: a.Main}
	old.Associations = append(old.Associations[:i:i], old.Associations[i+1:]...)
	if old.ID == to.ID {
		to = old
	} else if err := putRouteTable(t, acct, region, old); err != nil {
		return nil, err
	}
	to.Associations = append(to.Associations, moved)
	if err := putRouteTable(t, acct, region, to); err != nil {
		return nil, err
	}
	if moved.Main {
		// The VPC's main table follows its main association.
		v, _, err := get[vpc](t, acct, region, kindVPC, to.VPCID)
		if err != nil {
			return nil, err
		}
		if v != nil {
			v.MainRouteTable = to.ID
			if err := putVPC(t, acct, region, v); err != nil {
				return nil, err
			}
		}
	}
	return &ReplaceRouteTableAssociationOutput{NewAssociationId: ptr(moved.ID), AssociationState: &RouteTableAssociationState{State: ptr("associated")}}, nil
}
