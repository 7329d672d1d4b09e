package ec2_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

var prefixListIDPattern = regexp.MustCompile(`^pl-[0-9a-f]{8}$`)

// mainRouteTable returns the id of a VPC's main route table.
func (f *fixture) mainRouteTable(t testing.TB, vpcID string) string {
	t.Helper()
	out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{
		nameFilter("vpc-id", vpcID), nameFilter("association.main", "true"),
	}})
	if err != nil || len(out.RouteTables) != 1 {
		t.Fatalf("DescribeRouteTables(main of %s) = %v, %v", vpcID, out, err)
	}
	return aws.ToString(out.RouteTables[0].RouteTableId)
}

// newRouteTable creates a route table in the VPC.
func (f *fixture) newRouteTable(t testing.TB, vpcID string) string {
	t.Helper()
	out, err := f.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatalf("CreateRouteTable(%s): %v", vpcID, err)
	}
	return aws.ToString(out.RouteTable.RouteTableId)
}

// subnetIn creates a subnet of the VPC in a zone.
func (f *fixture) subnetIn(t testing.TB, vpcID, cidr, zone string) string {
	t.Helper()
	out, err := f.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(zone)})
	if err != nil {
		t.Fatalf("CreateSubnet(%s, %s, %s): %v", vpcID, cidr, zone, err)
	}
	return aws.ToString(out.Subnet.SubnetId)
}

// dnsVPC creates a VPC that resolves names and gives hostnames, as interface endpoints with private DNS need.
func (f *fixture) dnsVPC(t testing.TB, cidr string) string {
	t.Helper()
	id := f.newVPC(t, cidr)
	if _, err := f.EC2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(id), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatalf("ModifyVpcAttribute(%s, enableDnsHostnames): %v", id, err)
	}
	return id
}

// endpointRoutes returns the prefix-list routes of a route table, as "pl-… → vpce-… (origin, state)".
func (f *fixture) endpointRoutes(t testing.TB, rtbID string) []string {
	t.Helper()
	out, err := f.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rtbID}})
	if err != nil {
		t.Fatalf("DescribeRouteTables(%s): %v", rtbID, err)
	}
	var routes []string
	for _, r := range out.RouteTables[0].Routes {
		if r.DestinationPrefixListId != nil {
			routes = append(routes, aws.ToString(r.DestinationPrefixListId)+" → "+aws.ToString(r.GatewayId)+" ("+string(r.Origin)+", "+string(r.State)+")")
		}
	}
	return routes
}

func (f *fixture) prefixList(t testing.TB, name string) types.PrefixList {
	t.Helper()
	out, err := f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{Filters: []types.Filter{nameFilter("prefix-list-name", name)}})
	if err != nil || len(out.PrefixLists) != 1 {
		t.Fatalf("DescribePrefixLists(%s) = %v, %v", name, out, err)
	}
	return out.PrefixLists[0]
}

func (f *fixture) describeEndpoint(t testing.TB, id string) types.VpcEndpoint {
	t.Helper()
	out, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
	if err != nil || len(out.VpcEndpoints) != 1 {
		t.Fatalf("DescribeVpcEndpoints(%s) = %v, %v", id, out, err)
	}
	return out.VpcEndpoints[0]
}

func (f *fixture) availableAddresses(t testing.TB, subnetID string) int32 {
	t.Helper()
	out, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnetID}})
	if err != nil {
		t.Fatalf("DescribeSubnets(%s): %v", subnetID, err)
	}
	return aws.ToInt32(out.Subnets[0].AvailableIpAddressCount)
}

func TestDescribeVpcEndpointServices(t *testing.T) {
	f := start(t)
	all, err := f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{})
	if err != nil {
		t.Fatal(err)
	}
	details := map[string]types.ServiceDetail{}
	for _, d := range all.ServiceDetails {
		details[aws.ToString(d.ServiceName)+" "+string(d.ServiceType[0].ServiceType)] = d
	}
	for _, want := range []string{
		"com.amazonaws.us-east-1.s3 Gateway", "com.amazonaws.us-east-1.s3 Interface", "com.amazonaws.us-east-1.dynamodb Gateway",
		"com.amazonaws.us-east-1.sagemaker.api Interface", "com.amazonaws.us-east-1.sagemaker.runtime Interface",
		"com.amazonaws.us-east-1.sagemaker.featurestore-runtime Interface", "aws.sagemaker.us-east-1.notebook Interface",
		"aws.sagemaker.us-east-1.studio Interface", "com.amazonaws.us-east-1.sts Interface", "com.amazonaws.us-east-1.logs Interface",
		"com.amazonaws.us-east-1.ecr.api Interface", "com.amazonaws.us-east-1.ecr.dkr Interface", "com.amazonaws.us-east-1.ec2 Interface",
		"com.amazonaws.us-east-1.kms Interface", "com.amazonaws.us-east-1.monitoring Interface",
		"com.amazonaws.us-east-1.elasticfilesystem Interface", "com.amazonaws.us-east-1.secretsmanager Interface",
	} {
		if _, ok := details[want]; !ok {
			t.Errorf("DescribeVpcEndpointServices lacks %s", want)
		}
	}
	if !slices.IsSorted(all.ServiceNames) || len(slices.Compact(slices.Clone(all.ServiceNames))) != len(all.ServiceNames) {
		t.Errorf("ServiceNames %v are not sorted and distinct", all.ServiceNames)
	}

	sts := details["com.amazonaws.us-east-1.sts Interface"]
	if aws.ToString(sts.PrivateDnsName) != "sts.us-east-1.amazonaws.com" || !slices.Equal(sts.BaseEndpointDnsNames, []string{"sts.us-east-1.vpce.amazonaws.com"}) ||
		aws.ToString(sts.Owner) != "amazon" || aws.ToBool(sts.AcceptanceRequired) || !aws.ToBool(sts.VpcEndpointPolicySupported) ||
		len(sts.AvailabilityZones) != 6 || !strings.HasPrefix(aws.ToString(sts.ServiceId), "vpce-svc-") {
		t.Errorf("the STS service is %+v", sts)
	}
	s3 := details["com.amazonaws.us-east-1.s3 Gateway"]
	if s3.PrivateDnsName != nil || !slices.Equal(s3.BaseEndpointDnsNames, []string{"s3.us-east-1.amazonaws.com"}) {
		t.Errorf("the S3 gateway service is %+v", s3)
	}
	if nb := details["aws.sagemaker.us-east-1.notebook Interface"]; aws.ToString(nb.PrivateDnsName) != "*.notebook.us-east-1.sagemaker.aws" {
		t.Errorf("the notebook service's private DNS name is %q", aws.ToString(nb.PrivateDnsName))
	}

	t.Run("by name", func(t *testing.T) {
		out, err := f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.us-east-1.s3"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ServiceDetails) != 2 || !slices.Equal(out.ServiceNames, []string{"com.amazonaws.us-east-1.s3"}) {
			t.Errorf("S3 by name = %d details, names %v; want its gateway and interface services", len(out.ServiceDetails), out.ServiceNames)
		}
		_, err = f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.us-east-1.organizations"}})
		wantError(t, "an unknown service", err, "InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.organizations' does not exist")
	})

	t.Run("filters", func(t *testing.T) {
		out, err := f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{Filters: []types.Filter{nameFilter("service-type", "Gateway")}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.ServiceNames, []string{"com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"}) {
			t.Errorf("the Gateway services are %v, want DynamoDB and S3", out.ServiceNames)
		}
		out, err = f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{Filters: []types.Filter{nameFilter("service-name", "*.sagemaker.*")}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ServiceNames) != 5 {
			t.Errorf("the services named *.sagemaker.* are %v, want the API, runtime, feature store, notebooks and Studio", out.ServiceNames)
		}
		_, err = f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{Filters: []types.Filter{nameFilter("vpc-id", "vpc-1")}})
		wantError(t, "an unknown filter", err, "InvalidParameterValue", "The filter 'vpc-id' is invalid")
	})

	t.Run("pages", func(t *testing.T) {
		var got []string
		var token *string
		for pages := 0; ; pages++ {
			out, err := f.EC2.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{MaxResults: aws.Int32(5), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.ServiceDetails) > 5 || pages > 20 {
				t.Fatalf("a page of 5 has %d services (page %d)", len(out.ServiceDetails), pages)
			}
			for _, d := range out.ServiceDetails {
				got = append(got, aws.ToString(d.ServiceName)+" "+string(d.ServiceType[0].ServiceType))
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		if len(got) != len(all.ServiceDetails) {
			t.Errorf("the pages hold %d services, want %d", len(got), len(all.ServiceDetails))
		}
	})

	t.Run("another region", func(t *testing.T) {
		cfg := f.Config("test", "test", "")
		cfg.Region = "eu-west-1"
		out, err := ec2.NewFromConfig(cfg).DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.eu-west-1.sts"}})
		if err != nil {
			t.Fatal(err)
		}
		if d := out.ServiceDetails[0]; aws.ToString(d.PrivateDnsName) != "sts.eu-west-1.amazonaws.com" || len(d.AvailabilityZones) != 3 {
			t.Errorf("STS in eu-west-1 is %+v", d)
		}
	})
}

func TestDescribePrefixLists(t *testing.T) {
	f := start(t)
	out, err := f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pl := range out.PrefixLists {
		names = append(names, aws.ToString(pl.PrefixListName))
		if !prefixListIDPattern.MatchString(aws.ToString(pl.PrefixListId)) || len(pl.Cidrs) == 0 {
			t.Errorf("prefix list %+v has no pl- id or no blocks", pl)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"}) {
		t.Errorf("the prefix lists are %v, want DynamoDB's and S3's", names)
	}
	s3 := f.prefixList(t, "com.amazonaws.us-east-1.s3")
	if !slices.Contains(s3.Cidrs, "52.216.0.0/15") {
		t.Errorf("S3's blocks %v lack 52.216.0.0/15", s3.Cidrs)
	}

	t.Run("the same ids every time, and other ids in another region", func(t *testing.T) {
		other := start(t)
		if again := other.prefixList(t, "com.amazonaws.us-east-1.s3"); aws.ToString(again.PrefixListId) != aws.ToString(s3.PrefixListId) {
			t.Errorf("S3's prefix list is %s in one server and %s in another", aws.ToString(s3.PrefixListId), aws.ToString(again.PrefixListId))
		}
		cfg := f.Config("test", "test", "")
		cfg.Region = "us-west-2"
		west, err := ec2.NewFromConfig(cfg).DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{Filters: []types.Filter{nameFilter("prefix-list-name", "com.amazonaws.us-west-2.s3")}})
		if err != nil || len(west.PrefixLists) != 1 {
			t.Fatalf("DescribePrefixLists in us-west-2 = %v, %v", west, err)
		}
		if aws.ToString(west.PrefixLists[0].PrefixListId) == aws.ToString(s3.PrefixListId) {
			t.Errorf("S3's prefix list has the id %s in two regions", aws.ToString(s3.PrefixListId))
		}
	})

	t.Run("by id", func(t *testing.T) {
		got, err := f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{PrefixListIds: []string{aws.ToString(s3.PrefixListId)}})
		if err != nil || len(got.PrefixLists) != 1 || aws.ToString(got.PrefixLists[0].PrefixListName) != "com.amazonaws.us-east-1.s3" {
			t.Errorf("DescribePrefixLists(%s) = %v, %v", aws.ToString(s3.PrefixListId), got, err)
		}
		_, err = f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{PrefixListIds: []string{"pl-00000000"}})
		wantError(t, "an unknown prefix list", err, "InvalidPrefixListID.NotFound", "The prefix list ID 'pl-00000000' does not exist")
		_, err = f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{PrefixListIds: []string{"s3"}})
		wantError(t, "a malformed prefix list id", err, "InvalidPrefixListId.Malformed", "")
	})

	t.Run("pages", func(t *testing.T) {
		first, err := f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{MaxResults: aws.Int32(1)})
		if err != nil || len(first.PrefixLists) != 1 || first.NextToken == nil {
			t.Fatalf("the first page of 1 = %v, %v", first, err)
		}
		second, err := f.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{MaxResults: aws.Int32(1), NextToken: first.NextToken})
		if err != nil || len(second.PrefixLists) != 1 || second.NextToken != nil ||
			aws.ToString(second.PrefixLists[0].PrefixListId) == aws.ToString(first.PrefixLists[0].PrefixListId) {
			t.Errorf("the second page = %v, %v", second, err)
		}
	})
}

func TestGatewayEndpoint(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	mainRT := f.mainRouteTable(t, vpcID)
	rt := f.newRouteTable(t, vpcID)
	s3PL := aws.ToString(f.prefixList(t, "com.amazonaws.us-east-1.s3").PrefixListId)
	ddbPL := aws.ToString(f.prefixList(t, "com.amazonaws.us-east-1.dynamodb").PrefixListId)

	out, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
		VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{mainRT},
		TagSpecifications: tagSpec(types.ResourceTypeVpcEndpoint, "Name", "s3"), ClientToken: aws.String("token-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := out.VpcEndpoint
	id := aws.ToString(e.VpcEndpointId)
	if !regexp.MustCompile(`^vpce-[0-9a-f]{17}$`).MatchString(id) || e.VpcEndpointType != types.VpcEndpointTypeGateway ||
		e.State != "available" || !slices.Equal(e.RouteTableIds, []string{mainRT}) || aws.ToString(e.OwnerId) != "000000000000" ||
		aws.ToString(e.PolicyDocument) != `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}` ||
		len(e.NetworkInterfaceIds) != 0 || len(e.DnsEntries) != 0 || aws.ToString(out.ClientToken) != "token-1" || e.CreationTimestamp == nil {
		t.Errorf("CreateVpcEndpoint(S3 gateway) = %+v", e)
	}
	if got := f.endpointRoutes(t, mainRT); !slices.Equal(got, []string{s3PL + " → " + id + " (CreateRoute, active)"}) {
		t.Errorf("the main route table's endpoint routes are %v, want S3's prefix list to %s", got, id)
	}

	t.Run("one route per prefix list in a table", func(t *testing.T) {
		_, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{rt, mainRT}})
		wantError(t, "a second S3 endpoint on the main table", err, "RouteAlreadyExists", "route table "+mainRT+" already has a route with destination-prefix-list-id "+s3PL)
		if got := f.endpointRoutes(t, rt); len(got) != 0 {
			t.Errorf("the refused endpoint left the routes %v in %s", got, rt)
		}
		ddb, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"), RouteTableIds: []string{mainRT}})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.endpointRoutes(t, mainRT); len(got) != 2 || !strings.HasPrefix(got[1], ddbPL+" → "+aws.ToString(ddb.VpcEndpoint.VpcEndpointId)) {
			t.Errorf("with DynamoDB's endpoint the main table's routes are %v", got)
		}
	})

	t.Run("modify moves the routes", func(t *testing.T) {
		if _, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddRouteTableIds: []string{rt}, RemoveRouteTableIds: []string{mainRT}}); err != nil {
			t.Fatal(err)
		}
		if got := f.describeEndpoint(t, id).RouteTableIds; !slices.Equal(got, []string{rt}) {
			t.Errorf("the endpoint's route tables are %v, want [%s]", got, rt)
		}
		if got := f.endpointRoutes(t, rt); !slices.Equal(got, []string{s3PL + " → " + id + " (CreateRoute, active)"}) {
			t.Errorf("%s's endpoint routes are %v", rt, got)
		}
		for _, r := range f.endpointRoutes(t, mainRT) {
			if strings.Contains(r, id) {
				t.Errorf("the main table still routes to %s: %s", id, r)
			}
		}
		_, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddSubnetIds: []string{"subnet-0123456789abcdef0"}})
		wantError(t, "subnets on a gateway endpoint", err, "InvalidParameter", "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
	})

	t.Run("delete takes the routes", func(t *testing.T) {
		del, err := f.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id, "vpce-0123456789abcdef0", "x"}})
		if err != nil {
			t.Fatal(err)
		}
		var failed []string
		for _, u := range del.Unsuccessful {
			failed = append(failed, aws.ToString(u.ResourceId)+" "+aws.ToString(u.Error.Code)+" "+aws.ToString(u.Error.Message))
		}
		want := []string{
			"vpce-0123456789abcdef0 InvalidVpcEndpointId.NotFound The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist",
			"x InvalidVpcEndpointId.Malformed Invalid Id: 'x' (expecting 'vpce-...; the Id may only contain lowercase alphanumeric characters and a single dash')",
		}
		if !slices.Equal(failed, want) {
			t.Errorf("DeleteVpcEndpoints' unsuccessful items are %q, want %q", failed, want)
		}
		if got := f.endpointRoutes(t, rt); len(got) != 0 {
			t.Errorf("the deleted endpoint left the routes %v", got)
		}
		_, err = f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
		wantError(t, "the deleted endpoint", err, "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '"+id+"' does not exist")
	})
}

func TestCreateVpcEndpointRefusals(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	otherVPC := f.newVPC(t, "10.1.0.0/16")
	otherRT := f.mainRouteTable(t, otherVPC)
	subnet := f.subnetIn(t, vpcID, "10.0.1.0/24", "us-east-1a")
	cases := []struct {
		name    string
		in      ec2.CreateVpcEndpointInput
		code    string
		message string
	}{
		{"an unknown service", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s4")},
			"InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.us-east-1.s4' does not exist"},
		{"another region's service", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.eu-west-1.s3")},
			"InvalidServiceName", "The Vpc Endpoint Service 'com.amazonaws.eu-west-1.s3' does not exist"},
		{"a gateway to an interface service", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.sts")},
			"InvalidParameter", "Endpoint type (Gateway) does not match available service types ([Interface])."},
		{"an interface to DynamoDB", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), VpcEndpointType: types.VpcEndpointTypeInterface, ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb")},
			"InvalidParameter", "Endpoint type (Interface) does not match available service types ([Gateway])."},
		{"a gateway with subnets", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), SubnetIds: []string{subnet}},
			"InvalidParameter", "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints."},
		{"an interface with route tables", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), VpcEndpointType: types.VpcEndpointTypeInterface, ServiceName: aws.String("com.amazonaws.us-east-1.sts"), RouteTableIds: []string{otherRT}},
			"InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint."},
		{"an unknown VPC", ec2.CreateVpcEndpointInput{VpcId: aws.String("vpc-0123456789abcdef0"), ServiceName: aws.String("com.amazonaws.us-east-1.s3")},
			"InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"},
		{"a malformed VPC id", ec2.CreateVpcEndpointInput{VpcId: aws.String("my-vpc"), ServiceName: aws.String("com.amazonaws.us-east-1.s3")},
			"InvalidVpcId.Malformed", "Invalid Id: 'my-vpc' (expecting 'vpc-...; the Id may only contain lowercase alphanumeric characters and a single dash')"},
		{"an unknown route table", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{"rtb-0123456789abcdef0"}},
			"InvalidRouteTableID.NotFound", "The routeTable ID 'rtb-0123456789abcdef0' does not exist"},
		{"a route table of another VPC", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{otherRT}},
			"InvalidParameter", "route table " + otherRT + " and vpc " + vpcID + " belong to different networks"},
		{"a malformed policy", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), PolicyDocument: aws.String(`{"Statement": [}`)},
			"InvalidPolicyDocument", "The Policy Document is not valid. Syntax error at position (1,16)"},
		{"a policy without a principal", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"),
			PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)},
			"InvalidPolicyDocument", "The Policy Document is not valid. …"},
		{"a policy over 20,480 characters", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"),
			PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Sid":"` + strings.Repeat("a", 20480) + `"}]}`)},
			"InvalidPolicyDocument", "The Policy Document is not valid. …"},
		{"a tag specification of another type", ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), TagSpecifications: tagSpec(types.ResourceTypeVpc, "a", "b")},
			"InvalidParameterValue", "'vpc' is not a valid taggable resource type for this operation."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.EC2.CreateVpcEndpoint(ctx, &tc.in)
			wantError(t, tc.name, err, tc.code, tc.message)
		})
	}
	out, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{})
	if err != nil || len(out.VpcEndpoints) != 0 {
		t.Errorf("after refusals DescribeVpcEndpoints = %v, %v; want no endpoint", out, err)
	}
	if got := f.endpointRoutes(t, otherRT); len(got) != 0 {
		t.Errorf("a refused endpoint left routes %v", got)
	}
}

func TestInterfaceEndpoint(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	a := f.subnetIn(t, vpcID, "10.0.1.0/24", "us-east-1a")
	b := f.subnetIn(t, vpcID, "10.0.2.0/24", "us-east-1b")
	a2 := f.subnetIn(t, vpcID, "10.0.3.0/24", "us-east-1a")
	sts := func(in ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
		in.VpcId, in.VpcEndpointType, in.ServiceName = aws.String(vpcID), types.VpcEndpointTypeInterface, aws.String("com.amazonaws.us-east-1.sts")
		return f.EC2.CreateVpcEndpoint(ctx, &in)
	}

	_, err := sts(ec2.CreateVpcEndpointInput{SubnetIds: []string{a}})
	wantError(t, "private DNS in a VPC without hostnames", err, "InvalidParameter",
		"Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for "+vpcID)
	if _, err := f.EC2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpcID), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	_, err = sts(ec2.CreateVpcEndpointInput{SubnetIds: []string{a, a2}})
	wantError(t, "two subnets in one zone", err, "DuplicateSubnetsInSameZone",
		"Found another VPC endpoint subnet in the availability zone of "+a2+". VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.")

	freeA, freeB := f.availableAddresses(t, a), f.availableAddresses(t, b)
	out, err := sts(ec2.CreateVpcEndpointInput{SubnetIds: []string{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	e := out.VpcEndpoint
	id := aws.ToString(e.VpcEndpointId)
	if e.VpcEndpointType != types.VpcEndpointTypeInterface || !aws.ToBool(e.PrivateDnsEnabled) || !slices.Equal(e.SubnetIds, []string{a, b}) ||
		len(e.NetworkInterfaceIds) != 2 || len(e.Groups) != 1 || aws.ToString(e.Groups[0].GroupName) != "default" ||
		!strings.Contains(aws.ToString(e.PolicyDocument), `"Principal": "*"`) || len(e.RouteTableIds) != 0 {
		t.Errorf("CreateVpcEndpoint(STS interface) = %+v", e)
	}
	var dns []string
	for _, d := range e.DnsEntries {
		dns = append(dns, aws.ToString(d.DnsName))
	}
	label := regexp.QuoteMeta(id) + `-[a-z0-9]{8}`
	wantDNS := []*regexp.Regexp{
		regexp.MustCompile(`^` + label + `\.sts\.us-east-1\.vpce\.amazonaws\.com$`),
		regexp.MustCompile(`^` + label + `-us-east-1a\.sts\.us-east-1\.vpce\.amazonaws\.com$`),
		regexp.MustCompile(`^` + label + `-us-east-1b\.sts\.us-east-1\.vpce\.amazonaws\.com$`),
		regexp.MustCompile(`^sts\.us-east-1\.amazonaws\.com$`),
	}
	if len(dns) != len(wantDNS) {
		t.Errorf("DnsEntries = %v, want the regional, two zonal and the private name", dns)
	} else {
		for i, re := range wantDNS {
			if !re.MatchString(dns[i]) {
				t.Errorf("DnsEntries[%d] = %q, want %s", i, dns[i], re)
			}
		}
	}
	if got := f.availableAddresses(t, a); got != freeA-1 {
		t.Errorf("subnet %s has %d free addresses, want %d: the endpoint's interface takes one", a, got, freeA-1)
	}
	if got := f.availableAddresses(t, b); got != freeB-1 {
		t.Errorf("subnet %s has %d free addresses, want %d", b, got, freeB-1)
	}
	if e.State != "available" && e.State != "pending" {
		t.Errorf("the new interface endpoint is %s", e.State)
	}

	t.Run("one endpoint with private DNS per service and VPC", func(t *testing.T) {
		_, err := sts(ec2.CreateVpcEndpointInput{SubnetIds: []string{a}})
		wantError(t, "a second STS endpoint with private DNS", err, "InvalidParameter",
			"private-dns-enabled cannot be set because there is already a conflicting DNS domain for sts.us-east-1.amazonaws.com in the VPC "+vpcID)
		second, err := sts(ec2.CreateVpcEndpointInput{SubnetIds: []string{a}, PrivateDnsEnabled: aws.Bool(false)})
		if err != nil {
			t.Fatal(err)
		}
		if len(second.VpcEndpoint.DnsEntries) != 2 {
			t.Errorf("without private DNS the endpoint's DNS entries are %d, want the regional and one zonal", len(second.VpcEndpoint.DnsEntries))
		}
		if _, err := f.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{aws.ToString(second.VpcEndpoint.VpcEndpointId)}}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("S3's interface endpoints", func(t *testing.T) {
		in := ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), VpcEndpointType: types.VpcEndpointTypeInterface, ServiceName: aws.String("com.amazonaws.us-east-1.s3"), SubnetIds: []string{a}}
		plain, err := f.EC2.CreateVpcEndpoint(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToBool(plain.VpcEndpoint.PrivateDnsEnabled) {
			t.Errorf("an S3 interface endpoint has private DNS by default")
		}
		in.PrivateDnsEnabled = aws.Bool(true)
		_, err = f.EC2.CreateVpcEndpoint(ctx, &in)
		wantError(t, "S3 private DNS without a gateway", err, "InvalidParameter",
			"To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC "+vpcID+" must have a Gateway endpoint for the service.")
		if _, err := f.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{aws.ToString(plain.VpcEndpoint.VpcEndpointId)}}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("modify the subnets", func(t *testing.T) {
		if _, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), RemoveSubnetIds: []string{a}, AddSubnetIds: []string{a2}}); err != nil {
			t.Fatal(err)
		}
		got := f.describeEndpoint(t, id)
		if !slices.Equal(got.SubnetIds, []string{b, a2}) || len(got.NetworkInterfaceIds) != 2 {
			t.Errorf("after moving from %s to %s the endpoint has subnets %v and interfaces %v", a, a2, got.SubnetIds, got.NetworkInterfaceIds)
		}
		if f.availableAddresses(t, a) != freeA {
			t.Errorf("the interface removed from %s kept its address", a)
		}
		_, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddSubnetIds: []string{a}})
		wantError(t, "a second subnet in us-east-1a", err, "DuplicateSubnetsInSameZone", "")
		_, err = f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddRouteTableIds: []string{f.mainRouteTable(t, vpcID)}})
		wantError(t, "route tables on an interface endpoint", err, "InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint.")
		_, err = f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String("vpce-0123456789abcdef0"), ResetPolicy: aws.Bool(true)})
		wantError(t, "an unknown endpoint", err, "InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist")
	})

	t.Run("modify the policy", func(t *testing.T) {
		pol := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`
		if _, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), PolicyDocument: aws.String(pol)}); err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(f.describeEndpoint(t, id).PolicyDocument); got != pol {
			t.Errorf("the policy is %s, want %s", got, pol)
		}
		_, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"*","Resource":"*"}]}`)})
		wantError(t, "a policy with a bad effect", err, "InvalidPolicyDocument", "The Policy Document is not valid. …")
		if _, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), ResetPolicy: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(f.describeEndpoint(t, id).PolicyDocument); !strings.Contains(got, `"Action": "*"`) {
			t.Errorf("after ResetPolicy the policy is %s, want the full-access default", got)
		}
	})

	t.Run("security groups and the interfaces", func(t *testing.T) {
		sg := f.newGroup(t, vpcID, "endpoints")
		if _, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddSecurityGroupIds: []string{sg}}); err != nil {
			t.Fatal(err)
		}
		got := f.describeEndpoint(t, id)
		var names []string
		for _, g := range got.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		if !slices.Equal(names, []string{"default", "endpoints"}) {
			t.Errorf("the endpoint's groups are %v, want default and endpoints", names)
		}
		enis, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: got.NetworkInterfaceIds})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range enis.NetworkInterfaces {
			if n.InterfaceType != "vpc_endpoint" || !aws.ToBool(n.RequesterManaged) || aws.ToString(n.Description) != "VPC Endpoint Interface "+id ||
				n.Status != types.NetworkInterfaceStatusInUse || len(n.Groups) != 2 {
				t.Errorf("the endpoint's interface is %+v", n)
			}
		}
		if _, err := f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), RemoveSecurityGroupIds: []string{aws.ToString(got.Groups[0].GroupId)}}); err != nil {
			t.Fatal(err)
		}
		_, err = f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), RemoveSecurityGroupIds: []string{sg}})
		wantError(t, "removing the last group", err, "InvalidParameter", "VPC endpoint "+id+" must have at least one security group.")
		_, err = f.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddSecurityGroupIds: []string{"sg-0123456789abcdef0"}})
		wantError(t, "an unknown group", err, "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist")
		enis, err = f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: got.NetworkInterfaceIds})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range enis.NetworkInterfaces {
			if len(n.Groups) != 1 || aws.ToString(n.Groups[0].GroupId) != sg {
				t.Errorf("after the default group's removal the interface %s has the groups %+v, want only %s", aws.ToString(n.NetworkInterfaceId), n.Groups, sg)
			}
		}
	})

	t.Run("delete takes the interfaces", func(t *testing.T) {
		if _, err := f.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}}); err != nil {
			t.Fatal(err)
		}
		if got := f.availableAddresses(t, b); got != freeB {
			t.Errorf("after the endpoint's deletion %s has %d free addresses, want %d", b, got, freeB)
		}
	})
}

func TestDescribeVpcEndpoints(t *testing.T) {
	f := start(t)
	vpcID := f.dnsVPC(t, "10.0.0.0/16")
	other := f.newVPC(t, "10.1.0.0/16")
	subnet := f.subnetIn(t, vpcID, "10.0.1.0/24", "us-east-1a")
	create := func(in ec2.CreateVpcEndpointInput) string {
		t.Helper()
		out, err := f.EC2.CreateVpcEndpoint(ctx, &in)
		if err != nil {
			t.Fatalf("CreateVpcEndpoint(%s): %v", aws.ToString(in.ServiceName), err)
		}
		return aws.ToString(out.VpcEndpoint.VpcEndpointId)
	}
	s3 := create(ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), TagSpecifications: tagSpec(types.ResourceTypeVpcEndpoint, "team", "ml")})
	ddb := create(ec2.CreateVpcEndpointInput{VpcId: aws.String(other), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb")})
	logs := create(ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), VpcEndpointType: types.VpcEndpointTypeInterface, ServiceName: aws.String("com.amazonaws.us-east-1.logs"), SubnetIds: []string{subnet}})
	ids := func(in *ec2.DescribeVpcEndpointsInput) []string {
		t.Helper()
		out, err := f.EC2.DescribeVpcEndpoints(ctx, in)
		if err != nil {
			t.Fatalf("DescribeVpcEndpoints(%+v): %v", in, err)
		}
		var got []string
		for _, e := range out.VpcEndpoints {
			got = append(got, aws.ToString(e.VpcEndpointId))
		}
		return got
	}
	all := []string{s3, ddb, logs}
	slices.Sort(all)
	if got := ids(&ec2.DescribeVpcEndpointsInput{}); !slices.Equal(got, all) {
		t.Errorf("all endpoints = %v, want %v", got, all)
	}
	cases := []struct {
		name   string
		filter types.Filter
		want   []string
	}{
		{"vpc-id", nameFilter("vpc-id", other), []string{ddb}},
		{"service-name", nameFilter("service-name", "com.amazonaws.us-east-1.logs"), []string{logs}},
		{"service-name with a wildcard", nameFilter("service-name", "*.s3"), []string{s3}},
		{"vpc-endpoint-type", nameFilter("vpc-endpoint-type", "Interface"), []string{logs}},
		{"vpc-endpoint-state", nameFilter("vpc-endpoint-state", "pending", "deleted"), nil},
		{"vpc-endpoint-id", nameFilter("vpc-endpoint-id", ddb), []string{ddb}},
		{"tag", nameFilter("tag:team", "ml"), []string{s3}},
		{"tag-key", nameFilter("tag-key", "team"), []string{s3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(&ec2.DescribeVpcEndpointsInput{Filters: []types.Filter{tc.filter}}); !slices.Equal(got, tc.want) {
				t.Errorf("filter %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	_, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []types.Filter{nameFilter("service", "s3")}})
	wantError(t, "an unknown filter", err, "InvalidParameterValue", "The filter 'service' is invalid")
	_, err = f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{"endpoint-1"}})
	wantError(t, "a malformed id", err, "InvalidVpcEndpointId.Malformed", "")

	t.Run("pages", func(t *testing.T) {
		var got []string
		var token *string
		for i := 0; i < 5; i++ {
			out, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.VpcEndpoints {
				got = append(got, aws.ToString(e.VpcEndpointId))
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		if !slices.Equal(got, all) {
			t.Errorf("the pages of 2 hold %v, want %v", got, all)
		}
		_, err := f.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{NextToken: aws.String("!!")})
		wantError(t, "a token sagebox did not make", err, "InvalidPaginationToken", "")
	})
}

func TestVpcEndpointAuthorization(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	rt := f.mainRouteTable(t, vpcID)
	created, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.VpcEndpoint.VpcEndpointId)
	nobody := f.userClient(t, "nobody", "")
	onlyDescribe := f.userClient(t, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	noRouteTables := f.userClient(t, "no-route-tables", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateVpcEndpoint","NotResource":"arn:aws:ec2:*:*:route-table/*"}]}`)
	tagged := f.userClient(t, "tagged", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:CreateVpcEndpoint","Resource":"arn:aws:ec2:*:*:vpc-endpoint/*","Condition":{"StringEquals":{"ec2:VpceServiceName":"com.amazonaws.us-east-1.dynamodb"}}},
		{"Effect":"Allow","Action":"ec2:CreateVpcEndpoint","NotResource":"arn:aws:ec2:*:*:vpc-endpoint/*"},
		{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"StringEquals":{"ec2:CreateAction":"CreateVpcEndpoint"}}}]}`)

	dry := aws.Bool(true)
	calls := []struct {
		name string
		call func(c *ec2.Client, dryRun *bool) error
	}{
		{"CreateVpcEndpoint", func(c *ec2.Client, dryRun *bool) error {
			_, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{DryRun: dryRun, VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"), RouteTableIds: []string{rt}})
			return err
		}},
		{"ModifyVpcEndpoint", func(c *ec2.Client, dryRun *bool) error {
			_, err := c.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{DryRun: dryRun, VpcEndpointId: aws.String(id), ResetPolicy: aws.Bool(true)})
			return err
		}},
		{"DescribeVpcEndpoints", func(c *ec2.Client, dryRun *bool) error {
			_, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{DryRun: dryRun})
			return err
		}},
		{"DescribeVpcEndpointServices", func(c *ec2.Client, dryRun *bool) error {
			// One service keeps the answer small for the harness's clients, which read it while it streams in.
			_, err := c.DescribeVpcEndpointServices(ctx, &ec2.DescribeVpcEndpointServicesInput{DryRun: dryRun, ServiceNames: []string{"com.amazonaws.us-east-1.sts"}})
			return err
		}},
		{"DescribePrefixLists", func(c *ec2.Client, dryRun *bool) error {
			_, err := c.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{DryRun: dryRun})
			return err
		}},
		{"DeleteVpcEndpoints", func(c *ec2.Client, dryRun *bool) error {
			_, err := c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{DryRun: dryRun, VpcEndpointIds: []string{id}})
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name+" with DryRun by root", tc.call(f.EC2, dry), "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
			wantError(t, tc.name+" by a user without policies", tc.call(nobody, nil), "UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: …")
			wantError(t, tc.name+" with DryRun by a user without policies", tc.call(nobody, dry), "UnauthorizedOperation", "")
			if strings.HasPrefix(tc.name, "Describe") {
				if err := tc.call(onlyDescribe, nil); err != nil {
					t.Errorf("%s by a user allowed ec2:Describe*: %v", tc.name, err)
				}
			} else {
				wantError(t, tc.name+" by a user allowed ec2:Describe*", tc.call(onlyDescribe, nil), "UnauthorizedOperation", "")
			}
		})
	}
	if got := f.endpointRoutes(t, rt); len(got) != 0 {
		t.Errorf("DryRun and denied calls left the routes %v", got)
	}
	f.describeEndpoint(t, id)

	t.Run("CreateVpcEndpoint asks on the route tables", func(t *testing.T) {
		_, err := noRouteTables.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"), RouteTableIds: []string{rt}})
		wantError(t, "a user not allowed on route tables", err, "UnauthorizedOperation", "")
		if _, err := noRouteTables.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb")}); err != nil {
			t.Errorf("the same user without route tables: %v", err)
		}
	})

	t.Run("ec2:VpceServiceName and tags on create", func(t *testing.T) {
		_, err := tagged.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3")})
		wantError(t, "an S3 endpoint by a user allowed DynamoDB's", err, "UnauthorizedOperation", "")
		if _, err := tagged.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"),
			TagSpecifications: tagSpec(types.ResourceTypeVpcEndpoint, "team", "ml")}); err != nil {
			t.Errorf("a tagged DynamoDB endpoint by a user allowed DynamoDB's: %v", err)
		}
	})
}
