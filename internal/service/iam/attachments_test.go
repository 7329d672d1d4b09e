package iam_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// attachKind drives the attachment tests for one kind of entity through its own operations.
type attachKind struct {
	noun, quota string
	create      func(f *fixture, name, path string) error
	attach      func(f *fixture, name, arn string) error
	detach      func(f *fixture, name, arn string) error
	list        func(f *fixture, name string, prefix, marker *string, max *int32) ([]types.AttachedPolicy, bool, *string, error)
}

var attachKinds = []attachKind{
	{
		noun: "user", quota: "PoliciesPerUser",
		create: func(f *fixture, name, path string) error {
			_, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String(path)})
			return err
		},
		attach: func(f *fixture, name, arn string) error {
			_, err := f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(arn)})
			return err
		},
		detach: func(f *fixture, name, arn string) error {
			_, err := f.IAM.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(arn)})
			return err
		},
		list: func(f *fixture, name string, prefix, marker *string, max *int32) ([]types.AttachedPolicy, bool, *string, error) {
			out, err := f.IAM.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(name), PathPrefix: prefix, Marker: marker, MaxItems: max})
			if err != nil {
				return nil, false, nil, err
			}
			return out.AttachedPolicies, out.IsTruncated, out.Marker, nil
		},
	},
	{
		noun: "group", quota: "PoliciesPerGroup",
		create: func(f *fixture, name, path string) error {
			_, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(name), Path: aws.String(path)})
			return err
		},
		attach: func(f *fixture, name, arn string) error {
			_, err := f.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(name), PolicyArn: aws.String(arn)})
			return err
		},
		detach: func(f *fixture, name, arn string) error {
			_, err := f.IAM.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String(name), PolicyArn: aws.String(arn)})
			return err
		},
		list: func(f *fixture, name string, prefix, marker *string, max *int32) ([]types.AttachedPolicy, bool, *string, error) {
			out, err := f.IAM.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(name), PathPrefix: prefix, Marker: marker, MaxItems: max})
			if err != nil {
				return nil, false, nil, err
			}
			return out.AttachedPolicies, out.IsTruncated, out.Marker, nil
		},
	},
	{
		noun: "role", quota: "PoliciesPerRole",
		create: func(f *fixture, name, path string) error {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trustSageDoc)})
			return err
		},
		attach: func(f *fixture, name, arn string) error {
			_, err := f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)})
			return err
		},
		detach: func(f *fixture, name, arn string) error {
			_, err := f.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)})
			return err
		},
		list: func(f *fixture, name string, prefix, marker *string, max *int32) ([]types.AttachedPolicy, bool, *string, error) {
			out, err := f.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name), PathPrefix: prefix, Marker: marker, MaxItems: max})
			if err != nil {
				return nil, false, nil, err
			}
			return out.AttachedPolicies, out.IsTruncated, out.Marker, nil
		},
	},
}

func attachedCount(t *testing.T, f *fixture, arn string) int32 {
	t.Helper()
	out, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	polOK(t, "GetPolicy", err)
	return aws.ToInt32(out.Policy.AttachmentCount)
}

func TestAttachments(t *testing.T) {
	f := start(t)
	// Eleven customer policies, two of them on the path /ml/.
	var arns []string
	for i := range 11 {
		path := "/"
		if i < 2 {
			path = "/ml/"
		}
		arns = append(arns, aws.ToString(createPolicy(t, f, fmt.Sprintf("P%02d", i), path, polDocS3).Arn))
	}
	for _, k := range attachKinds {
		name := "attach-" + k.noun
		polOK(t, "create the "+k.noun, k.create(f, name, "/"))
		t.Run(k.noun+"s take up to 10 managed policies, the 11th is LimitExceeded", func(t *testing.T) {
			for _, arn := range arns[:10] {
				polOK(t, "attach "+arn, k.attach(f, name, arn))
			}
			wantError(t, "the 11th attachment", k.attach(f, name, arns[10]), "LimitExceeded", "Cannot exceed quota for "+k.quota+": 10", 409)
		})
		t.Run("attaching a "+k.noun+"'s policy again changes nothing", func(t *testing.T) {
			polOK(t, "attach again", k.attach(f, name, arns[0]))
			got, _, _, err := k.list(f, name, nil, nil, nil)
			polOK(t, "list", err)
			if len(got) != 10 {
				t.Errorf("the %s has %d policies attached, want 10", k.noun, len(got))
			}
		})
		t.Run("List Attached "+k.noun+" policies filters by path and pages with MaxItems 2", func(t *testing.T) {
			got, truncated, _, err := k.list(f, name, aws.String("/ml/"), nil, nil)
			polOK(t, "list /ml/", err)
			if len(got) != 2 || truncated || aws.ToString(got[0].PolicyName) != "P00" || aws.ToString(got[1].PolicyArn) != arns[1] {
				t.Errorf("the /ml/ policies = %+v, want P00 and P01", got)
			}
			var seen []string
			var marker *string
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("the pages did not end")
				}
				page, truncated, next, err := k.list(f, name, nil, marker, aws.Int32(2))
				polOK(t, "list a page", err)
				if len(page) > 2 {
					t.Errorf("a page of %d policies, want at most 2", len(page))
				}
				for _, p := range page {
					seen = append(seen, aws.ToString(p.PolicyArn))
				}
				if !truncated {
					break
				}
				marker = next
			}
			if !slices.Equal(seen, arns[:10]) {
				t.Errorf("the pages hold %v, want %v", seen, arns[:10])
			}
		})
		t.Run("detaching from a "+k.noun+" a policy it does not have is NoSuchEntity", func(t *testing.T) {
			wantError(t, "detach", k.detach(f, name, arns[10]), "NoSuchEntity", "Policy "+arns[10]+" was not found.", 404)
		})
		t.Run("attaching to a "+k.noun+" a policy that does not exist is NoSuchEntity", func(t *testing.T) {
			missing := "arn:aws:iam::" + polAccount + ":policy/Missing"
			wantError(t, "attach", k.attach(f, name, missing), "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.", 404)
		})
		t.Run("attaching to a "+k.noun+" an ARN that names no policy is InvalidInput", func(t *testing.T) {
			bad := "arn:aws:iam::aws:policy/arn:aws:iam::aws:policy/ReadOnlyAccess"
			wantError(t, "attach", k.attach(f, name, bad), "InvalidInput", "ARN "+bad+" is not valid.", 400)
		})
		t.Run("attaching to a "+k.noun+" that does not exist is NoSuchEntity", func(t *testing.T) {
			wantError(t, "attach", k.attach(f, "nobody", arns[0]), "NoSuchEntity", "The "+k.noun+" with name nobody cannot be found.", 404)
		})
	}

	t.Run("AttachmentCount counts users, groups and roles", func(t *testing.T) {
		if n := attachedCount(t, f, arns[0]); n != 3 {
			t.Errorf("AttachmentCount = %d, want 3", n)
		}
		if n := attachedCount(t, f, arns[10]); n != 0 {
			t.Errorf("AttachmentCount of the policy no one took = %d, want 0", n)
		}
	})
	t.Run("DeletePolicy refuses while the policy is attached", func(t *testing.T) {
		_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arns[0])})
		wantError(t, "DeletePolicy", err, "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
	})
	t.Run("detaching from each entity brings the count to zero and lets the policy go", func(t *testing.T) {
		for _, k := range attachKinds {
			polOK(t, "detach from the "+k.noun, k.detach(f, "attach-"+k.noun, arns[0]))
		}
		if n := attachedCount(t, f, arns[0]); n != 0 {
			t.Errorf("AttachmentCount = %d, want 0", n)
		}
		_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arns[0])})
		polOK(t, "DeletePolicy", err)
		for _, k := range attachKinds {
			polOK(t, "attach the 11th to the "+k.noun, k.attach(f, "attach-"+k.noun, arns[10]))
		}
	})
	t.Run("a policy for service-linked roles cannot go on a customer role", func(t *testing.T) {
		_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("customer"), AssumeRolePolicyDocument: aws.String(trustSageDoc)})
		polOK(t, "CreateRole", err)
		arn := "arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerNotebooksServiceRolePolicy"
		_, err = f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("customer"), PolicyArn: aws.String(arn)})
		wantError(t, "AttachRolePolicy", err, "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400)
	})
	t.Run("a service-linked role is changed by its service only", func(t *testing.T) {
		out, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("sagemaker.amazonaws.com")})
		polOK(t, "CreateServiceLinkedRole", err)
		name := aws.ToString(out.Role.RoleName)
		msg := "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
		_, err = f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arns[1])})
		wantError(t, "AttachRolePolicy", err, "UnmodifiableEntity", msg, 400)
		_, err = f.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(polDocS3)})
		wantError(t, "PutRolePolicy", err, "UnmodifiableEntity", msg, 400)
		_, err = f.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(name), PermissionsBoundary: aws.String(arns[1])})
		wantError(t, "PutRolePermissionsBoundary", err, "UnmodifiableEntity", msg, 400)
	})
}

func TestListEntitiesForPolicy(t *testing.T) {
	f := start(t)
	arn := aws.ToString(createPolicy(t, f, "Shared", "", polDocS3).Arn)
	boundary := aws.ToString(createPolicy(t, f, "Boundary", "", polDocS3).Arn)
	ids := map[string]string{}
	for _, u := range []struct{ name, path string }{{"ann", "/eng/"}, {"bob", "/"}, {"cy", "/eng/"}} {
		out, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name), Path: aws.String(u.path)})
		polOK(t, "CreateUser", err)
		ids[u.name] = aws.ToString(out.User.UserId)
		_, err = f.IAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(u.name), PolicyArn: aws.String(arn)})
		polOK(t, "AttachUserPolicy", err)
	}
	g, err := f.IAM.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("admins")})
	polOK(t, "CreateGroup", err)
	ids["admins"] = aws.ToString(g.Group.GroupId)
	_, err = f.IAM.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String(arn)})
	polOK(t, "AttachGroupPolicy", err)
	r, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("runner"), Path: aws.String("/eng/"), AssumeRolePolicyDocument: aws.String(trustSageDoc)})
	polOK(t, "CreateRole", err)
	ids["runner"] = aws.ToString(r.Role.RoleId)
	_, err = f.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("runner"), PolicyArn: aws.String(arn)})
	polOK(t, "AttachRolePolicy", err)
	_, err = f.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("runner"), PermissionsBoundary: aws.String(boundary)})
	polOK(t, "PutRolePermissionsBoundary", err)
	_, err = f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: aws.String(arn)})
	polOK(t, "PutUserPermissionsBoundary", err)

	// flatten renders an answer as "g:name", "u:name", "r:name", checking each id on the way.
	flatten := func(t *testing.T, out *iam.ListEntitiesForPolicyOutput) []string {
		t.Helper()
		var got []string
		check := func(prefix, name, id string) {
			if ids[name] != id {
				t.Errorf("%s has id %q, want %q", name, id, ids[name])
			}
			got = append(got, prefix+name)
		}
		for _, e := range out.PolicyGroups {
			check("g:", aws.ToString(e.GroupName), aws.ToString(e.GroupId))
		}
		for _, e := range out.PolicyUsers {
			check("u:", aws.ToString(e.UserName), aws.ToString(e.UserId))
		}
		for _, e := range out.PolicyRoles {
			check("r:", aws.ToString(e.RoleName), aws.ToString(e.RoleId))
		}
		return got
	}
	cases := []struct {
		name string
		in   iam.ListEntitiesForPolicyInput
		want []string
	}{
		{"every entity", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)},
			[]string{"g:admins", "u:ann", "u:bob", "u:cy", "r:runner"}},
		{"EntityFilter User", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), EntityFilter: types.EntityTypeUser},
			[]string{"u:ann", "u:bob", "u:cy"}},
		{"EntityFilter Role", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), EntityFilter: types.EntityTypeRole},
			[]string{"r:runner"}},
		{"EntityFilter Group", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), EntityFilter: types.EntityTypeGroup},
			[]string{"g:admins"}},
		{"PathPrefix /eng/", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), PathPrefix: aws.String("/eng/")},
			[]string{"u:ann", "u:cy", "r:runner"}},
		{"PolicyUsageFilter PermissionsBoundary", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary},
			[]string{"u:bob"}},
		{"PolicyUsageFilter PermissionsPolicy", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy},
			[]string{"g:admins", "u:ann", "u:bob", "u:cy", "r:runner"}},
		{"a boundary policy", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(boundary)},
			[]string{"r:runner"}},
		{"an AWS managed policy no one uses", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(sageMakerARN)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.IAM.ListEntitiesForPolicy(ctx, &tc.in)
			polOK(t, "ListEntitiesForPolicy", err)
			if got := flatten(t, out); !slices.Equal(got, tc.want) || out.IsTruncated {
				t.Errorf("ListEntitiesForPolicy(%s) = %v truncated %v, want %v", tc.name, got, out.IsTruncated, tc.want)
			}
		})
	}
	t.Run("pages with MaxItems 2 visit each entity once", func(t *testing.T) {
		var got []string
		var marker *string
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("the pages did not end")
			}
			out, err := f.IAM.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2), Marker: marker})
			polOK(t, "ListEntitiesForPolicy", err)
			page := flatten(t, out)
			if len(page) > 2 {
				t.Errorf("a page of %d entities, want at most 2", len(page))
			}
			got = append(got, page...)
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		if want := []string{"g:admins", "u:ann", "u:bob", "u:cy", "r:runner"}; !slices.Equal(got, want) {
			t.Errorf("the pages hold %v, want %v", got, want)
		}
	})
	t.Run("a policy that does not exist is NoSuchEntity", func(t *testing.T) {
		missing := "arn:aws:iam::" + polAccount + ":policy/Missing"
		_, err := f.IAM.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(missing)})
		wantError(t, "ListEntitiesForPolicy", err, "NoSuchEntity", "Policy "+missing+" does not exist or is not attachable.", 404)
	})
}
