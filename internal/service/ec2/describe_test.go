package ec2_test

// The Describe calls that share one body (common.go's describe) keep each kind's answer to ids that name nothing:
// some name every missing id, these name only the first the request lists.

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func TestDescribeNamesTheFirstMissingID(t *testing.T) {
	f := start(t)
	const (
		acl1, acl2   = "acl-0000000000000000a", "acl-0000000000000000b"
		rtb1, rtb2   = "rtb-0000000000000000a", "rtb-0000000000000000b"
		igw1, igw2   = "igw-0000000000000000a", "igw-0000000000000000b"
		nat1, nat2   = "nat-0000000000000000a", "nat-0000000000000000b"
		vpce1, vpce2 = "vpce-0000000000000000a", "vpce-0000000000000000b"
	)
	cases := []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"network ACLs", func() error {
			_, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{acl1, acl2}})
			return err
		}, "InvalidNetworkAclID.NotFound", "The networkAcl ID '" + acl1 + "' does not exist"},
		{"route tables", func() error {
			_, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rtb1, rtb2}})
			return err
		}, "InvalidRouteTableID.NotFound", "The routeTable ID '" + rtb1 + "' does not exist"},
		{"internet gateways", func() error {
			_, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{igw1, igw2}})
			return err
		}, "InvalidInternetGatewayID.NotFound", "The internetGateway ID '" + igw1 + "' does not exist"},
		{"NAT gateways", func() error {
			_, err := f.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{nat1, nat2}})
			return err
		}, "NatGatewayNotFound", "NAT gateway " + nat1 + " was not found"},
		{"VPC endpoints", func() error {
			_, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{vpce1, vpce2}})
			return err
		}, "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '" + vpce1 + "' does not exist"},
		// An endpoint id is vetted as it is read: a missing id before a malformed one answers, and the other way.
		{"a missing VPC endpoint before a malformed id", func() error {
			_, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{vpce1, "bad"}})
			return err
		}, "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '" + vpce1 + "' does not exist"},
		{"a malformed VPC endpoint id before a missing one", func() error {
			_, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{"bad", vpce1}})
			return err
		}, "InvalidVpcEndpointId.Malformed", "Invalid Id: 'bad'…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, "Describe with two ids that do not exist", tc.call(), tc.code, tc.message)
		})
	}
}
