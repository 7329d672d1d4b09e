package protocol

// The XML-family codecs against the real clients: aws-sdk-go-v2 sends its requests to a test server that decodes
// them with the codecs and answers with Encode or EncodeError, and the client must read what it expects.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/awserr"
	"github.com/sagebox/sagebox/internal/model"
)

// xmlSDKServer decodes every request with codec and answers with what answer returns for it.
type xmlSDKServer struct {
	codec  Codec
	svc    *model.Service
	answer func(op string, input map[string]any) (map[string]any, *awserr.Error)

	mu     sync.Mutex
	op     string
	input  map[string]any
	decErr error
}

func (s *xmlSDKServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	meta := Meta{RequestID: "req-1"}
	op, input, err := s.codec.Decode(s.svc, r, body)
	s.mu.Lock()
	s.decErr = err
	if op != nil {
		s.op, s.input = op.Name, input
	}
	s.mu.Unlock()
	if err != nil {
		s.codec.EncodeError(w, s.svc, nil, awserr.As(err), meta)
		return
	}
	out, aerr := s.answer(op.Name, input)
	if aerr != nil {
		s.codec.EncodeError(w, s.svc, op, aerr, meta)
		return
	}
	if err := s.codec.Encode(w, op, out, meta); err != nil {
		s.codec.EncodeError(w, s.svc, op, awserr.Internal(err), meta)
	}
}

// last returns what the server decoded from the last request.
func (s *xmlSDKServer) last(t *testing.T) (string, map[string]any) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.decErr != nil {
		t.Fatalf("Decode of the SDK's request = %v", s.decErr)
	}
	return s.op, s.input
}

func xmlSDKConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

func xmlAPIErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestXMLSDKQuery(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 30, 45, 0, time.UTC)
	srv := &xmlSDKServer{codec: Query(), svc: xmlService(t, "iam")}
	srv.answer = func(op string, in map[string]any) (map[string]any, *awserr.Error) {
		switch op {
		case "CreateRole":
			return map[string]any{"Role": map[string]any{
				"Path": "/", "RoleName": in["RoleName"], "RoleId": "AROAEXAMPLE", "CreateDate": created,
				"Arn": "arn:aws:iam::000000000000:role/" + in["RoleName"].(string), "Tags": in["Tags"],
			}}, nil
		case "GetRole":
			return nil, awserr.New("NoSuchEntity", "The role with name %s cannot be found.", in["RoleName"])
		}
		return nil, awserr.Newf(awserr.KindNotImplemented, "")
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := iam.NewFromConfig(xmlSDKConfig(hs.URL))
	ctx := context.Background()

	out, err := client.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("ml-execution"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`),
		MaxSessionDuration:       aws.Int32(7200),
		Tags:                     []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ml & data")}, {Key: aws.String("k2"), Value: aws.String("")}},
	})
	if err != nil {
		t.Fatalf("CreateRole = %v", err)
	}
	op, in := srv.last(t)
	wantIn := `{AssumeRolePolicyDocument: "{\"Version\":\"2012-10-17\",\"Statement\":[]}", MaxSessionDuration: 7200(int64), ` +
		`RoleName: "ml-execution", Tags: [{Key: "team", Value: "ml & data"}, {Key: "k2", Value: ""}]}`
	if op != "CreateRole" || show(in) != wantIn {
		t.Errorf("Decode(the SDK's CreateRole) = %s %s, want CreateRole %s", op, show(in), wantIn)
	}
	r := out.Role
	if aws.ToString(r.RoleName) != "ml-execution" || !aws.ToTime(r.CreateDate).Equal(created) || len(r.Tags) != 2 ||
		aws.ToString(r.Tags[0].Value) != "ml & data" {
		t.Errorf("the SDK read CreateRole's response as %+v, want the role given to Encode", r)
	}

	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("missing")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || !strings.Contains(nse.ErrorMessage(), "missing cannot be found") {
		t.Errorf("GetRole of a missing role = %v, want NoSuchEntityException", err)
	}

	stsSrv := &xmlSDKServer{codec: Query(), svc: xmlService(t, "sts"), answer: func(string, map[string]any) (map[string]any, *awserr.Error) {
		return map[string]any{"UserId": "AIDAEXAMPLE", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:user/alice"}, nil
	}}
	hs2 := httptest.NewServer(stsSrv)
	defer hs2.Close()
	who, err := sts.NewFromConfig(xmlSDKConfig(hs2.URL)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Account) != "000000000000" || aws.ToString(who.Arn) != "arn:aws:iam::000000000000:user/alice" {
		t.Errorf("GetCallerIdentity = %+v, %v, want account 000000000000 and alice's ARN", who, err)
	}
}

func TestXMLSDKEC2(t *testing.T) {
	srv := &xmlSDKServer{codec: EC2(), svc: xmlService(t, "ec2")}
	srv.answer = func(op string, in map[string]any) (map[string]any, *awserr.Error) {
		switch op {
		case "DescribeVpcs":
			return map[string]any{"Vpcs": []any{map[string]any{
				"VpcId": "vpc-0a1b2c3d4e5f60718", "CidrBlock": "10.0.0.0/16", "State": "available", "IsDefault": true,
				"Tags": []any{map[string]any{"Key": "Name", "Value": "studio"}},
				"CidrBlockAssociationSet": []any{map[string]any{"AssociationId": "vpc-cidr-assoc-1",
					"CidrBlockState": map[string]any{"State": "associated"}}},
			}}}, nil
		case "CreateVpc":
			if in["DryRun"] == true {
				return nil, awserr.Newf(awserr.KindDryRun, "")
			}
		}
		return nil, awserr.Newf(awserr.KindNotImplemented, "")
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := ec2.NewFromConfig(xmlSDKConfig(hs.URL))
	ctx := context.Background()

	out, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{
		VpcIds:     []string{"vpc-0a1b2c3d4e5f60718", "vpc-2"},
		Filters:    []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{"studio", "lab"}}},
		MaxResults: aws.Int32(5),
	})
	if err != nil {
		t.Fatalf("DescribeVpcs = %v", err)
	}
	op, in := srv.last(t)
	wantIn := `{Filters: [{Name: "tag:Name", Values: ["studio", "lab"]}], MaxResults: 5(int64), VpcIds: ["vpc-0a1b2c3d4e5f60718", "vpc-2"]}`
	if op != "DescribeVpcs" || show(in) != wantIn {
		t.Errorf("Decode(the SDK's DescribeVpcs) = %s %s, want DescribeVpcs %s", op, show(in), wantIn)
	}
	if len(out.Vpcs) != 1 || !aws.ToBool(out.Vpcs[0].IsDefault) || len(out.Vpcs[0].Tags) != 1 ||
		aws.ToString(out.Vpcs[0].Tags[0].Value) != "studio" || len(out.Vpcs[0].CidrBlockAssociationSet) != 1 ||
		out.Vpcs[0].CidrBlockAssociationSet[0].CidrBlockState.State != ec2types.VpcCidrBlockStateCodeAssociated {
		t.Errorf("the SDK read DescribeVpcs's response as %+v, want the VPC given to Encode", out.Vpcs)
	}

	_, err = client.CreateVpc(ctx, &ec2.CreateVpcInput{
		CidrBlock: aws.String("10.1.0.0/16"), DryRun: aws.Bool(true),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc,
			Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("x")}}}},
	})
	if code := xmlAPIErrorCode(err); code != "DryRunOperation" {
		t.Errorf("CreateVpc with DryRun = %v, want DryRunOperation", err)
	}
	_, in = srv.last(t)
	if want := `{CidrBlock: "10.1.0.0/16", DryRun: true(bool), TagSpecifications: [{ResourceType: "vpc", Tags: [{Key: "Name", Value: "x"}]}]}`; show(in) != want {
		t.Errorf("Decode(the SDK's CreateVpc) = %s, want %s", show(in), want)
	}
}

func TestXMLSDKRestXML(t *testing.T) {
	modified := time.Date(2026, 3, 1, 12, 30, 45, 0, time.UTC)
	srv := &xmlSDKServer{codec: RestXML(), svc: xmlService(t, "s3")}
	srv.answer = func(op string, in map[string]any) (map[string]any, *awserr.Error) {
		switch op {
		case "PutObject":
			return map[string]any{"ETag": `"5d41402abc4b2a76b9719d911017c592"`}, nil
		case "ListObjectsV2":
			return map[string]any{"Name": in["Bucket"], "Prefix": in["Prefix"], "KeyCount": int64(1), "IsTruncated": false,
				"Contents": []any{map[string]any{"Key": "runs/a b.txt", "Size": int64(5), "LastModified": modified,
					"ETag": `"5d41402abc4b2a76b9719d911017c592"`, "StorageClass": "STANDARD"}},
				"CommonPrefixes": []any{map[string]any{"Prefix": "runs/sub/"}}}, nil
		case "GetBucketLocation":
			return map[string]any{"LocationConstraint": "eu-west-1"}, nil
		case "GetObject":
			return nil, &awserr.Error{Code: "NoSuchKey", Message: "The specified key does not exist.",
				Fields: map[string]any{"Key": in["Key"]}}
		case "HeadBucket":
			return nil, &awserr.Error{Code: "NoSuchBucket", Message: "The specified bucket does not exist", Status: 404}
		case "CreateMultipartUpload":
			return map[string]any{"Bucket": in["Bucket"], "Key": in["Key"], "UploadId": "up-1"}, nil
		case "UploadPart":
			return map[string]any{"ETag": `"etag-1"`}, nil
		}
		return nil, awserr.Newf(awserr.KindNotImplemented, "")
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client := s3.NewFromConfig(xmlSDKConfig(hs.URL), func(o *s3.Options) {
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	ctx := context.Background()

	put, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("models"), Key: aws.String("runs/a b.txt"), Body: strings.NewReader("hello"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"Owner": "alice"},
	})
	if err != nil {
		t.Fatalf("PutObject = %v", err)
	}
	op, in := srv.last(t)
	wantIn := `{Body: b64:aGVsbG8=, Bucket: "models", ContentLength: 5(int64), ContentType: "text/plain", Key: "runs/a b.txt", Metadata: {owner: "alice"}}`
	if op != "PutObject" || show(in) != wantIn {
		t.Errorf("Decode(the SDK's PutObject) = %s %s, want PutObject %s", op, show(in), wantIn)
	}
	if aws.ToString(put.ETag) != `"5d41402abc4b2a76b9719d911017c592"` {
		t.Errorf("the SDK read PutObject's ETag as %q", aws.ToString(put.ETag))
	}

	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("models"), Prefix: aws.String("runs/"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatalf("ListObjectsV2 = %v", err)
	}
	if op, _ := srv.last(t); op != "ListObjectsV2" {
		t.Errorf("Decode(the SDK's ListObjectsV2) chose %s", op)
	}
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "runs/a b.txt" || aws.ToInt64(list.Contents[0].Size) != 5 ||
		!aws.ToTime(list.Contents[0].LastModified).Equal(modified) || len(list.CommonPrefixes) != 1 || aws.ToInt32(list.KeyCount) != 1 {
		t.Errorf("the SDK read ListObjectsV2's response as %+v", list)
	}

	loc, err := client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("models")})
	if err != nil || loc.LocationConstraint != s3types.BucketLocationConstraintEuWest1 {
		t.Errorf("GetBucketLocation = %+v, %v, want eu-west-1", loc, err)
	}

	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("models"), Key: aws.String("missing")})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("GetObject of a missing key = %v, want NoSuchKey", err)
	}

	_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("gone")})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket of a missing bucket = %v, want NotFound (a HEAD error has no body)", err)
	}

	mp, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("models"), Key: aws.String("big")})
	if err != nil || aws.ToString(mp.UploadId) != "up-1" {
		t.Fatalf("CreateMultipartUpload = %+v, %v, want upload up-1", mp, err)
	}
	if _, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("models"), Key: aws.String("big"),
		UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")}); err != nil {
		t.Fatalf("UploadPart = %v", err)
	}
	if op, in := srv.last(t); op != "UploadPart" || in["UploadId"] != "up-1" || in["PartNumber"] != int64(1) {
		t.Errorf("Decode(the SDK's UploadPart) = %s %s, want UploadPart of up-1 part 1", op, show(in))
	}
}
