package ec2

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerEndpoints(h *api.ServiceHandlers) {
	api.Write(h, "CreateVpcEndpoint", s.createVpcEndpoint)
	api.Write(h, "ModifyVpcEndpoint", s.modifyVpcEndpoint)
	api.Write(h, "DeleteVpcEndpoints", s.deleteVpcEndpoints)
	api.Read(h, "DescribeVpcEndpoints", s.describeVpcEndpoints)
	api.Read(h, "DescribeVpcEndpointServices", s.describeVpcEndpointServices)
	api.Read(h, "DescribePrefixLists", s.describePrefixLists)
}

// interfaceEndpointDelay is how long an interface endpoint stays pending before it is available (AWS takes a
// minute or two to place its network interfaces), scaled by the service's LifecycleScale.
const interfaceEndpointDelay = 90 * time.Second

// maxEndpointPolicy is the size of an endpoint policy in characters, white space included (AWS PrivateLink
// Guide, "Control access to VPC endpoints using endpoint policies": "cannot exceed 20,480 characters, including
// white space").
const maxEndpointPolicy = 20480

// The default endpoint policies, as DescribeVpcEndpoints shows them: gateway endpoints in one line with Version
// 2008-10-17, interface endpoints pretty-printed without a Version (the AWS CLI's describe-vpc-endpoints example).
const (
	defaultGatewayPolicy   = `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	defaultInterfacePolicy = "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}"
)

func defaultEndpointPolicy(typ string) string {
	if typ == "Gateway" {
		return defaultGatewayPolicy
	}
	return defaultInterfacePolicy
}

// endpointState is an endpoint's state at now: an interface endpoint is pending until its delay has passed.
func (s *Service) endpointState(e *endpoint, now time.Time) string {
	if e.State == "pending" && !now.Before(e.Created.Add(s.delay(interfaceEndpointDelay))) {
		return "available"
	}
	return e.State
}

// Errors of the endpoint operations. Where AWS's text was found (public error reports) it is AWS's; the others
// follow EC2's phrasing.
func noSuchEndpoint(id string) error {
	return notFound("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '%s' does not exist", id)
}

func malformedID(code, id, prefix string) error {
	return awserr.New(code, "Invalid Id: '%s' (expecting '%s-...; the Id may only contain lowercase alphanumeric characters and a single dash')", id, prefix)
}

func noSuchService(name string) error {
	return awserr.New("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", name)
}

func invalidPolicyDocument(detail string) error {
	return awserr.New("InvalidPolicyDocument", "The Policy Document is not valid. %s", detail)
}

// checkEndpointPolicy validates an endpoint policy as AWS does: JSON, at most 20,480 characters, and a
// resource-based policy of the IAM policy language ("It must contain a Principal element").
func checkEndpointPolicy(text string) error {
	if utf8.RuneCountInString(text) > maxEndpointPolicy {
		return invalidPolicyDocument("Policy size exceeds the maximum of 20480 characters.")
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		line, col := 1, 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col = position(text, int(se.Offset))
		}
		return invalidPolicyDocument("Syntax error at position (" + strconv.Itoa(line) + "," + strconv.Itoa(col) + ")")
	}
	if _, err := policy.Parse(text, policy.Resource); err != nil {
		var perr *policy.Error
		if errors.As(err, &perr) {
			return invalidPolicyDocument(perr.Message)
		}
		return err
	}
	return nil
}

// position turns the offset after a JSON syntax error into the line and column (from 1) of the character at
// fault, as AWS names it ("Syntax error at position (1,75)").
func position(text string, offset int) (line, col int) {
	idx := min(max(offset-1, 0), len(text))
	line, col = 1, 1
	for _, r := range text[:idx] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// EndpointPolicy returns the compiled policy of a VPC endpoint of the account's region, for deciding requests
// that come through the endpoint; nil when there is no such endpoint.
func (s *Service) EndpointPolicy(t store.Tx, account, region, id string) (*policy.Compiled, error) {
	e, _, err := get[endpoint](t, account, region, kindEndpoint, id)
	if err != nil || e == nil {
		return nil, err
	}
	arnText := "arn:aws:ec2:" + region + ":" + account + ":vpc-endpoint/" + e.ID
	return policy.CompileText(e.Policy, policy.Resource, arnText, policy.EndpointPolicy)
}

// endpointKeys are the condition keys of an existing endpoint: its tags, its region and its service's name.
func endpointKeys(c *api.Call, e *endpoint) map[string][]string {
	keys := resourceKeys(c, e.Tags, "")
	keys["ec2:VpceServiceName"] = []string{e.ServiceName}
	return keys
}

// vpcMember is what related reads of a route table, subnet or security group: its tags and its VPC.
type vpcMember struct {
	Tags []tag  `json:"tags"`
	VPC  string `json:"vpc"`
}

// related are the authorizations a call that uses route tables, subnets and security groups asks for: each on
// the resource's ARN with its tags, its id key and its VPC. A resource that does not exist is asked for on its ARN
// alone; the handler answers NotFound for it once authorized.
func related(t store.Tx, c *api.Call, action string, rtbs, subnets, groups []string) ([]api.Authorization, error) {
	var out []api.Authorization
	add := func(kind, typ, prefix, idKey string, ids []string) error {
		for _, id := range ids {
			keys := map[string][]string{"ec2:Region": {c.Region}}
			if wellFormedID(id, prefix) {
				m, _, err := get[vpcMember](t, c.Account(), c.Region, kind, id)
				if err != nil {
					return err
				}
				if m != nil {
					keys = resourceKeys(c, m.Tags, m.VPC)
				}
			}
			keys[idKey] = []string{id}
			out = append(out, api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, typ, id)}, Context: keys})
		}
		return nil
	}
	if err := add(kindRouteTable, "route-table", "rtb", "ec2:RouteTableID", rtbs); err != nil {
		return nil, err
	}
	if err := add(kindSubnet, "subnet", "subnet", "ec2:SubnetID", subnets); err != nil {
		return nil, err
	}
	if err := add(kindSecurityGroup, "security-group", "sg", "ec2:SecurityGroupID", groups); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) createVpcEndpoint(ctx context.Context, c *api.Call, in *CreateVpcEndpointInput) (*CreateVpcEndpointOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	// A bad tag specification is refused once the call is authorized (without its tags' keys), as every answer is.
	tags, tagsErr := tagsFromSpecs(in.TagSpecifications, "vpc-endpoint")
	typ := deref(in.VpcEndpointType)
	if typ == "" {
		typ = "Gateway"
	}
	serviceName := deref(in.ServiceName)
	rtbs, subnets, groups := unique(in.RouteTableIds), unique(in.SubnetIds), unique(in.SecurityGroupIds)

	v, _, err := get[vpc](t, c.Account(), c.Region, kindVPC, in.VpcId)
	if err != nil {
		return nil, err
	}
	vpcKeys := map[string][]string{"ec2:Region": {c.Region}}
	if v != nil {
		vpcKeys = resourceKeys(c, v.Tags, "")
	}
	vpcKeys["ec2:VpcID"] = []string{in.VpcId}
	newKeys := requestTagKeys(map[string][]string{"ec2:Region": {c.Region}, "ec2:VpceServiceName": {serviceName}}, tags)
	if findEndpointService(c.Region, serviceName) != nil {
		newKeys["ec2:VpceServiceOwner"] = []string{"amazon"}
	}
	as := []api.Authorization{
		{Action: "ec2:CreateVpcEndpoint", Resources: []string{arn(c, "vpc-endpoint", "*")}, Context: newKeys},
		{Action: "ec2:CreateVpcEndpoint", Resources: []string{arn(c, "vpc", in.VpcId)}, Context: vpcKeys},
	}
	rel, err := related(t, c, "CreateVpcEndpoint", rtbs, subnets, groups)
	if err != nil {
		return nil, err
	}
	as = append(as, rel...)
	if len(tags) > 0 {
		as = append(as, createTagsAuthorization(c, arn(c, "vpc-endpoint", "*"), tags))
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tagsErr != nil {
		return nil, tagsErr
	}
	if !wellFormedID(in.VpcId, "vpc") {
		return nil, malformedID("InvalidVpcId.Malformed", in.VpcId, "vpc")
	}
	if v == nil {
		return nil, vpcNotFound(in.VpcId)
	}
	if serviceName == "" {
		return nil, missingParameter("The request must contain the parameter ServiceName")
	}
	svc := findEndpointService(c.Region, serviceName)
	if svc == nil {
		return nil, noSuchService(serviceName)
	}
	if !svc.offers(typ) {
		return nil, invalidParameter("Endpoint type (%s) does not match available service types ([%s]).", typ, strings.Join(svc.types(), ", "))
	}
	e := &endpoint{
		ID: s.ids.EC2("vpce"), Tags: tags, Owner: c.Account(), VPCID: v.ID, ServiceName: serviceName, Type: typ,
		Created: c.Now.UTC(), Policy: defaultEndpointPolicy(typ),
	}
	if in.PolicyDocument != nil {
		if svc.noPolicy {
			return nil, invalidParameter("The VPC endpoint service %s does not support policies.", serviceName)
		}
		if err := checkEndpointPolicy(*in.PolicyDocument); err != nil {
			return nil, err
		}
		e.Policy = *in.PolicyDocument
	}
	switch typ {
	case "Gateway":
		if len(subnets) > 0 {
			return nil, invalidParameter("Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
		}
		if len(groups) > 0 {
			return nil, invalidParameter("Security group IDs are only supported for Interface type VPC Endpoints.")
		}
		e.State = "available"
		for _, id := range rtbs {
			if err := s.routeToEndpoint(t, c, e, id); err != nil {
				return nil, err
			}
		}
	case "Interface":
		if len(rtbs) > 0 {
			return nil, invalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint.")
		}
		e.State = "pending"
		if len(groups) == 0 {
			groups = []string{v.DefaultGroup}
		}
		if err := checkEndpointGroups(t, c, v.ID, groups); err != nil {
			return nil, err
		}
		e.GroupIDs = groups
		privateDNS := svc.privateDNS != ""
		if in.PrivateDnsEnabled != nil {
			privateDNS = *in.PrivateDnsEnabled
		}
		if privateDNS {
			if err := s.checkPrivateDNS(t, c, v, svc, e.ID); err != nil {
				return nil, err
			}
		}
		e.PrivateDNSEnabled = privateDNS
		if err := s.addEndpointSubnets(t, c, e, subnets); err != nil {
			return nil, err
		}
	}
	if err := putEndpoint(t, c.Account(), c.Region, e); err != nil {
		return nil, err
	}
	out, err := s.apiEndpoint(t, c, e)
	if err != nil {
		return nil, err
	}
	return &CreateVpcEndpointOutput{VpcEndpoint: out, ClientToken: in.ClientToken}, nil
}

// checkEndpointGroups checks an interface endpoint's security groups: well-formed, existing, of its VPC.
func checkEndpointGroups(t store.Tx, c *api.Call, vpcID string, groups []string) error {
	for _, id := range groups {
		if !wellFormedID(id, "sg") {
			return malformedID("InvalidSecurityGroupId.Malformed", id, "sg")
		}
	}
	return checkGroups(t, c.Account(), c.Region, vpcID, groups)
}

// routeToEndpoint adds the gateway endpoint's route to a route table of its VPC: the service's prefix list to the
// endpoint, as DescribeRouteTables shows it (DestinationPrefixListId pl-…, GatewayId vpce-…, Origin CreateRoute).
// A table that already routes the prefix list is refused, as AWS refuses it.
func (s *Service) routeToEndpoint(t store.Tx, c *api.Call, e *endpoint, rtbID string) error {
	if !wellFormedID(rtbID, "rtb") {
		return malformedID("InvalidRouteTableId.Malformed", rtbID, "rtb")
	}
	rt, _, err := get[routeTable](t, c.Account(), c.Region, kindRouteTable, rtbID)
	if err != nil {
		return err
	}
	if rt == nil {
		return notFound("InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist", rtbID)
	}
	if rt.VPCID != e.VPCID {
		return invalidParameter("route table %s and vpc %s belong to different networks", rtbID, e.VPCID)
	}
	pl, _ := findPrefixList(c.Region, findEndpointService(c.Region, e.ServiceName))
	for _, r := range rt.Routes {
		if r.DestinationPrefixList == pl.ID {
			return awserr.New("RouteAlreadyExists", "route table %s already has a route with destination-prefix-list-id %s", rtbID, pl.ID)
		}
	}
	rt.Routes = append(rt.Routes, route{DestinationPrefixList: pl.ID, GatewayID: e.ID, Origin: "CreateRoute", State: "active"})
	if err := putRouteTable(t, c.Account(), c.Region, rt); err != nil {
		return err
	}
	e.RouteTableIDs = append(e.RouteTableIDs, rtbID)
	return nil
}

// unrouteEndpoint removes a gateway endpoint's route from a route table (which may be gone).
func unrouteEndpoint(t store.Tx, account, region string, e *endpoint, rtbID string) error {
	rt, _, err := get[routeTable](t, account, region, kindRouteTable, rtbID)
	if err != nil || rt == nil {
		return err
	}
	kept := rt.Routes[:0]
	for _, r := range rt.Routes {
		if r.GatewayID == e.ID && r.DestinationPrefixList != "" {
			continue
		}
		kept = append(kept, r)
	}
	rt.Routes = kept
	return putRouteTable(t, account, region, rt)
}

// addEndpointSubnets puts one requester-managed network interface of an interface endpoint in each subnet, which
// must be of the endpoint's VPC, each in a zone of its own (AWS: one endpoint subnet per availability zone).
func (s *Service) addEndpointSubnets(t store.Tx, c *api.Call, e *endpoint, subnets []string) error {
	zones := map[string]bool{}
	for _, id := range e.SubnetIDs {
		sn, _, err := get[subnet](t, c.Account(), c.Region, kindSubnet, id)
		if err != nil {
			return err
		}
		if sn != nil {
			zones[sn.Zone] = true
		}
	}
	for _, id := range subnets {
		if !wellFormedID(id, "subnet") {
			return awserr.New("InvalidSubnetId.Malformed", "Invalid Subnet Id: '%s' (expecting 'subnet-...; the Id may only contain lowercase alphanumeric characters and a single dash')", id)
		}
		if contains(e.SubnetIDs, id) {
			continue
		}
		sn, _, err := get[subnet](t, c.Account(), c.Region, kindSubnet, id)
		if err != nil {
			return err
		}
		if sn == nil {
			return subnetNotFound(id)
		}
		if sn.VPCID != e.VPCID {
			return invalidParameter("The subnet ID '%s' does not belong to the VPC '%s'", id, e.VPCID)
		}
		if zones[sn.Zone] {
			return awserr.New("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the availability zone of %s. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.", id)
		}
		zones[sn.Zone] = true
		n, err := s.newInterface(t, c.Account(), c.Region, interfaceSpec{
			SubnetID: id, Description: "VPC Endpoint Interface " + e.ID, Type: "vpc_endpoint",
			RequesterManaged: true, GroupIDs: append([]string(nil), e.GroupIDs...), Status: "in-use",
		})
		if err != nil {
			return err
		}
		e.SubnetIDs = append(e.SubnetIDs, id)
		e.InterfaceIDs = append(e.InterfaceIDs, n.ID)
	}
	return nil
}

// removeEndpointSubnet removes an interface endpoint's network interface from a subnet.
func removeEndpointSubnet(t store.Tx, account, region string, e *endpoint, subnetID string) error {
	var keptSubnets, keptENIs []string
	for _, id := range e.InterfaceIDs {
		n, _, err := get[networkInterface](t, account, region, kindInterface, id)
		if err != nil {
			return err
		}
		if n != nil && n.Subnet == subnetID {
			if err := removeInterface(t, account, region, n); err != nil {
				return err
			}
			continue
		}
		keptENIs = append(keptENIs, id)
	}
	for _, id := range e.SubnetIDs {
		if id != subnetID {
			keptSubnets = append(keptSubnets, id)
		}
	}
	e.SubnetIDs, e.InterfaceIDs = keptSubnets, keptENIs
	return nil
}

// checkPrivateDNS checks that an interface endpoint may have private DNS: the VPC resolves names and gives
// hostnames, no other endpoint of the VPC already answers for the service's name, and for S3, whose interface
// endpoints answer only resolvers outside the VPC, the VPC has a gateway endpoint for S3.
func (s *Service) checkPrivateDNS(t store.Tx, c *api.Call, v *vpc, svc *endpointService, self string) error {
	if !v.DNSSupport || !v.DNSHostnames {
		return invalidParameter("Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for %s", v.ID)
	}
	others, err := listByVPC[endpoint](t, c.Account(), c.Region, kindEndpoint, v.ID)
	if err != nil {
		return err
	}
	if svc.privateDNS == "" {
		for _, o := range others {
			if o.ServiceName == svc.name(c.Region) && o.Type == "Gateway" {
				return nil
			}
		}
		return invalidParameter("To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC %s must have a Gateway endpoint for the service.", v.ID)
	}
	for _, o := range others {
		if o.ID != self && o.Type == "Interface" && o.ServiceName == svc.name(c.Region) && o.PrivateDNSEnabled {
			return invalidParameter("private-dns-enabled cannot be set because there is already a conflicting DNS domain for %s in the VPC %s", svc.privateDNSName(c.Region), v.ID)
		}
	}
	return nil
}

func (s *Service) modifyVpcEndpoint(ctx context.Context, c *api.Call, in *ModifyVpcEndpointInput) (*ModifyVpcEndpointOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	e, _, err := get[endpoint](t, c.Account(), c.Region, kindEndpoint, in.VpcEndpointId)
	if err != nil {
		return nil, err
	}
	keys := map[string][]string{"ec2:Region": {c.Region}}
	if e != nil {
		keys = endpointKeys(c, e)
	}
	as := []api.Authorization{{Action: "ec2:ModifyVpcEndpoint", Resources: []string{arn(c, "vpc-endpoint", in.VpcEndpointId)}, Context: keys}}
	rtbs := unique(append(append([]string(nil), in.AddRouteTableIds...), in.RemoveRouteTableIds...))
	subnets := unique(append(append([]string(nil), in.AddSubnetIds...), in.RemoveSubnetIds...))
	groups := unique(append(append([]string(nil), in.AddSecurityGroupIds...), in.RemoveSecurityGroupIds...))
	rel, err := related(t, c, "ModifyVpcEndpoint", rtbs, subnets, groups)
	if err != nil {
		return nil, err
	}
	if err := authorizeMany(ctx, c, in.DryRun, append(as, rel...)...); err != nil {
		return nil, err
	}
	if !wellFormedID(in.VpcEndpointId, "vpce") {
		return nil, malformedID("InvalidVpcEndpointId.Malformed", in.VpcEndpointId, "vpce")
	}
	if e == nil {
		return nil, noSuchEndpoint(in.VpcEndpointId)
	}
	v, _, err := get[vpc](t, c.Account(), c.Region, kindVPC, e.VPCID)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, vpcNotFound(e.VPCID)
	}
	svc := findEndpointService(c.Region, e.ServiceName)
	if svc == nil {
		return nil, noSuchService(e.ServiceName)
	}

	switch {
	case deref(in.ResetPolicy) && in.PolicyDocument != nil:
		return nil, invalidParameterCombination("The parameter PolicyDocument cannot be used with the parameter ResetPolicy")
	case deref(in.ResetPolicy):
		e.Policy = defaultEndpointPolicy(e.Type)
	case in.PolicyDocument != nil:
		if svc.noPolicy {
			return nil, invalidParameter("The VPC endpoint service %s does not support policies.", e.ServiceName)
		}
		if err := checkEndpointPolicy(*in.PolicyDocument); err != nil {
			return nil, err
		}
		e.Policy = *in.PolicyDocument
	}

	if e.Type == "Gateway" {
		if len(in.AddSubnetIds)+len(in.RemoveSubnetIds) > 0 {
			return nil, invalidParameter("Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
		}
		if len(in.AddSecurityGroupIds)+len(in.RemoveSecurityGroupIds) > 0 {
			return nil, invalidParameter("Security group IDs are only supported for Interface type VPC Endpoints.")
		}
		for _, id := range unique(in.RemoveRouteTableIds) {
			if !wellFormedID(id, "rtb") {
				return nil, malformedID("InvalidRouteTableId.Malformed", id, "rtb")
			}
			if !contains(e.RouteTableIDs, id) {
				continue
			}
			if err := unrouteEndpoint(t, c.Account(), c.Region, e, id); err != nil {
				return nil, err
			}
			kept := e.RouteTableIDs[:0]
			for _, r := range e.RouteTableIDs {
				if r != id {
					kept = append(kept, r)
				}
			}
			e.RouteTableIDs = kept
		}
		for _, id := range unique(in.AddRouteTableIds) {
			if contains(e.RouteTableIDs, id) {
				continue
			}
			if err := s.routeToEndpoint(t, c, e, id); err != nil {
				return nil, err
			}
		}
	} else {
		if len(in.AddRouteTableIds)+len(in.RemoveRouteTableIds) > 0 {
			return nil, invalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint.")
		}
		if len(in.AddSecurityGroupIds)+len(in.RemoveSecurityGroupIds) > 0 {
			if err := checkEndpointGroups(t, c, e.VPCID, unique(in.AddSecurityGroupIds)); err != nil {
				return nil, err
			}
			next := append([]string(nil), e.GroupIDs...)
			for _, id := range unique(in.AddSecurityGroupIds) {
				if !contains(next, id) {
					next = append(next, id)
				}
			}
			var kept []string
			for _, id := range next {
				if !contains(in.RemoveSecurityGroupIds, id) {
					kept = append(kept, id)
				}
			}
			if len(kept) == 0 {
				return nil, invalidParameter("VPC endpoint %s must have at least one security group.", e.ID)
			}
			e.GroupIDs = kept
			for _, id := range e.InterfaceIDs {
				n, _, err := get[networkInterface](t, c.Account(), c.Region, kindInterface, id)
				if err != nil {
					return nil, err
				}
				if n != nil {
					n.GroupIDs = append([]string(nil), kept...)
					if err := putInterface(t, c.Account(), c.Region, n); err != nil {
						return nil, err
					}
				}
			}
		}
		for _, id := range unique(in.RemoveSubnetIds) {
			if !wellFormedID(id, "subnet") {
				return nil, awserr.New("InvalidSubnetId.Malformed", "Invalid Subnet Id: '%s' (expecting 'subnet-...; the Id may only contain lowercase alphanumeric characters and a single dash')", id)
			}
			if err := removeEndpointSubnet(t, c.Account(), c.Region, e, id); err != nil {
				return nil, err
			}
		}
		if err := s.addEndpointSubnets(t, c, e, unique(in.AddSubnetIds)); err != nil {
			return nil, err
		}
		if in.PrivateDnsEnabled != nil && *in.PrivateDnsEnabled != e.PrivateDNSEnabled {
			if *in.PrivateDnsEnabled {
				if err := s.checkPrivateDNS(t, c, v, svc, e.ID); err != nil {
					return nil, err
				}
			}
			e.PrivateDNSEnabled = *in.PrivateDnsEnabled
		}
	}
	if err := putEndpoint(t, c.Account(), c.Region, e); err != nil {
		return nil, err
	}
	return &ModifyVpcEndpointOutput{Return: ptr(true)}, nil
}

func (s *Service) deleteVpcEndpoints(ctx context.Context, c *api.Call, in *DeleteVpcEndpointsInput) (*DeleteVpcEndpointsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	ids := unique(in.VpcEndpointIds)
	if len(ids) == 0 {
		// The model requires ids, so only a caller that skips its validation gets here: it is asked for every
		// endpoint, since every answer must be authorized, and told what is missing.
		if err := authorize(ctx, c, in.DryRun, "DeleteVpcEndpoints", []string{arn(c, "vpc-endpoint", "*")}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
			return nil, err
		}
		return nil, missingParameter("The request must contain the parameter VpcEndpointId")
	}
	found := map[string]*endpoint{}
	var as []api.Authorization
	for _, id := range ids {
		keys := map[string][]string{"ec2:Region": {c.Region}}
		if wellFormedID(id, "vpce") {
			e, _, err := get[endpoint](t, c.Account(), c.Region, kindEndpoint, id)
			if err != nil {
				return nil, err
			}
			if e != nil {
				found[id] = e
				keys = endpointKeys(c, e)
			}
		}
		as = append(as, api.Authorization{Action: "ec2:DeleteVpcEndpoints", Resources: []string{arn(c, "vpc-endpoint", id)}, Context: keys})
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	out := &DeleteVpcEndpointsOutput{}
	for _, id := range ids {
		e := found[id]
		if e == nil {
			code, msg := "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '"+id+"' does not exist"
			if !wellFormedID(id, "vpce") {
				code = "InvalidVpcEndpointId.Malformed"
				msg = "Invalid Id: '" + id + "' (expecting 'vpce-...; the Id may only contain lowercase alphanumeric characters and a single dash')"
			}
			out.Unsuccessful = append(out.Unsuccessful, &UnsuccessfulItem{
				ResourceId: ptr(id), Error: &UnsuccessfulItemError{Code: ptr(code), Message: ptr(msg)},
			})
			continue
		}
		if err := removeEndpoint(t, c.Account(), c.Region, e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// removeEndpoint deletes an endpoint with what it made: a gateway's routes, an interface endpoint's network
// interfaces.
func removeEndpoint(t store.Tx, account, region string, e *endpoint) error {
	for _, id := range e.RouteTableIDs {
		if err := unrouteEndpoint(t, account, region, e, id); err != nil {
			return err
		}
	}
	for _, id := range e.InterfaceIDs {
		n, _, err := get[networkInterface](t, account, region, kindInterface, id)
		if err != nil {
			return err
		}
		if n != nil {
			if err := removeInterface(t, account, region, n); err != nil {
				return err
			}
		}
	}
	return t.Delete(key(account, region, kindEndpoint, e.ID))
}

// endpointFilters are DescribeVpcEndpoints' filters, as the EC2 API Reference lists them.
func (s *Service) endpointFilters(c *api.Call, e *endpoint) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "ip-address-type":
			return []string{"ipv4"}, true
		case "service-name":
			return []string{e.ServiceName}, true
		case "service-region":
			return []string{c.Region}, true
		case "vpc-id":
			return []string{e.VPCID}, true
		case "vpc-endpoint-id":
			return []string{e.ID}, true
		case "vpc-endpoint-state":
			return []string{s.endpointState(e, c.Now)}, true
		case "vpc-endpoint-type":
			return []string{e.Type}, true
		}
		return nil, false
	}
}

func (s *Service) describeVpcEndpoints(ctx context.Context, c *api.Call, in *DescribeVpcEndpointsInput) (*DescribeVpcEndpointsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeVpcEndpoints", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters, s.endpointFilters(c, &endpoint{})); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	all, next, err := describe(t, c, describing[endpoint]{
		kind: kindEndpoint, id: func(e *endpoint) string { return e.ID }, tags: func(e *endpoint) []tag { return e.Tags },
		values:   func(e *endpoint) (filterValues, error) { return s.endpointFilters(c, e), nil },
		notFound: func(missing []string) error { return noSuchEndpoint(missing[0]) },
		check: func(id string) error {
			if !wellFormedID(id, "vpce") {
				return malformedID("InvalidVpcEndpointId.Malformed", id, "vpce")
			}
			return nil
		},
	}, in.VpcEndpointIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeVpcEndpointsOutput{VpcEndpoints: []*VpcEndpoint{}, NextToken: next}
	for _, e := range all {
		ve, err := s.apiEndpoint(t, c, e)
		if err != nil {
			return nil, err
		}
		out.VpcEndpoints = append(out.VpcEndpoints, ve)
	}
	return out, nil
}

// vpceHostedZone is the hosted zone of a region's endpoint-specific DNS names. us-east-1's is AWS's (the AWS CLI's
// describe-vpc-endpoints example); other regions get an id made from their name.
func vpceHostedZone(region string) string {
	if region == "us-east-1" {
		return "Z7HUB22UULQXV"
	}
	return "Z" + strings.ToUpper(hashText(region, 12))
}

// hashText is n lowercase letters and digits derived from s: stable, for names AWS makes at random once (an
// endpoint's DNS label) and sagebox keeps no record of.
func hashText(s string, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	h := fnv.New64a()
	h.Write([]byte(s))
	v := h.Sum64()
	out := make([]byte, n)
	for i := range out {
		if v == 0 {
			h.Write([]byte{byte(i)})
			v = h.Sum64()
		}
		out[i] = letters[v%uint64(len(letters))]
		v /= uint64(len(letters))
	}
	return string(out)
}

// apiEndpoint renders a stored endpoint as DescribeVpcEndpoints shows it.
func (s *Service) apiEndpoint(t store.Tx, c *api.Call, e *endpoint) (*VpcEndpoint, error) {
	out := &VpcEndpoint{
		VpcEndpointId: ptr(e.ID), VpcEndpointType: ptr(e.Type), VpcId: ptr(e.VPCID), ServiceName: ptr(e.ServiceName),
		State: ptr(s.endpointState(e, c.Now)), RouteTableIds: []string{},
		SubnetIds: append([]string{}, e.SubnetIDs...), NetworkInterfaceIds: append([]string{}, e.InterfaceIDs...),
		Groups: []*SecurityGroupIdentifier{}, DnsEntries: []*DnsEntry{}, IpAddressType: ptr("ipv4"),
		DnsOptions: &DnsOptions{DnsRecordIpType: ptr("ipv4")}, PrivateDnsEnabled: ptr(e.PrivateDNSEnabled),
		RequesterManaged: ptr(false), CreationTimestamp: ptr(e.Created), Tags: apiTags(e.Tags), OwnerId: ptr(e.Owner),
		ServiceRegion: ptr(c.Region),
	}
	// A route table deleted since it was given to the endpoint is no longer one of its own.
	for _, id := range e.RouteTableIDs {
		if _, rec, err := get[taggedDoc](t, c.Account(), c.Region, kindRouteTable, id); err != nil {
			return nil, err
		} else if rec != nil {
			out.RouteTableIds = append(out.RouteTableIds, id)
		}
	}
	svc := findEndpointService(c.Region, e.ServiceName)
	if svc == nil || !svc.noPolicy {
		out.PolicyDocument = ptr(e.Policy)
	}
	if e.Type != "Interface" {
		return out, nil
	}
	if svc != nil && svc.privateDNS == "" && e.PrivateDNSEnabled {
		out.DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint = ptr(true)
	}
	for _, id := range e.GroupIDs {
		g, _, err := get[securityGroup](t, c.Account(), c.Region, kindSecurityGroup, id)
		if err != nil {
			return nil, err
		}
		gi := &SecurityGroupIdentifier{GroupId: ptr(id)}
		if g != nil {
			gi.GroupName = ptr(g.Name)
		}
		out.Groups = append(out.Groups, gi)
	}
	if svc == nil {
		return out, nil
	}
	zone := vpceHostedZone(c.Region)
	label := e.ID + "-" + hashText(e.ID, 8)
	base := svc.baseDNSName(c.Region, "Interface")
	out.DnsEntries = append(out.DnsEntries, &DnsEntry{DnsName: ptr(label + "." + base), HostedZoneId: ptr(zone)})
	for _, id := range e.SubnetIDs {
		sn, _, err := get[subnet](t, c.Account(), c.Region, kindSubnet, id)
		if err != nil {
			return nil, err
		}
		if sn != nil {
			out.DnsEntries = append(out.DnsEntries, &DnsEntry{DnsName: ptr(label + "-" + sn.Zone + "." + base), HostedZoneId: ptr(zone)})
		}
	}
	if e.PrivateDNSEnabled && svc.privateDNS != "" {
		private := "Z" + strings.ToUpper(hashText("private/"+e.ID, 20))
		out.DnsEntries = append(out.DnsEntries, &DnsEntry{DnsName: ptr(svc.privateDNSName(c.Region)), HostedZoneId: ptr(private)})
	}
	return out, nil
}

// serviceFilters are DescribeVpcEndpointServices' filters, as the EC2 API Reference lists them.
func serviceFilters(region string, e *endpointService, typ string) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "owner":
			return []string{"amazon"}, true
		case "service-name":
			return []string{e.name(region)}, true
		case "service-region":
			return []string{region}, true
		case "service-type":
			return []string{typ}, true
		case "supported-ip-address-types":
			return []string{"ipv4"}, true
		}
		return nil, false
	}
}

func (s *Service) describeVpcEndpointServices(ctx context.Context, c *api.Call, in *DescribeVpcEndpointServicesInput) (*DescribeVpcEndpointServicesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeVpcEndpointServices", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters, serviceFilters(c.Region, &endpointServices[0], "")); err != nil {
		return nil, err
	}
	for _, name := range in.ServiceNames {
		if findEndpointService(c.Region, name) == nil {
			return nil, noSuchService(name)
		}
	}
	type entry struct {
		key string
		svc *endpointService
		typ string
	}
	var entries []entry
	var keys []string
	for i := range endpointServices {
		e := &endpointServices[i]
		name := e.name(c.Region)
		if len(in.ServiceNames) > 0 && !contains(in.ServiceNames, name) {
			continue
		}
		if len(in.ServiceRegions) > 0 && !contains(in.ServiceRegions, c.Region) {
			continue
		}
		for _, typ := range e.types() {
			ok, err := matchFilters(in.Filters, nil, serviceFilters(c.Region, e, typ))
			if err != nil {
				return nil, err
			}
			if ok {
				entries = append(entries, entry{key: name + "/" + typ, svc: e, typ: typ})
				keys = append(keys, name+"/"+typ)
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	from, to, next, err := page(keys, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	zones := regionZones(c.Region)
	var zoneNames, zoneIDs []string
	for _, z := range zones {
		zoneNames = append(zoneNames, z.Name)
		zoneIDs = append(zoneIDs, z.ID)
	}
	out := &DescribeVpcEndpointServicesOutput{ServiceDetails: []*ServiceDetail{}, ServiceNames: []string{}}
	for _, en := range entries[from:to] {
		name := en.svc.name(c.Region)
		d := &ServiceDetail{
			ServiceName: ptr(name), ServiceId: ptr(serviceID(name, en.typ)),
			ServiceType:         []*ServiceTypeDetail{{ServiceType: ptr(en.typ)}},
			ServiceRegion:       ptr(c.Region),
			AvailabilityZones:   append([]string(nil), zoneNames...),
			AvailabilityZoneIds: append([]string(nil), zoneIDs...),
			Owner:               ptr("amazon"), BaseEndpointDnsNames: []string{en.svc.baseDNSName(c.Region, en.typ)},
			VpcEndpointPolicySupported: ptr(!en.svc.noPolicy), AcceptanceRequired: ptr(false),
			ManagesVpcEndpoints: ptr(false), SupportedIpAddressTypes: []string{"ipv4"}, Tags: []*Tag{},
		}
		if en.typ == "Interface" && en.svc.privateDNS != "" {
			dns := en.svc.privateDNSName(c.Region)
			d.PrivateDnsName = ptr(dns)
			d.PrivateDnsNames = []*PrivateDnsDetails{{PrivateDnsName: ptr(dns)}}
			d.PrivateDnsNameVerificationState = ptr("verified")
		}
		out.ServiceDetails = append(out.ServiceDetails, d)
		if n := len(out.ServiceNames); n == 0 || out.ServiceNames[n-1] != name {
			out.ServiceNames = append(out.ServiceNames, name)
		}
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}

func (s *Service) describePrefixLists(ctx context.Context, c *api.Call, in *DescribePrefixListsInput) (*DescribePrefixListsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribePrefixLists", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	values := func(pl prefixList) filterValues {
		return func(name string) ([]string, bool) {
			switch name {
			case "prefix-list-id":
				return []string{pl.ID}, true
			case "prefix-list-name":
				return []string{pl.Name}, true
			}
			return nil, false
		}
	}
	if err := checkFilters(in.Filters, values(prefixList{})); err != nil {
		return nil, err
	}
	all := prefixLists(c.Region)
	for _, id := range in.PrefixListIds {
		if !wellFormedID(id, "pl") {
			return nil, malformedID("InvalidPrefixListId.Malformed", id, "pl")
		}
		if _, ok := prefixListByID(c.Region, id); !ok {
			return nil, notFound("InvalidPrefixListID.NotFound", "The prefix list ID '%s' does not exist", id)
		}
	}
	var matched []prefixList
	var ids []string
	for _, pl := range all {
		if len(in.PrefixListIds) > 0 && !contains(in.PrefixListIds, pl.ID) {
			continue
		}
		ok, err := matchFilters(in.Filters, nil, values(pl))
		if err != nil {
			return nil, err
		}
		if ok {
			matched = append(matched, pl)
			ids = append(ids, pl.ID)
		}
	}
	from, to, next, err := page(ids, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribePrefixListsOutput{PrefixLists: []*PrefixList{}}
	for _, pl := range matched[from:to] {
		out.PrefixLists = append(out.PrefixLists, &PrefixList{
			PrefixListId: ptr(pl.ID), PrefixListName: ptr(pl.Name), Cidrs: append([]string(nil), pl.CIDRs...),
		})
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}
