package sts_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sagebox/sagebox/internal/api"
)

// requireMFA allows ListUsers only with MFA, GetUser always.
// requireMFA allows DescribeVpcs to alice always, and DescribeSubnets and IAM's ListUsers only with MFA.
const requireMFA = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"ec2:DescribeVpcs","Resource":"*"},
 {"Effect":"Allow","Action":["ec2:DescribeSubnets","iam:ListUsers"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`

// noIAM is how IAM answers temporary credentials it does not accept: those of GetSessionToken without MFA and of
// GetFederationToken ("You cannot call any IAM API operations unless MFA authentication information is included in
// the request", STS API Reference) — as for an unknown key (aws/aws-sdk-js#460, 99designs/aws-vault#15).
const noIAM = "InvalidClientTokenId"

func TestGetSessionToken(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", map[string]string{"p": requireMFA})
	mfaARN := "arn:aws:iam::" + account + ":mfa/alice"

	t.Run("a user's session is the user, with the user's permissions, for 12 hours", func(t *testing.T) {
		now := f.Now()
		out, err := alice.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		if err != nil {
			t.Fatalf("GetSessionToken: %v", err)
		}
		if got := aws.ToTime(out.Credentials.Expiration).Sub(now); got < 12*time.Hour-2*time.Second || got > 12*time.Hour+time.Second {
			t.Errorf("the session lasts %v, want 12h", got)
		}
		s := f.session(out.Credentials)
		if !strings.HasPrefix(s.Key, "ASIA") {
			t.Errorf("AccessKeyId = %s, want an ASIA key", s.Key)
		}
		if got := callerARN(t, s); got != userARN("alice") {
			t.Errorf("the session's GetCallerIdentity Arn = %s, want %s", got, userARN("alice"))
		}
		_, err = s.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		wantOK(t, "DescribeVpcs with the session", err)
		_, err = s.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
		wantError(t, "DescribeSubnets with a session without MFA", err, "UnauthorizedOperation", "", 403)
		_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantError(t, "ListUsers (IAM) with a session without MFA", err, noIAM, "", 403)
	})
	t.Run("a session with MFA has aws:MultiFactorAuthPresent", func(t *testing.T) {
		out, err := alice.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(mfaARN), TokenCode: aws.String("123456"), DurationSeconds: aws.Int32(900)})
		if err != nil {
			t.Fatalf("GetSessionToken with MFA: %v", err)
		}
		s := f.session(out.Credentials)
		_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantOK(t, "ListUsers (IAM) with an MFA session", err)
		_, err = s.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
		wantOK(t, "DescribeSubnets with an MFA session", err)
	})
	t.Run("the user's long-term key has no aws:MultiFactorAuthPresent", func(t *testing.T) {
		_, err := alice.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantError(t, "ListUsers with the long-term key", err, "AccessDenied", "", 403)
	})
	t.Run("the root user's session lasts an hour at most", func(t *testing.T) {
		now := f.Now()
		out, err := f.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)})
		if err != nil {
			t.Fatalf("GetSessionToken as root: %v", err)
		}
		if got := aws.ToTime(out.Credentials.Expiration).Sub(now); got > time.Hour+time.Second {
			t.Errorf("the root user's session lasts %v, want an hour", got)
		}
		if got := callerARN(t, f.session(out.Credentials)); got != "arn:aws:iam::"+account+":root" {
			t.Errorf("the root session's GetCallerIdentity Arn = %s, want the root user's", got)
		}
	})

	mfaText := "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	errs := []struct {
		name          string
		serial, code  string
		wantCode, msg string
	}{
		{name: "a serial number without a code", serial: mfaARN, wantCode: "AccessDenied", msg: mfaText},
		{name: "a code without a serial number", code: "123456", wantCode: "AccessDenied", msg: mfaText},
		{name: "a device of another account", serial: "arn:aws:iam::111122223333:mfa/alice", code: "123456", wantCode: "AccessDenied", msg: mfaText},
		{name: "a hardware serial number (sagebox has no hardware devices)", serial: "GAHT12345678", code: "123456", wantCode: "AccessDenied", msg: mfaText},
		{name: "a code that is not six digits", serial: mfaARN, code: "12345a", wantCode: "ValidationError"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			in := &sts.GetSessionTokenInput{}
			if tc.serial != "" {
				in.SerialNumber = aws.String(tc.serial)
			}
			if tc.code != "" {
				in.TokenCode = aws.String(tc.code)
			}
			_, err := alice.STS.GetSessionToken(ctx, in)
			wantError(t, "GetSessionToken", err, tc.wantCode, tc.msg, 0)
		})
	}

	t.Run("session credentials may not call it, nor most of STS", func(t *testing.T) {
		out, err := alice.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		if err != nil {
			t.Fatal(err)
		}
		s := f.session(out.Credentials)
		_, err = s.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		wantError(t, "GetSessionToken with session credentials", err, "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
		_, err = s.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
		wantError(t, "GetFederationToken with session credentials", err, "AccessDenied", "", 403)
		_, err = s.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(alice.Key)})
		wantError(t, "GetAccessKeyInfo with session credentials", err, "AccessDenied", "", 403)
	})
}

func TestGetFederationToken(t *testing.T) {
	f := start(t)
	broker := f.user(t, "broker", map[string]string{"p": allow("sts:GetFederationToken", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "iam:GetUser")})
	nobody := f.user(t, "nobody", nil)
	fedARN := "arn:aws:sts::" + account + ":federated-user/carol"

	t.Run("it needs sts:GetFederationToken", func(t *testing.T) {
		_, err := nobody.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol")})
		wantError(t, "GetFederationToken", err, "AccessDenied", denied(userARN("nobody"), "sts:GetFederationToken", fedARN, "identity-based policy"), 403)
	})
	t.Run("without a session policy the federated user can do nothing", func(t *testing.T) {
		out, err := broker.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol")})
		if err != nil {
			t.Fatalf("GetFederationToken: %v", err)
		}
		if got := aws.ToString(out.FederatedUser.Arn); got != fedARN {
			t.Errorf("FederatedUser.Arn = %s, want %s", got, fedARN)
		}
		if got, want := aws.ToString(out.FederatedUser.FederatedUserId), account+":carol"; got != want {
			t.Errorf("FederatedUserId = %s, want %s", got, want)
		}
		s := f.session(out.Credentials)
		id, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(id.Arn) != fedARN || aws.ToString(id.UserId) != account+":carol" {
			t.Errorf("GetCallerIdentity = %v, %v; want %s (%s:carol)", id, err, fedARN, account)
		}
		_, err = s.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		wantError(t, "DescribeVpcs as a federated user without session policies", err, "UnauthorizedOperation", "", 403)
		_, err = s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("broker")})
		wantError(t, "GetUser (IAM) as a federated user", err, noIAM, "", 403)
	})
	t.Run("its permissions are the session policy's within the user's", func(t *testing.T) {
		out, err := broker.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol"),
			Policy: aws.String(allow("ec2:DescribeVpcs", "ec2:CreateVpc", "iam:GetUser"))})
		if err != nil {
			t.Fatalf("GetFederationToken: %v", err)
		}
		if out.PackedPolicySize == nil {
			t.Error("PackedPolicySize is missing from an answer with a session policy")
		}
		s := f.session(out.Credentials)
		_, err = s.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		wantOK(t, "DescribeVpcs (the user and the session policy allow it)", err)
		_, err = s.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
		wantError(t, "DescribeSubnets (the user allows it, the session policy does not)", err, "UnauthorizedOperation", "", 403)
		_, err = s.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
		wantError(t, "CreateVpc (the session policy allows it, the user does not)", err, "UnauthorizedOperation", "", 403)
		_, err = s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("broker")})
		wantError(t, "GetUser (IAM, which both allow) as a federated user", err, noIAM, "", 403)
		_, err = s.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		wantError(t, "GetSessionToken as a federated user", err, "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
		_, err = s.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("any")), RoleSessionName: aws.String("fed")})
		wantError(t, "AssumeRole as a federated user", err, "AccessDenied", "", 403)
	})
	t.Run("the root user's federated users have the session policy's permissions, for an hour at most", func(t *testing.T) {
		now := f.Now()
		out, err := f.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("rooted"), DurationSeconds: aws.Int32(7200),
			Policy: aws.String(allow("ec2:DescribeVpcs"))})
		if err != nil {
			t.Fatalf("GetFederationToken as root: %v", err)
		}
		if got := aws.ToTime(out.Credentials.Expiration).Sub(now); got > time.Hour+time.Second {
			t.Errorf("the root user's federated session lasts %v, want an hour", got)
		}
		s := f.session(out.Credentials)
		_, err = s.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		wantOK(t, "DescribeVpcs", err)
		_, err = s.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
		wantError(t, "DescribeSubnets", err, "UnauthorizedOperation", "", 403)
	})
}

func TestGetCallerIdentityOfEveryPrincipal(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", map[string]string{"p": allow("sts:GetFederationToken")})
	aliceID, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}), nil)
	role, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	roleSession, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("who")})
	userToken, err := alice.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	fed, err := alice.STS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		c           *clients
		arn, userID string
		wantAccount string
	}{
		{"the root user", f.clients("test", "test", ""), "arn:aws:iam::" + account + ":root", account, account},
		{"an IAM user", alice, userARN("alice"), aws.ToString(aliceID.User.UserId), account},
		{"a role session", roleSession, "arn:aws:sts::" + account + ":assumed-role/r/who", aws.ToString(role.Role.RoleId) + ":who", account},
		{"an IAM user's session", f.session(userToken.Credentials), userARN("alice"), aws.ToString(aliceID.User.UserId), account},
		{"a federated user", f.session(fed.Credentials), "arn:aws:sts::" + account + ":federated-user/fed", account + ":fed", account},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
			if aws.ToString(out.Arn) != tc.arn || aws.ToString(out.UserId) != tc.userID || aws.ToString(out.Account) != tc.wantAccount {
				t.Errorf("GetCallerIdentity = %s %s %s, want %s %s %s", aws.ToString(out.Arn), aws.ToString(out.UserId),
					aws.ToString(out.Account), tc.arn, tc.userID, tc.wantAccount)
			}
		})
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	f := start(t)
	asker := f.user(t, "asker", map[string]string{"p": allow("sts:GetAccessKeyInfo", "sts:AssumeRole")})
	plain := f.user(t, "plain", nil)
	other, err := f.CreateAccount(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	arn := f.role(t, "r", trustPolicy([]string{userARN("asker")}), nil)
	s, _ := f.assume(t, asker, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("keys")})

	cases := []struct {
		name, key, account string
	}{
		{"an IAM user's key", plain.Key, account},
		{"a role session's key", s.Key, account},
		{"another account's root key", other.RootAccessKeyID, other.ID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := asker.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(tc.key)})
			if err != nil {
				t.Fatalf("GetAccessKeyInfo(%s): %v", tc.key, err)
			}
			if got := aws.ToString(out.Account); got != tc.account {
				t.Errorf("GetAccessKeyInfo(%s) = %s, want %s", tc.key, got, tc.account)
			}
		})
	}
	t.Run("a key sagebox did not issue", func(t *testing.T) {
		_, err := asker.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
		wantError(t, "GetAccessKeyInfo", err, "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
	})
	t.Run("it needs sts:GetAccessKeyInfo", func(t *testing.T) {
		_, err := plain.STS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(plain.Key)})
		wantError(t, "GetAccessKeyInfo", err, "AccessDenied", denied(userARN("plain"), "sts:GetAccessKeyInfo", "", "identity-based policy"), 403)
	})
}

func TestDecodeAuthorizationMessage(t *testing.T) {
	f := start(t)
	decoder := f.user(t, "decoder", map[string]string{"p": allow("sts:DecodeAuthorizationMessage")})
	plain := f.user(t, "plain", nil)
	u, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	// An EC2 handler's denial of plain: its message carries the encoded decision.
	encoded := ec2Denial(t, f, &api.Principal{Type: api.User, Account: account, ARN: userARN("plain"), UserID: aws.ToString(u.User.UserId), Name: "plain", AccessKeyID: plain.Key})

	t.Run("the decision of an EC2 denial, as AWS's JSON", func(t *testing.T) {
		out, err := decoder.STS.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)})
		if err != nil {
			t.Fatalf("DecodeAuthorizationMessage: %v", err)
		}
		var msg struct {
			Allowed      bool `json:"allowed"`
			ExplicitDeny bool `json:"explicitDeny"`
			Context      struct {
				Principal struct{ ID, Name, ARN string }
				Action    string
				Resource  string
			} `json:"context"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(out.DecodedMessage)), &msg); err != nil {
			t.Fatalf("DecodedMessage %q is not JSON: %v", aws.ToString(out.DecodedMessage), err)
		}
		if msg.Allowed || msg.ExplicitDeny || msg.Context.Action != "ec2:CreateVpc" || msg.Context.Principal.ARN != userARN("plain") {
			t.Errorf("DecodedMessage = %s, want an implicit deny of ec2:CreateVpc for %s", aws.ToString(out.DecodedMessage), userARN("plain"))
		}
	})
	t.Run("it needs sts:DecodeAuthorizationMessage", func(t *testing.T) {
		_, err := plain.STS.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(encoded)})
		wantError(t, "DecodeAuthorizationMessage", err, "AccessDenied",
			denied(userARN("plain"), "sts:DecodeAuthorizationMessage", "", "identity-based policy"), 403)
	})
	t.Run("a message that sagebox did not encode", func(t *testing.T) {
		_, err := decoder.STS.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("rHU-pVHMSckD0OAc5l3r9")})
		wantError(t, "DecodeAuthorizationMessage", err, "InvalidAuthorizationMessageException", "", 400)
	})
	t.Run("the message of a decision about another account", func(t *testing.T) {
		other, err := f.CreateAccount(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		foreign := ec2Denial(t, f, &api.Principal{Type: api.User, Account: other.ID, ARN: "arn:aws:iam::" + other.ID + ":user/someone",
			UserID: "AIDAEXAMPLEEXAMPLE123", Name: "someone"})
		_, err = decoder.STS.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(foreign)})
		wantError(t, "DecodeAuthorizationMessage", err, "InvalidAuthorizationMessageException", "", 400)
	})
}

// ec2Denial has the authorizer deny p ec2:CreateVpc as an EC2 handler asks it, and returns the encoded message of
// the denial.
func ec2Denial(t *testing.T, f *fixture, p *api.Principal) string {
	t.Helper()
	c := api.NewCall(ctx, f.Authorizer(), nil, false)
	c.RequestID, c.Service, c.Operation, c.Region, c.Now = "11111111-2222-4333-8444-555555555555", "ec2", "CreateVpc", "us-east-1", f.Now()
	c.Principal = p
	err := c.Authorize(ctx, api.Authorization{Action: "ec2:CreateVpc", Resources: []string{"arn:aws:ec2:us-east-1:" + p.Account + ":vpc/*"}})
	const marker = "Encoded authorization failure message: "
	if err == nil || !strings.Contains(err.Error(), marker) {
		t.Fatalf("the EC2 authorization = %v, want a denial with an encoded message", err)
	}
	return err.Error()[strings.Index(err.Error(), marker)+len(marker):]
}
