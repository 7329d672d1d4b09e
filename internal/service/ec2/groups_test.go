package ec2_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

var (
	groupID = regexp.MustCompile(`^sg-[0-9a-f]{17}$`)
	ruleID  = regexp.MustCompile(`^sgr-[0-9a-f]{17}$`)
)

// sgDefaultVPC returns the id of the region's default VPC of the client.
func sgDefaultVPC(t *testing.T, c *ec2.Client) string {
	t.Helper()
	out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{nameFilter("is-default", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Vpcs) != 1 {
		t.Fatalf("DescribeVpcs is-default=true = %d VPCs, want 1", len(out.Vpcs))
	}
	return aws.ToString(out.Vpcs[0].VpcId)
}

// describeGroup returns one group by id.
func (f *fixture) describeGroup(t *testing.T, id string) types.SecurityGroup {
	t.Helper()
	out, err := f.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeSecurityGroups(%s): %v", id, err)
	}
	if len(out.SecurityGroups) != 1 {
		t.Fatalf("DescribeSecurityGroups(%s) = %d groups, want 1", id, len(out.SecurityGroups))
	}
	return out.SecurityGroups[0]
}

// groupRules returns the rules of a group, as DescribeSecurityGroupRules lists them.
func (f *fixture) groupRules(t *testing.T, id string) []types.SecurityGroupRule {
	t.Helper()
	out, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{nameFilter("group-id", id)}})
	if err != nil {
		t.Fatalf("DescribeSecurityGroupRules(group-id=%s): %v", id, err)
	}
	return out.SecurityGroupRules
}

// tcp is an IpPermission for a TCP port range from CIDRs.
func tcp(from, to int32, cidrs ...string) types.IpPermission {
	p := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(from), ToPort: aws.Int32(to)}
	for _, c := range cidrs {
		p.IpRanges = append(p.IpRanges, types.IpRange{CidrIp: aws.String(c)})
	}
	return p
}

// fromGroup is an IpPermission for a TCP port range from a security group.
func fromGroup(from, to int32, group string) types.IpPermission {
	return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(from), ToPort: aws.Int32(to),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(group)}}}
}

// ingress adds rules to a group and returns the rules made.
func (f *fixture) ingress(t *testing.T, group string, perms ...types.IpPermission) []types.SecurityGroupRule {
	t.Helper()
	out, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(group), IpPermissions: perms})
	if err != nil {
		t.Fatalf("AuthorizeSecurityGroupIngress(%s): %v", group, err)
	}
	return out.SecurityGroupRules
}

// ruleSummary writes a rule as a line a test compares: "in tcp 22-22 0.0.0.0/0".
func ruleSummary(r types.SecurityGroupRule) string {
	dir := "in"
	if aws.ToBool(r.IsEgress) {
		dir = "out"
	}
	peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
	if r.ReferencedGroupInfo != nil {
		peer += aws.ToString(r.ReferencedGroupInfo.GroupId)
	}
	return fmt.Sprintf("%s %s %d-%d %s", dir, aws.ToString(r.IpProtocol), aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), peer)
}

func ruleSummaries(rules []types.SecurityGroupRule) []string {
	var out []string
	for _, r := range rules {
		out = append(out, ruleSummary(r))
	}
	sort.Strings(out)
	return out
}

func TestSecurityGroupCreate(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	out, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		VpcId: aws.String(vpcID), GroupName: aws.String("web"), Description: aws.String("Web servers: 80 & 443 (public)"),
		TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "team", "ml"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.GroupId)
	if !groupID.MatchString(id) {
		t.Errorf("GroupId = %q, want sg- and 17 hex digits", id)
	}
	if want := "arn:aws:ec2:us-east-1:000000000000:security-group/" + id; aws.ToString(out.SecurityGroupArn) != want {
		t.Errorf("SecurityGroupArn = %q, want %q", aws.ToString(out.SecurityGroupArn), want)
	}
	if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "team" {
		t.Errorf("CreateSecurityGroup Tags = %v, want team=ml", out.Tags)
	}

	t.Run("described with the allow-all egress rule of a new group", func(t *testing.T) {
		g := f.describeGroup(t, id)
		if aws.ToString(g.GroupName) != "web" || aws.ToString(g.Description) != "Web servers: 80 & 443 (public)" ||
			aws.ToString(g.VpcId) != vpcID || aws.ToString(g.OwnerId) != "000000000000" ||
			aws.ToString(g.SecurityGroupArn) != aws.ToString(out.SecurityGroupArn) || len(g.Tags) != 1 {
			t.Errorf("DescribeSecurityGroups = %+v, want the group as made", g)
		}
		if len(g.IpPermissions) != 0 {
			t.Errorf("IpPermissions of a new group = %v, want none", g.IpPermissions)
		}
		if len(g.IpPermissionsEgress) != 1 {
			t.Fatalf("IpPermissionsEgress of a new group = %v, want one", g.IpPermissionsEgress)
		}
		e := g.IpPermissionsEgress[0]
		if aws.ToString(e.IpProtocol) != "-1" || e.FromPort != nil || e.ToPort != nil || len(e.IpRanges) != 1 ||
			aws.ToString(e.IpRanges[0].CidrIp) != "0.0.0.0/0" {
			t.Errorf("the egress permission of a new group = %+v, want all traffic to 0.0.0.0/0 without ports", e)
		}
		rules := f.groupRules(t, id)
		if got := ruleSummaries(rules); len(got) != 1 || got[0] != "out -1 -1--1 0.0.0.0/0" {
			t.Errorf("DescribeSecurityGroupRules of a new group = %v, want [out -1 -1--1 0.0.0.0/0]", got)
		}
		if !ruleID.MatchString(aws.ToString(rules[0].SecurityGroupRuleId)) {
			t.Errorf("SecurityGroupRuleId = %q, want sgr- and 17 hex digits", aws.ToString(rules[0].SecurityGroupRuleId))
		}
	})

	t.Run("without a VPC it goes in the default VPC", func(t *testing.T) {
		out, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("d")})
		if err != nil {
			t.Fatal(err)
		}
		if g := f.describeGroup(t, aws.ToString(out.GroupId)); aws.ToString(g.VpcId) != sgDefaultVPC(t, f.EC2) {
			t.Errorf("VpcId of a group made without one = %s, want the default VPC", aws.ToString(g.VpcId))
		}
	})

	long := strings.Repeat("a", 256)
	other := f.newVPC(t, "10.1.0.0/16")
	for _, c := range []struct {
		name, vpc, group, desc, code, message string
	}{
		{"a name taken in the VPC, in another case", vpcID, "WEB", "d", "InvalidGroup.Duplicate",
			"The security group 'WEB' already exists for VPC '" + vpcID + "'"},
		{"a name starting with sg-", vpcID, "sg-web", "d", "InvalidParameterValue",
			"Value (sg-web) for parameter GroupName is invalid. Group names may not be in the format sg-*."},
		{"the reserved name default", vpcID, "default", "d", "InvalidGroup.Reserved", "The security group 'default' is reserved"},
		{"a name of 256 characters", vpcID, long, "d", "InvalidParameterValue", "Invalid security group name. …"},
		{"a description with a quote", vpcID, "quoted", "it's", "InvalidParameterValue",
			"Invalid security group description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"},
		{"a description of 256 characters", vpcID, "long", long, "InvalidParameterValue", "Invalid security group description. …"},
		{"an empty name", vpcID, "", "d", "MissingParameter", "The request must contain the parameter groupName"},
		{"an empty description", vpcID, "x", "", "MissingParameter", "The request must contain the parameter groupDescription"},
		{"a VPC that does not exist", "vpc-0123456789abcdef0", "x", "d", "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"},
		{"a malformed VPC id", "vpc-x", "x", "d", "InvalidVpcID.Malformed", ""},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			_, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(c.vpc), GroupName: aws.String(c.group), Description: aws.String(c.desc)})
			wantError(t, "CreateSecurityGroup("+c.name+")", err, c.code, c.message)
		})
	}

	t.Run("takes a name of another VPC", func(t *testing.T) {
		if id2 := f.newGroup(t, other, "web"); id2 == id {
			t.Errorf("a group of the same name in another VPC has the same id %s", id2)
		}
	})

	t.Run("DryRun", func(t *testing.T) {
		before := countGroups(t, f.EC2)
		_, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("dry"), Description: aws.String("d"), DryRun: aws.Bool(true)})
		wantError(t, "CreateSecurityGroup with DryRun", err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		denied := f.userClient(t, "nobody", "")
		_, err = denied.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("dry"), Description: aws.String("d"), DryRun: aws.Bool(true)})
		wantError(t, "CreateSecurityGroup with DryRun by a user without permission", err, "UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: …")
		if after := countGroups(t, f.EC2); after != before {
			t.Errorf("DryRun changed the number of groups from %d to %d", before, after)
		}
	})

	t.Run("tagging on create needs ec2:CreateTags", func(t *testing.T) {
		c := f.userClient(t, "creator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateSecurityGroup","Resource":"*"}]}`)
		if _, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("plain"), Description: aws.String("d")}); err != nil {
			t.Errorf("CreateSecurityGroup by a user allowed it: %v", err)
		}
		_, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("tagged"), Description: aws.String("d"),
			TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "team", "ml")})
		wantError(t, "CreateSecurityGroup with tags by a user without ec2:CreateTags", err, "UnauthorizedOperation", "")
	})

	t.Run("a user may be kept to one VPC", func(t *testing.T) {
		c := f.userClient(t, "onevpc", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"ec2:CreateSecurityGroup","Resource":"arn:aws:ec2:*:*:security-group/*"},
			{"Effect":"Allow","Action":"ec2:CreateSecurityGroup","Resource":"arn:aws:ec2:*:*:vpc/`+vpcID+`"}]}`)
		if _, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("mine"), Description: aws.String("d")}); err != nil {
			t.Errorf("CreateSecurityGroup in the allowed VPC: %v", err)
		}
		_, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(other), GroupName: aws.String("mine"), Description: aws.String("d")})
		wantError(t, "CreateSecurityGroup in another VPC", err, "UnauthorizedOperation", "")
	})
}

func countGroups(t *testing.T, c *ec2.Client) int {
	t.Helper()
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.SecurityGroups)
}

func TestSecurityGroupWithoutDefaultVPC(t *testing.T) {
	f := start(t)
	cfg := f.Config("test", "test", "")
	cfg.Region = "ca-central-1"
	c := ec2.NewFromConfig(cfg)
	v := sgDefaultVPC(t, c)
	_, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("named"), Description: aws.String("d")})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("names a default VPC group", func(t *testing.T) {
		out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"NAMED", "default"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.SecurityGroups) != 2 {
			t.Errorf("DescribeSecurityGroups(GroupNames NAMED, default) = %d groups, want 2", len(out.SecurityGroups))
		}
		_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"nope"}})
		wantError(t, "DescribeSecurityGroups of an unknown name", err, "InvalidGroup.NotFound", "The security group 'nope' does not exist in default VPC '"+v+"'")
		if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("named")}); err != nil {
			t.Errorf("DeleteSecurityGroup by name in the default VPC: %v", err)
		}
	})

	// Take the default VPC apart, as an account may.
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{nameFilter("vpc-id", v)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range subnets.Subnets {
		if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sn.SubnetId}); err != nil {
			t.Fatal(err)
		}
	}
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{nameFilter("attachment.vpc-id", v)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range igws.InternetGateways {
		if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(v)}); err != nil {
		t.Fatal(err)
	}

	t.Run("refuses what needs the default VPC", func(t *testing.T) {
		_, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("d")})
		wantError(t, "CreateSecurityGroup without a VPC and without a default VPC", err, "VPCIdNotSpecified", "No default VPC for this user")
		_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"x"}})
		wantError(t, "DescribeSecurityGroups by name without a default VPC", err, "VPCIdNotSpecified",
			"No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
		_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("x")})
		wantError(t, "DeleteSecurityGroup by name without a default VPC", err, "VPCIdNotSpecified", "")
	})
}

func TestSecurityGroupAuthorize(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	g := f.newGroup(t, vpcID, "app")
	lb := f.newGroup(t, vpcID, "lb")
	s3 := f.prefixListID(t, "com.amazonaws.us-east-1.s3")

	out, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(g),
		IpPermissions: []types.IpPermission{
			{IpProtocol: aws.String("TCP"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
				IpRanges:         []types.IpRange{{CidrIp: aws.String("10.0.0.0/16"), Description: aws.String("ssh from the VPC")}, {CidrIp: aws.String("192.168.1.7/24")}},
				UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(lb), Description: aws.String("from the LB")}}},
			{IpProtocol: aws.String("6"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}},
			{IpProtocol: aws.String("icmp"), FromPort: aws.Int32(-1), ToPort: aws.Int32(-1), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
			{IpProtocol: aws.String("-1"), FromPort: aws.Int32(0), ToPort: aws.Int32(0), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(g)}}},
			{IpProtocol: aws.String("50"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.9.0.0/16")}}},
		},
		TagSpecifications: tagSpec(types.ResourceTypeSecurityGroupRule, "purpose", "test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.Return) {
		t.Errorf("AuthorizeSecurityGroupIngress Return = false, want true")
	}
	want := []string{
		"in -1 -1--1 " + g, "in 50 -1--1 10.9.0.0/16", "in icmp -1--1 0.0.0.0/0", "in tcp 22-22 10.0.0.0/16",
		"in tcp 22-22 192.168.1.0/24", "in tcp 22-22 " + lb, "in tcp 443-443 ::/0",
	}
	sort.Strings(want)
	if got := ruleSummaries(out.SecurityGroupRules); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("AuthorizeSecurityGroupIngress rules = %v, want %v", got, want)
	}
	for _, r := range out.SecurityGroupRules {
		if !ruleID.MatchString(aws.ToString(r.SecurityGroupRuleId)) || aws.ToString(r.GroupId) != g ||
			aws.ToString(r.GroupOwnerId) != "000000000000" || tagMap(r.Tags)["purpose"] != "test" ||
			aws.ToString(r.SecurityGroupRuleArn) != "arn:aws:ec2:us-east-1:000000000000:security-group-rule/"+aws.ToString(r.SecurityGroupRuleId) {
			t.Errorf("rule %s = %+v, want an sgr- id, the group, its owner, its tags and its ARN", ruleSummary(r), r)
		}
		if r.ReferencedGroupInfo != nil && aws.ToString(r.ReferencedGroupInfo.UserId) != "000000000000" {
			t.Errorf("ReferencedGroupInfo.UserId = %q, want the account", aws.ToString(r.ReferencedGroupInfo.UserId))
		}
	}

	t.Run("described grouped by protocol and port range", func(t *testing.T) {
		perms := f.describeGroup(t, g).IpPermissions
		byKey := map[string]types.IpPermission{}
		for _, p := range perms {
			byKey[fmt.Sprintf("%s %v-%v", aws.ToString(p.IpProtocol), p.FromPort != nil, aws.ToInt32(p.FromPort))] = p
		}
		if len(perms) != 5 {
			t.Errorf("IpPermissions = %d permissions, want 5 (tcp 22, tcp 443, icmp, all, 50)", len(perms))
		}
		ssh, ok := byKey["tcp true-22"]
		if !ok || len(ssh.IpRanges) != 2 || len(ssh.UserIdGroupPairs) != 1 || aws.ToInt32(ssh.ToPort) != 22 ||
			aws.ToString(ssh.IpRanges[0].Description) != "ssh from the VPC" || aws.ToString(ssh.UserIdGroupPairs[0].Description) != "from the LB" ||
			aws.ToString(ssh.UserIdGroupPairs[0].UserId) != "000000000000" {
			t.Errorf("the tcp 22 permission = %+v, want its two ranges and the LB group, with their descriptions", ssh)
		}
		if all, ok := byKey["-1 false-0"]; !ok || len(all.UserIdGroupPairs) != 1 || aws.ToString(all.UserIdGroupPairs[0].GroupId) != g {
			t.Errorf("the all-traffic permission = %+v, want the group itself, without ports", all)
		}
		if icmp, ok := byKey["icmp true--1"]; !ok || aws.ToInt32(icmp.ToPort) != -1 {
			t.Errorf("the icmp permission = %+v, want type and code -1", icmp)
		}
		if esp, ok := byKey["50 false-0"]; !ok || esp.FromPort != nil {
			t.Errorf("the protocol 50 permission = %+v, want no ports", esp)
		}
	})

	t.Run("egress", func(t *testing.T) {
		out, err := f.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(g),
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
				PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String(s3), Description: aws.String("S3")}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ruleSummaries(out.SecurityGroupRules); len(got) != 1 || got[0] != "out tcp 443-443 "+s3 {
			t.Errorf("AuthorizeSecurityGroupEgress rules = %v, want [out tcp 443-443 %s]", got, s3)
		}
		e := f.describeGroup(t, g).IpPermissionsEgress
		if len(e) != 2 {
			t.Errorf("IpPermissionsEgress = %v, want all traffic and the S3 prefix list", e)
		}
	})

	t.Run("the legacy members", func(t *testing.T) {
		out, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g),
			IpProtocol: aws.String("udp"), FromPort: aws.Int32(53), ToPort: aws.Int32(53), CidrIp: aws.String("10.0.0.0/8")})
		if err != nil {
			t.Fatal(err)
		}
		if got := ruleSummaries(out.SecurityGroupRules); len(got) != 1 || got[0] != "in udp 53-53 10.0.0.0/8" {
			t.Errorf("AuthorizeSecurityGroupIngress with CidrIp = %v, want [in udp 53-53 10.0.0.0/8]", got)
		}
		_, err = f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g),
			CidrIp: aws.String("10.0.0.0/8"), IpPermissions: []types.IpPermission{tcp(1, 2, "10.0.0.0/8")}})
		wantError(t, "CidrIp with IpPermissions", err, "InvalidParameterCombination", "The parameter 'ipPermissions' may not be used in combination with 'cidrIp'")
		_, err = f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g)})
		wantError(t, "AuthorizeSecurityGroupIngress without rules", err, "MissingParameter", "The request must contain the parameter ipPermissions")
		_, err = f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g),
			CidrIp: aws.String("10.0.0.0/8"), SourceSecurityGroupName: aws.String("default")})
		wantError(t, "CidrIp with SourceSecurityGroupName", err, "InvalidParameterCombination", "The parameter 'cidrIp' may not be used in combination with 'sourceSecurityGroupName'")
	})

	other := f.newVPC(t, "10.1.0.0/16")
	stranger := f.newGroup(t, other, "stranger")
	many := tcp(1000, 1000)
	for i := range 61 {
		many.IpRanges = append(many.IpRanges, types.IpRange{CidrIp: aws.String(fmt.Sprintf("10.%d.0.0/16", i))})
	}
	for _, c := range []struct {
		name, group string
		perm        types.IpPermission
		code, msg   string
	}{
		{"a rule that exists", g, tcp(22, 22, "10.0.0.0/16"), "InvalidPermission.Duplicate",
			`the specified rule "peer: 10.0.0.0/16, TCP, from port: 22, to port: 22, ALLOW" already exists`},
		{"a rule that exists, all traffic", g, types.IpPermission{IpProtocol: aws.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(g)}}},
			"InvalidPermission.Duplicate", `the specified rule "peer: ` + g + `, ALL, ALLOW" already exists`},
		{"the protocol all", g, types.IpPermission{IpProtocol: aws.String("all"), IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}},
			"InvalidParameterValue", "Invalid value 'all' for IP protocol. Unknown protocol."},
		{"no protocol", g, types.IpPermission{IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}},
			"InvalidParameterValue", "Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly."},
		{"TCP without ports", g, types.IpPermission{IpProtocol: aws.String("tcp"), IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}},
			"InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."},
		{"a port past 65535", g, tcp(1, 70000, "1.2.3.4/32"), "InvalidParameterValue", "TCP/UDP (to) port (70000) out of range"},
		{"a port of -1 for TCP", g, tcp(-1, -1, "1.2.3.4/32"), "InvalidParameterValue", "TCP/UDP (from) port (-1) out of range"},
		{"a range backwards", g, tcp(80, 22, "1.2.3.4/32"), "InvalidParameterValue", "Invalid TCP/UDP port range …"},
		{"ICMP without type and code", g, types.IpPermission{IpProtocol: aws.String("icmp"), IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32")}}},
			"InvalidParameterValue", "Invalid value 'Must specify both from and to ports with ICMP.' for portRange."},
		{"a CIDR that is not one", g, tcp(1, 1, "10.0.0.0/33"), "InvalidParameterValue", "Value (10.0.0.0/33) for parameter cidrIp is invalid. This is not a valid CIDR block."},
		{"a description with a quote", g, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(1), ToPort: aws.Int32(1),
			IpRanges: []types.IpRange{{CidrIp: aws.String("1.2.3.4/32"), Description: aws.String("it's")}}}, "InvalidParameterValue",
			"Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"},
		{"a group of another VPC", g, fromGroup(1, 1, stranger), "InvalidGroup.NotFound", "You have specified two resources that belong to different networks."},
		{"a group that does not exist", g, fromGroup(1, 1, "sg-0123456789abcdef0"), "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"},
		{"a malformed group", g, fromGroup(1, 1, "sg-nope"), "InvalidGroupId.Malformed", `Invalid id: "sg-nope" (expecting "sg-...")`},
		{"a prefix list that does not exist", g, types.IpPermission{IpProtocol: aws.String("-1"), PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-00000000")}}},
			"InvalidPrefixListID.NotFound", "The prefix list ID 'pl-00000000' does not exist"},
		{"a group that does not exist as the target", "sg-0123456789abcdef0", tcp(1, 1, "1.2.3.4/32"), "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"},
		{"a malformed target", "web", tcp(1, 1, "1.2.3.4/32"), "InvalidGroupId.Malformed", `Invalid id: "web" (expecting "sg-...")`},
		{"61 IPv4 rules", lb, many, "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached."},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			before := len(f.groupRules(t, g))
			_, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(c.group), IpPermissions: []types.IpPermission{c.perm}})
			wantError(t, "AuthorizeSecurityGroupIngress("+c.name+")", err, c.code, c.msg)
			if after := len(f.groupRules(t, g)); after != before {
				t.Errorf("a refused AuthorizeSecurityGroupIngress changed the rules from %d to %d", before, after)
			}
		})
	}

	t.Run("counts IPv4 and IPv6 rules apart", func(t *testing.T) {
		q := f.newGroup(t, vpcID, "quota")
		sixty := tcp(1000, 1000)
		for i := range 60 {
			sixty.IpRanges = append(sixty.IpRanges, types.IpRange{CidrIp: aws.String(fmt.Sprintf("10.%d.0.0/16", i))})
		}
		sixty.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String("2001:db8::/32")}}
		f.ingress(t, q, sixty)
		_, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(q), IpPermissions: []types.IpPermission{fromGroup(1, 1, g)}})
		wantError(t, "a group rule past 60 IPv4 rules", err, "RulesPerSecurityGroupLimitExceeded", "")
	})

	t.Run("by group name in the default VPC", func(t *testing.T) {
		dv := sgDefaultVPC(t, f.EC2)
		web := f.newGroup(t, dv, "web")
		out, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupName: aws.String("web"),
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
				UserIdGroupPairs: []types.UserIdGroupPair{{GroupName: aws.String("default")}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.SecurityGroupRules) != 1 || aws.ToString(out.SecurityGroupRules[0].GroupId) != web {
			t.Errorf("AuthorizeSecurityGroupIngress by name = %v, want a rule of %s", out.SecurityGroupRules, web)
		}
		_, err = f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupName: aws.String("app"), IpPermissions: []types.IpPermission{tcp(1, 1, "1.2.3.4/32")}})
		wantError(t, "a group of another VPC by name", err, "InvalidGroup.NotFound", "The security group 'app' does not exist in default VPC '"+dv+"'")
	})

	t.Run("DryRun", func(t *testing.T) {
		_, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{tcp(9, 9, "1.2.3.4/32")}, DryRun: aws.Bool(true)})
		wantError(t, "AuthorizeSecurityGroupIngress with DryRun", err, "DryRunOperation", "")
		for _, r := range f.groupRules(t, g) {
			if aws.ToInt32(r.FromPort) == 9 {
				t.Errorf("DryRun added the rule %s", ruleSummary(r))
			}
		}
	})

	t.Run("authorized on the group with its tags", func(t *testing.T) {
		tagged, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("tagged"),
			Description: aws.String("d"), TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "team", "ml")})
		if err != nil {
			t.Fatal(err)
		}
		c := f.userClient(t, "mlteam", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Action":["ec2:AuthorizeSecurityGroupIngress","ec2:RevokeSecurityGroupIngress"],"Resource":"arn:aws:ec2:*:*:security-group/*",
			"Condition":{"StringEquals":{"ec2:ResourceTag/team":"ml"}}}]}`)
		if _, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: tagged.GroupId, IpPermissions: []types.IpPermission{tcp(8080, 8080, "10.0.0.0/16")}}); err != nil {
			t.Errorf("AuthorizeSecurityGroupIngress on a group tagged team=ml: %v", err)
		}
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{tcp(8080, 8080, "10.0.0.0/16")}})
		wantError(t, "AuthorizeSecurityGroupIngress on an untagged group", err, "UnauthorizedOperation", "")
		_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: tagged.GroupId, IpPermissions: []types.IpPermission{tcp(8081, 8081, "10.0.0.0/16")},
			TagSpecifications: tagSpec(types.ResourceTypeSecurityGroupRule, "k", "v")})
		wantError(t, "tagging the new rules without ec2:CreateTags", err, "UnauthorizedOperation", "")
	})
}

func TestSecurityGroupRevoke(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	g := f.newGroup(t, vpcID, "app")
	added := f.ingress(t, g,
		types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/16"), Description: aws.String("ssh")}, {CidrIp: aws.String("10.1.0.0/16")}}},
		tcp(443, 443, "0.0.0.0/0"))

	t.Run("by properties, without the description", func(t *testing.T) {
		out, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{tcp(22, 22, "10.0.0.0/16")}})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(out.Return) || len(out.RevokedSecurityGroupRules) != 1 || aws.ToString(out.RevokedSecurityGroupRules[0].CidrIpv4) != "10.0.0.0/16" ||
			aws.ToString(out.RevokedSecurityGroupRules[0].Description) != "ssh" || len(out.UnknownIpPermissions) != 0 {
			t.Errorf("RevokeSecurityGroupIngress = %+v, want the one rule revoked", out)
		}
		if got := ruleSummaries(f.groupRules(t, g)); strings.Join(got, "; ") != "in tcp 22-22 10.1.0.0/16; in tcp 443-443 0.0.0.0/0; out -1 -1--1 0.0.0.0/0" {
			t.Errorf("rules after the revoke = %v", got)
		}
	})

	t.Run("a rule that does not exist in a VPC of the account's", func(t *testing.T) {
		_, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g),
			IpPermissions: []types.IpPermission{tcp(22, 22, "10.1.0.0/16"), tcp(23, 23, "10.1.0.0/16")}})
		wantError(t, "RevokeSecurityGroupIngress of an unknown rule", err, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
		if len(f.groupRules(t, g)) != 3 {
			t.Errorf("a refused revoke revoked the rule that exists")
		}
	})

	t.Run("a rule that does not exist in the default VPC", func(t *testing.T) {
		dg := f.newGroup(t, sgDefaultVPC(t, f.EC2), "web")
		f.ingress(t, dg, tcp(80, 80, "0.0.0.0/0"))
		out, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(dg),
			IpPermissions: []types.IpPermission{tcp(80, 80, "0.0.0.0/0"), tcp(81, 81, "0.0.0.0/0")}})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(out.Return) || len(out.RevokedSecurityGroupRules) != 1 || len(out.UnknownIpPermissions) != 1 ||
			aws.ToInt32(out.UnknownIpPermissions[0].FromPort) != 81 || aws.ToString(out.UnknownIpPermissions[0].IpRanges[0].CidrIp) != "0.0.0.0/0" {
			t.Errorf("RevokeSecurityGroupIngress in the default VPC = %+v, want port 80 revoked and port 81 unknown", out)
		}
	})

	t.Run("by rule id", func(t *testing.T) {
		var id string
		for _, r := range added {
			if aws.ToInt32(r.FromPort) == 443 {
				id = aws.ToString(r.SecurityGroupRuleId)
			}
		}
		out, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), SecurityGroupRuleIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.RevokedSecurityGroupRules) != 1 || aws.ToString(out.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != id {
			t.Errorf("RevokeSecurityGroupIngress(%s) = %+v, want it revoked", id, out.RevokedSecurityGroupRules)
		}
		_, err = f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), SecurityGroupRuleIds: []string{id}})
		wantError(t, "revoking a rule id again", err, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '"+id+"' does not exist")
		_, err = f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), SecurityGroupRuleIds: []string{"rule-1"}})
		wantError(t, "revoking a malformed rule id", err, "InvalidSecurityGroupRuleId.Malformed", `Invalid id: "rule-1" (expecting "sgr-...")`)
		_, err = f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), SecurityGroupRuleIds: []string{id},
			IpPermissions: []types.IpPermission{tcp(22, 22, "10.1.0.0/16")}})
		wantError(t, "revoking by rule ids and properties at once", err, "InvalidParameterCombination",
			"The parameter 'securityGroupRuleIds' may not be used in combination with 'ipPermissions'")
		_, err = f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g)})
		wantError(t, "revoking nothing", err, "MissingParameter", "The request must contain the parameter ipPermissions")
	})

	t.Run("egress, the allow-all rule", func(t *testing.T) {
		out, err := f.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g),
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.RevokedSecurityGroupRules) != 1 || !aws.ToBool(out.RevokedSecurityGroupRules[0].IsEgress) {
			t.Errorf("RevokeSecurityGroupEgress = %+v, want the egress rule revoked", out.RevokedSecurityGroupRules)
		}
		if e := f.describeGroup(t, g).IpPermissionsEgress; len(e) != 0 {
			t.Errorf("IpPermissionsEgress after revoking all = %v, want none", e)
		}
	})

	t.Run("DryRun and denial", func(t *testing.T) {
		_, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{tcp(22, 22, "10.1.0.0/16")}, DryRun: aws.Bool(true)})
		wantError(t, "RevokeSecurityGroupIngress with DryRun", err, "DryRunOperation", "")
		if len(f.groupRules(t, g)) != 1 {
			t.Errorf("DryRun revoked a rule")
		}
		c := f.userClient(t, "nobody", "")
		_, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(g), IpPermissions: []types.IpPermission{tcp(22, 22, "10.1.0.0/16")}})
		wantError(t, "RevokeSecurityGroupEgress by a user without permission", err, "UnauthorizedOperation", "")
	})
}

func TestSecurityGroupModifyRules(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	g := f.newGroup(t, vpcID, "app")
	rules := f.ingress(t, g, tcp(22, 22, "10.0.0.0/16"), tcp(80, 80, "10.0.0.0/16"))
	ssh := aws.ToString(rules[0].SecurityGroupRuleId)
	if aws.ToInt32(rules[0].FromPort) != 22 {
		ssh = aws.ToString(rules[1].SecurityGroupRuleId)
	}
	modify := func(c *ec2.Client, id string, r types.SecurityGroupRuleRequest) error {
		_, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(g),
			SecurityGroupRules: []types.SecurityGroupRuleUpdate{{SecurityGroupRuleId: aws.String(id), SecurityGroupRule: &r}}})
		return err
	}

	if err := modify(f.EC2, ssh, types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(2222), ToPort: aws.Int32(2222),
		CidrIpv4: aws.String("10.2.0.0/16"), Description: aws.String("moved")}); err != nil {
		t.Fatal(err)
	}
	out, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{ssh}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SecurityGroupRules) != 1 || ruleSummary(out.SecurityGroupRules[0]) != "in tcp 2222-2222 10.2.0.0/16" ||
		aws.ToString(out.SecurityGroupRules[0].Description) != "moved" {
		t.Errorf("the rule after ModifySecurityGroupRules = %v, want in tcp 2222-2222 10.2.0.0/16 described moved", out.SecurityGroupRules)
	}

	for _, c := range []struct {
		name, id  string
		rule      types.SecurityGroupRuleRequest
		code, msg string
	}{
		{"a definition another rule has", ssh, types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), CidrIpv4: aws.String("10.0.0.0/16")},
			"InvalidPermission.Duplicate", `the specified rule "peer: 10.0.0.0/16, TCP, from port: 80, to port: 80, ALLOW" already exists`},
		{"a rule that does not exist", "sgr-0123456789abcdef0", types.SecurityGroupRuleRequest{IpProtocol: aws.String("-1"), CidrIpv4: aws.String("10.0.0.0/16")},
			"InvalidSecurityGroupRuleId.NotFound", "The security group rule ID 'sgr-0123456789abcdef0' does not exist"},
		{"two peers", ssh, types.SecurityGroupRuleRequest{IpProtocol: aws.String("-1"), CidrIpv4: aws.String("10.0.0.0/16"), CidrIpv6: aws.String("::/0")},
			"InvalidParameterCombination", ""},
		{"a bad port", ssh, types.SecurityGroupRuleRequest{IpProtocol: aws.String("udp"), FromPort: aws.Int32(1), ToPort: aws.Int32(65536), CidrIpv4: aws.String("10.0.0.0/16")},
			"InvalidParameterValue", "TCP/UDP (to) port (65536) out of range"},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			wantError(t, "ModifySecurityGroupRules("+c.name+")", modify(f.EC2, c.id, c.rule), c.code, c.msg)
		})
	}

	t.Run("DryRun and denial", func(t *testing.T) {
		_, err := f.EC2.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(g), DryRun: aws.Bool(true),
			SecurityGroupRules: []types.SecurityGroupRuleUpdate{{SecurityGroupRuleId: aws.String(ssh),
				SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("-1"), CidrIpv4: aws.String("1.1.1.1/32")}}}})
		wantError(t, "ModifySecurityGroupRules with DryRun", err, "DryRunOperation", "")
		c := f.userClient(t, "groupsonly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:ModifySecurityGroupRules","Resource":"arn:aws:ec2:*:*:security-group/*"}]}`)
		err = modify(c, ssh, types.SecurityGroupRuleRequest{IpProtocol: aws.String("-1"), CidrIpv4: aws.String("1.1.1.1/32")})
		wantError(t, "ModifySecurityGroupRules without permission on the rule", err, "UnauthorizedOperation", "")
	})
}

func TestSecurityGroupDescribe(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	web := f.newGroup(t, vpcID, "web-a")
	db, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("db"),
		Description: aws.String("the database"), TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "tier", "data")})
	if err != nil {
		t.Fatal(err)
	}
	dbID := aws.ToString(db.GroupId)
	f.ingress(t, dbID, fromGroup(5432, 5432, web))
	f.ingress(t, web, tcp(443, 443, "0.0.0.0/0"))
	var def string
	for _, g := range f.describeAll(t, nameFilter("vpc-id", vpcID)) {
		if aws.ToString(g.GroupName) == "default" {
			def = aws.ToString(g.GroupId)
		}
	}

	for _, c := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"vpc-id", []types.Filter{nameFilter("vpc-id", vpcID)}, []string{def, web, dbID}},
		{"group-name with a wildcard", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("group-name", "web-*")}, []string{web}},
		{"description", []types.Filter{nameFilter("description", "the database")}, []string{dbID}},
		{"tag:tier", []types.Filter{nameFilter("tag:tier", "data")}, []string{dbID}},
		{"ip-permission.group-id", []types.Filter{nameFilter("ip-permission.group-id", web)}, []string{dbID}},
		{"ip-permission.group-name", []types.Filter{nameFilter("ip-permission.group-name", "web-a")}, []string{dbID}},
		{"ip-permission.cidr", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("ip-permission.cidr", "0.0.0.0/0")}, []string{web}},
		{"ip-permission.from-port and to-port", []types.Filter{nameFilter("ip-permission.from-port", "5432"), nameFilter("ip-permission.to-port", "5432")}, []string{dbID}},
		{"ip-permission.protocol", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("ip-permission.protocol", "-1")}, []string{def}},
		{"egress.ip-permission.cidr", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("egress.ip-permission.cidr", "0.0.0.0/0")}, []string{def, web, dbID}},
		{"owner-id", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("owner-id", "000000000000")}, []string{def, web, dbID}},
		{"nothing matching", []types.Filter{nameFilter("group-name", "none")}, nil},
	} {
		t.Run("filter "+c.name, func(t *testing.T) {
			var got []string
			for _, g := range f.describeAll(t, c.filters...) {
				got = append(got, aws.ToString(g.GroupId))
			}
			sort.Strings(got)
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("DescribeSecurityGroups(%s) = %v, want %v", c.name, got, want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		for i := range 4 {
			f.newGroup(t, vpcID, fmt.Sprintf("extra-%d", i))
		}
		var ids []string
		var token *string
		pages := 0
		for {
			out, err := f.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{nameFilter("vpc-id", vpcID)}, MaxResults: aws.Int32(5), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, g := range out.SecurityGroups {
				ids = append(ids, aws.ToString(g.GroupId))
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		if pages != 2 || len(ids) != 7 || !sort.StringsAreSorted(ids) {
			t.Errorf("DescribeSecurityGroups by pages of 5 = %d pages of %v, want 2 pages of 7 sorted ids", pages, ids)
		}
	})

	for _, c := range []struct {
		name      string
		in        ec2.DescribeSecurityGroupsInput
		code, msg string
	}{
		{"an unknown id", ec2.DescribeSecurityGroupsInput{GroupIds: []string{web, "sg-0123456789abcdef0"}}, "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"},
		{"a malformed id", ec2.DescribeSecurityGroupsInput{GroupIds: []string{"web"}}, "InvalidGroupId.Malformed", `Invalid id: "web" (expecting "sg-...")`},
		{"an unknown filter", ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{nameFilter("colour", "red")}}, "InvalidParameterValue", "The filter 'colour' is invalid"},
		{"a name of a non-default VPC", ec2.DescribeSecurityGroupsInput{GroupNames: []string{"db"}}, "InvalidGroup.NotFound", "The security group 'db' does not exist in default VPC '…"},
		{"DryRun", ec2.DescribeSecurityGroupsInput{DryRun: aws.Bool(true)}, "DryRunOperation", ""},
	} {
		t.Run("answers "+c.name, func(t *testing.T) {
			_, err := f.EC2.DescribeSecurityGroups(ctx, &c.in)
			wantError(t, "DescribeSecurityGroups("+c.name+")", err, c.code, c.msg)
		})
	}
	t.Run("denies a user without permission", func(t *testing.T) {
		_, err := f.userClient(t, "nobody", "").DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{DryRun: aws.Bool(true)})
		wantError(t, "DescribeSecurityGroups with DryRun by a user without permission", err, "UnauthorizedOperation", "")
	})

	t.Run("rules", func(t *testing.T) {
		tagged, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web),
			IpPermissions: []types.IpPermission{tcp(8443, 8443, "10.0.0.0/8")}, TagSpecifications: tagSpec(types.ResourceTypeSecurityGroupRule, "owner", "ops")})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(tagged.SecurityGroupRules[0].SecurityGroupRuleId)
		for _, c := range []struct {
			name    string
			filters []types.Filter
			want    int
		}{
			{"group-id", []types.Filter{nameFilter("group-id", web)}, 3},
			{"tag:owner", []types.Filter{nameFilter("tag:owner", "ops")}, 1},
			{"security-group-rule-id", []types.Filter{nameFilter("security-group-rule-id", id)}, 1},
			{"tag-key", []types.Filter{nameFilter("group-id", web), nameFilter("tag-key", "nope")}, 0},
		} {
			out, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: c.filters})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.SecurityGroupRules) != c.want {
				t.Errorf("DescribeSecurityGroupRules(%s) = %d rules, want %d", c.name, len(out.SecurityGroupRules), c.want)
			}
		}
		_, err = f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{"sgr-0123456789abcdef0"}})
		wantError(t, "DescribeSecurityGroupRules of an unknown id", err, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID 'sgr-0123456789abcdef0' does not exist")
		_, err = f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{nameFilter("vpc-id", vpcID)}})
		wantError(t, "DescribeSecurityGroupRules with a filter it does not document", err, "InvalidParameterValue", "The filter 'vpc-id' is invalid")
		_, err = f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{DryRun: aws.Bool(true)})
		wantError(t, "DescribeSecurityGroupRules with DryRun", err, "DryRunOperation", "")

		first, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{nameFilter("group-id", web)}, MaxResults: aws.Int32(5)})
		if err != nil {
			t.Fatal(err)
		}
		all, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.SecurityGroupRules) != 3 || first.NextToken != nil || len(all.SecurityGroupRules) < 10 {
			t.Errorf("DescribeSecurityGroupRules = %d rules of web (token %v) and %d in all", len(first.SecurityGroupRules), first.NextToken, len(all.SecurityGroupRules))
		}
		p1, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(5)})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := f.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(5), NextToken: p1.NextToken})
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.SecurityGroupRules) != 5 || p1.NextToken == nil || len(p2.SecurityGroupRules) == 0 ||
			aws.ToString(p2.SecurityGroupRules[0].SecurityGroupRuleId) <= aws.ToString(p1.SecurityGroupRules[4].SecurityGroupRuleId) {
			t.Errorf("DescribeSecurityGroupRules pages = %d then %d rules, want 5 then the rules after them", len(p1.SecurityGroupRules), len(p2.SecurityGroupRules))
		}
	})
}

// describeAll returns every group the filters select.
func (f *fixture) describeAll(t *testing.T, filters ...types.Filter) []types.SecurityGroup {
	t.Helper()
	out, err := f.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: filters})
	if err != nil {
		t.Fatalf("DescribeSecurityGroups: %v", err)
	}
	return out.SecurityGroups
}

func TestSecurityGroupDelete(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnet := f.newSubnet(t, vpcID, "10.0.1.0/24")

	t.Run("deletes a group, with rules that reference itself", func(t *testing.T) {
		g := f.newGroup(t, vpcID, "self")
		f.ingress(t, g, fromGroup(0, 65535, g))
		out, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(g)})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(out.Return) || aws.ToString(out.GroupId) != g {
			t.Errorf("DeleteSecurityGroup = %+v, want Return true and the group id", out)
		}
		_, err = f.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{g}})
		wantError(t, "DescribeSecurityGroups of a deleted group", err, "InvalidGroup.NotFound", "The security group '"+g+"' does not exist")
		if _, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("self"), Description: aws.String("d")}); err != nil {
			t.Errorf("CreateSecurityGroup with the name of a deleted group: %v", err)
		}
	})

	t.Run("refuses the default group", func(t *testing.T) {
		var def string
		for _, g := range f.describeAll(t, nameFilter("vpc-id", vpcID), nameFilter("group-name", "default")) {
			def = aws.ToString(g.GroupId)
		}
		_, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(def)})
		wantError(t, "DeleteSecurityGroup of the default group", err, "CannotDelete", `the specified group: "`+def+`" name: "default" cannot be deleted by a user`)
	})

	t.Run("refuses a group another group's rule references", func(t *testing.T) {
		lb := f.newGroup(t, vpcID, "lb")
		app := f.newGroup(t, vpcID, "app")
		f.ingress(t, app, fromGroup(80, 80, lb))
		_, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(lb)})
		wantError(t, "DeleteSecurityGroup of a referenced group", err, "DependencyViolation", "resource "+lb+" has a dependent object")
		if _, err := f.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(app), IpPermissions: []types.IpPermission{fromGroup(80, 80, lb)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(lb)}); err != nil {
			t.Errorf("DeleteSecurityGroup once the reference is revoked: %v", err)
		}
	})

	t.Run("refuses a group a network interface uses", func(t *testing.T) {
		g := f.newGroup(t, vpcID, "eni")
		eni, err := f.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Groups: []string{g}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(g)})
		wantError(t, "DeleteSecurityGroup of a group an interface uses", err, "DependencyViolation", "resource "+g+" has a dependent object")
		if _, err := f.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(g)}); err != nil {
			t.Errorf("DeleteSecurityGroup once the interface is gone: %v", err)
		}
	})

	t.Run("refuses a group an interface endpoint uses", func(t *testing.T) {
		g := f.newGroup(t, vpcID, "endpoint")
		_, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.sts"),
			VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{subnet}, SecurityGroupIds: []string{g}, PrivateDnsEnabled: aws.Bool(false)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(g)})
		wantError(t, "DeleteSecurityGroup of a group an endpoint uses", err, "DependencyViolation", "resource "+g+" has a dependent object")
	})

	for _, c := range []struct {
		name      string
		in        ec2.DeleteSecurityGroupInput
		code, msg string
	}{
		{"an unknown group", ec2.DeleteSecurityGroupInput{GroupId: aws.String("sg-0123456789abcdef0")}, "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"},
		{"a malformed id", ec2.DeleteSecurityGroupInput{GroupId: aws.String("sg-1")}, "InvalidGroupId.Malformed", `Invalid id: "sg-1" (expecting "sg-...")`},
		{"no group", ec2.DeleteSecurityGroupInput{}, "MissingParameter", "The request must contain the parameter groupName or groupId"},
		{"a name outside the default VPC", ec2.DeleteSecurityGroupInput{GroupName: aws.String("app")}, "InvalidGroup.NotFound", "The security group 'app' does not exist in default VPC '…"},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			_, err := f.EC2.DeleteSecurityGroup(ctx, &c.in)
			wantError(t, "DeleteSecurityGroup("+c.name+")", err, c.code, c.msg)
		})
	}

	t.Run("by name in the default VPC, with DryRun and denial", func(t *testing.T) {
		f.newGroup(t, sgDefaultVPC(t, f.EC2), "scratch")
		_, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("scratch"), DryRun: aws.Bool(true)})
		wantError(t, "DeleteSecurityGroup with DryRun", err, "DryRunOperation", "")
		_, err = f.userClient(t, "nobody", "").DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("scratch")})
		wantError(t, "DeleteSecurityGroup by a user without permission", err, "UnauthorizedOperation", "")
		if _, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupName: aws.String("SCRATCH")}); err != nil {
			t.Errorf("DeleteSecurityGroup by name: %v", err)
		}
	})
}

// prefixListID returns the id of the region's prefix list of a gateway service.
func (f *fixture) prefixListID(t *testing.T, name string) string {
	t.Helper()
	out, err := f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{Filters: []types.Filter{nameFilter("prefix-list-name", name)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PrefixLists) != 1 {
		t.Fatalf("DescribePrefixLists(%s) = %d lists, want 1", name, len(out.PrefixLists))
	}
	return aws.ToString(out.PrefixLists[0].PrefixListId)
}
