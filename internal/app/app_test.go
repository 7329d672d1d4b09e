package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sagebox/sagebox/internal/app"
)

// sagebox is a running server on a loopback port, as `sagebox serve --memory` runs it.
type sagebox struct {
	*app.App
	url string
}

func start(t *testing.T) *sagebox {
	t.Helper()
	cfg := app.Defaults()
	cfg.Memory = true
	cfg.LifecycleScale = 0
	cfg.Log = quietLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		a.Close()
	})
	return &sagebox{App: a, url: "http://" + ln.Addr().String()}
}

// cfg returns an SDK configuration for the server with the given credentials.
func (s *sagebox) cfg(key, secret string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		BaseEndpoint: aws.String(s.url),
		// No retries: an error must surface as the server answered it.
		RetryMaxAttempts: 1,
	}
}

func (s *sagebox) root() aws.Config { return s.cfg("test", "test") }

// apiError returns the code, message and HTTP status of err, which must be an AWS API error.
func apiError(t *testing.T, err error) (code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an AWS API error", err, err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestGetCallerIdentityAsRoot(t *testing.T) {
	s := start(t)
	out, err := sts.NewFromConfig(s.root()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:iam::000000000000:root"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if got, want := aws.ToString(out.Account), "000000000000"; got != want {
		t.Errorf("Account = %q, want %q", got, want)
	}
	if got, want := aws.ToString(out.UserId), "000000000000"; got != want {
		t.Errorf("UserId = %q, want %q", got, want)
	}
}

// TestAuthenticationFailuresSpeakEachProtocol checks that a wrong secret and an unknown key are refused in the
// words of the protocol the request came in: query (STS, IAM), json (SageMaker), ec2 and rest-xml (S3).
func TestAuthenticationFailuresSpeakEachProtocol(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	calls := map[string]func(aws.Config) error{
		"sts": func(c aws.Config) error {
			_, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
		"iam": func(c aws.Config) error {
			_, err := iam.NewFromConfig(c).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		},
		"sagemaker": func(c aws.Config) error {
			_, err := sagemaker.NewFromConfig(c).ListDomains(ctx, &sagemaker.ListDomainsInput{})
			return err
		},
		"ec2": func(c aws.Config) error {
			_, err := ec2.NewFromConfig(c).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		},
		"s3": func(c aws.Config) error {
			_, err := s3.NewFromConfig(c, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		},
	}
	cases := []struct {
		service, key, secret, wantCode string
	}{
		{"sts", "test", "wrong", "SignatureDoesNotMatch"},
		{"sts", "AKIAUNKNOWNUNKNOWN00", "x", "InvalidClientTokenId"},
		{"iam", "test", "wrong", "SignatureDoesNotMatch"},
		{"iam", "AKIAUNKNOWNUNKNOWN00", "x", "InvalidClientTokenId"},
		{"sagemaker", "test", "wrong", "InvalidSignatureException"},
		{"sagemaker", "AKIAUNKNOWNUNKNOWN00", "x", "UnrecognizedClientException"},
		// EC2 answers a wrong secret with SignatureDoesNotMatch and keeps AuthFailure for keys it does not know:
		// both are seen in real EC2 responses (aws-cli#134, vagrant-aws#138; aws-sdk-java-v2#2981).
		{"ec2", "test", "wrong", "SignatureDoesNotMatch"},
		{"ec2", "AKIAUNKNOWNUNKNOWN00", "x", "AuthFailure"},
		{"s3", "test", "wrong", "SignatureDoesNotMatch"},
		{"s3", "AKIAUNKNOWNUNKNOWN00", "x", "InvalidAccessKeyId"},
	}
	for _, c := range cases {
		t.Run(c.service+"/"+c.wantCode, func(t *testing.T) {
			err := calls[c.service](s.cfg(c.key, c.secret))
			if err == nil {
				t.Fatalf("%s with key %s and a bad secret succeeded", c.service, c.key)
			}
			if code, msg := apiError(t, err); code != c.wantCode {
				t.Errorf("%s error code = %s (%s), want %s", c.service, code, msg, c.wantCode)
			}
		})
	}
}

// TestUnsignedRequests sends requests without any signature, as curl would, and checks each protocol's answer.
func TestUnsignedRequests(t *testing.T) {
	s := start(t)
	cases := []struct {
		name, contentType, target, body string
		wantStatus                      int
		wantInBody                      string
	}{
		{"sts", "application/x-www-form-urlencoded", "", "Action=GetCallerIdentity&Version=2011-06-15", 403, "<Code>MissingAuthenticationToken</Code>"},
		{"sagemaker", "application/x-amz-json-1.1", "SageMaker.ListDomains", "{}", 400, `"__type":"MissingAuthenticationTokenException"`},
		{"ec2", "application/x-www-form-urlencoded", "", "Action=DescribeVpcs&Version=2016-11-15", 401, "<Code>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			if c.target != "" {
				req.Header.Set("X-Amz-Target", c.target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus {
				t.Errorf("unsigned %s: status %d, want %d; body %s", c.name, resp.StatusCode, c.wantStatus, body)
			}
			if !bytes.Contains(bytes.ReplaceAll(body, []byte(" "), nil), []byte(c.wantInBody)) {
				t.Errorf("unsigned %s: body %s does not contain %s", c.name, body, c.wantInBody)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" && resp.Header.Get("x-amz-request-id") == "" {
				t.Errorf("unsigned %s: no request id header in %v", c.name, resp.Header)
			}
		})
	}
}

// TestValidationThenNotImplemented checks that input is validated against the model before a handler runs, and
// that an operation sagebox does not implement yet is refused with an error that names it.
func TestValidationThenNotImplemented(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	sm := sagemaker.NewFromConfig(s.root())
	_, err := sm.CreateDomain(ctx, &sagemaker.CreateDomainInput{
		DomainName:          aws.String("bad name!"),
		AuthMode:            smtypes.AuthModeIam,
		DefaultUserSettings: &smtypes.UserSettings{ExecutionRole: aws.String("arn:aws:iam::000000000000:role/r")},
		SubnetIds:           []string{"subnet-0123456789abcdef0"},
		VpcId:               aws.String("vpc-0123456789abcdef0"),
	})
	code, msg := apiError(t, err)
	if code != "ValidationException" {
		t.Fatalf("CreateDomain with a bad name: code %s (%s), want ValidationException", code, msg)
	}
	want := "1 validation error detected: Value 'bad name!' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
	if !strings.HasPrefix(msg, want) {
		t.Errorf("CreateDomain with a bad name: message %q, want it to start with %q", msg, want)
	}

	_, err = sm.ListNotebookInstances(ctx, &sagemaker.ListNotebookInstancesInput{})
	code, msg = apiError(t, err)
	if code != "NotImplemented" || !strings.Contains(msg, "sagemaker:ListNotebookInstances") {
		t.Errorf("ListNotebookInstances: %s: %s, want NotImplemented naming sagemaker:ListNotebookInstances", code, msg)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusNotImplemented {
		t.Errorf("ListNotebookInstances: HTTP %d, want 501", re.HTTPStatusCode())
	}
}

// TestQueryValidationOrdersPatternFirst: IAM and STS report a value's pattern failure before its length failure
// (SageMaker the other way round); an empty RoleArn breaks both.
func TestQueryValidationOrdersPatternFirst(t *testing.T) {
	s := start(t)
	_, err := sts.NewFromConfig(s.root()).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(""), RoleSessionName: aws.String("s1")})
	code, msg := apiError(t, err)
	if code != "ValidationError" {
		t.Fatalf("AssumeRole with an empty RoleArn: %s: %s, want ValidationError", code, msg)
	}
	pattern := strings.Index(msg, "Member must satisfy regular expression pattern")
	length := strings.Index(msg, "Member must have length greater than or equal to 20")
	if !strings.HasPrefix(msg, "2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: ") || pattern < 0 || length < pattern {
		t.Errorf("AssumeRole with an empty RoleArn: message %q, want two violations, the pattern's first", msg)
	}
}

// TestClockAdvanceMakesSignaturesExpire moves the server's clock an hour ahead: a client signing with the real
// time is then outside the 15-minute window, and STS says so as AWS does.
func TestClockAdvanceMakesSignaturesExpire(t *testing.T) {
	s := start(t)
	var clock struct {
		Now    time.Time `json:"now"`
		Offset string    `json:"offset"`
	}
	postJSON(t, s.url+"/_sagebox/clock", `{"advance":"1h"}`, &clock)
	if clock.Offset != "1h0m0s" {
		t.Errorf("after advancing 1h, offset = %q, want 1h0m0s", clock.Offset)
	}
	_, err := sts.NewFromConfig(s.root()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	code, msg := apiError(t, err)
	if code != "SignatureDoesNotMatch" || !strings.HasPrefix(msg, "Signature expired: ") {
		t.Errorf("GetCallerIdentity an hour behind the server: %s: %s, want SignatureDoesNotMatch: Signature expired: …", code, msg)
	}
	postJSON(t, s.url+"/_sagebox/reset", ``, nil)
	if _, err := sts.NewFromConfig(s.root()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("after reset, GetCallerIdentity: %v", err)
	}
}

// TestAccountsCreateIssuesWorkingRootKeys creates an account through the admin API and calls STS with its keys;
// a reset removes it again.
func TestAccountsCreateIssuesWorkingRootKeys(t *testing.T) {
	s := start(t)
	var acct struct {
		AccountID       string `json:"accountId"`
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
	}
	postJSON(t, s.url+"/_sagebox/accounts", `{"name":"team-a"}`, &acct)
	if len(acct.AccountID) != 12 || !strings.HasPrefix(acct.AccessKeyID, "AKIA") || len(acct.AccessKeyID) != 20 || len(acct.SecretAccessKey) != 40 {
		t.Fatalf("created account %+v, want a 12-digit id, an AKIA key of 20 and a secret of 40", acct)
	}
	out, err := sts.NewFromConfig(s.cfg(acct.AccessKeyID, acct.SecretAccessKey)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:iam::"+acct.AccountID+":root"; got != want {
		t.Errorf("the new account's root is %q, want %q", got, want)
	}
	postJSON(t, s.url+"/moto-api/reset", ``, nil)
	_, err = sts.NewFromConfig(s.cfg(acct.AccessKeyID, acct.SecretAccessKey)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if code, _ := apiError(t, err); code != "InvalidClientTokenId" {
		t.Errorf("after reset, the removed account's key: %s, want InvalidClientTokenId", code)
	}
}

func postJSON(t *testing.T, url, body string, out any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %s: %s", url, resp.Status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: %v in %s", url, err, raw)
		}
	}
}
