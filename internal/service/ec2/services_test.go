package ec2

// The API other services use (services.go), over a real store seeded through EC2's own operations.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

const (
	svcAccount = "123456789012"
	svcRegion  = "us-east-1"
)

var svcNow = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// svcAllow allows every request, so that the seeding calls run as the account's root.
type svcAllow struct{}

func (svcAllow) Authorize(_ context.Context, _ *api.Call, a *api.Authorization) (api.Decision, error) {
	return api.Decision{Allowed: true, Effect: "allow", Reason: "allowed by the test", Action: a.Action}, nil
}

// svcWorld is EC2 on an in-memory store, for a service that calls it.
type svcWorld struct {
	t  *testing.T
	s  *Service
	st store.Store
}

func newSvcWorld(t *testing.T) *svcWorld {
	t.Helper()
	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &svcWorld{t: t, s: New(Config{IDs: ids.Seeded(11), Store: st, Clock: clock.NewManual(svcNow)}), st: st}
}

// call runs an EC2 operation as the account's root and commits it.
func svcCall[In, Out any](w *svcWorld, fn func(context.Context, *api.Call, *In) (*Out, error), in *In) *Out {
	w.t.Helper()
	ctx := context.Background()
	c := api.NewCall(ctx, svcAllow{}, w.st, true)
	c.Service, c.Operation, c.Region, c.Now = "ec2", "Seed", svcRegion, svcNow
	c.Principal = &api.Principal{Type: api.Root, Account: svcAccount, ARN: "arn:aws:iam::" + svcAccount + ":root", UserID: svcAccount}
	out, err := fn(ctx, c, in)
	if ferr := c.Finish(err == nil); ferr != nil {
		w.t.Fatalf("commit: %v", ferr)
	}
	if err != nil {
		w.t.Fatalf("%T: %v", in, err)
	}
	return out
}

// tx runs fn in a transaction of its own, as the calling service would, and commits it when fn succeeds.
func (w *svcWorld) tx(fn func(t store.Tx) error) error {
	w.t.Helper()
	tx, err := w.st.Begin(context.Background(), true)
	if err != nil {
		w.t.Fatal(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// svcErrorIs reports whether err is the EC2 error with the code.
func svcErrorIs(err error, code string) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == code
}

func TestServiceInterfaces(t *testing.T) {
	w := newSvcWorld(t)
	if err := w.s.EnsureDefaults(context.Background(), svcAccount, svcRegion); err != nil {
		t.Fatal(err)
	}
	vpcOut := svcCall(w, w.s.createVpc, &CreateVpcInput{CidrBlock: ptr("10.0.0.0/16")})
	vpcID := *vpcOut.Vpc.VpcId
	subnetID := *svcCall(w, w.s.createSubnet, &CreateSubnetInput{VpcId: vpcID, CidrBlock: ptr("10.0.1.0/28"), AvailabilityZone: ptr("us-east-1b")}).Subnet.SubnetId
	group := *svcCall(w, w.s.createSecurityGroup, &CreateSecurityGroupInput{VpcId: ptr(vpcID), GroupName: "studio", Description: "Studio"}).GroupId
	svcCall(w, w.s.authorizeSecurityGroupIngress, &AuthorizeSecurityGroupIngressInput{GroupId: ptr(group), IpPermissions: []*IpPermission{
		{IpProtocol: ptr("tcp"), FromPort: ptr(int32(2049)), ToPort: ptr(int32(2049)), UserIdGroupPairs: []*UserIdGroupPair{{GroupId: ptr(group), Description: ptr("NFS")}}},
	}})
	defaultVPC := svcCall(w, w.s.describeVpcs, &DescribeVpcsInput{Filters: []*Filter{{Name: ptr("is-default"), Values: []string{"true"}}}}).Vpcs[0]
	stranger := *defaultVPC.VpcId

	t.Run("SubnetInfo", func(t *testing.T) {
		var info *SubnetInfo
		err := w.tx(func(tx store.Tx) (err error) {
			info, err = w.s.SubnetInfo(tx, svcAccount, svcRegion, subnetID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := SubnetInfo{ID: subnetID, VPCID: vpcID, Zone: "us-east-1b", ZoneID: "use1-az2", CIDR: "10.0.1.0/28", AvailableAddresses: 11}
		if *info != want {
			t.Errorf("SubnetInfo = %+v, want %+v", *info, want)
		}
		err = w.tx(func(tx store.Tx) error {
			_, err := w.s.SubnetInfo(tx, svcAccount, svcRegion, "subnet-0123456789abcdef0")
			return err
		})
		if !svcErrorIs(err, "InvalidSubnetID.NotFound") {
			t.Errorf("SubnetInfo of an unknown subnet = %v, want InvalidSubnetID.NotFound", err)
		}
	})

	t.Run("SecurityGroupInfo", func(t *testing.T) {
		var info *SecurityGroupInfo
		if err := w.tx(func(tx store.Tx) (err error) {
			info, err = w.s.SecurityGroupInfo(tx, svcAccount, svcRegion, group)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if info.VPCID != vpcID || info.Name != "studio" || info.Description != "Studio" || len(info.Ingress) != 1 || len(info.Egress) != 1 {
			t.Fatalf("SecurityGroupInfo = %+v, want studio of %s with one rule each way", info, vpcID)
		}
		in, out := info.Ingress[0], info.Egress[0]
		if in.Protocol != "tcp" || in.FromPort != 2049 || in.ToPort != 2049 || in.GroupID != group || in.Description != "NFS" || !strings.HasPrefix(in.ID, "sgr-") {
			t.Errorf("the ingress rule = %+v, want NFS from the group itself", in)
		}
		if out.Protocol != "-1" || out.CIDR != "0.0.0.0/0" || out.FromPort != -1 {
			t.Errorf("the egress rule = %+v, want all traffic to 0.0.0.0/0", out)
		}
		err := w.tx(func(tx store.Tx) error {
			_, err := w.s.SecurityGroupInfo(tx, svcAccount, svcRegion, "sg-0123456789abcdef0")
			return err
		})
		if !svcErrorIs(err, "InvalidGroup.NotFound") {
			t.Errorf("SecurityGroupInfo of an unknown group = %v, want InvalidGroup.NotFound", err)
		}
	})

	var made *InterfaceInfo
	t.Run("CreateServiceInterface", func(t *testing.T) {
		err := w.tx(func(tx store.Tx) (err error) {
			made, err = w.s.CreateServiceInterface(tx, svcAccount, svcRegion, ServiceInterface{
				SubnetID: subnetID, GroupIDs: []string{group}, Description: "EFS mount target for fs-0123456789abcdef0 (fsmt-0123456789abcdef0)",
				RequesterID: "AROAEXAMPLE:efs", Tags: map[string]string{"b": "2", "a": "1"},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if made.PrivateIP != "10.0.1.4" || made.PrivateDNSName != "ip-10-0-1-4.ec2.internal" || made.VPCID != vpcID || made.Zone != "us-east-1b" ||
			!made.RequesterManaged || made.RequesterID != "AROAEXAMPLE:efs" || len(made.GroupIDs) != 1 || made.GroupIDs[0] != group {
			t.Errorf("CreateServiceInterface = %+v, want 10.0.1.4 in %s, requester-managed by AROAEXAMPLE:efs, with the group", made, subnetID)
		}
		out := svcCall(w, w.s.describeNetworkInterfaces, &DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{made.ID}})
		n := out.NetworkInterfaces[0]
		if *n.Status != "in-use" || n.Attachment == nil || !strings.HasPrefix(*n.Attachment.AttachmentId, "ela-attach-") ||
			!n.Attachment.AttachTime.Equal(svcNow) || *n.RequesterId != "AROAEXAMPLE:efs" || len(n.TagSet) != 2 || *n.TagSet[0].Key != "a" {
			t.Errorf("DescribeNetworkInterfaces of the service's interface = %+v, want in use, attached by the service at %v, with its tags", n, svcNow)
		}
		var info *SubnetInfo
		if err := w.tx(func(tx store.Tx) (err error) {
			info, err = w.s.SubnetInfo(tx, svcAccount, svcRegion, subnetID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if info.AvailableAddresses != 10 {
			t.Errorf("AvailableAddresses after the interface = %d, want 10", info.AvailableAddresses)
		}
		var again *InterfaceInfo
		if err := w.tx(func(tx store.Tx) (err error) {
			again, err = w.s.InterfaceInfo(tx, svcAccount, svcRegion, made.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if again.ID != made.ID || again.MAC != made.MAC || again.Description != made.Description {
			t.Errorf("InterfaceInfo = %+v, want %+v", again, made)
		}
	})

	t.Run("CreateServiceInterface without groups takes the default group", func(t *testing.T) {
		var n *InterfaceInfo
		if err := w.tx(func(tx store.Tx) (err error) {
			n, err = w.s.CreateServiceInterface(tx, svcAccount, svcRegion, ServiceInterface{SubnetID: subnetID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		v := svcCall(w, w.s.describeVpcs, &DescribeVpcsInput{VpcIds: []string{vpcID}})
		if len(n.GroupIDs) != 1 || !strings.HasPrefix(n.GroupIDs[0], "sg-") || n.GroupIDs[0] == group || *v.Vpcs[0].VpcId != vpcID {
			t.Errorf("GroupIDs of an interface made without groups = %v, want the VPC's default group", n.GroupIDs)
		}
	})

	otherGroup := *svcCall(w, w.s.createSecurityGroup, &CreateSecurityGroupInput{VpcId: ptr(stranger), GroupName: "elsewhere", Description: "d"}).GroupId
	for _, c := range []struct {
		name string
		in   ServiceInterface
		code string
	}{
		{"a subnet that does not exist", ServiceInterface{SubnetID: "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound"},
		{"a group that does not exist", ServiceInterface{SubnetID: subnetID, GroupIDs: []string{"sg-0123456789abcdef0"}}, "InvalidGroup.NotFound"},
		{"a group of another VPC", ServiceInterface{SubnetID: subnetID, GroupIDs: []string{otherGroup}}, "InvalidParameter"},
		{"six groups", ServiceInterface{SubnetID: subnetID, GroupIDs: []string{"sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"}}, "SecurityGroupsPerInterfaceLimitExceeded"},
	} {
		t.Run("CreateServiceInterface refuses "+c.name, func(t *testing.T) {
			err := w.tx(func(tx store.Tx) error {
				_, err := w.s.CreateServiceInterface(tx, svcAccount, svcRegion, c.in)
				return err
			})
			if !svcErrorIs(err, c.code) {
				t.Errorf("CreateServiceInterface(%s) = %v, want %s", c.name, err, c.code)
			}
		})
	}

	t.Run("CreateServiceInterface in a full subnet", func(t *testing.T) {
		err := w.tx(func(tx store.Tx) error {
			for {
				if _, err := w.s.CreateServiceInterface(tx, svcAccount, svcRegion, ServiceInterface{SubnetID: subnetID}); err != nil {
					return err
				}
			}
		})
		if !svcErrorIs(err, "InsufficientFreeAddressesInSubnet") {
			t.Errorf("CreateServiceInterface until the subnet is full = %v, want InsufficientFreeAddressesInSubnet", err)
		}
	})

	t.Run("DeleteServiceInterface", func(t *testing.T) {
		if err := w.tx(func(tx store.Tx) error { return w.s.DeleteServiceInterface(tx, svcAccount, svcRegion, made.ID) }); err != nil {
			t.Fatal(err)
		}
		var info *SubnetInfo
		if err := w.tx(func(tx store.Tx) (err error) {
			info, err = w.s.SubnetInfo(tx, svcAccount, svcRegion, subnetID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if info.AvailableAddresses != 10 {
			t.Errorf("AvailableAddresses after deleting one of two interfaces = %d, want 10", info.AvailableAddresses)
		}
		err := w.tx(func(tx store.Tx) error { return w.s.DeleteServiceInterface(tx, svcAccount, svcRegion, made.ID) })
		if !svcErrorIs(err, "InvalidNetworkInterfaceID.NotFound") {
			t.Errorf("DeleteServiceInterface of a deleted interface = %v, want InvalidNetworkInterfaceID.NotFound", err)
		}
		own := svcCall(w, w.s.createNetworkInterface, &CreateNetworkInterfaceInput{SubnetId: *defaultSubnet(t, w).SubnetId})
		err = w.tx(func(tx store.Tx) error {
			return w.s.DeleteServiceInterface(tx, svcAccount, svcRegion, *own.NetworkInterface.NetworkInterfaceId)
		})
		if !svcErrorIs(err, "InvalidParameterValue") {
			t.Errorf("DeleteServiceInterface of the account's own interface = %v, want InvalidParameterValue", err)
		}
	})
}

// defaultSubnet returns a default subnet of the region.
func defaultSubnet(t *testing.T, w *svcWorld) *Subnet {
	t.Helper()
	out := svcCall(w, w.s.describeSubnets, &DescribeSubnetsInput{Filters: []*Filter{{Name: ptr("default-for-az"), Values: []string{"true"}}}})
	if len(out.Subnets) == 0 {
		t.Fatal("the region has no default subnet")
	}
	return out.Subnets[0]
}
