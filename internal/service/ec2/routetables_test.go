package ec2_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// routingTable describes one route table.
func routingTable(t testing.TB, f *fixture, id string) types.RouteTable {
	t.Helper()
	out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeRouteTables(%s): %v", id, err)
	}
	if len(out.RouteTables) != 1 {
		t.Fatalf("DescribeRouteTables(%s) = %d tables, want 1", id, len(out.RouteTables))
	}
	return out.RouteTables[0]
}

// routingNewTable creates a route table in the VPC and returns its id.
func routingNewTable(t testing.TB, f *fixture, vpcID string) string {
	t.Helper()
	out, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatalf("CreateRouteTable(%s): %v", vpcID, err)
	}
	return aws.ToString(out.RouteTable.RouteTableId)
}

// routingMainTable returns the VPC's main route table.
func routingMainTable(t testing.TB, f *fixture, vpcID string) types.RouteTable {
	t.Helper()
	out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{
		nameFilter("vpc-id", vpcID), nameFilter("association.main", "true"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.RouteTables) != 1 {
		t.Fatalf("DescribeRouteTables main of %s = %d tables, want 1", vpcID, len(out.RouteTables))
	}
	return out.RouteTables[0]
}

// routingRoute returns the table's route to dest, or nil.
func routingRoute(rt types.RouteTable, dest string) *types.Route {
	for i, r := range rt.Routes {
		if aws.ToString(r.DestinationCidrBlock) == dest || aws.ToString(r.DestinationPrefixListId) == dest {
			return &rt.Routes[i]
		}
	}
	return nil
}

// routingIGW creates an internet gateway, attaches it to the VPC and returns its id.
func routingIGW(t testing.TB, f *fixture, vpcID string) string {
	t.Helper()
	out, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.InternetGateway.InternetGatewayId)
	if _, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &id, VpcId: &vpcID}); err != nil {
		t.Fatalf("AttachInternetGateway(%s, %s): %v", id, vpcID, err)
	}
	return id
}

// routingPrivateNAT creates a private NAT gateway in the subnet and returns it and its interface.
func routingPrivateNAT(t testing.TB, f *fixture, subnetID string) (natID, eniID string) {
	t.Helper()
	out, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, ConnectivityType: types.ConnectivityTypePrivate})
	if err != nil {
		t.Fatalf("CreateNatGateway private in %s: %v", subnetID, err)
	}
	n := out.NatGateway
	if len(n.NatGatewayAddresses) != 1 {
		t.Fatalf("CreateNatGateway private = %d addresses, want 1", len(n.NatGatewayAddresses))
	}
	return aws.ToString(n.NatGatewayId), aws.ToString(n.NatGatewayAddresses[0].NetworkInterfaceId)
}

// serverFault reports whether err is a fault of the server (a 5xx or an internal failure) rather than an answer.
func serverFault(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "InternalFailure" || ae.ErrorCode() == "InternalError")
}

func TestRouteTableLifecycle(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	out, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{
		VpcId: &vpcID, TagSpecifications: tagSpec(types.ResourceTypeRouteTable, "Name", "private"),
	})
	if err != nil {
		t.Fatal(err)
	}
	rt := out.RouteTable
	id := aws.ToString(rt.RouteTableId)
	if !ec2ID.MatchString(id) || !strings.HasPrefix(id, "rtb-") {
		t.Errorf("RouteTableId = %q, want rtb- and 17 hex digits", id)
	}
	if aws.ToString(rt.VpcId) != vpcID || aws.ToString(rt.OwnerId) != "000000000000" || tagMap(rt.Tags)["Name"] != "private" {
		t.Errorf("CreateRouteTable = vpc %s, owner %s, tags %v; want %s, 000000000000, Name=private",
			aws.ToString(rt.VpcId), aws.ToString(rt.OwnerId), tagMap(rt.Tags), vpcID)
	}
	if len(rt.Associations) != 0 {
		t.Errorf("a new table's associations = %+v, want none", rt.Associations)
	}
	if len(rt.Routes) != 1 {
		t.Fatalf("a new table's routes = %+v, want the local route only", rt.Routes)
	}
	local := rt.Routes[0]
	if aws.ToString(local.DestinationCidrBlock) != "10.0.0.0/16" || aws.ToString(local.GatewayId) != "local" ||
		local.Origin != types.RouteOriginCreateRouteTable || local.State != types.RouteStateActive {
		t.Errorf("the local route = %s → %s, %s, %s; want 10.0.0.0/16 → local, CreateRouteTable, active",
			aws.ToString(local.DestinationCidrBlock), aws.ToString(local.GatewayId), local.Origin, local.State)
	}
	if got := routingTable(t, f, id); aws.ToString(got.RouteTableId) != id || len(got.Routes) != 1 {
		t.Errorf("DescribeRouteTables(%s) = %+v, want the table with its local route", id, got)
	}
	main := routingMainTable(t, f, vpcID)
	if len(main.Associations) != 1 || !aws.ToBool(main.Associations[0].Main) || main.Associations[0].SubnetId != nil ||
		main.Associations[0].AssociationState.State != types.RouteTableAssociationStateCodeAssociated ||
		!strings.HasPrefix(aws.ToString(main.Associations[0].RouteTableAssociationId), "rtbassoc-") {
		t.Errorf("the main table's associations = %+v, want one main association, associated", main.Associations)
	}
	if _, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &id}); err != nil {
		t.Fatalf("DeleteRouteTable(%s): %v", id, err)
	}
	_, err = f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{id}})
	wantError(t, "DescribeRouteTables of a deleted table", err, "InvalidRouteTableID.NotFound", fmt.Sprintf("The routeTable ID '%s' does not exist", id))
}

func TestRouteTableRefusals(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	main := aws.ToString(routingMainTable(t, f, vpcID).RouteTableId)
	used := routingNewTable(t, f, vpcID)
	if _, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &used, SubnetId: &subnetID}); err != nil {
		t.Fatal(err)
	}
	missing := "rtb-0123456789abcdef0"
	for _, tc := range []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"create in a VPC that does not exist", func() error {
			_, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String("vpc-0123456789abcdef0")})
			return err
		}, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"},
		{"create with a malformed VPC id", func() error {
			_, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String("subnet-1")})
			return err
		}, "InvalidVpcID.Malformed", `Invalid id: "subnet-1" (expecting "vpc-...")`},
		{"create tagging another resource type", func() error {
			_, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &vpcID, TagSpecifications: tagSpec(types.ResourceTypeVpc, "a", "b")})
			return err
		}, "InvalidParameterValue", "'vpc' is not a valid taggable resource type for this operation."},
		{"delete a table that does not exist", func() error {
			_, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &missing})
			return err
		}, "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist"},
		{"delete with a malformed id", func() error {
			_, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String("igw-1")})
			return err
		}, "InvalidRouteTableId.Malformed", `Invalid id: "igw-1" (expecting "rtb-...")`},
		{"delete the main table", func() error {
			_, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &main})
			return err
		}, "DependencyViolation", fmt.Sprintf("The routeTable '%s' has dependencies and cannot be deleted.", main)},
		{"delete a table a subnet uses", func() error {
			_, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &used})
			return err
		}, "DependencyViolation", fmt.Sprintf("The routeTable '%s' has dependencies and cannot be deleted.", used)},
		{"describe a table that does not exist", func() error {
			_, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{main, missing}})
			return err
		}, "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist"},
		{"describe with an unknown filter", func() error {
			_, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{nameFilter("route.colour", "blue")}})
			return err
		}, "InvalidParameterValue", "The filter 'route.colour' is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message)
		})
	}
	if _, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &main}); err == nil {
		t.Error("the main route table was deleted, want it kept")
	}
}

func TestRoutes(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	f.newSubnet(t, vpcID, "10.0.2.0/24")
	igwID := routingIGW(t, f, vpcID)
	natID, eniID := routingPrivateNAT(t, f, subnetID)
	rtID := routingNewTable(t, f, vpcID)

	create := func(in ec2.CreateRouteInput) error {
		in.RouteTableId = &rtID
		_, err := f.EC2.CreateRoute(ctx, &in)
		return err
	}
	replace := func(in ec2.ReplaceRouteInput) error {
		in.RouteTableId = &rtID
		_, err := f.EC2.ReplaceRoute(ctx, &in)
		return err
	}
	if err := create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID}); err != nil {
		t.Fatalf("CreateRoute 0.0.0.0/0 → %s: %v", igwID, err)
	}
	wantError(t, "CreateRoute of the same route again", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID}),
		"RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.")
	// AWS stores the canonical block: 100.68.0.18/18 is 100.68.0.0/18.
	if err := create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("100.68.0.18/18"), NatGatewayId: &natID}); err != nil {
		t.Fatalf("CreateRoute 100.68.0.18/18 → %s: %v", natID, err)
	}
	// A route more specific than the local route may name a whole subnet of the VPC, through a NAT gateway.
	if err := create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("10.0.2.0/24"), NatGatewayId: &natID}); err != nil {
		t.Errorf("CreateRoute to a subnet's block through a NAT gateway = %v, want it made", err)
	}
	rt := routingTable(t, f, rtID)
	if len(rt.Routes) != 4 {
		t.Errorf("routes = %d, want the local route and 3 made", len(rt.Routes))
	}
	if r := routingRoute(rt, "0.0.0.0/0"); r == nil || aws.ToString(r.GatewayId) != igwID || r.Origin != types.RouteOriginCreateRoute || r.State != types.RouteStateActive {
		t.Errorf("the route to 0.0.0.0/0 = %+v, want %s, CreateRoute, active", r, igwID)
	}
	if r := routingRoute(rt, "100.68.0.0/18"); r == nil || aws.ToString(r.NatGatewayId) != natID {
		t.Errorf("the route made for 100.68.0.18/18 = %+v, want 100.68.0.0/18 through %s", r, natID)
	}

	for _, tc := range []struct {
		name          string
		err           error
		code, message string
	}{
		{"a route to the same destination with another target",
			create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: &natID}),
			"RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists."},
		{"a route to the VPC's own block",
			create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("10.0.0.0/16"), GatewayId: &igwID}),
			"InvalidParameterValue", "Route target is not supported. This route only supports interface and instance targets."},
		{"a route inside the VPC through the internet gateway",
			create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("10.0.1.0/24"), GatewayId: &igwID}),
			"InvalidParameterValue", "The destination CIDR block 10.0.1.0/24 is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance."},
		{"a route inside the VPC that is no subnet's block",
			create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("10.0.2.0/25"), NatGatewayId: &natID}),
			"InvalidParameterValue", "The destination CIDR block 10.0.2.0/25 is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance."},
		{"no destination", create(ec2.CreateRouteInput{GatewayId: &igwID}),
			"MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock"},
		{"two destinations", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), DestinationPrefixListId: aws.String("pl-63a5400a"), GatewayId: &igwID}),
			"InvalidParameterCombination", "The parameter destinationCidrBlock cannot be used with the parameter destinationPrefixListId"},
		{"a destination that is no block", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("10.0.0.0/33"), GatewayId: &igwID}),
			"InvalidParameterValue", "Value (10.0.0.0/33) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."},
		{"an address for a destination", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.2.3.4"), GatewayId: &igwID}),
			"InvalidParameterValue", "Value (1.2.3.4) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."},
		{"no target", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8")}),
			"MissingParameter", "The request must contain exactly one of …"},
		{"two targets", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), GatewayId: &igwID, NatGatewayId: &natID}),
			"InvalidParameterCombination", "The parameter gatewayId cannot be used with the parameter natGatewayId"},
		{"an internet gateway that does not exist", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), GatewayId: aws.String("igw-0123456789abcdef0")}),
			"InvalidGatewayID.NotFound", "The gateway ID 'igw-0123456789abcdef0' does not exist"},
		{"a NAT gateway named as a gateway", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), GatewayId: &natID}),
			"InvalidGatewayID.NotFound", fmt.Sprintf("The gateway ID '%s' does not exist", natID)},
		{"a NAT gateway that does not exist", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), NatGatewayId: aws.String("nat-0123456789abcdef0")}),
			"InvalidNatGatewayID.NotFound", "The natGateway ID 'nat-0123456789abcdef0' does not exist"},
		{"an interface that does not exist", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), NetworkInterfaceId: aws.String("eni-0123456789abcdef0")}),
			"InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist"},
		{"an instance", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), InstanceId: aws.String("i-0123456789abcdef0")}),
			"InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"},
		{"a peering connection", create(ec2.CreateRouteInput{DestinationCidrBlock: aws.String("1.0.0.0/8"), VpcPeeringConnectionId: aws.String("pcx-0123456789abcdef0")}),
			"InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID 'pcx-0123456789abcdef0' does not exist"},
		{"a table that does not exist", func() error {
			_, err := f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String("rtb-0123456789abcdef0"), DestinationCidrBlock: aws.String("1.0.0.0/8"), GatewayId: &igwID})
			return err
		}(), "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist"},
		{"replacing a route that does not exist", replace(ec2.ReplaceRouteInput{DestinationCidrBlock: aws.String("192.168.0.0/16"), GatewayId: &igwID}),
			"InvalidParameterValue", "There is no route defined for '192.168.0.0/16' in the route table. Use CreateRoute instead."},
		{"replacing the local route's target with an internet gateway", replace(ec2.ReplaceRouteInput{DestinationCidrBlock: aws.String("10.0.0.0/16"), GatewayId: &igwID}),
			"InvalidParameterValue", "Route target is not supported. This route only supports interface and instance targets."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.err, tc.code, tc.message)
		})
	}

	t.Run("replace a route's target", func(t *testing.T) {
		if err := replace(ec2.ReplaceRouteInput{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: &natID}); err != nil {
			t.Fatal(err)
		}
		r := routingRoute(routingTable(t, f, rtID), "0.0.0.0/0")
		if r == nil || aws.ToString(r.NatGatewayId) != natID || r.GatewayId != nil || r.Origin != types.RouteOriginCreateRoute {
			t.Errorf("the replaced route = %+v, want 0.0.0.0/0 through %s alone, still CreateRoute", r, natID)
		}
	})
	t.Run("replace the local route's target with an interface and restore it", func(t *testing.T) {
		if err := replace(ec2.ReplaceRouteInput{DestinationCidrBlock: aws.String("10.0.0.0/16"), NetworkInterfaceId: &eniID}); err != nil {
			t.Fatal(err)
		}
		r := routingRoute(routingTable(t, f, rtID), "10.0.0.0/16")
		if r == nil || aws.ToString(r.NetworkInterfaceId) != eniID || r.Origin != types.RouteOriginCreateRouteTable {
			t.Errorf("the local route after ReplaceRoute = %+v, want it through %s", r, eniID)
		}
		if err := replace(ec2.ReplaceRouteInput{DestinationCidrBlock: aws.String("10.0.0.0/16"), LocalTarget: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		r = routingRoute(routingTable(t, f, rtID), "10.0.0.0/16")
		if r == nil || aws.ToString(r.GatewayId) != "local" || r.NetworkInterfaceId != nil {
			t.Errorf("the local route after LocalTarget = %+v, want it local again", r)
		}
	})
	t.Run("delete routes", func(t *testing.T) {
		_, err := f.EC2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtID, DestinationCidrBlock: aws.String("10.0.0.0/16")})
		wantError(t, "DeleteRoute of the local route", err, "InvalidParameterValue", fmt.Sprintf("cannot remove local route 10.0.0.0/16 in route table %s", rtID))
		_, err = f.EC2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtID, DestinationCidrBlock: aws.String("192.168.0.0/16")})
		wantError(t, "DeleteRoute of a route that does not exist", err, "InvalidRoute.NotFound",
			fmt.Sprintf("no route with destination-cidr-block 192.168.0.0/16 in route table %s", rtID))
		if _, err := f.EC2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0")}); err != nil {
			t.Fatal(err)
		}
		if r := routingRoute(routingTable(t, f, rtID), "0.0.0.0/0"); r != nil {
			t.Errorf("the route to 0.0.0.0/0 after DeleteRoute = %+v, want it gone", r)
		}
	})
	t.Run("a target in another VPC", func(t *testing.T) {
		other := f.newVPC(t, "10.9.0.0/16")
		otherTable := routingNewTable(t, f, other)
		_, err := f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &otherTable, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID})
		wantError(t, "CreateRoute to another VPC's internet gateway", err, "InvalidParameterValue",
			fmt.Sprintf("route table %s and network gateway %s belong to different networks", otherTable, igwID))
		_, err = f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &otherTable, DestinationCidrBlock: aws.String("0.0.0.0/0"), NetworkInterfaceId: &eniID})
		wantError(t, "CreateRoute to another VPC's interface", err, "InvalidParameterValue",
			fmt.Sprintf("route table %s and interface %s belong to different networks", otherTable, eniID))
		detached, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &otherTable, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: detached.InternetGateway.InternetGatewayId})
		wantError(t, "CreateRoute to a detached internet gateway", err, "InvalidParameterValue",
			fmt.Sprintf("route table %s and network gateway %s belong to different networks", otherTable, aws.ToString(detached.InternetGateway.InternetGatewayId)))
	})
}

func TestRouteBlackholes(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	igwID := routingIGW(t, f, vpcID)
	natID, _ := routingPrivateNAT(t, f, subnetID)
	rtID := routingNewTable(t, f, vpcID)
	for _, in := range []*ec2.CreateRouteInput{
		{RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID},
		{RouteTableId: &rtID, DestinationCidrBlock: aws.String("192.168.0.0/16"), NatGatewayId: &natID},
	} {
		if _, err := f.EC2.CreateRoute(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	states := func() (igw, nat types.RouteState) {
		rt := routingTable(t, f, rtID)
		return routingRoute(rt, "0.0.0.0/0").State, routingRoute(rt, "192.168.0.0/16").State
	}
	if igw, nat := states(); igw != types.RouteStateActive || nat != types.RouteStateActive {
		t.Errorf("route states = %s, %s; want both active", igw, nat)
	}
	if _, err := f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &igwID, VpcId: &vpcID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: &natID}); err != nil {
		t.Fatal(err)
	}
	if igw, nat := states(); igw != types.RouteStateBlackhole || nat != types.RouteStateBlackhole {
		t.Errorf("route states after the gateways went = %s, %s; want both blackhole", igw, nat)
	}
	out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{nameFilter("route.state", "blackhole")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.RouteTables) != 1 || aws.ToString(out.RouteTables[0].RouteTableId) != rtID {
		t.Errorf("DescribeRouteTables route.state=blackhole = %d tables, want %s alone", len(out.RouteTables), rtID)
	}
	// A blackhole route can be deleted, or pointed somewhere that works again.
	if _, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &igwID, VpcId: &vpcID}); err != nil {
		t.Fatal(err)
	}
	if igw, _ := states(); igw != types.RouteStateActive {
		t.Errorf("the route to the reattached internet gateway = %s, want active", igw)
	}
}

func TestRouteTableAssociations(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	otherVPC := f.newVPC(t, "10.1.0.0/16")
	otherSubnet := f.newSubnet(t, otherVPC, "10.1.1.0/24")
	rtA, rtB := routingNewTable(t, f, vpcID), routingNewTable(t, f, vpcID)

	out, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtA, SubnetId: &subnetID})
	if err != nil {
		t.Fatal(err)
	}
	assoc := aws.ToString(out.AssociationId)
	if !strings.HasPrefix(assoc, "rtbassoc-") || out.AssociationState.State != types.RouteTableAssociationStateCodeAssociated {
		t.Errorf("AssociateRouteTable = %s, %s; want rtbassoc-… associated", assoc, out.AssociationState.State)
	}
	got := routingTable(t, f, rtA)
	if len(got.Associations) != 1 || aws.ToString(got.Associations[0].SubnetId) != subnetID || aws.ToBool(got.Associations[0].Main) ||
		aws.ToString(got.Associations[0].RouteTableAssociationId) != assoc || aws.ToString(got.Associations[0].RouteTableId) != rtA {
		t.Errorf("the table's associations = %+v, want %s with %s", got.Associations, assoc, subnetID)
	}
	main := routingMainTable(t, f, vpcID)
	mainAssoc := aws.ToString(main.Associations[0].RouteTableAssociationId)
	for _, tc := range []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"a subnet already associated", func() error {
			_, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtB, SubnetId: &subnetID})
			return err
		}, "Resource.AlreadyAssociated", fmt.Sprintf("the specified association for route table %s conflicts with an existing association", rtB)},
		{"a subnet of another VPC", func() error {
			_, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtB, SubnetId: &otherSubnet})
			return err
		}, "InvalidParameterValue", fmt.Sprintf("route table %s and subnet %s belong to different networks", rtB, otherSubnet)},
		{"a subnet that does not exist", func() error {
			_, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtB, SubnetId: aws.String("subnet-0123456789abcdef0")})
			return err
		}, "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"},
		{"a table that does not exist", func() error {
			_, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String("rtb-0123456789abcdef0"), SubnetId: &subnetID})
			return err
		}, "InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist"},
		{"disassociating an association that does not exist", func() error {
			_, err := f.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: aws.String("rtbassoc-0123456789abcdef0")})
			return err
		}, "InvalidAssociationID.NotFound", "The association ID 'rtbassoc-0123456789abcdef0' does not exist"},
		{"disassociating the main association", func() error {
			_, err := f.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: &mainAssoc})
			return err
		}, "InvalidParameterValue", "cannot disassociate the main route table association " + mainAssoc},
		{"replacing an association that does not exist", func() error {
			_, err := f.EC2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: aws.String("rtbassoc-0123456789abcdef0"), RouteTableId: &rtB})
			return err
		}, "InvalidAssociationID.NotFound", "The association ID 'rtbassoc-0123456789abcdef0' does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message)
		})
	}

	t.Run("replace a subnet's association", func(t *testing.T) {
		out, err := f.EC2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: &assoc, RouteTableId: &rtB})
		if err != nil {
			t.Fatal(err)
		}
		assoc = aws.ToString(out.NewAssociationId)
		if len(routingTable(t, f, rtA).Associations) != 0 {
			t.Errorf("%s still has associations after the subnet moved", rtA)
		}
		if got := routingTable(t, f, rtB); len(got.Associations) != 1 || aws.ToString(got.Associations[0].RouteTableAssociationId) != assoc {
			t.Errorf("%s's associations = %+v, want %s", rtB, got.Associations, assoc)
		}
	})
	t.Run("disassociate", func(t *testing.T) {
		if _, err := f.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: &assoc}); err != nil {
			t.Fatal(err)
		}
		if len(routingTable(t, f, rtB).Associations) != 0 {
			t.Errorf("%s still has the association after DisassociateRouteTable", rtB)
		}
		if _, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &rtB}); err != nil {
			t.Errorf("DeleteRouteTable of a table whose subnet left = %v, want it deleted", err)
		}
	})
	t.Run("make another table the main one", func(t *testing.T) {
		oldMain := aws.ToString(main.RouteTableId)
		out, err := f.EC2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: &mainAssoc, RouteTableId: &rtA})
		if err != nil {
			t.Fatal(err)
		}
		now := routingMainTable(t, f, vpcID)
		if aws.ToString(now.RouteTableId) != rtA || aws.ToString(now.Associations[0].RouteTableAssociationId) != aws.ToString(out.NewAssociationId) {
			t.Errorf("the main table = %s, want %s with the new association %s", aws.ToString(now.RouteTableId), rtA, aws.ToString(out.NewAssociationId))
		}
		_, err = f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &rtA})
		wantError(t, "DeleteRouteTable of the new main table", err, "DependencyViolation", fmt.Sprintf("The routeTable '%s' has dependencies and cannot be deleted.", rtA))
		if _, err := f.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &oldMain}); err != nil {
			t.Errorf("DeleteRouteTable of the former main table = %v, want it deleted", err)
		}
		otherTable := routingNewTable(t, f, otherVPC)
		_, err = f.EC2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: out.NewAssociationId, RouteTableId: &otherTable})
		wantError(t, "moving a VPC's main association to another VPC's table", err, "InvalidParameterValue", "route table "+otherTable+" and …")
	})
	t.Run("a deleted subnet leaves no association", func(t *testing.T) {
		sn := f.newSubnet(t, vpcID, "10.0.9.0/24")
		if _, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtA, SubnetId: &sn}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: &sn}); err != nil {
			t.Fatal(err)
		}
		for _, a := range routingTable(t, f, rtA).Associations {
			if aws.ToString(a.SubnetId) == sn {
				t.Errorf("the association of the deleted subnet %s is still shown", sn)
			}
		}
	})
}

func TestDescribeRouteTablesFilters(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	igwID := routingIGW(t, f, vpcID)
	natID, _ := routingPrivateNAT(t, f, subnetID)
	main := aws.ToString(routingMainTable(t, f, vpcID).RouteTableId)
	public, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &vpcID, TagSpecifications: tagSpec(types.ResourceTypeRouteTable, "Name", "public", "tier", "web")})
	if err != nil {
		t.Fatal(err)
	}
	pub := aws.ToString(public.RouteTable.RouteTableId)
	private := routingNewTable(t, f, vpcID)
	if _, err := f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &pub, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &private, DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: &natID}); err != nil {
		t.Fatal(err)
	}
	assoc, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &private, SubnetId: &subnetID})
	if err != nil {
		t.Fatal(err)
	}
	inVPC := nameFilter("vpc-id", vpcID)
	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"vpc-id", []types.Filter{inVPC}, []string{main, pub, private}},
		{"route-table-id", []types.Filter{nameFilter("route-table-id", pub)}, []string{pub}},
		{"association.main true", []types.Filter{inVPC, nameFilter("association.main", "true")}, []string{main}},
		{"association.main false", []types.Filter{inVPC, nameFilter("association.main", "false")}, []string{private}},
		{"association.subnet-id", []types.Filter{nameFilter("association.subnet-id", subnetID)}, []string{private}},
		{"association.route-table-association-id", []types.Filter{nameFilter("association.route-table-association-id", aws.ToString(assoc.AssociationId))}, []string{private}},
		{"association.route-table-id", []types.Filter{nameFilter("association.route-table-id", private)}, []string{private}},
		{"route.gateway-id", []types.Filter{nameFilter("route.gateway-id", igwID)}, []string{pub}},
		{"route.gateway-id local", []types.Filter{inVPC, nameFilter("route.gateway-id", "local")}, []string{main, pub, private}},
		{"route.nat-gateway-id", []types.Filter{nameFilter("route.nat-gateway-id", natID)}, []string{private}},
		{"route.destination-cidr-block", []types.Filter{inVPC, nameFilter("route.destination-cidr-block", "0.0.0.0/0")}, []string{pub, private}},
		{"route.origin", []types.Filter{inVPC, nameFilter("route.origin", "CreateRoute")}, []string{pub, private}},
		{"route.state", []types.Filter{inVPC, nameFilter("route.state", "active")}, []string{main, pub, private}},
		{"owner-id", []types.Filter{inVPC, nameFilter("owner-id", "000000000000")}, []string{main, pub, private}},
		{"tag:Name", []types.Filter{nameFilter("tag:Name", "public")}, []string{pub}},
		{"tag-key with a wildcard", []types.Filter{nameFilter("tag-key", "ti*")}, []string{pub}},
		{"tag-value", []types.Filter{nameFilter("tag-value", "web")}, []string{pub}},
		{"two values of a filter", []types.Filter{nameFilter("route-table-id", pub, private)}, []string{pub, private}},
		{"nothing matches", []types.Filter{nameFilter("route-table-id", "rtb-0123456789abcdef0")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rt := range out.RouteTables {
				got = append(got, aws.ToString(rt.RouteTableId))
			}
			if !sameSet(got, tc.want) {
				t.Errorf("DescribeRouteTables %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		for range 4 {
			routingNewTable(t, f, vpcID)
		}
		var seen []string
		var token *string
		pages := 0
		for {
			out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{inVPC}, MaxResults: aws.Int32(5), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, rt := range out.RouteTables {
				seen = append(seen, aws.ToString(rt.RouteTableId))
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		if pages != 2 || len(seen) != 7 || !sameSet(seen, dedupe(seen)) {
			t.Errorf("DescribeRouteTables in pages of 5 = %d pages, %d tables (%v), want 2 pages of 7 distinct tables", pages, len(seen), seen)
		}
		_, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{NextToken: aws.String("%%%")})
		wantError(t, "DescribeRouteTables with a token sagebox did not make", err, "InvalidPaginationToken", "")
	})
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func TestRouteTablesAuthorization(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	igwID := routingIGW(t, f, vpcID)
	mine, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &vpcID, TagSpecifications: tagSpec(types.ResourceTypeRouteTable, "team", "ml")})
	if err != nil {
		t.Fatal(err)
	}
	mineID := aws.ToString(mine.RouteTable.RouteTableId)
	theirs := routingNewTable(t, f, vpcID)
	// The user may change routes of the team's tables only, and describe everything.
	u := f.userClient(t, "router", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ec2:CreateRoute","ec2:DeleteRoute"],"Resource":"arn:aws:ec2:us-east-1:000000000000:route-table/*",
		 "Condition":{"StringEquals":{"ec2:ResourceTag/team":"ml"}}},
		{"Effect":"Allow","Action":"ec2:DescribeRouteTables","Resource":"*"}]}`)
	if _, err := u.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &mineID, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID}); err != nil {
		t.Errorf("CreateRoute on the team's table = %v, want it allowed", err)
	}
	_, err = u.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &theirs, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID})
	wantError(t, "CreateRoute on another table", err, "UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: …")
	if r := routingRoute(routingTable(t, f, theirs), "0.0.0.0/0"); r != nil {
		t.Errorf("the denied CreateRoute made a route: %+v", r)
	}
	_, err = u.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &vpcID})
	wantError(t, "CreateRouteTable without permission", err, "UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: …")
	// A table that does not exist is answered as not found only to whom may act on it.
	_, err = u.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String("rtb-0123456789abcdef0"), DestinationCidrBlock: aws.String("0.0.0.0/0")})
	wantError(t, "DeleteRoute of a table that does not exist, by a user allowed only tagged tables", err, "UnauthorizedOperation", "")
	if _, err := u.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{}); err != nil {
		t.Errorf("DescribeRouteTables = %v, want it allowed on *", err)
	}
}

// TestRoutingDryRun runs every write operation of route tables, gateways, addresses and network ACLs with DryRun:
// allowed (root) they answer DryRunOperation and change nothing; denied (a user without policies) they answer
// UnauthorizedOperation.
func TestRoutingDryRun(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	igwID := routingIGW(t, f, vpcID)
	natID, _ := routingPrivateNAT(t, f, subnetID)
	rtID := routingNewTable(t, f, vpcID)
	main := routingMainTable(t, f, vpcID)
	mainAssoc := main.Associations[0].RouteTableAssociationId
	eip, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{})
	if err != nil {
		t.Fatal(err)
	}
	acl, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &vpcID})
	if err != nil {
		t.Fatal(err)
	}
	aclID := acl.NetworkAcl.NetworkAclId
	acls, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{nameFilter("association.subnet-id", subnetID)}})
	if err != nil {
		t.Fatal(err)
	}
	aclAssoc := acls.NetworkAcls[0].Associations[0].NetworkAclAssociationId
	free, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	freeID := free.InternetGateway.InternetGatewayId
	dry := aws.Bool(true)
	ops := []struct {
		name string
		call func(c *ec2.Client) error
	}{
		{"CreateRouteTable", func(c *ec2.Client) error {
			_, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{DryRun: dry, VpcId: &vpcID})
			return err
		}},
		{"DeleteRouteTable", func(c *ec2.Client) error {
			_, err := c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{DryRun: dry, RouteTableId: &rtID})
			return err
		}},
		{"DescribeRouteTables", func(c *ec2.Client) error {
			_, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{DryRun: dry})
			return err
		}},
		{"CreateRoute", func(c *ec2.Client) error {
			_, err := c.CreateRoute(ctx, &ec2.CreateRouteInput{DryRun: dry, RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID})
			return err
		}},
		{"ReplaceRoute", func(c *ec2.Client) error {
			_, err := c.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{DryRun: dry, RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &igwID})
			return err
		}},
		{"DeleteRoute", func(c *ec2.Client) error {
			_, err := c.DeleteRoute(ctx, &ec2.DeleteRouteInput{DryRun: dry, RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0")})
			return err
		}},
		{"AssociateRouteTable", func(c *ec2.Client) error {
			_, err := c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{DryRun: dry, RouteTableId: &rtID, SubnetId: &subnetID})
			return err
		}},
		{"DisassociateRouteTable", func(c *ec2.Client) error {
			_, err := c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{DryRun: dry, AssociationId: mainAssoc})
			return err
		}},
		{"ReplaceRouteTableAssociation", func(c *ec2.Client) error {
			_, err := c.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{DryRun: dry, AssociationId: mainAssoc, RouteTableId: &rtID})
			return err
		}},
		{"CreateInternetGateway", func(c *ec2.Client) error {
			_, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{DryRun: dry})
			return err
		}},
		{"AttachInternetGateway", func(c *ec2.Client) error {
			_, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{DryRun: dry, InternetGatewayId: freeID, VpcId: &vpcID})
			return err
		}},
		{"DetachInternetGateway", func(c *ec2.Client) error {
			_, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{DryRun: dry, InternetGatewayId: &igwID, VpcId: &vpcID})
			return err
		}},
		{"DeleteInternetGateway", func(c *ec2.Client) error {
			_, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{DryRun: dry, InternetGatewayId: freeID})
			return err
		}},
		{"DescribeInternetGateways", func(c *ec2.Client) error {
			_, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{DryRun: dry})
			return err
		}},
		{"CreateNatGateway", func(c *ec2.Client) error {
			_, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{DryRun: dry, SubnetId: &subnetID, AllocationId: eip.AllocationId})
			return err
		}},
		{"DeleteNatGateway", func(c *ec2.Client) error {
			_, err := c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{DryRun: dry, NatGatewayId: &natID})
			return err
		}},
		{"DescribeNatGateways", func(c *ec2.Client) error {
			_, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{DryRun: dry})
			return err
		}},
		{"AllocateAddress", func(c *ec2.Client) error {
			_, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{DryRun: dry})
			return err
		}},
		{"ReleaseAddress", func(c *ec2.Client) error {
			_, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{DryRun: dry, AllocationId: eip.AllocationId})
			return err
		}},
		{"DescribeAddresses", func(c *ec2.Client) error {
			_, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{DryRun: dry})
			return err
		}},
		{"CreateNetworkAcl", func(c *ec2.Client) error {
			_, err := c.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{DryRun: dry, VpcId: &vpcID})
			return err
		}},
		{"DeleteNetworkAcl", func(c *ec2.Client) error {
			_, err := c.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{DryRun: dry, NetworkAclId: aclID})
			return err
		}},
		{"DescribeNetworkAcls", func(c *ec2.Client) error {
			_, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{DryRun: dry})
			return err
		}},
		{"CreateNetworkAclEntry", func(c *ec2.Client) error {
			_, err := c.CreateNetworkAclEntry(ctx, &ec2.CreateNetworkAclEntryInput{DryRun: dry, NetworkAclId: aclID, RuleNumber: aws.Int32(100),
				Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(false), CidrBlock: aws.String("0.0.0.0/0")})
			return err
		}},
		{"ReplaceNetworkAclEntry", func(c *ec2.Client) error {
			_, err := c.ReplaceNetworkAclEntry(ctx, &ec2.ReplaceNetworkAclEntryInput{DryRun: dry, NetworkAclId: aclID, RuleNumber: aws.Int32(100),
				Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(false), CidrBlock: aws.String("0.0.0.0/0")})
			return err
		}},
		{"DeleteNetworkAclEntry", func(c *ec2.Client) error {
			_, err := c.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{DryRun: dry, NetworkAclId: aclID, RuleNumber: aws.Int32(100), Egress: aws.Bool(false)})
			return err
		}},
		{"ReplaceNetworkAclAssociation", func(c *ec2.Client) error {
			_, err := c.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{DryRun: dry, AssociationId: aclAssoc, NetworkAclId: aclID})
			return err
		}},
	}
	before := routingSnapshot(t, f)
	for _, op := range ops {
		t.Run(op.name+" allowed", func(t *testing.T) {
			wantError(t, op.name+" with DryRun by root", op.call(f.EC2), "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		})
	}
	if after := routingSnapshot(t, f); after != before {
		t.Errorf("DryRun calls changed the region:\nbefore %s\nafter  %s", before, after)
	}
	nobody := f.userClient(t, "nobody", "")
	for _, op := range ops {
		t.Run(op.name+" denied", func(t *testing.T) {
			wantError(t, op.name+" with DryRun by a user without policies", op.call(nobody), "UnauthorizedOperation",
				"You are not authorized to perform this operation. Encoded authorization failure message: …")
		})
	}
}

// routingSnapshot summarizes the route tables, gateways, addresses and ACLs of the region, to show that nothing
// changed.
func routingSnapshot(t testing.TB, f *fixture) string {
	t.Helper()
	var b strings.Builder
	rts, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range rts.RouteTables {
		fmt.Fprintf(&b, "%s:%d routes:%d assocs;", aws.ToString(rt.RouteTableId), len(rt.Routes), len(rt.Associations))
	}
	igws, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range igws.InternetGateways {
		fmt.Fprintf(&b, "%s:%d attached;", aws.ToString(g.InternetGatewayId), len(g.Attachments))
	}
	nats, err := f.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nats.NatGateways {
		fmt.Fprintf(&b, "%s:%s;", aws.ToString(n.NatGatewayId), n.State)
	}
	addrs, err := f.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs.Addresses {
		fmt.Fprintf(&b, "%s:%s;", aws.ToString(a.AllocationId), aws.ToString(a.AssociationId))
	}
	acls, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acls.NetworkAcls {
		fmt.Fprintf(&b, "%s:%d entries:%d assocs;", aws.ToString(a.NetworkAclId), len(a.Entries), len(a.Associations))
	}
	return b.String()
}

// FuzzCreateRoute sends CreateRoute requests with arbitrary destinations and targets through the front door: every
// one must be answered (with a route or with EC2's error), never with a server fault.
func FuzzCreateRoute(f *testing.F) {
	fx := start(f)
	vpcID := fx.newVPC(f, "10.0.0.0/16")
	rtID := routingNewTable(f, fx, vpcID)
	for _, seed := range [][4]string{
		{"0.0.0.0/0", "", "igw-0123456789abcdef0", ""},
		{"100.68.0.18/18", "", "", "nat-0123456789abcdef0"},
		{"10.0.0.0/16", "", "local", ""},
		{"", "::/0", "igw-1", ""},
		{"", "2001:db8::1/129", "", ""},
		{"1.2.3.4", "", "vpce-1", ""},
		{"10.0.1.0/24", "", "", "nat-"},
		{"\x00/8", "fe80::%eth0/64", "igw-\xff", "nat-☃"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, dest4, dest6, gateway, nat string) {
		in := &ec2.CreateRouteInput{RouteTableId: &rtID}
		for _, p := range []struct {
			v   string
			set **string
		}{{dest4, &in.DestinationCidrBlock}, {dest6, &in.DestinationIpv6CidrBlock}, {gateway, &in.GatewayId}, {nat, &in.NatGatewayId}} {
			if p.v != "" {
				*p.set = aws.String(p.v)
			}
		}
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := fx.EC2.CreateRoute(callCtx, in); serverFault(err) || callCtx.Err() != nil {
			t.Fatalf("CreateRoute(%q, %q, %q, %q) = %v, want an answer rather than a server fault", dest4, dest6, gateway, nat, err)
		}
		if _, err := fx.EC2.DeleteRoute(callCtx, &ec2.DeleteRouteInput{RouteTableId: &rtID, DestinationCidrBlock: in.DestinationCidrBlock, DestinationIpv6CidrBlock: in.DestinationIpv6CidrBlock}); serverFault(err) || callCtx.Err() != nil {
			t.Fatalf("DeleteRoute(%q, %q) = %v, want an answer rather than a server fault", dest4, dest6, err)
		}
	})
}

func TestGatewayEndpointRoutes(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	rtID := routingNewTable(t, f, vpcID)
	out, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
		VpcId: &vpcID, ServiceName: aws.String("com.amazonaws.us-east-1.s3"), VpcEndpointType: types.VpcEndpointTypeGateway, RouteTableIds: []string{rtID},
	})
	if err != nil {
		t.Fatal(err)
	}
	vpce := aws.ToString(out.VpcEndpoint.VpcEndpointId)
	var r *types.Route
	routes := routingTable(t, f, rtID).Routes
	for i, rr := range routes {
		if aws.ToString(rr.GatewayId) == vpce {
			r = &routes[i]
		}
	}
	if r == nil || !strings.HasPrefix(aws.ToString(r.DestinationPrefixListId), "pl-") || r.State != types.RouteStateActive || r.DestinationCidrBlock != nil {
		t.Fatalf("the endpoint's route = %+v, want a prefix list through %s, active", r, vpce)
	}
	pl := aws.ToString(r.DestinationPrefixListId)
	found, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{
		nameFilter("route.destination-prefix-list-id", pl), nameFilter("route.gateway-id", vpce),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.RouteTables) != 1 || aws.ToString(found.RouteTables[0].RouteTableId) != rtID {
		t.Errorf("DescribeRouteTables by the endpoint's prefix list = %d tables, want %s", len(found.RouteTables), rtID)
	}
	_, err = f.EC2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rtID, DestinationPrefixListId: &pl})
	wantError(t, "DeleteRoute of an endpoint's route", err, "InvalidParameterValue", fmt.Sprintf("cannot remove VPC endpoint route %s in route table %s", pl, rtID))
	_, err = f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &vpce})
	wantError(t, "CreateRoute naming a gateway endpoint", err, "RouteNotSupported",
		fmt.Sprintf("Route table contains unsupported route target: %s. VPC Endpoints of this type cannot be used as route targets.", vpce))
	_, err = f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &rtID, DestinationCidrBlock: aws.String("0.0.0.0/0"), VpcEndpointId: &vpce})
	wantError(t, "CreateRoute naming a gateway endpoint as a Gateway Load Balancer endpoint", err, "RouteNotSupported", "Route table contains unsupported route target: …")
	if _, err := f.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{vpce}}); err != nil {
		t.Fatal(err)
	}
	for _, rr := range routingTable(t, f, rtID).Routes {
		if aws.ToString(rr.GatewayId) == vpce {
			t.Errorf("the deleted endpoint's route is still shown: %+v", rr)
		}
	}
}
