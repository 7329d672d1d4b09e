package ec2_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagebox/sagebox/internal/app"
)

// startLifecycles runs a sagebox whose lifecycles take their real time (LifecycleScale 1), so that a NAT gateway is
// seen pending and deleting.
func startLifecycles(t testing.TB) *fixture {
	t.Helper()
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 1
	cfg.Log = slog.New(slog.DiscardHandler)
	runCtx, cancel := context.WithCancel(context.Background())
	a, err := app.New(runCtx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(runCtx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		a.Close()
	})
	f := &fixture{App: a, URL: "http://" + ln.Addr().String()}
	f.EC2 = ec2.NewFromConfig(f.Config("test", "test", ""))
	return f
}

// serverClockSigner signs requests with the server's clock, so that a client keeps working after a test moves
// that clock forward by more than the 15 minutes of skew a signature may have.
type serverClockSigner struct {
	f      *fixture
	signer *v4.Signer
}

func (s serverClockSigner) SignHTTP(ctx context.Context, credentials aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.signer.SignHTTP(ctx, credentials, r, payloadHash, service, region, s.f.Now(), optFns...)
}

// clientOnServerClock returns a root client that signs with the server's clock.
func (f *fixture) clientOnServerClock() *ec2.Client {
	return ec2.NewFromConfig(f.Config("test", "test", ""), func(o *ec2.Options) {
		o.HTTPSignerV4 = serverClockSigner{f: f, signer: v4.NewSigner()}
	})
}

// gatewayNAT describes one NAT gateway.
func gatewayNAT(t testing.TB, c *ec2.Client, id string) types.NatGateway {
	t.Helper()
	out, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeNatGateways(%s): %v", id, err)
	}
	if len(out.NatGateways) != 1 {
		t.Fatalf("DescribeNatGateways(%s) = %d gateways, want 1", id, len(out.NatGateways))
	}
	return out.NatGateways[0]
}

// gatewayAddress describes one Elastic IP.
func gatewayAddress(t testing.TB, c *ec2.Client, id string) types.Address {
	t.Helper()
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{id}})
	if err != nil {
		t.Fatalf("DescribeAddresses(%s): %v", id, err)
	}
	if len(out.Addresses) != 1 {
		t.Fatalf("DescribeAddresses(%s) = %d addresses, want 1", id, len(out.Addresses))
	}
	return out.Addresses[0]
}

// gatewayAllocate allocates an Elastic IP and returns its allocation id.
func gatewayAllocate(t testing.TB, c *ec2.Client) string {
	t.Helper()
	out, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.AllocationId)
}

// gatewayFreeAddresses returns a subnet's AvailableIpAddressCount.
func gatewayFreeAddresses(t testing.TB, f *fixture, subnetID string) int32 {
	t.Helper()
	out, err := f.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnetID}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToInt32(out.Subnets[0].AvailableIpAddressCount)
}

func TestInternetGateways(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	otherVPC := f.newVPC(t, "10.1.0.0/16")
	out, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tagSpec(types.ResourceTypeInternetGateway, "Name", "edge")})
	if err != nil {
		t.Fatal(err)
	}
	g := out.InternetGateway
	id := aws.ToString(g.InternetGatewayId)
	if !ec2ID.MatchString(id) || !strings.HasPrefix(id, "igw-") || aws.ToString(g.OwnerId) != "000000000000" ||
		len(g.Attachments) != 0 || tagMap(g.Tags)["Name"] != "edge" {
		t.Errorf("CreateInternetGateway = %s owner %s, %d attachments, tags %v; want igw-…, 000000000000, none, Name=edge",
			id, aws.ToString(g.OwnerId), len(g.Attachments), tagMap(g.Tags))
	}
	if _, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &id, VpcId: &vpcID}); err != nil {
		t.Fatal(err)
	}
	d, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if a := d.InternetGateways[0].Attachments; len(a) != 1 || aws.ToString(a[0].VpcId) != vpcID || a[0].State != types.AttachmentStatus("available") {
		t.Errorf("the attached gateway's attachments = %+v, want %s available", a, vpcID)
	}
	second, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	secondID := aws.ToString(second.InternetGateway.InternetGatewayId)
	missing := "igw-0123456789abcdef0"
	for _, tc := range []struct {
		name          string
		call          func() error
		code, message string
	}{
		{"attaching an attached gateway", func() error {
			_, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &id, VpcId: &otherVPC})
			return err
		}, "Resource.AlreadyAssociated", fmt.Sprintf("resource %s is already attached to network %s", id, vpcID)},
		{"a second gateway for a VPC", func() error {
			_, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &secondID, VpcId: &vpcID})
			return err
		}, "InvalidParameterValue", fmt.Sprintf("Network %s already has an internet gateway attached", vpcID)},
		{"attaching a gateway that does not exist", func() error {
			_, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &missing, VpcId: &vpcID})
			return err
		}, "InvalidInternetGatewayID.NotFound", "The internetGateway ID 'igw-0123456789abcdef0' does not exist"},
		{"attaching to a VPC that does not exist", func() error {
			_, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &secondID, VpcId: aws.String("vpc-0123456789abcdef0")})
			return err
		}, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0123456789abcdef0' does not exist"},
		{"detaching from a VPC it is not attached to", func() error {
			_, err := f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &id, VpcId: &otherVPC})
			return err
		}, "Gateway.NotAttached", fmt.Sprintf("resource %s is not attached to network %s", id, otherVPC)},
		{"detaching a detached gateway", func() error {
			_, err := f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &secondID, VpcId: &vpcID})
			return err
		}, "Gateway.NotAttached", fmt.Sprintf("resource %s is not attached to network %s", secondID, vpcID)},
		{"deleting an attached gateway", func() error {
			_, err := f.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: &id})
			return err
		}, "DependencyViolation", fmt.Sprintf("The internetGateway '%s' has dependencies and cannot be deleted.", id)},
		{"deleting a gateway that does not exist", func() error {
			_, err := f.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: &missing})
			return err
		}, "InvalidInternetGatewayID.NotFound", "The internetGateway ID 'igw-0123456789abcdef0' does not exist"},
		{"deleting with a malformed id", func() error {
			_, err := f.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String("nat-1")})
			return err
		}, "InvalidInternetGatewayId.Malformed", `Invalid id: "nat-1" (expecting "igw-...")`},
		{"describing a gateway that does not exist", func() error {
			_, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{id, missing}})
			return err
		}, "InvalidInternetGatewayID.NotFound", "The internetGateway ID 'igw-0123456789abcdef0' does not exist"},
		{"describing with an unknown filter", func() error {
			_, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{nameFilter("attachment.colour", "x")}})
			return err
		}, "InvalidParameterValue", "The filter 'attachment.colour' is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message)
		})
	}
	t.Run("detach and delete", func(t *testing.T) {
		if _, err := f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &id, VpcId: &vpcID}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &secondID, VpcId: &vpcID}); err != nil {
			t.Errorf("attaching another gateway once the first left = %v, want it attached", err)
		}
		if _, err := f.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: &id}); err != nil {
			t.Fatal(err)
		}
		_, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{id}})
		wantError(t, "DescribeInternetGateways of a deleted gateway", err, "InvalidInternetGatewayID.NotFound", "")
	})
}

func TestDescribeInternetGatewaysFilters(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	attached := routingIGW(t, f, vpcID)
	tagged, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tagSpec(types.ResourceTypeInternetGateway, "Name", "spare")})
	if err != nil {
		t.Fatal(err)
	}
	spare := aws.ToString(tagged.InternetGateway.InternetGatewayId)
	def := defaultVPC(t, f.EC2)
	all, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})
	if err != nil {
		t.Fatal(err)
	}
	var defaultIGW string
	var everyID []string
	for _, g := range all.InternetGateways {
		everyID = append(everyID, aws.ToString(g.InternetGatewayId))
		if len(g.Attachments) == 1 && aws.ToString(g.Attachments[0].VpcId) == aws.ToString(def.VpcId) {
			defaultIGW = aws.ToString(g.InternetGatewayId)
		}
	}
	if defaultIGW == "" || len(everyID) != 3 {
		t.Fatalf("DescribeInternetGateways = %v, want the default VPC's gateway and the 2 made", everyID)
	}
	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"attachment.vpc-id", []types.Filter{nameFilter("attachment.vpc-id", vpcID)}, []string{attached}},
		{"attachment.state", []types.Filter{nameFilter("attachment.state", "available")}, []string{attached, defaultIGW}},
		{"internet-gateway-id", []types.Filter{nameFilter("internet-gateway-id", spare)}, []string{spare}},
		{"owner-id", []types.Filter{nameFilter("owner-id", "000000000000")}, everyID},
		{"tag:Name", []types.Filter{nameFilter("tag:Name", "spa*")}, []string{spare}},
		{"tag-key", []types.Filter{nameFilter("tag-key", "Name")}, []string{spare}},
		{"another account's owner", []types.Filter{nameFilter("owner-id", "111111111111")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range out.InternetGateways {
				got = append(got, aws.ToString(g.InternetGatewayId))
			}
			if !sameSet(got, tc.want) {
				t.Errorf("DescribeInternetGateways %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		for range 4 {
			if _, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{}); err != nil {
				t.Fatal(err)
			}
		}
		p := ec2.NewDescribeInternetGatewaysPaginator(f.EC2, &ec2.DescribeInternetGatewaysInput{MaxResults: aws.Int32(5)})
		var seen []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, g := range out.InternetGateways {
				seen = append(seen, aws.ToString(g.InternetGatewayId))
			}
		}
		if pages != 2 || len(seen) != 7 || len(dedupe(seen)) != 7 {
			t.Errorf("DescribeInternetGateways in pages of 5 = %d pages, %v; want 2 pages of 7 distinct gateways", pages, seen)
		}
	})
}

func TestNatGateways(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	igwID := routingIGW(t, f, vpcID)
	eip := gatewayAllocate(t, f.EC2)
	free := gatewayFreeAddresses(t, f, subnetID)

	out, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{
		SubnetId: &subnetID, AllocationId: &eip, TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "Name", "egress"),
	})
	if err != nil {
		t.Fatal(err)
	}
	n := out.NatGateway
	natID := aws.ToString(n.NatGatewayId)
	if !ec2ID.MatchString(natID) || !strings.HasPrefix(natID, "nat-") || n.State != types.NatGatewayStatePending ||
		n.ConnectivityType != types.ConnectivityTypePublic || aws.ToString(n.VpcId) != vpcID || aws.ToString(n.SubnetId) != subnetID ||
		tagMap(n.Tags)["Name"] != "egress" || n.CreateTime == nil {
		t.Errorf("CreateNatGateway = %s %s %s in %s/%s tags %v, want nat-… pending public in %s/%s, Name=egress",
			natID, n.State, n.ConnectivityType, aws.ToString(n.VpcId), aws.ToString(n.SubnetId), tagMap(n.Tags), vpcID, subnetID)
	}
	eipInfo := gatewayAddress(t, f.EC2, eip)
	got := gatewayNAT(t, f.EC2, natID)
	if got.State != types.NatGatewayStateAvailable {
		t.Errorf("the NAT gateway's state with instant lifecycles = %s, want available", got.State)
	}
	if len(got.NatGatewayAddresses) != 1 {
		t.Fatalf("NatGatewayAddresses = %+v, want one", got.NatGatewayAddresses)
	}
	a := got.NatGatewayAddresses[0]
	eniID := aws.ToString(a.NetworkInterfaceId)
	private, perr := netip.ParseAddr(aws.ToString(a.PrivateIp))
	if aws.ToString(a.AllocationId) != eip || aws.ToString(a.PublicIp) != aws.ToString(eipInfo.PublicIp) ||
		!strings.HasPrefix(eniID, "eni-") || perr != nil || !netip.MustParsePrefix("10.0.1.0/24").Contains(private) ||
		!aws.ToBool(a.IsPrimary) || a.Status != types.NatGatewayAddressStatusSucceeded || !strings.HasPrefix(aws.ToString(a.AssociationId), "eipassoc-") {
		t.Errorf("the NAT gateway's address = %+v, want %s with its public address, an interface and a private address in the subnet", a, eip)
	}
	if eipInfo.AssociationId == nil || aws.ToString(eipInfo.NetworkInterfaceId) != eniID || aws.ToString(eipInfo.PrivateIpAddress) != aws.ToString(a.PrivateIp) {
		t.Errorf("the Elastic IP of a NAT gateway = %+v, want it associated with %s", eipInfo, eniID)
	}
	if now := gatewayFreeAddresses(t, f, subnetID); now != free-1 {
		t.Errorf("the subnet's free addresses with a NAT gateway = %d, want %d", now, free-1)
	}

	t.Run("refusals", func(t *testing.T) {
		other := gatewayAllocate(t, f.EC2)
		for _, tc := range []struct {
			name          string
			in            *ec2.CreateNatGatewayInput
			code, message string
		}{
			{"a public gateway without an Elastic IP", &ec2.CreateNatGatewayInput{SubnetId: &subnetID},
				"MissingParameter", "The request must contain the parameter allocationId"},
			{"a private gateway with an Elastic IP", &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &other, ConnectivityType: types.ConnectivityTypePrivate},
				"InvalidParameterCombination", "The parameter allocationId cannot be used with the parameter connectivityType private"},
			{"an Elastic IP that does not exist", &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: aws.String("eipalloc-0123456789abcdef0")},
				"InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0123456789abcdef0' does not exist"},
			{"a subnet that does not exist", &ec2.CreateNatGatewayInput{SubnetId: aws.String("subnet-0123456789abcdef0"), AllocationId: &other},
				"InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"},
			{"no subnet", &ec2.CreateNatGatewayInput{AllocationId: &other},
				"MissingParameter", "The request must contain the parameter subnetId"},
			{"an address outside the subnet", &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &other, PrivateIpAddress: aws.String("10.0.2.10")},
				"InvalidParameterValue", "Address 10.0.2.10 does not fall within the subnet's address range"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.EC2.CreateNatGateway(ctx, tc.in)
				wantError(t, tc.name, err, tc.code, tc.message)
			})
		}
		_, err := f.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{"nat-0123456789abcdef0"}})
		wantError(t, "DescribeNatGateways of a gateway that does not exist", err, "NatGatewayNotFound", "NAT gateway nat-0123456789abcdef0 was not found")
		_, err = f.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String("nat-0123456789abcdef0")})
		wantError(t, "DeleteNatGateway of a gateway that does not exist", err, "NatGatewayNotFound", "NAT gateway nat-0123456789abcdef0 was not found")
		_, err = f.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &eip})
		wantError(t, "ReleaseAddress of a NAT gateway's Elastic IP", err, "AuthFailure", "You do not have permission to access the specified resource.")
		_, err = f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &igwID, VpcId: &vpcID})
		wantError(t, "DetachInternetGateway while a NAT gateway maps a public address", err, "DependencyViolation",
			fmt.Sprintf("Network %s has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.", vpcID))
	})

	t.Run("a gateway whose Elastic IP is taken fails", func(t *testing.T) {
		out, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &eip})
		if err != nil {
			t.Fatal(err)
		}
		failed := gatewayNAT(t, f.EC2, aws.ToString(out.NatGateway.NatGatewayId))
		if failed.State != types.NatGatewayStateFailed || aws.ToString(failed.FailureCode) != "Resource.AlreadyAssociated" ||
			aws.ToString(failed.FailureMessage) != fmt.Sprintf("Elastic IP address [%s] is already associated", eip) {
			t.Errorf("a NAT gateway with a taken Elastic IP = %s %s %q, want failed Resource.AlreadyAssociated", failed.State,
				aws.ToString(failed.FailureCode), aws.ToString(failed.FailureMessage))
		}
	})

	t.Run("delete", func(t *testing.T) {
		d, err := f.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: &natID})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.NatGatewayId) != natID {
			t.Errorf("DeleteNatGateway = %s, want %s", aws.ToString(d.NatGatewayId), natID)
		}
		deleted := gatewayNAT(t, f.EC2, natID)
		if deleted.State != types.NatGatewayStateDeleted || deleted.DeleteTime == nil {
			t.Errorf("the deleted NAT gateway = %s, delete time %v; want deleted, with its time", deleted.State, deleted.DeleteTime)
		}
		if _, err := f.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: &natID}); err != nil {
			t.Errorf("DeleteNatGateway of a deleted gateway = %v, want it accepted", err)
		}
		if a := gatewayAddress(t, f.EC2, eip); a.AssociationId != nil || a.NetworkInterfaceId != nil {
			t.Errorf("the Elastic IP of a deleted NAT gateway = %+v, want it unassociated", a)
		}
		if now := gatewayFreeAddresses(t, f, subnetID); now != free {
			t.Errorf("the subnet's free addresses after the NAT gateway = %d, want %d", now, free)
		}
		if _, err := f.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &igwID, VpcId: &vpcID}); err != nil {
			t.Errorf("DetachInternetGateway once the NAT gateway is gone = %v, want it detached", err)
		}
		if _, err := f.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &eip}); err != nil {
			t.Errorf("ReleaseAddress once the NAT gateway is gone = %v, want it released", err)
		}
	})
	t.Run("a public gateway in a VPC without an internet gateway fails", func(t *testing.T) {
		again := gatewayAllocate(t, f.EC2)
		out, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &again})
		if err != nil {
			t.Fatal(err)
		}
		failed := gatewayNAT(t, f.EC2, aws.ToString(out.NatGateway.NatGatewayId))
		if failed.State != types.NatGatewayStateFailed || aws.ToString(failed.FailureCode) != "Gateway.NotAttached" ||
			aws.ToString(failed.FailureMessage) != fmt.Sprintf("Network %s has no Internet gateway attached", vpcID) {
			t.Errorf("a public NAT gateway without an internet gateway = %s %s %q, want failed Gateway.NotAttached", failed.State,
				aws.ToString(failed.FailureCode), aws.ToString(failed.FailureMessage))
		}
		if a := gatewayAddress(t, f.EC2, again); a.AssociationId != nil {
			t.Errorf("the Elastic IP of a failed NAT gateway = %+v, want it unassociated", a)
		}
	})
	t.Run("deleted and failed gateways are gone after an hour", func(t *testing.T) {
		c := f.clientOnServerClock()
		f.Advance(61 * time.Minute)
		_, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{natID}})
		wantError(t, "DescribeNatGateways of a gateway deleted an hour ago", err, "NatGatewayNotFound", fmt.Sprintf("NAT gateway %s was not found", natID))
		out, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: []types.Filter{nameFilter("vpc-id", vpcID)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.NatGateways) != 0 {
			t.Errorf("DescribeNatGateways an hour later = %d gateways, want none", len(out.NatGateways))
		}
	})
}

func TestNatGatewayLifecycle(t *testing.T) {
	f := startLifecycles(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	routingIGW(t, f, vpcID)
	eip := gatewayAllocate(t, f.EC2)
	c := f.clientOnServerClock()
	out, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &eip})
	if err != nil {
		t.Fatal(err)
	}
	natID := aws.ToString(out.NatGateway.NatGatewayId)
	n := gatewayNAT(t, c, natID)
	if n.State != types.NatGatewayStatePending || n.NatGatewayAddresses[0].Status != types.NatGatewayAddressStatusAssociating {
		t.Errorf("a new NAT gateway = %s (address %s), want pending (associating)", n.State, n.NatGatewayAddresses[0].Status)
	}
	f.Advance(2 * time.Minute)
	if n := gatewayNAT(t, c, natID); n.State != types.NatGatewayStateAvailable {
		t.Errorf("the NAT gateway two minutes later = %s, want available", n.State)
	}
	if _, err := c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: &natID}); err != nil {
		t.Fatal(err)
	}
	if n := gatewayNAT(t, c, natID); n.State != types.NatGatewayStateDeleting {
		t.Errorf("the NAT gateway just after DeleteNatGateway = %s, want deleting", n.State)
	}
	// Until the gateway is deleted, its Elastic IP stays with it.
	_, err = c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &eip})
	wantError(t, "ReleaseAddress while the NAT gateway is deleting", err, "AuthFailure", "You do not have permission to access the specified resource.")
	f.Advance(2 * time.Minute)
	if n := gatewayNAT(t, c, natID); n.State != types.NatGatewayStateDeleted {
		t.Errorf("the NAT gateway two minutes after DeleteNatGateway = %s, want deleted", n.State)
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &eip}); err != nil {
		t.Errorf("ReleaseAddress once the NAT gateway is deleted = %v, want it released", err)
	}
}

func TestNatGatewayQuota(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	for range 5 {
		routingPrivateNAT(t, f, subnetID)
	}
	_, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, ConnectivityType: types.ConnectivityTypePrivate})
	wantError(t, "a sixth NAT gateway in a zone", err, "NatGatewayLimitExceeded", "Performing this operation would exceed the limit of 5 NAT gateways")
}

func TestDescribeNatGatewaysFilters(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	a := f.newSubnet(t, vpcID, "10.0.1.0/24")
	b := f.newSubnet(t, vpcID, "10.0.2.0/24")
	natA, _ := routingPrivateNAT(t, f, a)
	tagged, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &b, ConnectivityType: types.ConnectivityTypePrivate,
		TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "Name", "b")})
	if err != nil {
		t.Fatal(err)
	}
	natB := aws.ToString(tagged.NatGateway.NatGatewayId)
	gone, _ := routingPrivateNAT(t, f, b)
	if _, err := f.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: &gone}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"vpc-id", []types.Filter{nameFilter("vpc-id", vpcID)}, []string{natA, natB, gone}},
		{"subnet-id", []types.Filter{nameFilter("subnet-id", b)}, []string{natB, gone}},
		{"state available", []types.Filter{nameFilter("state", "available")}, []string{natA, natB}},
		{"state deleted", []types.Filter{nameFilter("state", "deleted")}, []string{gone}},
		{"nat-gateway-id", []types.Filter{nameFilter("nat-gateway-id", natA)}, []string{natA}},
		{"tag:Name", []types.Filter{nameFilter("tag:Name", "b")}, []string{natB}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range out.NatGateways {
				got = append(got, aws.ToString(n.NatGatewayId))
			}
			if !sameSet(got, tc.want) {
				t.Errorf("DescribeNatGateways %s = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	_, err = f.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: []types.Filter{nameFilter("connectivity", "private")}})
	wantError(t, "DescribeNatGateways with an unknown filter", err, "InvalidParameterValue", "The filter 'connectivity' is invalid")
	t.Run("pages", func(t *testing.T) {
		for range 3 {
			routingPrivateNAT(t, f, a)
		}
		p := ec2.NewDescribeNatGatewaysPaginator(f.EC2, &ec2.DescribeNatGatewaysInput{MaxResults: aws.Int32(5)})
		var seen []string
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, n := range out.NatGateways {
				seen = append(seen, aws.ToString(n.NatGatewayId))
			}
		}
		if pages != 2 || len(dedupe(seen)) != 6 || len(seen) != 6 {
			t.Errorf("DescribeNatGateways in pages of 5 = %d pages, %v; want 2 pages of 6 distinct gateways", pages, seen)
		}
	})
}

func TestGatewaysAuthorization(t *testing.T) {
	f := start(t)
	vpcID := f.newVPC(t, "10.0.0.0/16")
	subnetID := f.newSubnet(t, vpcID, "10.0.1.0/24")
	routingIGW(t, f, vpcID)
	eip := gatewayAllocate(t, f.EC2)
	// The user may make NAT gateways in the subnet only, with any Elastic IP, and must tag them with the team.
	u := f.userClient(t, "networker", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:CreateNatGateway","Resource":"arn:aws:ec2:us-east-1:000000000000:natgateway/*",
		 "Condition":{"StringEquals":{"aws:RequestTag/team":"ml"}}},
		{"Effect":"Allow","Action":"ec2:CreateNatGateway","Resource":["arn:aws:ec2:us-east-1:000000000000:subnet/%s","arn:aws:ec2:us-east-1:000000000000:elastic-ip/*"]},
		{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:ec2:us-east-1:000000000000:natgateway/*",
		 "Condition":{"StringEquals":{"ec2:CreateAction":"CreateNatGateway"}}}]}`, subnetID))
	_, err := u.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &eip})
	wantError(t, "CreateNatGateway without the team tag", err, "UnauthorizedOperation", "")
	if _, err := u.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &subnetID, AllocationId: &eip,
		TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "team", "ml")}); err != nil {
		t.Errorf("CreateNatGateway with the team tag = %v, want it allowed", err)
	}
	other := f.newSubnet(t, vpcID, "10.0.2.0/24")
	_, err = u.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &other, ConnectivityType: types.ConnectivityTypePrivate,
		TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "team", "ml")})
	wantError(t, "CreateNatGateway in another subnet", err, "UnauthorizedOperation", "")
	// AttachInternetGateway asks on the gateway and on the VPC.
	igw, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	onlyGateway := f.userClient(t, "gatekeeper", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:AttachInternetGateway","Resource":"arn:aws:ec2:us-east-1:000000000000:internet-gateway/*"}]}`)
	other2 := f.newVPC(t, "10.3.0.0/16")
	_, err = onlyGateway.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: &other2})
	wantError(t, "AttachInternetGateway allowed on the gateway but not on the VPC", err, "UnauthorizedOperation", "")
}
