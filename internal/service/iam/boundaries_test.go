package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestPermissionsBoundaries(t *testing.T) {
	f := start(t)
	customer := aws.ToString(createPolicy(t, f, "Boundary", "/limits/", polDocS3).Arn)
	awsManaged := "arn:aws:iam::aws:policy/PowerUserAccess"
	_, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bounded")})
	polOK(t, "CreateUser", err)
	_, err = f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded-role"), AssumeRolePolicyDocument: aws.String(trustSageDoc)})
	polOK(t, "CreateRole", err)

	userBoundary := func(t *testing.T) string {
		t.Helper()
		out, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")})
		polOK(t, "GetUser", err)
		if out.User.PermissionsBoundary == nil {
			return ""
		}
		return aws.ToString(out.User.PermissionsBoundary.PermissionsBoundaryArn)
	}
	roleBoundary := func(t *testing.T) string {
		t.Helper()
		out, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bounded-role")})
		polOK(t, "GetRole", err)
		if out.Role.PermissionsBoundary == nil {
			return ""
		}
		return aws.ToString(out.Role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	usage := func(t *testing.T, arn string) int32 {
		t.Helper()
		out, err := f.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		polOK(t, "GetPolicy", err)
		return aws.ToInt32(out.Policy.PermissionsBoundaryUsageCount)
	}

	t.Run("a customer managed policy becomes a user's boundary", func(t *testing.T) {
		_, err := f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(customer)})
		polOK(t, "PutUserPermissionsBoundary", err)
		if got := userBoundary(t); got != customer {
			t.Errorf("the user's boundary = %q, want %q", got, customer)
		}
		if n := usage(t, customer); n != 1 {
			t.Errorf("PermissionsBoundaryUsageCount = %d, want 1", n)
		}
	})
	t.Run("an AWS managed policy becomes a role's boundary, counted in the account", func(t *testing.T) {
		_, err := f.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role"), PermissionsBoundary: aws.String(awsManaged)})
		polOK(t, "PutRolePermissionsBoundary", err)
		if got := roleBoundary(t); got != awsManaged {
			t.Errorf("the role's boundary = %q, want %q", got, awsManaged)
		}
		if n := usage(t, awsManaged); n != 1 {
			t.Errorf("PermissionsBoundaryUsageCount = %d, want 1", n)
		}
	})
	t.Run("a boundary in use keeps its policy from being deleted", func(t *testing.T) {
		_, err := f.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(customer)})
		wantError(t, "DeletePolicy", err, "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
	})
	t.Run("a new boundary replaces the old one", func(t *testing.T) {
		_, err := f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(awsManaged)})
		polOK(t, "PutUserPermissionsBoundary", err)
		if got := userBoundary(t); got != awsManaged {
			t.Errorf("the user's boundary = %q, want %q", got, awsManaged)
		}
		if a, b := usage(t, customer), usage(t, awsManaged); a != 0 || b != 2 {
			t.Errorf("the usage counts = %d and %d, want 0 for the old boundary and 2 for the new", a, b)
		}
	})
	t.Run("deleting a boundary removes it, and deleting none is no error", func(t *testing.T) {
		for range 2 {
			_, err := f.IAM.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")})
			polOK(t, "DeleteUserPermissionsBoundary", err)
			_, err = f.IAM.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role")})
			polOK(t, "DeleteRolePermissionsBoundary", err)
		}
		if u, r := userBoundary(t), roleBoundary(t); u != "" || r != "" {
			t.Errorf("the boundaries left = %q and %q, want none", u, r)
		}
		if n := usage(t, awsManaged); n != 0 {
			t.Errorf("PermissionsBoundaryUsageCount = %d, want 0", n)
		}
	})

	missing := "arn:aws:iam::" + polAccount + ":policy/limits/Missing"
	errorCases := []struct {
		name, code, message string
		status              int
		call                func() error
	}{
		{"a boundary policy that does not exist", "NoSuchEntity", "Scope ARN: " + missing + " does not exist or is not attachable.", 404, func() error {
			_, err := f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(missing)})
			return err
		}},
		{"a boundary that is not a policy ARN", "InvalidInput", "Value (arn:aws:iam::000000000000:role/Boundary) for parameter PermissionsBoundary is invalid.", 400, func() error {
			_, err := f.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role"), PermissionsBoundary: aws.String("arn:aws:iam::000000000000:role/Boundary")})
			return err
		}},
		{"CreateUser with a boundary that does not exist", "NoSuchEntity", "Scope ARN: " + missing + " does not exist or is not attachable.", 404, func() error {
			_, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("unborn"), PermissionsBoundary: aws.String(missing)})
			return err
		}},
		{"CreateRole with a boundary that does not exist", "NoSuchEntity", "Scope ARN: " + missing + " does not exist or is not attachable.", 404, func() error {
			_, err := f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("unborn"), AssumeRolePolicyDocument: aws.String(trustSageDoc), PermissionsBoundary: aws.String(missing)})
			return err
		}},
		{"a boundary for a user that does not exist", "NoSuchEntity", "The user with name nobody cannot be found.", 404, func() error {
			_, err := f.IAM.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("nobody"), PermissionsBoundary: aws.String(customer)})
			return err
		}},
		{"deleting the boundary of a role that does not exist", "NoSuchEntity", "The role with name nobody cannot be found.", 404, func() error {
			_, err := f.IAM.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("nobody")})
			return err
		}},
		{"a policy for service-linked roles as a role's boundary", "PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400, func() error {
			_, err := f.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded-role"),
				PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerNotebooksServiceRolePolicy")})
			return err
		}},
	}
	for _, tc := range errorCases {
		t.Run(tc.name+" is "+tc.code, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message, tc.status)
		})
	}
	t.Run("CreateUser and CreateRole take an existing boundary", func(t *testing.T) {
		u, err := f.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("born-bounded"), PermissionsBoundary: aws.String(customer)})
		polOK(t, "CreateUser", err)
		if u.User.PermissionsBoundary == nil || aws.ToString(u.User.PermissionsBoundary.PermissionsBoundaryArn) != customer {
			t.Errorf("CreateUser's boundary = %+v, want %s", u.User.PermissionsBoundary, customer)
		}
		_, err = f.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("born-bounded"), AssumeRolePolicyDocument: aws.String(trustSageDoc), PermissionsBoundary: aws.String(customer)})
		polOK(t, "CreateRole", err)
		if n := usage(t, customer); n != 2 {
			t.Errorf("PermissionsBoundaryUsageCount = %d, want 2", n)
		}
	})
}
