package iam_test

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// roleTrustFor returns a trust policy that lets the principals of type typ assume the role.
func roleTrustFor(typ string, principals ...string) string {
	quoted := make([]string, len(principals))
	for i, p := range principals {
		quoted[i] = `"` + p + `"`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"` + typ + `":[` +
		strings.Join(quoted, ",") + `]},"Action":"sts:AssumeRole"}]}`
}

// roleEC2Trust is the trust policy of a role for EC2, the one most tests use.
var roleEC2Trust = roleTrustFor("Service", "ec2.amazonaws.com")

// roleDoc returns a policy document as IAM sent it, URL-decoded.
func roleDoc(t testing.TB, doc *string) string {
	t.Helper()
	if doc == nil {
		t.Fatal("the policy document is absent")
	}
	s, err := url.QueryUnescape(*doc)
	if err != nil {
		t.Fatalf("the policy document %q is not URL-encoded: %v", *doc, err)
	}
	return s
}

// roleCreate creates a role for EC2 and fails the test if it cannot.
func roleCreate(t testing.TB, f *fixture, name string, opts ...func(*iam.CreateRoleInput)) *types.Role {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(roleEC2Trust)}
	for _, o := range opts {
		o(in)
	}
	out, err := f.IAM.CreateRole(ctx, in)
	if err != nil {
		t.Fatalf("CreateRole(%s): %v", name, err)
	}
	return out.Role
}

func TestRoleLifecycle(t *testing.T) {
	f := start(t)
	created, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("app"),
		Path:                     aws.String("/team/"),
		AssumeRolePolicyDocument: aws.String(roleEC2Trust),
		Description:              aws.String("the app's role"),
		MaxSessionDuration:       aws.Int32(7200),
		Tags:                     []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}},
	})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	r := created.Role
	t.Run("CreateRole answers the role", func(t *testing.T) {
		if got, want := aws.ToString(r.Arn), "arn:aws:iam::000000000000:role/team/app"; got != want {
			t.Errorf("Arn = %s, want %s", got, want)
		}
		if id := aws.ToString(r.RoleId); len(id) != 21 || !strings.HasPrefix(id, "AROA") {
			t.Errorf("RoleId = %s, want AROA and 17 more characters", id)
		}
		if got := aws.ToString(r.Path); got != "/team/" {
			t.Errorf("Path = %s, want /team/", got)
		}
		if got := roleDoc(t, r.AssumeRolePolicyDocument); got != roleEC2Trust {
			t.Errorf("AssumeRolePolicyDocument = %s, want %s", got, roleEC2Trust)
		}
		// AWS leaves these out of CreateRole's answer (LocalStack's AWS-recorded snapshots).
		if r.Description != nil || r.MaxSessionDuration != nil || r.RoleLastUsed != nil {
			t.Errorf("CreateRole answered Description %v, MaxSessionDuration %v, RoleLastUsed %v; want none",
				r.Description, r.MaxSessionDuration, r.RoleLastUsed)
		}
		if len(r.Tags) != 1 || aws.ToString(r.Tags[0].Key) != "env" {
			t.Errorf("Tags = %v, want env=dev", r.Tags)
		}
		if r.CreateDate == nil || r.CreateDate.IsZero() {
			t.Error("CreateDate is absent")
		}
	})
	t.Run("GetRole answers everything", func(t *testing.T) {
		got, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		if err != nil {
			t.Fatalf("GetRole: %v", err)
		}
		g := got.Role
		if aws.ToString(g.RoleId) != aws.ToString(r.RoleId) || aws.ToString(g.Arn) != aws.ToString(r.Arn) {
			t.Errorf("GetRole = %s %s, want %s %s", aws.ToString(g.RoleId), aws.ToString(g.Arn), aws.ToString(r.RoleId), aws.ToString(r.Arn))
		}
		if aws.ToString(g.Description) != "the app's role" || aws.ToInt32(g.MaxSessionDuration) != 7200 {
			t.Errorf("Description, MaxSessionDuration = %q, %d; want %q, 7200", aws.ToString(g.Description), aws.ToInt32(g.MaxSessionDuration), "the app's role")
		}
		if g.RoleLastUsed == nil || g.RoleLastUsed.LastUsedDate != nil || g.RoleLastUsed.Region != nil {
			t.Errorf("RoleLastUsed = %+v, want present and empty for a role never used", g.RoleLastUsed)
		}
		if len(g.Tags) != 1 {
			t.Errorf("Tags = %v, want one", g.Tags)
		}
		if got := roleDoc(t, g.AssumeRolePolicyDocument); got != roleEC2Trust {
			t.Errorf("AssumeRolePolicyDocument = %s, want %s", got, roleEC2Trust)
		}
	})
	t.Run("a role created without MaxSessionDuration gets an hour", func(t *testing.T) {
		roleCreate(t, f, "plain")
		got, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("plain")})
		if err != nil {
			t.Fatalf("GetRole: %v", err)
		}
		if aws.ToInt32(got.Role.MaxSessionDuration) != 3600 || got.Role.Description != nil || got.Role.Tags != nil {
			t.Errorf("GetRole(plain) = MaxSessionDuration %d, Description %v, Tags %v; want 3600 and none",
				aws.ToInt32(got.Role.MaxSessionDuration), got.Role.Description, got.Role.Tags)
		}
	})
	t.Run("UpdateRole changes description and duration only", func(t *testing.T) {
		if _, err := f.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("APP"), MaxSessionDuration: aws.Int32(43200)}); err != nil {
			t.Fatalf("UpdateRole: %v", err)
		}
		got, _ := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		if aws.ToInt32(got.Role.MaxSessionDuration) != 43200 || aws.ToString(got.Role.Description) != "the app's role" {
			t.Errorf("after UpdateRole(MaxSessionDuration) = %d, %q; want 43200 and the description unchanged",
				aws.ToInt32(got.Role.MaxSessionDuration), aws.ToString(got.Role.Description))
		}
		if _, err := f.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), Description: aws.String("new")}); err != nil {
			t.Fatalf("UpdateRole: %v", err)
		}
		got, _ = f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		if aws.ToInt32(got.Role.MaxSessionDuration) != 43200 || aws.ToString(got.Role.Description) != "new" {
			t.Errorf("after UpdateRole(Description) = %d, %q; want 43200, new", aws.ToInt32(got.Role.MaxSessionDuration), aws.ToString(got.Role.Description))
		}
	})
	t.Run("UpdateRoleDescription answers the role", func(t *testing.T) {
		out, err := f.IAM.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("app"), Description: aws.String("described")})
		if err != nil {
			t.Fatalf("UpdateRoleDescription: %v", err)
		}
		if aws.ToString(out.Role.Description) != "described" || aws.ToString(out.Role.RoleName) != "app" {
			t.Errorf("UpdateRoleDescription = %q %q, want app, described", aws.ToString(out.Role.RoleName), aws.ToString(out.Role.Description))
		}
		if out.Role.MaxSessionDuration != nil || out.Role.RoleLastUsed != nil {
			t.Errorf("UpdateRoleDescription answered MaxSessionDuration %v, RoleLastUsed %v; want neither", out.Role.MaxSessionDuration, out.Role.RoleLastUsed)
		}
	})
	t.Run("UpdateAssumeRolePolicy replaces the trust policy", func(t *testing.T) {
		doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"sagemaker.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}\n}"
		if _, err := f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("UpdateAssumeRolePolicy: %v", err)
		}
		got, _ := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		if d := roleDoc(t, got.Role.AssumeRolePolicyDocument); d != doc {
			t.Errorf("AssumeRolePolicyDocument = %q, want it as sent: %q", d, doc)
		}
	})
	t.Run("DeleteRole deletes", func(t *testing.T) {
		if _, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}); err != nil {
			t.Fatalf("DeleteRole: %v", err)
		}
		_, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		wantError(t, "GetRole after DeleteRole", err, "NoSuchEntity", "The role with name app cannot be found.", 404)
	})
}

func TestRoleErrors(t *testing.T) {
	f := start(t)
	roleCreate(t, f, "taken")
	missing := aws.String("nope")
	notFound := "The role with name nope cannot be found."
	cases := []struct {
		name          string
		call          func() error
		code, message string
		status        int
	}{
		{"CreateRole of a taken name, in another case", func() error {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("TAKEN"), AssumeRolePolicyDocument: aws.String(roleEC2Trust)})
			return err
		}, "EntityAlreadyExists", "Role with name TAKEN already exists.", 409},
		{"CreateRole under the service-linked path", func() error {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), Path: aws.String("/aws-service-role/ecs.amazonaws.com/"), AssumeRolePolicyDocument: aws.String(roleEC2Trust)})
			return err
		}, "InvalidInput", "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles", 400},
		{"CreateRole with MaxSessionDuration under an hour", func() error {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(roleEC2Trust), MaxSessionDuration: aws.Int32(3599)})
			return err
		}, "ValidationError", "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", 400},
		{"UpdateRole with MaxSessionDuration over 12 hours", func() error {
			_, err := f.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("taken"), MaxSessionDuration: aws.Int32(43201)})
			return err
		}, "ValidationError", "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", 400},
		{"CreateRole with duplicate tag keys", func() error {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(roleEC2Trust),
				Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
			return err
		}, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400},
		{"GetRole of a missing role", func() error {
			_, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: missing})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"UpdateRole of a missing role", func() error {
			_, err := f.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: missing, Description: aws.String("d")})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"UpdateRoleDescription of a missing role", func() error {
			_, err := f.IAM.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: missing, Description: aws.String("d")})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"UpdateAssumeRolePolicy of a missing role", func() error {
			_, err := f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: missing, PolicyDocument: aws.String(roleEC2Trust)})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"DeleteRole of a missing role", func() error {
			_, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: missing})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"TagRole of a missing role", func() error {
			_, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: missing, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"UntagRole of a missing role", func() error {
			_, err := f.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: missing, TagKeys: []string{"k"}})
			return err
		}, "NoSuchEntity", notFound, 404},
		{"ListRoleTags of a missing role", func() error {
			_, err := f.IAM.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: missing})
			return err
		}, "NoSuchEntity", notFound, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message, tc.status)
		})
	}
}

func TestRoleTrustPolicyValidation(t *testing.T) {
	f := start(t)
	roleCreate(t, f, "existing", func(in *iam.CreateRoleInput) { in.Path = aws.String("/ops/") })
	if _, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	other, err := f.App.CreateAccount(ctx, "other")
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	otherIAM := iam.NewFromConfig(f.Config(other.RootAccessKeyID, other.RootSecretAccessKey, ""))
	if _, err := otherIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("partner"), AssumeRolePolicyDocument: aws.String(roleEC2Trust)}); err != nil {
		t.Fatalf("CreateRole in the other account: %v", err)
	}

	accepted := []struct{ name, doc string }{
		{"a service", roleTrustFor("Service", "sagemaker.amazonaws.com")},
		{"an existing role, path and all", roleTrustFor("AWS", "arn:aws:iam::000000000000:role/ops/existing")},
		{"an existing user", roleTrustFor("AWS", "arn:aws:iam::000000000000:user/alice")},
		{"an account id of any account", roleTrustFor("AWS", "123456789012")},
		{"an account root of any account", roleTrustFor("AWS", "arn:aws:iam::210987654321:root")},
		{"a role of another account sagebox serves", roleTrustFor("AWS", "arn:aws:iam::"+other.ID+":role/partner")},
		{"exactly 2048 characters", roleTrustPadded(2048)},
	}
	for i, tc := range accepted {
		t.Run("accepts "+tc.name, func(t *testing.T) {
			name := fmt.Sprintf("accepted%d", i)
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(tc.doc)})
			if err != nil {
				t.Fatalf("CreateRole with %s: %v", tc.doc, err)
			}
			if _, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
				t.Fatalf("DeleteRole: %v", err)
			}
		})
	}

	refused := []struct{ name, doc, code, message string }{
		{"a role that does not exist", roleTrustFor("AWS", "arn:aws:iam::123456789012:role/nope"),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/nope"`},
		{"an existing role at another path", roleTrustFor("AWS", "arn:aws:iam::000000000000:role/existing"),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:role/existing"`},
		{"a user that does not exist", roleTrustFor("AWS", "arn:aws:iam::000000000000:user/bob"),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::000000000000:user/bob"`},
		{"a missing role of another sagebox account", roleTrustFor("AWS", "arn:aws:iam::"+other.ID+":role/nope"),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::` + other.ID + `:role/nope"`},
		{"a unique id", roleTrustFor("AWS", "AROAAAAAAAAAAAAAAAAAA"),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"AROAAAAAAAAAAAAAAAAAA"`},
		{"a Resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`,
			"MalformedPolicyDocument", "Has prohibited field Resource"},
		{"an action that does not assume a role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`,
			"MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`,
			"MalformedPolicyDocument", ""},
		{"text that is not JSON", `{"Version":`, "MalformedPolicyDocument", ""},
		{"2049 characters", roleTrustPadded(2049), "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
	}
	for _, tc := range refused {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("refused"), AssumeRolePolicyDocument: aws.String(tc.doc)})
			wantError(t, "CreateRole", err, tc.code, tc.message, 0)
			_, err = f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("existing"), PolicyDocument: aws.String(tc.doc)})
			wantError(t, "UpdateAssumeRolePolicy", err, tc.code, tc.message, 0)
		})
	}
	if _, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("refused")}); err == nil {
		t.Error("a role with a refused trust policy exists")
	}
}

// roleTrustPadded returns a valid trust policy of exactly n characters as IAM counts them, grown by a Sid.
func roleTrustPadded(n int) string {
	doc := func(sid string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	}
	return doc(strings.Repeat("a", n-len(doc(""))))
}

func TestRoleTrustShowsDeletedPrincipalAsUniqueID(t *testing.T) {
	f := start(t)
	friend := roleCreate(t, f, "friend")
	user, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	friendARN, userARN := aws.ToString(friend.Arn), aws.ToString(user.User.Arn)
	// The friend's ARN also appears in a condition, which is a string like any other and stays as written.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + friendARN + `", "` + userARN + `"]},` +
		`"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:PrincipalArn":"` + friendARN + `"}}}]}`
	roleCreate(t, f, "trusting", func(in *iam.CreateRoleInput) { in.AssumeRolePolicyDocument = aws.String(doc) })

	shown := func(t *testing.T) string {
		t.Helper()
		out, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("trusting")})
		if err != nil {
			t.Fatalf("GetRole: %v", err)
		}
		return roleDoc(t, out.Role.AssumeRolePolicyDocument)
	}
	t.Run("while the principals exist the policy shows their ARNs", func(t *testing.T) {
		if got := shown(t); got != doc {
			t.Errorf("trust policy = %s, want %s", got, doc)
		}
	})

	if _, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("friend")}); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
	if _, err := f.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + aws.ToString(friend.RoleId) + `", "` + aws.ToString(user.User.UserId) + `"]},` +
		`"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:PrincipalArn":"` + friendARN + `"}}}]}`
	t.Run("a deleted role and user show as their unique ids", func(t *testing.T) {
		if got := shown(t); got != want {
			t.Errorf("trust policy = %s, want %s", got, want)
		}
	})
	t.Run("a principal recreated with the same name still shows the old id", func(t *testing.T) {
		roleCreate(t, f, "friend")
		if got := shown(t); got != want {
			t.Errorf("trust policy = %s, want %s", got, want)
		}
	})
	t.Run("ListRoles shows the same", func(t *testing.T) {
		out, err := f.IAM.ListRoles(ctx, &iam.ListRolesInput{})
		if err != nil {
			t.Fatalf("ListRoles: %v", err)
		}
		for _, r := range out.Roles {
			if aws.ToString(r.RoleName) == "trusting" {
				if got := roleDoc(t, r.AssumeRolePolicyDocument); got != want {
					t.Errorf("ListRoles trust policy = %s, want %s", got, want)
				}
				return
			}
		}
		t.Error("ListRoles does not list the trusting role")
	})
	t.Run("the policy as shown cannot be written back", func(t *testing.T) {
		_, err := f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("trusting"), PolicyDocument: aws.String(want)})
		wantError(t, "UpdateAssumeRolePolicy with a unique id", err, "MalformedPolicyDocument",
			`Invalid principal in policy: "AWS":"`+aws.ToString(friend.RoleId)+`"`, 400)
	})
}

func TestListRoles(t *testing.T) {
	f := start(t)
	names := []string{"e", "b", "d", "a", "c"}
	for _, n := range names {
		path := "/"
		if n == "b" || n == "d" {
			path = "/eng/"
		}
		roleCreate(t, f, n, func(in *iam.CreateRoleInput) {
			in.Path = aws.String(path)
			in.Description = aws.String("role " + n)
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
		})
	}
	t.Run("MaxItems 2 pages through 5 roles visiting each once, in name order", func(t *testing.T) {
		var got []string
		var pages []int
		var marker *string
		for {
			out, err := f.IAM.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(2), Marker: marker})
			if err != nil {
				t.Fatalf("ListRoles: %v", err)
			}
			pages = append(pages, len(out.Roles))
			for _, r := range out.Roles {
				got = append(got, aws.ToString(r.RoleName))
			}
			if out.IsTruncated != (out.Marker != nil) {
				t.Fatalf("IsTruncated = %v with Marker %v", out.IsTruncated, out.Marker)
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if strings.Join(got, ",") != "a,b,c,d,e" || fmt.Sprint(pages) != "[2 2 1]" {
			t.Errorf("pages %v listed %v, want [2 2 1] listing a,b,c,d,e", pages, got)
		}
	})
	t.Run("the SDK paginator sees every role", func(t *testing.T) {
		p := iam.NewListRolesPaginator(f.IAM, &iam.ListRolesInput{MaxItems: aws.Int32(3)})
		n := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("NextPage: %v", err)
			}
			n += len(out.Roles)
		}
		if n != 5 {
			t.Errorf("the paginator saw %d roles, want 5", n)
		}
	})
	t.Run("PathPrefix keeps the roles under the path", func(t *testing.T) {
		out, err := f.IAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/eng/")})
		if err != nil {
			t.Fatalf("ListRoles: %v", err)
		}
		var got []string
		for _, r := range out.Roles {
			got = append(got, aws.ToString(r.RoleName))
		}
		if strings.Join(got, ",") != "b,d" || out.IsTruncated {
			t.Errorf("ListRoles(/eng/) = %v (truncated %v), want b,d", got, out.IsTruncated)
		}
		out, _ = f.IAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/nothing/")})
		if len(out.Roles) != 0 || out.Roles == nil {
			t.Errorf("ListRoles(/nothing/) = %v, want an empty list", out.Roles)
		}
	})
	t.Run("a listed role has description and duration but no tags, boundary or last use", func(t *testing.T) {
		out, _ := f.IAM.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1)})
		r := out.Roles[0]
		if aws.ToString(r.Description) != "role a" || aws.ToInt32(r.MaxSessionDuration) != 3600 {
			t.Errorf("listed role = %q, %d; want role a, 3600", aws.ToString(r.Description), aws.ToInt32(r.MaxSessionDuration))
		}
		if r.Tags != nil || r.RoleLastUsed != nil || r.PermissionsBoundary != nil {
			t.Errorf("listed role has Tags %v, RoleLastUsed %v, PermissionsBoundary %v; want none", r.Tags, r.RoleLastUsed, r.PermissionsBoundary)
		}
		if roleDoc(t, r.AssumeRolePolicyDocument) != roleEC2Trust {
			t.Errorf("listed role's trust policy = %s, want %s", roleDoc(t, r.AssumeRolePolicyDocument), roleEC2Trust)
		}
	})
	t.Run("a marker that is not one is refused", func(t *testing.T) {
		_, err := f.IAM.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("!!")})
		wantError(t, "ListRoles with a bad marker", err, "InvalidInput", "", 400)
	})
}

func TestRoleTags(t *testing.T) {
	f := start(t)
	roleCreate(t, f, "tagged")
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	list := func(t *testing.T, in *iam.ListRoleTagsInput) *iam.ListRoleTagsOutput {
		t.Helper()
		in.RoleName = aws.String("tagged")
		out, err := f.IAM.ListRoleTags(ctx, in)
		if err != nil {
			t.Fatalf("ListRoleTags: %v", err)
		}
		return out
	}
	show := func(ts []types.Tag) string {
		var s []string
		for _, tg := range ts {
			s = append(s, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(s, ",")
	}
	t.Run("a role without tags lists none", func(t *testing.T) {
		out := list(t, &iam.ListRoleTagsInput{})
		if len(out.Tags) != 0 || out.IsTruncated {
			t.Errorf("ListRoleTags = %v, want none", out.Tags)
		}
	})
	t.Run("TagRole adds and replaces, case-insensitively", func(t *testing.T) {
		if _, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"), Tags: []types.Tag{tag("a", "1"), tag("b", "2")}}); err != nil {
			t.Fatalf("TagRole: %v", err)
		}
		if _, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"), Tags: []types.Tag{tag("A", "3"), tag("c", "")}}); err != nil {
			t.Fatalf("TagRole: %v", err)
		}
		if got := show(list(t, &iam.ListRoleTagsInput{}).Tags); got != "A=3,b=2,c=" {
			t.Errorf("tags = %s, want A=3,b=2,c=", got)
		}
	})
	t.Run("ListRoleTags pages", func(t *testing.T) {
		first := list(t, &iam.ListRoleTagsInput{MaxItems: aws.Int32(2)})
		second := list(t, &iam.ListRoleTagsInput{MaxItems: aws.Int32(2), Marker: first.Marker})
		if show(first.Tags) != "A=3,b=2" || !first.IsTruncated || show(second.Tags) != "c=" || second.IsTruncated {
			t.Errorf("pages = %s (truncated %v), %s (truncated %v); want A=3,b=2 then c=", show(first.Tags), first.IsTruncated, show(second.Tags), second.IsTruncated)
		}
	})
	t.Run("UntagRole removes keys case-insensitively", func(t *testing.T) {
		if _, err := f.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tagged"), TagKeys: []string{"B", "nothing"}}); err != nil {
			t.Fatalf("UntagRole: %v", err)
		}
		if got := show(list(t, &iam.ListRoleTagsInput{}).Tags); got != "A=3,c=" {
			t.Errorf("tags = %s, want A=3,c=", got)
		}
	})
	t.Run("more than 50 tags are refused", func(t *testing.T) {
		var many []types.Tag
		for i := range 49 {
			many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
		}
		_, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"), Tags: many})
		wantError(t, "TagRole to 51 tags", err, "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", 409)
	})
	t.Run("duplicate keys in one request are refused", func(t *testing.T) {
		_, err := f.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"), Tags: []types.Tag{tag("x", "1"), tag("X", "2")}})
		wantError(t, "TagRole with x and X", err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
	})
}

func TestDeleteRoleConflicts(t *testing.T) {
	f := start(t)
	roleCreate(t, f, "busy")
	del := func() error {
		_, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("busy")})
		return err
	}
	if _, err := f.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("busy"), PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)}); err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	if _, err := f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("busy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatalf("AttachRolePolicy: %v", err)
	}
	if _, err := f.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("busy")}); err != nil {
		t.Fatalf("CreateInstanceProfile: %v", err)
	}
	if _, err := f.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("busy"), RoleName: aws.String("busy")}); err != nil {
		t.Fatalf("AddRoleToInstanceProfile: %v", err)
	}
	steps := []struct {
		conflict string
		resolve  func() error
	}{
		{"Cannot delete entity, must remove roles from instance profile first.", func() error {
			_, err := f.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("busy"), RoleName: aws.String("busy")})
			return err
		}},
		{"Cannot delete entity, must detach all policies first.", func() error {
			_, err := f.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("busy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}},
		{"Cannot delete entity, must delete policies first.", func() error {
			_, err := f.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("busy"), PolicyName: aws.String("inline")})
			return err
		}},
	}
	for _, st := range steps {
		t.Run(st.conflict, func(t *testing.T) {
			wantError(t, "DeleteRole", del(), "DeleteConflict", st.conflict, 409)
			if err := st.resolve(); err != nil {
				t.Fatalf("resolving the conflict: %v", err)
			}
		})
	}
	t.Run("a role with nothing left is deleted", func(t *testing.T) {
		if err := del(); err != nil {
			t.Fatalf("DeleteRole: %v", err)
		}
	})
}

func TestRolePermissionsBoundary(t *testing.T) {
	f := start(t)
	const boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	created := roleCreate(t, f, "bounded", func(in *iam.CreateRoleInput) { in.PermissionsBoundary = aws.String(boundary) })
	for name, r := range map[string]*types.Role{"CreateRole": created, "GetRole": roleGet(t, f, "bounded")} {
		if r.PermissionsBoundary == nil || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != boundary {
			t.Errorf("%s: PermissionsBoundary = %+v, want %s", name, r.PermissionsBoundary, boundary)
		}
	}
	t.Run("a boundary that does not exist is refused", func(t *testing.T) {
		_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(roleEC2Trust),
			PermissionsBoundary: aws.String("arn:aws:iam::000000000000:policy/nope")})
		wantError(t, "CreateRole with a missing boundary", err, "NoSuchEntity", "", 404)
		if _, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("x")}); err == nil {
			t.Error("the role with the refused boundary exists")
		}
	})
}

func roleGet(t testing.TB, f *fixture, name string) *types.Role {
	t.Helper()
	out, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetRole(%s): %v", name, err)
	}
	return out.Role
}

// roleBenchAccount starts a sagebox whose account holds n roles named role-00000…, created through the API by 8
// clients at once before the benchmark's clock starts, and 10 more under the path /rare/. Its client retries, as
// the SDK does by default: with large responses on a reused connection aws-sdk-go-v2 sometimes closes the
// connection under the reader (aws/aws-sdk-go-v2#2737) and relies on retrying net.ErrClosed, which the harness's
// single attempt does not allow.
func roleBenchAccount(b *testing.B, n int) *fixture {
	b.Helper()
	f := start(b)
	cfg := f.Config("test", "test", "")
	cfg.RetryMaxAttempts = 3
	f.IAM = iam.NewFromConfig(cfg)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	work := make(chan *iam.CreateRoleInput)
	for range 8 {
		wg.Go(func() {
			for in := range work {
				if _, err := f.IAM.CreateRole(ctx, in); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		work <- &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%05d", i)), AssumeRolePolicyDocument: aws.String(roleEC2Trust),
			Description: aws.String("a role among many")}
	}
	for i := range 10 {
		work <- &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("zz-rare-%d", i)), Path: aws.String("/rare/"), AssumeRolePolicyDocument: aws.String(roleEC2Trust)}
	}
	close(work)
	wg.Wait()
	if first != nil {
		b.Fatalf("CreateRole: %v", first)
	}
	return f
}

// BenchmarkGetRole reads one role of an account of 10,000, through the front door: signed, authorized, read,
// rendered and decoded by the SDK.
func BenchmarkGetRole(b *testing.B) {
	f := roleBenchAccount(b, 10000)
	in := &iam.GetRoleInput{RoleName: aws.String("role-05000")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.IAM.GetRole(ctx, in); err != nil {
			b.Fatalf("GetRole: %v", err)
		}
	}
}

// BenchmarkListRoles reads pages of the roles of an account of 10,000: the first, one from the middle, the largest
// IAM allows, and a path prefix that only the last 10 roles match, which has to read past all the others.
func BenchmarkListRoles(b *testing.B) {
	f := roleBenchAccount(b, 10000)
	var middle *string
	for range 5 {
		out, err := f.IAM.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000), Marker: middle})
		if err != nil {
			b.Fatalf("ListRoles: %v", err)
		}
		middle = out.Marker
	}
	cases := []struct {
		name string
		in   *iam.ListRolesInput
		want int
	}{
		{"first page of 100", &iam.ListRolesInput{}, 100},
		{"page of 100 from the middle", &iam.ListRolesInput{Marker: middle}, 100},
		{"page of 1000", &iam.ListRolesInput{MaxItems: aws.Int32(1000)}, 1000},
		{"path prefix of the last 10", &iam.ListRolesInput{PathPrefix: aws.String("/rare/")}, 10},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := f.IAM.ListRoles(ctx, tc.in)
				if err != nil {
					b.Fatalf("ListRoles: %v", err)
				}
				if len(out.Roles) != tc.want {
					b.Fatalf("ListRoles listed %d roles, want %d", len(out.Roles), tc.want)
				}
			}
		})
	}
}
