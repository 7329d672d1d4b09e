package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func tags(kv ...string) []ststypes.Tag {
	var out []ststypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// byTeam allows GetUser only to principals whose team tag is "ml", and ListRoles only to those whose stage tag is
// "prod".
const byTeam = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"ml"}}},
 {"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/stage":"prod"}}},
 {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

func TestSessionTags(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	tagging := f.role(t, "tagging", trustPolicy([]string{userARN("alice")}, "sts:AssumeRole", "sts:TagSession"), map[string]string{"abac": byTeam})
	plain := f.role(t, "plain", trustPolicy([]string{userARN("alice")}), nil)
	next := f.role(t, "next", trustPolicy([]string{roleARN("tagging")}, "sts:AssumeRole", "sts:TagSession"), map[string]string{"abac": byTeam})

	t.Run("session tags need sts:TagSession in the trust policy", func(t *testing.T) {
		_, err := alice.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("tt"), Tags: tags("team", "ml")})
		wantError(t, "AssumeRole with tags", err, "AccessDenied", denied(userARN("alice"), "sts:TagSession", plain, "identity-based policy"), 403)
	})
	t.Run("session tags are principal tags", func(t *testing.T) {
		s, out := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(tagging), RoleSessionName: aws.String("tt"), Tags: tags("team", "ml")})
		if out.PackedPolicySize == nil {
			t.Error("PackedPolicySize is missing from an answer with session tags")
		}
		_, err := s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser with the session tag team=ml", err)
		_, err = s.IAM.ListRoles(ctx, &iam.ListRolesInput{})
		wantError(t, "ListRoles without a stage tag", err, "AccessDenied", "", 403)
	})
	t.Run("a session tag replaces the role's tag of the same key", func(t *testing.T) {
		if _, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagging"), Tags: iamTags("team", "web")}); err != nil {
			t.Fatal(err)
		}
		defer f.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tagging"), TagKeys: []string{"team"}})
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(tagging), RoleSessionName: aws.String("tt")})
		_, err := s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantError(t, "GetUser with the role's tag team=web", err, "AccessDenied", "", 403)
		s, _ = f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(tagging), RoleSessionName: aws.String("tt"), Tags: tags("team", "ml")})
		_, err = s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser with the session tag team=ml over the role's team=web", err)
	})
	t.Run("a session tag replaces the role's tag whose key differs only in case", func(t *testing.T) {
		if _, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagging"), Tags: iamTags("team", "web")}); err != nil {
			t.Fatal(err)
		}
		defer f.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tagging"), TagKeys: []string{"team"}})
		s, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(tagging), RoleSessionName: aws.String("tt"), Tags: tags("Team", "ml")})
		_, err := s.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser with the session tag Team=ml over the role's team=web", err)
	})
	t.Run("transitive tags pass on in a role chain, others do not", func(t *testing.T) {
		first, _ := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(tagging), RoleSessionName: aws.String("first"),
			Tags: tags("team", "ml", "stage", "prod"), TransitiveTagKeys: []string{"team"}})
		second, _ := f.assume(t, first, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("second")})
		_, err := second.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser with the inherited transitive tag team=ml", err)
		_, err = second.IAM.ListRoles(ctx, &iam.ListRolesInput{})
		wantError(t, "ListRoles without the non-transitive stage tag", err, "AccessDenied", "", 403)

		_, err = first.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("second"), Tags: tags("Team", "web")})
		wantError(t, "AssumeRole overriding a transitive tag", err, "InvalidParameterValue",
			"One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.", 400)
	})

	errs := []struct {
		name       string
		tags       []ststypes.Tag
		transitive []string
		message    string
	}{
		{name: "duplicate keys, whatever their case", tags: tags("team", "a", "Team", "b"),
			message: "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{name: "a transitive key that is not a tag", tags: tags("team", "a"), transitive: []string{"stage"},
			message: "The specified transitive tag key must be included in the requested tags."},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alice.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tagging), RoleSessionName: aws.String("tt"),
				Tags: tc.tags, TransitiveTagKeys: tc.transitive})
			wantError(t, "AssumeRole", err, "InvalidParameterValue", tc.message, 400)
		})
	}
}

func iamTags(kv ...string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, iamtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func TestSourceIdentity(t *testing.T) {
	f := start(t)
	alice := f.user(t, "alice", nil)
	// The role allows GetUser only to sessions whose source identity is alice.
	bySource := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice"}}},
	 {"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"}]}`
	setting := f.role(t, "setting", trustPolicy([]string{userARN("alice")}, "sts:AssumeRole", "sts:SetSourceIdentity"), map[string]string{"p": bySource})
	plain := f.role(t, "plain", trustPolicy([]string{userARN("alice"), roleARN("setting")}), map[string]string{"p": bySource})
	next := f.role(t, "next", trustPolicy([]string{roleARN("setting")}, "sts:AssumeRole", "sts:SetSourceIdentity"), map[string]string{"p": bySource})

	t.Run("a source identity needs sts:SetSourceIdentity in the trust policy", func(t *testing.T) {
		_, err := alice.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("ss"), SourceIdentity: aws.String("alice")})
		wantError(t, "AssumeRole with a source identity", err, "AccessDenied",
			denied(userARN("alice"), "sts:SetSourceIdentity", plain, "identity-based policy"), 403)
	})
	first, out := f.assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(setting), RoleSessionName: aws.String("ss"), SourceIdentity: aws.String("alice")})
	t.Run("the answer and the session carry the source identity", func(t *testing.T) {
		if got := aws.ToString(out.SourceIdentity); got != "alice" {
			t.Errorf("SourceIdentity = %q, want alice", got)
		}
		_, err := first.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser with aws:SourceIdentity alice", err)
	})
	t.Run("role chaining keeps the source identity, and needs sts:SetSourceIdentity", func(t *testing.T) {
		second, out := f.assume(t, first, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("s2")})
		if got := aws.ToString(out.SourceIdentity); got != "alice" {
			t.Errorf("SourceIdentity of the chained session = %q, want alice", got)
		}
		_, err := second.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantOK(t, "GetUser from the chained session with aws:SourceIdentity alice", err)
		_, err = first.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(plain), RoleSessionName: aws.String("s2")})
		wantError(t, "AssumeRole of a role that does not trust sts:SetSourceIdentity", err, "AccessDenied", "", 403)
	})
	t.Run("the source identity cannot be changed", func(t *testing.T) {
		_, err := first.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(next), RoleSessionName: aws.String("s2"), SourceIdentity: aws.String("mallory")})
		wantError(t, "AssumeRole with another source identity", err, "AccessDenied", "", 403)
	})
}
