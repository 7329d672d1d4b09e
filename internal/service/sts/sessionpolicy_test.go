package sts_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestSessionPolicies(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "reader", trustPolicy([]string{userARN("alice")}), map[string]string{"read": allow("iam:GetUser", "iam:ListUsers", "iam:ListRoles")})
	onlyRoles, err := f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("only-list-roles"), PolicyDocument: aws.String(allow("iam:ListRoles"))})
	if err != nil {
		t.Fatal(err)
	}
	sessionARN := "arn:aws:sts::" + account + ":assumed-role/reader/narrow"

	t.Run("an inline session policy narrows the role's permissions", func(t *testing.T) {
		s, out := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("narrow"),
			Policy: aws.String(allow("iam:GetUser", "iam:DeleteUser"))})
		if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 100 {
			t.Errorf("PackedPolicySize = %v, want a percentage", out.PackedPolicySize)
		}
		_, err := s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser (the role and the session policy allow it)", err)
		_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantError(t, "ListUsers (the role allows it, the session policy does not)", err, "AccessDenied",
			denied(sessionARN, "iam:ListUsers", "arn:aws:iam::"+account+":user/", "session policy"), 403)
		_, err = s.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
		wantError(t, "DeleteUser (the session policy allows it, the role does not)", err, "AccessDenied",
			denied(sessionARN, "iam:DeleteUser", userARN("alice"), "identity-based policy"), 403)
	})
	t.Run("a managed session policy narrows the role's permissions", func(t *testing.T) {
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("managed"),
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: onlyRoles.Policy.Arn}}})
		_, err := s.IAM.ListRoles(ctx, &iam.ListRolesInput{})
		wantOK(t, "ListRoles (the role and the managed session policy allow it)", err)
		_, err = s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantError(t, "GetUser (the managed session policy does not allow it)", err, "AccessDenied", "", 403)
	})
	t.Run("an AWS managed policy as a session policy", func(t *testing.T) {
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("awsmanaged"),
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}}})
		_, err := s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantOK(t, "ListUsers (the role and IAMReadOnlyAccess allow it)", err)
	})
	t.Run("the session policies of a session are evaluated together", func(t *testing.T) {
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("both"),
			Policy: aws.String(allow("iam:GetUser")), PolicyArns: []ststypes.PolicyDescriptorType{{Arn: onlyRoles.Policy.Arn}}})
		_, err := s.IAM.ListRoles(ctx, &iam.ListRolesInput{})
		wantOK(t, "ListRoles (allowed by the managed session policy)", err)
		_, err = s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser (allowed by the inline session policy)", err)
		_, err = s.IAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantError(t, "ListUsers (allowed by neither)", err, "AccessDenied", "", 403)
	})

	errs := []struct {
		name     string
		in       *sts.AssumeRoleInput
		code     string
		message  string
		contains string
	}{
		{name: "a malformed inline session policy",
			in:   &sts.AssumeRoleInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser"}]}`)},
			code: "MalformedPolicyDocument", message: "Policy statement must contain resources."},
		{name: "an inline session policy with a principal",
			in:   &sts.AssumeRoleInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:GetUser","Resource":"*"}]}`)},
			code: "MalformedPolicyDocument"},
		{name: "an inline session policy of more than 2,048 characters",
			in:   &sts.AssumeRoleInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 2048) + `","Effect":"Allow","Action":"*","Resource":"*"}]}`)},
			code: "ValidationError", contains: "at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{name: "a managed session policy that does not exist",
			in:   &sts.AssumeRoleInput{PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + account + ":policy/nope")}}},
			code: "MalformedPolicyDocument", message: "Policy arn:aws:iam::" + account + ":policy/nope does not exist or is not attachable."},
		{name: "more than 10 managed session policies",
			in:   &sts.AssumeRoleInput{PolicyArns: repeatARN("arn:aws:iam::aws:policy/IAMReadOnlyAccess", 11)},
			code: "ValidationError", contains: "at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.RoleArn, tc.in.RoleSessionName = aws.String(arn), aws.String("bad")
			_, err := alice.STS.AssumeRole(ctx, tc.in)
			wantError(t, "AssumeRole", err, tc.code, tc.message, 400)
			if _, msg, _ := apiError(t, err); !strings.Contains(msg, tc.contains) {
				t.Errorf("AssumeRole: %q, want it to say %q", msg, tc.contains)
			}
		})
	}
}

func repeatARN(arn string, n int) []ststypes.PolicyDescriptorType {
	out := make([]ststypes.PolicyDescriptorType, n)
	for i := range out {
		out[i].Arn = aws.String(arn)
	}
	return out
}

func TestPackedPolicySize(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	arn := f.role(t, "r", trustPolicy([]string{userARN("alice")}, "sts:AssumeRole", "sts:TagSession"), nil)

	t.Run("the STS API Reference's example comes out near AWS's 8 percent", func(t *testing.T) {
		_, out := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("John-session"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
			Tags:   []ststypes.Tag{{Key: aws.String("Project"), Value: aws.String("Pegasus")}, {Key: aws.String("Cost-Center"), Value: aws.String("12345")}}})
		if got := aws.ToInt32(out.PackedPolicySize); got < 5 || got > 12 {
			t.Errorf("PackedPolicySize = %d, want about 8", got)
		}
	})
	t.Run("fifty long session tags are too large", func(t *testing.T) {
		var tags []ststypes.Tag
		for i := range 50 {
			k := string(rune('A'+i%26)) + string(rune('a'+i/26)) + strings.Repeat("k", 100)
			tags = append(tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(pseudoRandom(i, 256))})
		}
		_, err := alice.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("big"), Tags: tags})
		wantError(t, "AssumeRole", err, "PackedPolicyTooLarge", "", 400)
		if _, msg, _ := apiError(t, err); !strings.HasPrefix(msg, "Packed size of session tags consumes ") || !strings.HasSuffix(msg, "% of allotted space.") {
			t.Errorf("AssumeRole: %q, want AWS's text for session tags too large", msg)
		}
	})
}

// pseudoRandom returns n characters that compress badly.
func pseudoRandom(seed, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	x := uint32(seed*2654435761 + 1)
	b := make([]byte, n)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = letters[x%uint32(len(letters))]
	}
	return string(b)
}
