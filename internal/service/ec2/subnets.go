package ec2

import (
	"context"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/store"
)

func (s *Service) registerSubnets(h *api.ServiceHandlers) {
	api.Write(h, "CreateSubnet", s.createSubnet)
	api.Write(h, "DeleteSubnet", s.deleteSubnet)
	api.Read(h, "DescribeSubnets", s.describeSubnets)
	api.Write(h, "ModifySubnetAttribute", s.modifySubnetAttribute)
}

// maxSubnets is the VPC User Guide's quota "Subnets per VPC", at its default.
const maxSubnets = 200

func subnetNotFound(id string) error {
	return notFound("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
}

// subnetKeys are the condition keys of an existing subnet, as the Service Authorization Reference lists them for
// the subnet resource type: its tags, ec2:Vpc, ec2:SubnetID, its zone's name and id, and ec2:Region.
func subnetKeys(c *api.Call, sn *subnet) map[string][]string {
	keys := resourceKeys(c, sn.Tags, sn.VPCID)
	keys["ec2:SubnetID"] = []string{sn.ID}
	keys["ec2:AvailabilityZone"] = []string{sn.Zone}
	keys["ec2:AvailabilityZoneId"] = []string{sn.ZoneID}
	return keys
}

// findSubnet reads the subnet a request names, for a handler that authorizes on it before it may say that it does
// not exist: the subnet (nil when there is none) and the condition keys to authorize with.
func findSubnet(c *api.Call, t store.Tx, id string) (*subnet, map[string][]string, error) {
	return findNamed(c, t, kindSubnet, "ec2:SubnetID", id, subnetKeys)
}

// loadSubnetFor reads the subnet a request names and authorizes action on it, with its keys and more
// (ModifySubnetAttribute's ec2:Attribute keys, or nil); a malformed or unknown id is answered only once authorized.
func loadSubnetFor(ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, id string, more map[string][]string) (*subnet, error) {
	return loadNamedFor(ctx, c, t, dryRun, action, "subnet", id, more, findSubnet, "InvalidSubnetID.Malformed", subnetNotFound)
}

// apiSubnet renders a stored subnet with every member EC2 shows of an IPv4 subnet.
func apiSubnet(c *api.Call, sn *subnet) *Subnet {
	hostnameType := sn.HostnameType
	if hostnameType == "" {
		hostnameType = "ip-name"
	}
	return &Subnet{
		AvailabilityZoneId: ptr(sn.ZoneID), AvailabilityZone: ptr(sn.Zone), OwnerId: ptr(sn.Owner),
		SubnetId: ptr(sn.ID), SubnetArn: ptr(arn(c, "subnet", sn.ID)), VpcId: ptr(sn.VPCID), State: ptr(sn.State),
		CidrBlock: ptr(sn.CIDR), AvailableIpAddressCount: ptr(availableAddresses(sn)), Tags: apiTags(sn.Tags),
		DefaultForAz: ptr(sn.DefaultForAz), MapPublicIpOnLaunch: ptr(sn.MapPublicIPOnLaunch),
		MapCustomerOwnedIpOnLaunch: ptr(false), AssignIpv6AddressOnCreation: ptr(false),
		Ipv6CidrBlockAssociationSet: []*SubnetIpv6CidrBlockAssociation{}, EnableDns64: ptr(false), Ipv6Native: ptr(false),
		PrivateDnsNameOptionsOnLaunch: &PrivateDnsNameOptionsOnLaunch{
			HostnameType: ptr(hostnameType), EnableResourceNameDnsARecord: ptr(sn.ResourceNameDNSA),
			EnableResourceNameDnsAAAARecord: ptr(false),
		},
		BlockPublicAccessStates: &BlockPublicAccessStates{InternetGatewayBlockMode: ptr("off")},
	}
}

// subnetFilter returns the values of a subnet for the filters DescribeSubnets documents (with the camel-case
// names it documents as aliases).
func subnetFilter(c *api.Call, sn *subnet) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "availability-zone", "availabilityZone":
			return []string{sn.Zone}, true
		case "availability-zone-id", "availabilityZoneId":
			return []string{sn.ZoneID}, true
		case "available-ip-address-count", "availableIpAddressCount":
			return []string{strconv.Itoa(int(availableAddresses(sn)))}, true
		case "cidr-block", "cidr", "cidrBlock":
			return []string{sn.CIDR}, true
		case "default-for-az", "defaultForAz":
			return boolValue(sn.DefaultForAz), true
		case "map-public-ip-on-launch":
			return boolValue(sn.MapPublicIPOnLaunch), true
		case "owner-id":
			return []string{sn.Owner}, true
		case "state":
			return []string{sn.State}, true
		case "subnet-id":
			return []string{sn.ID}, true
		case "subnet-arn":
			return []string{arn(c, "subnet", sn.ID)}, true
		case "vpc-id":
			return []string{sn.VPCID}, true
		case "enable-dns64", "ipv6-native", "map-customer-owned-ip-on-launch",
			"private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record":
			return boolValue(false), true
		case "private-dns-name-options-on-launch.hostname-type":
			if sn.HostnameType == "" {
				return []string{"ip-name"}, true
			}
			return []string{sn.HostnameType}, true
		case "private-dns-name-options-on-launch.enable-resource-name-dns-a-record":
			return boolValue(sn.ResourceNameDNSA), true
		case "customer-owned-ipv4-pool", "enable-lni-at-device-index", "outpost-arn",
			"ipv6-cidr-block-association.ipv6-cidr-block", "ipv6-cidr-block-association.association-id",
			"ipv6-cidr-block-association.state":
			return nil, true // what sagebox's subnets never have: Outposts and IPv6
		}
		return nil, false
	}
}

// zoneList names a region's zones as EC2 lists them in its refusals: "us-east-1a, us-east-1b".
func zoneList(zs []zone, ids bool) string {
	names := make([]string, len(zs))
	for i, z := range zs {
		names[i] = z.Name
		if ids {
			names[i] = z.ID
		}
	}
	return strings.Join(names, ", ")
}

// subnetZone finds the zone CreateSubnet puts a subnet in: the one named by AvailabilityZone or
// AvailabilityZoneId, or when neither is given one AWS picks ("Default: Amazon Web Services selects one for you"):
// sagebox picks the zone where the VPC has the fewest subnets, the first of them on a tie.
func subnetZone(c *api.Call, in *CreateSubnetInput, siblings []*subnet) (zone, error) {
	zs := regionZones(c.Region)
	name, id := deref(in.AvailabilityZone), deref(in.AvailabilityZoneId)
	var byName, byID zone
	var okName, okID bool
	if name != "" {
		if byName, okName = findZone(c.Region, name); !okName || byName.Name != name {
			return zone{}, invalidParameterValue("Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", name, zoneList(zs, false))
		}
	}
	if id != "" {
		if byID, okID = findZone(c.Region, id); !okID || byID.ID != id {
			return zone{}, invalidParameterValue("Value (%s) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: %s.", id, zoneList(zs, true))
		}
	}
	switch {
	case okName && okID && byName != byID:
		return zone{}, invalidParameterCombination("The availability zone %s and the availability zone id %s do not name the same zone", name, id)
	case okName:
		return byName, nil
	case okID:
		return byID, nil
	}
	count := map[string]int{}
	for _, sn := range siblings {
		count[sn.Zone]++
	}
	best := zs[0]
	for _, z := range zs[1:] {
		if count[z.Name] < count[best.Name] {
			best = z
		}
	}
	return best, nil
}

func (s *Service) createSubnet(ctx context.Context, c *api.Call, in *CreateSubnetInput) (*CreateSubnetOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "subnet")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	v, keys, err := findVPC(c, t, in.VpcId)
	if err != nil {
		return nil, err
	}
	as := withCreateTags(c, []api.Authorization{
		createAuthorization(c, "CreateSubnet", "subnet", tags),
		{Action: "ec2:CreateSubnet", Resources: []string{arn(c, "vpc", in.VpcId)}, Context: keys},
	}, "subnet", tags)
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tagErr != nil {
		return nil, tagErr
	}
	if !wellFormedID(in.VpcId, "vpc") {
		return nil, idMalformed("InvalidVpcID.Malformed", in.VpcId)
	}
	if v == nil {
		return nil, vpcNotFound(in.VpcId)
	}
	if err := noIPAM(in.Ipv4IpamPoolId, in.Ipv6IpamPoolId, in.Ipv6CidrBlock, nil, in.Ipv6Native); err != nil {
		return nil, err
	}
	if arn := deref(in.OutpostArn); arn != "" {
		return nil, invalidParameterValue("Value (%s) for parameter outpostArn is invalid: sagebox has no Outposts", arn)
	}
	if in.CidrBlock == nil {
		return nil, missingParameter("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	}
	given := *in.CidrBlock
	p, err := parseBlock(given)
	if err != nil {
		return nil, err
	}
	inVPC := false
	for _, b := range v.Blocks {
		if q, ok := parseCIDR(b.CIDR); ok && within(p, q) {
			inVPC = true
		}
	}
	if !blockSizeOK(p) || !inVPC {
		return nil, notFound("InvalidSubnet.Range", "The CIDR '%s' is invalid.", given)
	}
	siblings, err := listByVPC[subnet](t, c.Account(), c.Region, kindSubnet, v.ID)
	if err != nil {
		return nil, err
	}
	for _, sn := range siblings {
		if q, ok := parseCIDR(sn.CIDR); ok && overlaps(p, q) {
			return nil, notFound("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", given)
		}
	}
	if len(siblings) >= maxSubnets {
		return nil, notFound("SubnetLimitExceeded", "The maximum number of subnets has been reached.")
	}
	z, err := subnetZone(c, in, siblings)
	if err != nil {
		return nil, err
	}
	sn := &subnet{
		ID: s.ids.EC2("subnet"), Owner: c.Account(), VPCID: v.ID, CIDR: p.String(), Zone: z.Name, ZoneID: z.ID,
		State: "available", Tags: tags,
	}
	if err := putSubnet(t, c.Account(), c.Region, sn); err != nil {
		return nil, err
	}
	if err := s.associateDefaultACL(t, c.Account(), c.Region, v, sn.ID); err != nil {
		return nil, err
	}
	return &CreateSubnetOutput{Subnet: apiSubnet(c, sn)}, nil
}

func (s *Service) describeSubnets(ctx context.Context, c *api.Call, in *DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeSubnets", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	for _, id := range in.SubnetIds {
		if !wellFormedID(id, "subnet") {
			return nil, idMalformed("InvalidSubnetID.Malformed", id)
		}
	}
	if err := checkFilters(in.Filters, subnetFilter(c, &subnet{})); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	subnets, next, err := describe(t, c, describing[subnet]{
		kind: kindSubnet, id: func(sn *subnet) string { return sn.ID }, tags: func(sn *subnet) []tag { return sn.Tags },
		values:   func(sn *subnet) (filterValues, error) { return subnetFilter(c, sn), nil },
		notFound: func(missing []string) error { return idsNotFound("InvalidSubnetID.NotFound", "subnet", missing) },
	}, in.SubnetIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeSubnetsOutput{Subnets: []*Subnet{}, NextToken: next}
	for _, sn := range subnets {
		out.Subnets = append(out.Subnets, apiSubnet(c, sn))
	}
	return out, nil
}

func (s *Service) deleteSubnet(ctx context.Context, c *api.Call, in *DeleteSubnetInput) (*DeleteSubnetOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	sn, err := loadSubnetFor(ctx, c, t, in.DryRun, "DeleteSubnet", in.SubnetId, nil)
	if err != nil {
		return nil, err
	}
	// Interfaces are what stays in a subnet: an instance's, a NAT gateway's, an interface endpoint's, SageMaker's.
	enis, err := t.Find(scope(c.Account(), c.Region, kindInterface), indexSubnet, sn.ID)
	if err != nil {
		return nil, err
	}
	if len(enis) > 0 {
		return nil, dependencyViolation("The subnet '%s' has dependencies and cannot be deleted.", sn.ID)
	}
	// The subnet's associations go with it: with its network ACL, and with a route table other than the main one.
	acls, err := listByVPC[networkACL](t, c.Account(), c.Region, kindNetworkACL, sn.VPCID)
	if err != nil {
		return nil, err
	}
	for _, a := range acls {
		kept := a.Associations[:0:0]
		for _, as := range a.Associations {
			if as.SubnetID != sn.ID {
				kept = append(kept, as)
			}
		}
		if len(kept) != len(a.Associations) {
			a.Associations = kept
			if err := putACL(t, c.Account(), c.Region, a); err != nil {
				return nil, err
			}
		}
	}
	tables, err := listByVPC[routeTable](t, c.Account(), c.Region, kindRouteTable, sn.VPCID)
	if err != nil {
		return nil, err
	}
	for _, rt := range tables {
		kept := rt.Associations[:0:0]
		for _, as := range rt.Associations {
			if as.Main || as.SubnetID != sn.ID {
				kept = append(kept, as)
			}
		}
		if len(kept) != len(rt.Associations) {
			rt.Associations = kept
			if err := putRouteTable(t, c.Account(), c.Region, rt); err != nil {
				return nil, err
			}
		}
	}
	if err := t.Delete(key(c.Account(), c.Region, kindSubnet, sn.ID)); err != nil {
		return nil, err
	}
	return &DeleteSubnetOutput{}, nil
}

// subnetAttribute is one attribute a ModifySubnetAttribute request sets.
type subnetAttribute struct {
	// name is the attribute as AWS names it in errors (lower camel case) and, capitalized, in ec2:Attribute.
	name  string
	value string
}

// subnetAttributes lists the attributes a request sets, in the model's order. MapCustomerOwnedIpOnLaunch and
// CustomerOwnedIpv4Pool count as one attribute, as the API Reference says ("These two parameters act as a single
// attribute").
func subnetAttributes(in *ModifySubnetAttributeInput) []subnetAttribute {
	var out []subnetAttribute
	boolAttr := func(name string, v *AttributeBooleanValue) {
		if v != nil {
			val := ""
			if v.Value != nil {
				val = boolValue(*v.Value)[0]
			}
			out = append(out, subnetAttribute{name, val})
		}
	}
	boolAttr("assignIpv6AddressOnCreation", in.AssignIpv6AddressOnCreation)
	boolAttr("mapPublicIpOnLaunch", in.MapPublicIpOnLaunch)
	if in.MapCustomerOwnedIpOnLaunch != nil || in.CustomerOwnedIpv4Pool != nil {
		out = append(out, subnetAttribute{name: "mapCustomerOwnedIpOnLaunch", value: deref(in.CustomerOwnedIpv4Pool)})
	}
	boolAttr("enableDns64", in.EnableDns64)
	if in.PrivateDnsHostnameTypeOnLaunch != nil {
		out = append(out, subnetAttribute{"privateDnsHostnameTypeOnLaunch", *in.PrivateDnsHostnameTypeOnLaunch})
	}
	boolAttr("enableResourceNameDnsARecordOnLaunch", in.EnableResourceNameDnsARecordOnLaunch)
	boolAttr("enableResourceNameDnsAAAARecordOnLaunch", in.EnableResourceNameDnsAAAARecordOnLaunch)
	if in.EnableLniAtDeviceIndex != nil {
		out = append(out, subnetAttribute{"enableLniAtDeviceIndex", strconv.Itoa(int(*in.EnableLniAtDeviceIndex))})
	}
	boolAttr("disableLniAtDeviceIndex", in.DisableLniAtDeviceIndex)
	return out
}

func (s *Service) modifySubnetAttribute(ctx context.Context, c *api.Call, in *ModifySubnetAttributeInput) (*ModifySubnetAttributeOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	attrs := subnetAttributes(in)
	keys := map[string][]string{}
	var names []string
	for _, a := range attrs {
		attr := strings.ToUpper(a.name[:1]) + a.name[1:]
		names = append(names, a.name)
		keys["ec2:Attribute"] = append(keys["ec2:Attribute"], attr)
		if a.value != "" {
			keys["ec2:Attribute/"+attr] = []string{a.value}
		}
	}
	sn, err := loadSubnetFor(ctx, c, t, nil, "ModifySubnetAttribute", in.SubnetId, keys)
	if err != nil {
		return nil, err
	}
	switch {
	case len(attrs) == 0:
		return nil, missingParameter("The request must contain an attribute to modify")
	case len(attrs) > 1:
		// "You can only modify one attribute at a time" (EC2 API Reference).
		return nil, invalidParameterCombination("Fields for multiple attribute types specified: %s", strings.Join(names, ", "))
	}
	a := attrs[0]
	if a.value == "" && a.name != "mapCustomerOwnedIpOnLaunch" {
		return nil, missingParameter("The request must contain the parameter %s.Value", strings.ToUpper(a.name[:1])+a.name[1:])
	}
	switch a.name {
	case "mapPublicIpOnLaunch":
		sn.MapPublicIPOnLaunch = a.value == "true"
	case "privateDnsHostnameTypeOnLaunch":
		sn.HostnameType = a.value
	case "enableResourceNameDnsARecordOnLaunch":
		sn.ResourceNameDNSA = a.value == "true"
	case "assignIpv6AddressOnCreation", "enableDns64", "enableResourceNameDnsAAAARecordOnLaunch":
		// Each of these is about the subnet's IPv6 addresses, and sagebox's subnets have none: turning one off
		// changes nothing, turning it on is refused.
		if a.value == "true" {
			return nil, invalidParameterValue("Invalid value 'true' for %s: the subnet %s has no IPv6 CIDR block (sagebox does not support IPv6)", a.name, sn.ID)
		}
		return &ModifySubnetAttributeOutput{}, nil
	default:
		return nil, invalidParameterValue("The attribute %s is for subnets on AWS Outposts, which sagebox does not support", a.name)
	}
	if err := putSubnet(t, c.Account(), c.Region, sn); err != nil {
		return nil, err
	}
	return &ModifySubnetAttributeOutput{}, nil
}
