package sts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestAssumeRoleTrust(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	bob := f.user(t, "bob", map[string]string{"assume": allow("sts:AssumeRole")})
	carol := f.user(t, "carol", nil)
	f.role(t, "for-alice", trustPolicy([]string{userARN("alice")}), nil)
	f.role(t, "for-account", trustPolicy([]string{"arn:aws:iam::" + account + ":root"}), nil)
	f.role(t, "for-sagemaker", trustPolicy([]string{"Service:sagemaker.amazonaws.com"}), nil)
	f.role(t, "with-external-id", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+
		`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Example987"}}}]}`, nil)
	f.role(t, "named-session", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+
		`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:RoleSessionName":"${aws:username}"}}}]}`, nil)
	if _, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("pathed"), Path: aws.String("/team/"),
		AssumeRolePolicyDocument: aws.String(trustPolicy([]string{userARN("alice")}))}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name       string
		who        *clients
		role       string
		externalID string
		session    string
		wantCode   string
		wantMsg    string
	}{
		{name: "a trust policy naming the user allows it without an identity policy", who: alice, role: roleARN("for-alice")},
		{name: "a trust policy naming another user refuses", who: bob, role: roleARN("for-alice"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("bob"), "sts:AssumeRole", roleARN("for-alice"), "role trust policy")},
		{name: "a trust policy naming another user refuses one without an identity policy too", who: carol, role: roleARN("for-alice"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("carol"), "sts:AssumeRole", roleARN("for-alice"), "identity-based policy")},
		{name: "a trust policy naming the account needs an identity-based allow", who: carol, role: roleARN("for-account"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("carol"), "sts:AssumeRole", roleARN("for-account"), "identity-based policy")},
		{name: "a trust policy naming the account and an identity-based allow", who: bob, role: roleARN("for-account")},
		{name: "a trust policy naming only a service refuses users", who: bob, role: roleARN("for-sagemaker"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("bob"), "sts:AssumeRole", roleARN("for-sagemaker"), "role trust policy")},
		{name: "a role that does not exist is refused as an untrusting one", who: bob, role: roleARN("nope"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("bob"), "sts:AssumeRole", roleARN("nope"), "role trust policy")},
		{name: "a role that does not exist is refused as an untrusting one, without an identity policy", who: carol, role: roleARN("nope"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("carol"), "sts:AssumeRole", roleARN("nope"), "identity-based policy")},
		{name: "a role's ARN without its path names no role", who: alice, role: roleARN("pathed"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("alice"), "sts:AssumeRole", roleARN("pathed"), "identity-based policy")},
		{name: "a role's ARN with its path", who: alice, role: "arn:aws:iam::" + account + ":role/team/pathed"},
		{name: "an external ID the trust policy requires, missing", who: alice, role: roleARN("with-external-id"),
			wantCode: "AccessDenied", wantMsg: denied(userARN("alice"), "sts:AssumeRole", roleARN("with-external-id"), "identity-based policy")},
		{name: "an external ID the trust policy requires, wrong", who: alice, role: roleARN("with-external-id"), externalID: "nope",
			wantCode: "AccessDenied"},
		{name: "an external ID the trust policy requires, right", who: alice, role: roleARN("with-external-id"), externalID: "Example987"},
		{name: "a session name the trust policy requires, wrong", who: alice, role: roleARN("named-session"), session: "other",
			wantCode: "AccessDenied"},
		{name: "a session name the trust policy requires, right", who: alice, role: roleARN("named-session"), session: "alice"},
		{name: "the root user may not assume roles", who: f.clients("test", "test", ""), role: roleARN("for-account"),
			wantCode: "AccessDenied", wantMsg: "Roles may not be assumed by root accounts."},
		{name: "an ARN that is not a role's", who: alice, role: "arn:aws:iam::" + account + ":user/alice",
			wantCode: "ValidationError", wantMsg: "arn:aws:iam::" + account + ":user/alice is invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tc.role), RoleSessionName: aws.String("s1")}
			if tc.externalID != "" {
				in.ExternalId = aws.String(tc.externalID)
			}
			if tc.session != "" {
				in.RoleSessionName = aws.String(tc.session)
			}
			out, err := tc.who.STS.AssumeRole(ctx, in)
			if tc.wantCode != "" {
				wantError(t, "AssumeRole("+tc.role+")", err, tc.wantCode, tc.wantMsg, 0)
				return
			}
			if err != nil {
				t.Fatalf("AssumeRole(%s) = %v, want credentials", tc.role, err)
			}
			s := f.session(out.Credentials)
			name := tc.role[strings.LastIndexByte(tc.role, '/')+1:]
			want := "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + aws.ToString(in.RoleSessionName)
			if got := aws.ToString(out.AssumedRoleUser.Arn); got != want {
				t.Errorf("AssumedRoleUser.Arn = %s, want %s", got, want)
			}
			if got := callerARN(t, s); got != want {
				t.Errorf("the session's GetCallerIdentity Arn = %s, want %s", got, want)
			}
		})
	}
}

func TestAssumeRoleAnswer(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}), nil)
	role, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	before := f.Now()
	_, out := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("alice@example.com")})
	c := out.Credentials
	if k := aws.ToString(c.AccessKeyId); len(k) != 20 || !strings.HasPrefix(k, "ASIA") {
		t.Errorf("AccessKeyId = %q, want ASIA and 16 more characters", k)
	}
	if s := aws.ToString(c.SecretAccessKey); len(s) != 40 {
		t.Errorf("SecretAccessKey has %d characters, want 40", len(s))
	}
	if tok := aws.ToString(c.SessionToken); len(tok) < 200 {
		t.Errorf("SessionToken has %d characters, want an opaque token of at least 200", len(tok))
	}
	if exp := aws.ToTime(c.Expiration); exp.Sub(before) < 59*time.Minute || exp.Sub(before) > 61*time.Minute {
		t.Errorf("Expiration = %v, want an hour after %v", exp, before)
	}
	wantID := aws.ToString(role.Role.RoleId) + ":alice@example.com"
	if got := aws.ToString(out.AssumedRoleUser.AssumedRoleId); got != wantID {
		t.Errorf("AssumedRoleId = %s, want %s", got, wantID)
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize = %d without session policies or tags, want none", *out.PackedPolicySize)
	}
	if out.SourceIdentity != nil {
		t.Errorf("SourceIdentity = %q without one requested, want none", *out.SourceIdentity)
	}
}

func TestAssumeRoleSelf(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	f.role(t, "only-alice", trustPolicy([]string{userARN("alice")}), map[string]string{"assume": allow("sts:AssumeRole")})
	f.role(t, "self-too", trustPolicy([]string{userARN("alice")}), nil)
	// A trust policy can name only a role that exists.
	if _, err := f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("self-too"),
		PolicyDocument: aws.String(trustPolicy([]string{userARN("alice"), roleARN("self-too")}))}); err != nil {
		t.Fatal(err)
	}

	t.Run("a role whose trust policy does not name it cannot assume itself", func(t *testing.T) {
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("only-alice")), RoleSessionName: aws.String("aa")})
		_, err := s.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("only-alice")), RoleSessionName: aws.String("bb")})
		who := "arn:aws:sts::" + account + ":assumed-role/only-alice/aa"
		wantError(t, "AssumeRole of itself", err, "AccessDenied", denied(who, "sts:AssumeRole", roleARN("only-alice"), "role trust policy"), 403)
	})
	t.Run("a role whose trust policy names it can assume itself", func(t *testing.T) {
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("self-too")), RoleSessionName: aws.String("aa")})
		_, err := s.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("self-too")), RoleSessionName: aws.String("bb")})
		wantOK(t, "AssumeRole of itself", err)
	})
}

func TestAssumeRoleAcrossAccounts(t *testing.T) {
	f := start(t)
	other, err := f.CreateAccount(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	otherRoot := iam.NewFromConfig(f.Config(other.RootAccessKeyID, other.RootSecretAccessKey, ""))
	otherRole := f.roleWith(t, otherRoot, &iam.CreateRoleInput{RoleName: aws.String("shared"),
		AssumeRolePolicyDocument: aws.String(trustPolicy([]string{"arn:aws:iam::" + account + ":root"}))}, nil)
	f.roleWith(t, otherRoot, &iam.CreateRoleInput{RoleName: aws.String("private"),
		AssumeRolePolicyDocument: aws.String(trustPolicy([]string{"arn:aws:iam::" + other.ID + ":root"}))}, nil)
	allowed := f.user(t, "allowed", map[string]string{"assume": allow("sts:AssumeRole")})
	plain := f.user(t, "plain", nil)

	t.Run("the trust policy and the caller's identity policy both allow", func(t *testing.T) {
		s, out := f.assume(t, allowed, &sts.AssumeRoleInput{RoleArn: aws.String(otherRole), RoleSessionName: aws.String("xx")})
		want := "arn:aws:sts::" + other.ID + ":assumed-role/shared/xx"
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != want {
			t.Errorf("AssumedRoleUser.Arn = %s, want %s", got, want)
		}
		id, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(id.Account) != other.ID {
			t.Errorf("the session's GetCallerIdentity = %v, %v; want account %s", id, err, other.ID)
		}
	})
	t.Run("the trust policy allows but no identity policy does", func(t *testing.T) {
		_, err := plain.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(otherRole), RoleSessionName: aws.String("xx")})
		wantError(t, "AssumeRole across accounts", err, "AccessDenied",
			denied(userARN("plain"), "sts:AssumeRole", otherRole, "identity-based policy"), 403)
	})
	t.Run("the identity policy allows but the trust policy names only its own account", func(t *testing.T) {
		arn := "arn:aws:iam::" + other.ID + ":role/private"
		_, err := allowed.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("xx")})
		wantError(t, "AssumeRole across accounts", err, "AccessDenied", denied(userARN("allowed"), "sts:AssumeRole", arn, "role trust policy"), 403)
	})
}

func TestAssumeRoleDurations(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	f.role(t, "hour", trustPolicy([]string{userARN("alice")}), nil)
	if _, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("long"), MaxSessionDuration: aws.Int32(43200),
		AssumeRolePolicyDocument: aws.String(trustPolicy([]string{userARN("alice"), roleARN("hour")}))}); err != nil {
		t.Fatal(err)
	}
	hour, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("hour")), RoleSessionName: aws.String("hh")})

	cases := []struct {
		name     string
		who      *clients
		role     string
		seconds  int32
		want     time.Duration
		wantCode string
		wantMsg  string
	}{
		{name: "the default is one hour", who: alice, role: "long", want: time.Hour},
		{name: "up to the role's MaxSessionDuration", who: alice, role: "long", seconds: 43200, want: 12 * time.Hour},
		{name: "fifteen minutes at least", who: alice, role: "long", seconds: 900, want: 15 * time.Minute},
		{name: "less than fifteen minutes is refused by the model", who: alice, role: "long", seconds: 899, wantCode: "ValidationError",
			wantMsg: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{name: "more than the role's MaxSessionDuration", who: alice, role: "hour", seconds: 3601, wantCode: "ValidationError",
			wantMsg: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{name: "role chaining gets an hour by default", who: hour, role: "long", want: time.Hour},
		{name: "role chaining is limited to an hour", who: hour, role: "long", seconds: 3601, wantCode: "ValidationError",
			wantMsg: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(tc.role)), RoleSessionName: aws.String("dd")}
			if tc.seconds != 0 {
				in.DurationSeconds = aws.Int32(tc.seconds)
			}
			now := f.Now()
			out, err := tc.who.STS.AssumeRole(ctx, in)
			if tc.wantCode != "" {
				wantError(t, "AssumeRole", err, tc.wantCode, tc.wantMsg, 400)
				return
			}
			if err != nil {
				t.Fatalf("AssumeRole: %v", err)
			}
			if got := aws.ToTime(out.Credentials.Expiration).Sub(now); got < tc.want-2*time.Second || got > tc.want+time.Second {
				t.Errorf("the session lasts %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTrustPolicyChangesApplyAtOnce(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	bob := f.user(t, "bob", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}), nil)
	assume := func(c *clients) error {
		_, err := c.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("trust")})
		return err
	}
	wantOK(t, "alice assumes the role that trusts her", assume(alice))
	wantError(t, "bob assumes the role that trusts alice", assume(bob), "AccessDenied", "", 403)

	if _, err := f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"),
		PolicyDocument: aws.String(trustPolicy([]string{userARN("bob")}))}); err != nil {
		t.Fatal(err)
	}
	wantError(t, "alice assumes the role after its trust policy changed to bob", assume(alice), "AccessDenied", "", 403)
	wantOK(t, "bob assumes the role after its trust policy changed to him", assume(bob))

	// The trust policy names the user bob was: a new user of the same name is someone else.
	if _, err := f.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(bob.Key)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	newBob := f.user(t, "bob", nil)
	wantError(t, "a new user named bob assumes the role that trusted the old one", assume(newBob), "AccessDenied", "", 403)
}

func TestAssumeRoleWithMFA(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	mfa := "arn:aws:iam::" + account + ":mfa/alice"
	arn := f.role(t, "guarded", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+userARN("alice")+
		`"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, map[string]string{"p": requireMFA})

	t.Run("a trust policy that requires MFA refuses a long-term key without it", func(t *testing.T) {
		_, err := alice.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("no-mfa")})
		wantError(t, "AssumeRole without MFA", err, "AccessDenied", "", 403)
	})
	t.Run("MFA in the request satisfies the trust policy, and the session has it", func(t *testing.T) {
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("mfa"),
			SerialNumber: aws.String(mfa), TokenCode: aws.String("654321")})
		_, err := s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantOK(t, "ListUsers (the role allows it with MFA)", err)
	})
	t.Run("a session that was MFA-authenticated passes MFA on to the role session", func(t *testing.T) {
		out, err := alice.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(mfa), TokenCode: aws.String("123456")})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := f.assume(t, f.session(out.Credentials), &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("via-session")})
		_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantOK(t, "ListUsers (the role session inherited MFA)", err)
	})
	t.Run("an MFA device sagebox cannot validate", func(t *testing.T) {
		open := f.role(t, "open", trustPolicy([]string{userARN("alice")}), nil)
		_, err := alice.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(open), RoleSessionName: aws.String("bad-mfa"),
			SerialNumber: aws.String("arn:aws:iam::111122223333:mfa/alice"), TokenCode: aws.String("654321")})
		wantError(t, "AssumeRole with another account's MFA device", err, "AccessDenied",
			"MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.", 403)
	})
}
