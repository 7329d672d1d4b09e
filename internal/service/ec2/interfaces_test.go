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
	interfaceID = regexp.MustCompile(`^eni-[0-9a-f]{17}$`)
	macAddress  = regexp.MustCompile(`^0e(:[0-9a-f]{2}){5}$`)
)

// eni creates a network interface and returns it as CreateNetworkInterface answers.
func (f *fixture) eni(t *testing.T, in *ec2.CreateNetworkInterfaceInput) types.NetworkInterface {
	t.Helper()
	out, err := f.EC2.CreateNetworkInterface(ctx, in)
	if err != nil {
		t.Fatalf("CreateNetworkInterface(%s): %v", aws.ToString(in.SubnetId), err)
	}
	return *out.NetworkInterface
}

// describeENI returns one interface by id.
func (f *fixture) describeENI(t *testing.T, id string) types.NetworkInterface {
	t.Helper()
	out, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeNetworkInterfaces(%s): %v", id, err)
	}
	if len(out.NetworkInterfaces) != 1 {
		t.Fatalf("DescribeNetworkInterfaces(%s) = %d interfaces, want 1", id, len(out.NetworkInterfaces))
	}
	return out.NetworkInterfaces[0]
}

// freeAddresses returns a subnet's AvailableIpAddressCount.
func (f *fixture) freeAddresses(t *testing.T, subnetID string) int32 {
	t.Helper()
	out, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnetID}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToInt32(out.Subnets[0].AvailableIpAddressCount)
}

func TestNetworkInterfaceCreate(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnet := f.newSubnet(t, vpcID, "10.0.1.0/24")
	g := f.newGroup(t, vpcID, "app")
	free := f.freeAddresses(t, subnet)

	made := f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Description: aws.String("my interface"),
		TagSpecifications: tagSpec(types.ResourceTypeNetworkInterface, "Name", "first")})
	id := aws.ToString(made.NetworkInterfaceId)
	if !interfaceID.MatchString(id) || string(made.Status) != "pending" {
		t.Errorf("CreateNetworkInterface = id %q, status %s; want eni- and 17 hex digits, pending", id, made.Status)
	}

	t.Run("described with every member EC2 shows", func(t *testing.T) {
		n := f.describeENI(t, id)
		var def string
		for _, sg := range f.describeAll(t, nameFilter("vpc-id", vpcID), nameFilter("group-name", "default")) {
			def = aws.ToString(sg.GroupId)
		}
		checks := []struct {
			what, got, want string
		}{
			{"PrivateIpAddress", aws.ToString(n.PrivateIpAddress), "10.0.1.4"},
			{"PrivateDnsName", aws.ToString(n.PrivateDnsName), "ip-10-0-1-4.ec2.internal"},
			{"Status", string(n.Status), "available"},
			{"InterfaceType", string(n.InterfaceType), "interface"},
			{"SubnetId", aws.ToString(n.SubnetId), subnet},
			{"VpcId", aws.ToString(n.VpcId), vpcID},
			{"AvailabilityZone", aws.ToString(n.AvailabilityZone), "us-east-1a"},
			{"AvailabilityZoneId", aws.ToString(n.AvailabilityZoneId), "use1-az1"},
			{"OwnerId", aws.ToString(n.OwnerId), "000000000000"},
			{"RequesterId", aws.ToString(n.RequesterId), "000000000000"},
			{"Description", aws.ToString(n.Description), "my interface"},
			{"RequesterManaged", fmt.Sprint(aws.ToBool(n.RequesterManaged)), "false"},
			{"SourceDestCheck", fmt.Sprint(aws.ToBool(n.SourceDestCheck)), "true"},
			{"Tags", fmt.Sprint(tagMap(n.TagSet)), "map[Name:first]"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
			}
		}
		if !macAddress.MatchString(aws.ToString(n.MacAddress)) {
			t.Errorf("MacAddress = %q, want six octets", aws.ToString(n.MacAddress))
		}
		if len(n.Groups) != 1 || aws.ToString(n.Groups[0].GroupId) != def || aws.ToString(n.Groups[0].GroupName) != "default" {
			t.Errorf("Groups of an interface made without any = %+v, want the VPC's default group with its name", n.Groups)
		}
		if len(n.PrivateIpAddresses) != 1 || !aws.ToBool(n.PrivateIpAddresses[0].Primary) ||
			aws.ToString(n.PrivateIpAddresses[0].PrivateDnsName) != "ip-10-0-1-4.ec2.internal" {
			t.Errorf("PrivateIpAddresses = %+v, want the primary address with its name", n.PrivateIpAddresses)
		}
		if n.Attachment != nil {
			t.Errorf("Attachment of a new interface = %+v, want none", n.Attachment)
		}
		if got := f.freeAddresses(t, subnet); got != free-1 {
			t.Errorf("AvailableIpAddressCount = %d, want %d less one", got, free)
		}
	})

	t.Run("groups, addresses and a type", func(t *testing.T) {
		n := f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Groups: []string{g}, PrivateIpAddress: aws.String("10.0.1.100"),
			SecondaryPrivateIpAddressCount: aws.Int32(2), InterfaceType: types.NetworkInterfaceCreationTypeEfa})
		n = f.describeENI(t, aws.ToString(n.NetworkInterfaceId))
		var addrs []string
		for _, a := range n.PrivateIpAddresses {
			addrs = append(addrs, fmt.Sprintf("%s/%v", aws.ToString(a.PrivateIpAddress), aws.ToBool(a.Primary)))
		}
		if got := strings.Join(addrs, " "); got != "10.0.1.100/true 10.0.1.5/false 10.0.1.6/false" {
			t.Errorf("PrivateIpAddresses = %s, want 10.0.1.100 primary and 10.0.1.5, 10.0.1.6", got)
		}
		if len(n.Groups) != 1 || aws.ToString(n.Groups[0].GroupName) != "app" || string(n.InterfaceType) != "efa" {
			t.Errorf("Groups, InterfaceType = %+v, %s; want app, efa", n.Groups, n.InterfaceType)
		}
		m := f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), PrivateIpAddresses: []types.PrivateIpAddressSpecification{
			{PrivateIpAddress: aws.String("10.0.1.200"), Primary: aws.Bool(true)}, {PrivateIpAddress: aws.String("10.0.1.201")}}})
		if aws.ToString(m.PrivateIpAddress) != "10.0.1.200" || len(m.PrivateIpAddresses) != 2 {
			t.Errorf("CreateNetworkInterface with PrivateIpAddresses = %s with %d addresses, want 10.0.1.200 with 2", aws.ToString(m.PrivateIpAddress), len(m.PrivateIpAddresses))
		}
	})

	t.Run("names hosts as the region does", func(t *testing.T) {
		cfg := f.Config("test", "test", "")
		cfg.Region = "eu-west-1"
		c := ec2.NewFromConfig(cfg)
		subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{nameFilter("cidr-block", "172.31.0.0/20")}})
		if err != nil || len(subnets.Subnets) != 1 {
			t.Fatalf("the default subnet 172.31.0.0/20 of eu-west-1: %v, %v", subnets, err)
		}
		out, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: subnets.Subnets[0].SubnetId})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.NetworkInterface.PrivateDnsName); got != "ip-172-31-0-4.eu-west-1.compute.internal" {
			t.Errorf("PrivateDnsName in eu-west-1 = %q, want ip-172-31-0-4.eu-west-1.compute.internal", got)
		}
	})

	other := f.newVPC(t, "10.1.0.0/16")
	stranger := f.newGroup(t, other, "stranger")
	small := f.newSubnet(t, vpcID, "10.0.2.0/28")
	var six []string
	for i := range 6 {
		six = append(six, f.newGroup(t, vpcID, fmt.Sprintf("g%d", i)))
	}
	for _, c := range []struct {
		name      string
		in        ec2.CreateNetworkInterfaceInput
		code, msg string
	}{
		{"an address taken", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.100")},
			"InvalidIPAddress.InUse", "The specified address is already in use."},
		{"a reserved address", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.1")},
			"InvalidParameterValue", "Address 10.0.1.1 is in subnet's reserved address range"},
		{"an address outside the subnet", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.9.9")},
			"InvalidParameterValue", "Address 10.0.9.9 does not fall within the subnet's address range"},
		{"a group of another VPC", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Groups: []string{stranger}},
			"InvalidParameter", "Security group " + stranger + " and subnet " + subnet + " belong to different networks."},
		{"a group that does not exist", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Groups: []string{"sg-0123456789abcdef0"}},
			"InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist"},
		{"a malformed group", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Groups: []string{"app"}},
			"InvalidGroupId.Malformed", `Invalid id: "app" (expecting "sg-...")`},
		{"six groups", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Groups: six},
			"SecurityGroupsPerInterfaceLimitExceeded", "The maximum number of security groups per interface has been reached."},
		{"a subnet that does not exist", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String("subnet-0123456789abcdef0")},
			"InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"},
		{"a malformed subnet", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String("subnet-x")}, "InvalidSubnetID.Malformed", ""},
		{"a branch interface", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), InterfaceType: types.NetworkInterfaceCreationTypeBranch},
			"InvalidParameterValue", "Value (branch) for parameter interfaceType is invalid. …"},
		{"IPv6 addresses", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), Ipv6AddressCount: aws.Int32(1)}, "InvalidParameterValue", ""},
		{"more secondary addresses than the subnet has", ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(small), SecondaryPrivateIpAddressCount: aws.Int32(11)},
			"InsufficientFreeAddressesInSubnet", "The specified subnet does not have enough free addresses to satisfy the request."},
	} {
		t.Run("refuses "+c.name, func(t *testing.T) {
			_, err := f.EC2.CreateNetworkInterface(ctx, &c.in)
			wantError(t, "CreateNetworkInterface("+c.name+")", err, c.code, c.msg)
		})
	}

	t.Run("fills a subnet, then refuses", func(t *testing.T) {
		for range 11 {
			f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(small)})
		}
		if got := f.freeAddresses(t, small); got != 0 {
			t.Errorf("AvailableIpAddressCount of a full /28 = %d, want 0", got)
		}
		_, err := f.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(small)})
		wantError(t, "CreateNetworkInterface in a full subnet", err, "InsufficientFreeAddressesInSubnet", "")
	})

	t.Run("DryRun and authorization", func(t *testing.T) {
		before := f.freeAddresses(t, subnet)
		_, err := f.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), DryRun: aws.Bool(true)})
		wantError(t, "CreateNetworkInterface with DryRun", err, "DryRunOperation", "")
		if after := f.freeAddresses(t, subnet); after != before {
			t.Errorf("DryRun took an address: %d free, then %d", before, after)
		}
		c := f.userClient(t, "onesubnet", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"ec2:CreateNetworkInterface","Resource":["arn:aws:ec2:*:*:network-interface/*","arn:aws:ec2:*:*:security-group/*"]},
			{"Effect":"Allow","Action":"ec2:CreateNetworkInterface","Resource":"arn:aws:ec2:*:*:subnet/*","Condition":{"StringEquals":{"ec2:SubnetID":"`+subnet+`"}}}]}`)
		out, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet)})
		if err != nil {
			t.Fatalf("CreateNetworkInterface in the allowed subnet: %v", err)
		}
		if id := aws.ToString(out.NetworkInterface.RequesterId); !strings.HasPrefix(id, "AIDA") {
			t.Errorf("RequesterId of a user's interface = %q, want the user's id", id)
		}
		_, err = c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(small)})
		wantError(t, "CreateNetworkInterface in another subnet", err, "UnauthorizedOperation", "")
		_, err = c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), TagSpecifications: tagSpec(types.ResourceTypeNetworkInterface, "k", "v")})
		wantError(t, "CreateNetworkInterface with tags without ec2:CreateTags", err, "UnauthorizedOperation", "")
	})
}

func TestNetworkInterfaceDescribe(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	a := f.newSubnet(t, vpcID, "10.0.1.0/24")
	b := f.newSubnet(t, vpcID, "10.0.2.0/24")
	g := f.newGroup(t, vpcID, "app")
	first := aws.ToString(f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(a), Groups: []string{g}, Description: aws.String("worker one"),
		SecondaryPrivateIpAddressCount: aws.Int32(1), TagSpecifications: tagSpec(types.ResourceTypeNetworkInterface, "role", "worker")}).NetworkInterfaceId)
	second := aws.ToString(f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(b), Description: aws.String("worker two")}).NetworkInterfaceId)
	nat, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(b), ConnectivityType: types.ConnectivityTypePrivate})
	if err != nil {
		t.Fatal(err)
	}
	natENI := aws.ToString(nat.NatGateway.NatGatewayAddresses[0].NetworkInterfaceId)

	for _, c := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"vpc-id", []types.Filter{nameFilter("vpc-id", vpcID)}, []string{first, second, natENI}},
		{"subnet-id", []types.Filter{nameFilter("subnet-id", a)}, []string{first}},
		{"group-id", []types.Filter{nameFilter("group-id", g)}, []string{first}},
		{"group-name", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("group-name", "default")}, []string{second}},
		{"description with a wildcard", []types.Filter{nameFilter("description", "worker *")}, []string{first, second}},
		{"private-ip-address", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("private-ip-address", "10.0.1.4")}, []string{first}},
		{"addresses.private-ip-address, a secondary one", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("addresses.private-ip-address", "10.0.1.5")}, []string{first}},
		{"tag:role", []types.Filter{nameFilter("tag:role", "worker")}, []string{first}},
		{"requester-managed", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("requester-managed", "true")}, []string{natENI}},
		{"interface-type", []types.Filter{nameFilter("interface-type", "nat_gateway")}, []string{natENI}},
		{"status", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("status", "available")}, []string{first, second}},
		{"attachment.status", []types.Filter{nameFilter("attachment.status", "attached")}, []string{natENI}},
		{"availability-zone", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("availability-zone", "us-east-1a")}, []string{first, second, natENI}},
		{"network-interface-id", []types.Filter{nameFilter("network-interface-id", second)}, []string{second}},
		{"owner-id", []types.Filter{nameFilter("vpc-id", vpcID), nameFilter("owner-id", "000000000000")}, []string{first, second, natENI}},
		{"nothing matching", []types.Filter{nameFilter("description", "nobody")}, nil},
	} {
		t.Run("filter "+c.name, func(t *testing.T) {
			out, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: c.filters})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range out.NetworkInterfaces {
				got = append(got, aws.ToString(n.NetworkInterfaceId))
			}
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("DescribeNetworkInterfaces(%s) = %v, want %v", c.name, got, want)
			}
		})
	}

	t.Run("a service's interface", func(t *testing.T) {
		n := f.describeENI(t, natENI)
		if !aws.ToBool(n.RequesterManaged) || n.Status != types.NetworkInterfaceStatusInUse || n.Attachment == nil ||
			!strings.HasPrefix(aws.ToString(n.Attachment.AttachmentId), "ela-attach-") || aws.ToString(n.Attachment.InstanceOwnerId) != "amazon-aws" ||
			n.Attachment.Status != types.AttachmentStatusAttached || aws.ToInt32(n.Attachment.DeviceIndex) != 1 {
			t.Errorf("the NAT gateway's interface = %+v (attachment %+v), want requester-managed, in use, attached by the service", n, n.Attachment)
		}
	})

	t.Run("a public address and its filters", func(t *testing.T) {
		alloc, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
		if err != nil {
			t.Fatal(err)
		}
		subnets, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{nameFilter("default-for-az", "true")}})
		if err != nil || len(subnets.Subnets) == 0 {
			t.Fatalf("a default subnet: %v", err)
		}
		pub, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: subnets.Subnets[0].SubnetId, AllocationId: alloc.AllocationId})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(pub.NatGateway.NatGatewayAddresses[0].NetworkInterfaceId)
		ip := aws.ToString(alloc.PublicIp)
		as := f.describeENI(t, id).Association
		if as == nil || aws.ToString(as.PublicIp) != ip || aws.ToString(as.AllocationId) != aws.ToString(alloc.AllocationId) ||
			aws.ToString(as.IpOwnerId) != "000000000000" || !strings.HasPrefix(aws.ToString(as.AssociationId), "eipassoc-") ||
			aws.ToString(as.PublicDnsName) != "ec2-"+strings.ReplaceAll(ip, ".", "-")+".compute-1.amazonaws.com" {
			t.Errorf("Association of a public NAT gateway's interface = %+v, want the Elastic IP %s with its allocation, owner and name", as, ip)
		}
		for _, filter := range []types.Filter{nameFilter("association.allocation-id", aws.ToString(alloc.AllocationId)),
			nameFilter("association.public-ip", ip), nameFilter("addresses.association.public-ip", ip)} {
			out, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filter}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.NetworkInterfaces) != 1 || aws.ToString(out.NetworkInterfaces[0].NetworkInterfaceId) != id {
				t.Errorf("DescribeNetworkInterfaces(%s) = %d interfaces, want the NAT gateway's", aws.ToString(filter.Name), len(out.NetworkInterfaces))
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		for range 4 {
			f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(b)})
		}
		var ids []string
		var token *string
		for pages := 0; ; pages++ {
			out, err := f.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(5), NextToken: token,
				Filters: []types.Filter{nameFilter("vpc-id", vpcID)}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.NetworkInterfaces) > 5 {
				t.Errorf("a page of 5 has %d interfaces", len(out.NetworkInterfaces))
			}
			for _, n := range out.NetworkInterfaces {
				ids = append(ids, aws.ToString(n.NetworkInterfaceId))
			}
			if token = out.NextToken; token == nil || pages > 5 {
				break
			}
		}
		if len(ids) != 7 || !sort.StringsAreSorted(ids) {
			t.Errorf("DescribeNetworkInterfaces by pages of 5 = %v, want 7 sorted ids", ids)
		}
	})

	for _, c := range []struct {
		name      string
		in        ec2.DescribeNetworkInterfacesInput
		code, msg string
	}{
		{"an unknown id", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{first, "eni-0123456789abcdef0"}},
			"InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist"},
		{"two unknown ids", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-0123456789abcdef0", "eni-0123456789abcdef1"}},
			"InvalidNetworkInterfaceID.NotFound", "The networkInterface IDs 'eni-0123456789abcdef0, eni-0123456789abcdef1' do not exist"},
		{"a malformed id", ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-1"}}, "InvalidNetworkInterfaceId.Malformed", `Invalid id: "eni-1" (expecting "eni-...")`},
		{"an unknown filter", ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{nameFilter("colour", "red")}}, "InvalidParameterValue", "The filter 'colour' is invalid"},
		{"DryRun", ec2.DescribeNetworkInterfacesInput{DryRun: aws.Bool(true)}, "DryRunOperation", ""},
	} {
		t.Run("answers "+c.name, func(t *testing.T) {
			_, err := f.EC2.DescribeNetworkInterfaces(ctx, &c.in)
			wantError(t, "DescribeNetworkInterfaces("+c.name+")", err, c.code, c.msg)
		})
	}
	t.Run("denies a user without permission", func(t *testing.T) {
		_, err := f.userClient(t, "nobody", "").DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{})
		wantError(t, "DescribeNetworkInterfaces by a user without permission", err, "UnauthorizedOperation", "")
	})
}

func TestNetworkInterfaceDelete(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnet := f.newSubnet(t, vpcID, "10.0.1.0/24")
	free := f.freeAddresses(t, subnet)
	id := aws.ToString(f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet), SecondaryPrivateIpAddressCount: aws.Int32(2)}).NetworkInterfaceId)
	if got := f.freeAddresses(t, subnet); got != free-3 {
		t.Errorf("AvailableIpAddressCount with an interface of three addresses = %d, want %d", got, free-3)
	}

	t.Run("DryRun and denial", func(t *testing.T) {
		_, err := f.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id), DryRun: aws.Bool(true)})
		wantError(t, "DeleteNetworkInterface with DryRun", err, "DryRunOperation", "")
		_, err = f.userClient(t, "nobody", "").DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id)})
		wantError(t, "DeleteNetworkInterface by a user without permission", err, "UnauthorizedOperation", "")
		f.describeENI(t, id)
	})

	t.Run("deletes and gives the addresses back", func(t *testing.T) {
		if _, err := f.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		if got := f.freeAddresses(t, subnet); got != free {
			t.Errorf("AvailableIpAddressCount after the delete = %d, want %d", got, free)
		}
		_, err := f.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(id)})
		wantError(t, "DeleteNetworkInterface of a deleted interface", err, "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '"+id+"' does not exist")
	})

	t.Run("refuses a service's interface", func(t *testing.T) {
		nat, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnet), ConnectivityType: types.ConnectivityTypePrivate})
		if err != nil {
			t.Fatal(err)
		}
		eni := aws.ToString(nat.NatGateway.NatGatewayAddresses[0].NetworkInterfaceId)
		_, err = f.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni)})
		wantError(t, "DeleteNetworkInterface of a NAT gateway's interface", err, "InvalidParameterValue", "Network interface '"+eni+"' is currently in use.")
		att := f.describeENI(t, eni).Attachment
		_, err = f.EC2.DetachNetworkInterface(ctx, &ec2.DetachNetworkInterfaceInput{AttachmentId: att.AttachmentId})
		wantError(t, "DetachNetworkInterface of a NAT gateway's interface", err, "OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments.")
	})

	_, err := f.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String("eni-x")})
	wantError(t, "DeleteNetworkInterface of a malformed id", err, "InvalidNetworkInterfaceId.Malformed", `Invalid id: "eni-x" (expecting "eni-...")`)
}

func TestNetworkInterfaceAttach(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnet := f.newSubnet(t, vpcID, "10.0.1.0/24")
	id := aws.ToString(f.eni(t, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet)}).NetworkInterfaceId)
	nat, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnet), ConnectivityType: types.ConnectivityTypePrivate})
	if err != nil {
		t.Fatal(err)
	}
	busy := aws.ToString(nat.NatGateway.NatGatewayAddresses[0].NetworkInterfaceId)

	for _, c := range []struct {
		name, eni, instance, code, msg string
	}{
		{"an instance sagebox cannot have", id, "i-0123456789abcdef0", "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"},
		{"a malformed instance id", id, "instance-1", "InvalidInstanceID.Malformed", `Invalid id: "instance-1" (expecting "i-...")`},
		{"an interface that does not exist", "eni-0123456789abcdef0", "i-0123456789abcdef0", "InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-0123456789abcdef0' does not exist"},
		{"an interface in use", busy, "i-0123456789abcdef0", "InvalidNetworkInterface.InUse", "Interface: [" + busy + "] in use."},
	} {
		t.Run("answers "+c.name, func(t *testing.T) {
			_, err := f.EC2.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: aws.String(c.eni), InstanceId: aws.String(c.instance), DeviceIndex: aws.Int32(1)})
			wantError(t, "AttachNetworkInterface("+c.name+")", err, c.code, c.msg)
		})
	}
	t.Run("DryRun and denial", func(t *testing.T) {
		in := &ec2.AttachNetworkInterfaceInput{NetworkInterfaceId: aws.String(id), InstanceId: aws.String("i-0123456789abcdef0"), DeviceIndex: aws.Int32(1), DryRun: aws.Bool(true)}
		_, err := f.EC2.AttachNetworkInterface(ctx, in)
		wantError(t, "AttachNetworkInterface with DryRun", err, "DryRunOperation", "")
		c := f.userClient(t, "interfacesonly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:AttachNetworkInterface","Resource":"arn:aws:ec2:*:*:network-interface/*"}]}`)
		_, err = c.AttachNetworkInterface(ctx, in)
		wantError(t, "AttachNetworkInterface without permission on the instance", err, "UnauthorizedOperation", "")
	})

	for _, c := range []struct {
		name, attachment, code, msg string
	}{
		{"an attachment that does not exist", "eni-attach-0123456789abcdef0", "InvalidAttachmentID.NotFound", "The attachment ID 'eni-attach-0123456789abcdef0' does not exist"},
		{"a malformed attachment id", id, "InvalidNetworkInterfaceAttachmentId.Malformed", `Invalid id: "` + id + `" (expecting "eni-attach-...")`},
	} {
		t.Run("detach answers "+c.name, func(t *testing.T) {
			_, err := f.EC2.DetachNetworkInterface(ctx, &ec2.DetachNetworkInterfaceInput{AttachmentId: aws.String(c.attachment)})
			wantError(t, "DetachNetworkInterface("+c.name+")", err, c.code, c.msg)
		})
	}
	t.Run("detach with DryRun", func(t *testing.T) {
		_, err := f.EC2.DetachNetworkInterface(ctx, &ec2.DetachNetworkInterfaceInput{AttachmentId: aws.String("eni-attach-0123456789abcdef0"), DryRun: aws.Bool(true)})
		wantError(t, "DetachNetworkInterface with DryRun", err, "DryRunOperation", "")
	})
}
