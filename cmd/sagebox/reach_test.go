package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	sbec2 "github.com/sagebox/sagebox/internal/service/ec2"
)

// TestReachCommand runs `sagebox serve`, builds a private network with the AWS SDK, and asks `sagebox reach` about
// it as it grows: no way out, an S3 gateway endpoint, a NAT gateway.
func TestReachCommand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var serverOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--memory", "--addr", addr, "--log-level", "warn", "--lifecycle-scale", "0"}, &serverOut, &serverOut)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	sagebox := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := run(context.Background(), append(args, "--endpoint=http://"+addr), &out, &out)
		return code, out.String()
	}
	deadline := time.Now().Add(10 * time.Second)
	for code, _ := sagebox("clock", "show"); code != 0; code, _ = sagebox("clock", "show") {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not come up: %s", serverOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	client := ec2.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + addr), RetryMaxAttempts: 1})
	bg := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	vpc, err := client.CreateVpc(bg, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must("CreateVpc", err)
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	subnet := func(cidr string) string {
		out, err := client.CreateSubnet(bg, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String("us-east-1a")})
		must("CreateSubnet", err)
		return aws.ToString(out.Subnet.SubnetId)
	}
	table := func(subnetID string) string {
		out, err := client.CreateRouteTable(bg, &ec2.CreateRouteTableInput{VpcId: aws.String(vpcID)})
		must("CreateRouteTable", err)
		id := aws.ToString(out.RouteTable.RouteTableId)
		_, err = client.AssociateRouteTable(bg, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(id), SubnetId: aws.String(subnetID)})
		must("AssociateRouteTable", err)
		return id
	}
	private, public := subnet("10.0.1.0/24"), subnet("10.0.2.0/24")
	privateRT, publicRT := table(private), table(public)

	code, out := sagebox("reach", "--subnet", private, "--service", "s3")
	if code != 1 || !strings.Contains(out, "s3 (com.amazonaws.us-east-1.s3) from "+private+" at 10.0.1.4") ||
		!strings.Contains(out, "NOT reachable") || !strings.Contains(out, "why: route table "+privateRT+" of subnet "+private+" has no route to") ||
		!strings.Contains(out, "sagebox reach: not reachable") {
		t.Errorf("sagebox reach to S3 from a private subnet: exit %d\n%s\nwant 1 and the route table that has no way out", code, out)
	}

	_, err = client.CreateVpcEndpoint(bg, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcID), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{privateRT}})
	must("CreateVpcEndpoint", err)
	code, out = sagebox("reach", "--subnet", private, "--service", "s3")
	if code != 0 || !strings.Contains(out, "reachable through a gateway endpoint") || !strings.Contains(out, "  ok  gateway-endpoint") {
		t.Errorf("sagebox reach to S3 through its gateway endpoint: exit %d\n%s", code, out)
	}
	code, out = sagebox("reach", private, "sts", "--json")
	var r sbec2.Reachability
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\nsagebox reach:", 2)[0]), &r); err != nil {
		t.Fatalf("sagebox reach --json: %v\n%s", err, out)
	}
	if code != 1 || r.Reachable || r.Destination != "sts" || r.Source.Subnet != private || !strings.Contains(r.Reason, "has no route to") ||
		len(r.Path) == 0 || r.Path[len(r.Path)-1].Allowed {
		t.Errorf("sagebox reach %s sts --json: exit %d %+v", private, code, r)
	}

	igw, err := client.CreateInternetGateway(bg, &ec2.CreateInternetGatewayInput{})
	must("CreateInternetGateway", err)
	_, err = client.AttachInternetGateway(bg, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: aws.String(vpcID)})
	must("AttachInternetGateway", err)
	_, err = client.CreateRoute(bg, &ec2.CreateRouteInput{RouteTableId: aws.String(publicRT), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGateway.InternetGatewayId})
	must("CreateRoute to the internet gateway", err)
	eip, err := client.AllocateAddress(bg, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	must("AllocateAddress", err)
	nat, err := client.CreateNatGateway(bg, &ec2.CreateNatGatewayInput{SubnetId: aws.String(public), AllocationId: eip.AllocationId})
	must("CreateNatGateway", err)
	_, err = client.CreateRoute(bg, &ec2.CreateRouteInput{RouteTableId: aws.String(privateRT), DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: nat.NatGateway.NatGatewayId})
	must("CreateRoute to the NAT gateway", err)
	for _, dest := range []string{"sts", "internet", "sagemaker.api"} {
		code, out = sagebox("reach", "--subnet", private, "--security-group", "", "--service", dest)
		if code != 0 || !strings.Contains(out, "reachable through a NAT gateway") || !strings.Contains(out, aws.ToString(nat.NatGateway.NatGatewayId)) {
			t.Errorf("sagebox reach to %s through the NAT gateway: exit %d\n%s", dest, code, out)
		}
	}

	// A VpcOnly Studio domain in the private subnet: its apps reach S3 through the gateway endpoint and the rest
	// through the NAT gateway.
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + addr), RetryMaxAttempts: 1}
	role, err := iam.NewFromConfig(cfg).CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("studio"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	must("CreateRole", err)
	sg, err := client.CreateSecurityGroup(bg, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String("studio"), Description: aws.String("studio")})
	must("CreateSecurityGroup", err)
	dom, err := sagemaker.NewFromConfig(cfg).CreateDomain(bg, &sagemaker.CreateDomainInput{
		DomainName: aws.String("ml"), AuthMode: smtypes.AuthModeIam, VpcId: aws.String(vpcID), SubnetIds: []string{private},
		AppNetworkAccessType: smtypes.AppNetworkAccessTypeVpcOnly,
		DefaultUserSettings:  &smtypes.UserSettings{ExecutionRole: role.Role.Arn, SecurityGroups: []string{aws.ToString(sg.GroupId)}},
	})
	must("CreateDomain", err)
	code, out = sagebox("reach", "--domain", aws.ToString(dom.DomainId))
	if code != 0 || !strings.Contains(out, "the apps of domain "+aws.ToString(dom.DomainId)) ||
		!strings.Contains(out, "s3                 reachable through a gateway endpoint") ||
		!strings.Contains(out, "sagemaker.api      reachable through a NAT gateway") {
		t.Errorf("sagebox reach --domain: exit %d\n%s\nwant every service reachable, S3 through its endpoint", code, out)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no service", []string{"reach", "--subnet", private}, 2, "usage: sagebox reach"},
		{"no source", []string{"reach", "--service", "s3"}, 2, "usage: sagebox reach"},
		{"a source that is no subnet or interface", []string{"reach", vpcID, "s3"}, 2, "is neither a subnet"},
		{"three words", []string{"reach", private, "s3", "sts"}, 2, "usage: sagebox reach"},
		{"an unknown subnet", []string{"reach", "--subnet", "subnet-0123456789abcdef0", "--service", "s3"}, 1, "InvalidSubnetID.NotFound"},
		{"an unknown service", []string{"reach", "--subnet", private, "--service", "s4"}, 1, "Unknown destination 's4'"},
		{"an unknown group", []string{"reach", "--subnet", private, "--security-group", "sg-0123456789abcdef0", "--service", "s3"}, 1, "InvalidGroup.NotFound"},
		{"an unknown domain", []string{"reach", "--domain", "d-0123456789ab"}, 1, "d-0123456789ab"},
	} {
		if code, out := sagebox(tc.args...); code != tc.code || !strings.Contains(out, tc.says) {
			t.Errorf("sagebox %s (%s): exit %d\n%s\nwant %d saying %q", strings.Join(tc.args, " "), tc.name, code, out, tc.code, tc.says)
		}
	}
}

func TestListFlagTakesRepeatsAndCommas(t *testing.T) {
	var l listFlag
	for _, v := range []string{"sg-1", "sg-2, sg-3", "", " ,sg-4"} {
		if err := l.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if got := l.String(); got != "sg-1,sg-2,sg-3,sg-4" {
		t.Errorf("listFlag after four Sets = %q, want sg-1,sg-2,sg-3,sg-4", got)
	}
}
