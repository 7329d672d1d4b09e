package ec2

// Tests from inside the package: the default VPC every region gets (defaults.go), and what resources of the other
// areas — stored here as their documents, whatever the state of those areas' handlers — do to the VPC and subnet
// operations: dependencies that keep a VPC or subnet from going, what goes with them, and address accounting.
// The handlers run as the server runs them, in a call's transaction, under an authorizer that allows everything.

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
	testAccount = "000000000000"
	testRegion  = "us-east-1"
)

var testNow = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// allowAll is an authorizer that allows every request.
type allowAll struct{}

func (allowAll) Authorize(_ context.Context, _ *api.Call, a *api.Authorization) (api.Decision, error) {
	return api.Decision{Allowed: true, Effect: "allow", Reason: "allowed by the test", Action: a.Action}, nil
}

// world is a Service on an in-memory store.
type world struct {
	t  *testing.T
	s  *Service
	st store.Store
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New(Config{IDs: ids.Seeded(7), Store: st, Clock: clock.NewManual(testNow)})
	return &world{t: t, s: s, st: st}
}

// run calls a handler as the dispatcher does, in region, committing its transaction when it succeeds.
func run[In, Out any](w *world, region string, fn func(context.Context, *api.Call, *In) (*Out, error), in *In) (*Out, error) {
	w.t.Helper()
	ctx := context.Background()
	c := api.NewCall(ctx, allowAll{}, w.st, true)
	c.Service, c.Operation, c.Region, c.Now = "ec2", "Test", region, testNow
	c.Principal = &api.Principal{Type: api.Root, Account: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount}
	out, err := fn(ctx, c, in)
	if ferr := c.Finish(err == nil); ferr != nil {
		w.t.Fatalf("commit: %v", ferr)
	}
	return out, err
}

// must is run for calls that must succeed.
func must[In, Out any](w *world, fn func(context.Context, *api.Call, *In) (*Out, error), in *In) *Out {
	w.t.Helper()
	out, err := run(w, testRegion, fn, in)
	if err != nil {
		w.t.Fatalf("%T: %v", in, err)
	}
	return out
}

// write runs fn in a transaction of its own, as another area's handler would store its resources.
func (w *world) write(fn func(t store.Tx) error) {
	w.t.Helper()
	tx, err := w.st.Begin(context.Background(), true)
	if err != nil {
		w.t.Fatal(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		w.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		w.t.Fatal(err)
	}
}

// read returns the stored document of kind and id in us-east-1, nil when there is none.
func read[T any](w *world, kind, id string) *T {
	w.t.Helper()
	tx, err := w.st.Begin(context.Background(), false)
	if err != nil {
		w.t.Fatal(err)
	}
	defer tx.Rollback()
	v, _, err := get[T](tx, testAccount, testRegion, kind, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) vpc(cidr string) *vpc {
	w.t.Helper()
	out := must(w, w.s.createVpc, &CreateVpcInput{CidrBlock: ptr(cidr)})
	return read[vpc](w, kindVPC, *out.Vpc.VpcId)
}

func (w *world) subnet(vpcID, cidr string) string {
	w.t.Helper()
	out := must(w, w.s.createSubnet, &CreateSubnetInput{VpcId: vpcID, CidrBlock: ptr(cidr)})
	return *out.Subnet.SubnetId
}

func errorCode(err error) (string, string) {
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		return "", ""
	}
	return ae.Code, ae.Message
}

func TestDeleteVpcRefusesWhileResourcesRemain(t *testing.T) {
	const a, r = testAccount, testRegion
	for _, tc := range []struct {
		name string
		// seed stores the dependency in the VPC and returns a function that removes it.
		seed func(w *world, v *vpc) func(store.Tx) error
	}{
		{"a subnet", func(w *world, v *vpc) func(store.Tx) error {
			id := w.subnet(v.ID, "10.0.1.0/24")
			return func(tx store.Tx) error { return tx.Delete(key(a, r, kindSubnet, id)) }
		}},
		{"a security group other than the default", func(w *world, v *vpc) func(store.Tx) error {
			g := &securityGroup{ID: "sg-0123456789abcdef0", Owner: a, Name: "web", Description: "web", VPCID: v.ID}
			w.write(func(tx store.Tx) error { return putGroup(tx, a, r, g) })
			return func(tx store.Tx) error { return tx.Delete(key(a, r, kindSecurityGroup, g.ID)) }
		}},
		{"a route table other than the main one", func(w *world, v *vpc) func(store.Tx) error {
			rt := &routeTable{ID: "rtb-0123456789abcdef0", Owner: a, VPCID: v.ID}
			w.write(func(tx store.Tx) error { return putRouteTable(tx, a, r, rt) })
			return func(tx store.Tx) error { return tx.Delete(key(a, r, kindRouteTable, rt.ID)) }
		}},
		{"a network ACL other than the default", func(w *world, v *vpc) func(store.Tx) error {
			acl := &networkACL{ID: "acl-0123456789abcdef0", Owner: a, VPCID: v.ID, Entries: catchAllEntries()}
			w.write(func(tx store.Tx) error { return putACL(tx, a, r, acl) })
			return func(tx store.Tx) error { return tx.Delete(key(a, r, kindNetworkACL, acl.ID)) }
		}},
		{"an attached internet gateway", func(w *world, v *vpc) func(store.Tx) error {
			igw := &internetGateway{ID: "igw-0123456789abcdef0", Owner: a, VPCID: v.ID}
			w.write(func(tx store.Tx) error { return putInternetGateway(tx, a, r, igw) })
			return func(tx store.Tx) error { igw.VPCID = ""; return putInternetGateway(tx, a, r, igw) }
		}},
		{"a VPC endpoint", func(w *world, v *vpc) func(store.Tx) error {
			e := &endpoint{ID: "vpce-0123456789abcdef0", Owner: a, VPCID: v.ID, ServiceName: "com.amazonaws.us-east-1.s3", Type: "Gateway", State: "available"}
			w.write(func(tx store.Tx) error { return putEndpoint(tx, a, r, e) })
			return func(tx store.Tx) error { return tx.Delete(key(a, r, kindEndpoint, e.ID)) }
		}},
		{"a NAT gateway", func(w *world, v *vpc) func(store.Tx) error {
			n := &natGateway{ID: "nat-0123456789abcdef0", VPCID: v.ID, State: "available", Created: testNow}
			w.write(func(tx store.Tx) error { return putNatGateway(tx, a, r, n) })
			return func(tx store.Tx) error { n.State = "deleted"; n.Deleted = testNow; return putNatGateway(tx, a, r, n) }
		}},
		{"a network interface", func(w *world, v *vpc) func(store.Tx) error {
			n := &networkInterface{ID: "eni-0123456789abcdef0", Owner: a, VPCID: v.ID, Subnet: "subnet-0123456789abcdef0", Status: "available"}
			w.write(func(tx store.Tx) error { return putInterface(tx, a, r, n) })
			return func(tx store.Tx) error { return tx.Delete(key(a, r, kindInterface, n.ID)) }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			v := w.vpc("10.0.0.0/16")
			remove := tc.seed(w, v)
			_, err := run(w, testRegion, w.s.deleteVpc, &DeleteVpcInput{VpcId: v.ID})
			code, msg := errorCode(err)
			want := "The vpc '" + v.ID + "' has dependencies and cannot be deleted."
			if code != "DependencyViolation" || msg != want {
				t.Fatalf("DeleteVpc with %s = %v, want DependencyViolation %q", tc.name, err, want)
			}
			if read[vpc](w, kindVPC, v.ID) == nil {
				t.Fatal("the refused DeleteVpc deleted the VPC")
			}
			w.write(remove)
			if _, err := run(w, testRegion, w.s.deleteVpc, &DeleteVpcInput{VpcId: v.ID}); err != nil {
				t.Fatalf("DeleteVpc once %s is gone: %v", tc.name, err)
			}
		})
	}
}

func TestDeleteVpcTakesWhatCameWithIt(t *testing.T) {
	w := newWorld(t)
	v := w.vpc("10.0.0.0/16")
	for _, k := range []struct{ kind, id string }{{kindRouteTable, v.MainRouteTable}, {kindNetworkACL, v.DefaultACL}, {kindSecurityGroup, v.DefaultGroup}} {
		if read[map[string]any](w, k.kind, k.id) == nil {
			t.Fatalf("CreateVpc made no %s %s", k.kind, k.id)
		}
	}
	must(w, w.s.deleteVpc, &DeleteVpcInput{VpcId: v.ID})
	for _, k := range []struct{ kind, id string }{{kindVPC, v.ID}, {kindRouteTable, v.MainRouteTable}, {kindNetworkACL, v.DefaultACL}, {kindSecurityGroup, v.DefaultGroup}} {
		if read[map[string]any](w, k.kind, k.id) != nil {
			t.Errorf("%s %s is still stored after DeleteVpc", k.kind, k.id)
		}
	}
}

func TestSubnetAssociations(t *testing.T) {
	const a, r = testAccount, testRegion
	w := newWorld(t)
	v := w.vpc("10.0.0.0/16")
	id := w.subnet(v.ID, "10.0.1.0/24")
	other := w.subnet(v.ID, "10.0.2.0/24")
	acl := read[networkACL](w, kindNetworkACL, v.DefaultACL)
	var associated []string
	for _, as := range acl.Associations {
		associated = append(associated, as.SubnetID)
	}
	if strings.Join(associated, ",") != id+","+other {
		t.Fatalf("the default ACL's associations = %v, want the new subnets %s and %s", associated, id, other)
	}
	rt := &routeTable{ID: "rtb-0123456789abcdef0", Owner: a, VPCID: v.ID,
		Associations: []routeAssociation{{ID: "rtbassoc-0123456789abcdef0", SubnetID: id}, {ID: "rtbassoc-0123456789abcdef1", SubnetID: other}}}
	w.write(func(tx store.Tx) error { return putRouteTable(tx, a, r, rt) })

	eni := &networkInterface{ID: "eni-0123456789abcdef0", Owner: a, VPCID: v.ID, Subnet: id, Status: "available"}
	w.write(func(tx store.Tx) error { return putInterface(tx, a, r, eni) })
	_, err := run(w, testRegion, w.s.deleteSubnet, &DeleteSubnetInput{SubnetId: id})
	if code, msg := errorCode(err); code != "DependencyViolation" || msg != "The subnet '"+id+"' has dependencies and cannot be deleted." {
		t.Fatalf("DeleteSubnet with an interface in it = %v, want DependencyViolation", err)
	}
	w.write(func(tx store.Tx) error { return tx.Delete(key(a, r, kindInterface, eni.ID)) })
	must(w, w.s.deleteSubnet, &DeleteSubnetInput{SubnetId: id})

	acl = read[networkACL](w, kindNetworkACL, v.DefaultACL)
	if len(acl.Associations) != 1 || acl.Associations[0].SubnetID != other {
		t.Errorf("the default ACL's associations after DeleteSubnet = %+v, want only %s", acl.Associations, other)
	}
	got := read[routeTable](w, kindRouteTable, rt.ID)
	if len(got.Associations) != 1 || got.Associations[0].SubnetID != other {
		t.Errorf("the route table's associations after DeleteSubnet = %+v, want only %s", got.Associations, other)
	}
	main := read[routeTable](w, kindRouteTable, v.MainRouteTable)
	if len(main.Associations) != 1 || !main.Associations[0].Main {
		t.Errorf("the main route table's associations after DeleteSubnet = %+v, want its main association", main.Associations)
	}
}

func TestAvailableAddressesFallAndNeverGoNegative(t *testing.T) {
	const a, r = testAccount, testRegion
	w := newWorld(t)
	v := w.vpc("10.0.0.0/16")
	id := w.subnet(v.ID, "10.0.1.0/28")
	count := func() int32 {
		out := must(w, w.s.describeSubnets, &DescribeSubnetsInput{SubnetIds: []string{id}})
		return *out.Subnets[0].AvailableIpAddressCount
	}
	if got := count(); got != 11 {
		t.Fatalf("AvailableIpAddressCount of a new /28 = %d, want 16 - 5 = 11", got)
	}
	for _, tc := range []struct {
		taken int
		want  int32
	}{{1, 10}, {11, 0}, {14, 0}} {
		sn := read[subnet](w, kindSubnet, id)
		sn.Taken = map[string]string{}
		for i := range tc.taken {
			sn.Taken[nthAddress(netipMust("10.0.1.0/24"), i).String()] = "eni-0123456789abcdef0"
		}
		w.write(func(tx store.Tx) error { return putSubnet(tx, a, r, sn) })
		if got := count(); got != tc.want {
			t.Errorf("AvailableIpAddressCount with %d addresses taken = %d, want %d", tc.taken, got, tc.want)
		}
	}
}

func TestDefaultVPCEveryRegionOnce(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		region string
		zones  []string
	}{
		{"us-east-1", []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}},
		{"eu-west-1", []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{"xx-test-1", []string{"xx-test-1a", "xx-test-1b", "xx-test-1c"}}, // a region sagebox does not list
	} {
		t.Run(tc.region, func(t *testing.T) {
			out, err := run(w, tc.region, w.s.describeVpcs, &DescribeVpcsInput{})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Vpcs) != 1 || !*out.Vpcs[0].IsDefault || *out.Vpcs[0].CidrBlock != defaultVPCCIDR {
				t.Fatalf("DescribeVpcs on the first call in %s = %d VPCs, want the default VPC alone", tc.region, len(out.Vpcs))
			}
			subnets, err := run(w, tc.region, w.s.describeSubnets, &DescribeSubnetsInput{})
			if err != nil {
				t.Fatal(err)
			}
			var zones []string
			for _, sn := range subnets.Subnets {
				zones = append(zones, *sn.AvailabilityZone)
				if !*sn.DefaultForAz || !*sn.MapPublicIpOnLaunch || *sn.AvailableIpAddressCount != 4091 {
					t.Errorf("default subnet %s: DefaultForAz %v, MapPublicIpOnLaunch %v, %d addresses; want true, true, 4091",
						*sn.SubnetId, *sn.DefaultForAz, *sn.MapPublicIpOnLaunch, *sn.AvailableIpAddressCount)
				}
			}
			if strings.Join(sortedCopy(zones), " ") != strings.Join(tc.zones, " ") {
				t.Errorf("the default subnets' zones in %s = %v, want %v", tc.region, zones, tc.zones)
			}
		})
	}
}

func TestDeletedDefaultVPCStaysDeleted(t *testing.T) {
	const a, r = testAccount, testRegion
	w := newWorld(t)
	out := must(w, w.s.describeVpcs, &DescribeVpcsInput{})
	v := read[vpc](w, kindVPC, *out.Vpcs[0].VpcId)
	subnets := must(w, w.s.describeSubnets, &DescribeSubnetsInput{})
	for _, sn := range subnets.Subnets {
		must(w, w.s.deleteSubnet, &DeleteSubnetInput{SubnetId: *sn.SubnetId})
	}
	// The internet gateway attached to the default VPC is the gateways area's to detach; here it goes directly.
	w.write(func(tx store.Tx) error {
		igws, err := listByVPC[internetGateway](tx, a, r, kindInternetGateway, v.ID)
		for _, igw := range igws {
			if err := tx.Delete(key(a, r, kindInternetGateway, igw.ID)); err != nil {
				return err
			}
		}
		return err
	})
	must(w, w.s.deleteVpc, &DeleteVpcInput{VpcId: v.ID})
	if out := must(w, w.s.describeVpcs, &DescribeVpcsInput{}); len(out.Vpcs) != 0 {
		t.Fatalf("DescribeVpcs after deleting the default VPC = %d VPCs, want none", len(out.Vpcs))
	}
	// Neither forgetting the regions it has seen (a reset of the cache, as a restart) nor a new Service on the same
	// store brings the default back.
	w.s.Reset()
	if out := must(w, w.s.describeVpcs, &DescribeVpcsInput{}); len(out.Vpcs) != 0 {
		t.Fatalf("DescribeVpcs after Reset = %d VPCs, want none", len(out.Vpcs))
	}
	w.s = New(Config{IDs: ids.Seeded(8), Store: w.st, Clock: clock.NewManual(testNow)})
	if out := must(w, w.s.describeVpcs, &DescribeVpcsInput{}); len(out.Vpcs) != 0 {
		t.Fatalf("DescribeVpcs from a restarted service = %d VPCs, want none", len(out.Vpcs))
	}
}
