package server_test

// Round trips through real AWS clients: handlers registered here return rich outputs in each protocol, and the
// aws-sdk-go-v2 clients must parse them into the right values. If they do, sagebox speaks the protocol.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/server"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

var created = time.Date(2026, 11, 25, 8, 30, 15, 123e6, time.UTC)

type empty struct{}

type tag struct{ Key, Value *string }

// ec2 DescribeVpcs: lists under locationName "item" in the ec2 protocol, booleans, nested sets.
type vpcCidrAssoc struct {
	AssociationId  *string
	CidrBlock      *string
	CidrBlockState *struct{ State *string }
}
type vpc struct {
	VpcId                   *string
	CidrBlock               *string
	State                   *string
	IsDefault               *bool
	OwnerId                 *string
	Tags                    []*tag
	CidrBlockAssociationSet []*vpcCidrAssoc
}
type describeVpcsOutput struct {
	Vpcs      []*vpc
	NextToken *string
}

// sagemaker DescribeDomain: nested structures, enums, timestamps as epoch seconds, lists of strings.
type domainSettings struct{ SecurityGroupIds []string }
type userSettings struct {
	ExecutionRole  *string
	SecurityGroups []string
}
type describeDomainOutput struct {
	DomainArn            *string
	DomainId             *string
	DomainName           *string
	HomeEfsFileSystemId  *string
	Status               *string
	CreationTime         *time.Time
	SubnetIds            []string
	Url                  *string
	VpcId                *string
	AppNetworkAccessType *string
	DefaultUserSettings  *userSettings
	DomainSettings       *domainSettings
}

// iam GetRole and ListRoles: query protocol, wrapped lists, timestamps as ISO 8601, integers, pagination.
type role struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument *string
	MaxSessionDuration       *int32
	Tags                     []*tag
}
type getRoleOutput struct{ Role *role }
type listRolesOutput struct {
	Roles       []*role
	IsTruncated *bool
	Marker      *string
}

// s3 ListBuckets: rest-xml.
type bucket struct {
	Name         *string
	CreationDate *time.Time
}
type owner struct{ DisplayName, ID *string }
type listBucketsOutput struct {
	Buckets []*bucket
	Owner   *owner
}

// logs DescribeLogGroups: json with longs.
type logGroup struct {
	LogGroupName      *string `aws:"logGroupName"`
	CreationTime      *int64  `aws:"creationTime"`
	RetentionInDays   *int32  `aws:"retentionInDays"`
	StoredBytes       *int64  `aws:"storedBytes"`
	Arn               *string `aws:"arn"`
	MetricFilterCount *int32  `aws:"metricFilterCount"`
}
type describeLogGroupsOutput struct {
	LogGroups []*logGroup `aws:"logGroups"`
	NextToken *string     `aws:"nextToken"`
}

func allow(ctx context.Context, c *api.Call, action string) error {
	return c.Authorize(ctx, api.Authorization{Action: action})
}

func services() []*api.ServiceHandlers {
	e := api.NewService("ec2")
	api.Read(e, "DescribeVpcs", func(ctx context.Context, c *api.Call, _ *empty) (*describeVpcsOutput, error) {
		if err := allow(ctx, c, "ec2:DescribeVpcs"); err != nil {
			return nil, err
		}
		return &describeVpcsOutput{Vpcs: []*vpc{{
			VpcId: aws.String("vpc-0123456789abcdef0"), CidrBlock: aws.String("10.0.0.0/16"), State: aws.String("available"),
			IsDefault: aws.Bool(false), OwnerId: aws.String("000000000000"),
			Tags: []*tag{{Key: aws.String("Name"), Value: aws.String("ml <private> & \"quoted\"")}},
			CidrBlockAssociationSet: []*vpcCidrAssoc{{AssociationId: aws.String("vpc-cidr-assoc-1"), CidrBlock: aws.String("10.0.0.0/16"),
				CidrBlockState: &struct{ State *string }{State: aws.String("associated")}}},
		}}, NextToken: aws.String("page2")}, nil
	})
	api.Read(e, "DescribeSubnets", func(ctx context.Context, c *api.Call, _ *empty) (*empty, error) {
		if err := allow(ctx, c, "ec2:DescribeSubnets"); err != nil {
			return nil, err
		}
		return nil, awserr.New("InvalidSubnetID.NotFound", "The subnet ID 'subnet-x' does not exist")
	})

	sm := api.NewService("sagemaker")
	api.Read(sm, "DescribeDomain", func(ctx context.Context, c *api.Call, in *struct{ DomainId string }) (*describeDomainOutput, error) {
		if err := allow(ctx, c, "sagemaker:DescribeDomain"); err != nil {
			return nil, err
		}
		return &describeDomainOutput{
			DomainArn: aws.String("arn:aws:sagemaker:us-east-1:000000000000:domain/" + in.DomainId), DomainId: aws.String(in.DomainId),
			DomainName: aws.String("studio"), HomeEfsFileSystemId: aws.String("fs-0123456789abcdef0"), Status: aws.String("InService"),
			CreationTime: &created, SubnetIds: []string{"subnet-a", "subnet-b"}, Url: aws.String("https://" + in.DomainId + ".studio.us-east-1.sagemaker.aws"),
			VpcId: aws.String("vpc-1"), AppNetworkAccessType: aws.String("VpcOnly"),
			DefaultUserSettings: &userSettings{ExecutionRole: aws.String("arn:aws:iam::000000000000:role/exec"), SecurityGroups: []string{"sg-1"}},
			DomainSettings:      &domainSettings{SecurityGroupIds: []string{"sg-2"}},
		}, nil
	})
	api.Read(sm, "DescribeUserProfile", func(ctx context.Context, c *api.Call, _ *empty) (*empty, error) {
		if err := allow(ctx, c, "sagemaker:DescribeUserProfile"); err != nil {
			return nil, err
		}
		return nil, awserr.New("ResourceNotFound", "User profile not found")
	})
	// A handler that forgets to authorize: the dispatcher must refuse to answer for it.
	api.Read(sm, "ListDomains", func(ctx context.Context, c *api.Call, _ *empty) (*empty, error) {
		return &empty{}, nil
	})

	i := api.NewService("iam")
	testRole := &role{Path: "/", RoleName: "exec", RoleId: "AROAEXAMPLEEXAMPLE123", Arn: "arn:aws:iam::000000000000:role/exec",
		CreateDate: created, AssumeRolePolicyDocument: aws.String("%7B%22Version%22%3A%222012-10-17%22%7D"), MaxSessionDuration: aws.Int32(3600),
		Tags: []*tag{{Key: aws.String("team"), Value: aws.String("ml")}}}
	api.Read(i, "GetRole", func(ctx context.Context, c *api.Call, _ *empty) (*getRoleOutput, error) {
		if err := allow(ctx, c, "iam:GetRole"); err != nil {
			return nil, err
		}
		return &getRoleOutput{Role: testRole}, nil
	})
	api.Read(i, "ListRoles", func(ctx context.Context, c *api.Call, _ *empty) (*listRolesOutput, error) {
		if err := allow(ctx, c, "iam:ListRoles"); err != nil {
			return nil, err
		}
		return &listRolesOutput{Roles: []*role{testRole, testRole}, IsTruncated: aws.Bool(true), Marker: aws.String("m1")}, nil
	})
	api.Read(i, "GetUser", func(ctx context.Context, c *api.Call, _ *empty) (*empty, error) {
		if err := allow(ctx, c, "iam:GetUser"); err != nil {
			return nil, err
		}
		return nil, awserr.New("NoSuchEntity", "The user with name nobody cannot be found.")
	})

	s := api.NewService("s3")
	api.Read(s, "ListBuckets", func(ctx context.Context, c *api.Call, _ *empty) (*listBucketsOutput, error) {
		if err := allow(ctx, c, "s3:ListAllMyBuckets"); err != nil {
			return nil, err
		}
		return &listBucketsOutput{Buckets: []*bucket{{Name: aws.String("data"), CreationDate: &created}},
			Owner: &owner{DisplayName: aws.String("root"), ID: aws.String("abc")}}, nil
	})

	l := api.NewService("logs")
	api.Read(l, "DescribeLogGroups", func(ctx context.Context, c *api.Call, _ *empty) (*describeLogGroupsOutput, error) {
		if err := allow(ctx, c, "logs:DescribeLogGroups"); err != nil {
			return nil, err
		}
		return &describeLogGroupsOutput{LogGroups: []*logGroup{{LogGroupName: aws.String("/aws/sagemaker/TrainingJobs"),
			CreationTime: aws.Int64(created.UnixMilli()), RetentionInDays: aws.Int32(30), StoredBytes: aws.Int64(1 << 40),
			Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/TrainingJobs:*"), MetricFilterCount: aws.Int32(0)}}}, nil
	})
	return []*api.ServiceHandlers{e, sm, i, s, l, api.NewService("sts")}
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(newHandler(t, slog.New(slog.DiscardHandler), services()))
	t.Cleanup(hs.Close)
	return hs
}

// newHandler returns a server for svcs with a root key (test/test) and an IAM user's (AKIAUSER/user).
func newHandler(t testing.TB, log *slog.Logger, svcs []*api.ServiceHandlers) *server.Server {
	t.Helper()
	st, err := sqlite.OpenMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys := authn.NewKeyRing()
	keys.Put(&authn.Key{AccessKeyID: "test", SecretAccessKey: "test", Principal: &api.Principal{
		Type: api.Root, Account: "000000000000", ARN: "arn:aws:iam::000000000000:root", UserID: "000000000000", AccessKeyID: "test"}})
	keys.Put(&authn.Key{AccessKeyID: "AKIAUSER", SecretAccessKey: "user", Principal: &api.Principal{
		Type: api.User, Account: "000000000000", ARN: "arn:aws:iam::000000000000:user/alice", UserID: "AIDAALICE", Name: "alice", AccessKeyID: "AKIAUSER"}})
	clk := clock.NewOffset(nil)
	srv, err := server.New(server.Config{
		Models: model.NewSet(), Services: svcs, Authn: authn.New(keys, clk), Authorizer: authz.New(),
		Store: st, Clock: clk, IDs: ids.Seeded(1), Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func sdkConfig(url, key, secret string) aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		BaseEndpoint: aws.String(url), RetryMaxAttempts: 1}
}

func TestEC2RoundTrip(t *testing.T) {
	hs := newServer(t)
	out, err := ec2.NewFromConfig(sdkConfig(hs.URL, "test", "test")).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Vpcs) != 1 {
		t.Fatalf("DescribeVpcs returned %d VPCs, want 1", len(out.Vpcs))
	}
	v := out.Vpcs[0]
	if aws.ToString(v.VpcId) != "vpc-0123456789abcdef0" || aws.ToString(v.CidrBlock) != "10.0.0.0/16" || string(v.State) != "available" ||
		aws.ToBool(v.IsDefault) || aws.ToString(out.NextToken) != "page2" {
		t.Errorf("DescribeVpcs = %+v", v)
	}
	if len(v.Tags) != 1 || aws.ToString(v.Tags[0].Value) != `ml <private> & "quoted"` {
		t.Errorf("DescribeVpcs tags = %+v, want one tag with the escaped value restored", v.Tags)
	}
	if len(v.CidrBlockAssociationSet) != 1 || v.CidrBlockAssociationSet[0].CidrBlockState.State != "associated" {
		t.Errorf("DescribeVpcs CIDR associations = %+v", v.CidrBlockAssociationSet)
	}
	_, err = ec2.NewFromConfig(sdkConfig(hs.URL, "test", "test")).DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSubnetID.NotFound" || ae.ErrorMessage() != "The subnet ID 'subnet-x' does not exist" {
		t.Errorf("DescribeSubnets error = %v, want InvalidSubnetID.NotFound with its message", err)
	}
}

func TestSageMakerRoundTrip(t *testing.T) {
	hs := newServer(t)
	sm := sagemaker.NewFromConfig(sdkConfig(hs.URL, "test", "test"))
	out, err := sm.DescribeDomain(context.Background(), &sagemaker.DescribeDomainInput{DomainId: aws.String("d-abcdef123456")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.DomainId) != "d-abcdef123456" || out.Status != smtypes.DomainStatusInService ||
		out.AppNetworkAccessType != smtypes.AppNetworkAccessTypeVpcOnly || !aws.ToTime(out.CreationTime).Equal(created) {
		t.Errorf("DescribeDomain = id %s status %s access %s created %v", aws.ToString(out.DomainId), out.Status, out.AppNetworkAccessType, aws.ToTime(out.CreationTime))
	}
	if len(out.SubnetIds) != 2 || out.SubnetIds[1] != "subnet-b" || aws.ToString(out.DefaultUserSettings.ExecutionRole) != "arn:aws:iam::000000000000:role/exec" ||
		len(out.DomainSettings.SecurityGroupIds) != 1 {
		t.Errorf("DescribeDomain nested = subnets %v settings %+v", out.SubnetIds, out.DefaultUserSettings)
	}
	_, err = sm.DescribeUserProfile(context.Background(), &sagemaker.DescribeUserProfileInput{DomainId: aws.String("d-abcdef123456"), UserProfileName: aws.String("p")})
	var nf *smtypes.ResourceNotFound
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "User profile not found" {
		t.Errorf("DescribeUserProfile error = %v, want the modelled ResourceNotFound with its message", err)
	}
}

func TestAHandlerThatAuthorizesNothingIsRefused(t *testing.T) {
	hs := newServer(t)
	_, err := sagemaker.NewFromConfig(sdkConfig(hs.URL, "test", "test")).ListDomains(context.Background(), &sagemaker.ListDomainsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" {
		t.Fatalf("ListDomains from a handler that authorized nothing: %v, want InternalFailure", err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", re.HTTPStatusCode())
	}
}

func TestIAMRoundTrip(t *testing.T) {
	hs := newServer(t)
	c := iam.NewFromConfig(sdkConfig(hs.URL, "test", "test"))
	out, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("exec")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.RoleId) != "AROAEXAMPLEEXAMPLE123" || !aws.ToTime(r.CreateDate).Equal(created) || aws.ToInt32(r.MaxSessionDuration) != 3600 ||
		len(r.Tags) != 1 || aws.ToString(r.Tags[0].Value) != "ml" {
		t.Errorf("GetRole = %+v", r)
	}
	list, err := c.ListRoles(context.Background(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Roles) != 2 || !list.IsTruncated || aws.ToString(list.Marker) != "m1" {
		t.Errorf("ListRoles = %d roles, truncated %v, marker %q", len(list.Roles), list.IsTruncated, aws.ToString(list.Marker))
	}
	_, err = c.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("nobody")})
	var nse interface{ ErrorCode() string }
	if !errors.As(err, &nse) || nse.ErrorCode() != "NoSuchEntity" {
		t.Errorf("GetUser error = %v, want NoSuchEntity", err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusNotFound {
		t.Errorf("NoSuchEntity status %d, want the model's 404", re.HTTPStatusCode())
	}
}

// TestNonRootIsDeniedUntilPoliciesExist: before the policy engine, an IAM user is denied with AWS's text.
func TestNonRootIsDeniedUntilPoliciesExist(t *testing.T) {
	hs := newServer(t)
	_, err := iam.NewFromConfig(sdkConfig(hs.URL, "AKIAUSER", "user")).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("exec")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("GetRole as a user without policies: %v, want AccessDenied", err)
	}
	// AWS leaves "on resource:" out when the action names no resource (the handler here authorizes "*").
	want := "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:GetRole because no identity-based policy allows the iam:GetRole action"
	if ae.ErrorMessage() != want {
		t.Errorf("AccessDenied message = %q, want %q", ae.ErrorMessage(), want)
	}
	_, err = sagemaker.NewFromConfig(sdkConfig(hs.URL, "AKIAUSER", "user")).DescribeDomain(context.Background(), &sagemaker.DescribeDomainInput{DomainId: aws.String("d-abcdef123456")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("DescribeDomain as a user without policies: %v, want AccessDeniedException", err)
	}
	_, err = ec2.NewFromConfig(sdkConfig(hs.URL, "AKIAUSER", "user")).DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnauthorizedOperation" {
		t.Errorf("DescribeVpcs as a user without policies: %v, want UnauthorizedOperation", err)
	}
}

func TestS3RoundTrip(t *testing.T) {
	hs := newServer(t)
	out, err := s3.NewFromConfig(sdkConfig(hs.URL, "test", "test"), func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "data" || !aws.ToTime(out.Buckets[0].CreationDate).Equal(created) ||
		aws.ToString(out.Owner.ID) != "abc" {
		t.Errorf("ListBuckets = %+v owner %+v", out.Buckets, out.Owner)
	}
}

func TestLogsRoundTrip(t *testing.T) {
	hs := newServer(t)
	out, err := cloudwatchlogs.NewFromConfig(sdkConfig(hs.URL, "test", "test")).DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 || aws.ToInt64(out.LogGroups[0].StoredBytes) != 1<<40 || aws.ToInt64(out.LogGroups[0].CreationTime) != created.UnixMilli() ||
		aws.ToInt32(out.LogGroups[0].RetentionInDays) != 30 {
		t.Errorf("DescribeLogGroups = %+v", out.LogGroups)
	}
}
