package sts_test

// The harness of the STS tests: a real sagebox on a loopback port, aws-sdk-go-v2 clients for it, and helpers that
// make users, roles and sessions through the front door.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagebox/sagebox/internal/app"
	"github.com/sagebox/sagebox/internal/apptest"
)

const account = "000000000000"

var ctx = context.Background()

type fixture struct {
	*app.App
	URL string
	// IAM and STS are clients of the default account's root user.
	IAM *iam.Client
	STS *sts.Client
}

// start runs a sagebox with its state in memory, stopped when the test ends.
func start(t testing.TB) *fixture {
	t.Helper()
	return startWith(t, apptest.Config())
}

// startWith runs a sagebox with cfg, stopped when the test ends.
func startWith(t testing.TB, cfg app.Config) *fixture {
	f, _ := startStoppable(t, cfg)
	return f
}

// startStoppable runs a sagebox with cfg, and returns it with a function that stops it (which the test's end calls
// too).
func startStoppable(t testing.TB, cfg app.Config) (*fixture, func()) {
	t.Helper()
	a, url, stop := apptest.Serve(t, cfg)
	f := &fixture{App: a, URL: url}
	root := f.clients("test", "test", "")
	f.IAM, f.STS = root.IAM, root.STS
	return f, stop
}

// Config returns an SDK configuration for the server with the given credentials.
func (f *fixture) Config(key, secret, token string) aws.Config {
	return apptest.SDK(f.URL, key, secret, token)
}

// clients are the IAM and STS clients of one set of credentials.
type clients struct {
	IAM *iam.Client
	STS *sts.Client
	EC2 *ec2.Client
	// Key, Secret and Token are the credentials.
	Key, Secret, Token string
}

// clients returns clients of the credentials that sign their requests at the server's time, as clients whose
// clocks agree with the server's do after `sagebox clock advance`: a session can then be seen to expire without the
// requests' signatures expiring first.
func (f *fixture) clients(key, secret, token string) *clients {
	cfg := f.Config(key, secret, token)
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token}
	return &clients{
		IAM: iam.NewFromConfig(cfg, func(o *iam.Options) {
			o.APIOptions = append(o.APIOptions, signAt(f.Now, creds, "iam"))
		}),
		STS: sts.NewFromConfig(cfg, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions, signAt(f.Now, creds, "sts"))
		}),
		EC2: ec2.NewFromConfig(cfg, func(o *ec2.Options) {
			o.APIOptions = append(o.APIOptions, signAt(f.Now, creds, "ec2"))
		}),
		Key: key, Secret: secret, Token: token,
	}
}

// signAt replaces the SDK's signing step by one that signs with creds at now().
func signAt(now func() time.Time, creds aws.Credentials, service string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		_, err := stack.Finalize.Swap("Signing", &clockSigner{now: now, creds: creds, service: service, signer: v4.NewSigner()})
		return err
	}
}

type clockSigner struct {
	now     func() time.Time
	creds   aws.Credentials
	service string
	signer  *v4.Signer
}

func (*clockSigner) ID() string { return "Signing" }

func (s *clockSigner) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected request type %T", in.Request)
	}
	if err := s.signer.SignHTTP(ctx, s.creds, req.Request, v4.GetPayloadHash(ctx), s.service, "us-east-1", s.now()); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	return next.HandleFinalize(ctx, in)
}

// session returns the clients of temporary credentials.
func (f *fixture) session(c *ststypes.Credentials) *clients {
	return f.clients(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// user makes an IAM user with the inline policies given (name → document) and an access key, through root's
// client root (the default account's when nil).
func (f *fixture) user(t testing.TB, name string, policies map[string]string) *clients {
	return f.userIn(t, f.IAM, name, policies)
}

func (f *fixture) userIn(t testing.TB, root *iam.Client, name string, policies map[string]string) *clients {
	t.Helper()
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	for pn, doc := range policies {
		if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pn), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("PutUserPolicy(%s, %s): %v", name, pn, err)
		}
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateAccessKey(%s): %v", name, err)
	}
	return f.clients(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
}

// role makes a role with the trust policy and inline policies given, and returns its ARN.
func (f *fixture) role(t testing.TB, name, trust string, policies map[string]string) string {
	return f.roleWith(t, f.IAM, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}, policies)
}

func (f *fixture) roleWith(t testing.TB, root *iam.Client, in *iam.CreateRoleInput, policies map[string]string) string {
	t.Helper()
	out, err := root.CreateRole(ctx, in)
	if err != nil {
		t.Fatalf("CreateRole(%s): %v", aws.ToString(in.RoleName), err)
	}
	for pn, doc := range policies {
		if _, err := root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: in.RoleName, PolicyName: aws.String(pn), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("PutRolePolicy(%s, %s): %v", aws.ToString(in.RoleName), pn, err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// assume assumes a role with c and returns the session's clients and the answer.
func (f *fixture) assume(t testing.TB, c *clients, in *sts.AssumeRoleInput) (*clients, *sts.AssumeRoleOutput) {
	t.Helper()
	out, err := c.STS.AssumeRole(ctx, in)
	if err != nil {
		t.Fatalf("AssumeRole(%s): %v", aws.ToString(in.RoleArn), err)
	}
	return f.session(out.Credentials), out
}

// trustPolicy returns a trust policy that allows the principals (ARNs, or "Service:x" for a service) the actions
// (sts:AssumeRole when none).
func trustPolicy(principals []string, actions ...string) string {
	if len(actions) == 0 {
		actions = []string{"sts:AssumeRole"}
	}
	var aws, svc []string
	for _, p := range principals {
		if s, ok := strings.CutPrefix(p, "Service:"); ok {
			svc = append(svc, `"`+s+`"`)
		} else {
			aws = append(aws, `"`+p+`"`)
		}
	}
	var pr []string
	if len(aws) > 0 {
		pr = append(pr, `"AWS":[`+strings.Join(aws, ",")+`]`)
	}
	if len(svc) > 0 {
		pr = append(pr, `"Service":[`+strings.Join(svc, ",")+`]`)
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{` + strings.Join(pr, ",") +
		`},"Action":["` + strings.Join(actions, `","`) + `"]}]}`
}

// allow returns an identity policy that allows the actions on every resource.
func allow(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

func userARN(name string) string { return "arn:aws:iam::" + account + ":user/" + name }
func roleARN(name string) string { return "arn:aws:iam::" + account + ":role/" + name }

// apiError returns the code, message and HTTP status of err, which must be an AWS API error.
func apiError(t testing.TB, err error) (code, message string, status int) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded, want an error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an AWS API error", err, err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), status
}

// wantError fails the test unless err is the AWS error code with the message (when message is not empty) and
// the status (when status is not 0).
func wantError(t testing.TB, what string, err error, code, message string, status int) {
	t.Helper()
	gotCode, gotMessage, gotStatus := apiError(t, err)
	if gotCode != code || (message != "" && gotMessage != message) || (status != 0 && gotStatus != status) {
		t.Errorf("%s: %s %q (HTTP %d), want %s %q (HTTP %d)", what, gotCode, gotMessage, gotStatus, code, message, status)
	}
}

// wantOK fails the test when err is not nil.
func wantOK(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v, want success", what, err)
	}
}

// callerARN returns the ARN GetCallerIdentity answers for c.
func callerARN(t testing.TB, c *clients) string {
	t.Helper()
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return aws.ToString(out.Arn)
}

// denied is AWS's text for a denial by the policy engine.
func denied(who, action, resource, because string) string {
	s := "User: " + who + " is not authorized to perform: " + action
	if resource != "" {
		s += " on resource: " + resource
	}
	if because != "" {
		s += " because no " + because + " allows the " + action + " action"
	}
	return s
}

// hours is d hours.
func hours(d float64) time.Duration { return time.Duration(d * float64(time.Hour)) }
