package iam_test

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Documents as the tests put them; GetAccountAuthorizationDetails must give each back, URL-encoded, unchanged.
const (
	acctTrustDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	acctPolicyV1  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	acctPolicyV2  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/*"}]}`
	acctInlineDoc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}`
	readOnlyARN   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	s3ReadARN     = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	adminARN      = "arn:aws:iam::aws:policy/AdministratorAccess"
)

// acctClient returns an IAM client of the server for the credentials.
func acctClient(f *fixture, key, secret string) *iam.Client {
	return iam.NewFromConfig(f.Config(key, secret, ""))
}

// acctMust fails the test when a call that sets the scene fails.
func acctMust[T any](t *testing.T, what string) func(T, error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// acctDecoded undoes the URL encoding that IAM puts on policy documents.
func acctDecoded(t *testing.T, what string, doc *string) string {
	t.Helper()
	if doc == nil {
		t.Fatalf("%s has no document", what)
	}
	s, err := url.PathUnescape(*doc)
	if err != nil {
		t.Fatalf("%s: the document %q is not URL-encoded: %v", what, *doc, err)
	}
	return s
}

func TestAccountSummary(t *testing.T) {
	f := start(t)
	f.IAM = acctClient(f, "test", "test")
	summary := func(t *testing.T) map[string]int32 {
		t.Helper()
		out := acctMust[*iam.GetAccountSummaryOutput](t, "GetAccountSummary")(f.IAM.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))
		return out.SummaryMap
	}

	t.Run("a new account answers every key with AWS's default quotas", func(t *testing.T) {
		want := map[string]int32{
			"Users": 0, "UsersQuota": 5000, "Groups": 0, "GroupsQuota": 300, "Roles": 0, "RolesQuota": 1000,
			"Policies": 0, "PoliciesQuota": 1500, "PolicyVersionsInUse": 0, "PolicyVersionsInUseQuota": 10000,
			"VersionsPerPolicyQuota": 5, "InstanceProfiles": 0, "InstanceProfilesQuota": 1000,
			"ServerCertificates": 0, "ServerCertificatesQuota": 20, "MFADevices": 0, "MFADevicesInUse": 0,
			"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 1, "AccountPasswordPresent": 0,
			"AccountSigningCertificatesPresent": 0, "Providers": 0, "GlobalEndpointTokenVersion": 1,
			"AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2, "GroupsPerUserQuota": 10,
			"AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10,
			"PolicySizeQuota": 6144, "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120,
			"RolePolicySizeQuota": 10240, "AssumeRolePolicySizeQuota": 2048,
		}
		got := summary(t)
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("SummaryMap[%s] = %d (present: %t), want %d", k, g, ok, v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("SummaryMap has %s = %d, which AWS does not answer", k, got[k])
			}
		}
	})

	t.Run("the counts follow what the account holds", func(t *testing.T) {
		for _, name := range []string{"alice", "bob"} {
			acctMust[*iam.CreateUserOutput](t, "CreateUser")(f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
		}
		acctMust[*iam.CreateGroupOutput](t, "CreateGroup")(f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
		acctMust[*iam.CreateRoleOutput](t, "CreateRole")(f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("runner"), AssumeRolePolicyDocument: aws.String(acctTrustDoc)}))
		acctMust[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(f.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("runner")}))
		used := acctMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("used"), PolicyDocument: aws.String(acctPolicyV1)}))
		acctMust[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(f.IAM.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: used.Policy.Arn, PolicyDocument: aws.String(acctPolicyV2)}))
		acctMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(f.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("unused"), PolicyDocument: aws.String(acctPolicyV1)}))
		acctMust[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: used.Policy.Arn}))
		acctMust[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("runner"), PolicyArn: aws.String(readOnlyARN)}))
		acctMust[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(f.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: aws.String(readOnlyARN)}))
		acctMust[*iam.PutUserPermissionsBoundaryOutput](t, "PutUserPermissionsBoundary")(f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(s3ReadARN)}))

		got := summary(t)
		// In use: "used" (attached to alice), ReadOnlyAccess (attached twice, counted once), AmazonS3ReadOnlyAccess
		// (a boundary). "unused" is in use nowhere, however many versions it has.
		for k, v := range map[string]int32{"Users": 2, "Groups": 1, "Roles": 1, "Policies": 2, "InstanceProfiles": 1, "PolicyVersionsInUse": 3} {
			if got[k] != v {
				t.Errorf("SummaryMap[%s] = %d, want %d", k, got[k], v)
			}
		}
	})
}

func TestAccountAliases(t *testing.T) {
	f := start(t)
	f.IAM = acctClient(f, "test", "test")
	other := f.acctOtherAccount(t)
	list := func(t *testing.T, c *iam.Client) []string {
		t.Helper()
		out := acctMust[*iam.ListAccountAliasesOutput](t, "ListAccountAliases")(c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))
		if out.IsTruncated {
			t.Errorf("ListAccountAliases: IsTruncated = true, want false")
		}
		return out.AccountAliases
	}
	create := func(c *iam.Client, alias string) error {
		_, err := c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(alias)})
		return err
	}
	remove := func(c *iam.Client, alias string) error {
		_, err := c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String(alias)})
		return err
	}
	wantAliases := func(t *testing.T, what string, c *iam.Client, want ...string) {
		t.Helper()
		if got := list(t, c); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("ListAccountAliases of %s = %q, want %q", what, got, want)
		}
	}

	t.Run("an account starts without an alias", func(t *testing.T) {
		wantAliases(t, "the default account", f.IAM)
	})
	t.Run("CreateAccountAlias sets the alias", func(t *testing.T) {
		if err := create(f.IAM, "acme-prod"); err != nil {
			t.Fatalf("CreateAccountAlias(acme-prod): %v", err)
		}
		wantAliases(t, "the default account", f.IAM, "acme-prod")
	})
	t.Run("creating the alias the account holds is refused", func(t *testing.T) {
		wantError(t, "CreateAccountAlias(acme-prod) again", create(f.IAM, "acme-prod"),
			"EntityAlreadyExists", "The account alias acme-prod already exists.", 409)
	})
	t.Run("a new alias replaces the old one", func(t *testing.T) {
		if err := create(f.IAM, "acme-production"); err != nil {
			t.Fatalf("CreateAccountAlias(acme-production): %v", err)
		}
		wantAliases(t, "the default account", f.IAM, "acme-production")
	})
	t.Run("the replaced alias is free for another account", func(t *testing.T) {
		if err := create(other, "acme-prod"); err != nil {
			t.Fatalf("CreateAccountAlias(acme-prod) in the second account: %v", err)
		}
		wantAliases(t, "the second account", other, "acme-prod")
	})
	t.Run("an alias another account holds is taken", func(t *testing.T) {
		wantError(t, "CreateAccountAlias(acme-production) in the second account", create(other, "acme-production"),
			"EntityAlreadyExists", "The account alias acme-production already exists.", 409)
		wantAliases(t, "the second account", other, "acme-prod")
	})
	t.Run("an alias must match AWS's pattern", func(t *testing.T) {
		for _, bad := range []string{"Acme", "-acme", "acme-", "ac--me", "a_b", "acme.prod"} {
			wantError(t, "CreateAccountAlias("+bad+")", create(f.IAM, bad), "ValidationError",
				"1 validation error detected: Value '"+bad+"' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", 400)
		}
		wantError(t, "DeleteAccountAlias(ac--me)", remove(f.IAM, "ac--me"), "ValidationError", "", 400)
		wantError(t, "CreateAccountAlias(ab)", create(f.IAM, "ab"), "ValidationError", "", 400)
		wantAliases(t, "the default account", f.IAM, "acme-production")
	})
	t.Run("deleting an alias the account does not hold is NoSuchEntity", func(t *testing.T) {
		wantError(t, "DeleteAccountAlias(nobody-has-it)", remove(f.IAM, "nobody-has-it"),
			"NoSuchEntity", "The account alias nobody-has-it cannot be found.", 404)
		wantError(t, "DeleteAccountAlias(acme-prod) of the second account's alias", remove(f.IAM, "acme-prod"),
			"NoSuchEntity", "The account alias acme-prod cannot be found.", 404)
		wantAliases(t, "the second account", other, "acme-prod")
	})
	t.Run("DeleteAccountAlias removes the alias and frees it", func(t *testing.T) {
		if err := remove(f.IAM, "acme-production"); err != nil {
			t.Fatalf("DeleteAccountAlias(acme-production): %v", err)
		}
		wantAliases(t, "the default account", f.IAM)
		wantError(t, "DeleteAccountAlias(acme-production) again", remove(f.IAM, "acme-production"),
			"NoSuchEntity", "The account alias acme-production cannot be found.", 404)
		if err := create(other, "acme-production"); err != nil {
			t.Fatalf("CreateAccountAlias(acme-production) in the second account after the delete: %v", err)
		}
		wantAliases(t, "the second account", other, "acme-production")
	})
}

// acctOtherAccount creates a second account and returns an IAM client of its root user.
func (f *fixture) acctOtherAccount(t *testing.T) *iam.Client {
	t.Helper()
	acct, err := f.CreateAccount(ctx, "second")
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return acctClient(f, acct.RootAccessKeyID, acct.RootSecretAccessKey)
}

// acctScene is an account with something of every kind GetAccountAuthorizationDetails lists.
type acctScene struct {
	carolID   string // the unique id of a user the trust policy of role "trusting" named, since deleted
	policyARN string // customer managed policy "app" with versions v1 and v2 (the default)
}

func acctSetUpDetails(t *testing.T, f *fixture) *acctScene {
	t.Helper()
	c := f.IAM
	sc := &acctScene{}
	for _, u := range []string{"alice", "bob"} {
		acctMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))
	}
	acctMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave"), Path: aws.String("/ops/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}))
	carol := acctMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	sc.carolID = *carol.User.UserId
	for _, g := range []string{"admins", "devs"} {
		acctMust[*iam.CreateGroupOutput](t, "CreateGroup")(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(g)}))
	}
	acctMust[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("admins")}))
	acctMust[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("alice"), GroupName: aws.String("devs")}))
	acctMust[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("no-iam"), PolicyDocument: aws.String(acctInlineDoc)}))
	acctMust[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("no-iam"), PolicyDocument: aws.String(acctInlineDoc)}))
	acctMust[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String(adminARN)}))
	app := acctMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("app"), PolicyDocument: aws.String(acctPolicyV1), Description: aws.String("what the app needs")}))
	sc.policyARN = *app.Policy.Arn
	acctMust[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: app.Policy.Arn, PolicyDocument: aws.String(acctPolicyV2), SetAsDefault: true}))
	acctMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("spare"), PolicyDocument: aws.String(acctPolicyV1)}))
	acctMust[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: app.Policy.Arn}))
	acctMust[*iam.PutUserPermissionsBoundaryOutput](t, "PutUserPermissionsBoundary")(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(s3ReadARN)}))

	acctMust[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("runner"), AssumeRolePolicyDocument: aws.String(acctTrustDoc),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("ci")}}}))
	acctMust[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("runner"), PolicyArn: aws.String(readOnlyARN)}))
	acctMust[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("runner"), PolicyArn: app.Policy.Arn}))
	acctMust[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("runner"), PolicyName: aws.String("no-iam"), PolicyDocument: aws.String(acctInlineDoc)}))
	acctMust[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("runner-profile")}))
	acctMust[*iam.AddRoleToInstanceProfileOutput](t, "AddRoleToInstanceProfile")(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("runner-profile"), RoleName: aws.String("runner")}))

	acctMust[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("trusting"), AssumeRolePolicyDocument: aws.String(acctTrustNaming(f, "carol"))}))
	acctMust[*iam.DeleteUserOutput](t, "DeleteUser")(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")}))
	return sc
}

// acctTrustNaming is a trust policy that lets the default account's user name assume the role.
func acctTrustNaming(f *fixture, name string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctUserARN(f, name) + `"},"Action":"sts:AssumeRole"}]}`
}

func acctUserARN(f *fixture, name string) string { return "arn:aws:iam::000000000000:user/" + name }

// acctNames lists what a page of authorization details holds, as "User alice", "Policy app", ….
func acctNames(out *iam.GetAccountAuthorizationDetailsOutput) []string {
	var ns []string
	for _, u := range out.UserDetailList {
		ns = append(ns, "User "+aws.ToString(u.UserName))
	}
	for _, g := range out.GroupDetailList {
		ns = append(ns, "Group "+aws.ToString(g.GroupName))
	}
	for _, r := range out.RoleDetailList {
		ns = append(ns, "Role "+aws.ToString(r.RoleName))
	}
	for _, p := range out.Policies {
		ns = append(ns, "Policy "+aws.ToString(p.PolicyName))
	}
	return ns
}

func TestAccountAuthorizationDetails(t *testing.T) {
	f := start(t)
	f.IAM = acctClient(f, "test", "test")
	sc := acctSetUpDetails(t, f)
	details := func(t *testing.T, filter ...types.EntityType) *iam.GetAccountAuthorizationDetailsOutput {
		t.Helper()
		out := acctMust[*iam.GetAccountAuthorizationDetailsOutput](t, "GetAccountAuthorizationDetails")(
			f.IAM.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: filter}))
		if out.IsTruncated || out.Marker != nil {
			t.Errorf("GetAccountAuthorizationDetails(%v): IsTruncated = %t, Marker = %v, want one page", filter, out.IsTruncated, out.Marker)
		}
		return out
	}
	users := []string{"User alice", "User bob", "User dave"}
	groups := []string{"Group admins", "Group devs"}
	roles := []string{"Role runner", "Role trusting"}
	local := []string{"Policy app", "Policy spare"}
	// The AWS managed policies the account uses (attached, or a boundary), and only those.
	awsManaged := []string{"Policy AdministratorAccess", "Policy AmazonS3ReadOnlyAccess", "Policy ReadOnlyAccess"}
	all := slices.Concat(users, groups, roles, local, awsManaged)

	t.Run("each filter lists its kind", func(t *testing.T) {
		for _, tc := range []struct {
			filter []types.EntityType
			want   []string
		}{
			{nil, all},
			{[]types.EntityType{types.EntityTypeUser}, users},
			{[]types.EntityType{types.EntityTypeGroup}, groups},
			{[]types.EntityType{types.EntityTypeRole}, roles},
			{[]types.EntityType{types.EntityTypeLocalManagedPolicy}, local},
			{[]types.EntityType{types.EntityTypeAWSManagedPolicy}, awsManaged},
			{[]types.EntityType{types.EntityTypeRole, types.EntityTypeUser}, slices.Concat(users, roles)},
			{[]types.EntityType{types.EntityTypeAWSManagedPolicy, types.EntityTypeLocalManagedPolicy}, slices.Concat(local, awsManaged)},
		} {
			name := "no filter"
			if tc.filter != nil {
				name = acctFilterName(tc.filter)
			}
			t.Run(name, func(t *testing.T) {
				if got := acctNames(details(t, tc.filter...)); !slices.Equal(got, tc.want) {
					t.Errorf("GetAccountAuthorizationDetails(%v) lists %q, want %q", tc.filter, got, tc.want)
				}
			})
		}
	})

	t.Run("MaxItems pages across the lists, every entity once", func(t *testing.T) {
		for _, max := range []int32{1, 2, 3, 5} {
			var seen []string
			var marker *string
			pages := 0
			for {
				out := acctMust[*iam.GetAccountAuthorizationDetailsOutput](t, "GetAccountAuthorizationDetails")(
					f.IAM.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(max), Marker: marker}))
				pages++
				page := acctNames(out)
				if len(page) > int(max) {
					t.Errorf("MaxItems %d: page %d holds %d entities: %q", max, pages, len(page), page)
				}
				seen = append(seen, page...)
				if !out.IsTruncated {
					if out.Marker != nil {
						t.Errorf("MaxItems %d: the last page has Marker %q", max, *out.Marker)
					}
					break
				}
				if out.Marker == nil {
					t.Fatalf("MaxItems %d: page %d is truncated without a Marker", max, pages)
				}
				if pages > len(all)+1 {
					t.Fatalf("MaxItems %d: still paging after %d pages: %q", max, pages, seen)
				}
				marker = out.Marker
			}
			if !slices.Equal(seen, all) {
				t.Errorf("MaxItems %d: the pages list %q, want %q", max, seen, all)
			}
			if wantPages := (len(all) + int(max) - 1) / int(max); pages != wantPages {
				t.Errorf("MaxItems %d: %d pages, want %d", max, pages, wantPages)
			}
		}
	})

	t.Run("the SDK paginator visits every entity once with a filter", func(t *testing.T) {
		p := iam.NewGetAccountAuthorizationDetailsPaginator(f.IAM, &iam.GetAccountAuthorizationDetailsInput{
			MaxItems: aws.Int32(2), Filter: []types.EntityType{types.EntityTypeGroup, types.EntityTypeAWSManagedPolicy}})
		var seen []string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("NextPage: %v", err)
			}
			seen = append(seen, acctNames(out)...)
		}
		if want := slices.Concat(groups, awsManaged); !slices.Equal(seen, want) {
			t.Errorf("the paginator lists %q, want %q", seen, want)
		}
	})

	t.Run("a marker that sagebox did not issue is refused", func(t *testing.T) {
		_, err := f.IAM.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("not-a-marker")})
		wantError(t, "GetAccountAuthorizationDetails with a made-up marker", err, "InvalidInput", "Invalid Marker.", 400)
	})

	out := details(t)
	user := func(name string) types.UserDetail {
		for _, u := range out.UserDetailList {
			if aws.ToString(u.UserName) == name {
				return u
			}
		}
		t.Fatalf("UserDetailList has no %s", name)
		return types.UserDetail{}
	}
	role := func(name string) types.RoleDetail {
		for _, r := range out.RoleDetailList {
			if aws.ToString(r.RoleName) == name {
				return r
			}
		}
		t.Fatalf("RoleDetailList has no %s", name)
		return types.RoleDetail{}
	}
	policy := func(name string) types.ManagedPolicyDetail {
		for _, p := range out.Policies {
			if aws.ToString(p.PolicyName) == name {
				return p
			}
		}
		t.Fatalf("Policies has no %s", name)
		return types.ManagedPolicyDetail{}
	}

	t.Run("a user shows its groups, inline and attached policies, boundary and tags", func(t *testing.T) {
		alice := user("alice")
		if got := alice.GroupList; !slices.Equal(acctSorted(got), []string{"admins", "devs"}) {
			t.Errorf("alice's GroupList = %q, want admins and devs", got)
		}
		if len(alice.UserPolicyList) != 1 || aws.ToString(alice.UserPolicyList[0].PolicyName) != "no-iam" {
			t.Fatalf("alice's UserPolicyList = %v, want no-iam", alice.UserPolicyList)
		}
		if got := acctDecoded(t, "alice's no-iam", alice.UserPolicyList[0].PolicyDocument); got != acctInlineDoc {
			t.Errorf("alice's no-iam decodes to %s, want %s", got, acctInlineDoc)
		}
		if *alice.Arn != acctUserARN(f, "alice") || *alice.Path != "/" || !strings.HasPrefix(*alice.UserId, "AIDA") || alice.CreateDate == nil {
			t.Errorf("alice = %s %s %s %v, want her ARN, path /, an AIDA id and a date", *alice.Arn, *alice.Path, *alice.UserId, alice.CreateDate)
		}
		if alice.PermissionsBoundary != nil || len(alice.AttachedManagedPolicies) != 0 || len(alice.Tags) != 0 {
			t.Errorf("alice has boundary %v, attached %v, tags %v, want none", alice.PermissionsBoundary, alice.AttachedManagedPolicies, alice.Tags)
		}
		bob := user("bob")
		if len(bob.AttachedManagedPolicies) != 1 || aws.ToString(bob.AttachedManagedPolicies[0].PolicyArn) != sc.policyARN || aws.ToString(bob.AttachedManagedPolicies[0].PolicyName) != "app" {
			t.Errorf("bob's AttachedManagedPolicies = %v, want app (%s)", bob.AttachedManagedPolicies, sc.policyARN)
		}
		if b := bob.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != s3ReadARN || b.PermissionsBoundaryType != "Policy" {
			t.Errorf("bob's PermissionsBoundary = %+v, want the policy %s", b, s3ReadARN)
		}
		dave := user("dave")
		if *dave.Path != "/ops/" || *dave.Arn != "arn:aws:iam::000000000000:user/ops/dave" {
			t.Errorf("dave's Path, Arn = %s, %s, want /ops/ and the ARN with the path", *dave.Path, *dave.Arn)
		}
		if len(dave.Tags) != 1 || *dave.Tags[0].Key != "team" || *dave.Tags[0].Value != "ops" {
			t.Errorf("dave's Tags = %v, want team=ops", dave.Tags)
		}
	})

	t.Run("a group shows its inline and attached policies", func(t *testing.T) {
		for _, g := range out.GroupDetailList {
			switch aws.ToString(g.GroupName) {
			case "admins":
				if len(g.AttachedManagedPolicies) != 1 || aws.ToString(g.AttachedManagedPolicies[0].PolicyArn) != adminARN || len(g.GroupPolicyList) != 0 {
					t.Errorf("admins: attached %v, inline %v, want AdministratorAccess only", g.AttachedManagedPolicies, g.GroupPolicyList)
				}
			case "devs":
				if len(g.GroupPolicyList) != 1 || acctDecoded(t, "devs' no-iam", g.GroupPolicyList[0].PolicyDocument) != acctInlineDoc {
					t.Errorf("devs: inline %v, want no-iam with its document", g.GroupPolicyList)
				}
			}
			if !strings.HasPrefix(aws.ToString(g.GroupId), "AGPA") || aws.ToString(g.Arn) != "arn:aws:iam::000000000000:group/"+aws.ToString(g.GroupName) {
				t.Errorf("group %s: id %s, ARN %s", aws.ToString(g.GroupName), aws.ToString(g.GroupId), aws.ToString(g.Arn))
			}
		}
	})

	t.Run("a role shows its trust policy, instance profiles, policies, tags and last use", func(t *testing.T) {
		runner := role("runner")
		if got := acctDecoded(t, "runner's trust policy", runner.AssumeRolePolicyDocument); got != acctTrustDoc {
			t.Errorf("runner's trust policy decodes to %s, want %s", got, acctTrustDoc)
		}
		if len(runner.InstanceProfileList) != 1 {
			t.Fatalf("runner's InstanceProfileList = %v, want runner-profile", runner.InstanceProfileList)
		}
		ip := runner.InstanceProfileList[0]
		if aws.ToString(ip.InstanceProfileName) != "runner-profile" || !strings.HasPrefix(aws.ToString(ip.InstanceProfileId), "AIPA") ||
			len(ip.Roles) != 1 || aws.ToString(ip.Roles[0].RoleName) != "runner" {
			t.Errorf("runner's instance profile = %s %s with roles %v, want runner-profile holding runner", aws.ToString(ip.InstanceProfileName), aws.ToString(ip.InstanceProfileId), ip.Roles)
		} else if got := acctDecoded(t, "the profile's role's trust policy", ip.Roles[0].AssumeRolePolicyDocument); got != acctTrustDoc {
			t.Errorf("the profile's role's trust policy decodes to %s, want %s", got, acctTrustDoc)
		}
		var attached []string
		for _, a := range runner.AttachedManagedPolicies {
			attached = append(attached, aws.ToString(a.PolicyName)+"="+aws.ToString(a.PolicyArn))
		}
		if want := []string{"ReadOnlyAccess=" + readOnlyARN, "app=" + sc.policyARN}; !slices.Equal(attached, want) {
			t.Errorf("runner's AttachedManagedPolicies = %q, want %q", attached, want)
		}
		if len(runner.RolePolicyList) != 1 || acctDecoded(t, "runner's no-iam", runner.RolePolicyList[0].PolicyDocument) != acctInlineDoc {
			t.Errorf("runner's RolePolicyList = %v, want no-iam with its document", runner.RolePolicyList)
		}
		if len(runner.Tags) != 1 || *runner.Tags[0].Key != "env" {
			t.Errorf("runner's Tags = %v, want env=ci", runner.Tags)
		}
		if runner.RoleLastUsed == nil || runner.RoleLastUsed.LastUsedDate != nil {
			t.Errorf("runner's RoleLastUsed = %+v, want present and empty for a role never used", runner.RoleLastUsed)
		}
	})

	t.Run("a trust policy shows a deleted principal as its unique id", func(t *testing.T) {
		got := acctDecoded(t, "trusting's trust policy", role("trusting").AssumeRolePolicyDocument)
		want := strings.Replace(acctTrustNaming(f, "carol"), acctUserARN(f, "carol"), sc.carolID, 1)
		if got != want {
			t.Errorf("trusting's trust policy after carol was deleted decodes to %s, want %s", got, want)
		}
	})

	t.Run("a customer managed policy shows every version", func(t *testing.T) {
		app := policy("app")
		if aws.ToString(app.DefaultVersionId) != "v2" || aws.ToInt32(app.AttachmentCount) != 2 || aws.ToInt32(app.PermissionsBoundaryUsageCount) != 0 ||
			!app.IsAttachable || aws.ToString(app.Description) != "what the app needs" || aws.ToString(app.Arn) != sc.policyARN {
			t.Errorf("app = default %s, attached %d, boundary of %d, attachable %t, description %q, ARN %s; want v2, 2, 0, true, its description and ARN",
				aws.ToString(app.DefaultVersionId), aws.ToInt32(app.AttachmentCount), aws.ToInt32(app.PermissionsBoundaryUsageCount),
				app.IsAttachable, aws.ToString(app.Description), aws.ToString(app.Arn))
		}
		docs := map[string]string{}
		for _, v := range app.PolicyVersionList {
			docs[aws.ToString(v.VersionId)] = acctDecoded(t, "app "+aws.ToString(v.VersionId), v.Document)
			if v.IsDefaultVersion != (aws.ToString(v.VersionId) == "v2") {
				t.Errorf("app %s: IsDefaultVersion = %t", aws.ToString(v.VersionId), v.IsDefaultVersion)
			}
		}
		if len(docs) != 2 || docs["v1"] != acctPolicyV1 || docs["v2"] != acctPolicyV2 {
			t.Errorf("app's versions = %q, want v1 %s and v2 %s", docs, acctPolicyV1, acctPolicyV2)
		}
		if spare := policy("spare"); aws.ToInt32(spare.AttachmentCount) != 0 {
			t.Errorf("spare's AttachmentCount = %d, want 0", aws.ToInt32(spare.AttachmentCount))
		}
	})

	t.Run("an AWS managed policy shows its use in the account and its default document", func(t *testing.T) {
		for _, tc := range []struct {
			name               string
			attached, boundary int32
		}{{"ReadOnlyAccess", 1, 0}, {"AdministratorAccess", 1, 0}, {"AmazonS3ReadOnlyAccess", 0, 1}} {
			p := policy(tc.name)
			if aws.ToInt32(p.AttachmentCount) != tc.attached || aws.ToInt32(p.PermissionsBoundaryUsageCount) != tc.boundary {
				t.Errorf("%s: AttachmentCount %d, PermissionsBoundaryUsageCount %d, want %d and %d", tc.name,
					aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount), tc.attached, tc.boundary)
			}
			if !strings.HasPrefix(aws.ToString(p.Arn), "arn:aws:iam::aws:policy/") || len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion ||
				aws.ToString(p.PolicyVersionList[0].VersionId) != aws.ToString(p.DefaultVersionId) {
				t.Errorf("%s: ARN %s, versions %v, want an AWS ARN and its default version", tc.name, aws.ToString(p.Arn), p.PolicyVersionList)
				continue
			}
			if doc := acctDecoded(t, tc.name, p.PolicyVersionList[0].Document); !strings.Contains(doc, `"Statement"`) {
				t.Errorf("%s's document decodes to %s, want a policy", tc.name, doc)
			}
		}
	})

	t.Run("another account sees its own details only", func(t *testing.T) {
		other := f.acctOtherAccount(t)
		got := acctMust[*iam.GetAccountAuthorizationDetailsOutput](t, "GetAccountAuthorizationDetails")(other.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))
		if n := acctNames(got); len(n) != 0 {
			t.Errorf("a new account's details list %q, want nothing", n)
		}
	})
}

func acctFilterName(fs []types.EntityType) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, "+")
}

func acctSorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
