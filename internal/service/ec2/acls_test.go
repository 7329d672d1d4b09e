package ec2_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// aclDescribe describes one network ACL.
func aclDescribe(t testing.TB, f *fixture, id string) types.NetworkAcl {
	t.Helper()
	out, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeNetworkAcls(%s): %v", id, err)
	}
	if len(out.NetworkAcls) != 1 {
		t.Fatalf("DescribeNetworkAcls(%s) = %d ACLs, want 1", id, len(out.NetworkAcls))
	}
	return out.NetworkAcls[0]
}

// aclOfSubnet returns the ACL a subnet is associated with, and the association.
func aclOfSubnet(t testing.TB, f *fixture, subnetID string) (types.NetworkAcl, string) {
	t.Helper()
	out, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{nameFilter("association.subnet-id", subnetID)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.NetworkAcls) != 1 {
		t.Fatalf("the ACLs of subnet %s = %d, want exactly 1", subnetID, len(out.NetworkAcls))
	}
	for _, a := range out.NetworkAcls[0].Associations {
		if aws.ToString(a.SubnetId) == subnetID {
			return out.NetworkAcls[0], aws.ToString(a.NetworkAclAssociationId)
		}
	}
	t.Fatalf("the ACL of subnet %s lists no association for it", subnetID)
	return types.NetworkAcl{}, ""
}

// aclEntries renders entries compactly: "egress 100 allow -1 0.0.0.0/0".
func aclEntries(es []types.NetworkAclEntry) []string {
	var out []string
	for _, e := range es {
		dir := "ingress"
		if aws.ToBool(e.Egress) {
			dir = "egress"
		}
		s := fmt.Sprintf("%s %d %s %s %s%s", dir, aws.ToInt32(e.RuleNumber), e.RuleAction, aws.ToString(e.Protocol), aws.ToString(e.CidrBlock), aws.ToString(e.Ipv6CidrBlock))
		if e.PortRange != nil {
			s += fmt.Sprintf(" ports %d-%d", aws.ToInt32(e.PortRange.From), aws.ToInt32(e.PortRange.To))
		}
		if e.IcmpTypeCode != nil {
			s += fmt.Sprintf(" icmp %d/%d", aws.ToInt32(e.IcmpTypeCode.Type), aws.ToInt32(e.IcmpTypeCode.Code))
		}
		out = append(out, s)
	}
	return out
}

func TestDefaultNetworkACL(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	out, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("default", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.NetworkAcls) != 1 {
		t.Fatalf("the default ACLs of %s = %d, want 1", vpcID, len(out.NetworkAcls))
	}
	a := out.NetworkAcls[0]
	// AWS lists egress entries first, each direction by rule number (EC2 API Reference, DescribeNetworkAcls example).
	want := []string{"egress 100 allow -1 0.0.0.0/0", "egress 32767 deny -1 0.0.0.0/0", "ingress 100 allow -1 0.0.0.0/0", "ingress 32767 deny -1 0.0.0.0/0"}
	if got := aclEntries(a.Entries); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("the default ACL's entries = %q, want %q", got, want)
	}
	if !aws.ToBool(a.IsDefault) || aws.ToString(a.OwnerId) != "000000000000" || !strings.HasPrefix(aws.ToString(a.NetworkAclId), "acl-") {
		t.Errorf("the default ACL = %s default %v owner %s, want acl-…, true, 000000000000", aws.ToString(a.NetworkAclId), aws.ToBool(a.IsDefault), aws.ToString(a.OwnerId))
	}
	if len(a.Associations) != 1 || aws.ToString(a.Associations[0].SubnetId) != subnetID || aws.ToString(a.Associations[0].NetworkAclId) != aws.ToString(a.NetworkAclId) ||
		!strings.HasPrefix(aws.ToString(a.Associations[0].NetworkAclAssociationId), "aclassoc-") {
		t.Errorf("the default ACL's associations = %+v, want the new subnet's", a.Associations)
	}
	_, err = f.EC2.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: a.NetworkAclId})
	wantError(t, "DeleteNetworkAcl of the default ACL", err, "InvalidParameterValue", "cannot delete default network ACL "+aws.ToString(a.NetworkAclId))
}

func TestNetworkACLs(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	otherVPC := f.newVPC(t, "10.1.0.0/16")
	out, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &vpcID, TagSpecifications: tagSpec(types.ResourceTypeNetworkAcl, "Name", "private")})
	if err != nil {
		t.Fatal(err)
	}
	a := out.NetworkAcl
	id := aws.ToString(a.NetworkAclId)
	if !ec2ID.MatchString(id) || aws.ToBool(a.IsDefault) || aws.ToString(a.VpcId) != vpcID || len(a.Associations) != 0 || tagMap(a.Tags)["Name"] != "private" {
		t.Errorf("CreateNetworkAcl = %s default %v vpc %s %d associations tags %v, want acl-…, not default, %s, none, Name=private",
			id, aws.ToBool(a.IsDefault), aws.ToString(a.VpcId), len(a.Associations), tagMap(a.Tags), vpcID)
	}
	if got, want := aclEntries(a.Entries), []string{"egress 32767 deny -1 0.0.0.0/0", "ingress 32767 deny -1 0.0.0.0/0"}; strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("a new ACL's entries = %q, want only the catch-all denials %q", got, want)
	}

	entry := func(rule int32, egress bool, protocol string, action types.RuleAction, cidr string) *ec2.CreateNetworkAclEntryInput {
		return &ec2.CreateNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(rule), Egress: aws.Bool(egress), Protocol: aws.String(protocol),
			RuleAction: action, CidrBlock: aws.String(cidr)}
	}
	https := entry(100, false, "tcp", types.RuleActionAllow, "10.0.0.1/16")
	https.PortRange = &types.PortRange{From: aws.Int32(443), To: aws.Int32(443)}
	ephemeral := entry(100, true, "6", types.RuleActionAllow, "0.0.0.0/0")
	ephemeral.PortRange = &types.PortRange{From: aws.Int32(1024), To: aws.Int32(65535)}
	ping := entry(200, false, "icmp", types.RuleActionDeny, "192.168.0.0/16")
	ping.IcmpTypeCode = &types.IcmpTypeCode{Type: aws.Int32(8), Code: aws.Int32(-1)}
	v6 := &ec2.CreateNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(50), Egress: aws.Bool(true), Protocol: aws.String("-1"),
		RuleAction: types.RuleActionAllow, Ipv6CidrBlock: aws.String("::/0")}
	for _, in := range []*ec2.CreateNetworkAclEntryInput{https, ephemeral, ping, v6} {
		if _, err := f.EC2.CreateNetworkAclEntry(ctx, in); err != nil {
			t.Fatalf("CreateNetworkAclEntry(%d, egress %v): %v", aws.ToInt32(in.RuleNumber), aws.ToBool(in.Egress), err)
		}
	}
	want := []string{
		"egress 50 allow -1 ::/0", "egress 100 allow 6 0.0.0.0/0 ports 1024-65535", "egress 32767 deny -1 0.0.0.0/0",
		"ingress 100 allow 6 10.0.0.0/16 ports 443-443", "ingress 200 deny 1 192.168.0.0/16 icmp 8/-1", "ingress 32767 deny -1 0.0.0.0/0",
	}
	if got := aclEntries(aclDescribe(t, f, id).Entries); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("the ACL's entries =\n%q\nwant (protocols as numbers, blocks canonical, egress first)\n%q", got, want)
	}

	noPorts := entry(300, false, "udp", types.RuleActionAllow, "0.0.0.0/0")
	noICMP := entry(300, false, "1", types.RuleActionAllow, "0.0.0.0/0")
	bothBlocks := entry(300, false, "-1", types.RuleActionAllow, "0.0.0.0/0")
	bothBlocks.Ipv6CidrBlock = aws.String("::/0")
	noBlock := entry(300, false, "-1", types.RuleActionAllow, "0.0.0.0/0")
	noBlock.CidrBlock = nil
	badPorts := entry(300, false, "tcp", types.RuleActionAllow, "0.0.0.0/0")
	badPorts.PortRange = &types.PortRange{From: aws.Int32(80), To: aws.Int32(70000)}
	for _, tc := range []struct {
		name          string
		in            *ec2.CreateNetworkAclEntryInput
		code, message string
	}{
		{"a rule number taken in the direction", entry(100, false, "-1", types.RuleActionDeny, "0.0.0.0/0"),
			"NetworkAclEntryAlreadyExists", "The network acl entry identified by 100 already exists."},
		{"rule number 0", entry(0, false, "-1", types.RuleActionDeny, "0.0.0.0/0"),
			"InvalidParameterValue", "Value (0) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766"},
		{"the catch-all rule number", entry(32767, false, "-1", types.RuleActionDeny, "0.0.0.0/0"),
			"InvalidParameterValue", "Value (32767) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766"},
		{"UDP without ports", noPorts, "MissingParameter", "The request must contain the parameter portRange or icmpTypeCode"},
		{"ICMP without type and code", noICMP, "MissingParameter", "The request must contain the parameter portRange or icmpTypeCode"},
		{"a port past 65535", badPorts, "InvalidParameterValue", "Invalid value for portRange. …"},
		{"two blocks", bothBlocks, "InvalidParameterCombination", "The parameter cidrBlock cannot be used with the parameter ipv6CidrBlock"},
		{"no block", noBlock, "MissingParameter", "The request must contain the parameter cidrBlock or ipv6CidrBlock"},
		{"a block that is not one", entry(300, false, "-1", types.RuleActionAllow, "10.0.0.0/40"),
			"InvalidParameterValue", "Value (10.0.0.0/40) for parameter cidrBlock is invalid. This is not a valid CIDR block."},
		{"a protocol that is none", entry(300, false, "gopher", types.RuleActionAllow, "0.0.0.0/0"),
			"InvalidParameterValue", "Invalid value 'gopher' for protocol. …"},
		{"an ACL that does not exist", &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String("acl-0123456789abcdef0"), RuleNumber: aws.Int32(1),
			Egress: aws.Bool(false), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0")},
			"InvalidNetworkAclID.NotFound", "The networkAcl ID 'acl-0123456789abcdef0' does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.CreateNetworkAclEntry(ctx, tc.in)
			wantError(t, "CreateNetworkAclEntry "+tc.name, err, tc.code, tc.message)
		})
	}

	t.Run("replace entries", func(t *testing.T) {
		if _, err := f.EC2.ReplaceNetworkAclEntry(ctx, &ec2.ReplaceNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(200), Egress: aws.Bool(false),
			Protocol: aws.String("udp"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("10.0.0.0/8"), PortRange: &types.PortRange{From: aws.Int32(53), To: aws.Int32(53)}}); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range aclEntries(aclDescribe(t, f, id).Entries) {
			found = found || e == "ingress 200 allow 17 10.0.0.0/8 ports 53-53"
		}
		if !found {
			t.Errorf("the replaced entry 200 is not the new one: %q", aclEntries(aclDescribe(t, f, id).Entries))
		}
		_, err := f.EC2.ReplaceNetworkAclEntry(ctx, &ec2.ReplaceNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(200), Egress: aws.Bool(true),
			Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0")})
		wantError(t, "ReplaceNetworkAclEntry of an entry that does not exist", err, "InvalidNetworkAclEntry.NotFound", "no egress entry with number 200")
	})
	t.Run("delete entries", func(t *testing.T) {
		if _, err := f.EC2.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(200), Egress: aws.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		_, err := f.EC2.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(200), Egress: aws.Bool(false)})
		wantError(t, "DeleteNetworkAclEntry of a deleted entry", err, "InvalidNetworkAclEntry.NotFound", "no ingress entry with number 200")
		_, err = f.EC2.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: &id, RuleNumber: aws.Int32(32767), Egress: aws.Bool(false)})
		wantError(t, "DeleteNetworkAclEntry of the catch-all", err, "InvalidParameterValue", "Value (32767) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766")
	})
	t.Run("move a subnet to the ACL and back", func(t *testing.T) {
		def, assoc := aclOfSubnet(t, f, subnetID)
		out, err := f.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &assoc, NetworkAclId: &id})
		if err != nil {
			t.Fatal(err)
		}
		moved := aws.ToString(out.NewAssociationId)
		now, nowAssoc := aclOfSubnet(t, f, subnetID)
		if aws.ToString(now.NetworkAclId) != id || nowAssoc != moved || moved == assoc || !strings.HasPrefix(moved, "aclassoc-") {
			t.Errorf("the subnet's ACL after the move = %s (%s), want %s with the new association %s", aws.ToString(now.NetworkAclId), nowAssoc, id, moved)
		}
		_, err = f.EC2.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: &id})
		wantError(t, "DeleteNetworkAcl of an ACL a subnet uses", err, "DependencyViolation", fmt.Sprintf("The networkAcl '%s' has dependencies and cannot be deleted.", id))
		_, err = f.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &assoc, NetworkAclId: &id})
		wantError(t, "ReplaceNetworkAclAssociation of a replaced association", err, "InvalidAssociationID.NotFound", fmt.Sprintf("The association ID '%s' does not exist", assoc))
		otherACL, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &otherVPC})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &moved, NetworkAclId: otherACL.NetworkAcl.NetworkAclId})
		wantError(t, "moving a subnet to another VPC's ACL", err, "InvalidParameterValue",
			fmt.Sprintf("Network ACL %s and subnet %s belong to different networks", aws.ToString(otherACL.NetworkAcl.NetworkAclId), subnetID))
		_, err = f.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &moved, NetworkAclId: aws.String("acl-0123456789abcdef0")})
		wantError(t, "moving a subnet to an ACL that does not exist", err, "InvalidNetworkAclID.NotFound", "The networkAcl ID 'acl-0123456789abcdef0' does not exist")
		if _, err := f.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &moved, NetworkAclId: def.NetworkAclId}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: &id}); err != nil {
			t.Errorf("DeleteNetworkAcl once its subnet left = %v, want it deleted", err)
		}
		_, err = f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{id}})
		wantError(t, "DescribeNetworkAcls of a deleted ACL", err, "InvalidNetworkAclID.NotFound", fmt.Sprintf("The networkAcl ID '%s' does not exist", id))
	})
	t.Run("refusals of ACLs", func(t *testing.T) {
		_, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String("vpc-0123456789abcdef0")})
		wantError(t, "CreateNetworkAcl in a VPC that does not exist", err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist")
		_, err = f.EC2.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: aws.String("rtb-1")})
		wantError(t, "DeleteNetworkAcl with a malformed id", err, "InvalidNetworkAclId.Malformed", `Invalid id: "rtb-1" (expecting "acl-...")`)
		_, err = f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{nameFilter("entry.colour", "x")}})
		wantError(t, "DescribeNetworkAcls with an unknown filter", err, "InvalidParameterValue", "The filter 'entry.colour' is invalid")
	})
}

func TestDescribeNetworkACLsFilters(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	def, _ := aclOfSubnet(t, f, subnetID)
	defID := aws.ToString(def.NetworkAclId)
	out, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &vpcID, TagSpecifications: tagSpec(types.ResourceTypeNetworkAcl, "Name", "web")})
	if err != nil {
		t.Fatal(err)
	}
	web := aws.ToString(out.NetworkAcl.NetworkAclId)
	in := &ec2.CreateNetworkAclEntryInput{NetworkAclId: &web, RuleNumber: aws.Int32(110), Egress: aws.Bool(false), Protocol: aws.String("tcp"),
		RuleAction: types.RuleActionAllow, CidrBlock: aws.String("203.0.113.0/24"), PortRange: &types.PortRange{From: aws.Int32(80), To: aws.Int32(443)}}
	if _, err := f.EC2.CreateNetworkAclEntry(ctx, in); err != nil {
		t.Fatal(err)
	}
	icmp := &ec2.CreateNetworkAclEntryInput{NetworkAclId: &web, RuleNumber: aws.Int32(120), Egress: aws.Bool(true), Protocol: aws.String("1"),
		RuleAction: types.RuleActionDeny, CidrBlock: aws.String("0.0.0.0/0"), IcmpTypeCode: &types.IcmpTypeCode{Type: aws.Int32(3), Code: aws.Int32(4)}}
	if _, err := f.EC2.CreateNetworkAclEntry(ctx, icmp); err != nil {
		t.Fatal(err)
	}
	v6 := &ec2.CreateNetworkAclEntryInput{NetworkAclId: &web, RuleNumber: aws.Int32(130), Egress: aws.Bool(false), Protocol: aws.String("-1"),
		RuleAction: types.RuleActionAllow, Ipv6CidrBlock: aws.String("2001:db8::/32")}
	if _, err := f.EC2.CreateNetworkAclEntry(ctx, v6); err != nil {
		t.Fatal(err)
	}
	_, assoc := aclOfSubnet(t, f, subnetID)
	inVPC := nameFilter("vpc-id", vpcID)
	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"vpc-id", []types.Filter{inVPC}, []string{defID, web}},
		{"default true", []types.Filter{inVPC, nameFilter("default", "true")}, []string{defID}},
		{"default false", []types.Filter{inVPC, nameFilter("default", "false")}, []string{web}},
		{"network-acl-id", []types.Filter{nameFilter("network-acl-id", web)}, []string{web}},
		{"owner-id", []types.Filter{inVPC, nameFilter("owner-id", "000000000000")}, []string{defID, web}},
		{"association.subnet-id", []types.Filter{nameFilter("association.subnet-id", subnetID)}, []string{defID}},
		{"association.association-id", []types.Filter{nameFilter("association.association-id", assoc)}, []string{defID}},
		{"association.network-acl-id", []types.Filter{nameFilter("association.network-acl-id", defID)}, []string{defID}},
		{"entry.cidr", []types.Filter{inVPC, nameFilter("entry.cidr", "203.0.113.0/24")}, []string{web}},
		{"entry.ipv6-cidr", []types.Filter{inVPC, nameFilter("entry.ipv6-cidr", "2001:db8::/32")}, []string{web}},
		{"entry.rule-number", []types.Filter{inVPC, nameFilter("entry.rule-number", "110")}, []string{web}},
		{"entry.rule-number of the defaults", []types.Filter{inVPC, nameFilter("entry.rule-number", "100")}, []string{defID}},
		{"entry.protocol by name", []types.Filter{inVPC, nameFilter("entry.protocol", "tcp")}, []string{web}},
		{"entry.protocol by number", []types.Filter{inVPC, nameFilter("entry.protocol", "6")}, []string{web}},
		{"entry.rule-action", []types.Filter{inVPC, nameFilter("entry.rule-action", "allow")}, []string{defID, web}},
		{"entry.egress", []types.Filter{inVPC, nameFilter("entry.egress", "true")}, []string{defID, web}},
		{"entry.port-range.from", []types.Filter{inVPC, nameFilter("entry.port-range.from", "80")}, []string{web}},
		{"entry.port-range.to", []types.Filter{inVPC, nameFilter("entry.port-range.to", "443")}, []string{web}},
		{"entry.icmp.type", []types.Filter{inVPC, nameFilter("entry.icmp.type", "3")}, []string{web}},
		{"entry.icmp.code", []types.Filter{inVPC, nameFilter("entry.icmp.code", "4")}, []string{web}},
		{"tag:Name", []types.Filter{nameFilter("tag:Name", "web")}, []string{web}},
		{"nothing matches", []types.Filter{inVPC, nameFilter("entry.rule-number", "999")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range out.NetworkAcls {
				got = append(got, aws.ToString(a.NetworkAclId))
			}
			if !sameSet(got, tc.want) {
				t.Errorf("DescribeNetworkAcls %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		for range 4 {
			if _, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &vpcID}); err != nil {
				t.Fatal(err)
			}
		}
		p := ec2.NewDescribeNetworkAclsPaginator(f.EC2, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{inVPC}, MaxResults: aws.Int32(5)})
		var seen []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, a := range out.NetworkAcls {
				seen = append(seen, aws.ToString(a.NetworkAclId))
			}
		}
		if pages != 2 || len(seen) != 6 || len(dedupe(seen)) != 6 {
			t.Errorf("DescribeNetworkAcls in pages of 5 = %d pages, %v; want 2 pages of 6 distinct ACLs", pages, seen)
		}
	})
}

func TestNetworkACLsAuthorization(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	acl, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &vpcID})
	if err != nil {
		t.Fatal(err)
	}
	_, assoc := aclOfSubnet(t, f, subnetID)
	// ReplaceNetworkAclAssociation asks on the ACL and on the subnet.
	onlyACL := f.userClient(t, "acl-only", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:ReplaceNetworkAclAssociation","Resource":"arn:aws:ec2:us-east-1:000000000000:network-acl/*"}]}`)
	_, err = onlyACL.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &assoc, NetworkAclId: acl.NetworkAcl.NetworkAclId})
	wantError(t, "ReplaceNetworkAclAssociation allowed on the ACL only", err, "UnauthorizedOperation", "")
	both := f.userClient(t, "acl-and-subnet", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:ReplaceNetworkAclAssociation","Resource":["arn:aws:ec2:us-east-1:000000000000:network-acl/*","arn:aws:ec2:us-east-1:000000000000:subnet/*"]}]}`)
	if _, err := both.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &assoc, NetworkAclId: acl.NetworkAcl.NetworkAclId}); err != nil {
		t.Errorf("ReplaceNetworkAclAssociation allowed on the ACL and the subnet = %v, want it done", err)
	}
	// Entries can be limited to ACLs of a VPC with ec2:Vpc.
	inVPC := f.userClient(t, "vpc-scoped", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:CreateNetworkAclEntry","Resource":"*","Condition":{"ArnEquals":{"ec2:Vpc":"arn:aws:ec2:us-east-1:000000000000:vpc/%s"}}}]}`, vpcID))
	entry := &ec2.CreateNetworkAclEntryInput{NetworkAclId: acl.NetworkAcl.NetworkAclId, RuleNumber: aws.Int32(10), Egress: aws.Bool(false),
		Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("10.0.0.0/16")}
	if _, err := inVPC.CreateNetworkAclEntry(ctx, entry); err != nil {
		t.Errorf("CreateNetworkAclEntry in the allowed VPC = %v, want it made", err)
	}
	other := f.newVPC(t, "10.1.0.0/16")
	otherACL, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &other})
	if err != nil {
		t.Fatal(err)
	}
	entry.NetworkAclId = otherACL.NetworkAcl.NetworkAclId
	_, err = inVPC.CreateNetworkAclEntry(ctx, entry)
	wantError(t, "CreateNetworkAclEntry in another VPC", err, "UnauthorizedOperation", "")
}

// FuzzNetworkAclEntry sends CreateNetworkAclEntry requests with arbitrary rule numbers, protocols, blocks and ports
// through the front door: every one must be answered, never with a server fault.
func FuzzNetworkAclEntry(f *testing.F) {
	fx := start(f)
	vpcID := fx.newVPC(f, "10.0.0.0/16")
	out, err := fx.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &vpcID})
	if err != nil {
		f.Fatal(err)
	}
	aclID := out.NetworkAcl.NetworkAclId
	f.Add(int32(100), false, "tcp", "0.0.0.0/0", "", int32(443), int32(443))
	f.Add(int32(32767), true, "-1", "10.0.0.1/16", "", int32(0), int32(0))
	f.Add(int32(0), false, "1", "", "::/0", int32(-1), int32(-1))
	f.Add(int32(-5), true, "58", "", "2001:db8::1/129", int32(8), int32(0))
	f.Add(int32(7), false, "999", "300.1.1.1/8", "", int32(70000), int32(-2))
	f.Add(int32(8), false, "udp", "1.2.3.4", "fe80::1%eth0/64", int32(53), int32(52))
	f.Add(int32(9), true, "\x00icmp", "0.0.0.0/0\n", "", int32(2147483647), int32(-2147483648))
	f.Fuzz(func(t *testing.T, rule int32, egress bool, protocol, cidr, cidr6 string, from, to int32) {
		in := &ec2.CreateNetworkAclEntryInput{NetworkAclId: aclID, RuleNumber: &rule, Egress: &egress, Protocol: &protocol,
			RuleAction: types.RuleActionAllow, PortRange: &types.PortRange{From: &from, To: &to}, IcmpTypeCode: &types.IcmpTypeCode{Type: &from, Code: &to}}
		if cidr != "" {
			in.CidrBlock = &cidr
		}
		if cidr6 != "" {
			in.Ipv6CidrBlock = &cidr6
		}
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := fx.EC2.CreateNetworkAclEntry(callCtx, in); serverFault(err) || callCtx.Err() != nil {
			t.Fatalf("CreateNetworkAclEntry(%d, %v, %q, %q, %q, %d, %d) = %v, want an answer rather than a server fault", rule, egress, protocol, cidr, cidr6, from, to, err)
		}
		if _, err := fx.EC2.DeleteNetworkAclEntry(callCtx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: aclID, RuleNumber: &rule, Egress: &egress}); serverFault(err) || callCtx.Err() != nil {
			t.Fatalf("DeleteNetworkAclEntry(%d, %v) = %v, want an answer rather than a server fault", rule, egress, err)
		}
	})
}
