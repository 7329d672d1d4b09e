package ec2

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerVPCs(h *api.ServiceHandlers) {
	api.Write(h, "CreateVpc", s.createVpc)
	api.Write(h, "DeleteVpc", s.deleteVpc)
	api.Read(h, "DescribeVpcs", s.describeVpcs)
	api.Write(h, "ModifyVpcAttribute", s.modifyVpcAttribute)
	api.Read(h, "DescribeVpcAttribute", s.describeVpcAttribute)
	api.Write(h, "AssociateVpcCidrBlock", s.associateVpcCidrBlock)
	api.Write(h, "DisassociateVpcCidrBlock", s.disassociateVpcCidrBlock)
}

// Quotas of the VPC User Guide ("Amazon VPC quotas"), at their defaults.
const (
	// maxVPCs is "VPCs per Region"; the default VPC counts.
	maxVPCs = 5
	// maxVPCBlocks is "IPv4 CIDR blocks per VPC", the primary included.
	maxVPCBlocks = 5
)

// cidrDocsURL is where AWS's refusal of a restricted block sends the reader.
const cidrDocsURL = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"

// wellFormedID reports whether id has the form EC2 gives ids of a kind: the prefix, a dash, and 8 or 17 lowercase
// hexadecimal digits (the short form of ids made before 2018, and today's).
func wellFormedID(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"-")
	if !ok || (len(rest) != 8 && len(rest) != 17) {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// idMalformed is EC2's answer to an id that cannot be of its kind, such as InvalidVpcID.Malformed `Invalid id:
// "x"`.
func idMalformed(code, id string) error { return notFound(code, "Invalid id: \"%s\"", id) }

func vpcNotFound(id string) error {
	return notFound("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
}

// idsNotFound is the NotFound error of a Describe call for the ids it names that do not exist: "The vpc ID 'x'
// does not exist", or for several "The vpc IDs 'x, y' do not exist".
func idsNotFound(code, what string, missing []string) error {
	if len(missing) == 1 {
		return notFound(code, "The %s ID '%s' does not exist", what, missing[0])
	}
	return notFound(code, "The %s IDs '%s' do not exist", what, strings.Join(missing, ", "))
}

// vpcKeys are the condition keys of an existing VPC, as the Service Authorization Reference lists them for the vpc
// resource type: its tags, ec2:VpcID, ec2:Tenancy and ec2:Region.
func vpcKeys(c *api.Call, v *vpc) map[string][]string {
	keys := resourceKeys(c, v.Tags, "")
	keys["ec2:VpcID"] = []string{v.ID}
	keys["ec2:Tenancy"] = []string{v.Tenancy}
	return keys
}

// findVPC reads the VPC a request names for a handler that authorizes on it before it may say that it does not
// exist: the VPC (nil when there is none) and the condition keys to authorize with.
func findVPC(c *api.Call, t store.Tx, id string) (*vpc, map[string][]string, error) {
	return findNamed(c, t, kindVPC, "ec2:VpcID", id, vpcKeys)
}

// findNamed is findVPC and findSubnet for any kind: the resource (nil when there is none) and its keys (keysOf), or
// for none ec2:Region and idKey with the id the request names.
func findNamed[T any](c *api.Call, t store.Tx, kind, idKey, id string, keysOf func(*api.Call, *T) map[string][]string) (*T, map[string][]string, error) {
	r, _, err := get[T](t, c.Account(), c.Region, kind, id)
	if err != nil {
		return nil, nil, err
	}
	if r == nil {
		return nil, map[string][]string{"ec2:Region": {c.Region}, idKey: {id}}, nil
	}
	return r, keysOf(c, r), nil
}

// loadVPCFor reads the VPC a request names and authorizes action on it, with its keys and more (ModifyVpcAttribute's
// ec2:Attribute keys, or nil); a malformed or unknown id is answered only once authorized.
func loadVPCFor(ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, id string, more map[string][]string) (*vpc, error) {
	return loadNamedFor(ctx, c, t, dryRun, action, "vpc", id, more, findVPC, "InvalidVpcID.Malformed", vpcNotFound)
}

// loadNamedFor is loadVPCFor and loadSubnetFor for any kind whose ids are prefix-… and whose ARN type is prefix:
// find reads the resource (nil when there is none) and its keys, malformedCode answers an id not of the kind's
// form and notFound one of that form that names nothing.
func loadNamedFor[T any](ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, prefix, id string, more map[string][]string,
	find func(*api.Call, store.Tx, string) (*T, map[string][]string, error), malformedCode string, notFound func(string) error) (*T, error) {
	r, keys, err := find(c, t, id)
	if err != nil {
		return nil, err
	}
	maps.Copy(keys, more)
	if err := authorize(ctx, c, dryRun, action, []string{arn(c, prefix, id)}, keys); err != nil {
		return nil, err
	}
	if !wellFormedID(id, prefix) {
		return nil, idMalformed(malformedCode, id)
	}
	if r == nil {
		return nil, notFound(id)
	}
	return r, nil
}

// apiVPC renders a stored VPC.
func apiVPC(v *vpc) *Vpc {
	out := &Vpc{
		OwnerId: ptr(v.Owner), InstanceTenancy: ptr(v.Tenancy), IsDefault: ptr(v.Default), Tags: apiTags(v.Tags),
		VpcId: ptr(v.ID), State: ptr(v.State), CidrBlock: ptr(v.CIDR), DhcpOptionsId: ptr(v.DHCPOptionsID),
		BlockPublicAccessStates: &BlockPublicAccessStates{InternetGatewayBlockMode: ptr("off")},
	}
	for _, b := range v.Blocks {
		out.CidrBlockAssociationSet = append(out.CidrBlockAssociationSet, apiBlock(b, b.State))
	}
	return out
}

func apiBlock(b cidrBlock, state string) *VpcCidrBlockAssociation {
	return &VpcCidrBlockAssociation{
		AssociationId: ptr(b.AssociationID), CidrBlock: ptr(b.CIDR), CidrBlockState: &VpcCidrBlockState{State: ptr(state)},
	}
}

// vpcFilter returns the values of a VPC for the filters DescribeVpcs documents.
func vpcFilter(v *vpc) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "cidr":
			return []string{v.CIDR}, true
		case "cidr-block-association.cidr-block", "cidr-block-association.association-id", "cidr-block-association.state":
			var out []string
			for _, b := range v.Blocks {
				switch name {
				case "cidr-block-association.cidr-block":
					out = append(out, b.CIDR)
				case "cidr-block-association.association-id":
					out = append(out, b.AssociationID)
				default:
					out = append(out, b.State)
				}
			}
			return out, true
		case "dhcp-options-id":
			return []string{v.DHCPOptionsID}, true
		case "ipv6-cidr-block-association.ipv6-cidr-block", "ipv6-cidr-block-association.ipv6-pool",
			"ipv6-cidr-block-association.association-id", "ipv6-cidr-block-association.state":
			return nil, true // sagebox's VPCs have no IPv6 blocks
		case "is-default", "isDefault":
			return boolValue(v.Default), true
		case "owner-id":
			return []string{v.Owner}, true
		case "state":
			return []string{v.State}, true
		case "vpc-id":
			return []string{v.ID}, true
		}
		return nil, false
	}
}

// parseBlock reads an IPv4 block as CreateVpc, CreateSubnet and AssociateVpcCidrBlock take it: bits set past the
// prefix are cleared ("We modify the specified CIDR block to its canonical form; for example, if you specify
// 100.68.0.18/18, we modify it to 100.68.0.0/18", EC2 API Reference). Anything that is not an IPv4 block is the
// error AWS answers for it.
func parseBlock(s string) (netip.Prefix, error) {
	p, ok := parseAnyCIDR(s)
	if !ok {
		return netip.Prefix{}, invalidParameterValue("Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", s)
	}
	return p, nil
}

// blockSizeOK reports whether a VPC or subnet block is between /16 and /28, the sizes EC2 allows.
func blockSizeOK(p netip.Prefix) bool { return p.Bits() >= 16 && p.Bits() <= 28 }

// noIPAM refuses the IPAM and IPv6 members of a request: sagebox has no IPAM pools and gives VPCs no IPv6 blocks.
func noIPAM(ipv4Pool, ipv6Pool, ipv6Block, ipv6AmazonPool *string, amazonIPv6 *bool) error {
	if id := deref(ipv4Pool); id != "" {
		return notFound("InvalidIpamPoolId.NotFound", "The pool ID '%s' does not exist", id)
	}
	if id := deref(ipv6Pool); id != "" {
		return notFound("InvalidIpamPoolId.NotFound", "The pool ID '%s' does not exist", id)
	}
	if deref(ipv6Block) != "" || deref(ipv6AmazonPool) != "" || deref(amazonIPv6) {
		return invalidParameterValue("IPv6 CIDR blocks are not supported by sagebox: give the VPC an IPv4 CIDR block only")
	}
	return nil
}

func (s *Service) createVpc(ctx context.Context, c *api.Call, in *CreateVpcInput) (*CreateVpcOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "vpc")
	as := withCreateTags(c, []api.Authorization{createAuthorization(c, "CreateVpc", "vpc", tags)}, "vpc", tags)
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tagErr != nil {
		return nil, tagErr
	}
	if err := noIPAM(in.Ipv4IpamPoolId, in.Ipv6IpamPoolId, in.Ipv6CidrBlock, in.Ipv6Pool, in.AmazonProvidedIpv6CidrBlock); err != nil {
		return nil, err
	}
	if in.CidrBlock == nil {
		return nil, missingParameter("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	p, err := parseBlock(*in.CidrBlock)
	if err != nil {
		return nil, err
	}
	if !blockSizeOK(p) {
		return nil, notFound("InvalidVpc.Range", "The CIDR '%s' is invalid.", *in.CidrBlock)
	}
	tenancy := deref(in.InstanceTenancy)
	switch tenancy {
	case "":
		tenancy = "default"
	case "host":
		return nil, notFound("UnsupportedTenancy", "The tenancy value host is not supported.")
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if n, err := t.Count(scope(c.Account(), c.Region, kindVPC)); err != nil {
		return nil, err
	} else if n >= maxVPCs {
		return nil, notFound("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
	}
	v, err := s.newVPC(t, c.Account(), c.Region, p.String(), tenancy)
	if err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		v.Tags = tags
		if err := putVPC(t, c.Account(), c.Region, v); err != nil {
			return nil, err
		}
	}
	out := apiVPC(v)
	// A new VPC is pending in CreateVpc's answer; DescribeVpcs finds it available (the VpcAvailable waiter's
	// condition), since sagebox makes it at once.
	out.State = ptr("pending")
	return &CreateVpcOutput{Vpc: out}, nil
}

func (s *Service) describeVpcs(ctx context.Context, c *api.Call, in *DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeVpcs", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	for _, id := range in.VpcIds {
		if !wellFormedID(id, "vpc") {
			return nil, idMalformed("InvalidVpcID.Malformed", id)
		}
	}
	if err := checkFilters(in.Filters, vpcFilter(&vpc{})); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	vs, next, err := describe(t, c, describing[vpc]{
		kind: kindVPC, id: func(v *vpc) string { return v.ID }, tags: func(v *vpc) []tag { return v.Tags },
		values:   func(v *vpc) (filterValues, error) { return vpcFilter(v), nil },
		notFound: func(missing []string) error { return idsNotFound("InvalidVpcID.NotFound", "vpc", missing) },
	}, in.VpcIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeVpcsOutput{Vpcs: []*Vpc{}, NextToken: next}
	for _, v := range vs {
		out.Vpcs = append(out.Vpcs, apiVPC(v))
	}
	return out, nil
}

// vpcDependencies names the first kind of resource that keeps a VPC from being deleted, or "" when nothing does:
// what the account made in the VPC (subnets, security groups other than the default, route tables other than the
// main one, network ACLs other than the default, an attached internet gateway, endpoints, NAT gateways not yet
// deleted, network interfaces). The VPC User Guide: "you must delete or detach all VPC resources that you created
// … You do not need to delete the default security group, default route table, and default network ACL."
func (s *Service) vpcDependencies(c *api.Call, t store.Tx, v *vpc) (string, error) {
	account, region := c.Account(), c.Region
	if subnets, err := listByVPC[subnet](t, account, region, kindSubnet, v.ID); err != nil || len(subnets) > 0 {
		return "subnet", err
	}
	groups, err := listByVPC[securityGroup](t, account, region, kindSecurityGroup, v.ID)
	if err != nil {
		return "", err
	}
	for _, g := range groups {
		if g.ID != v.DefaultGroup {
			return "security group", nil
		}
	}
	tables, err := listByVPC[routeTable](t, account, region, kindRouteTable, v.ID)
	if err != nil {
		return "", err
	}
	for _, rt := range tables {
		if rt.ID != v.MainRouteTable {
			return "route table", nil
		}
	}
	acls, err := listByVPC[networkACL](t, account, region, kindNetworkACL, v.ID)
	if err != nil {
		return "", err
	}
	for _, a := range acls {
		if a.ID != v.DefaultACL {
			return "network ACL", nil
		}
	}
	if igws, err := listByVPC[internetGateway](t, account, region, kindInternetGateway, v.ID); err != nil || len(igws) > 0 {
		return "internet gateway", err
	}
	if eps, err := listByVPC[endpoint](t, account, region, kindEndpoint, v.ID); err != nil || len(eps) > 0 {
		return "VPC endpoint", err
	}
	nats, err := listByVPC[natGateway](t, account, region, kindNatGateway, v.ID)
	if err != nil {
		return "", err
	}
	for _, n := range nats {
		// A NAT gateway is in the way until it is deleted (AWS keeps deleting ones until they are); a failed one
		// holds nothing.
		if st := s.natState(n, c.Now); st != "deleted" && st != "failed" {
			return "NAT gateway", nil
		}
	}
	if enis, err := listByVPC[networkInterface](t, account, region, kindInterface, v.ID); err != nil || len(enis) > 0 {
		return "network interface", err
	}
	return "", nil
}

func (s *Service) deleteVpc(ctx context.Context, c *api.Call, in *DeleteVpcInput) (*DeleteVpcOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	v, err := loadVPCFor(ctx, c, t, in.DryRun, "DeleteVpc", in.VpcId, nil)
	if err != nil {
		return nil, err
	}
	if dep, err := s.vpcDependencies(c, t, v); err != nil {
		return nil, err
	} else if dep != "" {
		return nil, dependencyViolation("The vpc '%s' has dependencies and cannot be deleted.", v.ID)
	}
	// What AWS makes with a VPC goes with it: "When you delete the VPC, it deletes the default security group,
	// network ACL, and route table for the VPC" (EC2 API Reference, DeleteVpc).
	for _, k := range []store.Key{
		key(c.Account(), c.Region, kindSecurityGroup, v.DefaultGroup),
		key(c.Account(), c.Region, kindNetworkACL, v.DefaultACL),
		key(c.Account(), c.Region, kindRouteTable, v.MainRouteTable),
		key(c.Account(), c.Region, kindVPC, v.ID),
	} {
		if err := t.Delete(k); err != nil && !isNotFound(err) {
			return nil, err
		}
	}
	return &DeleteVpcOutput{}, nil
}

// vpcAttributes are the attributes ModifyVpcAttribute sets, each with its member of the request, in the order AWS
// names them when a request sets several.
func vpcAttributes(in *ModifyVpcAttributeInput) (names []string, values []*AttributeBooleanValue) {
	for _, a := range []struct {
		name string
		v    *AttributeBooleanValue
	}{
		{"enableDnsHostnames", in.EnableDnsHostnames},
		{"enableDnsSupport", in.EnableDnsSupport},
		{"enableNetworkAddressUsageMetrics", in.EnableNetworkAddressUsageMetrics},
	} {
		if a.v != nil {
			names = append(names, a.name)
			values = append(values, a.v)
		}
	}
	return names, values
}

func (s *Service) modifyVpcAttribute(ctx context.Context, c *api.Call, in *ModifyVpcAttributeInput) (*ModifyVpcAttributeOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	names, values := vpcAttributes(in)
	keys := map[string][]string{}
	for i, name := range names {
		attr := strings.ToUpper(name[:1]) + name[1:]
		keys["ec2:Attribute"] = append(keys["ec2:Attribute"], attr)
		if values[i].Value != nil {
			keys["ec2:Attribute/"+attr] = boolValue(*values[i].Value)
		}
	}
	v, err := loadVPCFor(ctx, c, t, nil, "ModifyVpcAttribute", in.VpcId, keys)
	if err != nil {
		return nil, err
	}
	switch {
	case len(names) == 0:
		return nil, missingParameter("The request must contain the parameter EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics")
	case len(names) > 1:
		return nil, invalidParameterCombination("Fields for multiple attribute types specified: %s", strings.Join(names, ", "))
	case values[0].Value == nil:
		return nil, missingParameter("The request must contain the parameter %s.Value", strings.ToUpper(names[0][:1])+names[0][1:])
	}
	on := *values[0].Value
	switch names[0] {
	case "enableDnsHostnames":
		// "You can only enable DNS hostnames if you've enabled DNS support" (EC2 API Reference).
		if on && !v.DNSSupport {
			return nil, invalidParameterValue("DNS hostnames cannot be enabled for vpc '%s' while DNS support (enableDnsSupport) is disabled", v.ID)
		}
		v.DNSHostnames = on
	case "enableDnsSupport":
		v.DNSSupport = on
	default:
		v.NetworkAddrUsed = on
	}
	if err := putVPC(t, c.Account(), c.Region, v); err != nil {
		return nil, err
	}
	return &ModifyVpcAttributeOutput{}, nil
}

func (s *Service) describeVpcAttribute(ctx context.Context, c *api.Call, in *DescribeVpcAttributeInput) (*DescribeVpcAttributeOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	v, err := loadVPCFor(ctx, c, t, in.DryRun, "DescribeVpcAttribute", in.VpcId, nil)
	if err != nil {
		return nil, err
	}
	out := &DescribeVpcAttributeOutput{VpcId: ptr(v.ID)}
	switch in.Attribute {
	case "enableDnsSupport":
		out.EnableDnsSupport = &AttributeBooleanValue{Value: ptr(v.DNSSupport)}
	case "enableDnsHostnames":
		out.EnableDnsHostnames = &AttributeBooleanValue{Value: ptr(v.DNSHostnames)}
	case "enableNetworkAddressUsageMetrics":
		out.EnableNetworkAddressUsageMetrics = &AttributeBooleanValue{Value: ptr(v.NetworkAddrUsed)}
	default: // the model's enum keeps anything else out; answer as EC2 does should it get through
		return nil, invalidParameterValue("Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
	}
	return out, nil
}

// The ranges the VPC User Guide's "IPv4 CIDR block association restrictions" are written in.
var (
	rfc1918 = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16"),
	}
	benchmarkRange = netip.MustParsePrefix("198.19.0.0/16")
)

// privateRange returns the RFC 1918 range p lies in; false when it lies in none.
func privateRange(p netip.Prefix) (netip.Prefix, bool) {
	for _, r := range rfc1918 {
		if within(p, r) {
			return r, true
		}
	}
	return netip.Prefix{}, false
}

// restrictedBlock reports whether a VPC whose primary block is primary may not take block as a secondary one, by
// the table "IPv4 CIDR block association restrictions" of the VPC User Guide: a block from another RFC 1918 range
// than the primary's, from 198.19.0.0/16, from an RFC 1918 range when the primary is in none, 172.31.0.0/16 for a
// primary in 172.16.0.0/12, and 10.0.0.0/16 for a primary in 10.0.0.0/15.
func restrictedBlock(primary, block netip.Prefix) bool {
	if overlaps(block, benchmarkRange) && !within(primary, benchmarkRange) {
		return true
	}
	home, private := privateRange(primary)
	for _, r := range rfc1918 {
		if overlaps(block, r) && (!private || r != home) {
			return true
		}
	}
	if within(primary, benchmarkRange) {
		return false
	}
	switch {
	case private && home == rfc1918[0] && within(primary, netip.MustParsePrefix("10.0.0.0/15")):
		return overlaps(block, netip.MustParsePrefix("10.0.0.0/16"))
	case private && home == rfc1918[1]:
		return overlaps(block, netip.MustParsePrefix("172.31.0.0/16"))
	}
	return false
}

func (s *Service) associateVpcCidrBlock(ctx context.Context, c *api.Call, in *AssociateVpcCidrBlockInput) (*AssociateVpcCidrBlockOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	v, err := loadVPCFor(ctx, c, t, nil, "AssociateVpcCidrBlock", in.VpcId, nil)
	if err != nil {
		return nil, err
	}
	if err := noIPAM(in.Ipv4IpamPoolId, in.Ipv6IpamPoolId, in.Ipv6CidrBlock, in.Ipv6Pool, in.AmazonProvidedIpv6CidrBlock); err != nil {
		return nil, err
	}
	if in.CidrBlock == nil {
		return nil, missingParameter("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	given := *in.CidrBlock
	p, err := parseBlock(given)
	if err != nil {
		return nil, err
	}
	if !blockSizeOK(p) {
		return nil, notFound("InvalidVpc.Range", "The CIDR '%s' is invalid.", given)
	}
	if len(v.Blocks) >= maxVPCBlocks {
		return nil, notFound("CidrLimitExceeded", "This network '%s' has met its maximum number of allowed CIDRs: %d", v.ID, maxVPCBlocks)
	}
	for _, b := range v.Blocks {
		if q, ok := parseCIDR(b.CIDR); ok && overlaps(p, q) {
			return nil, notFound("InvalidVpc.Range", "The CIDR '%s' conflicts with another CIDR block of the VPC (%s)", given, b.CIDR)
		}
	}
	primary, _ := parseCIDR(v.CIDR)
	if restrictedBlock(primary, p) {
		return nil, notFound("InvalidVpc.Range", "The CIDR '%s' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR. For additional restrictions, see %s", given, cidrDocsURL)
	}
	b := cidrBlock{AssociationID: s.ids.EC2("vpc-cidr-assoc"), CIDR: p.String(), State: "associated"}
	v.Blocks = append(v.Blocks, b)
	if err := putVPC(t, c.Account(), c.Region, v); err != nil {
		return nil, err
	}
	// "When you associate a CIDR block with your VPC, a route is automatically added to your VPC route tables to
	// enable routing within the VPC (the destination is the CIDR block and the target is local)" (VPC User Guide).
	if err := s.localRoutes(c, t, v.ID, b.CIDR, true); err != nil {
		return nil, err
	}
	return &AssociateVpcCidrBlockOutput{VpcId: ptr(v.ID), CidrBlockAssociation: apiBlock(b, "associating")}, nil
}

// localRoutes adds (or, when add is false, removes) the local route of a VPC's block in every route table of the
// VPC.
func (s *Service) localRoutes(c *api.Call, t store.Tx, vpcID, cidr string, add bool) error {
	tables, err := listByVPC[routeTable](t, c.Account(), c.Region, kindRouteTable, vpcID)
	if err != nil {
		return err
	}
	for _, rt := range tables {
		kept := rt.Routes[:0:0]
		for _, r := range rt.Routes {
			if r.DestinationCIDR == cidr && r.GatewayID == "local" {
				continue
			}
			kept = append(kept, r)
		}
		if add {
			kept = append(kept, route{DestinationCIDR: cidr, GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
		}
		rt.Routes = kept
		if err := putRouteTable(t, c.Account(), c.Region, rt); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) disassociateVpcCidrBlock(ctx context.Context, c *api.Call, in *DisassociateVpcCidrBlockInput) (*DisassociateVpcCidrBlockOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	vs, err := list[vpc](t, c.Account(), c.Region, kindVPC)
	if err != nil {
		return nil, err
	}
	var v *vpc
	index := -1
	for _, x := range vs {
		for i, b := range x.Blocks {
			if b.AssociationID == in.AssociationId {
				v, index = x, i
			}
		}
	}
	// The Service Authorization Reference makes the VPC optional for this action: an association that belongs to
	// no VPC is asked on "*".
	resource, keys := "*", map[string][]string{"ec2:Region": {c.Region}}
	if v != nil {
		resource, keys = arn(c, "vpc", v.ID), vpcKeys(c, v)
	}
	if err := authorize(ctx, c, nil, "DisassociateVpcCidrBlock", []string{resource}, keys); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, notFound("InvalidVpcCidrBlockAssociationID.NotFound", "The vpc CIDR block association ID '%s' does not exist", in.AssociationId)
	}
	b := v.Blocks[index]
	if index == 0 {
		return nil, notFound("OperationNotPermitted", "The vpc CIDR block with association ID %s may not be disassociated. It is the primary IPv4 CIDR block of the VPC", b.AssociationID)
	}
	block, _ := parseCIDR(b.CIDR)
	subnets, err := listByVPC[subnet](t, c.Account(), c.Region, kindSubnet, v.ID)
	if err != nil {
		return nil, err
	}
	for _, sn := range subnets {
		if p, ok := parseCIDR(sn.CIDR); ok && overlaps(p, block) {
			return nil, notFound("InvalidCidrBlock.InUse", "The vpc %s currently has a subnet within CIDR block %s", v.ID, b.CIDR)
		}
	}
	v.Blocks = append(v.Blocks[:index:index], v.Blocks[index+1:]...)
	if err := putVPC(t, c.Account(), c.Region, v); err != nil {
		return nil, err
	}
	if err := s.localRoutes(c, t, v.ID, b.CIDR, false); err != nil {
		return nil, err
	}
	return &DisassociateVpcCidrBlockOutput{VpcId: ptr(v.ID), CidrBlockAssociation: apiBlock(b, "disassociating")}, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
