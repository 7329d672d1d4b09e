package ec2_test

import (
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

var ec2ID = regexp.MustCompile(`^[a-z-]+-[0-9a-f]{17}$`)

// tagged returns the VPC's tags as a map.
func tagMap(tags []types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// vpcIDs returns the ids of the VPCs, sorted.
func vpcIDs(vs []types.Vpc) []string {
	var out []string
	for _, v := range vs {
		out = append(out, aws.ToString(v.VpcId))
	}
	sort.Strings(out)
	return out
}

// notImplemented reports whether err is sagebox's answer for an operation it does not implement (yet): another
// area's operation a test would use.
func notImplemented(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NotImplemented"
}

// defaultVPC returns the region's default VPC of the client.
func defaultVPC(t *testing.T, c *ec2.Client) types.Vpc {
	t.Helper()
	out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{nameFilter("is-default", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Vpcs) != 1 {
		t.Fatalf("DescribeVpcs is-default=true = %d VPCs, want 1", len(out.Vpcs))
	}
	return out.Vpcs[0]
}

func TestCreateVpc(t *testing.T) {
	f := start(t)
	out, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock:         aws.String("10.0.0.1/16"),
		TagSpecifications: tagSpec(types.ResourceTypeVpc, "Name", "ml", "team", "platform"),
	})
	if err != nil {
		t.Fatal(err)
	}
	v := out.Vpc
	id := aws.ToString(v.VpcId)
	if !ec2ID.MatchString(id) || !strings.HasPrefix(id, "vpc-") {
		t.Errorf("VpcId = %q, want vpc- and 17 hex digits", id)
	}
	if got := aws.ToString(v.CidrBlock); got != "10.0.0.0/16" {
		t.Errorf("CidrBlock of a VPC made with 10.0.0.1/16 = %s, want the canonical 10.0.0.0/16", got)
	}
	if v.State != types.VpcStatePending || aws.ToBool(v.IsDefault) || v.InstanceTenancy != types.TenancyDefault ||
		aws.ToString(v.OwnerId) != "000000000000" || !strings.HasPrefix(aws.ToString(v.DhcpOptionsId), "dopt-") {
		t.Errorf("CreateVpc = state %s, default %v, tenancy %s, owner %s, DHCP options %s; want pending, false, default, 000000000000, dopt-…",
			v.State, aws.ToBool(v.IsDefault), v.InstanceTenancy, aws.ToString(v.OwnerId), aws.ToString(v.DhcpOptionsId))
	}
	if len(v.CidrBlockAssociationSet) != 1 || aws.ToString(v.CidrBlockAssociationSet[0].CidrBlock) != "10.0.0.0/16" ||
		!strings.HasPrefix(aws.ToString(v.CidrBlockAssociationSet[0].AssociationId), "vpc-cidr-assoc-") ||
		v.CidrBlockAssociationSet[0].CidrBlockState.State != types.VpcCidrBlockStateCodeAssociated {
		t.Errorf("CidrBlockAssociationSet = %+v, want the one associated block", v.CidrBlockAssociationSet)
	}
	if got := tagMap(v.Tags); got["Name"] != "ml" || got["team"] != "platform" || len(got) != 2 {
		t.Errorf("Tags = %v, want Name=ml team=platform", got)
	}
	d, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Vpcs) != 1 || d.Vpcs[0].State != types.VpcStateAvailable || tagMap(d.Vpcs[0].Tags)["Name"] != "ml" {
		t.Errorf("DescribeVpcs(%s) = %+v, want it available with its tags", id, d.Vpcs)
	}
	if err := ec2.NewVpcAvailableWaiter(f.EC2).Wait(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}}, 5e9); err != nil {
		t.Errorf("the VpcAvailable waiter: %v", err)
	}
	dedicated, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/28"), InstanceTenancy: types.TenancyDedicated})
	if err != nil || dedicated.Vpc.InstanceTenancy != types.TenancyDedicated {
		t.Errorf("CreateVpc dedicated /28 = %v, want a dedicated VPC", err)
	}
}

func TestCreateVpcRefusals(t *testing.T) {
	f := start(t)
	for _, tc := range []struct {
		name          string
		in            *ec2.CreateVpcInput
		code, message string
	}{
		{"no block", &ec2.CreateVpcInput{}, "MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided."},
		{"an address", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0")}, "InvalidParameterValue",
			"Value (10.0.0.0) for parameter cidrBlock is invalid. This is not a valid CIDR block."},
		{"not an address", &ec2.CreateVpcInput{CidrBlock: aws.String("SomeRandomString")}, "InvalidParameterValue",
			"Value (SomeRandomString) for parameter cidrBlock is invalid. This is not a valid CIDR block."},
		{"prefix past 32", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/33")}, "InvalidParameterValue",
			"Value (10.0.0.0/33) for parameter cidrBlock is invalid. This is not a valid CIDR block."},
		{"larger than /16", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")}, "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid."},
		{"smaller than /28", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/29")}, "InvalidVpc.Range", "The CIDR '10.0.0.0/29' is invalid."},
		{"host tenancy", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), InstanceTenancy: types.TenancyHost},
			"UnsupportedTenancy", "The tenancy value host is not supported."},
		{"an IPv6 block", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), AmazonProvidedIpv6CidrBlock: aws.Bool(true)},
			"InvalidParameterValue", "IPv6 CIDR blocks are not supported by sagebox: give the VPC an IPv4 CIDR block only"},
		{"an IPAM pool", &ec2.CreateVpcInput{Ipv4IpamPoolId: aws.String("ipam-pool-0123456789abcdef0")},
			"InvalidIpamPoolId.NotFound", "The pool ID 'ipam-pool-0123456789abcdef0' does not exist"},
		{"tags for a subnet", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: tagSpec(types.ResourceTypeSubnet, "a", "b")},
			"InvalidParameterValue", "'subnet' is not a valid taggable resource type for this operation."},
		{"an aws: tag", &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: tagSpec(types.ResourceTypeVpc, "aws:x", "b")},
			"InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.CreateVpc(ctx, tc.in)
			wantError(t, "CreateVpc", err, tc.code, tc.message)
		})
	}
	out, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(out.Vpcs) != 1 {
		t.Errorf("DescribeVpcs after the refusals = %d VPCs (%v), want the default VPC alone", len(out.Vpcs), err)
	}
}

func TestVpcQuota(t *testing.T) {
	f := start(t)
	for i := range 4 { // with the default VPC, the region's five
		f.newVPC(t, "10."+string(rune('0'+i))+".0.0/16")
	}
	_, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	wantError(t, "the sixth CreateVpc", err, "VpcLimitExceeded", "The maximum number of VPCs has been reached.")
	// The quota is per region: another region has room.
	west := ec2.NewFromConfig(f.Config("test", "test", ""), func(o *ec2.Options) { o.Region = "us-west-2" })
	if _, err := west.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")}); err != nil {
		t.Errorf("CreateVpc in us-west-2: %v", err)
	}
}

func TestDefaultVpcOfEveryRegion(t *testing.T) {
	f := start(t)
	for _, tc := range []struct {
		region string
		zones  int
	}{{"us-east-1", 6}, {"eu-west-1", 3}, {"ap-northeast-1", 3}} {
		t.Run(tc.region, func(t *testing.T) {
			c := ec2.NewFromConfig(f.Config("test", "test", ""), func(o *ec2.Options) { o.Region = tc.region })
			v := defaultVPC(t, c)
			if aws.ToString(v.CidrBlock) != "172.31.0.0/16" || v.State != types.VpcStateAvailable {
				t.Errorf("the default VPC of %s = %s %s, want 172.31.0.0/16 available", tc.region, aws.ToString(v.CidrBlock), v.State)
			}
			attr, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: v.VpcId, Attribute: types.VpcAttributeNameEnableDnsHostnames})
			if err != nil || !aws.ToBool(attr.EnableDnsHostnames.Value) {
				t.Errorf("the default VPC's enableDnsHostnames = %v (%v), want true", attr, err)
			}
			subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{nameFilter("default-for-az", "true")}})
			if err != nil {
				t.Fatal(err)
			}
			zones := map[string]bool{}
			for _, sn := range subnets.Subnets {
				zones[aws.ToString(sn.AvailabilityZone)] = true
				if aws.ToString(sn.VpcId) != aws.ToString(v.VpcId) || !aws.ToBool(sn.MapPublicIpOnLaunch) ||
					!strings.HasSuffix(aws.ToString(sn.CidrBlock), "/20") || !strings.HasPrefix(aws.ToString(sn.AvailabilityZone), tc.region) {
					t.Errorf("default subnet %s = %s in %s of %s, public %v; want a public /20 of the default VPC in the region",
						aws.ToString(sn.SubnetId), aws.ToString(sn.CidrBlock), aws.ToString(sn.AvailabilityZone), aws.ToString(sn.VpcId), aws.ToBool(sn.MapPublicIpOnLaunch))
				}
			}
			if len(zones) != tc.zones || len(subnets.Subnets) != tc.zones {
				t.Errorf("%s has %d default subnets in %d zones, want one in each of %d", tc.region, len(subnets.Subnets), len(zones), tc.zones)
			}
			nonDefault, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{nameFilter("default-for-az", "false")}})
			if err != nil || len(nonDefault.Subnets) != 0 {
				t.Errorf("DescribeSubnets default-for-az=false = %d subnets (%v), want none", len(nonDefault.Subnets), err)
			}
		})
	}
}

func TestDeleteDefaultVpc(t *testing.T) {
	f := start(t)
	v := defaultVPC(t, f.EC2)
	_, err := f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: v.VpcId})
	wantError(t, "DeleteVpc of the default VPC with its subnets", err, "DependencyViolation", "The vpc '"+aws.ToString(v.VpcId)+"' has dependencies and cannot be deleted.")
	subnets, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{nameFilter("vpc-id", aws.ToString(v.VpcId))}})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range subnets.Subnets {
		if _, err := f.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sn.SubnetId}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: v.VpcId})
	wantError(t, "DeleteVpc of the default VPC with its internet gateway attached", err, "DependencyViolation", "The vpc '"+aws.ToString(v.VpcId)+"' has dependencies and cannot be deleted.")
	igws, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{nameFilter("attachment.vpc-id", aws.ToString(v.VpcId))}})
	if notImplemented(err) {
		t.Skip("the internet gateway operations are not implemented yet; TestDeletedDefaultVPCStaysDeleted covers the rest from inside")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, igw := range igws.InternetGateways {
		if _, err := f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId, VpcId: v.VpcId}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: v.VpcId}); err != nil {
		t.Fatalf("DeleteVpc of the default VPC without its subnets and gateway: %v", err)
	}
	for range 2 {
		out, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil || len(out.Vpcs) != 0 {
			t.Fatalf("DescribeVpcs after deleting the default VPC = %v (%v), want none: it must not come back", vpcIDs(out.Vpcs), err)
		}
	}
}

func TestDescribeVpcs(t *testing.T) {
	f := start(t)
	def := aws.ToString(defaultVPC(t, f.EC2).VpcId)
	mk := func(cidr string, kv ...string) string {
		out, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr), TagSpecifications: tagSpec(types.ResourceTypeVpc, kv...)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Vpc.VpcId)
	}
	ml := mk("10.0.0.0/16", "Name", "ml-prod", "team", "ml")
	web := mk("10.1.0.0/16", "Name", "web-prod", "team", "web")
	bare := mk("192.168.0.0/24")
	assoc, err := f.EC2.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: aws.String(ml), CidrBlock: aws.String("10.2.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	all := []string{def, ml, web, bare}
	sort.Strings(all)
	sorted := func(ids ...string) []string { sort.Strings(ids); return ids }
	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"no filter", nil, all},
		{"cidr", []types.Filter{nameFilter("cidr", "10.1.0.0/16")}, []string{web}},
		{"cidr of a secondary block", []types.Filter{nameFilter("cidr", "10.2.0.0/16")}, nil},
		{"cidr-block-association.cidr-block", []types.Filter{nameFilter("cidr-block-association.cidr-block", "10.2.0.0/16")}, []string{ml}},
		{"cidr-block-association.association-id", []types.Filter{nameFilter("cidr-block-association.association-id", aws.ToString(assoc.CidrBlockAssociation.AssociationId))}, []string{ml}},
		{"cidr-block-association.state", []types.Filter{nameFilter("cidr-block-association.state", "associated")}, all},
		{"is-default true", []types.Filter{nameFilter("is-default", "true")}, []string{def}},
		{"is-default false", []types.Filter{nameFilter("is-default", "false")}, sorted(ml, web, bare)},
		{"isDefault", []types.Filter{nameFilter("isDefault", "true")}, []string{def}},
		{"owner-id", []types.Filter{nameFilter("owner-id", "000000000000")}, all},
		{"state", []types.Filter{nameFilter("state", "available")}, all},
		{"state pending", []types.Filter{nameFilter("state", "pending")}, nil},
		{"vpc-id", []types.Filter{nameFilter("vpc-id", web, bare)}, sorted(web, bare)},
		{"tag:Name exact", []types.Filter{nameFilter("tag:Name", "ml-prod")}, []string{ml}},
		{"tag:Name with *", []types.Filter{nameFilter("tag:Name", "*-prod")}, sorted(ml, web)},
		{"tag:Name with ?", []types.Filter{nameFilter("tag:Name", "?l-prod")}, []string{ml}},
		{"tag:Name is case-sensitive", []types.Filter{nameFilter("tag:Name", "ML-PROD")}, nil},
		{"tag-key", []types.Filter{nameFilter("tag-key", "team")}, sorted(ml, web)},
		{"tag-value", []types.Filter{nameFilter("tag-value", "web")}, []string{web}},
		{"two filters", []types.Filter{nameFilter("tag:team", "ml", "web"), nameFilter("cidr", "10.0.*")}, []string{ml}},
		{"dhcp-options-id wildcard", []types.Filter{nameFilter("dhcp-options-id", "dopt-*")}, all},
		{"ipv6 filter matches nothing", []types.Filter{nameFilter("ipv6-cidr-block-association.ipv6-cidr-block", "*")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			if got := vpcIDs(out.Vpcs); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("DescribeVpcs %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	t.Run("ids", func(t *testing.T) {
		out, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{web, ml, web}})
		if err != nil || strings.Join(vpcIDs(out.Vpcs), " ") != strings.Join(sorted(ml, web), " ") {
			t.Errorf("DescribeVpcs by id = %v (%v), want %s and %s once each", vpcIDs(out.Vpcs), err, ml, web)
		}
		out, err = f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{ml, web}, Filters: []types.Filter{nameFilter("tag:team", "web")}})
		if err != nil || strings.Join(vpcIDs(out.Vpcs), " ") != web {
			t.Errorf("DescribeVpcs by id and filter = %v (%v), want %s", vpcIDs(out.Vpcs), err, web)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name          string
			in            *ec2.DescribeVpcsInput
			code, message string
		}{
			{"an id that does not exist", &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0000000000000000a"}}, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000000a' does not exist"},
			{"two ids that do not exist", &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0000000000000000a", ml, "vpc-0000000000000000b"}},
				"InvalidVpcID.NotFound", "The vpc IDs 'vpc-0000000000000000a, vpc-0000000000000000b' do not exist"},
			{"a malformed id", &ec2.DescribeVpcsInput{VpcIds: []string{"MalformedVpcId"}}, "InvalidVpcID.Malformed", `Invalid id: "MalformedVpcId"`},
			{"an unknown filter", &ec2.DescribeVpcsInput{Filters: []types.Filter{nameFilter("color", "blue")}}, "InvalidParameterValue", "The filter 'color' is invalid"},
			{"a token sagebox did not make", &ec2.DescribeVpcsInput{NextToken: aws.String("!!")}, "InvalidPaginationToken", "Invalid pagination token"},
			{"MaxResults under 5", &ec2.DescribeVpcsInput{MaxResults: aws.Int32(4)}, "InvalidParameterValue", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.EC2.DescribeVpcs(ctx, tc.in)
				wantError(t, "DescribeVpcs with "+tc.name, err, tc.code, tc.message)
			})
		}
	})
	t.Run("pages", func(t *testing.T) {
		mk("10.3.0.0/16") // the region's fifth and last
		var got []string
		pages := 0
		p := ec2.NewDescribeVpcsPaginator(f.EC2, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, v := range out.Vpcs {
				got = append(got, aws.ToString(v.VpcId))
			}
		}
		if pages != 1 || len(got) != 5 || !sort.StringsAreSorted(got) {
			t.Errorf("DescribeVpcs in pages of 5 = %d pages, %v; want one page of all five in id order", pages, got)
		}
	})
}

func TestDeleteVpc(t *testing.T) {
	f := start(t)
	id := f.newVPC(t, "10.0.0.0/16")
	sn := f.newSubnet(t, id, "10.0.0.0/24")
	_, err := f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)})
	wantError(t, "DeleteVpc with a subnet", err, "DependencyViolation", "The vpc '"+id+"' has dependencies and cannot be deleted.")
	if _, err := f.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(sn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteVpc without subnets: %v", err)
	}
	_, err = f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	wantError(t, "DescribeVpcs of the deleted VPC", err, "InvalidVpcID.NotFound", "The vpc ID '"+id+"' does not exist")
	_, err = f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)})
	wantError(t, "DeleteVpc again", err, "InvalidVpcID.NotFound", "The vpc ID '"+id+"' does not exist")
	_, err = f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-nope")})
	wantError(t, "DeleteVpc of a malformed id", err, "InvalidVpcID.Malformed", `Invalid id: "vpc-nope"`)
}

func TestDeleteVpcWaitsForOtherAreasResources(t *testing.T) {
	f := start(t)
	id := f.newVPC(t, "10.0.0.0/16")
	want := "The vpc '" + id + "' has dependencies and cannot be deleted."
	g, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(id), GroupName: aws.String("web"), Description: aws.String("web")})
	if notImplemented(err) {
		t.Skip("CreateSecurityGroup is not implemented yet; TestDeleteVpcRefusesWhileResourcesRemain covers every dependency from inside")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)})
	wantError(t, "DeleteVpc with a security group", err, "DependencyViolation", want)
	if _, err := f.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: g.GroupId}); err != nil {
		t.Fatal(err)
	}
	rt, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(id)})
	if notImplemented(err) {
		t.Skip("CreateRouteTable is not implemented yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)})
	wantError(t, "DeleteVpc with a route table", err, "DependencyViolation", want)
	if _, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteVpc with only its default group and main route table: %v", err)
	}
}

func TestVpcAttributes(t *testing.T) {
	f := start(t)
	id := f.newVPC(t, "10.0.0.0/16")
	attr := func(name types.VpcAttributeName) bool {
		t.Helper()
		out, err := f.EC2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: name})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.VpcId) != id {
			t.Errorf("DescribeVpcAttribute VpcId = %s, want %s", aws.ToString(out.VpcId), id)
		}
		switch name {
		case types.VpcAttributeNameEnableDnsSupport:
			return aws.ToBool(out.EnableDnsSupport.Value)
		case types.VpcAttributeNameEnableDnsHostnames:
			return aws.ToBool(out.EnableDnsHostnames.Value)
		}
		return aws.ToBool(out.EnableNetworkAddressUsageMetrics.Value)
	}
	if !attr(types.VpcAttributeNameEnableDnsSupport) || attr(types.VpcAttributeNameEnableDnsHostnames) || attr(types.VpcAttributeNameEnableNetworkAddressUsageMetrics) {
		t.Fatal("a new VPC's attributes are not DNS support on, DNS hostnames off, address usage metrics off")
	}
	set := func(in *ec2.ModifyVpcAttributeInput) error {
		in.VpcId = aws.String(id)
		_, err := f.EC2.ModifyVpcAttribute(ctx, in)
		return err
	}
	on := &types.AttributeBooleanValue{Value: aws.Bool(true)}
	off := &types.AttributeBooleanValue{Value: aws.Bool(false)}
	if err := set(&ec2.ModifyVpcAttributeInput{EnableDnsHostnames: on}); err != nil || !attr(types.VpcAttributeNameEnableDnsHostnames) {
		t.Errorf("ModifyVpcAttribute enableDnsHostnames=true: %v; want it on", err)
	}
	if err := set(&ec2.ModifyVpcAttributeInput{EnableNetworkAddressUsageMetrics: on}); err != nil || !attr(types.VpcAttributeNameEnableNetworkAddressUsageMetrics) {
		t.Errorf("ModifyVpcAttribute enableNetworkAddressUsageMetrics=true: %v; want it on", err)
	}
	err := set(&ec2.ModifyVpcAttributeInput{EnableDnsHostnames: on, EnableDnsSupport: on})
	wantError(t, "ModifyVpcAttribute with two attributes", err, "InvalidParameterCombination", "Fields for multiple attribute types specified: enableDnsHostnames, enableDnsSupport")
	err = set(&ec2.ModifyVpcAttributeInput{})
	wantError(t, "ModifyVpcAttribute without an attribute", err, "MissingParameter", "")
	if err := set(&ec2.ModifyVpcAttributeInput{EnableDnsHostnames: off}); err != nil {
		t.Fatal(err)
	}
	if err := set(&ec2.ModifyVpcAttributeInput{EnableDnsSupport: off}); err != nil || attr(types.VpcAttributeNameEnableDnsSupport) {
		t.Errorf("ModifyVpcAttribute enableDnsSupport=false: %v; want it off", err)
	}
	err = set(&ec2.ModifyVpcAttributeInput{EnableDnsHostnames: on})
	wantError(t, "enabling DNS hostnames without DNS support", err, "InvalidParameterValue",
		"DNS hostnames cannot be enabled for vpc '"+id+"' while DNS support (enableDnsSupport) is disabled")
	if attr(types.VpcAttributeNameEnableDnsHostnames) {
		t.Error("the refused ModifyVpcAttribute turned DNS hostnames on")
	}
	_, err = f.EC2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String("vpc-0000000000000000a"), EnableDnsSupport: on})
	wantError(t, "ModifyVpcAttribute of a VPC that does not exist", err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000000a' does not exist")
	_, err = f.EC2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String("vpc-0000000000000000a"), Attribute: types.VpcAttributeNameEnableDnsSupport})
	wantError(t, "DescribeVpcAttribute of a VPC that does not exist", err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000000a' does not exist")
	_, err = f.EC2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(id), Attribute: "enableClassicLink"})
	wantError(t, "DescribeVpcAttribute of an unknown attribute", err, "InvalidParameterValue", "")
}

func TestVpcCidrBlocks(t *testing.T) {
	f := start(t)
	id := f.newVPC(t, "10.0.0.0/16")
	assoc := func(cidr string) (*ec2.AssociateVpcCidrBlockOutput, error) {
		return f.EC2.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: aws.String(id), CidrBlock: aws.String(cidr)})
	}
	out, err := assoc("10.1.0.1/16")
	if err != nil {
		t.Fatal(err)
	}
	a := out.CidrBlockAssociation
	if aws.ToString(out.VpcId) != id || aws.ToString(a.CidrBlock) != "10.1.0.0/16" || a.CidrBlockState.State != types.VpcCidrBlockStateCodeAssociating ||
		!strings.HasPrefix(aws.ToString(a.AssociationId), "vpc-cidr-assoc-") {
		t.Errorf("AssociateVpcCidrBlock = %s %s %s, want 10.1.0.0/16 associating", aws.ToString(a.AssociationId), aws.ToString(a.CidrBlock), a.CidrBlockState.State)
	}
	secondary := aws.ToString(a.AssociationId)
	sn := f.newSubnet(t, id, "10.1.2.0/24") // a subnet may use the secondary block
	for _, tc := range []struct {
		name, cidr, code, message string
	}{
		{"an overlap with the primary block", "10.0.128.0/17", "InvalidVpc.Range", "The CIDR '10.0.128.0/17' conflicts with another CIDR block of the VPC (10.0.0.0/16)"},
		{"the same block again", "10.1.0.0/16", "InvalidVpc.Range", "The CIDR '10.1.0.0/16' conflicts with another CIDR block of the VPC (10.1.0.0/16)"},
		{"another RFC 1918 range", "192.168.0.0/16", "InvalidVpc.Range", "The CIDR '192.168.0.0/16' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR. For additional restrictions, see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"},
		{"198.19.0.0/16", "198.19.0.0/16", "InvalidVpc.Range", "The CIDR '198.19.0.0/16' is restricted.…"},
		{"too large", "10.0.0.0/15", "InvalidVpc.Range", "The CIDR '10.0.0.0/15' is invalid."},
		{"too small", "10.9.0.0/29", "InvalidVpc.Range", "The CIDR '10.9.0.0/29' is invalid."},
		{"not a block", "10.9.0.0", "InvalidParameterValue", "Value (10.9.0.0) for parameter cidrBlock is invalid. This is not a valid CIDR block."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assoc(tc.cidr)
			wantError(t, "AssociateVpcCidrBlock "+tc.cidr, err, tc.code, tc.message)
		})
	}
	for _, cidr := range []string{"100.64.0.0/16", "203.0.113.0/24", "10.2.0.0/16"} { // the CGNAT range, a public block, the same range
		if _, err := assoc(cidr); err != nil {
			t.Errorf("AssociateVpcCidrBlock %s: %v", cidr, err)
		}
	}
	_, err = assoc("10.3.0.0/16")
	wantError(t, "a sixth block", err, "CidrLimitExceeded", "This network '"+id+"' has met its maximum number of allowed CIDRs: 5")
	d, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, b := range d.Vpcs[0].CidrBlockAssociationSet {
		blocks = append(blocks, aws.ToString(b.CidrBlock)+" "+string(b.CidrBlockState.State))
	}
	if want := "10.0.0.0/16 associated,10.1.0.0/16 associated,100.64.0.0/16 associated,203.0.113.0/24 associated,10.2.0.0/16 associated"; strings.Join(blocks, ",") != want {
		t.Errorf("the VPC's blocks = %v, want %s", blocks, want)
	}

	primary := aws.ToString(d.Vpcs[0].CidrBlockAssociationSet[0].AssociationId)
	disassoc := func(assoc string) (*ec2.DisassociateVpcCidrBlockOutput, error) {
		return f.EC2.DisassociateVpcCidrBlock(ctx, &ec2.DisassociateVpcCidrBlockInput{AssociationId: aws.String(assoc)})
	}
	_, err = disassoc(primary)
	wantError(t, "DisassociateVpcCidrBlock of the primary block", err, "OperationNotPermitted",
		"The vpc CIDR block with association ID "+primary+" may not be disassociated. It is the primary IPv4 CIDR block of the VPC")
	_, err = disassoc(secondary)
	wantError(t, "DisassociateVpcCidrBlock of a block with a subnet", err, "InvalidCidrBlock.InUse", "The vpc "+id+" currently has a subnet within CIDR block 10.1.0.0/16")
	_, err = disassoc("vpc-cidr-assoc-0000000000000000a")
	wantError(t, "DisassociateVpcCidrBlock of an unknown association", err, "InvalidVpcCidrBlockAssociationID.NotFound",
		"The vpc CIDR block association ID 'vpc-cidr-assoc-0000000000000000a' does not exist")
	if _, err := f.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(sn)}); err != nil {
		t.Fatal(err)
	}
	dis, err := disassoc(secondary)
	if err != nil {
		t.Fatalf("DisassociateVpcCidrBlock without subnets in the block: %v", err)
	}
	if dis.CidrBlockAssociation.CidrBlockState.State != types.VpcCidrBlockStateCodeDisassociating || aws.ToString(dis.VpcId) != id {
		t.Errorf("DisassociateVpcCidrBlock = %s of %s, want disassociating of %s", dis.CidrBlockAssociation.CidrBlockState.State, aws.ToString(dis.VpcId), id)
	}
	_, err = f.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(id), CidrBlock: aws.String("10.1.2.0/24")})
	wantError(t, "CreateSubnet in the disassociated block", err, "InvalidSubnet.Range", "The CIDR '10.1.2.0/24' is invalid.")
	if _, err := assoc("10.3.0.0/16"); err != nil {
		t.Errorf("AssociateVpcCidrBlock once a block went: %v", err)
	}
	_, err = f.EC2.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: aws.String("vpc-0000000000000000a"), CidrBlock: aws.String("10.4.0.0/16")})
	wantError(t, "AssociateVpcCidrBlock of a VPC that does not exist", err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000000a' does not exist")
	_, err = f.EC2.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: aws.String(id), AmazonProvidedIpv6CidrBlock: aws.Bool(true)})
	wantError(t, "AssociateVpcCidrBlock of an IPv6 block", err, "InvalidParameterValue", "IPv6 CIDR blocks are not supported by sagebox: give the VPC an IPv4 CIDR block only")

	// The route tables of the VPC route each block locally.
	tables, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{nameFilter("vpc-id", id)}})
	if notImplemented(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range tables.RouteTables {
		local := map[string]bool{}
		for _, r := range rt.Routes {
			if aws.ToString(r.GatewayId) == "local" {
				local[aws.ToString(r.DestinationCidrBlock)] = true
			}
		}
		if !local["10.0.0.0/16"] || !local["10.3.0.0/16"] || local["10.1.0.0/16"] {
			t.Errorf("route table %s routes locally %v, want the VPC's blocks and not the disassociated one", aws.ToString(rt.RouteTableId), local)
		}
	}
}

// TestDryRunAndDenial runs every operation of the VPC, subnet, zone and tag areas with DryRun as the root user
// (DryRunOperation, nothing changes) and as a user without a policy (UnauthorizedOperation with an encoded
// message), and, for the few operations that have no DryRun member, checks the denial alone.
func TestDryRunAndDenial(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	sn := f.newSubnet(t, vpcID, "10.0.1.0/24")
	assoc, err := f.EC2.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	nobody := f.userClient(t, "nobody", "")
	on := &types.AttributeBooleanValue{Value: aws.Bool(true)}
	for _, tc := range []struct {
		name string
		// call runs the operation with the client; dry is nil for operations without a DryRun member.
		call func(c *ec2.Client, dry *bool) error
		dry  bool
	}{
		{"CreateVpc", func(c *ec2.Client, dry *bool) error {
			_, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.5.0.0/16"), DryRun: dry})
			return err
		}, true},
		{"DeleteVpc", func(c *ec2.Client, dry *bool) error {
			_, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpcID), DryRun: dry})
			return err
		}, true},
		{"DescribeVpcs", func(c *ec2.Client, dry *bool) error {
			_, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{DryRun: dry})
			return err
		}, true},
		{"DescribeVpcAttribute", func(c *ec2.Client, dry *bool) error {
			_, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpcID), Attribute: types.VpcAttributeNameEnableDnsSupport, DryRun: dry})
			return err
		}, true},
		{"ModifyVpcAttribute", func(c *ec2.Client, _ *bool) error {
			_, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpcID), EnableDnsHostnames: on})
			return err
		}, false},
		{"AssociateVpcCidrBlock", func(c *ec2.Client, _ *bool) error {
			_, err := c.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.2.0.0/16")})
			return err
		}, false},
		{"DisassociateVpcCidrBlock", func(c *ec2.Client, _ *bool) error {
			_, err := c.DisassociateVpcCidrBlock(ctx, &ec2.DisassociateVpcCidrBlockInput{AssociationId: assoc.CidrBlockAssociation.AssociationId})
			return err
		}, false},
		{"CreateSubnet", func(c *ec2.Client, dry *bool) error {
			_, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.0.2.0/24"), DryRun: dry})
			return err
		}, true},
		{"DeleteSubnet", func(c *ec2.Client, dry *bool) error {
			_, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(sn), DryRun: dry})
			return err
		}, true},
		{"DescribeSubnets", func(c *ec2.Client, dry *bool) error {
			_, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{DryRun: dry})
			return err
		}, true},
		{"ModifySubnetAttribute", func(c *ec2.Client, _ *bool) error {
			_, err := c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(sn), MapPublicIpOnLaunch: on})
			return err
		}, false},
		{"DescribeAvailabilityZones", func(c *ec2.Client, dry *bool) error {
			_, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{DryRun: dry})
			return err
		}, true},
		{"DescribeRegions", func(c *ec2.Client, dry *bool) error {
			_, err := c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{DryRun: dry})
			return err
		}, true},
		{"CreateTags", func(c *ec2.Client, dry *bool) error {
			_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpcID, sn}, Tags: tags("k", "v"), DryRun: dry})
			return err
		}, true},
		{"DeleteTags", func(c *ec2.Client, dry *bool) error {
			_, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{vpcID}, DryRun: dry})
			return err
		}, true},
		{"DescribeTags", func(c *ec2.Client, dry *bool) error {
			_, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{DryRun: dry})
			return err
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dry *bool
			if tc.dry {
				dry = aws.Bool(true)
				err := tc.call(f.EC2, dry)
				wantError(t, tc.name+" with DryRun as root", err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
			}
			err := tc.call(nobody, dry)
			wantError(t, tc.name+" by a user without a policy", err, "UnauthorizedOperation",
				"You are not authorized to perform this operation. Encoded authorization failure message: …")
		})
	}
	// Nothing changed: the VPC, its subnet and its blocks are as they were, with no tags.
	out, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(out.Vpcs) != 2 {
		t.Fatalf("DescribeVpcs after the DryRun calls = %d VPCs (%v), want 2", len(out.Vpcs), err)
	}
	d, err := f.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	if err != nil || len(d.Vpcs[0].CidrBlockAssociationSet) != 2 || len(d.Vpcs[0].Tags) != 0 {
		t.Errorf("the VPC after the DryRun and denied calls = %+v (%v), want two blocks and no tags", d.Vpcs, err)
	}
	s, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{sn}})
	if err != nil || aws.ToBool(s.Subnets[0].MapPublicIpOnLaunch) {
		t.Errorf("the subnet after the denied ModifySubnetAttribute = %v, want it unchanged", err)
	}
}

func TestVpcAuthorizationByTagsAndResources(t *testing.T) {
	f := start(t)
	denied := "You are not authorized to perform this operation. Encoded authorization failure message: …"
	// Team ml may create VPCs tagged team=ml, delete what team ml owns, and create subnets in them.
	user := f.userClient(t, "ml", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:CreateVpc","Resource":"arn:aws:ec2:us-east-1:000000000000:vpc/*","Condition":{"StringEquals":{"aws:RequestTag/team":"ml"}}},
		{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"StringEquals":{"ec2:CreateAction":["CreateVpc","CreateSubnet"]}}},
		{"Effect":"Allow","Action":["ec2:DeleteVpc","ec2:CreateSubnet"],"Resource":"arn:aws:ec2:*:*:vpc/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ml"}}},
		{"Effect":"Allow","Action":"ec2:CreateSubnet","Resource":"arn:aws:ec2:*:*:subnet/*"},
		{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	out, err := user.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: tagSpec(types.ResourceTypeVpc, "team", "ml")})
	if err != nil {
		t.Fatalf("CreateVpc tagged team=ml: %v", err)
	}
	mine := aws.ToString(out.Vpc.VpcId)
	_, err = user.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16"), TagSpecifications: tagSpec(types.ResourceTypeVpc, "team", "web")})
	wantError(t, "CreateVpc tagged team=web", err, "UnauthorizedOperation", denied)
	_, err = user.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	wantError(t, "CreateVpc without tags", err, "UnauthorizedOperation", denied)
	other := f.newVPC(t, "10.2.0.0/16") // the root user's, untagged

	if _, err := user.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(mine), CidrBlock: aws.String("10.0.1.0/24")}); err != nil {
		t.Errorf("CreateSubnet in team ml's VPC: %v", err)
	}
	_, err = user.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(other), CidrBlock: aws.String("10.2.1.0/24")})
	wantError(t, "CreateSubnet in another VPC: ec2:CreateSubnet is asked on the VPC too", err, "UnauthorizedOperation", denied)
	_, err = user.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(mine), CidrBlock: aws.String("10.0.2.0/24"), TagSpecifications: tagSpec(types.ResourceTypeSubnet, "Name", "x"), DryRun: aws.Bool(true)})
	wantError(t, "CreateSubnet with tags and DryRun", err, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")

	_, err = user.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(other)})
	wantError(t, "DeleteVpc of another VPC", err, "UnauthorizedOperation", denied)
	_, err = user.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-0000000000000000a")})
	wantError(t, "DeleteVpc of a VPC that does not exist: asked on its ARN before NotFound", err, "UnauthorizedOperation", denied)
	_, err = f.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-0000000000000000a")})
	wantError(t, "DeleteVpc of a VPC that does not exist as root", err, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0000000000000000a' does not exist")
	if _, err := user.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Errorf("DescribeVpcs with ec2:Describe*: %v", err)
	}
}
