package ec2

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Network interfaces. sagebox runs no instances: an interface of the account's is "available" until deleted, and
// AttachNetworkInterface answers that the instance does not exist. Interfaces that services put in the account's
// subnets (NAT gateways, interface endpoints, SageMaker through services.go) are requester-managed and "in-use",
// attached by the service ("ela-attach-…"), and neither detachable nor deletable by the account.

func (s *Service) registerInterfaces(h *api.ServiceHandlers) {
	api.Write(h, "CreateNetworkInterface", s.createNetworkInterface)
	api.Write(h, "DeleteNetworkInterface", s.deleteNetworkInterface)
	api.Read(h, "DescribeNetworkInterfaces", s.describeNetworkInterfaces)
	api.Write(h, "AttachNetworkInterface", s.attachNetworkInterface)
	api.Write(h, "DetachNetworkInterface", s.detachNetworkInterface)
}

// maxGroupsPerInterface is the VPC User Guide's quota "Security groups per network interface" at its default.
const maxGroupsPerInterface = 5

// serviceAttachmentPrefix starts the id of an attachment a service made; the account may not manage those.
const serviceAttachmentPrefix = "ela-attach-"

func interfaceNotFound(id string) error {
	return notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
}

// interfaceKeys are the condition keys of an existing interface, as the Service Authorization Reference lists them
// for the network-interface resource type: its tags, ec2:NetworkInterfaceID, ec2:Subnet and ec2:Vpc (ARNs),
// ec2:AvailabilityZone and ec2:Region.
func interfaceKeys(c *api.Call, n *networkInterface) map[string][]string {
	keys := resourceKeys(c, n.Tags, n.VPCID)
	keys["ec2:NetworkInterfaceID"] = []string{n.ID}
	keys["ec2:Subnet"] = []string{arn(c, "subnet", n.Subnet)}
	keys["ec2:AvailabilityZone"] = []string{n.Zone}
	return keys
}

// interfaceTarget is the interface a request names: the interface when it exists, its ARN and keys to authorize
// with, and the error to answer once authorized when it does not.
type interfaceTarget struct {
	n    *networkInterface
	arn  string
	keys map[string][]string
	err  error
}

func findInterface(c *api.Call, t store.Tx, id string) (*interfaceTarget, error) {
	it := &interfaceTarget{arn: arn(c, "network-interface", id),
		keys: map[string][]string{"ec2:Region": {c.Region}, "ec2:NetworkInterfaceID": {id}}}
	if !wellFormedID(id, "eni") {
		it.err = refMalformed("InvalidNetworkInterfaceId.Malformed", id, "eni")
		return it, nil
	}
	n, _, err := get[networkInterface](t, c.Account(), c.Region, kindInterface, id)
	if err != nil {
		return nil, err
	}
	if n == nil {
		it.err = interfaceNotFound(id)
		return it, nil
	}
	it.n, it.keys = n, interfaceKeys(c, n)
	return it, nil
}

// privateDNSName is the hostname EC2 gives a private address: ip-10-0-1-5.ec2.internal in us-east-1,
// ip-10-0-1-5.REGION.compute.internal elsewhere.
func privateDNSName(region, ip string) string {
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

// publicDNSName is the hostname EC2 gives a public address: ec2-3-5-1-2.compute-1.amazonaws.com in us-east-1,
// ec2-3-5-1-2.REGION.compute.amazonaws.com elsewhere.
func publicDNSName(region, ip string) string {
	host := "ec2-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".compute-1.amazonaws.com"
	}
	return host + "." + region + ".compute.amazonaws.com"
}

// inUse reports whether an interface is attached (to an instance, or by the service that made it).
func (n *networkInterface) inUse() bool { return n.Attachment != nil || n.Status == "in-use" }

// apiInterface renders a stored interface with every member EC2 shows of an IPv4 interface.
func apiInterface(c *api.Call, t store.Tx, n *networkInterface) (*NetworkInterface, error) {
	out := &NetworkInterface{
		NetworkInterfaceId: ptr(n.ID), OwnerId: ptr(n.Owner), SubnetId: ptr(n.Subnet), VpcId: ptr(n.VPCID),
		AvailabilityZone: ptr(n.Zone), Description: ptr(n.Description), InterfaceType: ptr(n.Type),
		MacAddress: ptr(n.MAC), PrivateIpAddress: ptr(n.PrivateIP), PrivateDnsName: ptr(privateDNSName(c.Region, n.PrivateIP)),
		RequesterManaged: ptr(n.RequesterManaged), RequesterId: optional(n.RequesterID),
		SourceDestCheck: ptr(n.SourceDestCheck), Status: ptr(n.Status), TagSet: apiTags(n.Tags),
		Groups: []*GroupIdentifier{}, Ipv6Addresses: []*NetworkInterfaceIpv6Address{}, Ipv6Native: ptr(false),
		Operator: &OperatorResponse{Managed: ptr(false)},
	}
	if z, ok := findZone(c.Region, n.Zone); ok {
		out.AvailabilityZoneId = ptr(z.ID)
	}
	for _, id := range n.GroupIDs {
		gi := &GroupIdentifier{GroupId: ptr(id)}
		g, _, err := get[securityGroup](t, c.Account(), c.Region, kindSecurityGroup, id)
		if err != nil {
			return nil, err
		}
		if g != nil {
			gi.GroupName = ptr(g.Name)
		}
		out.Groups = append(out.Groups, gi)
	}
	if n.PublicIP != "" {
		as := &NetworkInterfaceAssociation{PublicIp: ptr(n.PublicIP), IpOwnerId: ptr("amazon"), PublicDnsName: ptr(publicDNSName(c.Region, n.PublicIP))}
		rec, err := t.Lookup(scope(c.Account(), c.Region, kindAddress), indexPublicIP, n.PublicIP)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if rec != nil {
			a, err := store.Decode[address](rec)
			if err != nil {
				return nil, err
			}
			as.AllocationId, as.AssociationId, as.IpOwnerId = ptr(a.ID), optional(a.AssociationID), ptr(a.Owner)
		}
		out.Association = as
	}
	out.PrivateIpAddresses = []*NetworkInterfacePrivateIpAddress{{
		Primary: ptr(true), PrivateIpAddress: ptr(n.PrivateIP), PrivateDnsName: ptr(privateDNSName(c.Region, n.PrivateIP)),
		Association: out.Association,
	}}
	for _, ip := range n.SecondaryIPs {
		out.PrivateIpAddresses = append(out.PrivateIpAddresses, &NetworkInterfacePrivateIpAddress{
			Primary: ptr(false), PrivateIpAddress: ptr(ip), PrivateDnsName: ptr(privateDNSName(c.Region, ip)),
		})
	}
	if a := n.Attachment; a != nil {
		owner := c.Account()
		if strings.HasPrefix(a.ID, serviceAttachmentPrefix) {
			owner = "amazon-aws"
		}
		out.Attachment = &NetworkInterfaceAttachment{
			AttachmentId: ptr(a.ID), AttachTime: ptr(a.Attached), DeleteOnTermination: ptr(false),
			DeviceIndex: ptr(a.DeviceIndex), NetworkCardIndex: ptr(int32(0)), InstanceId: optional(a.InstanceID),
			InstanceOwnerId: ptr(owner), Status: ptr(a.Status),
		}
	}
	return out, nil
}

// interfaceFilter returns the values of an interface for the filters DescribeNetworkInterfaces documents.
// groupName names a security group by id; as is the interface's public address association (nil without one).
func interfaceFilter(c *api.Call, n *networkInterface, groupName func(string) string, as *NetworkInterfaceAssociation) filterValues {
	return func(name string) ([]string, bool) {
		addrs := append([]string{n.PrivateIP}, n.SecondaryIPs...)
		switch name {
		case "addresses.private-ip-address":
			return addrs, true
		case "addresses.primary":
			out := []string{"true"}
			if len(n.SecondaryIPs) > 0 {
				out = append(out, "false")
			}
			return out, true
		case "addresses.association.public-ip", "association.public-ip":
			return nonEmpty(n.PublicIP), true
		case "association.public-dns-name":
			if n.PublicIP == "" {
				return nil, true
			}
			return []string{publicDNSName(c.Region, n.PublicIP)}, true
		case "addresses.association.owner-id", "association.ip-owner-id", "association.allocation-id",
			"association.association-id":
			if as == nil {
				return nil, true
			}
			switch name {
			case "association.allocation-id":
				return nonEmpty(deref(as.AllocationId)), true
			case "association.association-id":
				return nonEmpty(deref(as.AssociationId)), true
			default:
				return nonEmpty(deref(as.IpOwnerId)), true
			}
		case "attachment.attachment-id", "attachment.instance-id", "attachment.instance-owner-id",
			"attachment.device-index", "attachment.status", "attachment.attach-time", "attachment.delete-on-termination":
			a := n.Attachment
			if a == nil {
				return nil, true
			}
			switch name {
			case "attachment.attachment-id":
				return []string{a.ID}, true
			case "attachment.instance-id":
				return nonEmpty(a.InstanceID), true
			case "attachment.instance-owner-id":
				if strings.HasPrefix(a.ID, serviceAttachmentPrefix) {
					return []string{"amazon-aws"}, true
				}
				return []string{c.Account()}, true
			case "attachment.device-index":
				return []string{strconv.Itoa(int(a.DeviceIndex))}, true
			case "attachment.status":
				return []string{a.Status}, true
			case "attachment.attach-time":
				return []string{a.Attached.UTC().Format(time.RFC3339)}, true
			default:
				return boolValue(false), true
			}
		case "availability-zone":
			return []string{n.Zone}, true
		case "description":
			return []string{n.Description}, true
		case "group-id":
			return n.GroupIDs, true
		case "group-name":
			var out []string
			for _, id := range n.GroupIDs {
				out = append(out, groupName(id))
			}
			return out, true
		case "ipv6-addresses.ipv6-address":
			return nil, true // sagebox's subnets have no IPv6 blocks
		case "interface-type":
			return []string{n.Type}, true
		case "mac-address":
			return []string{n.MAC}, true
		case "network-interface-id":
			return []string{n.ID}, true
		case "operator.managed":
			return boolValue(false), true
		case "operator.principal":
			return nil, true
		case "owner-id":
			return []string{n.Owner}, true
		case "private-dns-name":
			return []string{privateDNSName(c.Region, n.PrivateIP)}, true
		case "private-ip-address":
			return []string{n.PrivateIP}, true
		case "requester-id":
			return nonEmpty(n.RequesterID), true
		case "requester-managed":
			return boolValue(n.RequesterManaged), true
		case "source-dest-check":
			return boolValue(n.SourceDestCheck), true
		case "status":
			return []string{n.Status}, true
		case "subnet-id":
			return []string{n.Subnet}, true
		case "vpc-id":
			return []string{n.VPCID}, true
		}
		return nil, false
	}
}

// interfaceTypes are the InterfaceType values CreateNetworkInterface takes, with the type each shows: sagebox
// keeps EFA and trunk interfaces as the types they are (it runs nothing on them); a branch interface needs a trunk
// attached to an instance, which sagebox cannot have.
var interfaceTypes = map[string]string{"": "interface", "efa": "efa", "efa-only": "efa-only", "trunk": "trunk"}

func (s *Service) createNetworkInterface(ctx context.Context, c *api.Call, in *CreateNetworkInterfaceInput) (*CreateNetworkInterfaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "network-interface")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	sn, snKeys, err := findSubnet(c, t, in.SubnetId)
	if err != nil {
		return nil, err
	}
	groups := unique(in.Groups)
	// The groups the interface gets are authorized: the ones named, or the VPC's default group.
	asked := groups
	if len(asked) == 0 && sn != nil {
		v, _, err := get[vpc](t, c.Account(), c.Region, kindVPC, sn.VPCID)
		if err != nil {
			return nil, err
		}
		if v != nil && v.DefaultGroup != "" {
			asked = []string{v.DefaultGroup}
		}
	}
	as := []api.Authorization{
		createAuthorization(c, "CreateNetworkInterface", "network-interface", tags),
		{Action: "ec2:CreateNetworkInterface", Resources: []string{arn(c, "subnet", in.SubnetId)}, Context: snKeys},
	}
	for _, id := range asked {
		keys := map[string][]string{"ec2:Region": {c.Region}, "ec2:SecurityGroupID": {id}}
		if wellFormedID(id, "sg") {
			g, _, err := get[securityGroup](t, c.Account(), c.Region, kindSecurityGroup, id)
			if err != nil {
				return nil, err
			}
			if g != nil {
				keys = groupKeys(c, g)
			}
		}
		as = append(as, api.Authorization{Action: "ec2:CreateNetworkInterface", Resources: []string{arn(c, "security-group", id)}, Context: keys})
	}
	as = withCreateTags(c, as, "network-interface", tags)
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tagErr != nil {
		return nil, tagErr
	}
	if !wellFormedID(in.SubnetId, "subnet") {
		return nil, idMalformed("InvalidSubnetID.Malformed", in.SubnetId)
	}
	if sn == nil {
		return nil, subnetNotFound(in.SubnetId)
	}
	typ, ok := interfaceTypes[deref(in.InterfaceType)]
	if !ok {
		return nil, invalidParameterValue("Value (%s) for parameter interfaceType is invalid. A branch network interface needs a trunk interface attached to an instance, and sagebox runs no instances.", deref(in.InterfaceType))
	}
	if len(in.Ipv6Addresses) > 0 || deref(in.Ipv6AddressCount) > 0 || len(in.Ipv6Prefixes) > 0 || deref(in.Ipv6PrefixCount) > 0 || deref(in.EnablePrimaryIpv6) {
		return nil, invalidParameterValue("The subnet '%s' has no IPv6 CIDR block: its network interfaces cannot have IPv6 addresses or prefixes", sn.ID)
	}
	if len(in.Ipv4Prefixes) > 0 || deref(in.Ipv4PrefixCount) > 0 {
		return nil, invalidParameterValue("IPv4 prefix delegation is not supported by sagebox: give the interface addresses instead")
	}
	if len(groups) > maxGroupsPerInterface {
		return nil, awserr.New("SecurityGroupsPerInterfaceLimitExceeded", "The maximum number of security groups per interface has been reached.")
	}
	for _, id := range groups {
		if !wellFormedID(id, "sg") {
			return nil, refMalformed("InvalidGroupId.Malformed", id, "sg")
		}
	}
	if err := checkSubnetGroups(t, c.Account(), c.Region, sn, groups); err != nil {
		return nil, err
	}
	primary, secondaries, err := requestedAddresses(in)
	if err != nil {
		return nil, err
	}
	n, err := s.newInterface(t, c.Account(), c.Region, interfaceSpec{
		SubnetID: sn.ID, PrivateIP: primary, Description: deref(in.Description), Type: typ, GroupIDs: groups, Tags: tags,
		// EC2 shows who made an interface even when it is the account's own: the caller's aws:userid.
		RequesterID: c.Principal.UserID,
	})
	if err != nil {
		return nil, err
	}
	if err := addSecondaryAddresses(t, c.Account(), c.Region, n, secondaries, int(deref(in.SecondaryPrivateIpAddressCount))); err != nil {
		return nil, err
	}
	out, err := apiInterface(c, t, n)
	if err != nil {
		return nil, err
	}
	// Made at once, but answered as AWS answers a new interface, which DescribeNetworkInterfaces then finds available.
	out.Status = ptr("pending")
	return &CreateNetworkInterfaceOutput{NetworkInterface: out, ClientToken: in.ClientToken}, nil
}

// requestedAddresses returns the primary address (empty: the subnet's lowest free one) and the secondary addresses
// a CreateNetworkInterface request asks for, by PrivateIpAddress and PrivateIpAddresses.
func requestedAddresses(in *CreateNetworkInterfaceInput) (string, []string, error) {
	primary := deref(in.PrivateIpAddress)
	var secondaries []string
	for _, a := range in.PrivateIpAddresses {
		if a == nil || a.PrivateIpAddress == nil {
			return "", nil, missingParameter("The request must contain the parameter privateIpAddress")
		}
		ip := *a.PrivateIpAddress
		if !deref(a.Primary) {
			secondaries = append(secondaries, ip)
			continue
		}
		if primary != "" && primary != ip {
			return "", nil, invalidParameterCombination("The primary private IP address %s conflicts with the privateIpAddress %s", ip, primary)
		}
		primary = ip
	}
	if deref(in.SecondaryPrivateIpAddressCount) < 0 {
		return "", nil, invalidParameterValue("Value (%d) for parameter secondaryPrivateIpAddressCount is invalid. It must be a positive number", deref(in.SecondaryPrivateIpAddressCount))
	}
	return primary, secondaries, nil
}

// addSecondaryAddresses takes the interface's secondary addresses in its subnet: those named, then count more.
func addSecondaryAddresses(t store.Tx, account, region string, n *networkInterface, named []string, count int) error {
	if len(named) == 0 && count == 0 {
		return nil
	}
	sn, _, err := get[subnet](t, account, region, kindSubnet, n.Subnet)
	if err != nil {
		return err
	}
	for _, ip := range named {
		got, err := takeAddress(sn, ip, n.ID)
		if err != nil {
			return err
		}
		n.SecondaryIPs = append(n.SecondaryIPs, got)
	}
	for range count {
		got, err := takeAddress(sn, "", n.ID)
		if err != nil {
			return err
		}
		n.SecondaryIPs = append(n.SecondaryIPs, got)
	}
	if err := putSubnet(t, account, region, sn); err != nil {
		return err
	}
	return putInterface(t, account, region, n)
}

func (s *Service) deleteNetworkInterface(ctx context.Context, c *api.Call, in *DeleteNetworkInterfaceInput) (*DeleteNetworkInterfaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	it, err := findInterface(c, t, in.NetworkInterfaceId)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DeleteNetworkInterface", []string{it.arn}, it.keys); err != nil {
		return nil, err
	}
	if it.err != nil {
		return nil, it.err
	}
	if it.n.inUse() {
		// EC2 answers InvalidParameterValue here, not InvalidNetworkInterface.InUse ("If a network interface is in
		// use, you may also receive the InvalidParameterValue error").
		return nil, invalidParameterValue("Network interface '%s' is currently in use.", it.n.ID)
	}
	if err := removeInterface(t, c.Account(), c.Region, it.n); err != nil {
		return nil, err
	}
	return &DeleteNetworkInterfaceOutput{}, nil
}

func (s *Service) describeNetworkInterfaces(ctx context.Context, c *api.Call, in *DescribeNetworkInterfacesInput) (*DescribeNetworkInterfacesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeNetworkInterfaces", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	for _, id := range in.NetworkInterfaceIds {
		if !wellFormedID(id, "eni") {
			return nil, refMalformed("InvalidNetworkInterfaceId.Malformed", id, "eni")
		}
	}
	noNames := func(string) string { return "" }
	if err := checkFilters(in.Filters, interfaceFilter(c, &networkInterface{}, noNames, nil)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	groupName := func(id string) string {
		if name, ok := names[id]; ok {
			return name
		}
		g, _, _ := get[securityGroup](t, c.Account(), c.Region, kindSecurityGroup, id)
		if g != nil {
			names[id] = g.Name
		} else {
			names[id] = ""
		}
		return names[id]
	}
	// The filters see the association of the rendered interface; what was rendered is what is answered.
	rendered := map[string]*NetworkInterface{}
	enis, next, err := describe(t, c, describing[networkInterface]{
		kind: kindInterface, id: func(n *networkInterface) string { return n.ID }, tags: func(n *networkInterface) []tag { return n.Tags },
		values: func(n *networkInterface) (filterValues, error) {
			ni, err := apiInterface(c, t, n)
			if err != nil {
				return nil, err
			}
			rendered[n.ID] = ni
			return interfaceFilter(c, n, groupName, ni.Association), nil
		},
		notFound: func(missing []string) error {
			return idsNotFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", missing)
		},
	}, in.NetworkInterfaceIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeNetworkInterfacesOutput{NetworkInterfaces: []*NetworkInterface{}, NextToken: next}
	for _, n := range enis {
		out.NetworkInterfaces = append(out.NetworkInterfaces, rendered[n.ID])
	}
	return out, nil
}

// attachNetworkInterface attaches an interface to an instance — which sagebox, running no instances, never has:
// once the interface is found free, the answer is that the instance does not exist, as EC2 answers an instance
// id it does not know.
func (s *Service) attachNetworkInterface(ctx context.Context, c *api.Call, in *AttachNetworkInterfaceInput) (*AttachNetworkInterfaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	it, err := findInterface(c, t, in.NetworkInterfaceId)
	if err != nil {
		return nil, err
	}
	instanceKeys := map[string][]string{"ec2:Region": {c.Region}, "ec2:InstanceID": {in.InstanceId}}
	if err := authorizeMany(ctx, c, in.DryRun,
		api.Authorization{Action: "ec2:AttachNetworkInterface", Resources: []string{arn(c, "instance", in.InstanceId)}, Context: instanceKeys},
		api.Authorization{Action: "ec2:AttachNetworkInterface", Resources: []string{it.arn}, Context: it.keys},
	); err != nil {
		return nil, err
	}
	if it.err != nil {
		return nil, it.err
	}
	if it.n.inUse() {
		return nil, awserr.New("InvalidNetworkInterface.InUse", "Interface: [%s] in use.", it.n.ID)
	}
	if !wellFormedID(in.InstanceId, "i") {
		return nil, refMalformed("InvalidInstanceID.Malformed", in.InstanceId, "i")
	}
	return nil, notFound("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", in.InstanceId)
}

// attachedBy finds the interface whose attachment has the id; nil when none has.
func attachedBy(t store.Tx, account, region, attachmentID string) (*networkInterface, error) {
	enis, err := list[networkInterface](t, account, region, kindInterface)
	if err != nil {
		return nil, err
	}
	for _, n := range enis {
		if n.Attachment != nil && n.Attachment.ID == attachmentID {
			return n, nil
		}
	}
	return nil, nil
}

// wellFormedAttachment reports whether id has the form of an attachment id: eni-attach- (an instance's) or
// ela-attach- (a service's) and 8 or 17 hexadecimal digits.
func wellFormedAttachment(id string) bool {
	for _, prefix := range []string{"eni-attach", "ela-attach"} {
		if wellFormedID(id, prefix) {
			return true
		}
	}
	return false
}

func (s *Service) detachNetworkInterface(ctx context.Context, c *api.Call, in *DetachNetworkInterfaceInput) (*DetachNetworkInterfaceOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	var n *networkInterface
	if wellFormedAttachment(in.AttachmentId) {
		if n, err = attachedBy(t, c.Account(), c.Region, in.AttachmentId); err != nil {
			return nil, err
		}
	}
	// An attachment that does not exist names no resource; the call is asked on every interface, as a Create call
	// is asked on the resources it is about to make.
	var as []api.Authorization
	if n == nil {
		as = append(as, api.Authorization{Action: "ec2:DetachNetworkInterface", Resources: []string{arn(c, "network-interface", "*")},
			Context: map[string][]string{"ec2:Region": {c.Region}}})
	} else {
		if id := n.Attachment.InstanceID; id != "" {
			as = append(as, api.Authorization{Action: "ec2:DetachNetworkInterface", Resources: []string{arn(c, "instance", id)},
				Context: map[string][]string{"ec2:Region": {c.Region}, "ec2:InstanceID": {id}}})
		}
		as = append(as, api.Authorization{Action: "ec2:DetachNetworkInterface", Resources: []string{arn(c, "network-interface", n.ID)}, Context: interfaceKeys(c, n)})
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if !wellFormedAttachment(in.AttachmentId) {
		return nil, refMalformed("InvalidNetworkInterfaceAttachmentId.Malformed", in.AttachmentId, "eni-attach")
	}
	if n == nil {
		return nil, notFound("InvalidAttachmentID.NotFound", "The attachment ID '%s' does not exist", in.AttachmentId)
	}
	// Every attachment there is is a service's: sagebox attaches nothing to instances.
	return nil, awserr.New("OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments.")
}
