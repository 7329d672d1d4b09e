package ec2_test

// Reach through the front door: networks built with aws-sdk-go-v2, questions asked of the admin API
// (GET /_sagebox/reach), as `sagebox reach` asks them.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	sbec2 "github.com/sagebox/sagebox/internal/service/ec2"
)

// reach asks the admin API; status is the HTTP status, and out is decoded when it is 200.
func (f *fixture) reach(t testing.TB, q url.Values) (status int, out *sbec2.Reachability, errText string) {
	t.Helper()
	resp, err := http.Get(f.URL + "/_sagebox/reach?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, nil, e.Error
	}
	out = &sbec2.Reachability{}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET /_sagebox/reach?%s: %v", q.Encode(), err)
	}
	return resp.StatusCode, out, ""
}

// wantReachable asks whether the source (subnet=… or interface=…, with security-group=…) reaches each
// destination, and checks the answer: reachable or not, by which way, and words the reason must say.
func (f *fixture) wantReachable(t testing.TB, source url.Values, dest string, reachable bool, via string, reason ...string) {
	t.Helper()
	q := url.Values{"service": {dest}}
	for k, v := range source {
		q[k] = v
	}
	status, r, errText := f.reach(t, q)
	if status != http.StatusOK {
		t.Fatalf("reach %s from %v: %d %s", dest, source, status, errText)
	}
	if r.Reachable != reachable || r.Via != via {
		t.Errorf("reach %s from %v: reachable %v via %q, want %v via %q (%s)", dest, source, r.Reachable, r.Via, reachable, via, r.Reason)
		return
	}
	for _, w := range reason {
		if !strings.Contains(r.Reason, w) {
			t.Errorf("reach %s from %v: the reason %q does not say %q", dest, source, r.Reason, w)
		}
	}
}

// mlNetwork is a VPC as the seed documents draw it: a private subnet with a route table of its own, and a public
// subnet routed to an attached internet gateway.
type mlNetwork struct {
	vpc, private, public, privateRT, publicRT, igw string
}

func (f *fixture) mlNetwork(t testing.TB) *mlNetwork {
	t.Helper()
	n := &mlNetwork{vpc: f.dnsVPC(t, "10.0.0.0/16")}
	n.private = f.subnetIn(t, n.vpc, "10.0.1.0/24", "us-east-1a")
	n.public = f.subnetIn(t, n.vpc, "10.0.2.0/24", "us-east-1b")
	if _, err := f.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(n.public), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	n.privateRT, n.publicRT = f.newRouteTable(t, n.vpc), f.newRouteTable(t, n.vpc)
	for rt, sn := range map[string]string{n.privateRT: n.private, n.publicRT: n.public} {
		if _, err := f.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rt), SubnetId: aws.String(sn)}); err != nil {
			t.Fatalf("AssociateRouteTable(%s, %s): %v", rt, sn, err)
		}
	}
	igw, err := f.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	n.igw = aws.ToString(igw.InternetGateway.InternetGatewayId)
	if _, err := f.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(n.igw), VpcId: aws.String(n.vpc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(n.publicRT), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(n.igw)}); err != nil {
		t.Fatal(err)
	}
	return n
}

// natGateway puts a public NAT gateway in the public subnet and routes the private subnet's internet traffic to it.
func (f *fixture) natGateway(t testing.TB, n *mlNetwork) string {
	t.Helper()
	eip, err := f.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	nat, err := f.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(n.public), AllocationId: eip.AllocationId})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(nat.NatGateway.NatGatewayId)
	if _, err := f.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(n.privateRT), DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) s3GatewayEndpoint(t testing.TB, n *mlNetwork) string {
	t.Helper()
	out, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(n.vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{n.privateRT}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VpcEndpoint.VpcEndpointId)
}

// https443 is an IpPermission for TCP 443.
func https443(peer types.IpPermission) []types.IpPermission {
	peer.IpProtocol, peer.FromPort, peer.ToPort = aws.String("tcp"), aws.Int32(443), aws.Int32(443)
	return []types.IpPermission{peer}
}

func TestReachScenarios(t *testing.T) {
	// Each scenario has a sagebox of its own: an account has five VPCs at most.
	t.Run("a private subnet with no route out", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		private := url.Values{"subnet": {n.private}}
		for _, dest := range []string{"s3", "sts", "logs", "internet"} {
			f.wantReachable(t, private, dest, false, "", "has no route to", n.privateRT)
		}
		f.wantReachable(t, url.Values{"subnet": {n.public}}, "internet", true, "internet-gateway")
	})

	t.Run("with an S3 gateway endpoint", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		f.s3GatewayEndpoint(t, n)
		private := url.Values{"subnet": {n.private}}
		f.wantReachable(t, private, "s3", true, "gateway-endpoint")
		f.wantReachable(t, private, "sts", false, "", "has no route to")
		f.wantReachable(t, private, "ecr.dkr", false, "", "has no route to")
	})

	t.Run("with a NAT gateway in a public subnet", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		f.natGateway(t, n)
		private := url.Values{"subnet": {n.private}}
		for _, dest := range []string{"s3", "sts", "logs", "ecr.api", "ecr.dkr", "sagemaker.api", "sagemaker.runtime", "internet"} {
			f.wantReachable(t, private, dest, true, "nat-gateway")
		}
	})

	t.Run("with a network ACL that drops the ephemeral return ports", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		f.natGateway(t, n)
		f.s3GatewayEndpoint(t, n)
		acl, err := f.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(n.vpc)})
		if err != nil {
			t.Fatal(err)
		}
		aclID := aws.ToString(acl.NetworkAcl.NetworkAclId)
		for _, e := range []ec2.CreateNetworkAclEntryInput{
			{Egress: aws.Bool(true), RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0")},
			{Egress: aws.Bool(false), RuleNumber: aws.Int32(100), Protocol: aws.String("6"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"), PortRange: &types.PortRange{From: aws.Int32(443), To: aws.Int32(443)}},
		} {
			e.NetworkAclId = aws.String(aclID)
			if _, err := f.EC2.CreateNetworkAclEntry(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		assoc, err := f.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{nameFilter("association.subnet-id", n.private)}})
		if err != nil {
			t.Fatal(err)
		}
		var assocID string
		for _, a := range assoc.NetworkAcls[0].Associations {
			if aws.ToString(a.SubnetId) == n.private {
				assocID = aws.ToString(a.NetworkAclAssociationId)
			}
		}
		if _, err := f.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: aws.String(assocID), NetworkAclId: aws.String(aclID)}); err != nil {
			t.Fatal(err)
		}
		private := url.Values{"subnet": {n.private}}
		for _, dest := range []string{"s3", "sts", "internet"} {
			f.wantReachable(t, private, dest, false, map[string]string{"s3": "gateway-endpoint", "sts": "nat-gateway", "internet": "nat-gateway"}[dest],
				aclID, "denies inbound TCP 1024", "ephemeral ports 1024-65535", "stateless")
		}
		if _, err := f.EC2.CreateNetworkAclEntry(ctx, &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String(aclID), Egress: aws.Bool(false), RuleNumber: aws.Int32(110),
			Protocol: aws.String("6"), RuleAction: types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0"), PortRange: &types.PortRange{From: aws.Int32(1024), To: aws.Int32(65535)}}); err != nil {
			t.Fatal(err)
		}
		f.wantReachable(t, private, "s3", true, "gateway-endpoint")
		f.wantReachable(t, private, "sts", true, "nat-gateway")
	})

	t.Run("interface endpoints and security groups", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		jobs := f.newGroup(t, n.vpc, "jobs")
		endpoints := f.newGroup(t, n.vpc, "endpoints")
		out, err := f.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(n.vpc), VpcEndpointType: types.VpcEndpointTypeInterface,
			ServiceName: aws.String("com.amazonaws.us-east-1.sts"), SubnetIds: []string{n.private}, SecurityGroupIds: []string{endpoints}})
		if err != nil {
			t.Fatal(err)
		}
		vpce := aws.ToString(out.VpcEndpoint.VpcEndpointId)
		source := url.Values{"subnet": {n.private}, "security-group": {jobs}}
		f.wantReachable(t, source, "sts", false, "interface-endpoint", "allow no TCP 443 in", vpce)
		if _, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(endpoints),
			IpPermissions: https443(types.IpPermission{UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(jobs)}}})}); err != nil {
			t.Fatal(err)
		}
		f.wantReachable(t, source, "sts", true, "interface-endpoint")
		f.wantReachable(t, source, "logs", false, "", "has no route to")

		// A group that lets only HTTPS to S3's prefix list out cannot reach the endpoint.
		narrow := f.newGroup(t, n.vpc, "s3-only")
		if _, err := f.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(narrow),
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
			t.Fatal(err)
		}
		pl := aws.ToString(f.prefixList(t, "com.amazonaws.us-east-1.s3").PrefixListId)
		if _, err := f.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(narrow),
			IpPermissions: https443(types.IpPermission{PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String(pl)}}})}); err != nil {
			t.Fatal(err)
		}
		f.wantReachable(t, url.Values{"subnet": {n.private}, "security-group": {narrow}}, "sts", false, "interface-endpoint", "allow no TCP 443 out")
		f.s3GatewayEndpoint(t, n)
		f.wantReachable(t, url.Values{"subnet": {n.private}, "security-group": {narrow}}, "s3", true, "gateway-endpoint")
	})

	t.Run("from a network interface", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		eni, err := f.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(n.public)})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
		f.wantReachable(t, url.Values{"interface": {id}}, "internet", false, "internet-gateway", "has no public address")
	})

	t.Run("bad queries", func(t *testing.T) {
		f := start(t)
		n := f.mlNetwork(t)
		cases := []struct {
			name   string
			q      url.Values
			status int
			says   string
		}{
			{"no service", url.Values{"subnet": {n.private}}, 400, "reach needs service="},
			{"no source", url.Values{"service": {"s3"}}, 400, "reach needs service="},
			{"an unknown service", url.Values{"subnet": {n.private}, "service": {"s4"}}, 400, "InvalidParameterValue: Unknown destination 's4'"},
			{"an unknown subnet", url.Values{"subnet": {"subnet-0123456789abcdef0"}, "service": {"s3"}}, 400, "InvalidSubnetID.NotFound"},
			{"an unknown account", url.Values{"subnet": {n.private}, "service": {"s3"}, "account": {"999999999999"}}, 400, "no account 999999999999"},
			{"another region", url.Values{"subnet": {n.private}, "service": {"s3"}, "region": {"eu-west-1"}}, 400, "InvalidSubnetID.NotFound"},
		}
		for _, tc := range cases {
			status, _, errText := f.reach(t, tc.q)
			if status != tc.status || !strings.Contains(errText, tc.says) {
				t.Errorf("%s: %d %q, want %d saying %q", tc.name, status, errText, tc.status, tc.says)
			}
		}
	})
}
