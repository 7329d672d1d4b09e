package iam_test

// The authorization view: after every IAM write through the API, Identity answers what the principal's policies
// now are; a restart rebuilds the same view from the store; reads never race with writes.
//
// These tests need the *iam.Service behind a running server, which app.App does not expose, so they assemble a
// small sagebox of their own (viewServer): the store, the key ring with the default account's root key, IAM, and
// the server — with an authorizer that allows everything, since what is tested is what IAM hands the authorizer.

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagebox/sagebox/internal/account"
	"github.com/sagebox/sagebox/internal/api"
	"github.com/sagebox/sagebox/internal/authn"
	"github.com/sagebox/sagebox/internal/authz"
	"github.com/sagebox/sagebox/internal/clock"
	"github.com/sagebox/sagebox/internal/ids"
	"github.com/sagebox/sagebox/internal/model"
	"github.com/sagebox/sagebox/internal/policy"
	"github.com/sagebox/sagebox/internal/server"
	sageiam "github.com/sagebox/sagebox/internal/service/iam"
	"github.com/sagebox/sagebox/internal/service/iam/managed"
	"github.com/sagebox/sagebox/internal/store"
	"github.com/sagebox/sagebox/internal/store/sqlite"
)

const viewAccount = "000000000000"

// viewServer is a sagebox serving IAM only, whose IAM service the test holds.
type viewServer struct {
	IAM     *iam.Client
	Service *sageiam.Service
	// Stop stops the server and closes its store; it is also called when the test ends.
	Stop func()
	// Rebuilt returns another IAM service whose view Load built from the server's store as it is now.
	Rebuilt func() *sageiam.Service
}

// viewAllowAll lets every request through: the view is what these tests look at, not decisions.
type viewAllowAll struct{}

func (viewAllowAll) Authorize(_ context.Context, _ *api.Call, a *api.Authorization) (api.Decision, error) {
	return api.Decision{Allowed: true, Effect: "allow", Reason: "allowed by the test", Action: a.Action, Resource: a.Resources[0]}, nil
}

// startView runs a viewServer on a store in dir (in memory when dir is ""), stopped when the test ends.
func startView(t testing.TB, dir string) *viewServer {
	t.Helper()
	var st store.Store
	var err error
	if dir == "" {
		st, err = sqlite.OpenMemory(ctx)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(dir, "sagebox.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	keys := authn.NewKeyRing()
	clk := clock.NewOffset(nil)
	src := ids.New()
	acct, err := account.New(st, keys, src, clk).Ensure(ctx, viewAccount, "default", "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	keys.Put(acct.RootKey())
	catalog, err := managed.Load()
	if err != nil {
		t.Fatal(err)
	}
	svc := sageiam.New(keys, src, catalog)
	if err := svc.Load(ctx, st, []string{viewAccount}); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		Models:     model.NewSet(),
		Services:   []*api.ServiceHandlers{svc.Handlers()},
		Authn:      authn.New(keys, clk),
		Authorizer: viewAllowAll{},
		Store:      st,
		Clock:      clk,
		IDs:        src,
		Log:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			hs.Close()
			st.Close()
		}
	}
	t.Cleanup(stop)
	f := &fixture{URL: hs.URL}
	rebuilt := func() *sageiam.Service {
		t.Helper()
		s := sageiam.New(authn.NewKeyRing(), ids.New(), catalog)
		if err := s.Load(ctx, st, []string{viewAccount}); err != nil {
			t.Fatalf("Load: %v", err)
		}
		return s
	}
	return &viewServer{IAM: iam.NewFromConfig(f.Config("test", "test", "")), Service: svc, Stop: stop, Rebuilt: rebuilt}
}

func viewUser(id string) *api.Principal {
	return &api.Principal{Type: api.User, Account: viewAccount, UserID: id}
}

func viewSession(roleID string) *api.Principal {
	return &api.Principal{Type: api.AssumedRole, Account: viewAccount, UserID: roleID + ":session"}
}

// viewShown is what a test compares of PrincipalPolicies: each identity policy as "ID (first action)", the boundary
// the same way, and the tags. A compiled policy of the wrong type says so.
type viewShown struct {
	Identity []string
	Boundary string
	Tags     map[string]string
}

func (s viewShown) String() string {
	var tags []string
	for k, v := range s.Tags {
		tags = append(tags, k+"="+v)
	}
	sort.Strings(tags)
	return fmt.Sprintf("identity %q, boundary %q, tags %v", s.Identity, s.Boundary, tags)
}

func viewDescribe(c *policy.Compiled, want policy.PolicyType) string {
	if c == nil {
		return "<nil>"
	}
	s := c.ID
	if doc := c.Document(); doc != nil && len(doc.Statements) > 0 && len(doc.Statements[0].Action) > 0 {
		s += " (" + doc.Statements[0].Action[0] + ")"
	}
	if c.Type != want {
		s += fmt.Sprintf(" [type %d, want %d]", c.Type, want)
	}
	return s
}

func viewShow(pp *authz.PrincipalPolicies) viewShown {
	var s viewShown
	if pp == nil {
		return s
	}
	for _, c := range pp.Identity {
		s.Identity = append(s.Identity, viewDescribe(c, policy.IdentityPolicy))
	}
	if pp.Boundary != nil {
		s.Boundary = viewDescribe(pp.Boundary, policy.BoundaryPolicy)
	}
	if len(pp.Tags) > 0 {
		s.Tags = pp.Tags
	}
	return s
}

func (v *viewServer) want(t *testing.T, who string, p *api.Principal, want viewShown) {
	t.Helper()
	pp, err := v.Service.Identity(viewAccount, p)
	if err != nil {
		t.Fatalf("Identity(%s) failed: %v", who, err)
	}
	if got := viewShow(pp); !reflect.DeepEqual(got, want) {
		t.Errorf("Identity(%s) = %v,\nwant %v", who, got, want)
	}
}

// viewAllowing is a policy document allowing one action.
func viewAllowing(action string) *string {
	return aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"*"}}`)
}

func viewMust[T any](t testing.TB, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

const (
	viewAliceARN    = "arn:aws:iam::000000000000:user/alice"
	viewPolicyARN   = "arn:aws:iam::000000000000:policy/m"
	viewReadOnlyARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
)

func TestViewFollowsUserWrites(t *testing.T) {
	v := startView(t, "")
	c := v.IAM
	alice := viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	}))
	me := viewUser(*alice.User.UserId)
	readOnly := viewMust[*iam.GetPolicyOutput](t, "GetPolicy")(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(viewReadOnlyARN)}))
	readOnlyID := viewReadOnlyARN + " " + *readOnly.Policy.DefaultVersionId
	teamML := map[string]string{"team": "ml"}
	inlineP1 := viewAliceARN + " inline policy p1 (s3:ListBucket)"

	steps := []struct {
		name string
		do   func() error
		want viewShown
	}{
		{"CreateUser gives the user its tags", func() error { return nil }, viewShown{Tags: teamML}},
		{"PutUserPolicy adds the inline policy", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p1"), PolicyDocument: viewAllowing("s3:ListBucket")})
			return err
		}, viewShown{Identity: []string{inlineP1}, Tags: teamML}},
		{"AttachUserPolicy adds the managed policy's default version", func() error {
			if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: viewAllowing("s3:GetObject")}); err != nil {
				return err
			}
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(viewPolicyARN)})
			return err
		}, viewShown{Identity: []string{inlineP1, viewPolicyARN + " v1 (s3:GetObject)"}, Tags: teamML}},
		{"CreatePolicyVersion that is not the default changes nothing", func() error {
			_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(viewPolicyARN), PolicyDocument: viewAllowing("s3:PutObject")})
			return err
		}, viewShown{Identity: []string{inlineP1, viewPolicyARN + " v1 (s3:GetObject)"}, Tags: teamML}},
		{"SetDefaultPolicyVersion switches to the new version", func() error {
			_, err := c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(viewPolicyARN), VersionId: aws.String("v2")})
			return err
		}, viewShown{Identity: []string{inlineP1, viewPolicyARN + " v2 (s3:PutObject)"}, Tags: teamML}},
		{"CreatePolicyVersion as the default switches to it", func() error {
			_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(viewPolicyARN), PolicyDocument: viewAllowing("s3:DeleteObject"), SetAsDefault: true})
			return err
		}, viewShown{Identity: []string{inlineP1, viewPolicyARN + " v3 (s3:DeleteObject)"}, Tags: teamML}},
		{"AddUserToGroup adds the group's inline and attached policies", func() error {
			if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G")}); err != nil {
				return err
			}
			if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("G"), PolicyName: aws.String("gp"), PolicyDocument: viewAllowing("ec2:DescribeVpcs")}); err != nil {
				return err
			}
			if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("G"), PolicyArn: aws.String(viewReadOnlyARN)}); err != nil {
				return err
			}
			// A policy attached to both the user and its group counts once.
			if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("G"), PolicyArn: aws.String(viewPolicyARN)}); err != nil {
				return err
			}
			_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("G"), UserName: aws.String("alice")})
			return err
		}, viewShown{Identity: []string{
			inlineP1, viewPolicyARN + " v3 (s3:DeleteObject)",
			"arn:aws:iam::000000000000:group/G inline policy gp (ec2:DescribeVpcs)", viewDescribeAWS(t, v, readOnlyID),
		}, Tags: teamML}},
		{"PutGroupPolicy reaches the group's members", func() error {
			_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("G"), PolicyName: aws.String("gp"), PolicyDocument: viewAllowing("ec2:DescribeSubnets")})
			return err
		}, viewShown{Identity: []string{
			inlineP1, viewPolicyARN + " v3 (s3:DeleteObject)",
			"arn:aws:iam::000000000000:group/G inline policy gp (ec2:DescribeSubnets)", viewDescribeAWS(t, v, readOnlyID),
		}, Tags: teamML}},
		{"UpdateGroup renames the group's inline policies", func() error {
			_, err := c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("G"), NewGroupName: aws.String("H"), NewPath: aws.String("/team/")})
			return err
		}, viewShown{Identity: []string{
			inlineP1, viewPolicyARN + " v3 (s3:DeleteObject)",
			"arn:aws:iam::000000000000:group/team/H inline policy gp (ec2:DescribeSubnets)", viewDescribeAWS(t, v, readOnlyID),
		}, Tags: teamML}},
		{"RemoveUserFromGroup drops the group's policies", func() error {
			_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("H"), UserName: aws.String("alice")})
			return err
		}, viewShown{Identity: []string{inlineP1, viewPolicyARN + " v3 (s3:DeleteObject)"}, Tags: teamML}},
		{"DetachUserPolicy drops the managed policy", func() error {
			_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(viewPolicyARN)})
			return err
		}, viewShown{Identity: []string{inlineP1}, Tags: teamML}},
		{"DeleteUserPolicy drops the inline policy", func() error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p1")})
			return err
		}, viewShown{Tags: teamML}},
		{"PutUserPermissionsBoundary sets the boundary", func() error {
			_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(viewPolicyARN)})
			return err
		}, viewShown{Boundary: viewPolicyARN + " v3 (s3:DeleteObject)", Tags: teamML}},
		{"SetDefaultPolicyVersion reaches the policy's boundary uses", func() error {
			_, err := c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(viewPolicyARN), VersionId: aws.String("v1")})
			return err
		}, viewShown{Boundary: viewPolicyARN + " v1 (s3:GetObject)", Tags: teamML}},
		{"TagUser adds the tag", func() error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("Cost"), Value: aws.String("42")}}})
			return err
		}, viewShown{Boundary: viewPolicyARN + " v1 (s3:GetObject)", Tags: map[string]string{"team": "ml", "Cost": "42"}}},
		{"UntagUser removes the tag", func() error {
			_, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team"}})
			return err
		}, viewShown{Boundary: viewPolicyARN + " v1 (s3:GetObject)", Tags: map[string]string{"Cost": "42"}}},
		{"UpdateUser renames the user's inline policies", func() error {
			if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p1"), PolicyDocument: viewAllowing("s3:ListBucket")}); err != nil {
				return err
			}
			_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia")})
			return err
		}, viewShown{
			Identity: []string{"arn:aws:iam::000000000000:user/alicia inline policy p1 (s3:ListBucket)"},
			Boundary: viewPolicyARN + " v1 (s3:GetObject)", Tags: map[string]string{"Cost": "42"},
		}},
		{"DeleteUser forgets the user", func() error {
			if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alicia"), PolicyName: aws.String("p1")}); err != nil {
				return err
			}
			if _, err := c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("alicia")}); err != nil {
				return err
			}
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alicia")})
			return err
		}, viewShown{}},
	}
	for _, step := range steps {
		if t.Failed() {
			t.Fatalf("%s: not run, an earlier step failed", step.name)
		}
		t.Run(step.name, func(t *testing.T) {
			if err := step.do(); err != nil {
				t.Fatalf("the calls failed: %v", err)
			}
			v.want(t, "alice", me, step.want)
		})
	}
}

// viewDescribeAWS is how viewDescribe shows an AWS managed policy: with its document's first action, read from the
// catalog through GetPolicyVersion.
func viewDescribeAWS(t testing.TB, v *viewServer, id string) string {
	t.Helper()
	arn, version, _ := strings.Cut(id, " ")
	out := viewMust[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(v.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(version)}))
	text, err := url.PathUnescape(*out.PolicyVersion.Document)
	if err != nil {
		t.Fatal(err)
	}
	c, err := policy.CompileText(text, policy.Identity, id, policy.IdentityPolicy)
	if err != nil {
		t.Fatalf("the document of %s: %v", id, err)
	}
	return viewDescribe(c, policy.IdentityPolicy)
}

func TestViewFollowsRoleWrites(t *testing.T) {
	v := startView(t, "")
	c := v.IAM
	trust := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	r := viewMust[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("exec"), Path: aws.String("/ml/"), AssumeRolePolicyDocument: trust,
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}},
	}))
	session := viewSession(*r.Role.RoleId)
	const roleARN = "arn:aws:iam::000000000000:role/ml/exec"
	v.want(t, "the role's session after CreateRole", session, viewShown{Tags: map[string]string{"env": "dev"}})

	viewMust[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("logs"), PolicyDocument: viewAllowing("logs:PutLogEvents")}))
	viewMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: viewAllowing("s3:GetObject")}))
	viewMust[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(viewPolicyARN)}))
	viewMust[*iam.PutRolePermissionsBoundaryOutput](t, "PutRolePermissionsBoundary")(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("exec"), PermissionsBoundary: aws.String(viewPolicyARN)}))
	full := viewShown{
		Identity: []string{roleARN + " inline policy logs (logs:PutLogEvents)", viewPolicyARN + " v1 (s3:GetObject)"},
		Boundary: viewPolicyARN + " v1 (s3:GetObject)",
		Tags:     map[string]string{"env": "dev"},
	}
	v.want(t, "the role's session", session, full)

	t.Run("the role's id without a session name finds the role too", func(t *testing.T) {
		v.want(t, "the role's id", &api.Principal{Type: api.AssumedRole, UserID: *r.Role.RoleId}, full)
	})
	t.Run("the role's id as a user finds nothing", func(t *testing.T) {
		v.want(t, "a user with the role's id", viewUser(*r.Role.RoleId), viewShown{})
	})
	t.Run("another account finds nothing", func(t *testing.T) {
		pp, err := v.Service.Identity("111122223333", session)
		if pp != nil || err != nil {
			t.Errorf("Identity(111122223333, the role's session) = %v, %v, want nil, nil", pp, err)
		}
	})
	t.Run("root and unknown principals have no policies", func(t *testing.T) {
		for _, p := range []*api.Principal{
			{Type: api.Root, UserID: viewAccount},
			viewUser("AIDANOSUCHUSER000000"),
			viewSession("AROANOSUCHROLE000000"),
			{Type: api.Service, UserID: "sagemaker.amazonaws.com"},
		} {
			if pp, err := v.Service.Identity(viewAccount, p); pp != nil || err != nil {
				t.Errorf("Identity(%s %s) = %v, %v, want nil, nil", p.Type, p.UserID, pp, err)
			}
		}
	})
	t.Run("a save that leaves the policies as they were compiles nothing again", func(t *testing.T) {
		before, _ := v.Service.Identity(viewAccount, session)
		viewMust[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("logs"), PolicyDocument: viewAllowing("logs:PutLogEvents")}))
		viewMust[*iam.UpdateRoleOutput](t, "UpdateRole")(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("exec"), Description: aws.String("runs jobs")}))
		after, _ := v.Service.Identity(viewAccount, session)
		if before == nil || after == nil || len(after.Identity) != len(before.Identity) {
			t.Fatalf("Identity(the role's session) = %v, then %v, want the same policies", viewShow(before), viewShow(after))
		}
		for i := range before.Identity {
			if after.Identity[i] != before.Identity[i] {
				t.Errorf("the role's policy %s was compiled again", after.Identity[i].ID)
			}
		}
		if after.Boundary != before.Boundary {
			t.Errorf("the role's boundary %s was compiled again", after.Boundary.ID)
		}
	})
	t.Run("UntagRole removes the tag", func(t *testing.T) {
		viewMust[*iam.UntagRoleOutput](t, "UntagRole")(c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("exec"), TagKeys: []string{"env"}}))
		want := full
		want.Tags = nil
		v.want(t, "the role's session", session, want)
	})
	t.Run("DeleteRole forgets the role", func(t *testing.T) {
		viewMust[*iam.DeleteRolePermissionsBoundaryOutput](t, "DeleteRolePermissionsBoundary")(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("exec")}))
		viewMust[*iam.DetachRolePolicyOutput](t, "DetachRolePolicy")(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(viewPolicyARN)}))
		viewMust[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("logs")}))
		// Tags do not keep a role from being deleted: the role still has something to forget.
		viewMust[*iam.TagRoleOutput](t, "TagRole")(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("exec"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
		v.want(t, "the role's session before DeleteRole", session, viewShown{Tags: map[string]string{"k": "v"}})
		viewMust[*iam.DeleteRoleOutput](t, "DeleteRole")(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("exec")}))
		v.want(t, "the deleted role's session", session, viewShown{})
	})
	t.Run("a service-linked role has its service's policy", func(t *testing.T) {
		slr := viewMust[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("sagemaker.amazonaws.com")}))
		attached := viewMust[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: slr.Role.RoleName}))
		var want []string
		for _, p := range attached.AttachedPolicies {
			gp := viewMust[*iam.GetPolicyOutput](t, "GetPolicy")(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.PolicyArn}))
			want = append(want, viewDescribeAWS(t, v, *p.PolicyArn+" "+*gp.Policy.DefaultVersionId))
		}
		if len(want) == 0 {
			t.Fatal("the service-linked role has no attached policy to look for")
		}
		v.want(t, "the service-linked role's session", viewSession(*slr.Role.RoleId), viewShown{Identity: want})
		viewMust[*iam.DeleteServiceLinkedRoleOutput](t, "DeleteServiceLinkedRole")(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: slr.Role.RoleName}))
		v.want(t, "the deleted service-linked role's session", viewSession(*slr.Role.RoleId), viewShown{})
	})
}

// TestViewFailedWriteChangesNothing: a call that fails after it saved rolls back, and the view does not follow.
func TestViewFailedWriteChangesNothing(t *testing.T) {
	v := startView(t, "")
	c := v.IAM
	u := viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	viewMust[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: viewAllowing("s3:ListBucket")}))
	// Renaming bob to carol saves bob under the new name, and the store refuses: the call fails.
	if _, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("carol")}); err == nil {
		t.Fatal("UpdateUser renaming bob to carol, a user that exists, succeeded")
	}
	v.want(t, "bob", viewUser(*u.User.UserId), viewShown{Identity: []string{"arn:aws:iam::000000000000:user/bob inline policy p (s3:ListBucket)"}})
}

// TestViewRestart: a sagebox started again on the same data rebuilds the same view.
func TestViewRestart(t *testing.T) {
	dir := t.TempDir()
	v := startView(t, dir)
	c := v.IAM
	u := viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("dana"), PermissionsBoundary: aws.String(viewReadOnlyARN), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	}))
	viewMust[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("p"), PolicyDocument: viewAllowing("s3:ListBucket")}))
	viewMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: viewAllowing("s3:GetObject")}))
	viewMust[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(viewPolicyARN), PolicyDocument: viewAllowing("s3:PutObject"), SetAsDefault: true}))
	viewMust[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dana"), PolicyArn: aws.String(viewPolicyARN)}))
	viewMust[*iam.CreateGroupOutput](t, "CreateGroup")(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G")}))
	viewMust[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("G"), PolicyName: aws.String("gp"), PolicyDocument: viewAllowing("ec2:DescribeVpcs")}))
	viewMust[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("G"), UserName: aws.String("dana")}))
	trust := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	r := viewMust[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: trust}))
	viewMust[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(viewReadOnlyARN)}))

	user, session := viewUser(*u.User.UserId), viewSession(*r.Role.RoleId)
	before := []viewShown{viewOf(t, v, user), viewOf(t, v, session)}
	if len(before[0].Identity) != 3 || before[0].Boundary == "" || len(before[1].Identity) != 1 {
		t.Fatalf("before the restart, Identity(dana) = %v and Identity(exec) = %v, want 3 policies and a boundary, and 1 policy", before[0], before[1])
	}
	// The first server holds the data directory's lock until it stops.
	v.Stop()
	again := startView(t, dir)
	after := []viewShown{viewOf(t, again, user), viewOf(t, again, session)}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("after a restart, the view is %v, want %v as before", after, before)
	}
}

func viewOf(t *testing.T, v *viewServer, p *api.Principal) viewShown {
	t.Helper()
	pp, err := v.Service.Identity(viewAccount, p)
	if err != nil {
		t.Fatalf("Identity(%s) failed: %v", p.UserID, err)
	}
	return viewShow(pp)
}

// TestViewMatchesRebuild makes a few hundred random IAM writes — many of which IAM refuses, which viewMust leave the
// view alone — and checks now and then that the view kept up to date on commit is the view Load builds from the
// store.
func TestViewMatchesRebuild(t *testing.T) {
	v := startView(t, "")
	c := v.IAM
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(format string, n int) *string { return aws.String(fmt.Sprintf(format, rnd.IntN(n))) }
	trust := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	for i := range 4 {
		viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", i))}))
		viewMust[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("r%d", i)), AssumeRolePolicyDocument: trust}))
		viewMust[*iam.CreateGroupOutput](t, "CreateGroup")(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%d", i))}))
		viewMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("m%d", i)), PolicyDocument: viewAllowing("s3:GetObject")}))
	}
	policyARN := func() *string {
		if rnd.IntN(4) == 0 {
			return aws.String([]string{viewReadOnlyARN, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}[rnd.IntN(2)])
		}
		return pick("arn:aws:iam::000000000000:policy/m%d", 4)
	}
	action := func() *string { return viewAllowing(fmt.Sprintf("s3:Action%d", rnd.IntN(1000))) }
	ops := []func(){
		func() {
			c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: pick("u%d", 4), PolicyName: pick("p%d", 2), PolicyDocument: action()})
		},
		func() {
			c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: pick("g%d", 4), PolicyName: pick("p%d", 2), PolicyDocument: action()})
		},
		func() {
			c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: pick("r%d", 4), PolicyName: pick("p%d", 2), PolicyDocument: action()})
		},
		func() {
			c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: pick("u%d", 4), PolicyName: pick("p%d", 2)})
		},
		func() {
			c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: pick("g%d", 4), PolicyName: pick("p%d", 2)})
		},
		func() {
			c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: pick("r%d", 4), PolicyName: pick("p%d", 2)})
		},
		func() {
			c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: pick("u%d", 4), PolicyArn: policyARN()})
		},
		func() {
			c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: pick("g%d", 4), PolicyArn: policyARN()})
		},
		func() {
			c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: pick("r%d", 4), PolicyArn: policyARN()})
		},
		func() {
			c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: pick("u%d", 4), PolicyArn: policyARN()})
		},
		func() {
			c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: pick("g%d", 4), PolicyArn: policyARN()})
		},
		func() {
			c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: pick("r%d", 4), PolicyArn: policyARN()})
		},
		func() {
			c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: pick("u%d", 4), GroupName: pick("g%d", 4)})
		},
		func() {
			c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: pick("u%d", 4), GroupName: pick("g%d", 4)})
		},
		func() {
			c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: pick("u%d", 4), PermissionsBoundary: policyARN()})
		},
		func() {
			c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: pick("r%d", 4), PermissionsBoundary: policyARN()})
		},
		func() {
			c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: pick("u%d", 4)})
		},
		func() {
			c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: pick("r%d", 4)})
		},
		func() {
			c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pick("arn:aws:iam::000000000000:policy/m%d", 4), PolicyDocument: action(), SetAsDefault: rnd.IntN(2) == 0})
		},
		func() {
			c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: pick("arn:aws:iam::000000000000:policy/m%d", 4), VersionId: aws.String(fmt.Sprintf("v%d", 1+rnd.IntN(12)))})
		},
		func() {
			c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: pick("arn:aws:iam::000000000000:policy/m%d", 4), VersionId: aws.String(fmt.Sprintf("v%d", 1+rnd.IntN(12)))})
		},
		func() {
			c.TagUser(ctx, &iam.TagUserInput{UserName: pick("u%d", 4), Tags: []types.Tag{{Key: pick("k%d", 3), Value: pick("v%d", 3)}}})
		},
		func() {
			c.TagRole(ctx, &iam.TagRoleInput{RoleName: pick("r%d", 4), Tags: []types.Tag{{Key: pick("k%d", 3), Value: pick("v%d", 3)}}})
		},
		func() {
			c.UntagUser(ctx, &iam.UntagUserInput{UserName: pick("u%d", 4), TagKeys: []string{*pick("k%d", 3)}})
		},
		func() {
			c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: pick("r%d", 4), TagKeys: []string{*pick("k%d", 3)}})
		},
	}
	principals := func() map[string]*api.Principal {
		ps := map[string]*api.Principal{}
		users := viewMust[*iam.ListUsersOutput](t, "ListUsers")(c.ListUsers(ctx, &iam.ListUsersInput{}))
		for _, u := range users.Users {
			ps["user "+*u.UserName] = viewUser(*u.UserId)
		}
		roles := viewMust[*iam.ListRolesOutput](t, "ListRoles")(c.ListRoles(ctx, &iam.ListRolesInput{}))
		for _, r := range roles.Roles {
			ps["role "+*r.RoleName] = viewSession(*r.RoleId)
		}
		return ps
	}
	nonEmpty := 0
	for round := range 10 {
		for range 40 {
			ops[rnd.IntN(len(ops))]()
		}
		fresh := v.Rebuilt()
		for name, p := range principals() {
			live := viewOf(t, v, p)
			pp, _ := fresh.Identity(viewAccount, p)
			if rebuilt := viewShow(pp); !reflect.DeepEqual(live, rebuilt) {
				t.Errorf("after round %d, Identity(%s) = %v,\nwant %v as Load builds it", round, name, live, rebuilt)
			}
			if len(live.Identity) > 0 {
				nonEmpty++
			}
		}
	}
	if nonEmpty == 0 {
		t.Error("no principal ever had a policy: the random writes tested nothing")
	}
}

// TestViewConcurrentReads reads a user's policies while another goroutine attaches and detaches a policy: every
// read sees one of the two states, whole.
func TestViewConcurrentReads(t *testing.T) {
	v := startView(t, "")
	c := v.IAM
	u := viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin")}))
	viewMust[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("erin"), PolicyName: aws.String("p"), PolicyDocument: viewAllowing("s3:ListBucket")}))
	viewMust[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: viewAllowing("s3:GetObject")}))
	me := viewUser(*u.User.UserId)
	inline := "arn:aws:iam::000000000000:user/erin inline policy p"
	attached := viewPolicyARN + " v1"

	var stop atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				pp, _ := v.Service.Identity(viewAccount, me)
				reads.Add(1)
				var got []string
				if pp != nil {
					for _, c := range pp.Identity {
						got = append(got, c.ID)
					}
				}
				if !slices.Equal(got, []string{inline}) && !slices.Equal(got, []string{inline, attached}) {
					select {
					case errs <- fmt.Sprintf("%q", got):
					default:
					}
					return
				}
			}
		}()
	}
	for range 25 {
		viewMust[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(viewPolicyARN)}))
		viewMust[*iam.DetachUserPolicyOutput](t, "DetachUserPolicy")(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(viewPolicyARN)}))
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("a read during writes saw the policies %s, want [p] or [p, m]", got)
	}
	if reads.Load() == 0 {
		t.Error("the readers read nothing")
	}
}

// BenchmarkIdentity looks up a user with ten policies (an inline one, five attached, a group with two inline and
// two attached) and a role session: no allocation.
func BenchmarkIdentity(b *testing.B) {
	v := startView(b, "")
	c := v.IAM
	u := viewMust[*iam.CreateUserOutput](b, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("frank")}))
	viewMust[*iam.PutUserPolicyOutput](b, "PutUserPolicy")(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("frank"), PolicyName: aws.String("p"), PolicyDocument: viewAllowing("s3:ListBucket")}))
	viewMust[*iam.CreateGroupOutput](b, "CreateGroup")(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G")}))
	for i := range 7 {
		arn := fmt.Sprintf("arn:aws:iam::000000000000:policy/m%d", i)
		viewMust[*iam.CreatePolicyOutput](b, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("m%d", i)), PolicyDocument: viewAllowing("s3:GetObject")}))
		if i < 5 {
			viewMust[*iam.AttachUserPolicyOutput](b, "AttachUserPolicy")(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("frank"), PolicyArn: aws.String(arn)}))
		} else {
			viewMust[*iam.AttachGroupPolicyOutput](b, "AttachGroupPolicy")(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("G"), PolicyArn: aws.String(arn)}))
		}
	}
	for i := range 2 {
		viewMust[*iam.PutGroupPolicyOutput](b, "PutGroupPolicy")(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("G"), PolicyName: aws.String(fmt.Sprintf("gp%d", i)), PolicyDocument: viewAllowing("ec2:DescribeVpcs")}))
	}
	viewMust[*iam.AddUserToGroupOutput](b, "AddUserToGroup")(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("G"), UserName: aws.String("frank")}))
	trust := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	r := viewMust[*iam.CreateRoleOutput](b, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: trust}))
	viewMust[*iam.PutRolePolicyOutput](b, "PutRolePolicy")(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("exec"), PolicyName: aws.String("p"), PolicyDocument: viewAllowing("s3:ListBucket")}))

	user, session := viewUser(*u.User.UserId), viewSession(*r.Role.RoleId)
	if pp, _ := v.Service.Identity(viewAccount, user); pp == nil || len(pp.Identity) != 10 {
		b.Fatalf("Identity(frank) = %v, want 10 policies", pp)
	}
	b.Run("user", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if pp, _ := v.Service.Identity(viewAccount, user); pp == nil {
				b.Fatal("Identity(frank) = nil")
			}
		}
	})
	b.Run("role session", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if pp, _ := v.Service.Identity(viewAccount, session); pp == nil {
				b.Fatal("Identity(exec session) = nil")
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if pp, _ := v.Service.Identity(viewAccount, user); pp == nil {
					b.Fatal("Identity(frank) = nil")
				}
			}
		})
	})
}

// TestViewDecidesRequests goes through the whole sagebox, whose authorizer reads the view: a user's own calls are
// allowed and denied as its inline policies, managed policy versions and groups change.
func TestViewDecidesRequests(t *testing.T) {
	f := start(t)
	c := f.IAM
	viewMust[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ivy")}))
	key := viewMust[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ivy")}))
	ivy := iam.NewFromConfig(f.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, ""))
	steps := []struct {
		name    string
		do      func() error
		allowed bool
	}{
		{"a user without policies is denied", func() error { return nil }, false},
		{"PutUserPolicy allows", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("p"), PolicyDocument: viewAllowing("iam:ListUsers")})
			return err
		}, true},
		{"DeleteUserPolicy takes it back", func() error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("p")})
			return err
		}, false},
		{"AttachUserPolicy allows", func() error {
			if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("m"), PolicyDocument: viewAllowing("iam:ListUsers")}); err != nil {
				return err
			}
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ivy"), PolicyArn: aws.String(viewPolicyARN)})
			return err
		}, true},
		{"a new default version that allows something else denies", func() error {
			_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(viewPolicyARN), PolicyDocument: viewAllowing("iam:ListRoles"), SetAsDefault: true})
			return err
		}, false},
		{"AddUserToGroup with a group policy allows", func() error {
			if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G")}); err != nil {
				return err
			}
			if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("G"), PolicyName: aws.String("gp"), PolicyDocument: viewAllowing("iam:ListUsers")}); err != nil {
				return err
			}
			_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("G"), UserName: aws.String("ivy")})
			return err
		}, true},
		{"RemoveUserFromGroup takes it back", func() error {
			_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("G"), UserName: aws.String("ivy")})
			return err
		}, false},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if err := step.do(); err != nil {
				t.Fatalf("the root user's calls failed: %v", err)
			}
			_, err := ivy.ListUsers(ctx, &iam.ListUsersInput{})
			switch {
			case step.allowed && err != nil:
				t.Errorf("ivy's ListUsers failed: %v, want it allowed", err)
			case !step.allowed:
				wantError(t, "ivy's ListUsers", err, "AccessDenied", "", 403)
			}
		})
	}
}
