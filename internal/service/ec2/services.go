package ec2

import (
	"context"
	"errors"
	"sort"

	"github.com/sagebox/sagebox/internal/store"
)

// What other services use of EC2: they put network interfaces in an account's subnets on its behalf (SageMaker
// for Studio domains, training jobs and endpoints in a VPC; EFS for mount targets) and check the networks they are
// given. Each function works in the caller's transaction, on the account and region the caller names, and answers
// EC2's errors (InvalidSubnetID.NotFound, InvalidGroup.NotFound, InsufficientFreeAddressesInSubnet, …), which the
// caller turns into its own service's words.
//
// These functions do not authorize: the calling service asks the authorizer for what its principal needs (its
// role's ec2:CreateNetworkInterface, with aws:CalledVia) before it calls them.

// EnsureDefaults makes the region's default VPC exist in the account, as every EC2 call does first. A service
// that may be the account's first user of EC2 in a region calls it before it begins the transaction it passes to
// the other functions (it runs a transaction of its own).
func (s *Service) EnsureDefaults(ctx context.Context, account, region string) error {
	return s.ensureDefaults(ctx, account, region)
}

// ServiceInterface is a network interface a service asks for in an account's subnet.
type ServiceInterface struct {
	// SubnetID is the subnet the interface goes in; it takes the subnet's lowest free address.
	SubnetID string
	// GroupIDs are its security groups, which must be of the subnet's VPC (at most five); none means the VPC's
	// default group.
	GroupIDs []string
	// Description is what DescribeNetworkInterfaces shows, as the service writes it: EFS writes "EFS mount target
	// for fs-0123456789abcdef0 (fsmt-0123456789abcdef0)"; SageMaker writes its own for each kind of resource.
	Description string
	// InterfaceType is the type AWS shows; empty is "interface", which EFS and SageMaker interfaces have.
	InterfaceType string
	// RequesterID is who made the interface, as RequesterId shows it: the service's principal or account.
	RequesterID string
	// Tags are the interface's tags.
	Tags map[string]string
}

// InterfaceInfo describes a network interface.
type InterfaceInfo struct {
	ID       string
	SubnetID string
	VPCID    string
	// Zone is the availability zone's name ("us-east-1a").
	Zone string
	// PrivateIP is its primary address; PrivateDNSName the name EC2 gives it ("ip-10-0-1-5.ec2.internal").
	PrivateIP      string
	PrivateDNSName string
	MAC            string
	GroupIDs       []string
	Description    string
	RequesterID    string
	// RequesterManaged is set for interfaces a service made, which the account may neither detach nor delete.
	RequesterManaged bool
}

// CreateServiceInterface puts a requester-managed network interface in the account's subnet, attached by the
// service ("in-use"), and takes its address from the subnet.
func (s *Service) CreateServiceInterface(t store.Tx, account, region string, in ServiceInterface) (*InterfaceInfo, error) {
	sn, _, err := get[subnet](t, account, region, kindSubnet, in.SubnetID)
	if err != nil {
		return nil, err
	}
	if sn == nil {
		return nil, subnetNotFound(in.SubnetID)
	}
	groups := unique(in.GroupIDs)
	if len(groups) > maxGroupsPerInterface {
		return nil, notFound("SecurityGroupsPerInterfaceLimitExceeded", "The maximum number of security groups per interface has been reached.")
	}
	if err := checkSubnetGroups(t, account, region, sn, groups); err != nil {
		return nil, err
	}
	var tags []tag
	for _, k := range sortedKeys(in.Tags) {
		tags = append(tags, tag{Key: k, Value: in.Tags[k]})
	}
	n, err := s.newInterface(t, account, region, interfaceSpec{
		SubnetID: sn.ID, Description: in.Description, Type: in.InterfaceType, RequesterID: in.RequesterID,
		RequesterManaged: true, GroupIDs: groups, Tags: tags, Status: "in-use",
	})
	if err != nil {
		return nil, err
	}
	return interfaceInfo(region, n), nil
}

// DeleteServiceInterface deletes a network interface a service made and gives its address back to the subnet.
// An interface the account made is not the service's to delete: InvalidParameterValue, as EC2 answers a service
// that names an interface it does not manage.
func (s *Service) DeleteServiceInterface(t store.Tx, account, region, id string) error {
	n, _, err := get[networkInterface](t, account, region, kindInterface, id)
	if err != nil {
		return err
	}
	if n == nil {
		return interfaceNotFound(id)
	}
	if !n.RequesterManaged {
		return invalidParameterValue("Network interface '%s' is not managed by the requester", id)
	}
	return removeInterface(t, account, region, n)
}

// InterfaceInfo describes a network interface of the account's.
func (s *Service) InterfaceInfo(t store.Tx, account, region, id string) (*InterfaceInfo, error) {
	n, _, err := get[networkInterface](t, account, region, kindInterface, id)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, interfaceNotFound(id)
	}
	return interfaceInfo(region, n), nil
}

func interfaceInfo(region string, n *networkInterface) *InterfaceInfo {
	return &InterfaceInfo{
		ID: n.ID, SubnetID: n.Subnet, VPCID: n.VPCID, Zone: n.Zone, PrivateIP: n.PrivateIP,
		PrivateDNSName: privateDNSName(region, n.PrivateIP), MAC: n.MAC, GroupIDs: append([]string(nil), n.GroupIDs...),
		Description: n.Description, RequesterID: n.RequesterID, RequesterManaged: n.RequesterManaged,
	}
}

// SubnetInfo describes a subnet, for a service that checks the subnets it is given.
type SubnetInfo struct {
	ID    string
	VPCID string
	// Zone and ZoneID are the availability zone's name and id ("us-east-1a", "use1-az1").
	Zone   string
	ZoneID string
	CIDR   string
	// AvailableAddresses is the subnet's AvailableIpAddressCount: its addresses less the five AWS reserves and
	// those interfaces hold.
	AvailableAddresses int
	// DefaultForAz marks a default subnet of the default VPC.
	DefaultForAz bool
}

// SubnetInfo describes the account's subnet; InvalidSubnetID.NotFound when there is none.
func (s *Service) SubnetInfo(t store.Tx, account, region, id string) (*SubnetInfo, error) {
	sn, _, err := get[subnet](t, account, region, kindSubnet, id)
	if err != nil {
		return nil, err
	}
	if sn == nil {
		return nil, subnetNotFound(id)
	}
	return &SubnetInfo{
		ID: sn.ID, VPCID: sn.VPCID, Zone: sn.Zone, ZoneID: sn.ZoneID, CIDR: sn.CIDR,
		AvailableAddresses: int(availableAddresses(sn)), DefaultForAz: sn.DefaultForAz,
	}, nil
}

// SecurityGroupInfo describes a security group with its rules, for a service that checks the groups it is given
// (SageMaker checks that a Studio domain's groups allow NFS to the domain's file system).
type SecurityGroupInfo struct {
	ID          string
	VPCID       string
	Name        string
	Description string
	Ingress     []RuleInfo
	Egress      []RuleInfo
}

// RuleInfo is one rule of a security group: traffic of a protocol and port range to or from one peer.
type RuleInfo struct {
	ID string
	// Protocol is "-1" (all), "tcp", "udp", "icmp", "icmpv6" or a protocol number.
	Protocol string
	// FromPort and ToPort are the port range (for ICMP: type and code); -1 for all.
	FromPort, ToPort int
	// Exactly one of CIDR, IPv6CIDR, PrefixListID and GroupID names the peer.
	CIDR         string
	IPv6CIDR     string
	PrefixListID string
	GroupID      string
	Description  string
}

// SecurityGroupInfo describes the account's security group; InvalidGroup.NotFound when there is none.
func (s *Service) SecurityGroupInfo(t store.Tx, account, region, id string) (*SecurityGroupInfo, error) {
	g, _, err := get[securityGroup](t, account, region, kindSecurityGroup, id)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, groupNotFound(id)
	}
	return &SecurityGroupInfo{
		ID: g.ID, VPCID: g.VPCID, Name: g.Name, Description: g.Description,
		Ingress: ruleInfos(g.Ingress), Egress: ruleInfos(g.Egress),
	}, nil
}

func ruleInfos(rules []groupRule) []RuleInfo {
	out := make([]RuleInfo, 0, len(rules))
	for _, r := range rules {
		out = append(out, RuleInfo{
			ID: r.ID, Protocol: r.Protocol, FromPort: int(r.FromPort), ToPort: int(r.ToPort), CIDR: r.CIDR,
			IPv6CIDR: r.IPv6CIDR, PrefixListID: r.PrefixListID, GroupID: r.GroupID, Description: r.Description,
		})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// VPCExists reports whether the account has the VPC in the region.
func (s *Service) VPCExists(t store.Tx, account, region, id string) (bool, error) {
	v, _, err := get[vpc](t, account, region, kindVPC, id)
	return v != nil, err
}

// ServiceGroup is a security group a service makes in an account's VPC (SageMaker's NFS groups for a domain's
// EFS), with its rules. A new group has the all-traffic egress rule only when Egress is empty: a service that names
// egress rules gets exactly those.
type ServiceGroup struct {
	VPCID, Name, Description string
	Ingress, Egress          []ServiceRule
	Tags                     map[string]string
}

// ServiceRule is one rule of a ServiceGroup: a protocol ("tcp", "-1"), a port range, and a peer: a CIDR, a group
// id, or Self for the group being made.
type ServiceRule struct {
	Protocol         string
	FromPort, ToPort int32
	CIDR, GroupID    string
	Self             bool
}

// CreateServiceGroup makes a security group on the account's behalf and returns its id. Names are unique per VPC
// as for the account's own groups (InvalidGroup.Duplicate).
func (s *Service) CreateServiceGroup(t store.Tx, account, region string, in ServiceGroup) (string, error) {
	if ok, err := s.VPCExists(t, account, region, in.VPCID); err != nil {
		return "", err
	} else if !ok {
		return "", vpcNotFound(in.VPCID)
	}
	g := &securityGroup{ID: s.ids.EC2("sg"), Owner: account, Name: in.Name, Description: in.Description, VPCID: in.VPCID}
	rule := func(r ServiceRule) groupRule {
		gr := groupRule{ID: s.ids.EC2("sgr"), Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort, CIDR: r.CIDR, GroupID: r.GroupID}
		if r.Self {
			gr.GroupID = g.ID
		}
		if gr.GroupID != "" {
			gr.GroupOwner = account
		}
		return gr
	}
	for _, r := range in.Ingress {
		g.Ingress = append(g.Ingress, rule(r))
	}
	for _, r := range in.Egress {
		g.Egress = append(g.Egress, rule(r))
	}
	if len(in.Egress) == 0 {
		g.Egress = []groupRule{s.allowAllEgress()}
	}
	for _, k := range sortedKeys(in.Tags) {
		g.Tags = append(g.Tags, tag{Key: k, Value: in.Tags[k]})
	}
	rec, err := store.NewRecord(key(account, region, kindSecurityGroup, g.ID), g, g.indexes()...)
	if err != nil {
		return "", err
	}
	if err := t.Create(rec); err != nil {
		if errors.Is(err, store.ErrExists) {
			return "", notFound("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", in.Name, in.VPCID)
		}
		return "", err
	}
	return g.ID, nil
}

// DeleteServiceGroup deletes a security group a service made, unless something still uses it
// (DependencyViolation, as for the account's own groups).
func (s *Service) DeleteServiceGroup(t store.Tx, account, region, id string) error {
	g, _, err := get[securityGroup](t, account, region, kindSecurityGroup, id)
	if err != nil {
		return err
	}
	if g == nil {
		return groupNotFound(id)
	}
	if used, err := groupInUse(t, account, region, g); err != nil {
		return err
	} else if used {
		return dependencyViolation("resource %s has a dependent object", g.ID)
	}
	return t.Delete(key(account, region, kindSecurityGroup, g.ID))
}

// AddServiceGroupRules adds rules to a security group a service made, for groups whose rules name each other (the
// two NFS groups of a SageMaker domain): a group's id is known only once it is made. A rule whose Self is set names
// the group itself.
func (s *Service) AddServiceGroupRules(t store.Tx, account, region, id string, ingress, egress []ServiceRule) error {
	g, _, err := get[securityGroup](t, account, region, kindSecurityGroup, id)
	if err != nil {
		return err
	}
	if g == nil {
		return groupNotFound(id)
	}
	rule := func(r ServiceRule) groupRule {
		gr := groupRule{ID: s.ids.EC2("sgr"), Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort, CIDR: r.CIDR, GroupID: r.GroupID}
		if r.Self {
			gr.GroupID = g.ID
		}
		if gr.GroupID != "" {
			gr.GroupOwner = account
		}
		return gr
	}
	for _, r := range ingress {
		g.Ingress = append(g.Ingress, rule(r))
	}
	for _, r := range egress {
		g.Egress = append(g.Egress, rule(r))
	}
	return putGroup(t, account, region, g)
}
