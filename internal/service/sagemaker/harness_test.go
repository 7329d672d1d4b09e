package sagemaker_test

// The harness every SageMaker test uses: a real sagebox on a loopback port, and aws-sdk-go-v2 clients for it.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/apptest"
)

type fixture struct {
	*app.App
	URL string
	// SM, EC2 and IAM are clients of the default account's root user, in us-east-1.
	SM  *sagemaker.Client
	EC2 *ec2.Client
	IAM *iam.Client
}

var ctx = context.Background()

const account = "000000000000"

// start runs a sagebox with its state in memory and lifecycles finished at once, stopped when the test ends.
func start(t testing.TB) *fixture {
	t.Helper()
	return startWith(t, apptest.Config())
}

// startWith runs a sagebox with cfg (a test of lifecycles sets LifecycleScale to 1 and advances the clock).
func startWith(t testing.TB, cfg app.Config) *fixture {
	t.Helper()
	a, url, _ := apptest.Serve(t, cfg)
	f := &fixture{App: a, URL: url}
	cl := f.clients(f.Config("test", "test", ""))
	f.SM, f.EC2, f.IAM = cl.SM, cl.EC2, cl.IAM
	return f
}

// Config returns an SDK configuration for the server with the given credentials.
func (f *fixture) Config(key, secret, token string) aws.Config {
	return apptest.SDK(f.URL, key, secret, token)
}

// clients are the clients of one principal.
type clients struct {
	SM  *sagemaker.Client
	EC2 *ec2.Client
	IAM *iam.Client
}

func (f *fixture) clients(cfg aws.Config) clients {
	return clients{SM: sagemaker.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg), IAM: iam.NewFromConfig(cfg)}
}

// user makes an IAM user with the inline policy (none when policy is empty) and returns its clients.
func (f *fixture) user(t testing.TB, name, policy string) clients {
	t.Helper()
	if _, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := f.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := f.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return f.clients(f.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, ""))
}

// trustSageMaker is the trust policy of an execution role.
const trustSageMaker = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// role makes a role with the trust policy and AWS managed policies attached, and returns its ARN.
func (f *fixture) role(t testing.TB, name, trust string, managed ...string) string {
	t.Helper()
	out, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("CreateRole(%s): %v", name, err)
	}
	for _, p := range managed {
		if _, err := f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + p)}); err != nil {
			t.Fatalf("AttachRolePolicy(%s, %s): %v", name, p, err)
		}
	}
	return *out.Role.Arn
}

// executionRole makes the seed documents' execution role: trusting SageMaker, with AmazonSageMakerFullAccess.
func (f *fixture) executionRole(t testing.TB, name string) string {
	t.Helper()
	return f.role(t, name, trustSageMaker, "AmazonSageMakerFullAccess")
}

// network is the seed documents' private network for a VpcOnly domain.
type network struct {
	VPC     string
	Subnets []string
	// Group allows NFS (TCP 2049) and TCP 8192–65535 within itself.
	Group string
}

// privateNetwork makes a VPC (10.0.0.0/16) with two private subnets in two zones and the security group Studio
// needs, as the seed documents do.
func (f *fixture) privateNetwork(t testing.TB) network {
	t.Helper()
	v, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	n := network{VPC: *v.Vpc.VpcId}
	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		cidr := []string{"10.0.1.0/24", "10.0.2.0/24"}[i]
		s, err := f.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.VPC), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(z)})
		if err != nil {
			t.Fatal(err)
		}
		n.Subnets = append(n.Subnets, *s.Subnet.SubnetId)
	}
	g, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(n.VPC), GroupName: aws.String("studio"), Description: aws.String("Studio within itself")})
	if err != nil {
		t.Fatal(err)
	}
	n.Group = *g.GroupId
	self := []ec2types.UserIdGroupPair{{GroupId: aws.String(n.Group)}}
	if _, err := f.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(n.Group), IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(2049), ToPort: aws.Int32(2049), UserIdGroupPairs: self},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8192), ToPort: aws.Int32(65535), UserIdGroupPairs: self},
	}}); err != nil {
		t.Fatal(err)
	}
	return n
}

// apiError returns the code and message of err, which must be an AWS API error.
func apiError(t testing.TB, err error) (code, message string) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded, want an error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an AWS API error", err, err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// wantError fails the test unless err is the AWS error code with the message (when message is not empty; a
// message ending in "…" matches as a prefix).
func wantError(t testing.TB, what string, err error, code, message string) {
	t.Helper()
	gotCode, gotMessage := apiError(t, err)
	match := gotMessage == message
	if prefix, ok := strings.CutSuffix(message, "…"); ok {
		match = strings.HasPrefix(gotMessage, prefix)
	}
	if gotCode != code || (message != "" && !match) {
		t.Errorf("%s: %s %q, want %s %q", what, gotCode, gotMessage, code, message)
	}
}
