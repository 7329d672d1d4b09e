package ec2

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/sagebox/sagebox/internal/store"
)

// defaultVPCCIDR is the block of every default VPC; its default subnets are its first /20s, one per zone.
const defaultVPCCIDR = "172.31.0.0/16"

// ensureDefaults makes the region's default VPC exist in account, as a new AWS account has one in every region:
// the VPC (172.31.0.0/16, DNS hostnames on), a default subnet (/20, public addresses on launch) in each zone, the
// main route table with a route to an attached internet gateway, the default network ACL and the default security
// group. It runs once per region of an account: once made, the defaults are the account's to change or delete.
func (s *Service) ensureDefaults(ctx context.Context, account, region string) error {
	mark := account + "/" + region
	if _, ok := s.defaulted.Load(mark); ok {
		return nil
	}
	if s.store == nil {
		return nil
	}
	tx, err := s.store.Begin(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, rec, err := get[defaultsDoc](tx, account, region, kindDefaults, "default"); err != nil {
		return err
	} else if rec != nil {
		s.defaulted.Store(mark, true)
		return nil
	}
	v, err := s.makeDefaultVPC(tx, account, region)
	if err != nil {
		return err
	}
	marker, err := store.NewRecord(key(account, region, kindDefaults, "default"), defaultsDoc{VPCID: v.ID})
	if err != nil {
		return err
	}
	if err := tx.Create(marker); err != nil {
		if errors.Is(err, store.ErrExists) {
			s.defaulted.Store(mark, true)
			return nil
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil // another call made them first; the next call finds its marker
		}
		return fmt.Errorf("ec2: the default VPC of %s in %s: %w", account, region, err)
	}
	s.defaulted.Store(mark, true)
	return nil
}

func (s *Service) makeDefaultVPC(t store.Tx, account, region string) (*vpc, error) {
	v, err := s.newVPC(t, account, region, defaultVPCCIDR, "default")
	if err != nil {
		return nil, err
	}
	v.Default, v.DNSHostnames = true, true
	if err := putVPC(t, account, region, v); err != nil {
		return nil, err
	}
	igw := &internetGateway{ID: s.ids.EC2("igw"), Owner: account, VPCID: v.ID}
	if err := putInternetGateway(t, account, region, igw); err != nil {
		return nil, err
	}
	rt, _, err := get[routeTable](t, account, region, kindRouteTable, v.MainRouteTable)
	if err != nil {
		return nil, err
	}
	rt.Routes = append(rt.Routes, route{DestinationCIDR: "0.0.0.0/0", GatewayID: igw.ID, Origin: "CreateRoute", State: "active"})
	if err := putRouteTable(t, account, region, rt); err != nil {
		return nil, err
	}
	block, _ := parseCIDR(defaultVPCCIDR)
	for i, z := range regionZones(region) {
		p := netip.PrefixFrom(nthAddress(block, i*4096), 20)
		sn := &subnet{
			ID: s.ids.EC2("subnet"), Owner: account, VPCID: v.ID, CIDR: p.String(), Zone: z.Name, ZoneID: z.ID,
			DefaultForAz: true, MapPublicIPOnLaunch: true, State: "available",
		}
		if err := putSubnet(t, account, region, sn); err != nil {
			return nil, err
		}
		if err := s.associateDefaultACL(t, account, region, v, sn.ID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// newVPC makes a VPC with what AWS makes with every VPC — its main route table (with the local route), its default
// network ACL (allowing everything both ways) and its default security group (all traffic in from itself, all
// out) — and stores them all. tenancy is "default" or "dedicated".
func (s *Service) newVPC(t store.Tx, account, region, cidr, tenancy string) (*vpc, error) {
	v := &vpc{
		ID: s.ids.EC2("vpc"), Owner: account, CIDR: cidr, Tenancy: tenancy, DNSSupport: true,
		DHCPOptionsID: "dopt-" + s.ids.Hex(17), State: "available",
		Blocks: []cidrBlock{{AssociationID: s.ids.EC2("vpc-cidr-assoc"), CIDR: cidr, State: "associated"}},
	}
	rt := &routeTable{
		ID: s.ids.EC2("rtb"), Owner: account, VPCID: v.ID,
		Routes:       []route{{DestinationCIDR: cidr, GatewayID: "local", Origin: "CreateRouteTable", State: "active"}},
		Associations: []routeAssociation{{ID: s.ids.EC2("rtbassoc"), Main: true}},
	}
	acl := &networkACL{ID: s.ids.EC2("acl"), Owner: account, VPCID: v.ID, Default: true, Entries: defaultACLEntries()}
	sg := &securityGroup{
		ID: s.ids.EC2("sg"), Owner: account, Name: "default", Description: "default VPC security group", VPCID: v.ID,
	}
	sg.Ingress = []groupRule{{ID: s.ids.EC2("sgr"), Protocol: "-1", FromPort: -1, ToPort: -1, GroupID: sg.ID, GroupOwner: account}}
	sg.Egress = []groupRule{s.allowAllEgress()}
	v.MainRouteTable, v.DefaultACL, v.DefaultGroup = rt.ID, acl.ID, sg.ID
	if err := putVPC(t, account, region, v); err != nil {
		return nil, err
	}
	if err := putRouteTable(t, account, region, rt); err != nil {
		return nil, err
	}
	if err := putACL(t, account, region, acl); err != nil {
		return nil, err
	}
	if err := putGroup(t, account, region, sg); err != nil {
		return nil, err
	}
	return v, nil
}

// allowAllEgress is the egress rule of every new security group: all traffic to anywhere.
func (s *Service) allowAllEgress() groupRule {
	return groupRule{ID: s.ids.EC2("sgr"), Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}
}

// defaultACLEntries are the entries of a VPC's default network ACL: rule 100 allows all traffic in and out, and
// the catch-all 32767 denies the rest (what every ACL ends with).
func defaultACLEntries() []aclEntry {
	return []aclEntry{
		{RuleNumber: 100, Egress: false, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
		{RuleNumber: 32767, Egress: false, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
		{RuleNumber: 100, Egress: true, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"},
		{RuleNumber: 32767, Egress: true, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
	}
}

// catchAllEntries are the entries of a new, non-default network ACL: it denies everything until rules are added.
func catchAllEntries() []aclEntry {
	return []aclEntry{
		{RuleNumber: 32767, Egress: false, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
		{RuleNumber: 32767, Egress: true, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"},
	}
}

// associateDefaultACL associates a new subnet with its VPC's default network ACL, as AWS does.
func (s *Service) associateDefaultACL(t store.Tx, account, region string, v *vpc, subnetID string) error {
	acl, _, err := get[networkACL](t, account, region, kindNetworkACL, v.DefaultACL)
	if err != nil {
		return err
	}
	if acl == nil {
		return fmt.Errorf("ec2: the default network ACL %s of %s is missing", v.DefaultACL, v.ID)
	}
	acl.Associations = append(acl.Associations, aclAssociation{ID: s.ids.EC2("aclassoc"), SubnetID: subnetID})
	return putACL(t, account, region, acl)
}
