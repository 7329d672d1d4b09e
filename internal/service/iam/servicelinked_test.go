package iam_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestSageMakerServiceLinkedRole(t *testing.T) {
	f := start(t)
	const (
		service = "sagemaker.amazonaws.com"
		name    = "AWSServiceRoleForAmazonSageMakerNotebooks"
		policy  = "arn:aws:iam::aws:policy/aws-service-role/AmazonSageMakerNotebooksServiceRolePolicy"
	)
	created, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
	if err != nil {
		t.Fatalf("CreateServiceLinkedRole: %v", err)
	}
	t.Run("the role has the service's name, path and trust", func(t *testing.T) {
		r := created.Role
		if got, want := aws.ToString(r.Arn), "arn:aws:iam::000000000000:role/aws-service-role/sagemaker.amazonaws.com/"+name; got != want {
			t.Errorf("Arn = %s, want %s", got, want)
		}
		if aws.ToString(r.RoleName) != name || aws.ToString(r.Path) != "/aws-service-role/sagemaker.amazonaws.com/" {
			t.Errorf("RoleName, Path = %s, %s", aws.ToString(r.RoleName), aws.ToString(r.Path))
		}
		want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		if got := roleDoc(t, r.AssumeRolePolicyDocument); got != want {
			t.Errorf("trust policy = %s, want %s", got, want)
		}
		g := roleGet(t, f, name)
		if aws.ToString(g.Description) != "AWS SageMaker Notebooks Service Linked Role" || aws.ToInt32(g.MaxSessionDuration) != 3600 {
			t.Errorf("GetRole = description %q, MaxSessionDuration %d", aws.ToString(g.Description), aws.ToInt32(g.MaxSessionDuration))
		}
	})
	t.Run("the AWS managed service-role policy is attached", func(t *testing.T) {
		out, err := f.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatalf("ListAttachedRolePolicies: %v", err)
		}
		if len(out.AttachedPolicies) != 1 || aws.ToString(out.AttachedPolicies[0].PolicyArn) != policy ||
			aws.ToString(out.AttachedPolicies[0].PolicyName) != "AmazonSageMakerNotebooksServiceRolePolicy" {
			t.Errorf("attached policies = %+v, want %s", out.AttachedPolicies, policy)
		}
	})
	t.Run("it is listed under its path", func(t *testing.T) {
		out, err := f.IAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-service-role/")})
		if err != nil {
			t.Fatalf("ListRoles: %v", err)
		}
		if len(out.Roles) != 1 || aws.ToString(out.Roles[0].RoleName) != name {
			t.Errorf("ListRoles(/aws-service-role/) = %v, want %s", out.Roles, name)
		}
	})
	t.Run("creating it twice is refused", func(t *testing.T) {
		_, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)})
		wantError(t, "CreateServiceLinkedRole again", err, "InvalidInput",
			"Service role name "+name+" has been taken in this account, please try a different suffix.", 400)
	})
	protected := "Cannot perform the operation on the protected role '" + name + "' - this role is only modifiable by AWS"
	t.Run("the ordinary operations may not change it", func(t *testing.T) {
		_, err := f.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		wantError(t, "DeleteRole", err, "UnmodifiableEntity", protected, 400)
		_, err = f.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(roleEC2Trust)})
		wantError(t, "UpdateAssumeRolePolicy", err, "UnmodifiableEntity", protected, 400)
		_, err = f.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(name), MaxSessionDuration: aws.Int32(7200)})
		wantError(t, "UpdateRole of MaxSessionDuration", err, "UnmodifiableEntity", protected, 400)
		profileCreate(t, f, "p", "/")
		_, err = f.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p"), RoleName: aws.String(name)})
		wantError(t, "AddRoleToInstanceProfile", err, "UnmodifiableEntity", protected, 400)
	})
	t.Run("its description is the customer's to edit", func(t *testing.T) {
		if _, err := f.IAM.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String(name), Description: aws.String("ours")}); err != nil {
			t.Fatalf("UpdateRoleDescription: %v", err)
		}
		if got := aws.ToString(roleGet(t, f, name).Description); got != "ours" {
			t.Errorf("Description = %q, want ours", got)
		}
	})
	var task string
	t.Run("DeleteServiceLinkedRole deletes it and answers a task", func(t *testing.T) {
		out, err := f.IAM.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatalf("DeleteServiceLinkedRole: %v", err)
		}
		task = aws.ToString(out.DeletionTaskId)
		pattern := `^task/aws-service-role/sagemaker\.amazonaws\.com/` + name + `/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
		if !regexp.MustCompile(pattern).MatchString(task) {
			t.Errorf("DeletionTaskId = %s, want it to match %s", task, pattern)
		}
		_, err = f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		wantError(t, "GetRole after DeleteServiceLinkedRole", err, "NoSuchEntity", "The role with name "+name+" cannot be found.", 404)
	})
	t.Run("GetServiceLinkedRoleDeletionStatus answers SUCCEEDED for the task", func(t *testing.T) {
		out, err := f.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(task)})
		if err != nil {
			t.Fatalf("GetServiceLinkedRoleDeletionStatus: %v", err)
		}
		if out.Status != types.DeletionTaskStatusTypeSucceeded || out.Reason != nil {
			t.Errorf("Status = %s (reason %v), want SUCCEEDED", out.Status, out.Reason)
		}
	})
	t.Run("it can be created again once deleted", func(t *testing.T) {
		if _, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service)}); err != nil {
			t.Fatalf("CreateServiceLinkedRole: %v", err)
		}
	})
}

func TestServiceLinkedRoleErrors(t *testing.T) {
	f := start(t)
	roleCreate(t, f, "ordinary")
	cases := []struct {
		name          string
		call          func() error
		code, message string
		status        int
	}{
		{"an unknown service", func() error {
			_, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("OpenSearch.amazonaws.com")})
			return err
		}, "InvalidInput", "Cannot find Service Linked Role template for OpenSearch.amazonaws.com", 400},
		{"a custom suffix for SageMaker", func() error {
			_, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("sagemaker.amazonaws.com"), CustomSuffix: aws.String("x")})
			return err
		}, "InvalidInput", "Custom suffix is not allowed for sagemaker.amazonaws.com", 400},
		{"DeleteServiceLinkedRole of a missing role", func() error {
			_, err := f.IAM.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", "The role with name nope cannot be found.", 404},
		{"DeleteServiceLinkedRole of an ordinary role", func() error {
			_, err := f.IAM.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("ordinary")})
			return err
		}, "NoSuchEntity", "", 404},
		{"the status of a task that never was", func() error {
			_, err := f.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{
				DeletionTaskId: aws.String("task/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMakerNotebooks/00000000-0000-4000-8000-000000000000")})
			return err
		}, "NoSuchEntity", "", 404},
		{"the status of a task id that is not one", func() error {
			_, err := f.IAM.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("nonsense")})
			return err
		}, "InvalidInput", "", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.name, tc.call(), tc.code, tc.message, tc.status)
		})
	}
	if _, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ordinary")}); err != nil {
		t.Errorf("the ordinary role is gone after a refused DeleteServiceLinkedRole: %v", err)
	}
}

func TestServiceLinkedRoleSuffixAndDescription(t *testing.T) {
	f := start(t)
	t.Run("Auto Scaling takes a custom suffix", func(t *testing.T) {
		out, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("fleet")})
		if err != nil {
			t.Fatalf("CreateServiceLinkedRole: %v", err)
		}
		if got, want := aws.ToString(out.Role.Arn), "arn:aws:iam::000000000000:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_fleet"; got != want {
			t.Errorf("Arn = %s, want %s", got, want)
		}
		// A second one needs a different suffix, and the plain name is still free.
		_, err = f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("fleet")})
		wantError(t, "the same suffix again", err, "InvalidInput", "Service role name AWSServiceRoleForAutoScaling_fleet has been taken in this account, please try a different suffix.", 400)
		if _, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com")}); err != nil {
			t.Fatalf("CreateServiceLinkedRole without a suffix: %v", err)
		}
		if got := aws.ToString(roleGet(t, f, "AWSServiceRoleForAutoScaling").Description); got != "Default Service-Linked Role enables access to AWS Services and Resources used or managed by Auto Scaling" {
			t.Errorf("Description = %q, want Auto Scaling's", got)
		}
	})
	t.Run("a description given replaces the service's", func(t *testing.T) {
		if _, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("sagemaker.amazonaws.com"), Description: aws.String("mine")}); err != nil {
			t.Fatalf("CreateServiceLinkedRole: %v", err)
		}
		if got := aws.ToString(roleGet(t, f, "AWSServiceRoleForAmazonSageMakerNotebooks").Description); got != "mine" {
			t.Errorf("Description = %q, want mine", got)
		}
	})
	t.Run("an ordinary role of the service's name takes the name", func(t *testing.T) {
		roleCreate(t, f, "AWSServiceRoleForAmazonElasticFileSystem")
		_, err := f.IAM.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticfilesystem.amazonaws.com")})
		wantError(t, "CreateServiceLinkedRole", err, "InvalidInput", "Service role name AWSServiceRoleForAmazonElasticFileSystem has been taken in this account, please try a different suffix.", 400)
	})
}
