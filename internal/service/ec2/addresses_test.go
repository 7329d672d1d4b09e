package ec2_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// documentationRanges are the blocks sagebox draws Elastic IPs from (RFC 5737).
var documentationRanges = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
}

func TestAllocateAddress(t *testing.T) {
	f := start(t)
	out, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc, TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "Name", "nat")})
	if err != nil {
		t.Fatal(err)
	}
	id, ip := aws.ToString(out.AllocationId), aws.ToString(out.PublicIp)
	addr, perr := netip.ParseAddr(ip)
	inRange := false
	for _, p := range documentationRanges {
		inRange = inRange || (perr == nil && p.Contains(addr))
	}
	if !ec2ID.MatchString(id) || !strings.HasPrefix(id, "eipalloc-") || !inRange || out.Domain != types.DomainTypeVpc ||
		aws.ToString(out.PublicIpv4Pool) != "amazon" || aws.ToString(out.NetworkBorderGroup) != "us-east-1" {
		t.Errorf("AllocateAddress = %s %s %s pool %s group %s, want eipalloc-…, an RFC 5737 address, vpc, amazon, us-east-1",
			id, ip, out.Domain, aws.ToString(out.PublicIpv4Pool), aws.ToString(out.NetworkBorderGroup))
	}
	a := gatewayAddress(t, f.EC2, id)
	if aws.ToString(a.PublicIp) != ip || a.Domain != types.DomainTypeVpc || tagMap(a.Tags)["Name"] != "nat" || a.AssociationId != nil {
		t.Errorf("DescribeAddresses(%s) = %+v, want %s, vpc, tagged, unassociated", id, a, ip)
	}
	// Without a Domain, the address is a VPC address all the same (EC2-Classic is retired).
	plain, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Domain != types.DomainTypeVpc || aws.ToString(plain.PublicIp) == ip {
		t.Errorf("AllocateAddress without a domain = %s %s, want vpc and another address than %s", plain.Domain, aws.ToString(plain.PublicIp), ip)
	}
	_, err = f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeStandard})
	wantError(t, "AllocateAddress of an EC2-Classic address", err, "InvalidParameterValue", "Value (standard) for parameter domain is invalid.")
	_, err = f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{NetworkBorderGroup: aws.String("us-west-2")})
	wantError(t, "AllocateAddress in another region's border group", err, "InvalidAddress.NotFound", "The network border group 'us-west-2' is not valid for this region")
	_, err = f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "a", "b")})
	wantError(t, "AllocateAddress tagging another resource type", err, "InvalidParameterValue", "'natgateway' is not a valid taggable resource type for this operation.")
}

func TestAddressQuota(t *testing.T) {
	f := start(t)
	for range 5 {
		gatewayAllocate(t, f.EC2)
	}
	_, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{})
	wantError(t, "a sixth Elastic IP in a region", err, "AddressLimitExceeded", "The maximum number of addresses has been reached.")
	// The quota is per region.
	west := ec2.NewFromConfig(f.Config("test", "test", ""), func(o *ec2.Options) { o.Region = "us-west-2" })
	if _, err := west.AllocateAddress(ctx, &ec2.AllocateAddressInput{}); err != nil {
		t.Errorf("AllocateAddress in another region = %v, want it allocated", err)
	}
}

func TestReleaseAddress(t *testing.T) {
	f := start(t)
	id := gatewayAllocate(t, f.EC2)
	ip := aws.ToString(gatewayAddress(t, f.EC2, id).PublicIp)
	for _, tc := range []struct {
		name          string
		in            *ec2.ReleaseAddressInput
		code, message string
	}{
		{"by its public address", &ec2.ReleaseAddressInput{PublicIp: &ip},
			"InvalidParameterValue", "You must specify an allocation id when releasing a VPC elastic IP address"},
		{"a public address that is not the account's", &ec2.ReleaseAddressInput{PublicIp: aws.String("192.0.2.255")},
			"AuthFailure", "The address '192.0.2.255' does not belong to you."},
		{"an allocation that does not exist", &ec2.ReleaseAddressInput{AllocationId: aws.String("eipalloc-0123456789abcdef0")},
			"InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0123456789abcdef0' does not exist"},
		{"a malformed allocation id", &ec2.ReleaseAddressInput{AllocationId: aws.String("eip-1")},
			"InvalidAllocationID.Malformed", `Invalid id: "eip-1" (expecting "eipalloc-...")`},
		{"nothing", &ec2.ReleaseAddressInput{}, "MissingParameter", "The request must contain the parameter allocationId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.ReleaseAddress(ctx, tc.in)
			wantError(t, "ReleaseAddress "+tc.name, err, tc.code, tc.message)
		})
	}
	if _, err := f.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &id}); err != nil {
		t.Fatal(err)
	}
	_, err := f.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &id})
	wantError(t, "ReleaseAddress of a released address", err, "InvalidAllocationID.NotFound", fmt.Sprintf("The allocation ID '%s' does not exist", id))
}

func TestDescribeAddresses(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	routingIGW(t, f, vpcID)
	tagged, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "team", "ml")})
	if err != nil {
		t.Fatal(err)
	}
	taggedID := aws.ToString(tagged.AllocationId)
	used := gatewayAllocate(t, f.EC2)
	nat, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &used})
	if err != nil {
		t.Fatal(err)
	}
	n := gatewayNAT(t, f.EC2, aws.ToString(nat.NatGateway.NatGatewayId))
	eni, private := aws.ToString(n.NatGatewayAddresses[0].NetworkInterfaceId), aws.ToString(n.NatGatewayAddresses[0].PrivateIp)
	u := gatewayAddress(t, f.EC2, used)
	assoc := aws.ToString(u.AssociationId)
	if !strings.HasPrefix(assoc, "eipassoc-") || aws.ToString(u.NetworkInterfaceId) != eni || aws.ToString(u.PrivateIpAddress) != private ||
		aws.ToString(u.NetworkInterfaceOwnerId) != "000000000000" {
		t.Errorf("the NAT gateway's address = %+v, want it associated with %s at %s", u, eni, private)
	}
	for _, tc := range []struct {
		name string
		in   *ec2.DescribeAddressesInput
		want []string
	}{
		{"everything", &ec2.DescribeAddressesInput{}, []string{taggedID, used}},
		{"by allocation id", &ec2.DescribeAddressesInput{AllocationIds: []string{used}}, []string{used}},
		{"by public address", &ec2.DescribeAddressesInput{PublicIps: []string{aws.ToString(tagged.PublicIp)}}, []string{taggedID}},
		{"allocation-id", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("allocation-id", taggedID)}}, []string{taggedID}},
		{"association-id", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("association-id", assoc)}}, []string{used}},
		{"domain", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("domain", "vpc")}}, []string{taggedID, used}},
		{"network-interface-id", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("network-interface-id", eni)}}, []string{used}},
		{"network-interface-owner-id", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("network-interface-owner-id", "000000000000")}}, []string{used}},
		{"private-ip-address", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("private-ip-address", private)}}, []string{used}},
		{"public-ip", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("public-ip", aws.ToString(u.PublicIp))}}, []string{used}},
		{"network-border-group", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("network-border-group", "us-east-1")}}, []string{taggedID, used}},
		{"tag:team", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("tag:team", "ml")}}, []string{taggedID}},
		{"instance-id", &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("instance-id", "i-*")}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeAddresses(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range out.Addresses {
				got = append(got, aws.ToString(a.AllocationId))
			}
			if !sameSet(got, tc.want) {
				t.Errorf("DescribeAddresses %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	_, err = f.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{"eipalloc-0123456789abcdef0"}})
	wantError(t, "DescribeAddresses of an allocation that does not exist", err, "InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0123456789abcdef0' does not exist")
	_, err = f.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{PublicIps: []string{"203.0.113.254"}})
	wantError(t, "DescribeAddresses of an address the account does not have", err, "InvalidAddress.NotFound", "Address '203.0.113.254' not found.")
	_, err = f.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{nameFilter("colour", "x")}})
	wantError(t, "DescribeAddresses with an unknown filter", err, "InvalidParameterValue", "The filter 'colour' is invalid")
}

func TestAddressesAuthorization(t *testing.T) {
	f := start(t)
	kept, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "keep", "yes")})
	if err != nil {
		t.Fatal(err)
	}
	spare := gatewayAllocate(t, f.EC2)
	// The user may release any address but those tagged keep=yes.
	u := f.userClient(t, "releaser", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:ReleaseAddress","Resource":"*"},
		{"Effect":"Deny","Action":"ec2:ReleaseAddress","Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/keep":"yes"}}}]}`)
	_, err = u.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: kept.AllocationId})
	wantError(t, "ReleaseAddress of a kept address", err, "UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: …")
	if _, err := u.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &spare}); err != nil {
		t.Errorf("ReleaseAddress of a spare address = %v, want it released", err)
	}
	_, err = u.AllocateAddress(ctx, &ec2.AllocateAddressInput{})
	wantError(t, "AllocateAddress without permission", err, "UnauthorizedOperation", "")
	// Tagging on allocation needs ec2:CreateTags too.
	tagger := f.userClient(t, "allocator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:AllocateAddress","Resource":"*"}]}`)
	_, err = tagger.AllocateAddress(ctx, &ec2.AllocateAddressInput{TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "a", "b")})
	wantError(t, "AllocateAddress with tags but without ec2:CreateTags", err, "UnauthorizedOperation", "")
	if _, err := tagger.AllocateAddress(ctx, &ec2.AllocateAddressInput{}); err != nil {
		t.Errorf("AllocateAddress without tags = %v, want it allowed", err)
	}
}
