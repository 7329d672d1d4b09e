package ec2_test

// The harness every EC2 test uses: a real sagebox on a loopback port, and aws-sdk-go-v2 clients for it.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/apptest"
)

type fixture struct {
	*app.App
	URL string
	// EC2 and IAM are clients of the default account's root user, in us-east-1.
	EC2 *ec2.Client
	IAM *iam.Client
}

var ctx = context.Background()

// start runs a sagebox with its state in memory, stopped when the test ends.
func start(t testing.TB) *fixture {
	t.Helper()
	a, url, _ := apptest.Serve(t, apptest.Config())
	f := &fixture{App: a, URL: url}
	f.EC2 = ec2.NewFromConfig(f.Config("test", "test", ""))
	f.IAM = iam.NewFromConfig(f.Config("test", "test", ""))
	return f
}

// Config returns an SDK configuration for the server with the given credentials.
func (f *fixture) Config(key, secret, token string) aws.Config {
	return apptest.SDK(f.URL, key, secret, token)
}

// userClient makes an IAM user with the inline policy (none when policy is empty) and returns an EC2 client
// signed with its key.
func (f *fixture) userClient(t testing.TB, name, policy string) *ec2.Client {
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
	return ec2.NewFromConfig(f.Config(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, ""))
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

// nameFilter is a Filter of one name and values.
func nameFilter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// tagSpec is a TagSpecifications entry for a resource type.
func tagSpec(typ types.ResourceType, kv ...string) []types.TagSpecification {
	var tags []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []types.TagSpecification{{ResourceType: typ, Tags: tags}}
}

// newVPC creates a VPC with the block and returns its id.
func (f *fixture) newVPC(t testing.TB, cidr string) string {
	t.Helper()
	out, err := f.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	if err != nil {
		t.Fatalf("CreateVpc(%s): %v", cidr, err)
	}
	return *out.Vpc.VpcId
}

// newSubnet creates a subnet of the VPC in us-east-1a and returns its id.
func (f *fixture) newSubnet(t testing.TB, vpcID, cidr string) string {
	t.Helper()
	out, err := f.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatalf("CreateSubnet(%s, %s): %v", vpcID, cidr, err)
	}
	return *out.Subnet.SubnetId
}

// newGroup creates a security group in the VPC and returns its id.
func (f *fixture) newGroup(t testing.TB, vpcID, name string) string {
	t.Helper()
	out, err := f.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpcID), GroupName: aws.String(name), Description: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateSecurityGroup(%s, %s): %v", vpcID, name, err)
	}
	return *out.GroupId
}
