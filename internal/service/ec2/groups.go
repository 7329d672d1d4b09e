package ec2

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/store"
)

// Security groups and their rules. A group's rules are stored one per source or destination (groupRule, with its
// sgr- id), as DescribeSecurityGroupRules shows them; DescribeSecurityGroups groups them back into IpPermissions.

func (s *Service) registerSecurityGroups(h *api.ServiceHandlers) {
	api.Write(h, "CreateSecurityGroup", s.createSecurityGroup)
	api.Write(h, "DeleteSecurityGroup", s.deleteSecurityGroup)
	api.Read(h, "DescribeSecurityGroups", s.describeSecurityGroups)
	api.Write(h, "AuthorizeSecurityGroupIngress", s.authorizeSecurityGroupIngress)
	api.Write(h, "AuthorizeSecurityGroupEgress", s.authorizeSecurityGroupEgress)
	api.Write(h, "RevokeSecurityGroupIngress", s.revokeSecurityGroupIngress)
	api.Write(h, "RevokeSecurityGroupEgress", s.revokeSecurityGroupEgress)
	api.Read(h, "DescribeSecurityGroupRules", s.describeSecurityGroupRules)
	api.Write(h, "ModifySecurityGroupRules", s.modifySecurityGroupRules)
}

// maxRulesPerDirection is the VPC User Guide's quota "Inbound or outbound rules per security group" at its
// default. It is counted apart for IPv4 and IPv6 rules; a rule that references a group or a prefix list counts
// for both.
const maxRulesPerDirection = 60

// groupTextChars are the characters EC2 allows in a VPC security group's name and description and in a rule's
// description, besides letters and digits.
const groupTextChars = " ._-:/()#,@[]+=&;{}!$*"

// The refusals of the security group operations, with EC2's codes and texts.
func groupNotFound(id string) error {
	return notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
}

func groupNameNotFound(name, vpcID string) error {
	return notFound("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, vpcID)
}

// otherNetwork is EC2's answer to a rule that references a group of another VPC.
func otherNetwork() error {
	return notFound("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
}

// refMalformed is EC2's answer to an id without its kind's form: `Invalid id: "x" (expecting "sg-...")`.
func refMalformed(code, id, prefix string) error {
	return awserr.New(code, "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix)
}

func ruleNotFound(id string) error {
	return notFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
}

// noDefaultVPCForName is EC2's answer to a group named (rather than given by id) in a region without a default VPC.
func noDefaultVPCForName() error {
	return awserr.New("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
}

func invalidRuleDescription() error {
	return invalidParameterValue("Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
}

// groupText reports whether s is a name or description EC2 takes for a VPC security group: at most 255 of the
// characters groupTextChars allows.
func groupText(s string) bool {
	if len(s) > 255 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(groupTextChars, r)) {
			return false
		}
	}
	return true
}

// defaultVPCOf returns the region's default VPC; nil when the account deleted it.
func defaultVPCOf(t store.Tx, account, region string) (*vpc, error) {
	d, _, err := get[defaultsDoc](t, account, region, kindDefaults, "default")
	if err != nil || d == nil {
		return nil, err
	}
	v, _, err := get[vpc](t, account, region, kindVPC, d.VPCID)
	if err != nil || v == nil || !v.Default {
		return nil, err
	}
	return v, nil
}

// groupNamed finds a group of a VPC by name, case-insensitively as names are unique; nil when there is none.
func groupNamed(t store.Tx, account, region, vpcID, name string) (*securityGroup, error) {
	rec, err := t.Lookup(scope(account, region, kindSecurityGroup), indexGroupName, vpcID+"/"+strings.ToLower(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	g, err := store.Decode[securityGroup](rec)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// groupKeys are the condition keys of an existing group, as the Service Authorization Reference lists them for
// the security-group resource type: its tags, ec2:SecurityGroupID, ec2:Vpc and ec2:Region.
func groupKeys(c *api.Call, g *securityGroup) map[string][]string {
	keys := resourceKeys(c, g.Tags, g.VPCID)
	keys["ec2:SecurityGroupID"] = []string{g.ID}
	return keys
}

// groupTarget is the group a request names by id or (in the default VPC) by name: the group when it exists, the
// ARN and keys to authorize with either way, and the error to answer once authorized when it does not.
type groupTarget struct {
	g    *securityGroup
	arn  string
	keys map[string][]string
	err  error
}

// findGroup resolves the group a request names. Only a failing store is an error; a group that is not there is
// reported in the target, to be answered after authorizing.
func findGroup(c *api.Call, t store.Tx, id, name string) (*groupTarget, error) {
	account, region := c.Account(), c.Region
	tg := &groupTarget{keys: map[string][]string{"ec2:Region": {region}}}
	switch {
	case id != "":
		tg.arn = arn(c, "security-group", id)
		tg.keys["ec2:SecurityGroupID"] = []string{id}
		if !wellFormedID(id, "sg") {
			tg.err = refMalformed("InvalidGroupId.Malformed", id, "sg")
			return tg, nil
		}
		g, _, err := get[securityGroup](t, account, region, kindSecurityGroup, id)
		if err != nil {
			return nil, err
		}
		if g == nil {
			tg.err = groupNotFound(id)
			return tg, nil
		}
		tg.g = g
	case name != "":
		// A group named that does not exist has no id: the request's name stands in the ARN.
		tg.arn = arn(c, "security-group", name)
		v, err := defaultVPCOf(t, account, region)
		if err != nil {
			return nil, err
		}
		if v == nil {
			tg.err = noDefaultVPCForName()
			return tg, nil
		}
		g, err := groupNamed(t, account, region, v.ID, name)
		if err != nil {
			return nil, err
		}
		if g == nil {
			tg.err = groupNameNotFound(name, v.ID)
			return tg, nil
		}
		tg.g = g
	default:
		// Naming no group, the request is asked on every group, as a Create call is asked on what it makes.
		tg.arn = arn(c, "security-group", "*")
		tg.err = missingParameter("The request must contain the parameter groupName or groupId")
		return tg, nil
	}
	tg.arn = arn(c, "security-group", tg.g.ID)
	tg.keys = groupKeys(c, tg.g)
	return tg, nil
}

// apiGroup renders a stored group.
func apiGroup(c *api.Call, g *securityGroup) *SecurityGroup {
	return &SecurityGroup{
		GroupId: ptr(g.ID), GroupName: ptr(g.Name), Description: ptr(g.Description), VpcId: ptr(g.VPCID),
		OwnerId: ptr(g.Owner), SecurityGroupArn: ptr(arn(c, "security-group", g.ID)), Tags: apiTags(g.Tags),
		IpPermissions: apiPermissions(g.Ingress, g.Owner), IpPermissionsEgress: apiPermissions(g.Egress, g.Owner),
	}
}

// portsShown reports whether a rule's protocol has ports (or ICMP types and codes) that IpPermissions show: AWS
// leaves FromPort and ToPort out for all traffic and for protocols other than TCP, UDP, ICMP and ICMPv6.
func portsShown(protocol string) bool {
	switch protocol {
	case "tcp", "udp", "icmp", "icmpv6":
		return true
	}
	return false
}

// apiPermissions groups rules into IpPermissions as DescribeSecurityGroups shows them: one permission per
// protocol and port range, in the order of each range's first rule, with the sources of its rules.
func apiPermissions(rules []groupRule, owner string) []*IpPermission {
	out := []*IpPermission{}
	index := map[string]*IpPermission{}
	for _, r := range rules {
		k := fmt.Sprintf("%s/%d/%d", r.Protocol, r.FromPort, r.ToPort)
		p := index[k]
		if p == nil {
			p = &IpPermission{
				IpProtocol: ptr(r.Protocol), IpRanges: []*IpRange{}, Ipv6Ranges: []*Ipv6Range{},
				PrefixListIds: []*PrefixListId{}, UserIdGroupPairs: []*UserIdGroupPair{},
			}
			if portsShown(r.Protocol) {
				p.FromPort, p.ToPort = ptr(r.FromPort), ptr(r.ToPort)
			}
			index[k] = p
			out = append(out, p)
		}
		addSource(p, r, owner)
	}
	return out
}

// addSource adds a rule's source or destination to a permission.
func addSource(p *IpPermission, r groupRule, owner string) {
	desc := optional(r.Description)
	switch {
	case r.CIDR != "":
		p.IpRanges = append(p.IpRanges, &IpRange{CidrIp: ptr(r.CIDR), Description: desc})
	case r.IPv6CIDR != "":
		p.Ipv6Ranges = append(p.Ipv6Ranges, &Ipv6Range{CidrIpv6: ptr(r.IPv6CIDR), Description: desc})
	case r.PrefixListID != "":
		p.PrefixListIds = append(p.PrefixListIds, &PrefixListId{PrefixListId: ptr(r.PrefixListID), Description: desc})
	case r.GroupID != "":
		user := r.GroupOwner
		if user == "" {
			user = owner
		}
		p.UserIdGroupPairs = append(p.UserIdGroupPairs, &UserIdGroupPair{GroupId: ptr(r.GroupID), UserId: ptr(user), Description: desc})
	}
}

// optional is nil for an empty string, as EC2 leaves out members it has no value for.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// apiRule renders one rule as DescribeSecurityGroupRules shows it.
func apiRule(c *api.Call, g *securityGroup, r groupRule, egress bool) *SecurityGroupRule {
	out := &SecurityGroupRule{
		SecurityGroupRuleId: ptr(r.ID), GroupId: ptr(g.ID), GroupOwnerId: ptr(g.Owner), IsEgress: ptr(egress),
		IpProtocol: ptr(r.Protocol), FromPort: ptr(r.FromPort), ToPort: ptr(r.ToPort),
		CidrIpv4: optional(r.CIDR), CidrIpv6: optional(r.IPv6CIDR), PrefixListId: optional(r.PrefixListID),
		Description: optional(r.Description), Tags: apiTags(r.Tags),
		SecurityGroupRuleArn: ptr(arn(c, "security-group-rule", r.ID)),
	}
	if r.GroupID != "" {
		user := r.GroupOwner
		if user == "" {
			user = g.Owner
		}
		out.ReferencedGroupInfo = &ReferencedSecurityGroup{GroupId: ptr(r.GroupID), UserId: ptr(user)}
	}
	return out
}

// apiRevoked renders a rule a Revoke call removed.
func apiRevoked(g *securityGroup, r groupRule, egress bool) *RevokedSecurityGroupRule {
	out := &RevokedSecurityGroupRule{
		SecurityGroupRuleId: ptr(r.ID), GroupId: ptr(g.ID), IsEgress: ptr(egress), IpProtocol: ptr(r.Protocol),
		FromPort: ptr(r.FromPort), ToPort: ptr(r.ToPort), CidrIpv4: optional(r.CIDR), CidrIpv6: optional(r.IPv6CIDR),
		PrefixListId: optional(r.PrefixListID), ReferencedGroupId: optional(r.GroupID), Description: optional(r.Description),
	}
	return out
}

// CreateSecurityGroup.

func (s *Service) createSecurityGroup(ctx context.Context, c *api.Call, in *CreateSecurityGroupInput) (*CreateSecurityGroupOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(in.TagSpecifications, "security-group")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	// Without a VpcId the group goes in the default VPC, whose ARN is authorized as if it had been named.
	vpcID := deref(in.VpcId)
	var defaultErr error
	if vpcID == "" {
		dv, err := defaultVPCOf(t, c.Account(), c.Region)
		if err != nil {
			return nil, err
		}
		if dv == nil {
			defaultErr = awserr.New("VPCIdNotSpecified", "No default VPC for this user")
		} else {
			vpcID = dv.ID
		}
	}
	as := []api.Authorization{createAuthorization(c, "CreateSecurityGroup", "security-group", tags)}
	var v *vpc
	if vpcID != "" {
		var keys map[string][]string
		if v, keys, err = findVPC(c, t, vpcID); err != nil {
			return nil, err
		}
		as = append(as, api.Authorization{Action: "ec2:CreateSecurityGroup", Resources: []string{arn(c, "vpc", vpcID)}, Context: keys})
	}
	as = withCreateTags(c, as, "security-group", tags)
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tagErr != nil {
		return nil, tagErr
	}
	if defaultErr != nil {
		return nil, defaultErr
	}
	if !wellFormedID(vpcID, "vpc") {
		return nil, idMalformed("InvalidVpcID.Malformed", vpcID)
	}
	if v == nil {
		return nil, vpcNotFound(vpcID)
	}
	name, desc := in.GroupName, in.Description
	switch {
	case name == "":
		return nil, missingParameter("The request must contain the parameter groupName")
	case desc == "":
		return nil, missingParameter("The request must contain the parameter groupDescription")
	case strings.HasPrefix(strings.ToLower(name), "sg-"):
		return nil, invalidParameterValue("Value (%s) for parameter GroupName is invalid. Group names may not be in the format sg-*.", name)
	case strings.EqualFold(name, "default"):
		return nil, awserr.New("InvalidGroup.Reserved", "The security group '%s' is reserved", name)
	case !groupText(name):
		return nil, invalidParameterValue("Invalid security group name. Valid names are non-empty strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
	case !groupText(desc):
		return nil, invalidParameterValue("Invalid security group description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*")
	}
	if other, err := groupNamed(t, c.Account(), c.Region, v.ID, name); err != nil {
		return nil, err
	} else if other != nil {
		return nil, awserr.New("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, v.ID)
	}
	g := &securityGroup{
		ID: s.ids.EC2("sg"), Owner: c.Account(), Name: name, Description: desc, VPCID: v.ID, Tags: tags,
		Egress: []groupRule{s.allowAllEgress()},
	}
	if err := putGroup(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	return &CreateSecurityGroupOutput{GroupId: ptr(g.ID), Tags: apiTags(tags), SecurityGroupArn: ptr(arn(c, "security-group", g.ID))}, nil
}

// DeleteSecurityGroup.

func (s *Service) deleteSecurityGroup(ctx context.Context, c *api.Call, in *DeleteSecurityGroupInput) (*DeleteSecurityGroupOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	tg, err := findGroup(c, t, deref(in.GroupId), deref(in.GroupName))
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DeleteSecurityGroup", []string{tg.arn}, tg.keys); err != nil {
		return nil, err
	}
	if tg.err != nil {
		return nil, tg.err
	}
	g := tg.g
	v, _, err := get[vpc](t, c.Account(), c.Region, kindVPC, g.VPCID)
	if err != nil {
		return nil, err
	}
	if v != nil && v.DefaultGroup == g.ID {
		return nil, awserr.New("CannotDelete", "the specified group: \"%s\" name: \"%s\" cannot be deleted by a user", g.ID, g.Name)
	}
	if used, err := groupInUse(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	} else if used {
		return nil, dependencyViolation("resource %s has a dependent object", g.ID)
	}
	if err := t.Delete(key(c.Account(), c.Region, kindSecurityGroup, g.ID)); err != nil {
		return nil, err
	}
	return &DeleteSecurityGroupOutput{Return: ptr(true), GroupId: ptr(g.ID)}, nil
}

// groupInUse reports whether anything keeps a group from being deleted: a rule of another group that references
// it, a network interface or an interface endpoint that uses it. (Its own rules that reference itself go with it.)
func groupInUse(t store.Tx, account, region string, g *securityGroup) (bool, error) {
	groups, err := list[securityGroup](t, account, region, kindSecurityGroup)
	if err != nil {
		return false, err
	}
	for _, o := range groups {
		if o.ID == g.ID {
			continue
		}
		for _, r := range append(append([]groupRule(nil), o.Ingress...), o.Egress...) {
			if r.GroupID == g.ID {
				return true, nil
			}
		}
	}
	enis, err := listByVPC[networkInterface](t, account, region, kindInterface, g.VPCID)
	if err != nil {
		return false, err
	}
	for _, n := range enis {
		if contains(n.GroupIDs, g.ID) {
			return true, nil
		}
	}
	eps, err := listByVPC[endpoint](t, account, region, kindEndpoint, g.VPCID)
	if err != nil {
		return false, err
	}
	for _, e := range eps {
		if contains(e.GroupIDs, g.ID) {
			return true, nil
		}
	}
	return false, nil
}

// DescribeSecurityGroups.

func (s *Service) describeSecurityGroups(ctx context.Context, c *api.Call, in *DescribeSecurityGroupsInput) (*DescribeSecurityGroupsOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeSecurityGroups", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	for _, id := range in.GroupIds {
		if !wellFormedID(id, "sg") {
			return nil, refMalformed("InvalidGroupId.Malformed", id, "sg")
		}
	}
	if err := checkFilters(in.Filters, groupFilter(&securityGroup{}, nil)); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	all, err := list[securityGroup](t, c.Account(), c.Region, kindSecurityGroup)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	byID := map[string]*securityGroup{}
	for _, g := range all {
		names[g.ID], byID[g.ID] = g.Name, g
	}
	candidates := all
	if len(in.GroupIds) > 0 || len(in.GroupNames) > 0 {
		candidates = nil
		seen := map[string]bool{}
		add := func(g *securityGroup) {
			if !seen[g.ID] {
				seen[g.ID] = true
				candidates = append(candidates, g)
			}
		}
		for _, id := range in.GroupIds {
			g := byID[id]
			if g == nil {
				return nil, groupNotFound(id)
			}
			add(g)
		}
		if len(in.GroupNames) > 0 {
			v, err := defaultVPCOf(t, c.Account(), c.Region)
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, noDefaultVPCForName()
			}
			for _, name := range in.GroupNames {
				g, err := groupNamed(t, c.Account(), c.Region, v.ID, name)
				if err != nil {
					return nil, err
				}
				if g == nil {
					return nil, groupNameNotFound(name, v.ID)
				}
				add(g)
			}
		}
	}
	matched := map[string]*securityGroup{}
	var ids []string
	for _, g := range candidates {
		ok, err := matchFilters(in.Filters, g.Tags, groupFilter(g, names))
		if err != nil {
			return nil, err
		}
		if ok {
			matched[g.ID] = g
			ids = append(ids, g.ID)
		}
	}
	sort.Strings(ids)
	from, to, next, err := page(ids, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeSecurityGroupsOutput{SecurityGroups: []*SecurityGroup{}}
	for _, id := range ids[from:to] {
		out.SecurityGroups = append(out.SecurityGroups, apiGroup(c, matched[id]))
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}

// groupFilter returns the values of a group for the filters DescribeSecurityGroups documents. names maps the
// region's group ids to their names, for ip-permission.group-name.
func groupFilter(g *securityGroup, names map[string]string) filterValues {
	return func(name string) ([]string, bool) {
		rules := g.Ingress
		field := name
		if rest, ok := strings.CutPrefix(name, "egress.ip-permission."); ok {
			rules, field = g.Egress, "ip-permission."+rest
		}
		switch field {
		case "description":
			return []string{g.Description}, true
		case "group-id":
			return []string{g.ID}, true
		case "group-name":
			return []string{g.Name}, true
		case "owner-id":
			return []string{g.Owner}, true
		case "vpc-id":
			return []string{g.VPCID}, true
		case "ip-permission.cidr", "ip-permission.ipv6-cidr", "ip-permission.prefix-list-id", "ip-permission.protocol",
			"ip-permission.from-port", "ip-permission.to-port", "ip-permission.group-id", "ip-permission.group-name",
			"ip-permission.user-id":
			var out []string
			for _, r := range rules {
				var v string
				switch field {
				case "ip-permission.cidr":
					v = r.CIDR
				case "ip-permission.ipv6-cidr":
					v = r.IPv6CIDR
				case "ip-permission.prefix-list-id":
					v = r.PrefixListID
				case "ip-permission.protocol":
					v = r.Protocol
				case "ip-permission.from-port":
					v = strconv.Itoa(int(r.FromPort))
				case "ip-permission.to-port":
					v = strconv.Itoa(int(r.ToPort))
				case "ip-permission.group-id":
					v = r.GroupID
				case "ip-permission.group-name":
					v = names[r.GroupID]
				case "ip-permission.user-id":
					if r.GroupID != "" {
						v = r.GroupOwner
						if v == "" {
							v = g.Owner
						}
					}
				}
				if v != "" {
					out = append(out, v)
				}
			}
			return out, true
		}
		return nil, false
	}
}

// Rules: what a request asks for.

// ruleRequest is the legacy form of a rule, given by members of the request itself rather than IpPermissions.
type ruleRequest struct {
	cidr, protocol, sourceName, sourceOwner *string
	from, to                                *int32
}

// firstSet names the first legacy member a request sets, as EC2 names it; "" when it sets none.
func (r ruleRequest) firstSet() string {
	switch {
	case r.cidr != nil:
		return "cidrIp"
	case r.protocol != nil:
		return "ipProtocol"
	case r.from != nil:
		return "fromPort"
	case r.to != nil:
		return "toPort"
	case r.sourceName != nil:
		return "sourceSecurityGroupName"
	case r.sourceOwner != nil:
		return "sourceSecurityGroupOwnerId"
	}
	return ""
}

// permissions turns the legacy form into IpPermissions. A source group named without a protocol grants, as EC2
// documents, all ICMP, UDP and TCP traffic from it: three rules.
func (r ruleRequest) permissions() ([]*IpPermission, error) {
	if r.cidr != nil && (r.sourceName != nil || r.sourceOwner != nil) {
		return nil, invalidParameterCombination("The parameter 'cidrIp' may not be used in combination with 'sourceSecurityGroupName'")
	}
	if r.sourceName == nil && r.sourceOwner == nil {
		p := &IpPermission{IpProtocol: r.protocol, FromPort: r.from, ToPort: r.to}
		if r.cidr != nil {
			p.IpRanges = []*IpRange{{CidrIp: r.cidr}}
		}
		return []*IpPermission{p}, nil
	}
	if r.sourceName == nil {
		return nil, missingParameter("The request must contain the parameter sourceSecurityGroupName")
	}
	pair := func() []*UserIdGroupPair {
		return []*UserIdGroupPair{{GroupName: r.sourceName, UserId: r.sourceOwner}}
	}
	if r.protocol != nil {
		return []*IpPermission{{IpProtocol: r.protocol, FromPort: r.from, ToPort: r.to, UserIdGroupPairs: pair()}}, nil
	}
	return []*IpPermission{
		{IpProtocol: ptr("icmp"), FromPort: ptr(int32(-1)), ToPort: ptr(int32(-1)), UserIdGroupPairs: pair()},
		{IpProtocol: ptr("tcp"), FromPort: ptr(int32(0)), ToPort: ptr(int32(65535)), UserIdGroupPairs: pair()},
		{IpProtocol: ptr("udp"), FromPort: ptr(int32(0)), ToPort: ptr(int32(65535)), UserIdGroupPairs: pair()},
	}, nil
}

// requestPermissions returns the permissions a request gives, in IpPermissions or in the legacy members (not
// both). None at all is allowed only where the request has another way to name rules (rule ids).
func requestPermissions(perms []*IpPermission, legacy ruleRequest, orRuleIDs bool) ([]*IpPermission, error) {
	if name := legacy.firstSet(); name != "" {
		if len(perms) > 0 {
			return nil, invalidParameterCombination("The parameter 'ipPermissions' may not be used in combination with '%s'", name)
		}
		return legacy.permissions()
	}
	if len(perms) == 0 && !orRuleIDs {
		return nil, missingParameter("The request must contain the parameter ipPermissions")
	}
	return perms, nil
}

// protocolOf reads an IpProtocol as EC2 takes it: tcp, udp, icmp and icmpv6 (in any case), -1 for all, or a
// protocol number, the numbers of the named ones stored as their names (6 is tcp). EC2 takes no other spelling:
// "all" is refused, though the AWS CLI turns it into -1 before sending.
func protocolOf(p *string) (string, error) {
	if p == nil {
		return "", invalidParameterValue("Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly.")
	}
	v := strings.ToLower(strings.TrimSpace(*p))
	switch v {
	case "tcp", "udp", "icmp", "icmpv6", "-1":
		return v, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -1 || n > 255 || strconv.Itoa(n) != v {
		return "", invalidParameterValue("Invalid value '%s' for IP protocol. Unknown protocol.", *p)
	}
	switch n {
	case -1:
		return "-1", nil
	case 1:
		return "icmp", nil
	case 6:
		return "tcp", nil
	case 17:
		return "udp", nil
	case 58:
		return "icmpv6", nil
	}
	return v, nil
}

// portsOf checks a permission's port range (for ICMP: type and code) against its protocol and returns the range
// to store: -1 to -1 for protocols that have no ports.
func portsOf(protocol string, from, to *int32) (int32, int32, error) {
	switch protocol {
	case "tcp", "udp":
		if from == nil && to == nil {
			return 0, 0, invalidParameterValue("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.")
		}
		f, t := derefOr(from, -1), derefOr(to, -1)
		if f < 0 || f > 65535 {
			return 0, 0, invalidParameterValue("TCP/UDP (from) port (%d) out of range", f)
		}
		if t < 0 || t > 65535 {
			return 0, 0, invalidParameterValue("TCP/UDP (to) port (%d) out of range", t)
		}
		if f > t {
			return 0, 0, invalidParameterValue("Invalid TCP/UDP port range (%d to %d): the from port must not be greater than the to port", f, t)
		}
		return f, t, nil
	case "icmp", "icmpv6":
		if from == nil && to == nil {
			if protocol == "icmpv6" {
				return -1, -1, nil // "For ICMPv6, the port range is optional": all types and codes
			}
			return 0, 0, invalidParameterValue("Invalid value 'Must specify both from and to ports with ICMP.' for portRange.")
		}
		f, t := derefOr(from, -1), derefOr(to, -1)
		if f < -1 || f > 255 {
			return 0, 0, invalidParameterValue("ICMP type (%d) out of range", f)
		}
		if t < -1 || t > 255 || (f == -1 && t != -1) {
			return 0, 0, invalidParameterValue("ICMP code (%d) out of range", t)
		}
		return f, t, nil
	}
	return -1, -1, nil
}

func derefOr(p *int32, or int32) int32 {
	if p == nil {
		return or
	}
	return *p
}

// checkRuleDescription validates a rule's description.
func checkRuleDescription(d *string) (string, error) {
	if d == nil {
		return "", nil
	}
	if !groupText(*d) {
		return "", invalidRuleDescription()
	}
	return *d, nil
}

// parseCIDR6Rule reads an IPv6 CIDR of a rule, masking bits past the prefix as EC2 does.
func parseCIDR6Rule(s string) (string, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
		return "", false
	}
	return p.Masked().String(), true
}

// rulesOf turns permissions into rules of group g (without ids): one per source or destination. It checks
// protocols, ports, CIDRs, descriptions, prefix lists, and referenced groups (which must exist in g's VPC).
func rulesOf(c *api.Call, t store.Tx, g *securityGroup, perms []*IpPermission) ([]groupRule, error) {
	var out []groupRule
	for _, p := range perms {
		if p == nil {
			continue
		}
		proto, err := protocolOf(p.IpProtocol)
		if err != nil {
			return nil, err
		}
		from, to, err := portsOf(proto, p.FromPort, p.ToPort)
		if err != nil {
			return nil, err
		}
		base := groupRule{Protocol: proto, FromPort: from, ToPort: to}
		for _, r := range p.IpRanges {
			if r == nil || r.CidrIp == nil {
				return nil, missingParameter("The request must contain the parameter cidrIp")
			}
			pfx, ok := parseAnyCIDR(*r.CidrIp)
			if !ok || !strings.Contains(*r.CidrIp, "/") {
				return nil, invalidParameterValue("Value (%s) for parameter cidrIp is invalid. This is not a valid CIDR block.", *r.CidrIp)
			}
			d, err := checkRuleDescription(r.Description)
			if err != nil {
				return nil, err
			}
			rule := base
			rule.CIDR, rule.Description = pfx.String(), d
			out = append(out, rule)
		}
		for _, r := range p.Ipv6Ranges {
			if r == nil || r.CidrIpv6 == nil {
				return nil, missingParameter("The request must contain the parameter cidrIpv6")
			}
			cidr, ok := parseCIDR6Rule(*r.CidrIpv6)
			if !ok {
				return nil, invalidParameterValue("Value (%s) for parameter cidrIpv6 is invalid. This is not a valid CIDR block.", *r.CidrIpv6)
			}
			d, err := checkRuleDescription(r.Description)
			if err != nil {
				return nil, err
			}
			rule := base
			rule.IPv6CIDR, rule.Description = cidr, d
			out = append(out, rule)
		}
		for _, r := range p.PrefixListIds {
			id := ""
			if r != nil {
				id = deref(r.PrefixListId)
			}
			if !wellFormedID(id, "pl") {
				return nil, refMalformed("InvalidPrefixListId.Malformed", id, "pl")
			}
			if _, ok := prefixListByID(c.Region, id); !ok {
				return nil, notFound("InvalidPrefixListID.NotFound", "The prefix list ID '%s' does not exist", id)
			}
			d, err := checkRuleDescription(r.Description)
			if err != nil {
				return nil, err
			}
			rule := base
			rule.PrefixListID, rule.Description = id, d
			out = append(out, rule)
		}
		for _, pair := range p.UserIdGroupPairs {
			if pair == nil {
				continue
			}
			ref, err := pairGroup(c, t, g, pair)
			if err != nil {
				return nil, err
			}
			d, err := checkRuleDescription(pair.Description)
			if err != nil {
				return nil, err
			}
			rule := base
			rule.GroupID, rule.GroupOwner, rule.Description = ref.ID, ref.Owner, d
			out = append(out, rule)
		}
	}
	return out, nil
}

// pairGroup resolves the group a UserIdGroupPair references: by id, or by name in the default VPC. It must be of
// the account (sagebox has no cross-account references) and of g's VPC (nor peering).
func pairGroup(c *api.Call, t store.Tx, g *securityGroup, pair *UserIdGroupPair) (*securityGroup, error) {
	if id := deref(pair.VpcPeeringConnectionId); id != "" {
		return nil, notFound("InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID '%s' does not exist", id)
	}
	id, name := deref(pair.GroupId), deref(pair.GroupName)
	var ref *securityGroup
	switch {
	case id != "":
		if !wellFormedID(id, "sg") {
			return nil, refMalformed("InvalidGroupId.Malformed", id, "sg")
		}
		var err error
		if ref, _, err = get[securityGroup](t, c.Account(), c.Region, kindSecurityGroup, id); err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, groupNotFound(id)
		}
	case name != "":
		v, err := defaultVPCOf(t, c.Account(), c.Region)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, noDefaultVPCForName()
		}
		if ref, err = groupNamed(t, c.Account(), c.Region, v.ID, name); err != nil {
			return nil, err
		}
		if ref == nil {
			return nil, groupNameNotFound(name, v.ID)
		}
	default:
		return nil, missingParameter("The request must contain the parameter groupId or groupName")
	}
	if user := deref(pair.UserId); user != "" && user != c.Account() {
		return nil, groupNotFound(ref.ID)
	}
	if ref.VPCID != g.VPCID {
		return nil, otherNetwork()
	}
	return ref, nil
}

// sameRule reports whether two rules allow the same traffic to or from the same peer (descriptions and tags
// aside): what EC2 calls a duplicate, and what a Revoke by properties must name.
func sameRule(a, b groupRule) bool {
	return a.Protocol == b.Protocol && a.FromPort == b.FromPort && a.ToPort == b.ToPort && a.CIDR == b.CIDR &&
		a.IPv6CIDR == b.IPv6CIDR && a.PrefixListID == b.PrefixListID && a.GroupID == b.GroupID
}

// describeRule writes a rule as EC2 quotes it in InvalidPermission.Duplicate: peer: 0.0.0.0/0, TCP, from port: 22,
// to port: 22, ALLOW.
func describeRule(r groupRule) string {
	peer := r.CIDR + r.IPv6CIDR + r.PrefixListID + r.GroupID
	var what string
	switch r.Protocol {
	case "-1":
		what = "ALL"
	case "tcp", "udp":
		what = fmt.Sprintf("%s, from port: %d, to port: %d", strings.ToUpper(r.Protocol), r.FromPort, r.ToPort)
	case "icmp", "icmpv6":
		what = fmt.Sprintf("%s, type: %d, code: %d", strings.ToUpper(r.Protocol), r.FromPort, r.ToPort)
	default:
		what = "protocol: " + r.Protocol
	}
	return fmt.Sprintf("peer: %s, %s, ALLOW", peer, what)
}

// overRuleQuota reports whether a direction's rules pass the quota, counted for IPv4 and IPv6 apart.
func overRuleQuota(rules []groupRule) bool {
	v4, v6 := 0, 0
	for _, r := range rules {
		switch {
		case r.CIDR != "":
			v4++
		case r.IPv6CIDR != "":
			v6++
		default:
			v4++
			v6++
		}
	}
	return v4 > maxRulesPerDirection || v6 > maxRulesPerDirection
}

// direction returns the rules of one direction of g, for reading and replacing.
func (g *securityGroup) rules(egress bool) *[]groupRule {
	if egress {
		return &g.Egress
	}
	return &g.Ingress
}

// Authorize.

func (s *Service) authorizeSecurityGroupIngress(ctx context.Context, c *api.Call, in *AuthorizeSecurityGroupIngressInput) (*AuthorizeSecurityGroupIngressOutput, error) {
	legacy := ruleRequest{cidr: in.CidrIp, protocol: in.IpProtocol, sourceName: in.SourceSecurityGroupName,
		sourceOwner: in.SourceSecurityGroupOwnerId, from: in.FromPort, to: in.ToPort}
	rules, err := s.addRules(ctx, c, "AuthorizeSecurityGroupIngress", deref(in.GroupId), deref(in.GroupName), in.DryRun,
		in.TagSpecifications, in.IpPermissions, legacy, false)
	if err != nil {
		return nil, err
	}
	return &AuthorizeSecurityGroupIngressOutput{Return: ptr(true), SecurityGroupRules: rules}, nil
}

func (s *Service) authorizeSecurityGroupEgress(ctx context.Context, c *api.Call, in *AuthorizeSecurityGroupEgressInput) (*AuthorizeSecurityGroupEgressOutput, error) {
	legacy := ruleRequest{cidr: in.CidrIp, protocol: in.IpProtocol, sourceName: in.SourceSecurityGroupName,
		sourceOwner: in.SourceSecurityGroupOwnerId, from: in.FromPort, to: in.ToPort}
	rules, err := s.addRules(ctx, c, "AuthorizeSecurityGroupEgress", in.GroupId, "", in.DryRun,
		in.TagSpecifications, in.IpPermissions, legacy, true)
	if err != nil {
		return nil, err
	}
	return &AuthorizeSecurityGroupEgressOutput{Return: ptr(true), SecurityGroupRules: rules}, nil
}

// ruleTagAuthorizations are what a rule change with TagSpecifications asks besides its action on the group: the
// action on the new rules (the security-group-rule resource type, "only enforced when the API request includes
// TagSpecifications") with the tags it sets, and ec2:CreateTags on them.
func ruleTagAuthorizations(c *api.Call, action string, tags []tag) []api.Authorization {
	if len(tags) == 0 {
		return nil
	}
	ruleARN := arn(c, "security-group-rule", "*")
	return []api.Authorization{
		{Action: "ec2:" + action, Resources: []string{ruleARN}, Context: requestTagKeys(map[string][]string{"ec2:Region": {c.Region}}, tags)},
		createTagsAuthorization(c, ruleARN, tags),
	}
}

// addRules is AuthorizeSecurityGroupIngress and AuthorizeSecurityGroupEgress: it adds the rules a request gives
// to the group it names and returns them as DescribeSecurityGroupRules would.
func (s *Service) addRules(ctx context.Context, c *api.Call, action, groupID, groupName string, dryRun *bool,
	specs []*TagSpecification, perms []*IpPermission, legacy ruleRequest, egress bool) ([]*SecurityGroupRule, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	tags, tagErr := tagsFromSpecs(specs, "security-group-rule")
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	tg, err := findGroup(c, t, groupID, groupName)
	if err != nil {
		return nil, err
	}
	as := append([]api.Authorization{{Action: "ec2:" + action, Resources: []string{tg.arn}, Context: tg.keys}},
		ruleTagAuthorizations(c, action, tags)...)
	if err := authorizeMany(ctx, c, dryRun, as...); err != nil {
		return nil, err
	}
	if tagErr != nil {
		return nil, tagErr
	}
	if tg.err != nil {
		return nil, tg.err
	}
	g := tg.g
	perms, err = requestPermissions(perms, legacy, false)
	if err != nil {
		return nil, err
	}
	added, err := rulesOf(c, t, g, perms)
	if err != nil {
		return nil, err
	}
	have := g.rules(egress)
	next := append([]groupRule(nil), *have...)
	for _, r := range added {
		for _, o := range next {
			if sameRule(o, r) {
				return nil, awserr.New("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", describeRule(r))
			}
		}
		r.ID, r.Tags = s.ids.EC2("sgr"), tags
		next = append(next, r)
	}
	if overRuleQuota(next) {
		return nil, awserr.New("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
	}
	*have = next
	if err := putGroup(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	out := []*SecurityGroupRule{}
	for _, r := range next[len(next)-len(added):] {
		out = append(out, apiRule(c, g, r, egress))
	}
	return out, nil
}

// Revoke.

// revocation is what a Revoke call answers.
type revocation struct {
	revoked []*RevokedSecurityGroupRule
	unknown []*IpPermission
}

func (s *Service) revokeSecurityGroupIngress(ctx context.Context, c *api.Call, in *RevokeSecurityGroupIngressInput) (*RevokeSecurityGroupIngressOutput, error) {
	legacy := ruleRequest{cidr: in.CidrIp, protocol: in.IpProtocol, sourceName: in.SourceSecurityGroupName,
		sourceOwner: in.SourceSecurityGroupOwnerId, from: in.FromPort, to: in.ToPort}
	rv, err := s.removeRules(ctx, c, "RevokeSecurityGroupIngress", deref(in.GroupId), deref(in.GroupName), in.DryRun,
		in.SecurityGroupRuleIds, in.IpPermissions, legacy, false)
	if err != nil {
		return nil, err
	}
	return &RevokeSecurityGroupIngressOutput{Return: ptr(true), RevokedSecurityGroupRules: rv.revoked, UnknownIpPermissions: rv.unknown}, nil
}

func (s *Service) revokeSecurityGroupEgress(ctx context.Context, c *api.Call, in *RevokeSecurityGroupEgressInput) (*RevokeSecurityGroupEgressOutput, error) {
	legacy := ruleRequest{cidr: in.CidrIp, protocol: in.IpProtocol, sourceName: in.SourceSecurityGroupName,
		sourceOwner: in.SourceSecurityGroupOwnerId, from: in.FromPort, to: in.ToPort}
	rv, err := s.removeRules(ctx, c, "RevokeSecurityGroupEgress", in.GroupId, "", in.DryRun,
		in.SecurityGroupRuleIds, in.IpPermissions, legacy, true)
	if err != nil {
		return nil, err
	}
	return &RevokeSecurityGroupEgressOutput{Return: ptr(true), RevokedSecurityGroupRules: rv.revoked, UnknownIpPermissions: rv.unknown}, nil
}

// removeRules is RevokeSecurityGroupIngress and RevokeSecurityGroupEgress. Rules are named by id or by their
// properties (which must match a rule exactly; descriptions aside). The EC2 API Reference: "For a default VPC, if
// the values you specify do not match the existing rule's values, no error is returned, and the output describes
// the security group rules that were not revoked. For a non-default VPC, … an InvalidPermission.NotFound client
// error is returned, and no rules are revoked."
func (s *Service) removeRules(ctx context.Context, c *api.Call, action, groupID, groupName string, dryRun *bool,
	ruleIDs []string, perms []*IpPermission, legacy ruleRequest, egress bool) (*revocation, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	tg, err := findGroup(c, t, groupID, groupName)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, dryRun, action, []string{tg.arn}, tg.keys); err != nil {
		return nil, err
	}
	if tg.err != nil {
		return nil, tg.err
	}
	g := tg.g
	if len(ruleIDs) > 0 && (len(perms) > 0 || legacy.firstSet() != "") {
		return nil, invalidParameterCombination("The parameter 'securityGroupRuleIds' may not be used in combination with 'ipPermissions'")
	}
	have := g.rules(egress)
	gone := map[string]bool{}
	rv := &revocation{revoked: []*RevokedSecurityGroupRule{}}
	if len(ruleIDs) > 0 {
		for _, id := range ruleIDs {
			if !wellFormedID(id, "sgr") {
				return nil, refMalformed("InvalidSecurityGroupRuleId.Malformed", id, "sgr")
			}
			found := false
			for _, r := range *have {
				if r.ID == id {
					found = true
				}
			}
			if !found {
				return nil, ruleNotFound(id)
			}
			gone[id] = true
		}
	} else {
		perms, err = requestPermissions(perms, legacy, false)
		if err != nil {
			return nil, err
		}
		asked, err := rulesOf(c, t, g, perms)
		if err != nil {
			return nil, err
		}
		for _, a := range asked {
			matched := false
			for _, r := range *have {
				if sameRule(r, a) {
					gone[r.ID], matched = true, true
				}
			}
			if !matched {
				rv.unknown = append(rv.unknown, apiPermissions([]groupRule{a}, g.Owner)...)
			}
		}
		if len(rv.unknown) > 0 {
			v, err := defaultVPCOf(t, c.Account(), c.Region)
			if err != nil {
				return nil, err
			}
			if v == nil || v.ID != g.VPCID {
				return nil, notFound("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			}
		}
	}
	kept := []groupRule{}
	for _, r := range *have {
		if gone[r.ID] {
			rv.revoked = append(rv.revoked, apiRevoked(g, r, egress))
			continue
		}
		kept = append(kept, r)
	}
	*have = kept
	if err := putGroup(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	return rv, nil
}

// DescribeSecurityGroupRules.

// ruleOf is one rule with its group and direction, as DescribeSecurityGroupRules lists them.
type ruleOf struct {
	g      *securityGroup
	r      groupRule
	egress bool
}

func (ro ruleOf) filter() filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "group-id":
			return []string{ro.g.ID}, true
		case "security-group-rule-id":
			return []string{ro.r.ID}, true
		}
		return nil, false
	}
}

// allRules lists every rule of the region's groups, by rule id.
func allRules(t store.Tx, account, region string) (map[string]ruleOf, error) {
	groups, err := list[securityGroup](t, account, region, kindSecurityGroup)
	if err != nil {
		return nil, err
	}
	out := map[string]ruleOf{}
	for _, g := range groups {
		for _, r := range g.Ingress {
			out[r.ID] = ruleOf{g: g, r: r}
		}
		for _, r := range g.Egress {
			out[r.ID] = ruleOf{g: g, r: r, egress: true}
		}
	}
	return out, nil
}

func (s *Service) describeSecurityGroupRules(ctx context.Context, c *api.Call, in *DescribeSecurityGroupRulesInput) (*DescribeSecurityGroupRulesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, in.DryRun, "DescribeSecurityGroupRules", []string{"*"}, map[string][]string{"ec2:Region": {c.Region}}); err != nil {
		return nil, err
	}
	for _, id := range in.SecurityGroupRuleIds {
		if !wellFormedID(id, "sgr") {
			return nil, refMalformed("InvalidSecurityGroupRuleId.Malformed", id, "sgr")
		}
	}
	if err := checkFilters(in.Filters, ruleOf{g: &securityGroup{}}.filter()); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	rules, err := allRules(t, c.Account(), c.Region)
	if err != nil {
		return nil, err
	}
	candidates := rules
	if len(in.SecurityGroupRuleIds) > 0 {
		candidates = map[string]ruleOf{}
		for _, id := range in.SecurityGroupRuleIds {
			ro, ok := rules[id]
			if !ok {
				return nil, ruleNotFound(id)
			}
			candidates[id] = ro
		}
	}
	var ids []string
	for id, ro := range candidates {
		ok, err := matchFilters(in.Filters, ro.r.Tags, ro.filter())
		if err != nil {
			return nil, err
		}
		if ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	from, to, next, err := page(ids, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &DescribeSecurityGroupRulesOutput{SecurityGroupRules: []*SecurityGroupRule{}}
	for _, id := range ids[from:to] {
		ro := candidates[id]
		out.SecurityGroupRules = append(out.SecurityGroupRules, apiRule(c, ro.g, ro.r, ro.egress))
	}
	if next != "" {
		out.NextToken = ptr(next)
	}
	return out, nil
}

// ModifySecurityGroupRules.

// permissionOfUpdate turns a rule's new definition into the one-source IpPermission the rule parser reads.
func permissionOfUpdate(r *SecurityGroupRuleRequest) (*IpPermission, error) {
	sources := 0
	for _, p := range []*string{r.CidrIpv4, r.CidrIpv6, r.PrefixListId, r.ReferencedGroupId} {
		if deref(p) != "" {
			sources++
		}
	}
	if sources != 1 {
		return nil, invalidParameterCombination("A security group rule must have exactly one of cidrIpv4, cidrIpv6, prefixListId and referencedGroupId")
	}
	p := &IpPermission{IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort}
	switch {
	case deref(r.CidrIpv4) != "":
		p.IpRanges = []*IpRange{{CidrIp: r.CidrIpv4, Description: r.Description}}
	case deref(r.CidrIpv6) != "":
		p.Ipv6Ranges = []*Ipv6Range{{CidrIpv6: r.CidrIpv6, Description: r.Description}}
	case deref(r.PrefixListId) != "":
		p.PrefixListIds = []*PrefixListId{{PrefixListId: r.PrefixListId, Description: r.Description}}
	default:
		p.UserIdGroupPairs = []*UserIdGroupPair{{GroupId: r.ReferencedGroupId, Description: r.Description}}
	}
	return p, nil
}

func (s *Service) modifySecurityGroupRules(ctx context.Context, c *api.Call, in *ModifySecurityGroupRulesInput) (*ModifySecurityGroupRulesOutput, error) {
	if err := s.begin(ctx, c); err != nil {
		return nil, err
	}
	t, err := c.Tx()
	if err != nil {
		return nil, err
	}
	tg, err := findGroup(c, t, in.GroupId, "")
	if err != nil {
		return nil, err
	}
	as := []api.Authorization{{Action: "ec2:ModifySecurityGroupRules", Resources: []string{tg.arn}, Context: tg.keys}}
	for _, u := range in.SecurityGroupRules {
		if u == nil {
			continue
		}
		var ruleTags []tag
		if tg.g != nil {
			for _, r := range append(append([]groupRule(nil), tg.g.Ingress...), tg.g.Egress...) {
				if r.ID == u.SecurityGroupRuleId {
					ruleTags = r.Tags
				}
			}
		}
		as = append(as, api.Authorization{Action: "ec2:ModifySecurityGroupRules",
			Resources: []string{arn(c, "security-group-rule", u.SecurityGroupRuleId)}, Context: resourceKeys(c, ruleTags, "")})
	}
	if err := authorizeMany(ctx, c, in.DryRun, as...); err != nil {
		return nil, err
	}
	if tg.err != nil {
		return nil, tg.err
	}
	g := tg.g
	if len(in.SecurityGroupRules) == 0 {
		return nil, missingParameter("The request must contain the parameter securityGroupRules")
	}
	for _, u := range in.SecurityGroupRules {
		if u == nil {
			continue
		}
		if !wellFormedID(u.SecurityGroupRuleId, "sgr") {
			return nil, refMalformed("InvalidSecurityGroupRuleId.Malformed", u.SecurityGroupRuleId, "sgr")
		}
		var have *[]groupRule
		at := -1
		for _, egress := range []bool{false, true} {
			for i, r := range *g.rules(egress) {
				if r.ID == u.SecurityGroupRuleId {
					have, at = g.rules(egress), i
				}
			}
		}
		if at < 0 {
			return nil, ruleNotFound(u.SecurityGroupRuleId)
		}
		if u.SecurityGroupRule == nil {
			return nil, missingParameter("The request must contain the parameter securityGroupRule")
		}
		p, err := permissionOfUpdate(u.SecurityGroupRule)
		if err != nil {
			return nil, err
		}
		parsed, err := rulesOf(c, t, g, []*IpPermission{p})
		if err != nil {
			return nil, err
		}
		r := parsed[0]
		for i, o := range *have {
			if i != at && sameRule(o, r) {
				return nil, awserr.New("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", describeRule(r))
			}
		}
		old := (*have)[at]
		r.ID, r.Tags = old.ID, old.Tags
		(*have)[at] = r
	}
	if overRuleQuota(g.Ingress) || overRuleQuota(g.Egress) {
		return nil, awserr.New("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
	}
	if err := putGroup(t, c.Account(), c.Region, g); err != nil {
		return nil, err
	}
	return &ModifySecurityGroupRulesOutput{Return: ptr(true)}, nil
}
