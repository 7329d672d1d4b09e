package sts_test

import (
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/app"
)

func TestSessionAuthentication(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}), map[string]string{"p": allow("iam:ListUsers")})
	s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("auth"), DurationSeconds: aws.Int32(900)})
	other, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("other")})

	const invalid = "The security token included in the request is invalid."
	cases := []struct {
		name    string
		c       *clients
		code    string
		message string
	}{
		{name: "the key with its token", c: s},
		{name: "the key without a token", c: f.clients(s.Key, s.Secret, ""), code: "InvalidClientTokenId", message: invalid},
		{name: "the key with another session's token", c: f.clients(s.Key, s.Secret, other.Token), code: "InvalidClientTokenId", message: invalid},
		{name: "the key with a token that was never issued", c: f.clients(s.Key, s.Secret, "AQoDYXdzEPT//////////wEXAMPLE"), code: "InvalidClientTokenId", message: invalid},
		{name: "the key with a wrong secret", c: f.clients(s.Key, "wrong", s.Token), code: "SignatureDoesNotMatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.IAM.ListUsers(ctx, &iam.ListUsersInput{})
			if tc.code == "" {
				wantOK(t, "ListUsers", err)
				return
			}
			wantError(t, "ListUsers", err, tc.code, tc.message, 403)
		})
	}

	t.Run("after its expiration every call is ExpiredToken", func(t *testing.T) {
		f.Advance(hours(0.25))
		_, err := s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantError(t, "ListUsers", err, "ExpiredToken", "The security token included in the request is expired", 403)
		_, err = s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantError(t, "GetCallerIdentity", err, "ExpiredToken", "The security token included in the request is expired", 403)
		_, err = other.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantOK(t, "ListUsers with a session that has not expired", err)
		f.Advance(hours(1))
		_, err = other.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantError(t, "ListUsers an hour later", err, "ExpiredToken", "", 403)
	})
}

func TestRoleChangesReachSessions(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}), map[string]string{"p": allow("iam:ListUsers")})
	s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("live")})
	who := "arn:aws:sts::" + account + ":assumed-role/r/live"

	_, err := s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantOK(t, "ListUsers with the role's policy", err)
	if _, err := f.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantError(t, "ListUsers after the role's policy was deleted", err, "AccessDenied",
		denied(who, "iam:ListUsers", "arn:aws:iam::"+account+":user/", "identity-based policy"), 403)
	if _, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantOK(t, "GetCallerIdentity of a session whose role was deleted (it stays valid until it expires)", err)
	f.role(t, "r", trustPolicy([]string{userARN("alice")}), map[string]string{"p": allow("iam:ListUsers")})
	_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantError(t, "ListUsers from a session of the deleted role, after a role of the same name was made", err, "AccessDenied", "", 403)
}

func TestSessionsSurviveRestart(t *testing.T) {
	cfg := app.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.LifecycleScale = 0
	cfg.Log = slog.New(slog.DiscardHandler)
	f, stop := startStoppable(t, cfg)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}, "sts:AssumeRole", "sts:TagSession"), map[string]string{"abac": byTeam})
	managed, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("get-user"), PolicyDocument: aws.String(allow("iam:GetUser"))})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("kept"),
		Tags: tags("team", "ml", "stage", "prod"), Policy: aws.String(allow("iam:GetUser")),
		PolicyArns: repeatARN(aws.ToString(managed.Policy.Arn), 1)})
	stop()

	f = startWith(t, cfg)
	s = f.clients(s.Key, s.Secret, s.Token)
	if got, want := callerARN(t, s), "arn:aws:sts::"+account+":assumed-role/r/kept"; got != want {
		t.Errorf("GetCallerIdentity after a restart = %s, want %s", got, want)
	}
	_, err = s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantOK(t, "GetUser after a restart (session tag team=ml, both session policies allow it)", err)
	_, err = s.IAM.ListRoles(ctx, &iam.ListRolesInput{})
	wantError(t, "ListRoles after a restart (the role allows it for stage=prod, no session policy does)", err, "AccessDenied",
		denied("arn:aws:sts::"+account+":assumed-role/r/kept", "iam:ListRoles", "arn:aws:iam::"+account+":role/", "session policy"), 403)
	f.Advance(hours(1))
	_, err = s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantError(t, "GetCallerIdentity after a restart and an hour", err, "ExpiredToken", "", 403)
}

func TestResetForgetsSessions(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}), nil)
	s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("gone")})
	if err := f.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantError(t, "GetCallerIdentity after a reset", err, "InvalidClientTokenId", "", 403)
	if e := f.App.STS().Session(&api.Principal{AccessKeyID: s.Key}); e != nil {
		t.Errorf("Session(%s) after a reset = %+v, want none", s.Key, e)
	}
}
