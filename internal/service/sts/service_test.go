package sts_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	ststs "github.com/sagebox/sagebox/internal/service/sts"
)

func TestAssumeRoleAsService(t *testing.T) {
	f := start(t)
	exec := f.role(t, "execution", trustPolicy([]string{"Service:sagemaker.amazonaws.com"}), map[string]string{"p": allow("iam:ListRoles")})
	f.role(t, "users-only", trustPolicy([]string{"arn:aws:iam::" + account + ":root"}), nil)
	f.role(t, "confused-deputy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},`+
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"`+account+`"}}}]}`, nil)
	svc := f.App.STS()

	t.Run("a role that trusts the service gives it a real session", func(t *testing.T) {
		got, err := svc.AssumeRoleAsService(ctx, ststs.ServiceAssume{Service: "sagemaker.amazonaws.com", RoleARN: exec, SessionName: "SageMaker", Region: "us-east-1"})
		if err != nil {
			t.Fatalf("AssumeRoleAsService: %v", err)
		}
		want := "arn:aws:sts::" + account + ":assumed-role/execution/SageMaker"
		if got.Principal.ARN != want || got.AssumedRoleUser.Arn != want {
			t.Errorf("the session's principal = %s (%s), want %s", got.Principal.ARN, got.AssumedRoleUser.Arn, want)
		}
		if d := got.Credentials.Expiration.Sub(f.Now()); d < 59*time.Minute || d > time.Hour {
			t.Errorf("the session lasts %v, want an hour", d)
		}
		s := f.clients(got.Credentials.AccessKeyId, got.Credentials.SecretAccessKey, got.Credentials.SessionToken)
		if arn := callerARN(t, s); arn != want {
			t.Errorf("GetCallerIdentity with the service's session = %s, want %s", arn, want)
		}
		_, err = s.IAM.ListRoles(ctx, &iam.ListRolesInput{})
		wantOK(t, "ListRoles with the execution role's session", err)
	})
	refusals := []struct {
		name, role, reason string
		context            map[string][]string
	}{
		{name: "a role that trusts only users", role: roleARN("users-only"), reason: "not authorized to perform: sts:AssumeRole"},
		{name: "a role that does not exist", role: roleARN("nope"), reason: "not authorized to perform: sts:AssumeRole"},
		{name: "a trust policy's condition the service does not meet", role: roleARN("confused-deputy"), reason: "not authorized",
			context: map[string][]string{"aws:SourceAccount": {"111122223333"}}},
		{name: "not a role's ARN", role: "arn:aws:iam::" + account + ":user/x", reason: "not the ARN of a role"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.AssumeRoleAsService(ctx, ststs.ServiceAssume{Service: "sagemaker.amazonaws.com", RoleARN: tc.role, SessionName: "SageMaker", Context: tc.context})
			var ce *ststs.CannotAssumeError
			if !errors.Is(err, ststs.ErrCannotAssume) || !errors.As(err, &ce) {
				t.Fatalf("AssumeRoleAsService(%s) = %v, want ErrCannotAssume", tc.role, err)
			}
			if ce.RoleARN != tc.role || ce.Service != "sagemaker.amazonaws.com" || !strings.Contains(ce.Reason, tc.reason) {
				t.Errorf("AssumeRoleAsService(%s) = %+v, want the role, the service and a reason that says %q", tc.role, ce, tc.reason)
			}
		})
	}
	t.Run("the condition keys the service supplies reach the trust policy", func(t *testing.T) {
		_, err := svc.AssumeRoleAsService(ctx, ststs.ServiceAssume{Service: "sagemaker.amazonaws.com", RoleARN: roleARN("confused-deputy"),
			SessionName: "SageMaker", Context: map[string][]string{"aws:SourceAccount": {account}}})
		wantOK(t, "AssumeRoleAsService with aws:SourceAccount", err)
	})
	t.Run("a user cannot assume a role that trusts only the service", func(t *testing.T) {
		u := f.user(t, "u", map[string]string{"p": allow("sts:AssumeRole")})
		_, err := u.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(exec), RoleSessionName: aws.String("me")})
		wantError(t, "AssumeRole", err, "AccessDenied", "", 403)
	})
}
