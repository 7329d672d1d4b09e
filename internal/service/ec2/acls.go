package ec2

import (
	"context"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Network ACLs: numbered, stateless allow and deny rules per direction, and the association of every subnet with
// exactly one ACL (its VPC's default until it is moved).

func (s *Service) registerNetworkACLs(h *api.ServiceHandlers) {
	api.Write(h, "CreateNetworkAcl", s.createNetworkACL)
	api.Write(h, "DeleteNetworkAcl", s.deleteNetworkACL)
	api.Read(h, "DescribeNetworkAcls", s.describeNetworkACLs)
	api.Write(h, "CreateNetworkAclEntry", s.createNetworkACLEntry)
	api.Write(h, "ReplaceNetworkAclEntry", s.replaceNetworkACLEntry)
	api.Write(h, "DeleteNetworkAclEntry", s.deleteNetworkACLEntry)
	api.Write(h, "ReplaceNetworkAclAssociation", s.replaceNetworkACLAssociation)
}

// The rule numbers an entry may have; 32767 is the catch-all every ACL ends with, which cannot be changed.
const (
	minACLRule = 1
	maxACLRule = 32766
)

func unknownNetworkACL(id string) error {
	return unknownResource(id, "acl", "InvalidNetworkAclId.Malformed", "InvalidNetworkAclID.NotFound", "The networkAcl ID '%s' does not exist")
}

func keysOfNetworkACL(c *api.Call, a *networkACL) map[string][]string {
	if a == nil {
		return resourceKeys(c, nil, "")
	}
	keys := resourceKeys(c, a.Tags, a.VPCID)
	keys["ec2:NetworkAclID"] = []string{a.ID}
	return keys
}

func networkACLAuthorization(c *api.Call, action, id string, a *networkACL) api.Authorization {
	return api.Authorization{Action: "ec2:" + action, Resources: []string{arn(c, "network-acl", id)}, Context: keysOfNetworkACL(c, a)}
}

// loadNetworkACLFor reads the ACL a request names and authorizes action on it.
func loadNetworkACLFor(ctx context.Context, c *api.Call, t store.Tx, dryRun *bool, action, id string) (*networkACL, error) {
	authz := func(a *networkACL) api.Authorization { return networkACLAuthorization(c, action, id, a) }
	return load(ctx, c, t, dryRun, kindNetworkACL, id, authz, unknownNetworkACL)
}

func (s *Service) createNetworkACL(ctx context.Context, c *api.Call, in *CreateNetworkAclInput) (*CreateNetworkAclOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "network-acl")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	v, err := loadVPCForCreate(ctx, c, t, in.DryRun, "CreateNetworkAcl", "network-acl", in.VpcId, tags, tagErr)
	if err != nil {
		return nil, err
	}
	a := &networkACL{ID: s.ids.EC2("acl"), Tags: tags, Owner: acct, VPCID: v.ID, Entries: catchAllEntries()}
	if err := putACL(t, acct, region, a); err != nil {
		return nil, err
	}
	return &CreateNetworkAclOutput{NetworkAcl: s.aclRenderer(t, c).acl(a), ClientToken: in.ClientToken}, nil
}

func (s *Service) deleteNetworkACL(ctx context.Context, c *api.Call, in *DeleteNetworkAclInput) (*DeleteNetworkAclOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	a, err := loadNetworkACLFor(ctx, c, t, in.DryRun, "DeleteNetworkAcl", in.NetworkAclId)
	if err != nil {
		return nil, err
	}
	if a.Default {
		return nil, invalidParameterValue("cannot delete default network ACL %s", a.ID)
	}
	if len(s.aclRenderer(t, c).associations(a)) > 0 {
		return nil, dependencyViolation("The networkAcl '%s' has dependencies and cannot be deleted.", a.ID)
	}
	if err := t.Delete(key(c.Account(), c.Region, kindNetworkACL, a.ID)); err != nil {
		return nil, err
	}
	return &DeleteNetworkAclOutput{}, nil
}

// Entries.

// aclEntryRequest is what CreateNetworkAclEntry and ReplaceNetworkAclEntry have in common.
type aclEntryRequest struct {
	RuleNumber    int32
	Egress        bool
	Protocol      string
	RuleAction    string
	CidrBlock     *string
	Ipv6CidrBlock *string
	IcmpTypeCode  *IcmpTypeCode
	PortRange     *PortRange
}

// aclProtocols are the protocol names EC2 takes for their numbers.
var aclProtocols = map[string]string{"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}

// aclProtocolNames are the names the entry.protocol filter knows the numbers by.
var aclProtocolNames = map[string]string{"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "all"}

func ruleNumberInvalid(n int32) error {
	return invalidParameterValue("Value (%d) for parameter ruleNumber is invalid. Rulenumber must be in range %d..%d", n, minACLRule, maxACLRule)
}

// entry checks a request's entry as EC2 does and returns it as EC2 stores it: the protocol as a number, the CIDR
// masked, ports only for TCP and UDP, type and code only for ICMP (and ICMPv6 with an IPv6 block).
func (r aclEntryRequest) entry() (aclEntry, error) {
	// RuleAction is allow or deny: the model's enum, which the protocol checks.
	e := aclEntry{RuleNumber: r.RuleNumber, Egress: r.Egress, Action: r.RuleAction}
	if r.RuleNumber < minACLRule || r.RuleNumber > maxACLRule {
		return e, ruleNumberInvalid(r.RuleNumber)
	}
	proto := strings.ToLower(strings.TrimSpace(r.Protocol))
	if n, ok := aclProtocols[proto]; ok {
		proto = n
	}
	n, err := strconv.Atoi(proto)
	if err != nil || n < -1 || n > 255 {
		return e, invalidParameterValue("Invalid value '%s' for protocol. Must be a protocol number or -1 for all protocols.", r.Protocol)
	}
	proto = strconv.Itoa(n)
	e.Protocol = proto
	cidr, cidr6 := deref(r.CidrBlock), deref(r.Ipv6CidrBlock)
	switch {
	case cidr == "" && cidr6 == "":
		return e, missingParameter("The request must contain the parameter cidrBlock or ipv6CidrBlock")
	case cidr != "" && cidr6 != "":
		return e, invalidParameterCombination("The parameter cidrBlock cannot be used with the parameter ipv6CidrBlock")
	case cidr != "":
		p, ok := parseAnyCIDR(cidr)
		if !ok || !strings.Contains(cidr, "/") {
			return e, invalidParameterValue("Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", cidr)
		}
		e.CIDR = p.String()
	default:
		p, ok := parseCIDR6Masked(cidr6)
		if !ok {
			return e, invalidParameterValue("Value (%s) for parameter ipv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.", cidr6)
		}
		e.IPv6CIDR = p
	}
	switch {
	case proto == "6" || proto == "17":
		if r.PortRange == nil || r.PortRange.From == nil || r.PortRange.To == nil {
			return e, missingParameter("The request must contain the parameter portRange or icmpTypeCode")
		}
		from, to := *r.PortRange.From, *r.PortRange.To
		if from < 0 || from > 65535 || to < 0 || to > 65535 || from > to {
			return e, invalidParameterValue("Invalid value for portRange. Must be a range from 0 to 65535 with from less than or equal to to.")
		}
		e.HasPorts, e.FromPort, e.ToPort = true, from, to
	case proto == "1" || (proto == "58" && e.IPv6CIDR != ""):
		if r.IcmpTypeCode == nil || r.IcmpTypeCode.Type == nil || r.IcmpTypeCode.Code == nil {
			return e, missingParameter("The request must contain the parameter portRange or icmpTypeCode")
		}
		typ, code := *r.IcmpTypeCode.Type, *r.IcmpTypeCode.Code
		if typ < -1 || typ > 255 || code < -1 || code > 255 {
			return e, invalidParameterValue("Invalid value for icmpTypeCode. Type and code must be from -1 to 255.")
		}
		e.HasICMP, e.ICMPType, e.ICMPCode = true, typ, code
	}
	return e, nil
}

// parseCIDR6Masked reads an IPv6 block as ACL entries take it, masking bits past the prefix.
func parseCIDR6Masked(s string) (string, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
		return "", false
	}
	return p.Masked().String(), true
}

func direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// findEntry returns the index of an ACL's entry with the rule number in the direction, or -1.
func findEntry(a *networkACL, rule int32, egress bool) int {
	for i, e := range a.Entries {
		if e.RuleNumber == rule && e.Egress == egress {
			return i
		}
	}
	return -1
}

func (s *Service) createNetworkACLEntry(ctx context.Context, c *api.Call, in *CreateNetworkAclEntryInput) (*CreateNetworkAclEntryOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	req := aclEntryRequest{in.RuleNumber, in.Egress, in.Protocol, in.RuleAction, in.CidrBlock, in.Ipv6CidrBlock, in.IcmpTypeCode, in.PortRange}
	if err := s.putACLEntry(ctx, c, in.DryRun, "CreateNetworkAclEntry", in.NetworkAclId, req); err != nil {
		return nil, err
	}
	return &CreateNetworkAclEntryOutput{}, nil
}

func (s *Service) replaceNetworkACLEntry(ctx context.Context, c *api.Call, in *ReplaceNetworkAclEntryInput) (*ReplaceNetworkAclEntryOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	req := aclEntryRequest{in.RuleNumber, in.Egress, in.Protocol, in.RuleAction, in.CidrBlock, in.Ipv6CidrBlock, in.IcmpTypeCode, in.PortRange}
	if err := s.putACLEntry(ctx, c, in.DryRun, "ReplaceNetworkAclEntry", in.NetworkAclId, req); err != nil {
		return nil, err
	}
	return &ReplaceNetworkAclEntryOutput{}, nil
}

// putACLEntry is CreateNetworkAclEntry (action "CreateNetworkAclEntry") and ReplaceNetworkAclEntry.
func (s *Service) putACLEntry(ctx context.Context, c *api.Call, dryRun *bool, action, aclID string, req aclEntryRequest) error {
	t, err := c.Tx()
	if err != nil {
		return err
	}
	a, err := loadNetworkACLFor(ctx, c, t, dryRun, action, aclID)
	if err != nil {
		return err
	}
	e, err := req.entry()
	if err != nil {
		return err
	}
	at := findEntry(a, e.RuleNumber, e.Egress)
	if action == "CreateNetworkAclEntry" {
		if at >= 0 {
			return awserr.New("NetworkAclEntryAlreadyExists", "The network acl entry identified by %d already exists.", e.RuleNumber)
		}
		a.Entries = append(a.Entries, e)
	} else {
		if at < 0 {
			return notFound("InvalidNetworkAclEntry.NotFound", "no %s entry with number %d", direction(e.Egress), e.RuleNumber)
		}
		a.Entries[at] = e
	}
	sortEntries(a.Entries)
	return putACL(t, c.Account(), c.Region, a)
}

// sortEntries orders entries as DescribeNetworkAcls shows them: egress first, each direction by rule number.
func sortEntries(es []aclEntry) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Egress != es[j].Egress {
			return es[i].Egress
		}
		return es[i].RuleNumber < es[j].RuleNumber
	})
}

func (s *Service) deleteNetworkACLEntry(ctx context.Context, c *api.Call, in *DeleteNetworkAclEntryInput) (*DeleteNetworkAclEntryOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	a, err := loadNetworkACLFor(ctx, c, t, in.DryRun, "DeleteNetworkAclEntry", in.NetworkAclId)
	if err != nil {
		return nil, err
	}
	if in.RuleNumber < minACLRule || in.RuleNumber > maxACLRule {
		return nil, ruleNumberInvalid(in.RuleNumber)
	}
	at := findEntry(a, in.RuleNumber, in.Egress)
	if at < 0 {
		return nil, notFound("InvalidNetworkAclEntry.NotFound", "no %s entry with number %d", direction(in.Egress), in.RuleNumber)
	}
	a.Entries = append(a.Entries[:at:at], a.Entries[at+1:]...)
	if err := putACL(t, c.Account(), c.Region, a); err != nil {
		return nil, err
	}
	return &DeleteNetworkAclEntryOutput{}, nil
}

// Associations.

func (s *Service) replaceNetworkACLAssociation(ctx context.Context, c *api.Call, in *ReplaceNetworkAclAssociationInput) (*ReplaceNetworkAclAssociationOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	acct, region := c.Account(), c.Region
	acls, err := list[networkACL](t, acct, region, kindNetworkACL)
	if err != nil {
		return nil, err
	}
	var from *networkACL
	at := -1
	for _, a := range acls {
		for i, as := range a.Associations {
			if as.ID == in.AssociationId {
				from, at = a, i
			}
		}
	}
	to, _, err := get[networkACL](t, acct, region, kindNetworkACL, in.NetworkAclId)
	if err != nil {
		return nil, err
	}
	azs := []api.Authorization{networkACLAuthorization(c, "ReplaceNetworkAclAssociation", in.NetworkAclId, to)}
	var sn *subnet
	if from != nil {
		subnetID := from.Associations[at].SubnetID
		if sn, _, err = get[subnet](t, acct, region, kindSubnet, subnetID); err != nil {
			return nil, err
		}
		azs = append(azs, subnetAuthorization(c, "ReplaceNetworkAclAssociation", subnetID, sn))
	}
	if err := authorizeMany(ctx, c, in.DryRun, azs...); err != nil {
		return nil, err
	}
	if from == nil || sn == nil {
		return nil, unknownAssociation(in.AssociationId)
	}
	if to == nil {
		return nil, unknownNetworkACL(in.NetworkAclId)
	}
	if to.VPCID != sn.VPCID {
		return nil, invalidParameterValue("Network ACL %s and subnet %s belong to different networks", to.ID, sn.ID)
	}
	moved := aclAssociation{ID: s.ids.EC2("aclassoc"), SubnetID: sn.ID}
	from.Associations = append(from.Associations[:at:at], from.Associations[at+1:]...)
	if from.ID == to.ID {
		to = from
	} else if err := putACL(t, acct, region, from); err != nil {
		return nil, err
	}
	to.Associations = append(to.Associations, moved)
	if err := putACL(t, acct, region, to); err != nil {
		return nil, err
	}
	return &ReplaceNetworkAclAssociationOutput{NewAssociationId: ptr(moved.ID)}, nil
}

// Describe.

func (s *Service) describeNetworkACLs(ctx context.Context, c *api.Call, in *DescribeNetworkAclsInput) (*DescribeNetworkAclsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeNetworkAcls", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	if err := checkFilters(in.Filters, networkACLFilters(&NetworkAcl{})); err != nil {
		return nil, err
	}
	r := s.aclRenderer(t, c)
	acls, next, err := describe(t, c, describing[networkACL]{
		kind: kindNetworkACL, id: func(a *networkACL) string { return a.ID }, tags: func(a *networkACL) []tag { return a.Tags },
		// The filters see the ACL as rendered, without the associations of subnets that no longer exist.
		values:   func(a *networkACL) (filterValues, error) { return networkACLFilters(r.acl(a)), nil },
		notFound: func(missing []string) error { return unknownNetworkACL(missing[0]) },
	}, in.NetworkAclIds, in.Filters, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeNetworkAclsOutput{NetworkAcls: []*NetworkAcl{}, NextToken: next}
	for _, a := range acls {
		out.NetworkAcls = append(out.NetworkAcls, r.acl(a))
	}
	return out, nil
}

// aclRendering renders ACLs for one call, leaving out the associations of subnets that no longer exist.
type aclRendering struct {
	t       store.Tx
	c       *api.Call
	subnets map[string]bool
}

func (s *Service) aclRenderer(t store.Tx, c *api.Call) *aclRendering {
	return &aclRendering{t: t, c: c, subnets: map[string]bool{}}
}

func (r *aclRendering) associations(a *networkACL) []aclAssociation {
	var out []aclAssociation
	for _, as := range a.Associations {
		ok, seen := r.subnets[as.SubnetID]
		if !seen {
			sn, _, _ := get[subnet](r.t, r.c.Account(), r.c.Region, kindSubnet, as.SubnetID)
			ok = sn != nil
			r.subnets[as.SubnetID] = ok
		}
		if ok {
			out = append(out, as)
		}
	}
	return out
}

func (r *aclRendering) acl(a *networkACL) *NetworkAcl {
	out := &NetworkAcl{
		NetworkAclId: ptr(a.ID), VpcId: ptr(a.VPCID), OwnerId: ptr(a.Owner), IsDefault: ptr(a.Default), Tags: apiTags(a.Tags),
		Associations: []*NetworkAclAssociation{}, Entries: []*NetworkAclEntry{},
	}
	for _, as := range r.associations(a) {
		out.Associations = append(out.Associations, &NetworkAclAssociation{NetworkAclAssociationId: ptr(as.ID), NetworkAclId: ptr(a.ID), SubnetId: ptr(as.SubnetID)})
	}
	entries := append([]aclEntry(nil), a.Entries...)
	sortEntries(entries)
	for _, e := range entries {
		out.Entries = append(out.Entries, apiACLEntry(e))
	}
	return out
}

func apiACLEntry(e aclEntry) *NetworkAclEntry {
	out := &NetworkAclEntry{RuleNumber: ptr(e.RuleNumber), Egress: ptr(e.Egress), Protocol: ptr(e.Protocol), RuleAction: ptr(e.Action)}
	if e.CIDR != "" {
		out.CidrBlock = ptr(e.CIDR)
	}
	if e.IPv6CIDR != "" {
		out.Ipv6CidrBlock = ptr(e.IPv6CIDR)
	}
	if e.HasPorts {
		out.PortRange = &PortRange{From: ptr(e.FromPort), To: ptr(e.ToPort)}
	}
	if e.HasICMP {
		out.IcmpTypeCode = &IcmpTypeCode{Type: ptr(e.ICMPType), Code: ptr(e.ICMPCode)}
	}
	return out
}

// networkACLFilters are the filters the EC2 API Reference documents for DescribeNetworkAcls, on a rendered ACL.
func networkACLFilters(a *NetworkAcl) filterValues {
	return func(name string) ([]string, bool) {
		var out []string
		entries := func(f func(e *NetworkAclEntry) []string) []string {
			for _, e := range a.Entries {
				out = append(out, f(e)...)
			}
			return out
		}
		assocs := func(f func(as *NetworkAclAssociation) *string) []string {
			for _, as := range a.Associations {
				if v := deref(f(as)); v != "" {
					out = append(out, v)
				}
			}
			return out
		}
		opt := func(p *int32) []string {
			if p == nil {
				return nil
			}
			return []string{strconv.Itoa(int(*p))}
		}
		switch name {
		case "association.association-id":
			return assocs(func(as *NetworkAclAssociation) *string { return as.NetworkAclAssociationId }), true
		case "association.network-acl-id":
			return assocs(func(as *NetworkAclAssociation) *string { return as.NetworkAclId }), true
		case "association.subnet-id":
			return assocs(func(as *NetworkAclAssociation) *string { return as.SubnetId }), true
		case "default":
			return boolValue(deref(a.IsDefault)), true
		case "network-acl-id":
			return []string{deref(a.NetworkAclId)}, true
		case "owner-id":
			return []string{deref(a.OwnerId)}, true
		case "vpc-id":
			return []string{deref(a.VpcId)}, true
		case "entry.cidr":
			return entries(func(e *NetworkAclEntry) []string { return nonEmpty(deref(e.CidrBlock)) }), true
		case "entry.ipv6-cidr":
			return entries(func(e *NetworkAclEntry) []string { return nonEmpty(deref(e.Ipv6CidrBlock)) }), true
		case "entry.egress":
			return entries(func(e *NetworkAclEntry) []string { return boolValue(deref(e.Egress)) }), true
		case "entry.protocol":
			// The protocol by its number, and by its name where it has one (tcp, udp, icmp).
			return entries(func(e *NetworkAclEntry) []string {
				p := deref(e.Protocol)
				return append([]string{p}, nonEmpty(aclProtocolNames[p])...)
			}), true
		case "entry.rule-action":
			return entries(func(e *NetworkAclEntry) []string { return []string{deref(e.RuleAction)} }), true
		case "entry.rule-number":
			return entries(func(e *NetworkAclEntry) []string { return opt(e.RuleNumber) }), true
		case "entry.port-range.from":
			return entries(func(e *NetworkAclEntry) []string {
				if e.PortRange == nil {
					return nil
				}
				return opt(e.PortRange.From)
			}), true
		case "entry.port-range.to":
			return entries(func(e *NetworkAclEntry) []string {
				if e.PortRange == nil {
					return nil
				}
				return opt(e.PortRange.To)
			}), true
		case "entry.icmp.type":
			return entries(func(e *NetworkAclEntry) []string {
				if e.IcmpTypeCode == nil {
					return nil
				}
				return opt(e.IcmpTypeCode.Type)
			}), true
		case "entry.icmp.code":
			return entries(func(e *NetworkAclEntry) []string {
				if e.IcmpTypeCode == nil {
					return nil
				}
				return opt(e.IcmpTypeCode.Code)
			}), true
		}
		return nil, false
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
